"""``load(key)``: the one entry point to every dataset of docs/protocols.md."""

from __future__ import annotations

import dataclasses

from emotion_tf.data import readers, synthetic
from emotion_tf.data.catalog import CATALOG, check_row_counts
from emotion_tf.data.dataset import DataError, Dataset
from emotion_tf.data.fetch import locate, verify_folder

SYNTHETIC = "synthetic"


def keys() -> list[str]:
    """Every dataset key ``load`` accepts."""
    return [*CATALOG, SYNTHETIC]


def load(
    key: str,
    data_dir=None,
    *,
    download: bool | None = None,
    verify: bool = True,
    progress: bool = True,
    **synthetic_options,
) -> Dataset:
    """Load a dataset as typed pandas tables plus metadata.

    Args:
      key: a key of docs/protocols.md (see ``keys()``).
      data_dir: a folder laid out as ``docs/protocols.md`` says; see ``emotion_tf.data.fetch``
        for the order in which folders, the cache and a download are tried.
      download: allow (True) or forbid (False) a download when no folder has the
        data; None reads ``EMOTION_TF_DOWNLOAD`` (allowed unless it is ``0``).
      verify: check every file's sha256 against the pinned value.
      progress: print download progress to stderr.
      **synthetic_options: for ``"synthetic"`` only, passed to
        ``emotion_tf.data.synthetic.generate`` (``n_users``, ``seed``, ...).

    Returns:
      A ``Dataset``; ``dataset.info`` says what the tables are, where they came
      from and under which licence.

    Raises:
      DataError: unknown key, data not found, a checksum or parse failure.
    """
    if key == SYNTHETIC:
        return synthetic.generate(**synthetic_options).as_dataset()
    if synthetic_options:
        raise TypeError(f"options {sorted(synthetic_options)} only apply to {SYNTHETIC!r}, not {key!r}")
    if key not in CATALOG:
        raise DataError(f"unknown dataset key {key!r}; known keys: {', '.join(keys())}")
    entry = CATALOG[key]
    if entry.package_folder is not None:
        folder = entry.package_folder()
        if verify:
            verify_folder(folder, entry.folder)
    else:
        folder = locate(entry.folder, data_dir, download=download, verify=verify, progress=progress)
    info = entry.info
    if key == "goemotions":
        info = dataclasses.replace(info, labels=readers.goemotions_labels(folder))
    tables = entry.read(folder)
    check_row_counts(key, folder, tables)
    return Dataset(info=info, tables=tables, path=folder)
