"""tf.distribute for real: mirrored over two logical CPU devices and a two-worker cluster on 127.0.0.1 give
the same fits (softmax CF, the GCN and MF-BPR graph recommenders) as one device with the same global batch,
and a multi-label head's macro F1 metric sums its counts across replicas; mixed precision and XLA run on the CPU."""

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest
import tensorflow as tf
from conftest import REPOSITORY

from emotion_tf.training import distribution

SCRIPT = str(REPOSITORY / "tests" / "distributed_fit.py")
# replicas and workers wait on each other's collective ops: give them TensorFlow's own inter-op pool size (the
# suite's workers otherwise run one inter-op thread each, tests/conftest.py)
INTER_OP = {"TF_NUM_INTEROP_THREADS": "2"}


def _fit(strategy, cpu_replicas, per_replica, reference_batch=None, env=None, timeout=240):
    arguments = [strategy, cpu_replicas, per_replica, *([reference_batch] if reference_batch else [])]
    process = subprocess.run(
        [sys.executable, SCRIPT, *map(str, arguments)],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **INTER_OP, **(env or {})},
    )
    assert process.returncode == 0, process.stderr[-3000:]
    return json.loads(process.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def mirrored_and_one_device():
    """Mirrored over 2 logical CPU devices with 16 examples per replica, and (first, in the same process) one
    device with the same global batch of 32."""
    outcome = _fit("mirrored", 2, 16, reference_batch=32)
    return outcome["run"], outcome["reference"]


def test_mirrored_on_two_cpu_devices_matches_one_device(mirrored_and_one_device):
    mirrored, one_device = mirrored_and_one_device
    assert one_device["replicas"] == 1 and mirrored["replicas"] == 2
    for model in ("", "gcn_", "mf_"):  # softmax CF, and the graph recommenders
        np.testing.assert_allclose(mirrored[f"{model}loss"], one_device[f"{model}loss"], rtol=1e-3)
        key = f"{model}validation_recall@20"
        assert mirrored[key] == pytest.approx(one_device[key], abs=0.01)
        assert one_device[f"{model}loss"][-1] < one_device[f"{model}loss"][0]
    # a multi-label head's macro F1 metric (sentiment/macro_f1.py) sums its counts across the replicas
    assert mirrored["macro_f1"]["keras"] == pytest.approx(mirrored["macro_f1"]["numpy"], abs=1e-6)
    assert mirrored["macro_f1"]["keras"] == pytest.approx(one_device["macro_f1"]["keras"], abs=1e-6)


def _free_ports(n):
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


def test_two_local_workers_match_one_device(mirrored_and_one_device):
    _, one_device = mirrored_and_one_device
    cluster = {"worker": [f"127.0.0.1:{port}" for port in _free_ports(2)]}
    workers = []
    for index in range(2):
        task = {"type": "worker", "index": index}
        env = {**os.environ, **INTER_OP, "TF_CONFIG": json.dumps({"cluster": cluster, "task": task})}
        workers.append(
            subprocess.Popen(
                [sys.executable, SCRIPT, "multiworker", "0", "16"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        )
    outputs = []
    try:
        for worker in workers:
            stdout, stderr = worker.communicate(timeout=240)  # bounded: a stuck cluster fails the test
            assert worker.returncode == 0, stderr[-3000:]
            outputs.append(json.loads(stdout.strip().splitlines()[-1])["run"])
    finally:
        for worker in workers:
            worker.kill()
    for output in outputs:
        assert output["replicas"] == 2
        for model in ("", "gcn_", "mf_"):
            np.testing.assert_allclose(output[f"{model}loss"], one_device[f"{model}loss"], rtol=1e-3)
            key = f"{model}validation_recall@20"
            assert output[key] == pytest.approx(one_device[key], abs=0.01)


def test_batch_sizes_are_per_replica_and_workers_know_their_role(monkeypatch, tmp_path):
    assert distribution.replicas() == 1 and distribution.global_batch_size(64) == 64
    monkeypatch.delenv("TF_CONFIG", raising=False)
    assert distribution.is_chief() and distribution.writable_folder(tmp_path) == tmp_path
    cluster = {"worker": ["a:1", "b:2"]}
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 1}}))
    assert not distribution.is_chief() and distribution.writable_folder(tmp_path) != tmp_path
    monkeypatch.setenv("TF_CONFIG", json.dumps({"cluster": cluster, "task": {"type": "worker", "index": 0}}))
    assert distribution.is_chief()
    monkeypatch.delenv("TF_CONFIG")
    with pytest.raises(ValueError, match="TF_CONFIG"):
        distribution.make_strategy("multiworker")
    with pytest.raises(ValueError, match="strategy must be one of"):
        distribution.make_strategy("tpu-pod")
    assert distribution.configure_gpus() == tf.config.list_physical_devices("GPU")


def _tiny_fit():
    from emotion_tf import data
    from emotion_tf.recommend.softmax_cf_training import SoftmaxCFSettings, train_softmax_cf

    world = data.load("synthetic", n_users=80, n_items=40, n_categories=4, sessions_per_user=5, seed=6)
    splits = data.split_interactions(world["interactions"], seed=0)
    settings = SoftmaxCFSettings(dim=16, batch_size=32, epochs=3, patience=5, learning_rate=5e-3)
    return train_softmax_cf(splits, settings, seed=0), splits


def test_mixed_precision_trains_with_float16_compute_and_float32_logits():
    try:
        assert distribution.set_mixed_precision(True) == "mixed_float16"
        result, splits = _tiny_fit()
    finally:
        distribution.set_mixed_precision(False)
    model = result.model
    assert model.encoder.compute_dtype == "float16" and model.encoder.kernel.dtype == tf.float32
    logits = model({"history": np.ones((2, splits.n_items), np.float32)})
    assert logits.dtype == tf.float32
    assert result.history["loss"][-1] < result.history["loss"][0]


def test_xla_auto_clustering_trains():
    try:
        distribution.set_jit(True)
        assert tf.config.optimizer.get_jit() == "autoclustering"
        result, _ = _tiny_fit()
    finally:
        distribution.set_jit(False)
    assert tf.config.optimizer.get_jit() == ""
    assert result.history["loss"][-1] < result.history["loss"][0]
