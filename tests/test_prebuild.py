"""build_for_fit: fit traces its train step once instead of twice, with the same numbers to the bit."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.training.prebuild import build_for_fit, example_inputs


class CountingModel(tf.keras.Model):
    """A small classifier that counts how often its train step is traced (Python runs only while tracing)."""

    traces = 0

    def __init__(self):
        super().__init__()
        self.hidden = tf.keras.layers.Dense(
            8, activation="relu", kernel_initializer=tf.keras.initializers.GlorotUniform(0)
        )
        self.out = tf.keras.layers.Dense(
            3, activation="softmax", kernel_initializer=tf.keras.initializers.GlorotUniform(1)
        )

    def call(self, inputs, training=False):
        return self.out(self.hidden(inputs))

    def train_step(self, data):
        CountingModel.traces += 1
        return super().train_step(data)


def fit_counting(prebuild: bool):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(96, 4)).astype(np.float32)
    y = (x[:, 0] > 0).astype(np.int64) + (x[:, 1] > 1)
    dataset = tf.data.Dataset.from_tensor_slices((x, y)).batch(32)
    model = CountingModel()
    model.compile(
        optimizer=tf.keras.optimizers.Adam(1e-2), loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    if prebuild:
        build_for_fit(model, example_inputs(dataset))
    CountingModel.traces = 0
    history = model.fit(dataset, epochs=3, verbose=0)
    return CountingModel.traces, history.history, [w.numpy() for w in model.weights]


def test_fit_traces_once_with_the_same_numbers():
    twice, history, weights = fit_counting(prebuild=False)
    once, prebuilt_history, prebuilt_weights = fit_counting(prebuild=True)
    assert (twice, once) == (2, 1)
    assert prebuilt_history == history  # the loss and the (sparse categorical) accuracy, to the bit
    for a, b in zip(prebuilt_weights, weights):
        np.testing.assert_array_equal(a, b)


def test_examples_follow_the_dataset_and_errors_name_the_model():
    dataset = tf.data.Dataset.from_tensor_slices(({"ids": np.zeros((4, 5), np.int64)}, np.zeros(4, np.float32)))
    inputs, targets = example_inputs(dataset.batch(2))
    assert inputs["ids"].shape == (2, 5) and inputs["ids"].dtype == tf.int64 and targets.shape == (2,)
    sparse = example_inputs(tf.data.Dataset.from_tensors(tf.sparse.from_dense(np.eye(3, dtype=np.float32))))
    assert isinstance(sparse, tf.SparseTensor) and tuple(sparse.dense_shape.numpy()) == (3, 3)
    model = CountingModel()
    with pytest.raises(ValueError, match="compile"):
        build_for_fit(model)
    model.compile(optimizer="adam", loss="mse")
    with pytest.raises(ValueError, match="no variables yet"):
        build_for_fit(model)


def test_the_project_trainers_trace_their_train_step_once():
    from emotion_tf import data
    from emotion_tf.behavior.graph_training import GraphTrainingSettings, train_graph_recommender
    from emotion_tf.recommend.tfrs_training import train_retrieval

    world = data.load("synthetic", n_users=60, n_items=30, n_categories=3, sessions_per_user=4, seed=2)
    splits = data.split_interactions(world["interactions"], seed=0)
    graph = train_graph_recommender(
        splits, GraphTrainingSettings(kind="gcn", dim=4, epochs=2, patience=2), log=lambda message: None
    ).model
    retrieval, _, _ = train_retrieval(splits, dim=4, epochs=2)  # a TFRS model: its first loss runs in_replica
    for model in (graph, retrieval):
        assert model.train_function.experimental_get_tracing_count() == 1, model.name
