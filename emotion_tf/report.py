"""The results report: figures and tables drawn from results files only (docs/protocols.md records).

``write_report(records, folder)`` draws what the records hold and writes ``folder/report.md`` beside the
PNGs:

* ranking: test Recall@20 and NDCG@20 of every model on each interaction dataset, mean ± std over seeds,
  beside the published anchors of docs/protocols.md;
* emotion recognition: test accuracy (macro F1 for multi-label data) of every model on each corpus, beside
  the bar each dataset must pass;
* the emotion-driven recommender's ablation (Recall@20 and RMSE per variant) and its feedback loop
  (cumulative regret per policy, from the thinned curves the records carry);
* training curves (the per-epoch history the records carry) and confusion matrices (test records that
  carry one).

``scripts/make_report.py`` is the command; nothing here reads TensorBoard or trains anything.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.ticker import MaxNLocator  # noqa: E402

from emotion_tf.emotion_rec.scorer_names import DEFAULT_SCORERS  # noqa: E402
from emotion_tf.sentiment.plots import confusion_matrix_figure  # noqa: E402
from emotion_tf.training.results import format_seed_table, format_table, hardware_description  # noqa: E402

# the tasks that rank every item for a user of ml-100k or the Amazon reviews on docs/protocols.md's per-user split
FULL_RANKING_TASKS = ("ranking-baselines", "behavior-gcn", "behavior-graph-filters", "recommend")
# docs/protocols.md, "Published anchors": ml-100k under this protocol (RecBole 1.2.1, test R@20 / N@20)
RANKING_ANCHORS = {
    "ml-100k": {
        "RecBole EASE": (0.3998, 0.3465),
        "RecBole MultiVAE": (0.3920, 0.3243),
        "RecBole LightGCN": (0.3693, 0.3135),
        "RecBole BPR": (0.3647, 0.3108),
        "RecBole Pop": (0.1789, 0.1499),
    }
}
# the project's targets per corpus (accuracy; macro F1 for goemotions) and published anchors
SENTIMENT_BARS = {
    "emotion-carer": 0.92,
    "chnsenticorp-htl": 0.91,
    "online-shopping-10cats": 0.94,
    "rt-polarity": 0.80,
    "goemotions": 0.42,
}
MULTI_LABEL_CORPORA = ("goemotions",)  # scored by macro F1; the others by accuracy
SENTIMENT_ANCHORS = {
    "emotion-carer": ("DistilBERT", 0.938),
    "chnsenticorp-htl": ("BERT-base", 0.943),
    "rt-polarity": ("Kim CNN", 0.81),
    "goemotions": ("BERT-base", 0.46),
}
# RecBole models that match ours, for the headline table's anchor column
RANKING_ANCHOR_OF_MODEL = {
    "ease": "RecBole EASE",
    "lightgcn": "RecBole LightGCN",
    "pop": "RecBole Pop",
    "mf-bpr": "RecBole BPR",
}

# metrics the headline table shows, in this order, when a record has them (at most three per row)
HEADLINE_METRICS = (
    "accuracy",
    "macro_f1",
    "macro_f1_class_thresholds",
    "recall@20",
    "ndcg@20",
    "rmse",
    "mean_reward",
    "pearson_lexicon_intensity_true_mood",
    "pearson_lstm_intensity_true_mood",
)
SERVING_METRICS = ("latency_p50_ms", "numpy_latency_p50_ms")  # rows that measure speed only


def _mean_std(values) -> tuple[float, float]:
    values = np.asarray(values, dtype=float)
    return float(values.mean()), float(values.std(ddof=1)) if len(values) > 1 else 0.0


def _by(records, *keys):
    groups = defaultdict(list)
    for record in records:
        groups[tuple(getattr(record, key) for key in keys)].append(record)
    return groups


def sentiment_metric(dataset: str) -> str:
    """The metric a corpus's bar is set in: macro F1 for multi-label corpora, else accuracy."""
    return "macro_f1" if dataset in MULTI_LABEL_CORPORA else "accuracy"


def anchor_text(record) -> str:
    """The bar and the published anchor (docs/protocols.md) a test record is read against, or ""."""
    if record.dataset in SENTIMENT_BARS and record.task in ("sentiment", "sentiment-pretrained", "text-baselines"):
        text = f"bar {SENTIMENT_BARS[record.dataset]:.2f} ({sentiment_metric(record.dataset).replace('_', ' ')})"
        if record.dataset in SENTIMENT_ANCHORS:
            name, value = SENTIMENT_ANCHORS[record.dataset]
            text += f"; {name} {value:.3f}"
        return text
    anchors = RANKING_ANCHORS.get(record.dataset, {})
    if anchors and "recall@20" in record.metrics and record.task in FULL_RANKING_TASKS:
        name = RANKING_ANCHOR_OF_MODEL.get(record.model)
        prefix = ""
        if name is None:  # no RecBole twin: the best RecBole model is the anchor
            name, prefix = max(anchors, key=lambda k: anchors[k][0]), "best: "
        recall, ndcg = anchors[name]
        return f"{prefix}{name} {recall:.4f} / {ndcg:.4f} (R@20 / N@20)"
    return ""


def headline_table(records) -> str:
    """One Markdown row per test (or online) record: its main metrics beside its bar or published anchor.

    The README's results table; ``train_all.py`` writes it at the top of its summary. Metrics are the first
    three of ``HEADLINE_METRICS`` the record has (``SERVING_METRICS`` for a record of speed only).
    """
    lines = ["| task | dataset | model | test metrics | bar / published anchor |", "|---|---|---|---|---|"]
    for r in records:
        if r.split not in ("test", "online"):
            continue
        shown = [m for m in HEADLINE_METRICS if r.metrics.get(m) is not None][:3] or [
            m for m in SERVING_METRICS if r.metrics.get(m) is not None
        ]
        if not shown:
            continue
        cells = ", ".join(f"{m} {r.metrics[m]:.4f}" for m in shown)
        lines.append(f"| {r.task} | {r.dataset} | {r.model} | {cells} | {anchor_text(r)} |")
    return "\n".join(lines)


# README's results at a glance: (section, tasks, datasets, metric or None for each corpus's own, baseline models)
GLANCE_ROWS = (
    (
        "emotion recognition",
        ("text-baselines", "sentiment", "sentiment-pretrained"),
        tuple(SENTIMENT_BARS),
        None,
        ("tfidf-logreg",),
    ),
    (
        "behaviour prediction and recommendation",
        FULL_RANKING_TASKS,
        ("ml-100k",),
        "recall@20",
        ("pop", "ease"),
    ),
    (
        "emotion-driven recommendation",
        ("emotion-rec",),
        ("amazon-musical-instruments",),
        "recall@20",
        ("pop", "behavior-only"),
    ),
)
GLANCE_BEGIN, GLANCE_END = "<!-- glance: made by scripts/make_report.py -->", "<!-- /glance -->"


RANKING_TASKS = (*FULL_RANKING_TASKS, "behavior-typed")


def run_model(record) -> str:
    """The name a record is compared under; averaging two experiments as one model would mix them.

    * An emotion-driven variant whose emotion state came from other review scorers than the default is another
      model (``user-emotion[bert-stars]``).
    * A ranking model from before every ranking model was selected on validation NDCG@20 (its record has no
      ``selected_on``: it was selected on validation Recall@20) is ``ease[selected on recall@20]``.
    * Softmax CF from before its test ranking was fed the training history alone, like its peers' (its record
      has no ``test_input``; the validation items were part of its test input) is
      ``softmax-cf[test fed validation items]``.
    * A feedback-loop policy whose emotion features came from a lexicon that also saw the reviews written during
      its rounds (its record has no ``review_lexicon``) is ``bandit-linucb[lexicon saw later reviews]``.
    """
    config = record.config if isinstance(record.config, dict) else {}
    scorers = config.get("scorers")
    if record.task == "emotion-rec" and scorers and tuple(scorers) != DEFAULT_SCORERS:
        return f"{record.model}[{'+'.join(scorers)}]"
    if record.task == "emotion-rec" and record.model.startswith("bandit-") and "review_lexicon" not in config:
        return f"{record.model}[lexicon saw later reviews]"
    if record.task in RANKING_TASKS and record.model != "pop" and "recall@20" in record.metrics:
        if "selected_on" not in config:
            return f"{record.model}[selected on recall@20]"
    if record.task == "recommend" and record.model == "softmax-cf" and "test_input" not in config:
        return "softmax-cf[test fed validation items]"
    return record.model


def unique_runs(records) -> list:
    """One record per (task, model, dataset, split, seed), the last one given.

    A run found in several files counts once: a full-preset run repeats the seed-0 runs of the per-task files.
    """
    return list({(r.task, run_model(r), r.dataset, r.split, r.seed): r for r in records}.values())


def glance_table(records) -> str:
    """README's results table: per section and dataset, the project's model chosen on validation, beside its peers.

    For each row of ``GLANCE_ROWS``, among the models with the most seeds in the records, the one with the best
    mean validation metric is shown with its test mean ± std; the strongest baseline the same way; then the
    published anchor. Runs whose emotion state came from other review scorers count as other models
    (``run_model``).
    """
    records = unique_runs(records)
    lines = [
        "| section | dataset (test metric) | project model, chosen on validation | best baseline, same way | "
        "published anchor |",
        "|---|---|---|---|---|",
    ]

    def summary(runs, split, metric):
        values = [r.metrics[metric] for r in runs if r.split == split and metric in r.metrics]
        return (*_mean_std(values), len(values)) if values else None

    def cell(model, runs, metric):
        mean, std, n = summary(runs, "test", metric)
        return f"{model} {mean:.4f}" + (f" ± {std:.4f} ({n} seeds)" if n > 1 else " (1 seed)")

    for section, tasks, datasets, metric, baselines in GLANCE_ROWS:
        for dataset in datasets:
            main = metric or sentiment_metric(dataset)
            # the same model on the same split and seed in two tasks (EASE is a baseline of three) counts once
            rows = {(run_model(r), r.split, r.seed): r for r in records if r.task in tasks and r.dataset == dataset}
            runs = defaultdict(list)
            for (model, _, _), record in rows.items():
                runs[(model,)].append(record)
            scored = {
                model: summary(group, "validation", main)
                for (model,), group in runs.items()
                if summary(group, "validation", main) and summary(group, "test", main)
            }
            if not scored:
                continue
            # most seeds first (a five-seed mean is not beaten by one lucky seed), then the best validation mean
            by_validation = sorted(scored, key=lambda m: (scored[m][2], scored[m][0]), reverse=True)
            plain = {m: m.split("[")[0] for m in by_validation}  # a baseline under any scorers is one
            model = next((m for m in by_validation if plain[m] not in baselines), None)
            baseline = next((m for m in by_validation if plain[m] in baselines), None)
            anchor = SENTIMENT_ANCHORS.get(dataset) or (
                ("RecBole EASE", RANKING_ANCHORS[dataset]["RecBole EASE"][0]) if dataset in RANKING_ANCHORS else None
            )
            lines.append(
                f"| {section} | {dataset} ({main.replace('_', ' ')}) | "
                f"{cell(model, runs[(model,)], main) if model else ''} | "
                f"{cell(baseline, runs[(baseline,)], main) if baseline else ''} | "
                f"{f'{anchor[0]} {anchor[1]:.3f}' if anchor else ''} |"
            )
    return "\n".join(lines)


def replace_block(readme_text: str, table: str, begin: str = GLANCE_BEGIN, end: str = GLANCE_END) -> str:
    """README's text with the block between the markers ``begin`` and ``end`` replaced by ``table``; ValueError
    without them."""
    start, stop = readme_text.find(begin), readme_text.find(end)
    if start < 0 or stop < start:
        raise ValueError(f"README has no {begin} ... {end} block")
    return readme_text[: start + len(begin)] + "\n" + table + "\n" + readme_text[stop:]


def replace_glance(readme_text: str, table: str) -> str:
    """README's text with the glance table replaced by ``table``."""
    return replace_block(readme_text, table, GLANCE_BEGIN, GLANCE_END)


COMPARISON_BEGIN, COMPARISON_END = "<!-- comparison: made by scripts/make_report.py -->", "<!-- /comparison -->"
# RecBole 1.2.1 run on this project's seed-0 ml-100k split itself (exported from data.split_interactions(...,
# seed=0); its EASE and ours agree to six decimals for every λ): test R@20, N@20, and how each was chosen
RECBOLE_SAME_SPLIT = {
    "RecVAE": (0.3983, 0.3467, "validation NDCG@20"),
    "EASE (λ = 500)": (0.3969, 0.3506, "validation NDCG@20 over λ ∈ {100, 250, 500, 800, 1000}"),
    "SLIMElastic": (0.3941, 0.3450, "defaults"),
    "MultiVAE": (0.3915, 0.3332, "defaults"),
    "BPR": (0.3473, 0.3065, "defaults"),
}
# the graph models the paired test picks from (softmax-cf-gf-ease: GF-EASE's scores feed softmax CF's logits)
GCN_FAMILY = ("gcn", "lightgcn", "gf-cf", "gf-ease", "softmax-cf-gf-ease", "gcn-article")


def _median(values):
    values = [v for v in values if v is not None]
    return float(np.median(values)) if values else None


def ranking_comparison_table(records, dataset: str = "ml-100k") -> str:
    """README's ranking comparison on ``dataset``: every project model (behavior-gcn, behavior-graph-filters and
    recommend, selected on
    validation NDCG@20) as test mean ± std over its seeds with its time to quality (medians over seeds), the
    RecBole rows run on the seed-0 split itself, and a paired t-test over the shared seeds of the best GCN-family
    model (by mean test NDCG@20) against EASE.
    """
    from emotion_tf.metrics.significance import paired_t_test  # loads TensorFlow: only when a table is drawn

    runs = [
        r
        for r in unique_runs(records)
        if r.task in FULL_RANKING_TASKS
        and r.task != "ranking-baselines"  # its EASE and Pop are also in the others
        and r.dataset == dataset
        and r.split == "test"
        and "ndcg@20" in r.metrics
        and run_model(r) == r.model  # the current selection (validation NDCG@20); older runs are other models
    ]
    by_task: dict[tuple, list] = defaultdict(list)
    for r in runs:
        by_task[(r.model, r.task)].append(r)
    by_model: dict[str, list] = {}
    for (model, _), group in by_task.items():  # EASE and Pop run in both tasks, on the same splits: the most seeds
        if len({r.seed for r in group}) > len({r.seed for r in by_model.get(model, [])}):
            by_model[model] = group
    lines = [
        "| model | seeds | Recall@20 | NDCG@20 | s/epoch | epochs to best | total s | peak memory |",
        "|---|---|---|---|---|---|---|---|",
    ]

    def cell(values):
        values = np.asarray(values, dtype=np.float64)
        return f"{values.mean():.4f}" if len(values) == 1 else f"{values.mean():.4f} ± {values.std(ddof=1):.4f}"

    rows = sorted(by_model.items(), key=lambda item: -np.mean([r.metrics["ndcg@20"] for r in item[1]]))
    for name, group in rows:
        config = [r.config if isinstance(r.config, dict) else {} for r in group]
        per_epoch = _median([c.get("seconds_per_epoch") for c in config])
        best = _median([c.get("best_epoch") for c in config])
        total = _median([r.train_seconds for r in group])
        memory = _median([c.get("peak_memory_mb") for c in config])
        lines.append(
            f"| {name} | {len({r.seed for r in group})} | {cell([r.metrics['recall@20'] for r in group])} | "
            f"{cell([r.metrics['ndcg@20'] for r in group])} | {'' if per_epoch is None else f'{per_epoch:.2f}'} | "
            f"{'' if best is None else f'{best:.0f}'} | {'' if total is None else f'{total:.0f}'} | "
            f"{'' if memory is None else f'{memory / 1024:.1f} GB'} |"
        )
    for name, (recall, ndcg, _) in RECBOLE_SAME_SPLIT.items():
        lines.append(f"| RecBole {name}, seed-0 split | 1 | {recall:.4f} | {ndcg:.4f} |  |  |  |  |")
    family = [(name, group) for name, group in rows if name in GCN_FAMILY]
    ease = {r.seed: r for r in by_model.get("ease", [])}
    notes = []
    if family and ease:
        name, group = family[0]
        pairs = sorted((r.seed, r) for r in group if r.seed in ease)
        if len(pairs) >= 2:
            tests = {
                metric: paired_t_test(
                    [r.metrics[metric] for _, r in pairs], [ease[s].metrics[metric] for s, _ in pairs]
                )
                for metric in ("recall@20", "ndcg@20")
            }
            notes.append(
                f"Paired t-test over {len(pairs)} seeds, {name} − EASE: "
                + "; ".join(
                    f"{metric} {t['mean_difference']:+.4f} (p = {t['p_value']:.3f})" for metric, t in tests.items()
                )
                + "."
            )
    notes.append(
        "RecBole 1.2.1 ran on this project's seed-0 split itself (its EASE and ours agree to six decimals for "
        "every λ), chosen by "
        + "; ".join(f"{name}: {chosen}" for name, (_, _, chosen) in RECBOLE_SAME_SPLIT.items())
        + ". Times are medians over seeds on 2 CPU cores; epochs to best and memory are recorded by the graph "
        "trainer only."
    )
    return "\n".join([*lines, "", "\n\n".join(notes)])


def terminal_table(records, width: int = 100) -> str:
    """A short aligned plain-text table for the terminal: task, dataset, model, the main metric and its bar.

    One row per test (or online) record, no empty columns; the full Markdown summary is the results file's.
    """
    rows = []
    for r in records:
        if r.split not in ("test", "online"):
            continue
        metric = next((m for m in HEADLINE_METRICS if r.metrics.get(m) is not None), None) or next(
            (m for m in SERVING_METRICS if r.metrics.get(m) is not None), None
        )
        if metric is None:
            continue
        rows.append((r.task, r.dataset, r.model, f"{metric} {r.metrics[metric]:.4f}", anchor_text(r)))
    if not rows:
        return "(no test records)"
    header = ("task", "dataset", "model", "main metric", "bar / anchor")
    columns = [c for c in range(5) if c < 4 or any(row[4] for row in rows)]
    widths = [max(len(str(row[c])) for row in [header, *rows]) for c in columns]
    lines = []
    for row in [header, *rows]:
        line = "  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths)).rstrip()
        lines.append(line if len(line) <= width else line[: width - 1] + "…")
    lines.insert(1, "-" * min(width, max(len(line) for line in lines)))
    return "\n".join(lines)


def run_summary(records, tasks, command: str, seconds: float, finished: str) -> str:
    """The Markdown summary ``train_all.py`` prints and writes beside its results file.

    A line saying what ran, when, where and for how long; the headline table (the README's results table);
    then every record of each task in ``tasks`` order.
    """
    hardware = sorted({r.hardware for r in records if r.hardware}) or [hardware_description()]
    lines = [
        f"Made by `{command}` on {', '.join(hardware)}; finished {finished}, this invocation took "
        f"{seconds / 60:.0f} min.",
        "",
        "## Test results beside the bars and published anchors",
        "",
        headline_table(records),
        "",
    ]
    for name in tasks:
        rows = [r for r in records if r.task == name]
        if rows:
            lines += [f"### {name}", "", format_table(rows), ""]
    return "\n".join(lines)


def ranking_bars(records, dataset: str) -> dict:
    """{bar name: test records} of the ranking figure on ``dataset``, one bar per model and experiment.

    A model's bar holds its current experiment's runs (``run_model(r) == r.model``); runs of an older
    experiment (another selection metric, another test input) are never averaged with them, and get a bar of
    their own, under their ``run_model`` name, only when the model has no current run. Pop and EASE run in
    several tasks on the same splits: each model is shown once, from the first task that holds it.
    """
    # the sequence task ranks on the temporal split: another protocol, not comparable here
    rows = [
        r
        for r in records
        if r.dataset == dataset and r.split == "test" and "recall@20" in r.metrics and r.task != "behavior-sequence"
    ]
    current = {r.model for r in rows if run_model(r) == r.model}
    rows = [r for r in rows if run_model(r) == r.model or r.model not in current]
    by_name = _by([dataclasses.replace(r, model=run_model(r)) for r in rows], "model")
    return {name: [r for r in group if r.task == group[0].task] for (name,), group in by_name.items()}


def ranking_figure(records, dataset: str):
    """Bars of test Recall@20 / NDCG@20 (mean ± std over seeds) of each model on ``dataset``, anchors as lines."""
    models = ranking_bars(records, dataset)
    if not models:
        return None
    names = list(models)
    figure, axes = plt.subplots(1, 2, figsize=(max(9, 1.1 * len(names)), 4))
    for ax, metric, position in ((axes[0], "recall@20", 0), (axes[1], "ndcg@20", 1)):
        stats = [_mean_std([r.metrics[metric] for r in group]) for group in models.values()]
        ax.bar(range(len(names)), [m for m, _ in stats], yerr=[s for _, s in stats], capsize=3, color="tab:blue")
        for k, (label, values) in enumerate(RANKING_ANCHORS.get(dataset, {}).items()):
            ax.axhline(values[position], ls="--", lw=1, color=f"C{k + 1}", label=label)
        ax.set_xticks(range(len(names)), names, rotation=60, ha="right", fontsize=7)
        ax.set_title(f"{dataset}: test {metric}", fontsize=10)
        ax.set_ylabel(f"{metric}, mean ± std over seeds")
    if RANKING_ANCHORS.get(dataset):
        # one key for both panels, below them, so that no bar hides behind it
        handles, labels = axes[0].get_legend_handles_labels()
        figure.legend(
            handles,
            labels,
            title="published anchors (dashed)",
            fontsize=7,
            title_fontsize=7,
            loc="lower center",
            ncol=len(labels),
            bbox_to_anchor=(0.5, 0.0),
        )
        figure.tight_layout(rect=(0, 0.08, 1, 1))
    else:
        figure.tight_layout()
    return figure


SENTIMENT_MODELS = ("tfidf-logreg", "lstm", "bilstm", "transformer", "transformer-mlm", "bert")  # the columns, in order


def _sentiment_tests(records, seed: int = 0) -> dict:
    """{(dataset, model): test record} of the emotion-recognition tasks for one seed."""
    return {
        (r.dataset, r.model): r
        for r in records
        if r.task in ("sentiment", "sentiment-pretrained", "text-baselines")
        and r.split == "test"
        and r.seed == seed
        and r.dataset in SENTIMENT_BARS
    }


def sentiment_table(records, seed: int = 0) -> str:
    """Test accuracy (GoEmotions: macro F1 at one global / per-label thresholds) per corpus and model, with the bar.

    A cell is empty when the records hold no such run; the best model of a row is in bold.
    """
    tests = _sentiment_tests(records, seed)
    models = [m for m in SENTIMENT_MODELS if any(model == m for _, model in tests)]
    lines = ["| dataset (metric) | bar | " + " | ".join(models) + " |", "|---|---|" + "---|" * len(models)]
    for dataset, bar in SENTIMENT_BARS.items():
        found = {m: tests[(dataset, m)].metrics for m in models if (dataset, m) in tests}
        if not found:
            continue
        main = sentiment_metric(dataset)
        best = max(found, key=lambda m: found[m][main])
        cells = []
        for model in models:
            if model not in found:
                cells.append("")
                continue
            text = f"{found[model][main]:.4f}"
            if "macro_f1_class_thresholds" in found[model]:
                text += f" / {found[model]['macro_f1_class_thresholds']:.4f}"
            cells.append(f"**{text}**" if model == best else text)
        metric = "macro F1, global / per-label thresholds" if main == "macro_f1" else main
        lines.append(f"| {dataset} ({metric}) | {bar:.2f} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sentiment_speed_table(records, seed: int = 0) -> str:
    """Training examples per second and single-text p50 latency (ms) of each neural model per corpus."""
    tests = _sentiment_tests(records, seed)
    models = [m for m in SENTIMENT_MODELS[1:] if any(model == m for _, model in tests)]
    lines = [
        "| dataset | " + " | ".join(f"{m}: examples/s, p50 ms" for m in models) + " |",
        "|---|" + "---|" * len(models),
    ]
    for dataset in SENTIMENT_BARS:
        if not any((dataset, m) in tests for m in models):
            continue
        cells = []
        for model in models:
            r = tests.get((dataset, model))
            cells.append(
                ""
                if r is None or r.examples_per_second is None or "latency_p50_ms" not in r.metrics
                else f"{r.examples_per_second:,.0f}, {r.metrics['latency_p50_ms']:.1f}"
            )
        lines.append(f"| {dataset} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def sentiment_bars(records) -> dict:
    """{dataset: {model: [test value of each seed]}} of the emotion-recognition figure: accuracy, or macro F1 for
    multi-label corpora (``sentiment_metric``)."""
    bars = defaultdict(lambda: defaultdict(list))
    for r in records:
        if r.task in ("sentiment", "sentiment-pretrained", "text-baselines") and r.split == "test":
            if r.dataset in SENTIMENT_BARS:
                bars[r.dataset][r.model].append(r.metrics[sentiment_metric(r.dataset)])
    return {dataset: dict(models) for dataset, models in bars.items()}


def sentiment_figure(records):
    """Test accuracy (macro F1 for GoEmotions) per corpus and model, mean ± std over seeds, with each corpus's bar."""
    bars = sentiment_bars(records)
    if not bars:
        return None
    datasets = sorted(bars)
    models = sorted({model for by_model in bars.values() for model in by_model})
    figure, ax = plt.subplots(figsize=(11, 4))
    width = 0.8 / len(models)
    for k, model in enumerate(models):
        runs = [bars[dataset].get(model, []) for dataset in datasets]
        means = [np.mean(values) if values else np.nan for values in runs]
        spreads = [np.std(values, ddof=1) if len(values) > 1 else 0.0 for values in runs]
        ax.bar(np.arange(len(datasets)) + k * width, means, width, yerr=spreads, capsize=2, label=model)
    for d, dataset in enumerate(datasets):
        ax.hlines(
            SENTIMENT_BARS[dataset],
            d - 0.1,
            d + 0.9,
            colors="k",
            linestyles="--",
            lw=1,
            label="bar to pass" if d == 0 else None,
        )
    ax.set_xticks(np.arange(len(datasets)) + 0.4 - width / 2, datasets, fontsize=8)
    ax.set_ylim(0, 1)
    ax.set_xlabel("corpus")
    ax.set_ylabel("test accuracy (GoEmotions: macro F1)")
    ax.set_title("emotion recognition: test split, mean over seeds (error bars: ± std where several seeds ran)")
    # beside the axes, so that no bar hides behind it
    ax.legend(fontsize=7, title="model", title_fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    figure.tight_layout()
    return figure


def ablation_figure(records):
    """Recall@20 and RMSE of each emotion-rec variant per dataset, mean ± std over seeds."""
    rows = [r for r in records if r.task == "emotion-rec" and r.split == "test" and "recall@20" in r.metrics]
    if not rows:
        return None
    datasets = sorted({r.dataset for r in rows})
    figure, axes = plt.subplots(len(datasets), 2, figsize=(10, 3.2 * len(datasets)), squeeze=False)
    for row, dataset in enumerate(datasets):
        groups = defaultdict(list)
        for r in rows:
            if r.dataset == dataset:
                groups[run_model(r)].append(r)
        names = list(groups)
        for ax, metric in zip(axes[row], ("recall@20", "rmse")):
            stats = [
                _mean_std([r.metrics[metric] for r in g]) if all(metric in r.metrics for r in g) else (np.nan, 0)
                for g in groups.values()
            ]
            ax.bar(range(len(names)), [m for m, _ in stats], yerr=[s for _, s in stats], capsize=3)
            finite = [m for m, _ in stats if np.isfinite(m)]
            if finite and metric == "rmse":
                ax.set_ylim(min(finite) * 0.9, max(finite) * 1.05)
            ax.set_xticks(range(len(names)), names, rotation=30, ha="right", fontsize=8)
            ax.set_title(f"{dataset}: test {metric}")
            ax.set_ylabel(f"{metric}, mean ± std over seeds", fontsize=8)
    figure.tight_layout()
    return figure


def regret_figure(records):
    """Cumulative regret per policy (mean over seeds), one panel per environment."""
    rows = [r for r in records if r.split == "online" and "curve" in r.config]
    if not rows:
        return None
    datasets = sorted({r.dataset for r in rows})
    figure, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 3.6), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        for (model,), group in _by([r for r in rows if r.dataset == dataset], "model").items():
            curves = np.array([r.config["curve"]["cumulative_regret"] for r in group])
            ax.plot(group[0].config["curve"]["round"], curves.mean(0), label=model.replace("bandit-", ""))
        ax.set(title=f"{dataset}: cumulative regret", xlabel="round")
        ax.legend(fontsize=7)
    figure.tight_layout()
    return figure


def curves_figure(records, task: str, metric: str):
    """Per-epoch ``metric`` from the histories the records of ``task`` carry (one seed: the lowest), for each
    model's current experiment (``run_model(r) == r.model``: e.g. the default review scorers), so that a panel
    holds one line per model."""
    rows = [
        r
        for r in records
        if r.task == task and r.split == "test" and metric in r.config.get("history", {}) and run_model(r) == r.model
    ]
    if not rows:
        return None
    seed = min(r.seed for r in rows)
    rows = [r for r in rows if r.seed == seed]
    datasets = sorted({r.dataset for r in rows})
    # one colour per model in every panel, so that a model is the same line wherever it appears
    colours = {model: f"C{k % 10}" for k, model in enumerate(sorted({r.model for r in rows}))}
    figure, axes = plt.subplots(1, len(datasets), figsize=(5.5 * len(datasets), 3.4), squeeze=False)
    for ax, dataset in zip(axes[0], datasets):
        for r in sorted(rows, key=lambda r: r.model):
            if r.dataset == dataset:
                values = r.config["history"][metric]
                ax.plot(range(1, len(values) + 1), values, marker=".", label=r.model, color=colours[r.model])
        ax.set(title=f"{task} / {dataset} (seed {seed})", xlabel="epoch", ylabel=metric)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.legend(fontsize=7, title="model", title_fontsize=7)
    figure.tight_layout()
    return figure


def write_report(records, folder, sources=(), commands: dict | None = None) -> Path:
    """Draw every figure the records allow into ``folder`` and write ``folder/report.md``; returns its path.

    A run found in several files (the same task, model, dataset, split and seed) counts once, from the last
    file: a full-preset run repeats the seed-0 runs of the per-task files, and counting them twice would
    shrink every standard deviation.
    """
    records = unique_runs(records)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    hardware = sorted({r.hardware for r in records if r.hardware})
    lines = [
        "# Results report",
        "",
        "Drawn by `python scripts/make_report.py` from the results files listed at the end; every number here "
        f"is in one of them. Hardware: {', '.join(hardware) or 'not recorded'}.",
        "",
        "## At a glance",
        "",
        "Test split; each model chosen on validation (README shows this table).",
        "",
        glance_table(records),
        "",
    ]

    def figure_section(title, name, figure, text=""):
        if figure is None:
            return
        figure.savefig(folder / name, dpi=90)
        plt.close(figure)
        lines.extend([f"## {title}", "", *([text, ""] if text else []), f"![{title}]({name})", ""])

    for dataset in sorted(
        {r.dataset for r in records if r.split == "test" and "recall@20" in r.metrics and r.task != "emotion-rec"}
    ):
        figure_section(
            f"Ranking on {dataset}",
            f"ranking-{dataset}.png",
            ranking_figure([r for r in records if r.task != "emotion-rec"], dataset),
            "Test split, full ranking (docs/protocols.md); bars are mean ± std over the seeds in the files; dashed "
            "lines are the published anchors where docs/protocols.md gives them.",
        )
    figure_section(
        "Emotion recognition",
        "sentiment.png",
        sentiment_figure(records),
        "Test split, the mean over the seeds run (error bars: ± std where several seeds ran); dashed: the bar each "
        "dataset must pass.",
    )
    if _sentiment_tests(records):
        lines += [
            "Test split, seed 0 (best per row in bold):",
            "",
            sentiment_table(records),
            "",
            "Training speed and single-text latency on the recorded hardware:",
            "",
            sentiment_speed_table(records),
            "",
        ]
    figure_section("Emotion-driven recommendation: ablation", "emotion-rec-ablation.png", ablation_figure(records))
    figure_section("Emotion-driven recommendation: feedback loop", "bandit-regret.png", regret_figure(records))
    figure_section(
        "Training curves: emotion-driven recommender",
        "curves-emotion-rec.png",
        curves_figure(records, "emotion-rec", "val_recall@20"),
        "Validation Recall@20 per epoch, seed 0, the default review scorers (lexicon and LSTM).",
    )
    figure_section(
        "Training curves: emotion recognition",
        "curves-sentiment.png",
        curves_figure(records, "sentiment", "val_accuracy"),
        "Validation accuracy per epoch.",
    )
    for r in records:
        if r.split == "test" and "confusion_matrix" in r.config:
            name = f"confusion-{r.dataset}-{r.model}-seed{r.seed}.png"
            figure_section(
                f"Confusion matrix: {r.model} on {r.dataset}",
                name,
                confusion_matrix_figure(
                    np.asarray(r.config["confusion_matrix"]), r.config["labels"], f"{r.dataset} / {r.model}: test"
                ),
            )
    table_metrics = [
        m
        for m in ("accuracy", "macro_f1", "recall@20", "ndcg@20", "rmse", "mean_reward")
        if any(m in r.metrics for r in records)
    ]
    lines += [
        "## All test and online records (mean ± std over seeds)",
        "",
        format_seed_table(  # each experiment under its own name (run_model): never two averaged as one
            [
                dataclasses.replace(r, model=run_model(r))
                for r in records
                if r.split in ("test", "online") and any(m in r.metrics for m in table_metrics)
            ],
            table_metrics,
        ),
        "",
    ]
    if sources:
        lines += ["## Sources", "", "| file | command |", "|---|---|"]
        lines += [f"| `{s}` | {(commands or {}).get(Path(s).name, 'see docs/results/README.md')} |" for s in sources]
    path = folder / "report.md"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path
