"""Explanations: integrated gradients are complete and find the planted cue; attention maps; figures."""

import numpy as np
import pytest
import tensorflow as tf

from emotion_tf.sentiment.classifier import SentimentClassifier
from emotion_tf.sentiment.explain import attention_maps, integrated_gradients
from emotion_tf.sentiment.heads import Head
from emotion_tf.sentiment.plots import confusion_matrix_figure, token_scores_figure
from emotion_tf.training.tensorboard import figure_to_image


def planted_english(n, rng):
    """Label 1 iff 'superb' appears; the rest is shared filler."""
    filler = ["the", "film", "was", "plot", "acting", "long", "story", "scene"]
    texts, labels = [], []
    for _ in range(n):
        label = int(rng.integers(2))
        words = list(rng.choice(filler, 5)) + (["superb"] if label else ["boring"])
        rng.shuffle(words)
        texts.append(" ".join(words))
        labels.append(label)
    return texts, np.array(labels)


# the recurrent models share the path integrated gradients takes (through the token embeddings): the LSTM
# stands for the BiLSTM, whose training costs the most here
@pytest.fixture(scope="module", params=["lstm", "transformer"])
def trained(request):
    rng = np.random.default_rng(0)
    x, y = planted_english(400, rng)
    options = dict(dim=16, num_heads=2, ff_dim=32, num_layers=2) if request.param == "transformer" else {}
    classifier = SentimentClassifier(
        request.param,
        Head("binary", ("negative", "positive")),
        language="en",
        sequence_length=12,
        max_epochs=8,
        learning_rate=5e-3,
        batch_size=32,
        **options,
    )
    classifier.fit(x[:300], y[:300], x[300:], y[300:])
    return classifier


def test_integrated_gradients_are_complete_and_find_the_cue(trained):
    tokens, scores, info = integrated_gradients(trained, "the film was superb and the plot long", steps=128)
    assert tokens == ["the", "film", "was", "superb", "[UNK]", "the", "plot", "long"]  # "and" was never seen
    assert info["target"] == 1 and info["probability"] > 0.8
    assert scores.sum() == pytest.approx(info["probability"] - info["baseline_probability"], abs=0.03)
    assert tokens[int(np.argmax(scores))] == "superb"
    # explaining the other class flips the cue's sign
    _, against, _ = integrated_gradients(trained, "the film was superb and the plot long", target=0, steps=128)
    assert against[tokens.index("superb")] < 0


def test_attention_maps(trained):
    if trained.architecture != "transformer":
        with pytest.raises(ValueError, match="need a Transformer"):
            attention_maps(trained, "the film")
        return
    tokens, maps = attention_maps(trained, "the film was boring")
    assert len(maps) == 2 and maps[0].shape == (2, 4, 4)
    # rows over the real tokens sum to 1: padding got no weight
    np.testing.assert_allclose(maps[1].sum(-1), 1.0, atol=1e-5)


def test_figures_become_tensorboard_images():
    image = figure_to_image(confusion_matrix_figure([[5, 1], [2, 7]], ["negative", "positive"]))
    assert image.dtype == tf.uint8 and image.shape[0] == 1 and image.shape[-1] == 4
    image = figure_to_image(token_scores_figure(["很", "好"], [0.1, 0.6]))
    assert image.shape[1] > 50 and image.shape[2] > 50


def test_a_missing_cjk_font_is_reported_once_and_only_for_chinese_figures(monkeypatch):
    import warnings

    from emotion_tf.sentiment import plots

    monkeypatch.setattr(plots, "_HAS_CJK_FONT", False)
    monkeypatch.setattr(plots, "_warned", False)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        token_scores_figure(["good", "film"], [0.1, 0.6])  # no Chinese: nothing to say
        assert not [w for w in caught if "CJK" in str(w.message)]
        token_scores_figure(["很", "好"], [0.1, 0.6])
        token_scores_figure(["太", "差"], [0.1, 0.6])
    assert len([w for w in caught if "no CJK font found" in str(w.message)]) == 1
