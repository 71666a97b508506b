"""recurrent_layer: on a machine without a GPU it traces only the generic loop, and computes the same numbers."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.training.recurrent import RECURRENT, recurrent_layer


def two_models(cell: str, bidirectional: bool):
    """The same small masked recurrent model twice: with recurrent_layer, and with Keras's layers as they come."""
    models = []
    for build in ("marked", "plain"):
        tf.keras.utils.set_random_seed(0)
        ids = tf.keras.Input(shape=(7,), dtype=tf.int64)
        embedded = tf.keras.layers.Embedding(20, 8, mask_zero=True)(ids)
        if build == "marked":
            layer = recurrent_layer(cell, 6, bidirectional=bidirectional, return_sequences=bidirectional)
        else:
            inner = RECURRENT[cell](6, return_sequences=bidirectional)
            layer = tf.keras.layers.Bidirectional(inner) if bidirectional else inner
        states = layer(embedded)
        features = tf.keras.layers.GlobalMaxPooling1D()(states) if bidirectional else states
        models.append(tf.keras.Model(ids, tf.keras.layers.Dense(1)(features)))
    return models


def training_step(model, ids, targets):
    """One traced training step of ``model``: (outputs, gradients, names of the functions in its graph)."""

    @tf.function
    def step():
        with tf.GradientTape() as tape:
            outputs = model(ids, training=True)
            loss = tf.reduce_mean((outputs - targets) ** 2)
        return outputs, tape.gradient(loss, model.trainable_variables)

    traced = step.get_concrete_function()
    names = [function.signature.name for function in traced.graph.as_graph_def().library.function]
    outputs, gradients = step()
    return outputs.numpy(), [tf.convert_to_tensor(g).numpy() for g in gradients], names


@pytest.mark.parametrize("cell, bidirectional", [("lstm", False), ("gru", True)])
def test_same_numbers_as_keras_and_no_gpu_implementation_traced(cell, bidirectional):
    if tf.config.list_logical_devices("GPU"):
        pytest.skip("a GPU is visible: recurrent_layer leaves Keras's choice alone there (tested below)")
    marked, plain = two_models(cell, bidirectional)
    for a, b in zip(marked.get_weights(), plain.get_weights()):
        np.testing.assert_array_equal(a, b)
    rng = np.random.default_rng(0)
    ids = rng.integers(1, 20, size=(16, 7))
    ids[:, 4:] *= rng.integers(0, 2, size=(16, 1))  # half the rows padded after four tokens
    targets = rng.normal(size=(16, 1)).astype("float32")
    marked_outputs, marked_gradients, marked_functions = training_step(marked, ids, targets)
    plain_outputs, plain_gradients, plain_functions = training_step(plain, ids, targets)
    # the same function Grappler would have picked on this machine: outputs and gradients to the bit
    np.testing.assert_array_equal(marked_outputs, plain_outputs)
    assert len(marked_gradients) == len(plain_gradients) == len(plain.trainable_variables)
    for a, b in zip(marked_gradients, plain_gradients):
        np.testing.assert_array_equal(a, b)
    # Keras's own layer traces the cuDNN implementation beside the generic loop; the marked one does not
    assert any(f"gpu_{cell}" in name for name in plain_functions)
    assert not any(f"gpu_{cell}" in name for name in marked_functions)


def test_layers_are_left_alone_when_a_gpu_is_visible(monkeypatch):
    devices = tf.config.list_logical_devices

    def with_a_gpu(kind=None):
        return ["a GPU"] if kind == "GPU" else devices(kind)

    monkeypatch.setattr(tf.config, "list_logical_devices", with_a_gpu)
    assert recurrent_layer("lstm", 4)._could_use_gpu_kernel
    wrapper = recurrent_layer("gru", 4, bidirectional=True, name="both")
    assert wrapper.name == "both"
    assert wrapper.forward_layer._could_use_gpu_kernel and wrapper.backward_layer._could_use_gpu_kernel
    monkeypatch.setattr(tf.config, "list_logical_devices", devices)
    wrapper = recurrent_layer("gru", 4, bidirectional=True)
    assert not wrapper.forward_layer._could_use_gpu_kernel and not wrapper.backward_layer._could_use_gpu_kernel


def test_unknown_cell_is_refused():
    with pytest.raises(ValueError, match="cell must be one of \\['gru', 'lstm'\\], got 'rnn'"):
        recurrent_layer("rnn", 4)
