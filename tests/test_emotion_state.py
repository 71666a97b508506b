"""Emotion state E: decayed means by hand, strictly earlier reviews only, online equals batch, no leakage."""

import numpy as np
import pandas as pd
import pytest

from emotion_tf import data
from emotion_tf.emotion_rec.features import counts_before, from_simulated_world, query_features
from emotion_tf.emotion_rec.state import SECONDS_PER_DAY, EmotionState, emotion_states

DAY = int(SECONDS_PER_DAY)
SMALL_WORLD = dict(
    n_users=60, n_items=40, n_categories=4, sessions_per_user=8, review_language="en", review_mood=1.5, seed=3
)


def test_decayed_mean_by_hand():
    # user 0 wrote reviews with intensity +1 (day 0) and -1 (day 2); half-life 2 days; asked at day 4:
    # weights 2^-2 = 0.25 and 2^-1 = 0.5 -> mean (0.25 - 0.5) / 0.75 = -1/3, evidence log(1.75)
    out = emotion_states([0], [4 * DAY], [0, 0, 1], [0, 2 * DAY, DAY], [[1.0], [-1.0], [0.7]], half_life_days=2.0)
    np.testing.assert_allclose(out[0], [-1 / 3, np.log(1.75)], rtol=1e-6)
    with pytest.raises(ValueError, match="3 review keys, 2 times"):
        emotion_states([0], [4 * DAY], [0, 0, 1], [0, 2 * DAY], [[1.0], [-1.0], [0.7]], half_life_days=2.0)
    with pytest.raises(ValueError, match=r"score table of shape \(2, 1\)"):  # one score short
        emotion_states([0], [4 * DAY], [0, 0, 1], [0, 2 * DAY, DAY], [[1.0], [-1.0]], half_life_days=2.0)
    with pytest.raises(ValueError, match=r"score table of shape \(3, 1, 1\)"):
        emotion_states([0], [4 * DAY], [0, 0, 1], [0, 2 * DAY, DAY], [[[1.0]], [[-1.0]], [[0.7]]], half_life_days=2.0)
    flat = emotion_states([0], [4 * DAY], [0, 0, 1], [0, 2 * DAY, DAY], [1.0, -1.0, 0.7], half_life_days=2.0)
    np.testing.assert_allclose(flat, out, rtol=1e-6)  # one score per review needs no column axis


def test_only_strictly_earlier_reviews_and_never_the_pairs_own():
    keys, times, values = [0, 0], [10 * DAY, 20 * DAY], [[1.0], [-1.0]]
    at_second_review = emotion_states([0], [20 * DAY], keys, times, values, 5.0)
    assert at_second_review[0, 0] == pytest.approx(1.0)  # the review written at t itself is not used
    before_any = emotion_states([0], [10 * DAY], keys, times, values, 5.0)
    np.testing.assert_array_equal(before_any[0], [0.0, 0.0])
    own_pair_excluded = emotion_states([0], [30 * DAY], keys, times, values, 5.0, query_pairs=[7], review_pairs=[7, 8])
    assert own_pair_excluded[0, 0] == pytest.approx(-1.0)


def test_online_state_equals_the_batch_computation():
    rng = np.random.default_rng(0)
    times = np.sort(rng.integers(0, 60 * DAY, 12))
    values = rng.normal(size=(12, 3))
    state = EmotionState(3, half_life_days=4.0)
    for time, value in zip(times, values):
        state.update(time, value)
    query = times[-1] + 3 * DAY
    batch = emotion_states([0], [query], np.zeros(12, int), times, values, 4.0)[0]
    np.testing.assert_allclose(state.at(query), batch, rtol=1e-5)
    with pytest.raises(ValueError, match="time order"):
        state.update(times[0], values[0])


def test_counts_before_by_hand():
    count, position, order = counts_before([1, 1, 2, 5], [15, 30, 15, 0], [1, 1, 1, 2], [10, 20, 30, 5])
    np.testing.assert_array_equal(count, [1, 2, 1, 0])  # strictly earlier: the event at 30 is not before 30
    sorted_times = np.array([10, 20, 30, 5])[order]
    assert sorted_times[position[1]] == 20 and position[3] == -1


@pytest.fixture(scope="module")
def small_world():
    return from_simulated_world(data.load("synthetic", **SMALL_WORLD).ground_truth)


def _with_planted(reviewed, scores, planted, planted_scores, own_scores=None):
    """Query features of the test split after adding ``planted`` reviews (and rewriting the scores of the
    test pairs' own reviews to ``own_scores``)."""
    original = reviewed.reviews
    reviewed.reviews = pd.concat([original, planted], ignore_index=True)
    new_scores = np.concatenate([scores, np.tile(planted_scores, (len(planted), 1))]).astype(np.float32)
    test = reviewed.splits.test
    is_own = np.isin(
        reviewed.pair_codes(reviewed.reviews["user_index"], reviewed.reviews["item_index"]),
        reviewed.pair_codes(test["user_index"], test["item_index"]),
    )
    if own_scores is not None:
        assert is_own.any()  # the rewrite is exercised
        new_scores[is_own] = own_scores
    try:
        return query_features(reviewed, new_scores, "test")
    finally:
        reviewed.reviews = original


def _reviews(users, items, times):
    return pd.DataFrame(
        {"user_index": users, "item_index": items, "timestamp": times, "rating": 1, "text": "awful", "label": 0}
    )


def _a_review_by_each_test_user(reviewed, seconds_after_the_query):
    """One wildly negative review per test user, on another item, this many seconds after the test query."""
    test = reviewed.splits.test
    return _reviews(
        test["user_index"], (test["item_index"] + 1) % reviewed.n_items, test["timestamp"] + seconds_after_the_query
    )


def test_a_planted_future_review_changes_nothing(small_world):
    reviewed = small_world
    scores = np.random.default_rng(1).random((len(reviewed.reviews), 4)).astype(np.float32)
    before = query_features(reviewed, scores, "test")
    test = reviewed.splits.test
    # each user writes a wildly negative review one second after their test interaction, and the test
    # pair's own review is rewritten to be wildly positive: the user's state and behaviour must not move
    after = _with_planted(
        reviewed, scores, _a_review_by_each_test_user(reviewed, +1), [1, 0, 0, -1], own_scores=[0, 0, 1, 1]
    )
    np.testing.assert_array_equal(before.user_emotion, after.user_emotion)
    np.testing.assert_array_equal(before.behavior, after.behavior)
    np.testing.assert_array_equal(before.last_item, after.last_item)
    # every item gets a review after the last test interaction: no item's state at any query may move
    items = np.arange(reviewed.n_items)
    after = _with_planted(
        reviewed, scores, _reviews(np.zeros_like(items), items, test["timestamp"].max() + 1 + items), [1, 0, 0, -1]
    )
    np.testing.assert_array_equal(before.item_emotion, after.item_emotion)
    np.testing.assert_array_equal(before.user_emotion, after.user_emotion)


def test_a_planted_past_review_does_move_the_state(small_world):
    """The converse, so the test above could fail: the same review one second *before* each query counts."""
    reviewed = small_world
    scores = np.random.default_rng(1).random((len(reviewed.reviews), 4)).astype(np.float32)
    before = query_features(reviewed, scores, "test")
    after = _with_planted(reviewed, scores, _a_review_by_each_test_user(reviewed, -1), [1, 0, 0, -1])
    assert (after.user_emotion[:, 3] < before.user_emotion[:, 3]).all()
