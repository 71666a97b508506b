"""A simulated world with known ground truth (SIMULATED DATA: no real user is in it).

Real logs never tell us a user's taste or mood, so we cannot check whether a
model recovers them.  This world is built so that we can:

* **Users** have a latent taste vector ``taste[u]`` (dimension ``taste_dim``)
  and a mood in [-1, 1] that drifts from session to session around a personal
  baseline (an AR(1) process squashed by tanh):
  ``z[u, k] = baseline[u] + persistence * (z[u, k-1] - baseline[u]) + mood_noise * eps``,
  ``mood[u, k] = tanh(z[u, k])``.
* **Items** belong to a category, have a latent vector (category centroid plus
  noise), a quality, a price, and a mood affinity ``affinity[i]`` in [-1, 1]:
  how much more the item appeals in a good mood (> 0) or a bad one (< 0).
* **Utility** of item i to user u in mood m:
  ``utility = taste[u] . vector[i] + quality_weight * quality[i] + mood_effect * m * affinity[i]``.
* **Events** per session: ``views_per_session`` distinct items are viewed,
  drawn by the Gumbel-max trick in proportion to exp(utility); each view is
  clicked with probability sigmoid(utility + click_bias); a click goes to the
  cart with sigmoid(utility + mood_purchase * m + cart_bias); a cart is bought
  with sigmoid(utility + mood_purchase * m - price_weight * log price + buy_bias).
  So both taste and the current mood drive behaviour.
* **Ratings and reviews** follow each purchase: satisfaction
  ``s = utility + 0.5 * quality + review_mood * m - satisfaction_centre + noise``; stars 1..5 cut ``s`` at
  fixed thresholds; the true sentiment intensity is ``tanh(s - neutral_point)``
  in [-1, 1].  The review text, in Chinese or English, is written from the
  sentiment lexicon in ``emotion_tf.data.review_writer``: each clause's wording is
  drawn from the intensity band of the true intensity, so the text carries
  both polarity and strength.

Everything is drawn from one ``numpy.random.Generator`` seeded by ``seed``,
so the same arguments always give the same world.  Generation is vectorised
and done in chunks of sessions, so about a million events fit comfortably in
memory.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import pandas as pd

from emotion_tf.data.dataset import Dataset, DatasetInfo
from emotion_tf.data.review_writer import write_review

EVENTS = ("view", "click", "cart", "purchase")
SENTIMENT_LABELS = ("negative", "neutral", "positive")
CATEGORY_NAMES = (
    ("books", "书籍"),
    ("phones", "手机"),
    ("fruit", "水果"),
    ("clothes", "衣服"),
    ("computers", "电脑"),
    ("snacks", "零食"),
    ("toys", "玩具"),
    ("home goods", "家居"),
    ("music gear", "乐器"),
    ("cosmetics", "化妆品"),
    ("sports gear", "运动用品"),
    ("games", "游戏"),
)
START_TIME = 1_704_067_200  # 2024-01-01T00:00:00Z
STAR_THRESHOLDS = (-1.0, -0.2, 0.5, 1.3)  # satisfaction cut points for 2, 3, 4, 5 stars
NEUTRAL_POINT = 0.15  # satisfaction at which the true intensity is zero (middle of the 3-star band)


@dataclass(frozen=True)
class WorldConfig:
    """Sizes and effect strengths of the simulated world (see the module docstring)."""

    n_users: int = 500
    n_items: int = 300
    n_categories: int = 8
    sessions_per_user: int = 20
    views_per_session: int = 6
    taste_dim: int = 8
    mood_persistence: float = 0.8
    mood_noise: float = 0.5
    mood_effect: float = 1.5
    mood_purchase: float = 1.0
    quality_weight: float = 0.5
    price_weight: float = 0.3
    click_bias: float = -1.5
    cart_bias: float = -1.0
    buy_bias: float = 0.0
    mean_days_between_sessions: float = 2.0
    satisfaction_centre: float = 1.5
    review_mood: float = 0.5  # how strongly the writer's mood colours a review (weight of m in s)
    review_language: str = "both"  # "en", "zh" or "both" (each user writes in one language)
    seed: int = 0

    def __post_init__(self):
        for name in ("n_users", "n_items", "n_categories", "sessions_per_user", "views_per_session", "taste_dim"):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be at least 1, got {getattr(self, name)}")
        if self.views_per_session > self.n_items:
            raise ValueError(f"views_per_session ({self.views_per_session}) exceeds n_items ({self.n_items})")
        if self.n_categories > len(CATEGORY_NAMES):
            raise ValueError(f"n_categories must be at most {len(CATEGORY_NAMES)}, got {self.n_categories}")
        if self.review_language not in ("en", "zh", "both"):
            raise ValueError(f"review_language must be 'en', 'zh' or 'both', got {self.review_language!r}")
        if not 0 <= self.mood_persistence < 1:
            raise ValueError(f"mood_persistence must be in [0, 1), got {self.mood_persistence}")


@dataclass
class SyntheticWorld:
    """The generated world: tables a model may read, and the ground truth it may not.

    Tables (what a model sees):
      users: user_id, language.
      items: item_id, category, category_name, category_name_zh, price.
      events: user_id, item_id, event (view/click/cart/purchase), timestamp, session.
      interactions: the click-or-stronger events (implicit feedback).
      reviews: user_id, item_id, timestamp, rating (1..5), text, language,
        label (0 negative / 1 neutral / 2 positive, from the stars).

    Ground truth (what tests and notebooks check models against):
      taste [n_users, taste_dim], item_vectors [n_items, taste_dim],
      quality [n_items], affinity [n_items], mood_baseline [n_users],
      session_mood [n_users, sessions_per_user], session_time (same shape),
      and on the tables: events.mood, reviews.satisfaction, reviews.intensity.
    """

    config: WorldConfig
    users: pd.DataFrame
    items: pd.DataFrame
    events: pd.DataFrame
    reviews: pd.DataFrame
    taste: np.ndarray
    item_vectors: np.ndarray
    quality: np.ndarray
    affinity: np.ndarray
    mood_baseline: np.ndarray
    session_mood: np.ndarray
    session_time: np.ndarray

    @property
    def interactions(self) -> pd.DataFrame:
        return self.events[self.events["event"] != "view"].reset_index(drop=True)

    def utility(self, users, items, mood) -> np.ndarray:
        """True utility of ``items`` to ``users`` in ``mood`` (arrays broadcast together)."""
        return _utility(
            self.config,
            self.taste,
            self.item_vectors,
            self.quality,
            self.affinity,
            np.asarray(users),
            np.asarray(items),
            np.asarray(mood),
        )

    def mood_at(self, user: int, timestamp: int) -> float:
        """The user's true mood at a time: that of the latest session started at or before it."""
        k = np.searchsorted(self.session_time[user], timestamp, side="right") - 1
        return float(self.session_mood[user, max(k, 0)])

    def as_dataset(self) -> Dataset:
        info = DatasetInfo(
            key="synthetic",
            kind="interactions",
            language=self.config.review_language,
            labels=SENTIMENT_LABELS,
            simulated=True,
            description=(
                "SIMULATED world with known ground truth: users with tastes and drifting moods, "
                "typed events, ratings and generated reviews"
            ),
            source=f"emotion_tf.data.synthetic.generate({asdict(self.config)})",
            licence="generated by the project; no real users",
            citation="",
        )
        tables = {
            "users": self.users,
            "items": self.items,
            "events": self.events,
            "interactions": self.interactions,
            "reviews": self.reviews,
        }
        return Dataset(info=info, tables=tables, ground_truth=self, extras={"config": self.config})


def _sigmoid(x):
    return 1.0 / (1.0 + np.exp(-x))


def _utility(c: WorldConfig, taste, item_vectors, quality, affinity, users, items, mood) -> np.ndarray:
    """taste[u] . vector[i] + quality_weight * quality[i] + mood_effect * mood * affinity[i]."""
    return (
        np.sum(taste[users] * item_vectors[items], axis=-1)
        + c.quality_weight * quality[items]
        + c.mood_effect * mood * affinity[items]
    )


def generate(chunk_sessions: int = 4096, **options) -> SyntheticWorld:
    """Generate a world; ``options`` are ``WorldConfig`` fields (``n_users``, ``seed``, ...)."""
    c = WorldConfig(**options)
    rng = np.random.default_rng(c.seed)
    U, I, K, d = c.n_users, c.n_items, c.sessions_per_user, c.taste_dim

    # Items: category centroids give items of one category similar vectors.
    centroids = rng.normal(0.0, 1.0, (c.n_categories, d)) / np.sqrt(d)
    category = rng.integers(0, c.n_categories, I)
    item_vectors = centroids[category] + rng.normal(0.0, 0.5, (I, d)) / np.sqrt(d)
    quality = rng.normal(0.0, 0.5, I)
    price = np.round(np.exp(rng.normal(3.5, 0.8, I)), 2)
    category_affinity = rng.uniform(-1.0, 1.0, c.n_categories)
    affinity = np.clip(category_affinity[category] + rng.normal(0.0, 0.3, I), -1.0, 1.0)

    # Users: taste near a favourite category, a mood baseline, a language.
    favourite = rng.integers(0, c.n_categories, U)
    taste = centroids[favourite] * 1.5 + rng.normal(0.0, 0.7, (U, d)) / np.sqrt(d)
    mood_baseline = rng.normal(0.0, 0.4, U)
    languages = {
        "en": np.array(["en"] * U),
        "zh": np.array(["zh"] * U),
        "both": np.where(rng.random(U) < 0.5, "en", "zh"),
    }[c.review_language]

    # Moods drift session by session (AR(1) around the baseline, squashed into [-1, 1]).
    latent = np.empty((U, K))
    latent[:, 0] = mood_baseline + rng.normal(0.0, c.mood_noise, U)
    for k in range(1, K):
        latent[:, k] = (
            mood_baseline
            + c.mood_persistence * (latent[:, k - 1] - mood_baseline)
            + c.mood_noise * rng.normal(0.0, 1.0, U)
        )
    session_mood = np.tanh(latent)
    gaps = rng.exponential(c.mean_days_between_sessions * 86_400, (U, K))
    session_time = (START_TIME + np.cumsum(gaps, axis=1)).astype(np.int64)

    # Views: Gumbel-max top-k over utility, in chunks of sessions to bound memory.
    session_user = np.repeat(np.arange(U), K)
    session_index = np.tile(np.arange(K), U)
    mood_flat = session_mood.reshape(-1)
    viewed = np.empty((U * K, c.views_per_session), dtype=np.int64)
    for start in range(0, U * K, chunk_sessions):
        stop = min(start + chunk_sessions, U * K)
        # the utility formula of _utility, for every item at once: [sessions in chunk, I]
        scores = (
            taste[session_user[start:stop]] @ item_vectors.T
            + c.quality_weight * quality
            + c.mood_effect * mood_flat[start:stop, None] * affinity
        )
        scores += rng.gumbel(size=scores.shape)
        top = np.argpartition(-scores, c.views_per_session - 1, axis=1)[:, : c.views_per_session]
        viewed[start:stop] = np.take_along_axis(
            top, np.argsort(-np.take_along_axis(scores, top, axis=1), axis=1), axis=1
        )

    view_user = np.repeat(session_user, c.views_per_session)
    view_session = np.repeat(session_index, c.views_per_session)
    view_item = viewed.reshape(-1)
    view_mood = np.repeat(mood_flat, c.views_per_session)
    utility = _utility(c, taste, item_vectors, quality, affinity, view_user, view_item, view_mood)
    n_views = len(view_item)
    view_position = np.arange(n_views) % c.views_per_session
    click = rng.random(n_views) < _sigmoid(utility + c.click_bias)
    cart = click & (rng.random(n_views) < _sigmoid(utility + c.mood_purchase * view_mood + c.cart_bias))
    buy = cart & (
        rng.random(n_views)
        < _sigmoid(utility + c.mood_purchase * view_mood - c.price_weight * np.log(price[view_item]) + c.buy_bias)
    )
    stage = click.astype(np.int64) + cart + buy  # 0 view, 1 click, 2 cart, 3 purchase

    # One event row per stage reached, a minute apart within the session.
    repeats = stage + 1
    rows = np.repeat(np.arange(n_views), repeats)
    step = np.arange(len(rows)) - np.repeat(np.cumsum(repeats) - repeats, repeats)
    position = view_position[rows]
    timestamp = session_time[view_user[rows], view_session[rows]] + 300 * position + 60 * step
    events = pd.DataFrame(
        {
            "user_id": view_user[rows],
            "item_id": view_item[rows],
            "event": pd.Categorical.from_codes(step, EVENTS),
            "timestamp": timestamp.astype(np.int64),
            "session": view_session[rows],
            "mood": view_mood[rows],
        }
    )

    # Ratings and reviews for purchases.
    bought = np.flatnonzero(buy)
    satisfaction = (
        utility[bought]
        + 0.5 * quality[view_item[bought]]
        + c.review_mood * view_mood[bought]
        - c.satisfaction_centre
        + rng.normal(0.0, 0.5, len(bought))
    )
    rating = 1 + np.searchsorted(np.array(STAR_THRESHOLDS), satisfaction)
    intensity = np.tanh(satisfaction - NEUTRAL_POINT)
    review_language = languages[view_user[bought]]
    texts = [
        write_review(float(x), lang, CATEGORY_NAMES[category[item]][0 if lang == "en" else 1], rng)
        for x, lang, item in zip(intensity, review_language, view_item[bought])
    ]
    bought_time = session_time[view_user[bought], view_session[bought]] + 300 * view_position[bought] + 600
    reviews = pd.DataFrame(
        {
            "user_id": view_user[bought],
            "item_id": view_item[bought],
            "timestamp": bought_time.astype(np.int64),
            "rating": rating.astype(np.int64),
            "text": texts,
            "language": review_language,
            "label": np.select([rating <= 2, rating == 3], [0, 1], 2).astype(np.int64),
            "satisfaction": satisfaction,
            "intensity": intensity,
            "mood": view_mood[bought],
        }
    )

    users = pd.DataFrame({"user_id": np.arange(U), "language": languages})
    items = pd.DataFrame(
        {
            "item_id": np.arange(I),
            "category": category,
            "category_name": [CATEGORY_NAMES[x][0] for x in category],
            "category_name_zh": [CATEGORY_NAMES[x][1] for x in category],
            "price": price,
        }
    )
    return SyntheticWorld(
        config=c,
        users=users,
        items=items,
        events=events,
        reviews=reviews,
        taste=taste,
        item_vectors=item_vectors,
        quality=quality,
        affinity=affinity,
        mood_baseline=mood_baseline,
        session_mood=session_mood,
        session_time=session_time,
    )
