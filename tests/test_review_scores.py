"""Review scorers of the emotion-driven recommender: star heads give an intensity that measures strength."""

import numpy as np
import pytest
from tiny_bert import write_checkpoint

from emotion_tf.emotion_rec.review_scores import ClassifierScorer
from emotion_tf.metrics.regression import spearman
from emotion_tf.sentiment.heads import Head, three_way_of_stars
from emotion_tf.text.valence import STAR_LABELS


def test_star_head_intensity_is_the_expected_rating_rescaled():
    head = Head("multiclass", STAR_LABELS)
    probabilities = np.array(
        [[1, 0, 0, 0, 0], [0, 0, 1, 0, 0], [0.5, 0, 0, 0, 0.5], [0, 0, 0, 0.5, 0.5], [0.2, 0.2, 0.2, 0.2, 0.2]]
    )
    # (E[stars] - 3) / 2: E = 1, 3, 3, 4.5, 3
    np.testing.assert_allclose(head.intensity(probabilities), [-1.0, 0.0, 0.0, 0.75, 0.0])
    np.testing.assert_allclose(
        three_way_of_stars(probabilities), [[1, 0, 0], [0, 1, 0], [0.5, 0, 0.5], [0, 0, 1], [0.4, 0.2, 0.4]]
    )


CUES = {1: "terrible", 2: "bad", 3: "slow", 4: "good", 5: "great"}


def planted_reviews(n, seed):
    """A review's star rating is told by one cue word among filler."""
    rng = np.random.default_rng(seed)
    filler = ["the", "food", "service", "was", "it", "today", "so"]
    stars = rng.integers(1, 6, size=n)
    texts = []
    for star in stars:
        words = list(rng.choice(filler, size=4))
        words.insert(int(rng.integers(5)), CUES[int(star)])
        texts.append(" ".join(words))
    return texts, stars


@pytest.mark.parametrize("architecture", ["lstm", "bert"])
def test_a_star_scorer_ranks_reviews_by_their_stars(architecture, tmp_path):
    checkpoint = (
        write_checkpoint(tmp_path / "tiny", config_overrides={"hidden_dropout_prob": 0.0, "num_hidden_layers": 1})
        if architecture == "bert"
        else None
    )
    train_texts, train_stars = planted_reviews(400, seed=0)
    test_texts, test_stars = planted_reviews(100, seed=1)
    scorer = ClassifierScorer(
        architecture,
        "en",
        max_epochs=10,
        sequence_length=12,
        target="stars",
        checkpoint=checkpoint,
        learning_rate=3e-3 if architecture == "bert" else 1e-2,
    )
    assert scorer.name == f"{architecture}-stars" and scorer.target_column == "rating"
    scorer.fit(train_texts, train_stars, test_texts[:50], test_stars[:50], seed=0)
    scores = scorer.scores(test_texts)
    assert scores.shape == (100, 4)
    np.testing.assert_allclose(scores[:, :3].sum(1), 1.0, atol=1e-5)
    assert spearman(scores[:, 3], test_stars) > 0.8
    means = [scores[test_stars == star, 3].mean() for star in range(1, 6)]
    assert means[0] < means[2] < means[4]  # a mild review lands between a furious and a glowing one


def test_intensity_columns_pick_each_scorers_intensity_from_the_named_layout():
    from emotion_tf.emotion_rec.review_scores import SCORE_NAMES, intensity_columns

    # two scorers side by side, then one extra column (as an emotion state has): intensities 0.5 and -0.25
    scores = np.array([[0.2, 0.3, 0.5, 0.5, 0.6, 0.3, 0.1, -0.25, 7.0]])
    assert SCORE_NAMES[-1] == "intensity"
    np.testing.assert_array_equal(intensity_columns(scores, 2), [[0.5, -0.25]])
    with pytest.raises(ValueError, match="fewer than 3 blocks"):
        intensity_columns(scores, 3)
