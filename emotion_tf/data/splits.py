"""Splits of docs/protocols.md: the only way any model in the project sees train, validation and test.

Text without an official split::

    empty texts dropped -> texts seen with two different labels dropped ->
    duplicates kept once -> stratified, seeded 80/10/10

so no text can be in two splits.  Texts are compared after stripping and
collapsing white space (two reviews differing only in spacing are the same
review).

Interactions (per-user random)::

    one row per (user, item) pair (the earliest) -> per user, a seeded
    permutation cut at round(0.8 n) and round(0.9 n) -> train / validation / test

``round`` is Python's (and numpy's ``rint``): halves go to the even integer.
The permutation is drawn over the pairs sorted by (user, item), so the split
does not depend on the order of the input rows.

Interactions (temporal, for sequence models): per user, the last pair in time
is the test item and the one before it the validation item; users with fewer
than three pairs keep all of them in train.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from emotion_tf.data.dataset import DataError, Dataset

SPLITS = ("train", "validation", "test")


# --- text --------------------------------------------------------------------------------------


@dataclass
class TextSplits:
    """Train / validation / test tables with the columns of the source table.

    ``report`` counts what the cleaning dropped: ``empty``, ``conflicting``
    (rows whose text also occurs with another label), ``duplicate``.
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    labels: tuple[str, ...] = ()
    report: dict | None = None

    def __getitem__(self, split: str) -> pd.DataFrame:
        if split not in SPLITS:
            raise KeyError(f"split must be one of {SPLITS}, got {split!r}")
        return getattr(self, split)


def normalize_text(texts: pd.Series) -> pd.Series:
    """The key texts are compared by: stripped, internal white space collapsed to one space."""
    return texts.astype(str).str.strip().str.replace(r"\s+", " ", regex=True)


def stratified_split(labels: np.ndarray, seed: int, fractions=(0.8, 0.9)) -> np.ndarray:
    """Split code per row (0 train, 1 validation, 2 test), stratified by label.

    Within each class of n rows, a seeded permutation is cut at round(0.8 n)
    and round(0.9 n).
    """
    rng = np.random.default_rng(seed)
    codes = np.empty(len(labels), dtype=np.int8)
    for label in np.unique(labels):
        rows = np.flatnonzero(labels == label)
        rows = rows[rng.permutation(len(rows))]
        cut_validation, cut_test = (int(np.rint(f * len(rows))) for f in fractions)
        codes[rows[:cut_validation]] = 0
        codes[rows[cut_validation:cut_test]] = 1
        codes[rows[cut_test:]] = 2
    return codes


def split_text(source: Dataset | pd.DataFrame, seed: int = 0, label_column: str = "label") -> TextSplits:
    """Split a text dataset per docs/protocols.md (official split kept as is)."""
    labels: tuple[str, ...] = ()
    if isinstance(source, Dataset):
        labels = source.info.labels
        if source.info.official_split:
            return TextSplits(
                *(source[s].reset_index(drop=True) for s in SPLITS), labels=labels, report={"official_split": True}
            )
        table = source["all"]
    else:
        table = source
    if "text" not in table.columns or label_column not in table.columns:
        raise DataError(f"split_text needs columns 'text' and {label_column!r}; got {list(table.columns)}")

    key = normalize_text(table["text"])
    frame = table.assign(_key=key)
    empty = frame["_key"] == ""
    frame = frame[~empty]
    n_labels_per_text = frame.groupby("_key")[label_column].transform("nunique")
    conflicting = n_labels_per_text > 1
    frame = frame[~conflicting]
    duplicate = frame.duplicated("_key", keep="first")
    frame = frame[~duplicate].reset_index(drop=True)

    codes = stratified_split(frame[label_column].to_numpy(), seed)
    shuffle = np.random.default_rng(seed + 1).permutation(len(frame))
    frame, codes = frame.iloc[shuffle].drop(columns="_key"), codes[shuffle]
    parts = [frame[codes == c].reset_index(drop=True) for c in range(3)]
    report = {
        "official_split": False,
        "rows": int(len(table)),
        "empty": int(empty.sum()),
        "conflicting": int(conflicting.sum()),
        "duplicate": int(duplicate.sum()),
        "kept": int(len(frame)),
    }
    return TextSplits(*parts, labels=labels, report=report)


# --- interactions ------------------------------------------------------------------------------


@dataclass
class InteractionSplits:
    """Per-split interaction tables with dense ``user_index`` / ``item_index`` columns.

    Indices run over every user and item of the whole dataset, so full-ranking
    evaluation ranks all items, including those never seen in train.

    Attributes:
      train, validation, test: tables with the source columns plus
        ``user_index`` and ``item_index`` (int64).
      user_ids, item_ids: raw id of each index.
    """

    train: pd.DataFrame
    validation: pd.DataFrame
    test: pd.DataFrame
    user_ids: np.ndarray
    item_ids: np.ndarray

    @property
    def n_users(self) -> int:
        return len(self.user_ids)

    @property
    def n_items(self) -> int:
        return len(self.item_ids)

    def __getitem__(self, split: str) -> pd.DataFrame:
        if split not in SPLITS:
            raise KeyError(f"split must be one of {SPLITS}, got {split!r}")
        return getattr(self, split)

    def items_by_user(self, *splits: str) -> UserItemSets:
        """Each user's items in the union of ``splits`` (CSR form)."""
        frames = [self[s] for s in splits]
        users = np.concatenate([f["user_index"].to_numpy() for f in frames])
        items = np.concatenate([f["item_index"].to_numpy() for f in frames])
        return UserItemSets.from_pairs(users, items, self.n_users)

    def user_index(self, user_id) -> int:
        """Index of a raw user id; KeyError naming the id when it is unknown."""
        position = np.searchsorted(self.user_ids, user_id)
        if position >= len(self.user_ids) or self.user_ids[position] != user_id:
            raise KeyError(f"unknown user id {user_id!r}")
        return int(position)


@dataclass
class UserItemSets:
    """Sets of item indices per user, compressed-row: user u has ``indices[indptr[u]:indptr[u+1]]``."""

    indptr: np.ndarray
    indices: np.ndarray

    @classmethod
    def from_pairs(cls, users: np.ndarray, items: np.ndarray, n_users: int) -> UserItemSets:
        order = np.lexsort((items, users))
        counts = np.bincount(users, minlength=n_users)
        indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
        return cls(indptr=indptr, indices=np.asarray(items)[order].astype(np.int64))

    def of(self, user: int) -> np.ndarray:
        return self.indices[self.indptr[user] : self.indptr[user + 1]]

    def counts(self) -> np.ndarray:
        return np.diff(self.indptr)


def _unique_pairs(interactions: pd.DataFrame) -> pd.DataFrame:
    for column in ("user_id", "item_id"):
        if column not in interactions.columns:
            raise DataError(f"interactions need a {column!r} column; got {list(interactions.columns)}")
    if len(interactions) == 0:
        raise DataError("cannot split an empty interactions table")
    frame = interactions
    if "timestamp" in frame.columns:
        frame = frame.sort_values("timestamp", kind="stable")
    return frame.drop_duplicates(["user_id", "item_id"], keep="first")


def _indexed(frame: pd.DataFrame, all_rows: pd.DataFrame):
    user_ids = np.unique(all_rows["user_id"].to_numpy())
    item_ids = np.unique(all_rows["item_id"].to_numpy())
    frame = frame.assign(
        user_index=np.searchsorted(user_ids, frame["user_id"].to_numpy()).astype(np.int64),
        item_index=np.searchsorted(item_ids, frame["item_id"].to_numpy()).astype(np.int64),
    )
    return frame, user_ids, item_ids


def _position_in_user(users: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """For rows already grouped by user: each row's position in its group and the group's size."""
    starts = np.r_[True, users[1:] != users[:-1]]
    group = np.cumsum(starts) - 1
    first_row = np.flatnonzero(starts)
    sizes = np.diff(np.r_[first_row, len(users)])
    return np.arange(len(users)) - first_row[group], sizes[group]


def split_interactions(
    interactions: pd.DataFrame, seed: int = 0, fractions=(0.8, 0.9), index_from: pd.DataFrame | None = None
) -> InteractionSplits:
    """Per-user seeded random 80/10/10 split of the unique (user, item) pairs.

    ``index_from``: a larger table whose users and items define the indices (e.g. every event, when only
    purchases are split), so that rankings run over every item and other tables can share the indices.
    """
    pairs = _unique_pairs(interactions)
    pairs, user_ids, item_ids = _indexed(pairs, interactions if index_from is None else index_from)
    pairs = pairs.sort_values(["user_index", "item_index"], kind="stable")
    random_key = np.random.default_rng(seed).random(len(pairs))
    order = np.lexsort((random_key, pairs["user_index"].to_numpy()))
    pairs = pairs.iloc[order]
    position, size = _position_in_user(pairs["user_index"].to_numpy())
    cut_validation = np.rint(fractions[0] * size)
    cut_test = np.rint(fractions[1] * size)
    code = np.where(position < cut_validation, 0, np.where(position < cut_test, 1, 2))
    parts = [pairs[code == c].reset_index(drop=True) for c in range(3)]
    return InteractionSplits(*parts, user_ids=user_ids, item_ids=item_ids)


def index_like(table: pd.DataFrame, splits: InteractionSplits) -> pd.DataFrame:
    """``table`` with the ``user_index``/``item_index`` of ``splits``; rows of users or items it lacks are dropped."""
    users = np.searchsorted(splits.user_ids, table["user_id"].to_numpy())
    items = np.searchsorted(splits.item_ids, table["item_id"].to_numpy())
    users_ok = (users < len(splits.user_ids)) & (
        splits.user_ids[np.minimum(users, len(splits.user_ids) - 1)] == table["user_id"].to_numpy()
    )
    items_ok = (items < len(splits.item_ids)) & (
        splits.item_ids[np.minimum(items, len(splits.item_ids) - 1)] == table["item_id"].to_numpy()
    )
    keep = users_ok & items_ok
    return table[keep].assign(user_index=users[keep].astype(np.int64), item_index=items[keep].astype(np.int64))


def temporal_split(interactions: pd.DataFrame) -> InteractionSplits:
    """Leave-last-out in time: last pair -> test, the one before -> validation, the rest -> train."""
    if "timestamp" not in interactions.columns:
        raise DataError("temporal_split needs a 'timestamp' column")
    pairs = _unique_pairs(interactions)
    pairs, user_ids, item_ids = _indexed(pairs, interactions)
    pairs = pairs.sort_values(["user_index", "timestamp"], kind="stable")
    position, size = _position_in_user(pairs["user_index"].to_numpy())
    from_end = size - position  # 1 for the last pair
    code = np.where(size < 3, 0, np.where(from_end == 1, 2, np.where(from_end == 2, 1, 0)))
    parts = [pairs[code == c].reset_index(drop=True) for c in range(3)]
    return InteractionSplits(*parts, user_ids=user_ids, item_ids=item_ids)
