"""Behaviour checks: the pass rates of scorers whose answers are known by hand."""

import pytest

from emotion_tf.sentiment.checklist import CHECKS, Check, checks_for, run_checks


def test_a_constant_score_passes_only_the_positive_sign_checks():
    summary = run_checks(lambda texts: [0.5] * len(texts), "en")
    english = checks_for("en")
    assert len(english) == 19
    # +0.5 everywhere: the 3 "positive" checks pass; "negative" fail, and ties fail every directional check
    assert summary["pass_rate"] == pytest.approx(3 / 19)
    assert summary["pass_rate_intensifier"] == 0.0 and summary["pass_rate_contrast"] == pytest.approx(1 / 3)
    assert len(summary["results"]) == 19


def test_a_scorer_that_reads_only_the_last_word():
    words = {"awful": -1.0, "wonderful": 1.0, "it.": 1.0}

    def last_word(texts):
        return [words.get(text.split()[-1], -0.1) for text in texts]

    summary = run_checks(last_word, "en")
    # "...I want my money back." scores -0.1 (negative: passes), "...I loved it." +1 (positive: passes)
    assert summary["pass_rate_long-verdict"] == 1.0
    results = {text: passed for _, text, _, _, _, _, passed in summary["results"]}
    assert results["not good"] and not results["not bad at all"]  # -0.1 everywhere but the planted words


def test_checks_are_well_formed():
    assert {check.language for check in CHECKS} == {"en", "zh"}
    assert len(checks_for("zh")) == 15
    with pytest.raises(ValueError, match="need 'than'"):
        Check("negation", "en", "not bad", "above")
    with pytest.raises(ValueError, match="expect must be"):
        Check("negation", "en", "not bad", "neutral")
    with pytest.raises(ValueError, match="no behaviour checks for language 'fr'"):
        checks_for("fr")
