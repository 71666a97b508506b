"""TensorBoard output shared by every task.

Layout under a run's log folder (``tensorboard_logs/<run>``)::

    <task>/<dataset>/<model>/            scalars of the final metrics, e.g. test/recall@20
    <task>/<dataset>/<model>/train, .../validation   Keras training curves, where a model trains

Open it with ``tensorboard --logdir tensorboard_logs``.
"""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import tensorflow as tf


def run_folder(logdir, task: str, dataset: str, model: str) -> Path:
    return Path(logdir) / task / dataset / model


def relative_logdir(folder: str, root: Path) -> str:
    """``folder`` relative to ``root`` (a run's TensorBoard folder) when it lies inside it, else as given: a
    results file then names no machine path, and its folders are found under wherever the run was copied."""
    try:
        return Path(folder).resolve().relative_to(Path(root).resolve()).as_posix()
    except ValueError:
        return folder


def metrics_markdown(metrics: dict) -> str:
    """A two-column Markdown table of the scalar metrics, four decimals (what the Text tab shows)."""
    rows = [
        f"| {name} | {value:.4f} |" if isinstance(value, float) else f"| {name} | {value} |"
        for name, value in metrics.items()
        if isinstance(value, (int, float)) and not isinstance(value, bool)
    ]
    return "\n".join(["| metric | value |", "|---|---|", *rows])


def write_metrics(folder, split: str, metrics: dict, step: int = 0, table: bool = True) -> None:
    """Write each scalar metric as ``<split>/<name>`` at ``step``, and all of them as one Markdown table
    (text summary ``<split>/metrics``, unless ``table`` is False): a final metric is a single point, which the
    Scalars tab draws as an empty chart, while the Text tab shows the table at once."""
    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        for name, value in metrics.items():
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                tf.summary.scalar(f"{split}/{name}", float(value), step=step)
        if table:  # not for one point of a curve
            tf.summary.text(f"{split}/metrics", metrics_markdown(metrics), step=step)
    writer.flush()
    writer.close()


def trial_name(task: str, model: str, dataset: str, seed: int) -> str:
    """The readable name of an HParams trial (TensorBoard's default is a hash)."""
    return f"{task}/{model}/{dataset}/seed{seed}"


def write_hparams(folder, hparams: dict, metrics: dict, trial_id: str | None = None) -> None:
    """One HParams entry for a run folder: its hyper-parameters and headline metrics (``hparams/<name>``),
    so runs compare in TensorBoard's HParams view. Non-scalar values are written as strings; ``trial_id``
    names the trial (``trial_name``)."""
    from tensorboard.plugins.hparams import api as hp  # tensorboard is a pinned requirement

    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        hp.hparams(
            {k: (v if isinstance(v, (bool, int, float, str)) else str(v)) for k, v in hparams.items()},
            trial_id=trial_id,
        )
        for name, value in metrics.items():
            tf.summary.scalar(f"hparams/{name}", float(value), step=0)
    writer.flush()
    writer.close()


# the columns every trial has (split_records writes them), first in every experiment
TRIAL_COLUMNS = ("task", "dataset", "model", "seed")
EXPERIMENT_SUFFIX = ".hparams-experiment"  # the event file of an experiment, replaced when it is rewritten


def write_experiment(folder) -> dict:
    """The HParams experiment of the trials under ``folder``: the columns TensorBoard's HParams tab shows when
    it is opened on ``folder`` (without one, it shows the union of every trial's hyper-parameters and of every
    scalar tag under the folder).

    ``folder`` is a task's folder (``<run>/<task>``). The hyper-parameter columns are ``TRIAL_COLUMNS`` and every
    other setting whose value is not the same in all trials (one that never changes compares nothing; each trial
    still records it). Metric columns are the headline metrics the trials wrote (``hparams/<split>_<metric>``),
    and no others.
    TensorBoard serves one experiment per logdir and, when several lie under it, an arbitrary one of them: a
    task's experiment is the one shown by ``tensorboard --logdir <run>/<task>`` (docs/tensorboard.md).
    Returns {"hparams": [...], "metrics": [...]}.
    """
    from tensorboard.plugins.hparams import api as hp

    folder = Path(folder)
    trials = list(read_hparams(folder).values())
    if not trials:
        return {"hparams": [], "metrics": []}
    names = sorted({name for trial in trials for name in trial["hparams"]})
    varying = [n for n in names if len({repr(t["hparams"].get(n)) for t in trials}) > 1]
    hparams = [*TRIAL_COLUMNS, *(n for n in varying if n not in TRIAL_COLUMNS)]
    metrics = sorted({name for trial in trials for name in trial["metrics"]})
    columns = []
    for name in hparams:
        values = {trial["hparams"][name] for trial in trials if name in trial["hparams"]}
        kinds = {type(value) for value in values}
        # a domain lets the tab filter by value; values of mixed types (a number here, a name there) get none
        domain = hp.Discrete(sorted(values)) if values and len(kinds) == 1 else None
        columns.append(hp.HParam(name, domain))
    for old in folder.glob(f"events.out.tfevents.*{EXPERIMENT_SUFFIX}"):
        old.unlink()  # TensorBoard keeps the first experiment it reads in a folder: keep only the newest
    summary = hp.hparams_config_pb(
        hparams=columns, metrics=[hp.Metric(f"hparams/{name}", display_name=name) for name in metrics]
    )
    _show_first(summary, TRIAL_COLUMNS)
    writer = tf.summary.create_file_writer(str(folder), filename_suffix=EXPERIMENT_SUFFIX)
    with writer.as_default():
        tf.summary.experimental.write_raw_pb(summary.SerializeToString(), step=0)
    writer.flush()
    writer.close()
    return {"hparams": list(hparams), "metrics": metrics}


def _show_first(summary, names) -> None:
    """Mark the columns ``names`` as the ones that differ between trials in an experiment summary (in place).

    The HParams tab orders columns by that mark, then by name, and shows only the first few until the reader
    ticks more: marked, task, dataset, model and seed come first, instead of whichever settings sort first.
    """
    from tensorboard.plugins.hparams import plugin_data_pb2

    value = summary.value[0]
    data = plugin_data_pb2.HParamsPluginData.FromString(value.metadata.plugin_data.content)
    for info in data.experiment.hparam_infos:
        info.differs = info.name in names
    value.metadata.plugin_data.content = data.SerializeToString()


def figure_to_image(figure: plt.Figure) -> tf.Tensor:
    """[1, H, W, 4] uint8 tensor of the figure, for tf.summary.image; closes the figure."""
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=100)
    plt.close(figure)
    return tf.image.decode_png(buffer.getvalue(), channels=4)[tf.newaxis]


def write_figure(folder, tag: str, figure) -> Path:
    """Save a matplotlib figure as ``<folder>/<tag's last part>.png`` and as the image ``tag`` in TensorBoard."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tag.rsplit('/', 1)[-1]}.png"
    figure.savefig(path, dpi=100)
    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        tf.summary.image(tag, figure_to_image(figure), step=0)
    writer.flush()
    writer.close()
    return path


EPOCH_GROUP = "epoch"


class EpochTensorBoard(tf.keras.callbacks.TensorBoard):
    """Keras's TensorBoard callback with its per-epoch curves named ``epoch/<metric>`` (``epoch/loss``,
    ``epoch/recall@20``, ``epoch/learning_rate``) instead of Keras's ``epoch_<metric>``, and its validation
    values against optimizer steps named ``evaluation/<metric>_vs_iterations``.

    TensorBoard's Time Series tab groups charts by the tag's first path part: with the slash, the training
    curves sit together under "epoch", beside the final ``test/…`` and ``validation/…`` metrics of
    ``write_metrics``, where ``epoch_loss``, ``epoch_accuracy``, … each opened a group of one chart. As in
    Keras, metrics without ``val_`` go to ``<folder>/train`` and ``val_`` ones to ``<folder>/validation``,
    so a train and a validation curve of one metric share a chart.
    """

    def on_test_end(self, logs=None):  # Keras's hook after each validation pass; as Keras, but grouped
        if self.model.optimizer and hasattr(self.model.optimizer, "iterations"):
            with tf.summary.record_if(True), self._val_writer.as_default():
                for name, value in (logs or {}).items():
                    tf.summary.scalar(
                        f"evaluation/{name}_vs_iterations", value, step=self.model.optimizer.iterations.read_value()
                    )
        self._pop_writer()

    def _log_epoch_metrics(self, epoch, logs):  # Keras's hook, called once per epoch by ``on_epoch_end``
        if not logs:
            return
        train = {name: value for name, value in logs.items() if not name.startswith("val_")}
        validation = {name[len("val_") :]: value for name, value in logs.items() if name.startswith("val_")}
        train = self._collect_learning_rate(train)
        if self.write_steps_per_second:
            train["steps_per_second"] = self._compute_steps_per_second()
        with tf.summary.record_if(True):
            for writer, values in ((self._train_writer, train), (self._val_writer, validation)):
                if values:
                    with writer.as_default():
                        for name, value in values.items():
                            tf.summary.scalar(f"{EPOCH_GROUP}/{name}", value, step=epoch)


def keras_callback(folder, histogram_freq: int = 0) -> EpochTensorBoard:
    """The TensorBoard callback of every Keras fit in the project: per-epoch curves ``epoch/<metric>`` in
    ``<folder>/train`` and ``<folder>/validation`` (and weight histograms every ``histogram_freq`` epochs),
    without graph or profiler overhead."""
    return EpochTensorBoard(log_dir=str(folder), histogram_freq=histogram_freq, write_graph=False, profile_batch=0)


def write_projector(folder, embeddings: dict) -> Path:
    """Embeddings for TensorBoard's projector tab, with a metadata table per embedding.

    Args:
      folder: a run folder (TensorBoard lists the projector under it).
      embeddings: {name: (matrix [n, d], metadata)}; metadata is a DataFrame (columns become the
        projector's labels, e.g. title and genres) or a sequence of n labels.
    """
    from tensorboard.plugins import projector  # tensorboard is a pinned requirement

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    config = projector.ProjectorConfig()
    variables = {}
    for name, (matrix, metadata) in embeddings.items():
        matrix = np.asarray(matrix, dtype=np.float32)
        table = metadata if isinstance(metadata, pd.DataFrame) else pd.DataFrame({"label": list(metadata)})
        if len(table) != len(matrix):
            raise ValueError(f"embedding {name!r}: {len(matrix)} rows but {len(table)} metadata rows")
        clean = table.astype(str).apply(lambda column: column.str.replace(r"[\t\n\r]", " ", regex=True))
        metadata_file = f"{name}_metadata.tsv"
        # the projector reads a header only when there are two or more columns
        clean.to_csv(folder / metadata_file, sep="\t", index=False, header=len(clean.columns) > 1)
        variables[name] = tf.Variable(matrix, name=name)
        entry = config.embeddings.add()
        entry.tensor_name = f"{name}/.ATTRIBUTES/VARIABLE_VALUE"
        entry.metadata_path = metadata_file
    tf.train.Checkpoint(**variables).save(str(folder / "embeddings.ckpt"))
    projector.visualize_embeddings(str(folder), config)
    # TensorBoard lists a folder (and so its projector) only when the folder holds an event file: a text
    # summary of what the projector shows is that file
    described = "\n".join(
        f"- `{name}`: {len(matrix)} points of dimension {np.shape(matrix)[1]}, labelled by "
        + ", ".join(metadata.columns if isinstance(metadata, pd.DataFrame) else ["label"])
        for name, (matrix, metadata) in embeddings.items()
    )
    writer = tf.summary.create_file_writer(str(folder))
    with writer.as_default():
        tf.summary.text("projector/embeddings", described, step=0)
    writer.flush()
    writer.close()
    return folder


def read_scalars(folder) -> dict[str, list[tuple[int, float]]]:
    """Every scalar under ``folder`` (recursively): tag -> [(step, value), ...].

    For tests and reports; TensorBoard itself reads the same files.
    """
    scalars: dict[str, list[tuple[int, float]]] = {}
    for step, value, plugin in _summary_values(folder):
        if plugin == "scalars" or value.HasField("simple_value"):
            number = (
                float(value.simple_value) if value.HasField("simple_value") else float(tf.make_ndarray(value.tensor))
            )
            scalars.setdefault(value.tag, []).append((step, number))
    return scalars


def read_texts(folder) -> dict[str, str]:
    """Every text summary directly in ``folder`` (not its subfolders): tag -> the last string written."""
    texts = {}
    for path in sorted(Path(folder).glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.metadata.plugin_data.plugin_name == "text":
                    texts[value.tag] = tf.make_ndarray(value.tensor).item().decode("utf-8")
    return texts


def read_hparams(folder) -> dict[str, dict]:
    """Every HParams trial under ``folder``: run folder (relative) -> {"trial": name, "hparams": {...},
    "metrics": {name: value}} -- what TensorBoard's HParams view reads."""
    from tensorboard.plugins.hparams import metadata

    trials = {}
    for path in sorted(Path(folder).rglob("events.out.tfevents.*")):
        run = path.parent.relative_to(folder).as_posix()
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.tag == metadata.SESSION_START_INFO_TAG:
                    start = metadata.parse_session_start_info_plugin_data(value.metadata.plugin_data.content)
                    hparams = {k: getattr(v, v.WhichOneof("kind")) for k, v in start.hparams.items()}
                    trials.setdefault(run, {"metrics": {}}).update(trial=start.group_name, hparams=hparams)
                elif value.tag.startswith("hparams/"):
                    number = float(tf.make_ndarray(value.tensor)) if value.HasField("tensor") else value.simple_value
                    trials.setdefault(run, {"metrics": {}})["metrics"][value.tag[len("hparams/") :]] = number
    return {run: trial for run, trial in trials.items() if "trial" in trial}


def read_experiment(folder) -> dict | None:
    """The HParams experiment written in ``folder`` itself (``write_experiment``): {"hparams": [...],
    "metrics": [...]}, or None."""
    from tensorboard.plugins.hparams import metadata

    found = None
    for path in sorted(Path(folder).glob("events.out.tfevents.*")):
        for event in tf.compat.v1.train.summary_iterator(str(path)):
            for value in event.summary.value:
                if value.tag == metadata.EXPERIMENT_TAG:
                    experiment = metadata.parse_experiment_plugin_data(value.metadata.plugin_data.content)
                    found = {
                        "hparams": [info.name for info in experiment.hparam_infos],
                        "metrics": [info.name.tag.removeprefix("hparams/") for info in experiment.metric_infos],
                    }
    return found


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
