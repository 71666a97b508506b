"""Export a trained softmax CF model as a top-K SavedModel (``serving.TopKRecommender``) with item titles.

Folder layout::

    MODEL_DIR/saved_model/   the SavedModel: for_user, for_users, for_items
    MODEL_DIR/items.tsv      item_id, title (and any other metadata columns) for printing
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import tensorflow as tf

from emotion_tf.data.splits import InteractionSplits
from emotion_tf.recommend.serving import TopKRecommender
from emotion_tf.recommend.softmax_cf import SoftmaxCF
from emotion_tf.recommend.softmax_cf_training import history_rows
from emotion_tf.training.artifacts import check_artifact, write_artifact

SAVED_MODEL, ITEMS_FILE = "saved_model", "items.tsv"
ARTIFACT_KIND = "top-k-recommender"  # what an export's manifest says it is


def softmax_cf_recommender(model: SoftmaxCF, splits: InteractionSplits, history=("train", "validation")):
    """The serving module of a softmax CF model: score(i, j) = [h_i, 1] · [W_j, b_j] = (Wᵀ h_i + b)_j."""
    rows = history_rows(splits, *history)
    kernel, bias = model.output_layer.get_weights()  # W [d, n_items], b [n_items]
    item_vectors = np.concatenate([kernel.T, bias[:, None]], axis=1)

    @tf.function(input_signature=[tf.TensorSpec([None, splits.n_items], tf.float32)])
    def encode(history):
        h = model.user_representation({"history": history}, training=False)
        return tf.concat([h, tf.ones([tf.shape(h)[0], 1])], axis=1)

    user_queries = encode(tf.constant(rows)).numpy()
    popularity = rows.sum(axis=0)
    module = TopKRecommender(splits.user_ids, splits.item_ids, user_queries, item_vectors, rows > 0, popularity, encode)
    module.model = model  # keep the encoder's variables tracked in the SavedModel
    return module


def export(module: TopKRecommender, folder, items: pd.DataFrame | None = None) -> Path:
    """Write the SavedModel and items.tsv; the folder appears whole or not at all."""

    def write(staging: Path) -> None:
        tf.saved_model.save(
            module,
            str(staging / SAVED_MODEL),
            signatures={"for_user": module.for_user, "for_items": module.for_items, "for_users": module.for_users},
        )
        ids = module.item_ids.numpy()
        table = (
            pd.DataFrame({"item_id": ids}) if items is None else (items.set_index("item_id").reindex(ids).reset_index())
        )
        table.to_csv(staging / ITEMS_FILE, sep="\t", index=False)

    return write_artifact(folder, ARTIFACT_KIND, write)


def read_items(path: Path, n_items: int | None = None) -> pd.DataFrame:
    """items.tsv as written by ``export``: an ``item_id`` column of distinct integers (one row per item of the
    model), maybe a ``title``; ValueError naming the file and line of the first bad row."""
    try:
        table = pd.read_csv(path, sep="\t", dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as error:
        raise ValueError(f"{path} is not a tab-separated items table: {error}") from None
    if "item_id" not in table.columns:
        raise ValueError(f"{path}: no item_id column (columns: {', '.join(table.columns) or 'none'})")
    ids = pd.to_numeric(table["item_id"], errors="coerce")
    bad = ids.isna() | (ids != ids.round())
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}, line {row + 2}: item_id {table['item_id'].iloc[row]!r} is not an integer")
    repeated = ids.duplicated()
    if repeated.any():
        row = int(repeated.to_numpy().nonzero()[0][0])
        raise ValueError(f"{path}, line {row + 2}: item_id {int(ids.iloc[row])} appears twice")
    if n_items is not None and len(table) != n_items:
        raise ValueError(f"{path} lists {len(table)} items, but the model ranks {n_items}")
    return table.assign(item_id=ids.astype(np.int64))


def load(folder):
    """(the loaded module, the items table); FileNotFoundError naming the folder if it is not an export,
    ValueError naming the file and line if items.tsv is malformed."""
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no exported recommender in {folder} (expected {SAVED_MODEL}/ and {ITEMS_FILE})")
    check_artifact(folder, ARTIFACT_KIND, editable=(ITEMS_FILE,))  # complete; the model unchanged since export
    items = read_items(folder / ITEMS_FILE)  # checked before the (slower) SavedModel is read
    return tf.saved_model.load(str(folder / SAVED_MODEL)), items
