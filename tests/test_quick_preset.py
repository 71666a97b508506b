"""The quick preset end to end: every registered task writes results records and TensorBoard event files
whose scalar tags hold its test (or online) metrics."""

import json

import pytest

from emotion_tf.tasks import TASKS
from emotion_tf.training.tensorboard import read_tags
from test_train_all import train_all


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    folder = tmp_path_factory.mktemp("quick")
    assert train_all.main(["--logdir", str(folder), "--results", str(folder / "results.json")]) == 0
    return folder, json.loads((folder / "results.json").read_text())


def test_every_task_writes_records(quick_run):
    _, records = quick_run
    assert {r["task"] for r in records} == set(TASKS)
    for record in records:
        assert record["metrics"] and record["hardware"] and record["split"] in ("validation", "test", "online")


def test_every_record_has_its_scalars_in_tensorboard(quick_run):
    folder, records = quick_run
    for record in records:
        logdir = record["logdir"]
        assert logdir.startswith(str(folder)), record
        scalars = read_tags(logdir)["scalars"]
        metric = next(m for m, v in record["metrics"].items() if isinstance(v, float))
        assert any(tag.endswith(f"{record['split']}/{metric}") for tag in scalars), (record["task"], record["model"],
                                                                                       metric, sorted(scalars)[:5])


def test_runs_compare_in_the_hparams_view(quick_run):
    folder, _ = quick_run
    hparams_runs = {path.parent for path in folder.rglob("events.out.tfevents.*")
                    if "hparams" in read_tags(path.parent)}
    tasks_with_hparams = {path.relative_to(folder).parts[0] for path in hparams_runs}
    assert {"sentiment", "behavior-gcn", "recommend", "emotion-rec"} <= tasks_with_hparams
