"""What a loader returns: named pandas tables plus what a reader needs to know about them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd


class DataError(Exception):
    """Raised for data that is missing, corrupt, malformed or mis-addressed.

    The message always names what (dataset, file, line or argument) and where
    (the paths that were looked at), and says how to fix it where we know.
    """


@dataclass(frozen=True)
class DatasetInfo:
    """Metadata that travels with every loaded dataset.

    Attributes:
      key: the docs/protocols.md key, e.g. ``"ml-100k"``.
      kind: ``"text"`` (classification corpora) or ``"interactions"``
        (user-item logs).
      description: one line on what the data is.
      language: ``"en"``, ``"zh"`` or ``"en+zh"``.
      labels: class names, index = label id (text datasets only).
      multi_label: True when a text carries a set of labels (GoEmotions).
      official_split: True when the source ships train/validation/test.
      encoding: how the raw files are encoded and how they are read.
      source: where the data comes from (repository, commit, or package).
      licence: the licence note; most of these forbid redistribution.
      citation: the paper to cite.
      simulated: True for the project's simulated world, never real users.
    """

    key: str
    kind: str
    description: str
    language: str = ""
    labels: tuple[str, ...] = ()
    multi_label: bool = False
    official_split: bool = False
    encoding: str = ""
    source: str = ""
    licence: str = ""
    citation: str = ""
    simulated: bool = False


@dataclass
class Dataset:
    """Named tables of one dataset.

    Text datasets have ``train``/``validation``/``test`` tables when the source
    ships an official split, otherwise one ``all`` table; columns ``text``
    (str) and ``label`` (int64 index into ``info.labels``), or ``labels``
    (tuple of ints) for multi-label data.

    Interaction datasets have an ``interactions`` table with at least
    ``user_id``, ``item_id`` and ``timestamp`` (int64 unix seconds), plus
    ``rating`` and ``event`` where the data has them, and side tables
    (``items``, ``users``, ``reviews``) where it has those.
    """

    info: DatasetInfo
    tables: dict[str, pd.DataFrame]
    path: Path | None = None
    ground_truth: Any = None
    extras: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return self.info.key

    def __getitem__(self, table: str) -> pd.DataFrame:
        try:
            return self.tables[table]
        except KeyError:
            raise KeyError(f"dataset {self.key!r} has no table {table!r}; it has {sorted(self.tables)}") from None

    def __repr__(self) -> str:
        shapes = ", ".join(f"{name}: {len(df):,} rows" for name, df in self.tables.items())
        where = f" from {self.path}" if self.path else ""
        return f"Dataset({self.key!r}{where}; {shapes})"
