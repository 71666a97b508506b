#!/usr/bin/env python
"""The emotion-driven recommender's ablation over seeds, with a paired significance test.

    python scripts/benchmark_emotion_rec.py --data-dir DATA --seeds 0 1 2 3 4 \\
        --results docs/results/emotion-rec-ablation.json

Runs the ``emotion-rec`` task (full preset: the simulated world and Amazon Musical Instruments) once per
seed, writes every results record to ``--results`` after each seed, and prints (and writes beside it as
Markdown) the ablation table: per dataset and variant, test Recall@20, NDCG@20, F1@10 and RMSE as
mean ± std over the seeds, each emotion variant against ``behavior-only`` by a paired t-test.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from emotion_tf.emotion_rec.scorer_names import DATASETS, DEFAULT_SCORERS, SCORER_CHOICES
from emotion_tf.names import name_list
from emotion_tf.training.registry import RunContext
from emotion_tf.training.results import format_seed_table, write_records, write_text_atomically


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data-dir", default=None, help="folder laid out as docs/protocols.md says")
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2, 3, 4])
    parser.add_argument(
        "--datasets",
        type=name_list(DATASETS, "datasets"),
        default=None,
        help=f"comma-separated, from {', '.join(DATASETS)} (default: both)",
    )
    parser.add_argument("--preset", choices=("quick", "full"), default="full")
    parser.add_argument("--logdir", default="tensorboard_logs/emotion-rec-ablation")
    parser.add_argument("--results", default="emotion-rec-ablation.json")
    parser.add_argument(
        "--scorers",
        type=name_list(SCORER_CHOICES, "scorers"),
        default=",".join(DEFAULT_SCORERS),
        help=f"review scorers whose emotion state feeds the model, from {', '.join(SCORER_CHOICES)}",
    )
    args = parser.parse_args(argv)
    datasets = tuple(args.datasets) if args.datasets else None
    scorers = tuple(args.scorers)

    # TensorFlow loads here, once the options have passed (so --help answers at once)
    from emotion_tf.emotion_rec.ablation import ablation_rows, format_ablation
    from emotion_tf.tasks.emotion_rec import emotion_rec
    from emotion_tf.training.tensorboard import relative_logdir, write_experiment

    records = []
    for seed in args.seeds:
        context = RunContext(
            args.preset,
            seed=seed,
            data_dir=args.data_dir,
            logdir=Path(args.logdir) / f"seed{seed}",
            datasets=datasets,
            task="emotion-rec",
        )
        new = emotion_rec(context, scorers)
        for record in new:  # relative to --logdir: the results file names no machine path
            record.logdir = relative_logdir(record.logdir, Path(args.logdir))
        records += new
        write_records(records, args.results)
    write_experiment(args.logdir)  # HParams: every seed's trials, by the settings that differ
    table = format_ablation(ablation_rows(records))
    bandit = format_seed_table(
        [r for r in records if r.split == "online"],
        ["mean_reward", "cumulative_regret", "regret_first_quarter", "regret_last_quarter"],
    )
    report = f"## Ablation (test split)\n\n{table}\n\n## Feedback loop\n\n{bandit}\n"
    print(report)
    write_text_atomically(report, Path(args.results).with_suffix(".md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
