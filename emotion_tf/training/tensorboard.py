"""TensorBoard output shared by every task.

Layout under a run's log folder (``tensorboard_logs/<run>``)::

    <task>/<dataset>/<model>/            scalars of the final metrics, e.g. test/recall@20
    <task>/<dataset>/<model>/train, .../validation   Keras training curves, where a model trains

Open it with ``tensorboard --logdir tensorboard_logs``.
"""

from __future__ import annotations

from pathlib import Path

import tensorflow as tf


def run_folder(logdir, task: str, dataset: str, model: str) -> Path:
    return Path(logdir) / task / dataset / model


def write_metrics(folder, split: str, metrics: dict, step: int = 0) -> None:
    """Write each scalar metric as ``<split>/<name>`` at ``step``."""
    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        for name, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                tf.summary.scalar(f"{split}/{name}", float(value), step=step)
    writer.flush()
    writer.close()


def keras_callback(folder) -> tf.keras.callbacks.TensorBoard:
    """Per-epoch loss and metric curves for a Keras fit, without graph or profiler overhead."""
    return tf.keras.callbacks.TensorBoard(log_dir=str(folder), write_graph=False, profile_batch=0)


def read_scalars(folder) -> dict[str, list[tuple[int, float]]]:
    """Every scalar under ``folder`` (recursively): tag -> [(step, value), ...].

    For tests and reports; TensorBoard itself reads the same files.
    """
    scalars: dict[str, list[tuple[int, float]]] = {}
    for step, value, plugin in _summary_values(folder):
        if plugin == "scalars" or value.HasField("simple_value"):
            number = float(value.simple_value) if value.HasField("simple_value") else float(
                tf.make_ndarray(value.tensor))
            scalars.setdefault(value.tag, []).append((step, number))
    return scalars


def read_tags(folder) -> dict[str, set[str]]:
    """Every summary tag under ``folder`` by plugin: {"scalars": {...}, "images": {...}, "hparams": {...}, ...}."""
    tags: dict[str, set[str]] = {}
    for _, value, plugin in _summary_values(folder):
        tags.setdefault(plugin or "scalars", set()).add(value.tag)
    return tags


def _summary_values(folder):
    for path in sorted(Path(folder).rglob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                yield int(event.step), value, value.metadata.plugin_data.plugin_name
