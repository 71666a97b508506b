"""User profiles (用户画像): behaviour, emotion state and learned preferences of each user, as JSON.

A profile joins, as of a time t (by default just after the user's last event):

* behavior: events by type, first and last time, the mean rating the user gave;
* emotion: the user's emotion state E at t (decayed class probabilities, intensity, evidence, and the
  dominant label);
* preferences: the model's top-K items with their scores, and for each the part of its score that the
  emotion state contributed, s(E) - s(Ē), with Ē the average state over all users: positive when the
  user's current emotion pushed the item up ("driven by emotion"), near zero when the recommendation rests
  on taste alone.

A user with no history gets a profile that says so and recommendations by popularity.
"""

from __future__ import annotations

import numpy as np

from emotion_tf.baselines.popularity import item_counts
from emotion_tf.emotion_rec.features import QueryFeatures, ReviewedInteractions, behavior_features, user_emotion
from emotion_tf.emotion_rec.model import Blocks
from emotion_tf.emotion_rec.model_training import model_inputs
from emotion_tf.emotion_rec.profile_file import LEGEND, driven_by
from emotion_tf.emotion_rec.review_scores import LABELS
from emotion_tf.metrics.ranking import MASKED_SPLITS


def _queries(data, review_scores, users, times) -> QueryFeatures:
    behavior, last_item = behavior_features(data, users, times)
    return QueryFeatures(
        user_index=users,
        item_index=np.zeros_like(users),
        last_item=last_item,
        timestamp=times,
        behavior=behavior,
        user_emotion=user_emotion(data, review_scores, users, times),
        item_emotion=np.zeros((len(users), 0), np.float32),
        rating=np.full(len(users), np.nan),
    )


def build_profiles(
    model, data: ReviewedInteractions, review_scores: np.ndarray, blocks: Blocks, scorer_names, k: int = 10
) -> dict:
    """{"users": {raw user id (str): profile}, "cold_start": the profile a user with no history gets}, each
    user as of one second after their last event.

    Scores use the static item features only (item emotion, when the model reads it, is taken at 0).
    """
    if not blocks.user_emotion:
        raise ValueError("profiles explain the emotion state: build them from a model that reads it")
    events = data.events
    last = events.groupby("user_index")["timestamp"].max().reindex(range(data.splits.n_users)).fillna(0)
    users = np.arange(data.splits.n_users)
    times = last.to_numpy(np.int64) + 1
    features = _queries(data, review_scores, users, times)
    average = np.broadcast_to(features.user_emotion.mean(0), features.user_emotion.shape)
    neutral = QueryFeatures(**{**features.__dict__, "user_emotion": np.ascontiguousarray(average)})
    n_dynamic = (len(scorer_names) + 1) if blocks.item_emotion else 0
    candidates = model.candidate(np.arange(data.n_items), np.zeros((data.n_items, n_dynamic), np.float32)).numpy()
    scores, without = [
        model.query(
            {k_: v for k_, v in model_inputs(f, blocks).items() if k_ in ("user_index", "last_item", "query_dense")}
        ).numpy()
        @ candidates.T
        for f in (features, neutral)
    ]
    seen = data.splits.items_by_user(*MASKED_SPLITS["test"], "test")
    counts = {event: events[events["event"] == event].groupby("user_index").size() for event in data.event_types}
    ratings = data.reviews.groupby("user_index")["rating"].mean()
    profiles = {}
    for user in users:
        spread = float(scores[user].std()) or 1.0
        ranked = scores[user].copy()
        ranked[seen.of(user)] = -np.inf
        top = np.argsort(-ranked, kind="stable")[:k]
        emotion = features.user_emotion[user]
        probabilities = emotion[:3]  # the first scorer's class probabilities
        profiles[str(data.splits.user_ids[user])] = {
            "user_id": str(data.splits.user_ids[user]),
            "as_of": int(times[user]),
            "behavior": {event: int(counts[event].get(user, 0)) for event in data.event_types}
            | {"mean_rating_given": (float(ratings[user]) if user in ratings.index else None)},
            "emotion": {
                "scorers": list(scorer_names),
                "state": {
                    f"{name}.{field}": float(value)
                    for name, block in zip(scorer_names, np.split(emotion[:-1], len(scorer_names)))
                    for field, value in zip(("p_negative", "p_neutral", "p_positive", "intensity"), block)
                },
                "evidence": float(emotion[-1]),
                "label": LABELS[int(np.argmax(probabilities))] if emotion[-1] > 0 else "unknown",
            },
            "recommendations": [
                {
                    "item_id": str(data.splits.item_ids[item]),
                    "score": float(scores[user, item]),
                    "emotion_contribution": float(scores[user, item] - without[user, item]),
                    "emotion_contribution_sd": float((scores[user, item] - without[user, item]) / spread),
                    "driven_by": driven_by((scores[user, item] - without[user, item]) / spread),
                }
                for item in top
            ],
        }
    return {"legend": LEGEND, "users": profiles, "cold_start": cold_start_profile("(new user)", data, k)}


def cold_start_profile(user_id, data: ReviewedInteractions, k: int = 10) -> dict:
    """The profile of a user with an empty history: no emotion state, the k most popular items."""
    popularity = item_counts(data.splits.train["item_index"], data.n_items)
    return {
        "user_id": str(user_id),
        "history": "empty",
        "emotion": {"label": "unknown", "evidence": 0.0},
        "recommendations": [
            {
                "item_id": str(data.splits.item_ids[item]),
                "score": float(popularity[item]),
                "driven_by": "popularity (no history)",
            }
            for item in np.argsort(-popularity, kind="stable")[:k]
        ],
    }
