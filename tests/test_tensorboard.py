"""TensorBoard output read back through TensorBoard's own readers: the HParams tab shows one experiment per
task, with only the columns its trials hold; the projector is listed from the run's root."""

import pytest

from emotion_tf.training.tensorboard import (
    TRIAL_COLUMNS,
    read_experiment,
    read_hparams,
    trial_name,
    write_experiment,
    write_hparams,
)


def tensorboard_context(logdir):
    """What TensorBoard's plugins read for ``tensorboard --logdir logdir`` (its own event reader)."""
    from tensorboard.backend.event_processing import data_provider, plugin_event_multiplexer
    from tensorboard.plugins import base_plugin

    multiplexer = plugin_event_multiplexer.EventMultiplexer()
    multiplexer.AddRunsFromDirectory(str(logdir))
    multiplexer.Reload()
    provider = data_provider.MultiplexerDataProvider(multiplexer, str(logdir))
    return base_plugin.TBContext(logdir=str(logdir), data_provider=provider)


def tensorboard_experiment(logdir) -> dict:
    """The experiment TensorBoard's HParams plugin serves for ``tensorboard --logdir logdir``."""
    from tensorboard import context
    from tensorboard.plugins.hparams import backend_context

    backend = backend_context.Context(tensorboard_context(logdir))
    ctx = context.RequestContext()
    experiment = backend.experiment_from_metadata(ctx, "", True, backend.hparams_metadata(ctx, ""), None)
    return {
        "hparams": [info.name for info in experiment.hparam_infos],
        "metrics": [info.name.tag.removeprefix("hparams/") for info in experiment.metric_infos],
    }


def trial(folder, task, model, metrics, **settings):
    hparams = {"task": task, "model": model, "dataset": "d", "seed": 0, **settings}
    write_hparams(folder / task / "d" / model, hparams, metrics, trial_id=trial_name(task, model, "d", 0))


@pytest.fixture
def two_tasks(tmp_path):
    trial(tmp_path, "ranking", "ease", {"test_recall@20": 0.40}, lam=316.0, dim=8)
    trial(tmp_path, "ranking", "gcn", {"test_recall@20": 0.37, "test_ndcg@20": 0.32}, lam=0.0, dim=8)
    trial(tmp_path, "sentiment", "lstm", {"test_accuracy": 0.9}, learning_rate=2e-3)
    for task in ("ranking", "sentiment"):
        write_experiment(tmp_path / task)
    return tmp_path


def test_each_task_has_an_experiment_with_only_its_columns(two_tasks):
    # a task's columns: the trial columns and the settings that differ (dim is 8 in both, so it is left out)
    assert read_experiment(two_tasks / "ranking") == {
        "hparams": [*TRIAL_COLUMNS, "lam"],
        "metrics": ["test_ndcg@20", "test_recall@20"],
    }
    assert read_experiment(two_tasks / "sentiment")["metrics"] == ["test_accuracy"]
    # ... and TensorBoard serves it when opened on the task (the tab orders the columns by name)
    for task, hparams, metrics in [
        ("ranking", [*TRIAL_COLUMNS, "lam"], ["test_ndcg@20", "test_recall@20"]),
        ("sentiment", TRIAL_COLUMNS, ["test_accuracy"]),
    ]:
        served = tensorboard_experiment(two_tasks / task)
        assert sorted(served["hparams"]) == sorted(hparams) and sorted(served["metrics"]) == metrics


def test_rewriting_an_experiment_replaces_it_and_trials_keep_their_values(two_tasks):
    trial(two_tasks, "sentiment", "bilstm", {"test_accuracy": 0.93, "test_macro_f1": 0.92}, learning_rate=2e-3)
    write_experiment(two_tasks / "sentiment")
    assert len(list((two_tasks / "sentiment").glob("events.out.tfevents.*"))) == 1
    assert read_experiment(two_tasks / "sentiment")["metrics"] == ["test_accuracy", "test_macro_f1"]
    trials = read_hparams(two_tasks)
    assert set(trials) == {"ranking/d/ease", "ranking/d/gcn", "sentiment/d/lstm", "sentiment/d/bilstm"}
    assert trials["ranking/d/ease"]["hparams"]["lam"] == 316.0
    assert trials["sentiment/d/bilstm"]["metrics"]["test_macro_f1"] == pytest.approx(0.92)


def test_the_projector_is_listed_from_the_run_root_with_its_labels(tmp_path):
    """TensorBoard's projector plugin, given the run's root, finds the embeddings and serves their points and
    metadata (it lists only folders that hold an event file, which write_projector writes)."""
    import json

    import numpy as np
    import pandas as pd
    from tensorboard.plugins.projector import projector_plugin
    from werkzeug.test import Client

    from emotion_tf.training.tensorboard import write_projector

    items = np.arange(12, dtype=np.float32).reshape(4, 3)
    labels = pd.DataFrame({"item_id": [10, 11, 12, 13], "category": ["fruit", "toys", "fruit\tjam", "books"]})
    write_projector(tmp_path / "recommend" / "d" / "softmax-cf" / "projector", {"items": (items, labels)})

    plugin = projector_plugin.ProjectorPlugin(tensorboard_context(tmp_path))
    apps = plugin.get_plugin_apps()

    def get(route, **query) -> bytes:
        response = Client(apps[route]).get(route, query_string=query)
        assert response.status_code == 200, (route, response.get_data(as_text=True))
        return response.get_data()

    run = "recommend/d/softmax-cf/projector"
    assert json.loads(get("/runs")) == [run]  # found from the root
    config = json.loads(get("/info", run=run))
    (embedding,) = config["embeddings"]
    # the points, as the float32 bytes the plugin sends the browser, and the labels (tabs cleaned out)
    tensor = get("/tensor", run=run, name=embedding["tensorName"], num_rows="100")
    np.testing.assert_array_equal(np.frombuffer(tensor, dtype=np.float32).reshape(4, 3), items)
    metadata = get("/metadata", run=run, name=embedding["tensorName"]).decode("utf-8").strip().splitlines()
    assert metadata == ["item_id\tcategory", "10\tfruit", "11\ttoys", "12\tfruit jam", "13\tbooks"]


def test_the_tab_shows_task_dataset_model_and_seed_first(two_tasks):
    """TensorBoard orders the columns by its 'differs' mark, then by name, and shows the first few: the trial
    columns are marked, so 'model' is not hidden behind settings such as 'dim' or 'lam'."""
    from tensorboard.backend.event_processing import event_accumulator
    from tensorboard.plugins.hparams import backend_context, metadata, plugin_data_pb2

    path = next((two_tasks / "ranking").glob("events.out.tfevents.*"))
    accumulator = event_accumulator.EventAccumulator(str(path))
    accumulator.Reload()
    content = accumulator.PluginTagToContent(metadata.PLUGIN_NAME)[metadata.EXPERIMENT_TAG]
    experiment = plugin_data_pb2.HParamsPluginData.FromString(content).experiment
    backend_context._sort_and_reduce_to_hparams_limit(experiment)  # what the tab receives, in its order
    assert [info.name for info in experiment.hparam_infos] == sorted(TRIAL_COLUMNS) + ["lam"]


def test_training_curves_are_grouped_under_epoch_with_keras_values(tmp_path):
    """Every fit's curves are ``epoch/<metric>`` (one Time Series group), train and validation as two runs of
    one chart, each point equal to what Keras's History holds for that epoch."""
    import numpy as np
    import tensorflow as tf
    from tensorboard import context
    from tensorboard.data.provider import RunTagFilter

    from emotion_tf.training.tensorboard import keras_callback

    rng = np.random.default_rng(0)
    x = rng.normal(size=(64, 3)).astype("float32")
    y = (x @ np.array([1.0, -2.0, 0.5], dtype="float32"))[:, None]
    tf.keras.utils.set_random_seed(0)
    model = tf.keras.Sequential([tf.keras.layers.Dense(1, name="regression")])
    model.compile(optimizer=tf.keras.optimizers.SGD(0.1), loss="mse", metrics=["mae"])
    history = model.fit(
        x[:48], y[:48], validation_data=(x[48:], y[48:]), epochs=3, verbose=0, callbacks=[keras_callback(tmp_path)]
    )

    provider = tensorboard_context(tmp_path).data_provider
    tags = provider.list_scalars(context.RequestContext(), experiment_id="", plugin_name="scalars")
    assert set(tags) == {"train", "validation"}
    assert set(tags["validation"]) == {
        "epoch/loss",
        "epoch/mae",
        "evaluation/loss_vs_iterations",
        "evaluation/mae_vs_iterations",
    }
    assert set(tags["train"]) == {"epoch/loss", "epoch/mae"}
    assert all("/" in tag for run in tags.values() for tag in run)  # no ungrouped Keras name (epoch_loss, ...)
    points = provider.read_scalars(
        context.RequestContext(),
        experiment_id="",
        plugin_name="scalars",
        downsample=100,
        run_tag_filter=RunTagFilter(tags=["epoch/loss"]),
    )
    for run, key in (("train", "loss"), ("validation", "val_loss")):
        logged = [point.value for point in sorted(points[run]["epoch/loss"], key=lambda p: p.step)]
        assert logged == pytest.approx(history.history[key], rel=1e-6)
