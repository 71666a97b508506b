"""Create a model's training variables before ``fit``, so that ``fit`` traces its train step once.

Keras 2 creates the optimizer's slots (Adam's moments, ...) and the variables of the compiled loss and
metrics inside the first call of its train step. A ``tf.function`` whose first call creates variables is
traced a second time, without them, for every later call: so every ``fit`` traced (and differentiated) its
whole train step twice. On a CPU that second trace costs about as much as the first, seconds for a recurrent
or BERT model. Creating those variables first, eagerly and under the same ``tf.distribute`` scope, leaves
one trace; the numbers are the same to the bit (slots and metric totals start at zero either way), as
``tests/test_prebuild.py`` checks.

    model.compile(optimizer=..., loss=..., metrics=[...])
    build_for_fit(model, example_inputs(dataset))   # or build_for_fit(model, (x[:1], y[:1]))
    model.fit(dataset, ...)

Softmax CF and the next-item GRU are left as they were: their seeded ``Dropout`` draws its masks per traced
graph (the first step ran on the first trace, every later step on the second), so one trace fewer would change
which masks they draw from step 2 on, and the results in docs/results were made with two.
"""

from __future__ import annotations

import tensorflow as tf


def example_inputs(dataset: tf.data.Dataset):
    """One all-zero example batch shaped like ``dataset``'s elements, without reading the dataset (reading it
    would start an iterator and move a seeded shuffle's order). Unknown sizes become 2: an in-batch softmax
    over a batch of one would be a one-class softmax, which Keras warns about."""

    def zeros(spec):
        shape = [2 if size is None else size for size in spec.shape]
        if isinstance(spec, tf.SparseTensorSpec):
            return tf.sparse.SparseTensor(tf.zeros([0, len(shape)], tf.int64), tf.zeros([0], spec.dtype), shape)
        if isinstance(spec, tf.TensorSpec):
            return tf.zeros(shape, spec.dtype)
        raise TypeError(f"example_inputs: cannot make an example of {spec!r}")

    return tf.nest.map_structure(zeros, dataset.element_spec)


def build_for_fit(model: tf.keras.Model, example=None) -> None:
    """Create ``model``'s optimizer slots, and its compiled loss and metrics, before ``model.fit``.

    Args:
      model: a compiled Keras model.
      example: ``(inputs, targets)``, any values of the training data's dtypes and ranks, for a model whose
        loss and metrics were given to ``compile``: the model is called on ``inputs`` (not training) and its
        compiled loss and metrics are built on the outputs and ``targets``. Leave it out for a model that
        computes its loss in its own ``train_step`` and was already called once.

    Raises:
      ValueError: ``model`` is not compiled, or has no variables yet (call it once first).
    """
    if model.optimizer is None:
        raise ValueError(f"build_for_fit: compile {model.name!r} first")
    if example is not None:
        inputs, targets = tf.nest.map_structure(_tensor, (example[0], example[1]))
        outputs = model(inputs, training=False)
        model.compiled_loss.build(outputs)
        model.compiled_metrics.build(outputs, targets)
    if not model.trainable_variables:
        raise ValueError(f"build_for_fit: {model.name!r} has no variables yet; call it once on an example first")
    model.optimizer.build(model.trainable_variables)


def in_replica(function, *args):
    """``function(*args)`` once in a replica context of the strategy in use (where a loss may update its
    metrics, as in a train step; a mirrored strategy refuses that across replicas). Under several replicas each
    computes it on the same ``args``: only the variables it creates matter here."""
    return tf.distribute.get_strategy().run(function, args=args)


def _tensor(value):
    return value if isinstance(value, (tf.Tensor, tf.SparseTensor)) else tf.convert_to_tensor(value)
