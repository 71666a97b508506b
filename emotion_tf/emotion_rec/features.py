"""Step 2: the features of P = M(E, I, F), computed for every (user, item, time t) query without leakage.

The data a model reads is a ``ReviewedInteractions``: a temporal split (per user, the last interaction is
test, the one before validation), the typed event log, the reviews and static item features.  For a query
(user u, item i, time t) the blocks are::

    I  behaviour [b]  log(1 + number of u's events of each type before t), log(1 + days since u's last
                      event before t), and (as an id, embedded by the model) the last item u interacted
                      with before t
    E  emotion   [e]  emotion_states of u's reviews before t (each scorer's 4 scores, then the evidence)
    F  item      [f]  static item features (category one-hot and log price where known, log(1 + training
                      popularity)) and the item's own emotion: emotion_states of the intensities of the
                      reviews i received before t (then the evidence)

"Before t" is strict everywhere, and a review of the pair (u, i) itself never feeds a query about (u, i).
The model's query tower reads [I, E] (and u, the last item); its candidate tower reads F (and i).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from emotion_tf.baselines.popularity import item_counts
from emotion_tf.data.dataset import DataError
from emotion_tf.data.splits import InteractionSplits, index_like, temporal_split
from emotion_tf.emotion_rec.review_scores import SCORES_PER_SCORER, intensity_columns, label_of_rating
from emotion_tf.emotion_rec.state import SECONDS_PER_DAY, emotion_states

_TIME_BITS = 2**32  # composite (key, time) codes: key * 2**32 + time; unix seconds fit in 32 bits


@dataclass
class ReviewedInteractions:
    """Interactions with reviews and typed events, indexed like ``splits``.

    Attributes:
      name: dataset key.
      splits: temporal split of the unique (user, item) pairs; a ``rating`` column (NaN when the pair has
        no rating) is the rating target.
      events: user_index, event, timestamp: every logged event (the behaviour log).
      event_types: the event names, in feature order.
      reviews: user_index, item_index, timestamp, rating, text, label (0/1/2 from the stars).
      item_static: float [n_items, f] static item features, named by ``item_static_names``.
      language: language of the review texts.
      half_life_days: (user, item) half-lives of the emotion states.
    """

    name: str
    splits: InteractionSplits
    events: pd.DataFrame
    event_types: tuple[str, ...]
    reviews: pd.DataFrame
    item_static: np.ndarray
    item_static_names: tuple[str, ...]
    language: str = "en"
    half_life_days: tuple[float, float] = (2.0, 30.0)
    extras: dict = field(default_factory=dict)

    @property
    def n_items(self) -> int:
        return self.splits.n_items

    def pair_codes(self, users, items) -> np.ndarray:
        return np.asarray(users, dtype=np.int64) * self.n_items + np.asarray(items, dtype=np.int64)

    def training_reviews(self) -> pd.DataFrame:
        """Reviews of training pairs only: the only reviews a scorer may be fitted on."""
        train_pairs = self.pair_codes(self.splits.train["user_index"], self.splits.train["item_index"])
        codes = self.pair_codes(self.reviews["user_index"], self.reviews["item_index"])
        return self.reviews[np.isin(codes, train_pairs)]


def _with_ratings(splits: InteractionSplits, reviews: pd.DataFrame) -> InteractionSplits:
    ratings = reviews.drop_duplicates(["user_index", "item_index"])[["user_index", "item_index", "rating"]]
    for name in ("train", "validation", "test"):
        frame = splits[name].drop(columns=["rating"], errors="ignore")
        setattr(splits, name, frame.merge(ratings, on=["user_index", "item_index"], how="left"))
    return splits


def _static_items(popularity: np.ndarray, extra: dict) -> tuple[np.ndarray, tuple[str, ...]]:
    columns = {**extra, "log_popularity": np.log1p(popularity)}
    return np.column_stack(list(columns.values())).astype(np.float32), tuple(columns)


def from_simulated_world(world) -> ReviewedInteractions:
    """The simulated world: click-or-stronger events are interactions; views, clicks, carts, purchases typed."""
    if world.config.review_language not in ("en", "zh"):
        raise ValueError(
            "the emotion-driven recommender reads reviews in one language: generate the world "
            f"with review_language='en' or 'zh', not {world.config.review_language!r}"
        )
    splits = temporal_split(world.interactions)
    reviews = index_like(world.reviews, splits)
    splits = _with_ratings(splits, reviews)
    events = index_like(world.events, splits)[["user_index", "item_index", "event", "timestamp"]]
    items = world.items.set_index("item_id").loc[splits.item_ids]
    categories = np.eye(world.config.n_categories, dtype=np.float32)[items["category"].to_numpy()]
    popularity = item_counts(splits.train["item_index"], splits.n_items)
    extra = {f"category_{k}": categories[:, k] for k in range(categories.shape[1])}
    extra["log_price"] = np.log(items["price"].to_numpy())
    static, names = _static_items(popularity, extra)
    return ReviewedInteractions(
        "synthetic",
        splits,
        events.assign(event=events["event"].astype(str)),
        tuple(str(e) for e in world.events["event"].cat.categories),
        reviews,
        static,
        names,
        world.config.review_language,
        half_life_days=(2.0, 30.0),
        extras={"world": world},
    )


def from_amazon(interactions: pd.DataFrame) -> ReviewedInteractions:
    """Amazon Musical Instruments 5-core: every review is an interaction (one event type, ``review``).

    A review's text is its body, or its summary when the body is empty; reviews with neither are kept as
    interactions but give no emotion evidence.
    """
    table = interactions.copy()
    body, summary = table["text"].fillna("").str.strip(), table["summary"].fillna("").str.strip()
    table["text"] = np.where(body != "", body, summary)
    splits = temporal_split(table)
    reviews = index_like(table[table["text"] != ""], splits)
    reviews = reviews.assign(label=label_of_rating(reviews["rating"]))[
        ["user_index", "item_index", "timestamp", "rating", "text", "label"]
    ]
    splits = _with_ratings(splits, reviews)
    events = index_like(table, splits)[["user_index", "item_index", "timestamp"]].assign(event="review")
    popularity = item_counts(splits.train["item_index"], splits.n_items)
    static, names = _static_items(popularity, {})
    return ReviewedInteractions(
        "amazon-musical-instruments",
        splits,
        events,
        ("review",),
        reviews,
        static,
        names,
        "en",
        half_life_days=(365.0, 365.0),
    )


def counts_before(query_keys, query_times, event_keys, event_times) -> tuple[np.ndarray, np.ndarray]:
    """For each query: the number of events of the same key strictly before its time, and the latest such
    event's position in ``np.lexsort((event_times, event_keys))`` order (-1 when there is none)."""
    order = np.lexsort((np.asarray(event_times), np.asarray(event_keys)))
    codes = np.asarray(event_keys, dtype=np.int64)[order] * _TIME_BITS + np.asarray(event_times, np.int64)[order]
    query_keys = np.asarray(query_keys, dtype=np.int64)
    before = np.searchsorted(codes, query_keys * _TIME_BITS + np.asarray(query_times, np.int64), "left")
    first = np.searchsorted(codes, query_keys * _TIME_BITS, "left")
    count = before - first
    return count, np.where(count > 0, before - 1, -1), order


@dataclass
class QueryFeatures:
    """The inputs of M(E, I, F) for a list of (user, item, t) queries; row r is one query.

    user_index, item_index, last_item: int [q] (``last_item`` = n_items when u had no earlier interaction).
    timestamp: int [q].  behavior [q, b] (I), user_emotion [q, e] (E), item_emotion [q, e_i] (the
    queried item's emotion at t), rating: float [q] (NaN when the pair has none).
    """

    user_index: np.ndarray
    item_index: np.ndarray
    last_item: np.ndarray
    timestamp: np.ndarray
    behavior: np.ndarray
    user_emotion: np.ndarray
    item_emotion: np.ndarray
    rating: np.ndarray

    def __len__(self) -> int:
        return len(self.user_index)


def behavior_features(data: ReviewedInteractions, users, times) -> tuple[np.ndarray, np.ndarray]:
    """(I [q, n_types + 1], last item [q]) for users at times (strictly earlier events only)."""
    columns = []
    events = data.events
    latest = np.full(len(users), -np.inf)
    for event in data.event_types:
        rows = events[events["event"] == event]
        count, position, order = counts_before(users, times, rows["user_index"], rows["timestamp"])
        columns.append(np.log1p(count))
        sorted_times = rows["timestamp"].to_numpy()[order]
        latest = np.maximum(latest, np.where(position >= 0, sorted_times[np.maximum(position, 0)], -np.inf))
    days_since = np.where(np.isfinite(latest), (np.asarray(times) - latest) / SECONDS_PER_DAY, 0.0)
    columns.append(np.log1p(np.maximum(days_since, 0.0)))
    history = pd.concat([data.splits[s] for s in ("train", "validation", "test")])
    _, position, order = counts_before(users, times, history["user_index"], history["timestamp"])
    history_items = history["item_index"].to_numpy()[order]
    last_item = np.where(position >= 0, history_items[np.maximum(position, 0)], data.n_items)
    return np.column_stack(columns).astype(np.float32), last_item.astype(np.int64)


def user_emotion(data: ReviewedInteractions, review_scores: np.ndarray, users, times, items=None) -> np.ndarray:
    """E [q, s + 1]: decayed mean review scores of each user before t (own pair excluded when items given)."""
    reviews = data.reviews
    pairs = None if items is None else data.pair_codes(users, items)
    return emotion_states(
        users,
        times,
        reviews["user_index"],
        reviews["timestamp"],
        review_scores,
        data.half_life_days[0],
        query_pairs=pairs,
        review_pairs=data.pair_codes(reviews["user_index"], reviews["item_index"]),
    )


def item_emotion(data: ReviewedInteractions, review_scores: np.ndarray, items, times, users=None) -> np.ndarray:
    """[q, n_scorers + 1]: decayed mean intensity of the reviews each item received before t."""
    reviews = data.reviews
    intensities = intensity_columns(review_scores, review_scores.shape[1] // SCORES_PER_SCORER)
    pairs = None if users is None else data.pair_codes(users, items)
    return emotion_states(
        items,
        times,
        reviews["item_index"],
        reviews["timestamp"],
        intensities,
        data.half_life_days[1],
        query_pairs=pairs,
        review_pairs=data.pair_codes(reviews["user_index"], reviews["item_index"]),
    )


def item_emotion_grid(data: ReviewedInteractions, review_scores: np.ndarray, times) -> np.ndarray:
    """[q, n_items, n_scorers + 1]: every item's emotion at each query time (to rank all items)."""
    times = np.asarray(times)
    items = np.repeat(np.arange(data.n_items), len(times))
    grid = item_emotion(data, review_scores, items, np.tile(times, data.n_items))
    return grid.reshape(data.n_items, len(times), -1).transpose(1, 0, 2)


def query_features(data: ReviewedInteractions, review_scores: np.ndarray, split: str) -> QueryFeatures:
    """The features of every interaction of ``split``, each at its own time."""
    frame = data.splits[split]
    if len(frame) == 0:
        raise DataError(f"{data.name}: the {split} split is empty")
    users, items = frame["user_index"].to_numpy(), frame["item_index"].to_numpy()
    times = frame["timestamp"].to_numpy(np.int64)
    behavior, last_item = behavior_features(data, users, times)
    return QueryFeatures(
        user_index=users,
        item_index=items,
        last_item=last_item,
        timestamp=times,
        behavior=behavior,
        user_emotion=user_emotion(data, review_scores, users, times, items),
        item_emotion=item_emotion(data, review_scores, items, times, users),
        rating=frame["rating"].to_numpy(np.float32) if "rating" in frame else np.full(len(frame), np.nan),
    )


def with_true_mood(data: ReviewedInteractions, features: QueryFeatures) -> QueryFeatures:
    """SIMULATED ground truth: the same queries with E replaced by the user's true mood at t (one column).

    No model can see this; trained in E's place it shows how much a perfect emotion state could add.
    """
    world = data.extras.get("world")
    if world is None:
        raise ValueError(f"{data.name} has no ground truth: the true mood exists only in the simulated world")
    users = data.splits.user_ids[features.user_index]
    mood = np.array([world.mood_at(u, t) for u, t in zip(users, features.timestamp)], dtype=np.float32)
    return QueryFeatures(**{**features.__dict__, "user_emotion": mood[:, None]})
