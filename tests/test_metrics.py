"""Metrics against small cases computed by hand."""

import math
import time

import numpy as np
import pytest

from emotion_tf.data.splits import UserItemSets
from emotion_tf.metrics import (
    choose_threshold,
    classification_report,
    confusion_matrix,
    evaluate_ranking,
    mae,
    multilabel_report,
    pearson,
    ranking_metrics_from_top_k,
    rmse,
    spearman,
)
from emotion_tf.metrics.ranking import top_k_items
from emotion_tf.metrics.regression import average_ranks


def test_classification_by_hand():
    y_true = [0, 0, 0, 1, 1, 2]
    y_pred = [0, 0, 1, 1, 2, 2]
    assert confusion_matrix(y_true, y_pred, 3).tolist() == [[2, 1, 0], [0, 1, 1], [0, 0, 1]]
    report = classification_report(y_true, y_pred, labels=["a", "b", "c"])
    assert report["accuracy"] == pytest.approx(4 / 6)
    # class a: P 2/2, R 2/3; b: P 1/2, R 1/2; c: P 1/2, R 1/1
    f1 = [2 * 1 * (2 / 3) / (1 + 2 / 3), 0.5, 2 * 0.5 * 1 / 1.5]
    assert report["per_class"]["a"] == {
        "precision": 1.0,
        "recall": pytest.approx(2 / 3),
        "f1": pytest.approx(f1[0]),
        "support": 3,
    }
    assert report["macro_precision"] == pytest.approx((1 + 0.5 + 0.5) / 3)
    assert report["macro_recall"] == pytest.approx((2 / 3 + 0.5 + 1) / 3)
    assert report["macro_f1"] == pytest.approx(sum(f1) / 3)
    assert report["micro_f1"] == pytest.approx(report["accuracy"])


def test_class_never_predicted_scores_zero_not_nan():
    report = classification_report([0, 1, 1], [1, 1, 1], n_classes=2)
    assert report["per_class"]["0"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 1}


def test_classification_bad_input():
    with pytest.raises(ValueError, match="empty"):
        classification_report([], [])
    with pytest.raises(ValueError, match="outside 0..1"):
        classification_report([0, 2], [0, 1], n_classes=2)
    with pytest.raises(ValueError, match="one length"):
        classification_report([0, 1], [0])


def test_multilabel_by_hand_and_threshold():
    truth = np.array([[1, 0, 1], [0, 1, 0]])
    predicted = np.array([[1, 1, 0], [0, 1, 0]])
    report = multilabel_report(truth, predicted)
    # pooled: TP 2, FP 1, FN 1 -> P = R = F1 = 2/3
    assert report["micro_f1"] == pytest.approx(2 / 3)
    # per label F1: 1, 2/3, 0
    assert report["macro_f1"] == pytest.approx((1 + 2 / 3 + 0) / 3)
    assert report["exact_match"] == 0.5
    probabilities = np.array([[0.9, 0.2, 0.6], [0.1, 0.7, 0.3]])
    threshold = choose_threshold(truth, probabilities, grid=[0.25, 0.5, 0.65])
    assert threshold == 0.5  # 0.5 recovers truth exactly; 0.25 adds a false positive; 0.65 loses one


def test_ranking_metrics_by_hand():
    # user 0 holds out {1, 3}; ranked list [3, 0, 1]: hits at ranks 1 and 3
    relevant = np.array([[False, True, False, True, False]])
    values = ranking_metrics_from_top_k(np.array([[3, 0, 1]]), relevant, np.array([2]))
    assert values["recall"][0] == 1.0
    assert values["precision"][0] == pytest.approx(2 / 3)
    assert values["hit_rate"][0] == 1.0
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    idcg = 1 / math.log2(2) + 1 / math.log2(3)
    assert values["ndcg"][0] == pytest.approx(dcg / idcg)


def test_evaluate_ranking_masks_skips_and_batches():
    n_items = 6
    scores = np.array([[6, 5, 4, 3, 2, 1], [1, 2, 3, 4, 5, 6], [1, 1, 1, 1, 1, 1]], dtype=float)
    heldout = UserItemSets.from_pairs(np.array([0, 0, 1]), np.array([2, 5, 0]), 3)  # user 2: nothing held out
    exclude = UserItemSets.from_pairs(np.array([0, 0, 1]), np.array([0, 1, 5]), 3)

    def score_users(users):
        return scores[users]

    result = evaluate_ranking(score_users, heldout, exclude, n_items, ks=(1, 2))
    # user 0: items 0, 1 masked -> top [2, 3]: recall@1 1/2, recall@2 1/2
    # user 1: item 5 masked -> top [4, 3]: item 0 not found
    assert result["users"] == 2
    assert result["recall@1"] == pytest.approx((0.5 + 0) / 2)
    assert result["hit_rate@2"] == pytest.approx(0.5)
    assert result["ndcg@1"] == pytest.approx(0.5)
    # one user per batch gives the same numbers
    tiny = evaluate_ranking(score_users, heldout, exclude, n_items, ks=(1, 2), memory_budget_bytes=1)
    assert tiny == result


def test_top_k_breaks_ties_by_item_order_like_a_full_stable_sort():
    rng = np.random.default_rng(0)
    # few distinct values, so most k-th places are tied; -inf as a masked item is
    scores = rng.integers(0, 4, size=(60, 40)).astype(np.float32)
    scores[rng.random(scores.shape) < 0.2] = -np.inf
    for k in (1, 5, 17, 40):
        assert np.array_equal(top_k_items(scores, k), np.argsort(-scores, axis=1, kind="stable")[:, :k]), k
    # popularity with ties: the lower item number wins, whatever the CPU's selection algorithm does
    assert top_k_items(np.array([[1.0, 3.0, 1.0, 1.0, 3.0]]), 3).tolist() == [[1, 4, 0]]


def test_a_ranking_with_ties_scores_by_item_order():
    heldout = UserItemSets.from_pairs(np.array([0, 1]), np.array([0, 3]), 2)
    result = evaluate_ranking(lambda u: np.ones((len(u), 4)), heldout, None, 4, ks=(1,))
    assert result["recall@1"] == 0.5  # all tied: item 0 first for both users, user 0's held-out item


def test_masked_items_never_count_as_hits():
    heldout = UserItemSets.from_pairs(np.array([0]), np.array([0]), 1)
    exclude = UserItemSets.from_pairs(np.array([0]), np.array([0]), 1)  # the same item
    result = evaluate_ranking(lambda u: np.array([[9.0, 0.0, 0.0]]), heldout, exclude, 3, ks=(1,))
    assert result["recall@1"] == 0.0


def test_ranking_bad_input():
    heldout = UserItemSets.from_pairs(np.array([0]), np.array([0]), 1)
    with pytest.raises(ValueError, match="exceeds the number of items"):
        evaluate_ranking(lambda u: np.zeros((len(u), 3)), heldout, None, 3, ks=(5,))
    with pytest.raises(ValueError, match="shape"):
        evaluate_ranking(lambda u: np.zeros((len(u), 2)), heldout, None, 3, ks=(1,))
    with pytest.raises(ValueError, match="NaN scores for 1 users \\(first: user 0\\)"):
        evaluate_ranking(lambda u: np.full((len(u), 3), np.nan), heldout, None, 3, ks=(1,))
    empty = UserItemSets.from_pairs(np.array([], dtype=int), np.array([], dtype=int), 1)
    with pytest.raises(ValueError, match="no user has a held-out item"):
        evaluate_ranking(lambda u: np.zeros((len(u), 3)), empty, None, 3, ks=(1,))


def test_regression_by_hand():
    y, y_hat = [1.0, 2.0, 3.0, 4.0], [1.0, 3.0, 2.0, 4.0]
    assert rmse(y, y_hat) == pytest.approx(math.sqrt(2 / 4))
    assert mae(y, y_hat) == pytest.approx(0.5)
    # centred y: -1.5 -.5 .5 1.5; centred y_hat: -1.5 .5 -.5 1.5 -> cov 2.25-.25-.25+2.25 = 4, var 5 each
    assert pearson(y, y_hat) == pytest.approx(4 / 5)
    assert average_ranks([10, 20, 20, 30]).tolist() == [1.0, 2.5, 2.5, 4.0]
    assert spearman([1, 2, 2, 3], [1, 3, 3, 2]) == pytest.approx(pearson([1, 2.5, 2.5, 4], [1, 3.5, 3.5, 2]))
    assert spearman([1, 2, 3], [10, 100, 1000]) == pytest.approx(1.0)
    assert math.isnan(pearson([1, 1, 1], [1, 2, 3]))
    with pytest.raises(ValueError, match="shapes differ"):
        rmse([1, 2], [1])


def test_class_thresholds_maximise_each_labels_f1_by_hand():
    from emotion_tf.metrics import choose_class_thresholds, thresholded_multilabel_reports

    # label 0 is separated at 0.7, label 1 (rare, low scores) at 0.2: one global threshold cannot serve both
    truth = np.array([[1, 0], [1, 0], [0, 1], [0, 0], [0, 0]])
    probabilities = np.array([[0.9, 0.1], [0.8, 0.1], [0.6, 0.25], [0.65, 0.1], [0.1, 0.15]])
    thresholds = choose_class_thresholds(truth, probabilities, grid=[0.2, 0.5, 0.7])
    np.testing.assert_allclose(thresholds, [0.7, 0.2])
    reports, extra = thresholded_multilabel_reports(
        {"validation": truth, "test": truth}, {"validation": probabilities, "test": probabilities}
    )
    assert reports["test"]["macro_f1_class_thresholds"] == pytest.approx(1.0)
    assert reports["test"]["macro_f1"] < 1.0 and 0.05 <= extra["threshold"] <= 0.95


def test_macro_threshold_serves_a_rare_label_that_the_micro_threshold_misses_by_hand():
    from emotion_tf.metrics import choose_threshold, thresholded_multilabel_reports

    # label 0: 4 positives scored 0.8, 3 negatives 0.41; label 1: 1 positive scored 0.43, negatives 0.1.
    # At 0.5: label 0 perfect, label 1 missed -> micro F1 = 2*4 / (2*4 + 1) = 8/9, macro F1 = 1/2.
    # At 0.35: label 0 gains 3 false positives (P 4/7, R 1: F1 8/11), label 1 perfect
    #   -> micro F1 = 2*5 / (2*5 + 3) = 10/13, macro F1 = (8/11 + 1) / 2 = 19/22.
    truth = np.array([[1, 0]] * 4 + [[0, 1]] + [[0, 0]] * 2)
    probabilities = np.array([[0.8, 0.1]] * 4 + [[0.41, 0.43]] + [[0.41, 0.1]] * 2)
    grid = [0.35, 0.5]
    assert choose_threshold(truth, probabilities, grid) == 0.5
    assert choose_threshold(truth, probabilities, grid, metric="macro_f1") == 0.35
    with pytest.raises(ValueError, match="metric"):
        choose_threshold(truth, probabilities, grid, metric="accuracy")
    reports, extra = thresholded_multilabel_reports(
        {"validation": truth, "test": truth}, {"validation": probabilities, "test": probabilities}
    )
    # default grid: 0.15 .. 0.40 all give macro F1 19/22 (the first wins); the micro choice is 0.45 .. 0.8
    assert extra["macro_threshold"] == pytest.approx(0.15)
    assert reports["test"]["macro_f1_macro_threshold"] == pytest.approx(19 / 22)
    assert 0.45 - 1e-9 <= extra["threshold"] <= 0.8 + 1e-9
    assert reports["test"]["macro_f1"] == pytest.approx(0.5)
    assert reports["test"]["micro_f1"] == pytest.approx(8 / 9)


def _scored_labels(rng, n, positive_rate, positive_scores, negative_scores):
    """[n, L] truth and scores: label l positive with ``positive_rate[l]``, scored from the given ranges."""
    truth = rng.random((n, len(positive_rate))) < np.asarray(positive_rate)
    low_p, high_p = np.array(positive_scores).T
    low_n, high_n = np.array(negative_scores).T
    scores = np.where(truth, rng.uniform(low_p, high_p, truth.shape), rng.uniform(low_n, high_n, truth.shape))
    return truth.astype(int), scores


def test_threshold_shrinkage_pulls_noisy_rare_labels_and_leaves_labels_that_need_their_own():
    from emotion_tf.metrics import choose_threshold_shrinkage

    rng = np.random.default_rng(0)
    # ten rare labels with one shared score distribution: each label's own best threshold is fitted to
    # three or four positives and is noise, so the shared threshold generalises better (w -> large)
    truth, scores = _scored_labels(rng, 400, [0.01] * 10, [(0.2, 0.9)] * 10, [(0.0, 0.6)] * 10)
    assert choose_threshold_shrinkage(truth, scores) >= 0.75
    # two frequent labels on different scales (0.8 vs 0.25 separate them): one threshold cannot serve
    # both, so the per-label thresholds stay (w -> 0)
    truth, scores = _scored_labels(rng, 400, [0.3, 0.3], [(0.8, 1.0), (0.25, 0.35)], [(0.0, 0.75), (0.0, 0.2)])
    assert choose_threshold_shrinkage(truth, scores) == 0.0
    with pytest.raises(ValueError, match="at least 4"):
        choose_threshold_shrinkage(truth[:3], scores[:3])


def test_latency_percentiles_by_hand_and_timed_calls_measure_the_call():
    from emotion_tf.metrics.speed import call_latency, latency_percentiles, time_calls

    # 1..100 ms: numpy's linear-interpolation percentiles are 50.5 and 95.05
    summary = latency_percentiles(np.arange(1, 101) / 1000)
    assert summary == pytest.approx({"latency_p50_ms": 50.5, "latency_p95_ms": 95.05})
    with pytest.raises(ValueError, match="no timed calls"):
        latency_percentiles([])
    calls = []
    seconds = time_calls(lambda wait: calls.append(wait) or time.sleep(wait), [0.004, 0.0, 0.0], warmup=1)
    assert calls == [0.004, 0.004, 0.0, 0.0]  # one untimed warm-up, then every argument once
    assert seconds[0] >= 0.004 and max(seconds[1:]) < 0.004
    assert 8.0 <= call_latency(lambda _: time.sleep(0.008), range(5))["latency_p50_ms"] < 80.0


def test_paired_t_test_equals_scipy_ttest_rel():
    from scipy import stats

    from emotion_tf.metrics.significance import paired_t_test

    rng = np.random.default_rng(0)
    for n in (2, 5, 12):
        a = rng.normal(0.40, 0.01, n)
        b = a - rng.normal(0.003, 0.004, n)
        ours, reference = paired_t_test(a, b), stats.ttest_rel(a, b)
        assert ours["t"] == pytest.approx(reference.statistic, rel=1e-10)
        assert ours["p_value"] == pytest.approx(reference.pvalue, rel=1e-8)
        assert ours["df"] == n - 1
