"""The behaviour tasks of train_all.py on the simulated world: records, TensorBoard curves, the erratum's effect."""

import importlib.util
import json

import pytest

from conftest import REPOSITORY
from emotion_tf.tasks import TASKS
from emotion_tf.training.tensorboard import read_scalars, read_tags

spec = importlib.util.spec_from_file_location("train_all", REPOSITORY / "scripts" / "train_all.py")
train_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_all)


def test_quick_behavior_tasks(tmp_path):
    assert {"behavior-gcn", "behavior-sequence"} <= set(TASKS)
    results = tmp_path / "r.json"
    code = train_all.main(["--only", "behavior-gcn,behavior-sequence,behavior-typed", "--logdir", str(tmp_path / "logs"),
                           "--results", str(results)])
    assert code == 0
    records = json.loads(results.read_text())
    test = {(r["task"], r["model"]): r["metrics"] for r in records if r["split"] == "test"}
    assert set(test) == {("behavior-gcn", m) for m in ("pop", "ease", "gcn", "gcn-article", "lightgcn", "mf-bpr")} | {
        ("behavior-sequence", "pop"), ("behavior-sequence", "gru"), ("behavior-typed", "pop"),
        ("behavior-typed", "gcn-purchases-only"), ("behavior-typed", "gcn-typed-events")}
    gcn = test[("behavior-gcn", "gcn")]["recall@20"]
    # tastes drive the simulated choices: the normalized GCN learns them, the article's literal A D H barely
    assert gcn > test[("behavior-gcn", "pop")]["recall@20"] + 0.1
    assert gcn > test[("behavior-gcn", "gcn-article")]["recall@20"] + 0.1
    assert test[("behavior-sequence", "gru")]["hit_rate@10"] > test[("behavior-sequence", "pop")]["hit_rate@10"]
    assert test[("behavior-typed", "gcn-typed-events")]["recall@20"] > test[("behavior-typed", "pop")]["recall@20"] + 0.1
    curves = read_scalars(tmp_path / "logs" / "behavior-gcn" / "synthetic" / "gcn")
    record = next(r for r in records if r["model"] == "gcn" and r["split"] == "test")
    assert len(curves["validation_curve/recall@20"]) == record["config"]["epochs_run"] == len(curves["train/loss"])
    assert curves["test/recall@20"][0][1] == pytest.approx(gcn, rel=1e-6)
    assert {"embeddings/users", "embeddings/items"} <= read_tags(tmp_path / "logs" / "behavior-gcn")["histograms"]
