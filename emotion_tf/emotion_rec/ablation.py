"""The ablation table: each variant's mean ± std over seeds, and a paired t-test against the baseline."""

from __future__ import annotations

import numpy as np

from emotion_tf.metrics.significance import paired_t_test

HEADLINE = ("recall@20", "ndcg@20", "f1@10", "rmse")


def ablation_rows(records, baseline: str = "behavior-only", metrics=HEADLINE, split: str = "test") -> list[dict]:
    """One row per (dataset, model, metric): mean, std, seeds and, against ``baseline``, the paired test
    over the seeds both have (None when fewer than 2 seeds pair up)."""
    values: dict = {}
    for record in records:
        if record.split != split:
            continue
        for metric in metrics:
            if metric in record.metrics:
                values.setdefault((record.dataset, record.model, metric), {})[record.seed] = record.metrics[metric]
    rows = []
    for (dataset, model, metric), by_seed in sorted(values.items()):
        scores = np.array(list(by_seed.values()))
        row = {
            "dataset": dataset,
            "model": model,
            "metric": metric,
            "mean": float(scores.mean()),
            "std": float(scores.std(ddof=1)) if len(scores) > 1 else 0.0,
            "seeds": len(scores),
            "test": None,
        }
        reference = values.get((dataset, baseline, metric), {})
        paired = sorted(set(by_seed) & set(reference))
        if model != baseline and len(paired) >= 2:
            row["test"] = paired_t_test([by_seed[s] for s in paired], [reference[s] for s in paired])
        rows.append(row)
    return rows


def format_ablation(rows, baseline: str = "behavior-only") -> str:
    """Markdown: one line per (dataset, model), one column per metric, mean ± std and the p-value."""
    metrics = list(dict.fromkeys(row["metric"] for row in rows))
    cells: dict = {}
    for row in rows:
        text = f"{row['mean']:.4f} ± {row['std']:.4f}"
        if row["test"] is not None:
            text += f" (Δ {row['test']['mean_difference']:+.4f}, p {row['test']['p_value']:.3g})"
        cells.setdefault((row["dataset"], row["model"]), {})[row["metric"]] = text
    lines = ["| dataset | model | " + " | ".join(metrics) + " |", "|---|---|" + "---|" * len(metrics)]
    for (dataset, model), by_metric in cells.items():
        lines.append(f"| {dataset} | {model} | " + " | ".join(by_metric.get(m, "") for m in metrics) + " |")
    lines.append(f"\nΔ and p: paired t-test against {baseline} over the seeds (two-sided).")
    return "\n".join(lines)
