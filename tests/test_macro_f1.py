"""BestThresholdMacroF1: macro F1 at the best one threshold, summed over batches inside Keras."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.metrics.classification import choose_threshold, multilabel_report
from emotion_tf.sentiment.macro_f1 import BestThresholdMacroF1


def test_by_hand_on_two_labels_and_two_thresholds():
    truth = np.array([[1, 0], [1, 0], [0, 1], [0, 0]], dtype=np.float32)
    probabilities = np.array([[0.9, 0.2], [0.4, 0.3], [0.6, 0.8], [0.1, 0.1]], dtype=np.float32)
    metric = BestThresholdMacroF1(2, thresholds=(0.5, 0.3))
    metric.update_state(truth, probabilities)
    # t = 0.5: label 0 F1 2/(2 + 1 + 1) = 0.5, label 1 F1 1 -> 0.75; t = 0.3: 4/5 and 2/3 -> 0.733
    assert float(metric.result()) == pytest.approx(0.75)


def test_batches_add_up_to_the_numpy_choice_on_the_whole_split():
    rng = np.random.default_rng(0)
    truth = (rng.random((203, 6)) < [0.4, 0.2, 0.1, 0.05, 0.02, 0.0]).astype(np.float32)  # the last: no positive
    probabilities = np.clip(0.35 * truth + 0.8 * rng.random(truth.shape), 0, 1).astype(np.float32)
    metric = BestThresholdMacroF1(6)
    for start in range(0, len(truth), 64):  # uneven last batch
        metric.update_state(truth[start : start + 64], probabilities[start : start + 64])
    threshold = choose_threshold(truth, probabilities, metric="macro_f1")
    expected = multilabel_report(truth, probabilities >= threshold)["macro_f1"]
    assert float(metric.result()) == pytest.approx(expected, abs=1e-6)

    metric.reset_state()
    metric.update_state(truth[:10], probabilities[:10])
    threshold = choose_threshold(truth[:10], probabilities[:10], metric="macro_f1")
    assert float(metric.result()) == pytest.approx(
        multilabel_report(truth[:10], probabilities[:10] >= threshold)["macro_f1"], abs=1e-6
    )


def test_it_reloads_from_its_config_and_refuses_sample_weights():
    metric = BestThresholdMacroF1(3, thresholds=(0.2, 0.6), name="val_f1")
    config = tf.keras.metrics.serialize(metric)
    again = tf.keras.metrics.deserialize(config)
    assert isinstance(again, BestThresholdMacroF1)
    assert (again.n_labels, again.thresholds, again.name) == (3, [0.2, 0.6], "val_f1")
    with pytest.raises(ValueError, match="sample weights are not supported"):
        metric.update_state(np.ones((1, 3)), np.ones((1, 3)), sample_weight=np.ones(1))
