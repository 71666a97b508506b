"""Recurrent layers (LSTM, GRU) that trace only the implementation this machine can run.

In graph mode (every ``fit``, ``predict`` and export) a Keras 2 LSTM or GRU whose settings cuDNN supports
builds two implementations, the cuDNN kernel and the generic loop, and lets Grappler pick one when the graph
runs. On a machine without a GPU the pick is always the generic loop, yet both are traced and differentiated:
about half of a small recurrent model's start-up time on a CPU (a BiLSTM: 31 s against 16 s for two epochs on
1,500 reviews). On such a machine ``recurrent_layer`` marks the layer so that Keras calls the generic loop
directly. The numbers are the same to the bit: it is the function Grappler would have picked
(tests/test_recurrent.py). With a GPU visible nothing changes.

The mark is Keras's own switch (``_could_use_gpu_kernel``, private in tf-keras 2.21, which the project pins);
the test fails if a Keras update drops it. Saved models keep the plain Keras class and config: a model saved on
a CPU and loaded on a GPU machine gets the cuDNN path there.
"""

from __future__ import annotations

import tensorflow as tf

RECURRENT = {"lstm": tf.keras.layers.LSTM, "gru": tf.keras.layers.GRU}


def recurrent_layer(cell: str, units: int, bidirectional: bool = False, **options) -> tf.keras.layers.Layer:
    """A ``tf.keras.layers.LSTM`` or ``GRU`` (``cell``) of ``units`` units, optionally ``Bidirectional``.

    ``options`` go to the recurrent layer (``return_sequences``, ``name``, ...); with ``bidirectional`` the
    ``name`` goes to the wrapper. Inputs [batch, time, features] -> [batch, units] (or [batch, time, units]
    with ``return_sequences``; twice ``units`` wide when bidirectional).
    """
    if cell not in RECURRENT:
        raise ValueError(f"cell must be one of {sorted(RECURRENT)}, got {cell!r}")
    if bidirectional:
        name = options.pop("name", None)
        layer = tf.keras.layers.Bidirectional(RECURRENT[cell](units, **options), name=name)
        # the wrapper rebuilds both directions from the inner layer's config, so each is marked on its own
        for direction in (layer.forward_layer, layer.backward_layer):
            _generic_loop_without_gpu(direction)
        return layer
    return _generic_loop_without_gpu(RECURRENT[cell](units, **options))


def _generic_loop_without_gpu(layer: tf.keras.layers.Layer) -> tf.keras.layers.Layer:
    if not hasattr(layer, "_could_use_gpu_kernel"):
        raise AttributeError(
            f"{type(layer).__name__} has no _could_use_gpu_kernel: this Keras version chooses its recurrent "
            "implementation another way; update emotion_tf/training/recurrent.py"
        )
    if not tf.config.list_logical_devices("GPU"):
        layer._could_use_gpu_kernel = False
    return layer
