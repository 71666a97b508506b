"""The simulated world: deterministic by seed, sized by arguments, and its ground truth is real.

These tests check that what the world claims to plant is really in the data
(mood drives behaviour, taste drives choice, review wording carries the
intensity), so that later models can be checked against it.
"""

import numpy as np
import pandas as pd
import pytest

from emotion_tf import data
from emotion_tf.data import synthetic
from emotion_tf.data.review_writer import PHRASES, band_of
from emotion_tf.metrics import spearman


@pytest.fixture(scope="module")
def world():
    return synthetic.generate(n_users=300, n_items=200, sessions_per_user=20, seed=3)


def test_same_seed_same_world_other_seed_other_world(world):
    again = synthetic.generate(n_users=300, n_items=200, sessions_per_user=20, seed=3)
    pd.testing.assert_frame_equal(world.events, again.events)
    pd.testing.assert_frame_equal(world.reviews, again.reviews)
    other = synthetic.generate(n_users=300, n_items=200, sessions_per_user=20, seed=4)
    assert not np.allclose(world.taste, other.taste)


def test_sizes_follow_arguments(world):
    c = world.config
    views = world.events[world.events["event"] == "view"]
    assert len(views) == c.n_users * c.sessions_per_user * c.views_per_session
    assert world.taste.shape == (300, c.taste_dim) and world.item_vectors.shape == (200, c.taste_dim)
    assert world.session_mood.shape == (300, 20)
    assert np.all(np.abs(world.session_mood) <= 1)
    # funnel: every click was a view, every purchase a cart, and each purchase has one review
    counts = world.events["event"].value_counts()
    assert counts["view"] >= counts["click"] >= counts["cart"] >= counts["purchase"] == len(world.reviews)
    # distinct items within a session
    assert not views.duplicated(["user_id", "session", "item_id"]).any()


def test_time_order_and_moods_on_events(world):
    user0 = world.events[world.events["user_id"] == 0]
    assert user0["timestamp"].is_monotonic_increasing
    row = user0.iloc[-1]
    assert row["mood"] == pytest.approx(world.mood_at(0, row["timestamp"]))


def test_mood_drives_purchases(world):
    """Planted: a good mood raises cart and purchase probability."""
    views = world.events[world.events["event"] == "view"]
    bought = world.events[world.events["event"] == "purchase"][["user_id", "session", "item_id"]]
    views = views.merge(bought.assign(bought=1), how="left").fillna({"bought": 0})
    good, bad = views[views["mood"] > 0.3], views[views["mood"] < -0.3]
    assert good["bought"].mean() > bad["bought"].mean() + 0.03


def test_taste_drives_choice(world):
    """Planted: clicked items have higher true utility than viewed-but-not-clicked ones."""
    events = world.events
    views = events[events["event"] == "view"]
    clicked = events[events["event"] == "click"][["user_id", "session", "item_id"]].assign(clicked=True)
    views = views.merge(clicked, how="left").fillna({"clicked": False})
    utility = world.utility(views["user_id"].to_numpy(), views["item_id"].to_numpy(), views["mood"].to_numpy())
    assert utility[views["clicked"].to_numpy(bool)].mean() > utility[~views["clicked"].to_numpy(bool)].mean() + 0.3


def lexicon_score(text: str, language: str) -> float:
    """Mean band value of the lexicon phrases found in a text (independent of the writer's code path)."""
    values = {
        "strong_negative": -0.85,
        "medium_negative": -0.5,
        "weak_negative": -0.25,
        "neutral": 0.0,
        "weak_positive": 0.25,
        "medium_positive": 0.5,
        "strong_positive": 0.85,
    }
    found = [values[band] for band, phrases in PHRASES[language].items() for p in phrases if p in text]
    return float(np.mean(found)) if found else 0.0


def test_review_wording_carries_intensity(world):
    reviews = world.reviews
    assert set(reviews["language"]) == {"en", "zh"}
    scores = [lexicon_score(t, lang) for t, lang in zip(reviews["text"], reviews["language"])]
    assert spearman(scores, reviews["intensity"]) > 0.85
    zh = reviews[reviews["language"] == "zh"]["text"]
    assert zh.str.contains(r"[\u4e00-\u9fff]").all()
    # stars follow satisfaction, labels follow stars
    assert spearman(reviews["rating"], reviews["satisfaction"]) > 0.9
    assert ((reviews["rating"] >= 4) == (reviews["label"] == 2)).all()
    assert band_of(0.0) == "neutral" and band_of(-0.9) == "strong_negative" and band_of(0.4) == "medium_positive"


def test_load_synthetic_is_marked_simulated():
    dataset = data.load("synthetic", n_users=20, n_items=30, sessions_per_user=3, seed=0)
    assert dataset.info.simulated and "SIMULATED" in dataset.info.description
    assert set(dataset.tables) == {"users", "items", "events", "interactions", "reviews"}
    assert (dataset["interactions"]["event"] != "view").all()
    assert dataset.ground_truth.taste.shape[0] == 20


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="views_per_session"):
        synthetic.generate(n_items=3, views_per_session=5)
    with pytest.raises(ValueError, match="n_users must be at least 1"):
        synthetic.generate(n_users=0)
    with pytest.raises(ValueError, match="review_language"):
        synthetic.generate(review_language="fr")
    with pytest.raises(TypeError):
        synthetic.generate(n_user=3)
