"""M(E, I, F): ranking metrics by hand, training learns, a planted emotion signal is used; profiles and CLI;
the significance test; the task end to end on the small simulated world."""

import json
import subprocess
import sys

import numpy as np
import pytest
from conftest import REPOSITORY, load_script

from emotion_tf import data
from emotion_tf.emotion_rec.ablation import ablation_rows
from emotion_tf.emotion_rec.features import QueryFeatures, from_simulated_world, query_features
from emotion_tf.emotion_rec.model import Blocks
from emotion_tf.emotion_rec.model_training import EmotionRecSettings, rank_metrics, train_emotion_model
from emotion_tf.emotion_rec.profile_file import load_profiles, profile_of, save_profiles
from emotion_tf.emotion_rec.profiles import build_profiles
from emotion_tf.emotion_rec.review_scores import LexiconScorer, label_of_rating
from emotion_tf.metrics.significance import paired_t_test
from emotion_tf.training.results import ResultRecord

WORLD = dict(
    n_users=150, n_items=60, n_categories=4, sessions_per_user=8, review_language="en", review_mood=1.5, seed=1
)


@pytest.fixture(scope="module")
def reviewed():
    return from_simulated_world(data.load("synthetic", **WORLD).ground_truth)


@pytest.fixture(scope="module")
def lexicon_scores(reviewed):
    train = reviewed.training_reviews()
    return LexiconScorer("en").fit(train["text"], train["label"]).scores(reviewed.reviews["text"])


def test_label_of_rating():
    np.testing.assert_array_equal(label_of_rating([1, 2, 3, 4, 5]), [0, 0, 1, 2, 2])


def test_rank_metrics_by_hand(reviewed):
    user = int(reviewed.splits.test["user_index"].iloc[0])
    seen = reviewed.splits.items_by_user("train", "validation").of(user)
    unseen = np.setdiff1d(np.arange(reviewed.n_items), seen)
    target, other = unseen[0], unseen[1]
    features = QueryFeatures(
        *[np.array([v]) for v in (user, target, 0, 0)], *[np.zeros((1, 1))] * 3, rating=np.array([np.nan])
    )
    scores = np.zeros((1, reviewed.n_items))
    scores[0, seen] = 100.0  # seen items would rank first, but are masked
    scores[0, other], scores[0, target] = 2.0, 1.0  # the held-out item ranks second
    metrics = rank_metrics(scores, reviewed, features, "test", ks=(1, 10))
    assert metrics["recall@1"] == 0 and metrics["recall@10"] == 1.0
    assert metrics["ndcg@10"] == pytest.approx(1 / np.log2(3))
    assert metrics["precision@10"] == pytest.approx(0.1)
    assert metrics["f1@10"] == pytest.approx(2 * 0.1 * 1.0 / 1.1)


def test_training_lowers_the_loss_and_scores_ratings(reviewed, lexicon_scores):
    features = {split: query_features(reviewed, lexicon_scores, split) for split in ("train", "validation", "test")}
    model, scorers, history, _ = train_emotion_model(
        reviewed,
        lexicon_scores,
        features,
        Blocks.of("user+item-emotion"),
        EmotionRecSettings(epochs=4, patience=4, batch_size=256),
    )
    assert history["loss"][-1] < history["loss"][0]
    predicted = scorers["test"].ratings(model)
    assert predicted.shape == (len(features["test"]),) and ((predicted >= 1) & (predicted <= 5)).all()
    assert scorers["test"].scores(model).shape == (len(features["test"]), reviewed.n_items)


def test_a_planted_emotion_signal_is_learned(reviewed, lexicon_scores):
    """Replace E by a planted mood that decides between two halves of the catalogue; only the model that
    reads E can tell which half a query's item comes from."""
    features = {split: query_features(reviewed, lexicon_scores, split) for split in ("train", "validation", "test")}
    half = reviewed.n_items // 2
    for f in features.values():
        f.user_emotion = np.where(f.item_index < half, 1.0, -1.0)[:, None].astype(np.float32)
    settings = EmotionRecSettings(epochs=8, patience=8, batch_size=256, rating_weight=0.0)
    recall = {}
    for variant in ("behavior-only", "user-emotion"):
        model, scorers, _, _ = train_emotion_model(reviewed, lexicon_scores, features, Blocks.of(variant), settings)
        recall[variant] = rank_metrics(scorers["test"].scores(model), reviewed, features["test"], "test")["recall@20"]
    assert recall["user-emotion"] > recall["behavior-only"] + 0.1, recall


def test_paired_t_test_against_hand_computation():
    a, b = np.array([1.0, 2, 3, 4, 5.5]), np.array([1.1, 1.8, 2.5, 3.9, 5.0])
    d = a - b
    result = paired_t_test(a, b)
    assert result["t"] == pytest.approx(d.mean() / (d.std(ddof=1) / np.sqrt(5)))
    # the two-sided 5% critical value of Student's t with 4 degrees of freedom is 2.776445
    offsets = np.array([1.0, -1.0, 2.0, -2.0, 0.0])
    differences = offsets / offsets.std(ddof=1) * np.sqrt(5) + 2.776445  # standard error 1, so t = 2.776445
    assert paired_t_test(differences, np.zeros(5))["p_value"] == pytest.approx(0.05, abs=1e-6)
    assert paired_t_test([1, 2, 3], [1, 2, 3])["p_value"] == 1.0
    with pytest.raises(ValueError, match="paired"):
        paired_t_test([1, 2, 3], [1, 2])


def test_ablation_rows_pair_seeds():
    def record(model, seed, value):
        return ResultRecord(task="t", model=model, dataset="d", split="test", seed=seed, metrics={"recall@20": value})

    records = [record("behavior-only", s, 0.30 + 0.01 * s) for s in range(3)]
    records += [record("user-emotion", s, 0.32 + 0.01 * s + 0.001 * s * s) for s in range(3)]
    rows = {row["model"]: row for row in ablation_rows(records, metrics=("recall@20",))}
    assert rows["behavior-only"]["test"] is None
    assert rows["user-emotion"]["test"]["mean_difference"] == pytest.approx(np.mean([0.02, 0.021, 0.024]))
    assert rows["user-emotion"]["mean"] == pytest.approx(np.mean([0.32, 0.331, 0.344]))


@pytest.fixture(scope="module")
def profiles(reviewed, lexicon_scores):
    features = {split: query_features(reviewed, lexicon_scores, split) for split in ("train", "validation", "test")}
    blocks = Blocks.of("user-emotion")
    model, _, _, _ = train_emotion_model(
        reviewed, lexicon_scores, features, blocks, EmotionRecSettings(epochs=2, patience=2, batch_size=256)
    )
    return build_profiles(model, reviewed, lexicon_scores, blocks, ("lexicon",), k=5)


def test_profiles_join_behavior_emotion_and_recommendations(profiles, reviewed):
    users = profiles["users"]
    assert len(users) == reviewed.splits.n_users
    profile = users[str(reviewed.splits.user_ids[0])]
    seen = set(reviewed.events[reviewed.events["user_index"] == 0]["item_index"])
    recommended = [int(r["item_id"]) for r in profile["recommendations"]]
    assert len(recommended) == 5 and not set(recommended) & set(
        reviewed.splits.items_by_user("train", "validation", "test").of(0)
    )
    assert sum(profile["behavior"][e] for e in reviewed.event_types) == (reviewed.events["user_index"] == 0).sum()
    assert seen  # the user has events
    state = profile["emotion"]["state"]
    assert -1 <= state["lexicon.intensity"] <= 1
    assert profile["emotion"]["label"] in ("negative", "neutral", "positive")
    scores = [r["score"] for r in profile["recommendations"]]
    assert scores == sorted(scores, reverse=True)
    assert profiles["cold_start"]["history"] == "empty"
    # the label follows the sign and size of the emotion's contribution (in the user's score spread)
    labels = {"raised": 0, "lowered": 0, "taste": 0}
    for user in users.values():
        for item in user["recommendations"]:
            sd = item["emotion_contribution_sd"]
            expected = "emotion raised it" if sd > 0.5 else "emotion lowered it" if sd < -0.5 else "taste"
            assert item["driven_by"] == expected
            labels[expected.split()[-2] if expected != "taste" else "taste"] += 1
            assert np.sign(sd) == np.sign(item["emotion_contribution"])
    assert labels["taste"] > 0 and "standard deviations" in profiles["legend"]


def test_profiles_export_and_the_cli(profiles, tmp_path, capsys):
    path = save_profiles(profiles, tmp_path / "profiles.json")
    assert load_profiles(path) == json.loads(json.dumps(profiles))
    with pytest.raises(KeyError, match="unknown user 'nobody'"):
        profile_of(load_profiles(path), "nobody")
    script = [sys.executable, str(REPOSITORY / "scripts" / "user_profile.py")]
    user = next(iter(profiles["users"]))
    shown = subprocess.run(script + [str(path), user], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and f"user {user}" in shown.stdout and "emotion:" in shown.stdout
    # reading and showing profiles needs no TensorFlow: the script answers at once
    probe = "import sys, emotion_tf.emotion_rec.profile_file; print('tensorflow' in sys.modules)"
    assert (
        subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60).stdout.strip()
        == "False"
    )
    # the other cases through the script's main in this process (one TensorFlow start-up is enough)
    cli = load_script("user_profile")
    assert cli.main([str(path), "nobody"]) == 2 and "unknown user 'nobody'" in capsys.readouterr().err
    assert cli.main([str(path), "--new-user"]) == 0
    shown_new = capsys.readouterr().out
    assert "history: empty" in shown_new and "popularity" in shown_new
    assert cli.main([str(tmp_path / "none.json"), user]) == 2 and "none.json" in capsys.readouterr().err
