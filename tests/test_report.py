"""emotion_tf.report: the headline table against docs/protocols.md's anchors, the run summary, the report's files."""

from pathlib import Path

import numpy as np

from emotion_tf.report import (
    anchor_text,
    glance_table,
    headline_table,
    ranking_bars,
    run_summary,
    sentiment_bars,
    sentiment_speed_table,
    sentiment_table,
    terminal_table,
    write_report,
)
from emotion_tf.training.results import ResultRecord

HARDWARE = "2 CPU cores (x86_64)"


def record(task, model, dataset, split="test", seed=0, **metrics):
    # as the tasks write them now: every ranking model says what it was selected on (and softmax CF what fed
    # its test ranking)
    config = {"selected_on": "validation ndcg@20", "test_input": "training history"}
    return ResultRecord(task, model, dataset, split, seed, metrics, config=config, train_seconds=1.0, hardware=HARDWARE)


def test_anchors_follow_the_dataset_and_the_model():
    carer = record("sentiment", "lstm", "emotion-carer", accuracy=0.91)
    assert anchor_text(carer) == "bar 0.92 (accuracy); DistilBERT 0.938"
    assert (
        anchor_text(record("sentiment", "lstm", "goemotions", macro_f1=0.4)) == "bar 0.42 (macro f1); BERT-base 0.460"
    )
    lightgcn = record("behavior-gcn", "lightgcn", "ml-100k", **{"recall@20": 0.38, "ndcg@20": 0.32})
    assert anchor_text(lightgcn) == "RecBole LightGCN 0.3693 / 0.3135 (R@20 / N@20)"
    # no RecBole twin: read against the best RecBole model (EASE), and say so
    gcn = record("behavior-gcn", "gcn", "ml-100k", **{"recall@20": 0.37, "ndcg@20": 0.30})
    assert anchor_text(gcn) == "best: RecBole EASE 0.3998 / 0.3465 (R@20 / N@20)"
    # another protocol (the temporal split) or another dataset has no anchor
    assert anchor_text(record("behavior-sequence", "gru", "ml-100k", **{"recall@20": 0.28})) == ""
    assert anchor_text(record("emotion-rec", "behavior-only", "synthetic", **{"recall@20": 0.3})) == ""


def test_headline_table_has_one_row_per_test_record_with_its_main_metrics():
    records = [
        record("sentiment", "lstm", "emotion-carer", split="validation", accuracy=0.95),
        record("sentiment", "lstm", "emotion-carer", accuracy=0.91404, macro_f1=0.87, latency_p50_ms=1.7),
        record("recommend", "softmax-cf-serving", "ml-100k", latency_p50_ms=0.47, numpy_latency_p50_ms=2.0),
        record("emotion-rec", "bandit-linucb", "synthetic-bandit", split="online", mean_reward=0.4685, rounds=5400),
        record("recommend", "odd", "ml-100k", users=10),  # nothing the table shows: left out
    ]
    lines = headline_table(records).splitlines()
    assert lines[0] == "| task | dataset | model | test metrics | bar / published anchor |"
    assert lines[2:] == [
        "| sentiment | emotion-carer | lstm | accuracy 0.9140, macro_f1 0.8700 "
        "| bar 0.92 (accuracy); DistilBERT 0.938 |",
        "| recommend | ml-100k | softmax-cf-serving | latency_p50_ms 0.4700, numpy_latency_p50_ms 2.0000 |  |",
        "| emotion-rec | synthetic-bandit | bandit-linucb | mean_reward 0.4685 |  |",
    ]


def test_terminal_table_is_short_aligned_and_has_no_empty_column():
    records = [
        record("sentiment", "lstm", "emotion-carer", split="validation", accuracy=0.95),
        record("sentiment", "lstm", "emotion-carer", accuracy=0.91404, macro_f1=0.87),
        record("recommend", "softmax-cf-serving", "ml-100k", latency_p50_ms=0.47),
    ]
    lines = terminal_table(records).splitlines()
    assert lines[0].split() == ["task", "dataset", "model", "main", "metric", "bar", "/", "anchor"]
    assert set(lines[1]) == {"-"}
    assert lines[2].split()[:5] == ["sentiment", "emotion-carer", "lstm", "accuracy", "0.9140"]
    assert lines[3].split() == ["recommend", "ml-100k", "softmax-cf-serving", "latency_p50_ms", "0.4700"]
    assert lines[2].index("accuracy") == lines[3].index("latency_p50_ms")  # aligned columns
    assert len(lines) == 4 and max(len(line) for line in lines) <= 100
    no_anchor = terminal_table([records[2]]).splitlines()
    assert "bar / anchor" not in no_anchor[0]  # no column that would be empty
    assert terminal_table([records[0]]) == "(no test records)"


def test_run_summary_names_command_hardware_and_every_task():
    records = [
        record("ranking-baselines", "pop", "ml-100k", **{"recall@20": 0.18, "ndcg@20": 0.15}),
        record("ranking-baselines", "pop", "ml-100k", split="validation", **{"recall@20": 0.2}),
    ]
    summary = run_summary(
        records, ["ranking-baselines", "sentiment"], "python scripts/train_all.py", 125.0, "2026-11-23 05:00"
    )
    assert summary.startswith(
        "Made by `python scripts/train_all.py` on 2 CPU cores (x86_64); finished "
        "2026-11-23 05:00, this invocation took 2 min."
    )
    assert "| ranking-baselines | ml-100k | pop | recall@20 0.1800, ndcg@20 0.1500 | RecBole Pop" in summary
    assert "### ranking-baselines" in summary and "### sentiment" not in summary  # no records, no section
    assert summary.count("| ranking-baselines | pop | ml-100k |") == 2  # the full table: both splits


def test_report_draws_the_figures_the_records_allow(tmp_path):
    records = [
        record("behavior-gcn", model, "ml-100k", seed=seed, **{"recall@20": r, "ndcg@20": r - 0.05})
        for seed in (0, 1)
        for model, r in (("gcn", 0.37 + seed / 100), ("pop", 0.18))
    ]
    confusion = record("sentiment", "lstm", "emotion-carer", accuracy=0.9)
    confusion.config = {"confusion_matrix": np.eye(2, dtype=int).tolist(), "labels": ["joy", "anger"]}
    repeated = record("behavior-gcn", "gcn", "ml-100k", seed=0, **{"recall@20": 0.37, "ndcg@20": 0.32})  # in 2 files
    path = write_report(records + [confusion, repeated], tmp_path, sources=["a.json"], commands={"a.json": "`make a`"})
    text = path.read_text()
    assert (tmp_path / "ranking-ml-100k.png").stat().st_size > 0
    assert (tmp_path / "sentiment.png").exists() and (tmp_path / "confusion-emotion-carer-lstm-seed0.png").exists()
    assert not (tmp_path / "bandit-regret.png").exists()  # no bandit records: no figure, no section
    gcn_row = next(line for line in text.splitlines() if line.startswith("| behavior-gcn | gcn | ml-100k | test | 2 |"))
    assert "| 0.3750 ± 0.0071 |" in gcn_row  # mean ± sample std of 0.37 and 0.38
    assert "| `a.json` | `make a` |" in text


def test_sentiment_tables_pivot_models_into_columns_with_the_best_in_bold():
    records = [
        record("text-baselines", "tfidf-logreg", "emotion-carer", accuracy=0.881),
        record("sentiment", "bilstm", "emotion-carer", accuracy=0.9245),
        record("sentiment", "bilstm", "emotion-carer", split="validation", accuracy=0.99),
        record("sentiment", "bilstm", "emotion-carer", seed=1, accuracy=0.95),  # another seed: not shown
        record(
            "sentiment",
            "transformer",
            "goemotions",
            macro_f1=0.4386,
            macro_f1_class_thresholds=0.462,
            latency_p50_ms=1.44,
        ),
        record("sentiment", "lstm", "unknown-corpus", accuracy=0.5),
    ]  # no bar: not a row
    records[1].examples_per_second = 827.0
    records[1].metrics["latency_p50_ms"] = 3.41
    lines = sentiment_table(records).splitlines()
    assert lines[0] == "| dataset (metric) | bar | tfidf-logreg | bilstm | transformer |"
    assert lines[2:] == [
        "| emotion-carer (accuracy) | 0.92 | 0.8810 | **0.9245** |  |",
        "| goemotions (macro F1, global / per-label thresholds) | 0.42 |  |  | **0.4386 / 0.4620** |",
    ]
    speed = sentiment_speed_table(records).splitlines()
    assert speed[2] == "| emotion-carer | 827, 3.4 |  |"
    assert speed[3] == "| goemotions |  |  |"  # no training speed recorded: empty, not invented


def test_readme_results_table_is_the_one_make_report_draws_from_the_committed_results():
    from emotion_tf.report import GLANCE_BEGIN, GLANCE_END, glance_table
    from emotion_tf.training.results import read_records

    root = Path(__file__).resolve().parent.parent
    files = sorted(f for f in (root / "docs" / "results").glob("*.json") if not f.name.startswith("quick-preset"))
    table = glance_table([record for path in files for record in read_records(path)])
    readme = (root / "README.md").read_text(encoding="utf-8")
    shown = readme[readme.index(GLANCE_BEGIN) + len(GLANCE_BEGIN) : readme.index(GLANCE_END)].strip()
    assert shown == table, "README's table is stale: run python scripts/make_report.py"
    from emotion_tf.report import COMPARISON_BEGIN, COMPARISON_END, ranking_comparison_table

    comparison = ranking_comparison_table([record for path in files for record in read_records(path)])
    shown = readme[readme.index(COMPARISON_BEGIN) + len(COMPARISON_BEGIN) : readme.index(COMPARISON_END)].strip()
    assert shown == comparison, "README's comparison table is stale: run python scripts/make_report.py"


def test_glance_table_chooses_on_validation_and_counts_a_run_of_two_tasks_once():
    records = [
        # the transformer is better on test, the lstm on validation: the lstm is shown
        record("sentiment", "lstm", "rt-polarity", split="validation", accuracy=0.84),
        record("sentiment", "lstm", "rt-polarity", accuracy=0.80),
        record("sentiment", "transformer", "rt-polarity", split="validation", accuracy=0.82),
        record("sentiment", "transformer", "rt-polarity", accuracy=0.83),
        record("text-baselines", "tfidf-logreg", "rt-polarity", split="validation", accuracy=0.77),
        record("text-baselines", "tfidf-logreg", "rt-polarity", accuracy=0.76),
    ]
    for seed, value in ((0, 0.38), (1, 0.40)):  # EASE of seed 0 appears in two tasks: counted once
        for task in ("ranking-baselines", "recommend")[: 2 - seed]:
            records += [
                record(task, "ease", "ml-100k", split="validation", seed=seed, **{"recall@20": value}),
                record(task, "ease", "ml-100k", seed=seed, **{"recall@20": value}),
            ]
    records += [
        record("recommend", "softmax-cf", "ml-100k", split=split, **{"recall@20": 0.39})
        for split in ("validation", "test")
    ]
    rows = glance_table(records).splitlines()[2:]
    assert rows[0] == (
        "| emotion recognition | rt-polarity (accuracy) | lstm 0.8000 (1 seed) | "
        "tfidf-logreg 0.7600 (1 seed) | Kim CNN 0.810 |"
    )
    assert rows[1] == (
        "| behaviour prediction and recommendation | ml-100k (recall@20) | softmax-cf 0.3900 (1 seed) | "
        f"ease 0.3900 ± {np.std([0.38, 0.40], ddof=1):.4f} (2 seeds) | RecBole EASE 0.400 |"
    )
    assert len(rows) == 2


def test_runs_with_other_review_scorers_are_other_models():
    from emotion_tf.report import run_model, unique_runs

    default = record("emotion-rec", "user-emotion", "amazon", **{"recall@20": 0.11})
    default.config = {"scorers": ["lexicon", "lstm"]}
    other = record("emotion-rec", "user-emotion", "amazon", **{"recall@20": 0.12})
    other.config = {"scorers": ["bert-stars"]}
    assert run_model(default) == "user-emotion" and run_model(other) == "user-emotion[bert-stars]"
    assert len(unique_runs([default, other])) == 2  # the same seed of two experiments: both kept
    # a ranking record from before the selection on validation NDCG@20 is another experiment too
    older = record("recommend", "softmax-cf", "ml-100k", **{"recall@20": 0.39})
    older.config = {}
    assert run_model(older) == "softmax-cf[selected on recall@20]"
    assert run_model(record("recommend", "softmax-cf", "ml-100k", **{"recall@20": 0.39})) == "softmax-cf"
    assert run_model(record("recommend", "pop", "ml-100k", **{"recall@20": 0.18})) == "pop"  # nothing selected
    # softmax CF from before its test ranking was fed the training history alone is another experiment too
    fed_validation = record("recommend", "softmax-cf", "ml-100k", **{"recall@20": 0.39})
    fed_validation.config = {"selected_on": "validation ndcg@20"}
    assert run_model(fed_validation) == "softmax-cf[test fed validation items]"
    # a feedback loop whose lexicon also saw the reviews of its own rounds is another experiment
    leaky = ResultRecord("emotion-rec", "bandit-linucb", "amazon-replay", "online", 0, {"mean_reward": 0.3})
    leaky.config = {"alpha": 0.5}
    fixed = ResultRecord("emotion-rec", "bandit-linucb", "amazon-replay", "online", 0, {"mean_reward": 0.3})
    fixed.config = {"alpha": 0.5, "review_lexicon": "fitted on the reviews written before the rounds"}
    assert run_model(leaky) == "bandit-linucb[lexicon saw later reviews]" and run_model(fixed) == "bandit-linucb"
    assert len(unique_runs([leaky, fixed])) == 2


def test_the_report_averages_each_experiment_on_its_own(tmp_path):
    """Two experiments of one model (selected on Recall@20 before, on NDCG@20 now) are two rows of the report's
    seed table, each the mean of its own seeds, not one row mixing them."""
    now = [
        record("recommend", "ease", "ml-100k", seed=s, **{"recall@20": v, "ndcg@20": v})
        for s, v in ((0, 0.40), (1, 0.38))
    ]
    before = [
        record("recommend", "ease", "ml-100k", seed=s, **{"recall@20": v, "ndcg@20": v})
        for s, v in ((0, 0.30), (1, 0.32))
    ]
    for r in before:
        r.config = {}
    text = write_report(now + before, tmp_path).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line.startswith("| recommend | ease")]
    assert len(rows) == 2, rows
    assert rows[0].startswith("| recommend | ease | ml-100k | test | 2 | 0.3900 ± 0.0141 |")
    assert rows[1].startswith("| recommend | ease[selected on recall@20] | ml-100k | test | 2 | 0.3100 ± 0.0141 |")


def test_ranking_comparison_averages_seeds_and_tests_the_best_graph_model_against_ease():
    from emotion_tf.report import ranking_comparison_table

    def run(task, model, seed, recall, ndcg, **config):
        r = record(task, model, "ml-100k", seed=seed, **{"recall@20": recall, "ndcg@20": ndcg})
        r.config = {"selected_on": "validation ndcg@20", **config}
        r.train_seconds = 10.0 * (seed + 1)
        return r

    ease = [run("behavior-gcn", "ease", s, v, v - 0.05) for s, v in enumerate((0.40, 0.39, 0.38))]
    gcn = [
        run("behavior-gcn", "lightgcn", s, v, v - 0.05 + d, seconds_per_epoch=2.0 + s, best_epoch=5 + s)
        for s, (v, d) in enumerate(((0.41, 0.0), (0.395, 0.0), (0.39, 0.0)))
    ]
    older = run("behavior-gcn", "lightgcn", 0, 0.10, 0.10)
    older.config = {}  # selected on Recall@20: another experiment, left out
    lines = ranking_comparison_table([*ease, *gcn, older]).splitlines()
    # lightgcn first (best NDCG@20): mean ± sample std of 0.41, 0.395, 0.39; medians 3.00 s/epoch, 6, 20 s
    assert lines[2] == "| lightgcn | 3 | 0.3983 ± 0.0104 | 0.3483 ± 0.0104 | 3.00 | 6 | 20 |  |"
    assert lines[3] == "| ease | 3 | 0.3900 ± 0.0100 | 0.3400 ± 0.0100 |  |  | 20 |  |"
    assert any(line.startswith("| RecBole EASE (λ = 500), seed-0 split | 1 | 0.3969 | 0.3506 |") for line in lines)
    # differences 0.01, 0.005, 0.01: mean 0.00833, sd 0.00289, t = 5.0 with 2 df, two-sided p = 0.0377
    (test,) = [line for line in lines if line.startswith("Paired t-test")]
    assert "over 3 seeds, lightgcn − EASE: recall@20 +0.0083 (p = 0.038); ndcg@20 +0.0083 (p = 0.038)." in test


def test_ranking_bars_never_average_two_experiments_of_one_model():
    import dataclasses

    def ranked(task, model, seed, value, current=True):
        r = record(task, model, "synthetic", seed=seed, **{"recall@20": value, "ndcg@20": value / 2})
        return r if current else dataclasses.replace(r, config={})  # no selected_on: chosen on recall@20

    records = [
        ranked("behavior-typed", "gcn-typed-events", 0, 0.19, current=False),
        ranked("behavior-typed", "gcn-typed-events", 0, 0.23),
        ranked("behavior-typed", "gcn-typed-events", 1, 0.25),
        ranked("behavior-gcn", "lightgcn", 0, 0.30, current=False),  # only an older experiment
        ranked("behavior-gcn", "pop", 0, 0.07),
        ranked("behavior-typed", "pop", 0, 0.08),  # the same model in a second task: shown once
        record("behavior-typed", "gcn", "other-dataset", **{"recall@20": 0.5, "ndcg@20": 0.2}),
    ]
    bars = ranking_bars(records, "synthetic")
    assert sorted(bars) == ["gcn-typed-events", "lightgcn[selected on recall@20]", "pop"]
    assert sorted(r.metrics["recall@20"] for r in bars["gcn-typed-events"]) == [0.23, 0.25]
    assert [r.metrics["recall@20"] for r in bars["pop"]] == [0.07]


def test_sentiment_bars_hold_each_seeds_test_value_in_the_corpus_metric():
    records = [
        record("sentiment", "bert", "rt-polarity", seed=0, accuracy=0.84),
        record("sentiment", "bert", "rt-polarity", seed=1, accuracy=0.83),
        record("sentiment", "bert", "rt-polarity", split="validation", seed=0, accuracy=0.99),
        record("sentiment", "bert", "goemotions", seed=0, accuracy=0.97, macro_f1=0.47),
        record("text-baselines", "tfidf-logreg", "rt-polarity", accuracy=0.77),
        record("recommend", "ease", "ml-100k", **{"recall@20": 0.4}),
    ]
    bars = sentiment_bars(records)
    assert bars == {"rt-polarity": {"bert": [0.84, 0.83], "tfidf-logreg": [0.77]}, "goemotions": {"bert": [0.47]}}


def test_training_curves_draw_one_line_per_model_in_one_colour_across_panels():
    from emotion_tf.report import curves_figure

    def run(model, dataset, scorers, curve):
        r = record("emotion-rec", model, dataset, **{"recall@20": curve[-1]})
        r.config = {"scorers": scorers, "history": {"val_recall@20": curve}}
        return r

    records = [
        run("behavior-only", "amazon", ["lexicon", "lstm"], [0.1, 0.2]),
        run("behavior-only", "amazon", ["bert-stars"], [0.3, 0.1]),  # another experiment: not drawn
        run("user-emotion", "amazon", ["lexicon", "lstm"], [0.2, 0.3]),
        run("user-emotion", "synthetic", ["lexicon", "lstm"], [0.25, 0.35, 0.4]),
    ]
    figure = curves_figure(records, "emotion-rec", "val_recall@20")
    amazon, synthetic = figure.axes
    assert [line.get_label() for line in amazon.get_lines()] == ["behavior-only", "user-emotion"]
    assert list(amazon.get_lines()[0].get_ydata()) == [0.1, 0.2]
    assert [line.get_label() for line in synthetic.get_lines()] == ["user-emotion"]
    assert synthetic.get_lines()[0].get_color() == amazon.get_lines()[1].get_color()
