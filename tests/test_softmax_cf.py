"""Softmax CF: the article's loss by hand on its 10 x 5 example, targets, masking, a planted signal learned."""

import numpy as np
import pandas as pd
import pytest
import tensorflow as tf

from emotion_tf import data
from emotion_tf.recommend import (
    SoftmaxCF,
    SoftmaxCFSettings,
    article_example,
    evaluate_softmax_cf,
    interaction_targets,
    multinomial_loss,
)
from emotion_tf.recommend.softmax_cf_training import history_rows, train_softmax_cf


@pytest.mark.parametrize("kind", ["implicit", "ratings"])
def test_article_loss_by_hand_equals_the_models_loss(kind):
    """Loss = − Σ_i Σ_j y_ij log softmax(Wᵀ h_i + b)_j on the article's 10 users and 5 items."""
    y = article_example.implicit() if kind == "implicit" else article_example.RATINGS
    table = article_example.as_table()
    np.testing.assert_array_equal(interaction_targets(table, 10, 5, kind), y)
    model = SoftmaxCF(n_items=5, dim=3, dropout=0.0, seed=0)
    logits = model({"history": y}).numpy()
    # by hand: h_i = tanh(x_i V + c), logits = h W + b, then the multinomial log-likelihood
    V, c, W, b = model.get_weights()
    x = y / np.linalg.norm(y, axis=1, keepdims=True)
    by_hand_logits = np.tanh(x @ V + c) @ W + b
    np.testing.assert_allclose(logits, by_hand_logits, rtol=1e-5, atol=1e-6)
    log_softmax = by_hand_logits - np.log(np.exp(by_hand_logits).sum(axis=1, keepdims=True))
    by_hand = -(y * log_softmax).sum()
    per_user = multinomial_loss(tf.constant(y), tf.constant(logits)).numpy()
    assert per_user.sum() == pytest.approx(by_hand, rel=1e-5)
    # Keras averages over the batch: the same loss divided by the number of users
    model.compile(loss=multinomial_loss)
    assert model.evaluate({"history": y}, y, batch_size=10, verbose=0) == pytest.approx(by_hand / 10, rel=1e-5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="kind"):
        interaction_targets(article_example.as_table(), 10, 5, "stars")
    with pytest.raises(ValueError, match="rating"):
        interaction_targets(article_example.as_table().drop(columns="rating"), 10, 5, "ratings")
    with pytest.raises(ValueError, match="n_users"):
        SoftmaxCF(5, use_user_id=True)


def planted_interactions(seed=0):
    """Users of group g take items of group g: 60 users, 40 items, 12 items each."""
    rng = np.random.default_rng(seed)
    rows = [
        (u, int(i), 1)
        for u in range(60)
        for i in rng.choice(np.arange((u % 2) * 20, (u % 2) * 20 + 20), 12, replace=False)
    ]
    return pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"])


def test_training_learns_the_planted_groups_and_masks_seen_items():
    splits = data.split_interactions(planted_interactions(), seed=0)
    settings = SoftmaxCFSettings(dim=16, dropout=0.2, learning_rate=0.01, batch_size=16, epochs=30, patience=30)
    result = train_softmax_cf(splits, settings, seed=0)
    assert result.history["loss"][-1] < result.history["loss"][0]
    scores = evaluate_softmax_cf(result.model, splits, "test", ks=(10,))
    # the 2 held-out items are among the user's 8 unseen in-group items: chance recall@10 over 28 unseen is ~0.36
    assert scores["recall@10"] > 0.9
    # the test ranking is fed the training history only, like EASE's and the graph models': no validation
    # or test item is ever an input, while validation items are still masked from the ranked lists
    inputs = []

    def recording_model(features, training=False):
        inputs.append(np.asarray(features["history"]))
        return result.model(features, training=training)

    assert evaluate_softmax_cf(recording_model, splits, "test", ks=(10,)) == scores
    fed = np.concatenate(inputs)
    np.testing.assert_array_equal(fed, history_rows(splits, "train")[: len(fed)])
    held_out = pd.concat([splits.validation, splits.test])
    assert (history_rows(splits, "train")[held_out["user_index"], held_out["item_index"]] == 0).all()


def test_the_settings_sweep_changes_one_real_setting_per_variant_and_refuses_unknown_ones(tmp_path):
    import dataclasses

    from conftest import load_script

    from emotion_tf.tasks.presets import FULL_RECOMMEND

    sweep = load_script("sweep_softmax_cf")
    preset = dataclasses.asdict(FULL_RECOMMEND["softmax_cf"])
    for name, change in sweep.VARIANTS.items():
        varied = dataclasses.asdict(dataclasses.replace(FULL_RECOMMEND["softmax_cf"], **change))
        assert {field for field in preset if varied[field] != preset[field]} == set(change), name
    results = tmp_path / "sweep.json"
    for refused in (["--variants", "default,dim-4000"], ["--random", "-1"]):
        with pytest.raises(SystemExit) as exit_info:
            sweep.main([*refused, "--results", str(results)])
        assert exit_info.value.code == 2
        assert not results.exists()


def test_the_sweeps_joint_draws_are_repeatable_settings_from_its_grid():
    import dataclasses

    from conftest import load_script

    from emotion_tf.tasks.presets import FULL_RECOMMEND

    sweep = load_script("sweep_softmax_cf")
    draws = sweep.random_variants(30, seed=123)
    assert list(draws) == [f"random-{number:02d}" for number in range(1, 31)]
    assert draws == sweep.random_variants(30, seed=123)
    assert draws != sweep.random_variants(30, seed=124)
    for name, change in draws.items():
        assert set(change) == set(sweep.RANDOM_GRID), name
        assert all(change[field] in values for field, values in sweep.RANDOM_GRID.items()), name
        dataclasses.replace(FULL_RECOMMEND["softmax_cf"], **change)  # every field is a real setting
    # thirty draws reach more than one value of every field: the draws are joint, not one field at a time
    assert all(len({change[field] for change in draws.values()}) > 1 for field in sweep.RANDOM_GRID)
