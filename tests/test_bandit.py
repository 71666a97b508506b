"""LinUCB: the Sherman-Morrison update equals a direct inverse; regret falls on a planted linear problem;
the environments give every policy the same stream."""

import numpy as np
import pandas as pd
import pytest

from emotion_tf import data
from emotion_tf.emotion_rec.bandit import FixedLinearPolicy, LinUCB, RandomPolicy
from emotion_tf.emotion_rec.environments import (
    Rounds,
    logged_history,
    offline_reviews,
    replay_rounds,
    replay_warmup,
    run_policy,
    simulated_rounds,
)
from emotion_tf.emotion_rec.review_scores import LexiconScorer


def test_sherman_morrison_update_equals_the_direct_inverse():
    rng = np.random.default_rng(0)
    x, rewards = rng.normal(size=(30, 4)), rng.normal(size=30)
    bandit = LinUCB(4, alpha=0.7, regularization=2.0)
    for row, reward in zip(x, rewards):
        bandit.update(row, reward)
    a = 2.0 * np.eye(4) + x.T @ x
    np.testing.assert_allclose(bandit.a_inverse.numpy(), np.linalg.inv(a), rtol=1e-8, atol=1e-10)
    theta = np.linalg.solve(a, x.T @ rewards)
    np.testing.assert_allclose(bandit.theta.numpy(), theta, rtol=1e-8)
    candidates = rng.normal(size=(5, 4))
    bounds = candidates @ theta + 0.7 * np.sqrt(np.einsum("nd,de,ne->n", candidates, np.linalg.inv(a), candidates))
    np.testing.assert_allclose(bandit.upper_bounds(candidates).numpy(), bounds, rtol=1e-8)


def planted_rounds(n_rounds=1200, n_candidates=10, dim=6, seed=0) -> Rounds:
    """Rewards Bernoulli(sigmoid(x·θ*)) with a fixed hidden θ*."""
    rng = np.random.default_rng(seed)
    theta = rng.normal(size=dim) * 1.5
    features = rng.normal(size=(n_rounds, n_candidates, dim)).astype(np.float32)
    expected = 1 / (1 + np.exp(-(features @ theta)))
    return Rounds(features, expected, rng.random(n_rounds))


def test_linucb_regret_falls_on_a_planted_problem_and_beats_random():
    rounds = planted_rounds()
    learned = run_policy(LinUCB(6, alpha=0.5), rounds)["regret"]
    random = run_policy(RandomPolicy(0), rounds)["regret"]
    quarter = len(learned) // 4
    assert learned[-quarter:].mean() < 0.5 * learned[:quarter].mean()
    assert learned.sum() < 0.4 * random.sum()
    assert abs(random[-quarter:].mean() - random[:quarter].mean()) < 0.1  # random does not learn


def test_fixed_policy_is_the_ridge_fit_of_the_log_and_never_changes():
    rounds = planted_rounds(n_rounds=400)
    x, rewards = logged_history(rounds, 300)
    policy = FixedLinearPolicy(x, rewards)
    np.testing.assert_allclose(policy.theta, np.linalg.solve(x.T @ x + np.eye(6), x.T @ rewards), rtol=1e-6)
    before = policy.theta.copy()
    run_policy(policy, rounds, start=300)
    np.testing.assert_array_equal(policy.theta, before)


def test_simulated_rounds_are_the_same_stream_with_and_without_emotion():
    world = data.load(
        "synthetic", n_users=40, n_items=30, n_categories=3, sessions_per_user=6, review_language="en", seed=2
    ).ground_truth
    intensity = world.reviews["intensity"].to_numpy()
    with_emotion = simulated_rounds(world, intensity, 50, n_candidates=5, seed=4)
    without = simulated_rounds(world, intensity, 50, n_candidates=5, use_emotion=False, seed=4)
    assert with_emotion.features.shape == (50, 5, 2 * 30 + 1) and without.features.shape == (50, 5, 30 + 1)
    np.testing.assert_array_equal(with_emotion.expected, without.expected)
    np.testing.assert_array_equal(with_emotion.noise, without.noise)
    assert ((with_emotion.expected > 0) & (with_emotion.expected < 1)).all()
    with pytest.raises(ValueError):
        LinUCB(0)


def test_the_loops_scorer_sees_only_reviews_written_before_each_users_visits():
    world = data.load(
        "synthetic", n_users=40, n_items=30, n_categories=3, sessions_per_user=6, review_language="en", seed=2
    ).ground_truth
    offline = offline_reviews(world)
    reviews = world.reviews
    first_visit = world.session_time[reviews["user_id"].to_numpy(), 3]  # the loop visits sessions 3, 4, 5
    np.testing.assert_array_equal(offline, reviews["timestamp"].to_numpy() < first_visit)
    assert 0 < offline.sum() < len(reviews)  # some reviews on each side, or the check says nothing
    # a lexicon fitted on the offline reviews does not change when the loop's own reviews change
    later = reviews.index[~offline]
    changed = reviews.copy()
    changed.loc[later, "label"] = 2 - changed.loc[later, "label"]
    fitted = [
        LexiconScorer("en").fit(frame["text"][offline], frame["label"][offline]).scores(reviews["text"])
        for frame in (reviews, changed)
    ]
    np.testing.assert_array_equal(fitted[0], fitted[1])


def test_the_replays_scorer_sees_only_the_reviews_before_its_first_round():
    rng = np.random.default_rng(3)
    n = 60
    reviews = pd.DataFrame(
        {
            "user_index": rng.integers(8, size=n),
            "item_index": np.r_[np.arange(12), rng.integers(12, size=n - 12)],
            "timestamp": rng.permutation(n) * 100,  # distinct times, rows not in time order
        }
    )
    warmup = replay_warmup(reviews, warmup_fraction=0.25)
    times = reviews["timestamp"].to_numpy()
    assert warmup.sum() == 15 and times[warmup].max() < times[~warmup].min()
    rounds = replay_rounds(reviews, np.zeros(n), n_candidates=3, warmup_fraction=0.25, seed=0)
    # every round replays one review after the warm-up (a few are skipped when too few items were seen before)
    assert 0 < len(rounds.features) <= n - 15
    assert (rounds.expected.sum(axis=1) == 1).all()  # the logged item is among the candidates once
