"""Blending two rankers (recommend/blend.py): the formula by hand, the spreads, the validation choice of w."""

import numpy as np
import pandas as pd
import pytest

from emotion_tf import data
from emotion_tf.metrics.ranking import SELECTION_METRIC, evaluate_split
from emotion_tf.recommend.blend import ScoreBlend, score_spread, tune_blend

F = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0]])
G = np.array([[4.0, 0.0, 0.0], [1.0, 3.0, 2.0]])


def first(users):
    return F[users]


def second(users):
    return G[users]


def test_spread_and_blend_by_hand():
    # per-user population std: F rows sqrt(2/3) and sqrt(8); G rows sqrt(32/9) and sqrt(2/3)
    assert score_spread(first, np.array([0, 1])) == pytest.approx((np.sqrt(2 / 3) + np.sqrt(8)) / 2)
    assert score_spread(second, np.array([0, 1]), batch_size=1) == pytest.approx((np.sqrt(32 / 9) + np.sqrt(2 / 3)) / 2)
    blend = ScoreBlend(first, second, 0.25, first_spread=2.0, second_spread=4.0)
    # user 1: 0.75 * [0, 0, 6] / 2 + 0.25 * [1, 3, 2] / 4
    np.testing.assert_allclose(blend.score(np.array([1])), [[0.0625, 0.1875, 2.375]])
    np.testing.assert_allclose(ScoreBlend(first, second, 0.0, 2.0, 4.0).score(np.array([0])), [F[0] / 2])
    np.testing.assert_allclose(ScoreBlend(first, second, 1.0, 2.0, 4.0).score(np.array([0])), [G[0] / 4])


def test_bad_weight_and_a_constant_scorer_are_refused():
    with pytest.raises(ValueError, match="weight"):
        ScoreBlend(first, second, 1.5, 1.0, 1.0)
    with pytest.raises(ValueError, match="same score"):
        score_spread(lambda users: np.ones((len(users), 3)), np.array([0, 1]))
    with pytest.raises(ValueError, match="at least one user"):
        score_spread(first, np.array([], dtype=int))


def planted_splits():
    """Users of group g take items of group g: 60 users, 40 items, 12 items each."""
    rng = np.random.default_rng(0)
    rows = [
        (u, int(i), 1)
        for u in range(60)
        for i in rng.choice(np.arange((u % 2) * 20, (u % 2) * 20 + 20), 12, replace=False)
    ]
    return data.split_interactions(pd.DataFrame(rows, columns=["user_id", "item_id", "timestamp"]), seed=0)


def test_validation_picks_the_informative_scorer():
    splits = planted_splits()
    user_group = (splits.user_ids % 2)[:, None]
    item_group = (splits.item_ids // 20)[None, :]
    noise = np.random.default_rng(1).normal(size=(splits.n_users, splits.n_items))

    def truth(users):  # the planted groups, with a little noise to break ties
        return (user_group[users] == item_group).astype(float) + 0.01 * noise[users]

    def random(users):
        return noise[users]

    _, weight_noise_first, by_weight = tune_blend(random, truth, splits)
    _, weight_truth_first, _ = tune_blend(truth, random, splits)
    # the held-out item is one of ~10 unseen in-group items against ~30 unseen items at chance
    assert by_weight[1.0] > by_weight[0.0] + 0.15
    assert weight_noise_first >= 0.5 and weight_truth_first <= 0.5
    assert weight_noise_first > weight_truth_first
    # the value kept for each w is the blend's validation score at that w
    blend = ScoreBlend(random, truth, 0.3, score_spread(random, np.arange(60)), score_spread(truth, np.arange(60)))
    assert by_weight[0.3] == pytest.approx(evaluate_split(blend.score, splits, "validation")[SELECTION_METRIC])
