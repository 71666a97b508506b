"""Scaling out with ``tf.distribute``, and the GPU settings: one place every trainer and script uses.

Strategies (``--strategy`` of ``scripts/train_all.py``):

* ``default``: one device (the first GPU if there is one, else the CPU).
* ``mirrored``: ``tf.distribute.MirroredStrategy``, synchronous data parallelism over the GPUs of one
  machine (or over ``cpu_replicas`` logical CPU devices, for trying it without GPUs).
* ``multiworker``: ``tf.distribute.MultiWorkerMirroredStrategy`` over several machines; every worker runs
  the same command with its own ``TF_CONFIG`` (cluster addresses and this worker's index).

``train_all.py`` makes the run's strategy with ``use_strategy``; every trainer that fits a Keras model
builds, compiles and fits it inside ``training_scope()`` (its scope), and Keras ``fit`` splits each global
batch over the replicas (the graph recommenders too: each replica propagates the whole graph for its share).
Everything else (evaluation, serving, export) runs outside it.
Batch sizes in settings are **per replica**: a trainer asks
``global_batch_size(per_replica)`` for the batch it feeds, so each replica's share, and with it the
per-example learning dynamics, stays the same when replicas are added.  Datasets are sharded by
``shard_by_data``: each worker reads every file but keeps every k-th batch of examples (our inputs are
in-memory tables, not files).

GPU settings: ``configure_gpus`` turns on memory growth (TensorFlow otherwise reserves all GPU memory at
start), ``set_mixed_precision`` the ``mixed_float16`` policy (float16 compute, float32 variables; the
models keep their logits in float32), ``set_jit`` XLA auto-clustering.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import tensorflow as tf

from emotion_tf.training.registry import STRATEGIES


def configure_gpus(memory_growth: bool = True) -> list:
    """Memory growth on every visible GPU (before any GPU work); returns the GPUs (empty on CPU-only hosts)."""
    gpus = tf.config.list_physical_devices("GPU")
    for gpu in gpus:
        tf.config.experimental.set_memory_growth(gpu, memory_growth)
    return gpus


def make_strategy(name: str = "default", cpu_replicas: int = 0) -> tf.distribute.Strategy:
    """The strategy called ``name``; must run before TensorFlow has started its runtime.

    Args:
      cpu_replicas: for ``mirrored`` without GPUs, split the CPU into this many logical devices and mirror
        over them (how the tests exercise it); 0 uses the GPUs (or the one CPU if there is none).
    """
    if name not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}, got {name!r}")
    configure_gpus()
    if name == "default":
        return tf.distribute.get_strategy()
    if name == "mirrored":
        if cpu_replicas > 0:
            cpu = tf.config.list_physical_devices("CPU")[0]
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(cpu_replicas)]
            )
            return tf.distribute.MirroredStrategy([f"/cpu:{k}" for k in range(cpu_replicas)])
        return tf.distribute.MirroredStrategy()
    if "TF_CONFIG" not in os.environ:
        raise ValueError(
            "the multiworker strategy reads the cluster from TF_CONFIG, which is not set; see README 'Several machines'"
        )
    return tf.distribute.MultiWorkerMirroredStrategy()


_RUN_STRATEGY: tf.distribute.Strategy | None = None


def use_strategy(strategy: tf.distribute.Strategy) -> tf.distribute.Strategy:
    """Make ``strategy`` the one every trainer builds and fits its model in (returns it)."""
    global _RUN_STRATEGY
    _RUN_STRATEGY = strategy
    return strategy


def run_strategy() -> tf.distribute.Strategy:
    """The run's strategy (``use_strategy``), else whatever strategy is in scope (the default one)."""
    return _RUN_STRATEGY if _RUN_STRATEGY is not None else tf.distribute.get_strategy()


def training_scope():
    """The scope a trainer builds, compiles and fits its model in."""
    return run_strategy().scope()


def replicas() -> int:
    """Replicas of the run's strategy (1 by default)."""
    return run_strategy().num_replicas_in_sync


def global_batch_size(per_replica: int) -> int:
    """The batch to feed Keras ``fit``: ``per_replica`` examples for each replica in sync."""
    return int(per_replica) * replicas()


def summed_squared_error() -> tf.keras.losses.Loss:
    """Squared error summed over a replica's examples: the reduction ``tf.distribute`` accepts in a model's
    own ``compute_loss`` (the model divides by the global batch, so gradients summed over replicas give the
    global batch mean)."""
    return tf.keras.losses.MeanSquaredError(reduction=tf.keras.losses.Reduction.SUM)


def shard_by_data(dataset: tf.data.Dataset) -> tf.data.Dataset:
    """Shard across workers by examples (in-memory data has no files to split)."""
    options = tf.data.Options()
    options.experimental_distribute.auto_shard_policy = tf.data.experimental.AutoShardPolicy.DATA
    return dataset.with_options(options)


def worker() -> tuple[str, int]:
    """(task type, index) of this process in ``TF_CONFIG``; ("chief", 0) when not in a cluster."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
    task = config.get("task", {})
    return task.get("type", "chief"), int(task.get("index", 0))


def is_chief() -> bool:
    """Whether this process writes results and logs: the chief, or worker 0 of a cluster without one."""
    config = json.loads(os.environ.get("TF_CONFIG", "{}") or "{}")
    kind, index = worker()
    has_chief = "chief" in config.get("cluster", {})
    return kind == "chief" or (not has_chief and kind == "worker" and index == 0)


def writable_folder(folder) -> Path:
    """``folder`` on the chief; a private temporary folder on other workers (their logs and checkpoints are
    copies of the chief's, and two workers must not write the same files)."""
    if is_chief():
        return Path(folder)
    kind, index = worker()
    return Path(tempfile.mkdtemp(prefix=f"emotion_tf-{kind}{index}-"))


def set_mixed_precision(enabled: bool) -> str:
    """``mixed_float16`` when enabled, else ``float32``; returns the policy's name."""
    policy = "mixed_float16" if enabled else "float32"
    tf.keras.mixed_precision.set_global_policy(policy)
    return policy


def set_jit(enabled: bool) -> None:
    """XLA auto-clustering for every tf.function (``--jit``)."""
    tf.config.optimizer.set_jit(bool(enabled))
