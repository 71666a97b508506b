#!/usr/bin/env python
"""Train and score every registered task, one after another, and write one results file.

    python scripts/train_all.py                       # quick preset: embedded data, minutes on 2 CPU cores
    python scripts/train_all.py --preset full --data-dir DATA --results results.json
    python scripts/train_all.py --only text-baselines --seed 3
    python scripts/train_all.py --preset full --data-dir DATA --datasets chnsenticorp-htl,rt-polarity
    python scripts/train_all.py --list
    python scripts/train_all.py --logdir tensorboard_logs/my-run --resume   # after a kill: skip finished tasks
    python scripts/train_all.py --preset full --data-dir DATA --strategy mirrored --mixed-precision --jit
    TF_CONFIG='{...}' python scripts/train_all.py --preset full --data-dir DATA --strategy multiworker

Each task logs to TensorBoard under ``--logdir`` (default
``tensorboard_logs/<preset>-<date>-<time>``); the results records of
docs/protocols.md go to ``--results`` (default ``<logdir>/results.json``), and a
summary table is printed and written next to them as Markdown.  If a task
fails, the others still run, and the script exits with status 1 naming it.

The results file is rewritten after every task, so a killed run loses at most
the task it was in; ``--resume`` keeps the records of the tasks already in
the results file and runs only the others.  The task that was killed starts
again from scratch (its unfinished run folder, with any mid-training backup,
is removed first): a task is deterministic given the seed, so the resumed run
ends with the same metrics as an unbroken one (timings differ).  Continuing a
fit from its last epoch instead (``BackupAndRestore``, which every trainer
also writes) would change the order of the remaining epochs' batches and the
early-stopping state, and so the numbers.
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
import traceback
from datetime import datetime
from pathlib import Path

from emotion_tf import data
from emotion_tf.names import parse_names
from emotion_tf.report import run_summary, terminal_table
from emotion_tf.training.registry import PRESETS, STRATEGIES, TASKS, RunContext
from emotion_tf.training.results import read_records, write_records, write_text_atomically

# Nothing above loads TensorFlow (seconds): --help and a refused option answer at once. main() imports the
# tasks, and with them TensorFlow, once the options have passed.


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument(
        "--preset",
        choices=PRESETS,
        default="quick",
        help="quick: embedded data, a few minutes on 2 CPU cores; full: real datasets",
    )
    parser.add_argument(
        "--only",
        action="append",
        default=None,
        metavar="TASK",
        help="run only these tasks (repeat, or separate with commas)",
    )
    parser.add_argument(
        "--datasets",
        default=None,
        metavar="KEY[,KEY]",
        help="run the tasks only on these datasets (e.g. emotion-carer,rt-polarity)",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument(
        "--data-dir",
        default=None,
        help="folder laid out as docs/protocols.md says (default: $EMOTION_TF_DATA, then the cache)",
    )
    parser.add_argument("--logdir", default=None, help="TensorBoard folder of this run")
    parser.add_argument("--results", default=None, help="results JSON path (default: <logdir>/results.json)")
    parser.add_argument(
        "--resume",
        action="store_true",
        help="keep the records of tasks already in the results file and run only the others",
    )
    parser.add_argument(
        "--strategy",
        choices=STRATEGIES,
        default="default",
        help="tf.distribute strategy: default (one device), mirrored (the GPUs of this machine), "
        "multiworker (several machines; reads TF_CONFIG)",
    )
    parser.add_argument(
        "--cpu-replicas",
        type=int,
        default=0,
        metavar="N",
        help="with --strategy mirrored and no GPU: mirror over N logical CPU devices",
    )
    parser.add_argument(
        "--mixed-precision",
        action="store_true",
        help="mixed_float16 policy (float16 compute, float32 variables): for GPUs with tensor cores",
    )
    parser.add_argument("--jit", action="store_true", help="XLA auto-clustering of every tf.function")
    parser.add_argument("--list", action="store_true", help="list the registered tasks and exit")
    return parser.parse_args(argv)


def selected_tasks(only) -> list[str]:
    if not only:
        return list(TASKS)
    try:
        return parse_names(only, TASKS, "task(s)")
    except ValueError as error:
        raise SystemExit(f"error: {error}") from None


def dataset_keys() -> list[str]:
    """Every key ``--datasets`` accepts: the loaders' keys and the simulated English reviews."""
    return [*data.keys(), "synthetic-reviews-en"]


def check_options(args) -> str | None:
    """A one-line reason to refuse the options before any work is done (nothing is written), or None."""
    if args.datasets:
        try:
            parse_names(args.datasets, dataset_keys(), "dataset key(s)")
        except ValueError as error:
            return f"--datasets: {error}"
    if args.data_dir is not None and not Path(args.data_dir).expanduser().is_dir():
        return f"--data-dir {args.data_dir} is not a folder (it must hold the datasets laid out as docs/ describes)"
    return None


def run_options(args, names) -> dict:
    """What must match between a run and its --resume: written beside the results as <results>.run.json."""
    return {"preset": args.preset, "seed": args.seed, "tasks": list(names), "datasets": args.datasets}


def resume_conflict(path: Path, options: dict) -> str | None:
    """Why --resume must refuse (the earlier run had another preset, seed or datasets), or None."""
    if not path.exists():
        return None
    earlier = json.loads(path.read_text(encoding="utf-8"))
    differ = [key for key in ("preset", "seed", "datasets") if earlier.get(key) != options[key]]
    if not differ:
        return None
    return (
        f"--resume: {path} was written by a run with "
        + ", ".join(f"{k} {earlier.get(k)!r}" for k in differ)
        + "; this run asks for "
        + ", ".join(f"{k} {options[k]!r}" for k in differ)
        + ". Resume with the same options, or pass another --logdir/--results for a new run."
    )


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.list:
        import emotion_tf.tasks  # noqa: F401  (registers every task in TASKS)

        for task in TASKS.values():
            print(f"{task.name:24s} {task.description}")
        return 0
    problem = check_options(args)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    import emotion_tf.tasks  # noqa: F401  (registers every task in TASKS; TensorFlow loads here)
    from emotion_tf.training.distribution import (
        is_chief,
        make_strategy,
        set_jit,
        set_mixed_precision,
        use_strategy,
        writable_folder,
    )
    from emotion_tf.training.seeds import set_seed
    from emotion_tf.training.tensorboard import relative_logdir, write_experiment

    names = selected_tasks(args.only)
    strategy = use_strategy(make_strategy(args.strategy, args.cpu_replicas))  # before any TensorFlow work
    precision = set_mixed_precision(args.mixed_precision)
    set_jit(args.jit)
    datasets = tuple(k.strip() for k in args.datasets.split(",") if k.strip()) if args.datasets else None
    logdir = Path(args.logdir or f"tensorboard_logs/{args.preset}-{datetime.now():%Y%m%d-%H%M%S}")
    results_path = Path(args.results or logdir / "results.json")
    if not is_chief():  # every worker trains; only the chief writes the run's logs and records
        logdir = writable_folder(logdir)
        results_path = logdir / "results.json"
    print(
        f"emotion_tf train_all: preset {args.preset}, seed {args.seed}, tasks {', '.join(names)}\n"
        f"  strategy {args.strategy} ({strategy.num_replicas_in_sync} replica(s)), precision {precision}, "
        f"XLA {'on' if args.jit else 'off'}\n"
        f"  TensorBoard: tensorboard --logdir {logdir}\n  results: {results_path}",
        file=sys.stderr,
    )

    options, options_path = run_options(args, names), results_path.with_suffix(".run.json")
    if args.resume:
        problem = resume_conflict(options_path, options)
        if problem:
            print(f"error: {problem}", file=sys.stderr)
            return 2
    if is_chief():
        write_text_atomically(json.dumps(options, indent=2) + "\n", options_path)
    records, failures, finished, started = [], [], set(), time.time()
    if args.resume and results_path.exists():
        records = [r for r in read_records(results_path) if r.task in names]
        finished = {r.task for r in records}
        print(f"  resuming: keeping the records of {', '.join(sorted(finished)) or 'no task'}", file=sys.stderr)
    for number, name in enumerate(names, start=1):
        if name in finished:
            continue
        context = RunContext(
            preset=args.preset,
            seed=args.seed,
            data_dir=args.data_dir,
            logdir=logdir,
            datasets=datasets,
            task=name,
            started=started,
        )
        context.log(f"task {number}/{len(names)} starting")
        partial = logdir / name
        if partial.exists():  # left by a killed run: start the task afresh, so its records equal an unbroken run's
            shutil.rmtree(partial)
            context.log(f"removed the unfinished run folder {partial}")
        set_seed(args.seed)
        try:
            new = TASKS[name].run(context)
        except Exception as error:  # one failing task must not hide the others' results
            traceback.print_exc()
            failures.append(f"{name}: {type(error).__name__}: {error}")
            context.log(f"FAILED: {error}")
            continue
        for record in new:  # relative to the run folder, so a results file names no machine path
            record.logdir = relative_logdir(record.logdir, logdir)
        records += new
        write_records(records, results_path)  # after every task, so a kill loses at most one task
        if is_chief() and (logdir / name).is_dir():  # the task's HParams experiment: its own columns only
            write_experiment(logdir / name)
        context.log(f"done, {len(new)} records")

    command = "python scripts/train_all.py " + " ".join(sys.argv[1:] if argv is None else argv)
    summary = run_summary(records, names, command.strip(), time.time() - started, f"{datetime.now():%Y-%m-%d %H:%M}")
    print("\n" + terminal_table(records) + "\n")  # short; the whole Markdown summary is in the .md file
    write_records(records, results_path)
    write_text_atomically(summary + "\n", results_path.with_suffix(".md"))  # never a half-written table
    print(
        f"wrote {len(records)} records to {results_path} (table: {results_path.with_suffix('.md')}) "
        f"in {time.time() - started:.0f}s",
        file=sys.stderr,
    )
    unused = sorted(set(datasets or ()) - {r.dataset for r in records})
    if unused:
        failures.append(f"no selected task ran on dataset(s) {', '.join(unused)} in the {args.preset} preset")
    if failures:
        print("error: the run is incomplete:\n  " + "\n  ".join(failures), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
