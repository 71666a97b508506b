"""The recommend task of train_all.py on the simulated world: records, export, serving numbers."""

import importlib.util
import json

import numpy as np

from conftest import REPOSITORY
from emotion_tf.recommend.export import load
from emotion_tf.training.tensorboard import read_scalars

spec = importlib.util.spec_from_file_location("train_all", REPOSITORY / "scripts" / "train_all.py")
train_all = importlib.util.module_from_spec(spec)
spec.loader.exec_module(train_all)


def test_quick_recommend_task(tmp_path):
    results = tmp_path / "r.json"
    assert train_all.main(["--only", "recommend", "--logdir", str(tmp_path / "logs"), "--results", str(results)]) == 0
    records = json.loads(results.read_text())
    test = {r["model"]: r for r in records if r["split"] == "test"}
    assert set(test) == {"pop", "ease", "softmax-cf", "tfrs-retrieval", "softmax-cf-serving"}
    assert test["softmax-cf"]["metrics"]["recall@20"] > test["pop"]["metrics"]["recall@20"] + 0.1
    assert test["tfrs-retrieval"]["metrics"]["recall@20"] > test["pop"]["metrics"]["recall@20"]
    speed = test["softmax-cf-serving"]["metrics"]
    assert 0 < speed["latency_p50_ms"] <= speed["latency_p95_ms"]
    assert speed["batch_users_per_second"] > 0 and speed["numpy_batch_users_per_second"] > 0
    served, items = load(test["softmax-cf-serving"]["config"]["export"])
    answer = served.for_user(np.int64(0), np.int32(5))
    assert len(set(answer["item_ids"].numpy())) == 5 and not bool(answer["fallback"])
    # Keras writes val_* logs under validation/ as epoch_*: one point per epoch run
    curves = read_scalars(tmp_path / "logs" / "recommend" / "synthetic" / "softmax-cf" / "validation")
    assert len(curves["epoch_recall@20"]) == test["softmax-cf"]["config"]["epochs_run"]
    assert "hparams/test_recall@20" in read_scalars(tmp_path / "logs" / "recommend" / "synthetic" / "softmax-cf")
