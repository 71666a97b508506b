"""The task registry behind ``scripts/train_all.py``.

A task module registers a function that trains and scores on a preset and
returns results records::

    @register_task("ranking-baselines", "Pop and EASE on the interaction datasets")
    def ranking_baselines(context: RunContext) -> list[ResultRecord]: ...

``train_all.py`` imports ``emotion_tf.tasks`` (which imports every task
module) and runs what was registered; it knows no task by name.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

PRESETS = ("quick", "full")
# tf.distribute strategies by name (made by emotion_tf.training.distribution.make_strategy)
STRATEGIES = ("default", "mirrored", "multiworker")


@dataclass
class RunContext:
    """What a task needs to know about the run it is part of.

    Attributes:
      preset: ``"quick"`` (embedded data, minutes on 2 CPU cores) or
        ``"full"`` (the real datasets from ``data_dir``).
      seed: the run's seed; a task derives every random draw from it.
      data_dir: folder laid out as ``docs/protocols.md`` says (None: loader defaults).
      logdir: this run's TensorBoard folder.
      datasets: if given, tasks run only on these dataset keys.
    """

    preset: str
    seed: int = 0
    data_dir: str | None = None
    logdir: Path = Path("tensorboard_logs/run")
    datasets: tuple[str, ...] | None = None
    task: str = ""
    started: float = field(default_factory=time.time)

    def __post_init__(self):
        if self.preset not in PRESETS:
            raise ValueError(f"preset must be one of {PRESETS}, got {self.preset!r}")
        self.logdir = Path(self.logdir)

    def wants(self, dataset: str) -> bool:
        """Whether this run includes ``dataset`` (all datasets unless ``--datasets`` narrowed it)."""
        return self.datasets is None or dataset in self.datasets

    def log(self, message: str) -> None:
        """Progress line: elapsed time, task, message (to stderr, flushed)."""
        elapsed = time.time() - self.started
        print(f"[{elapsed:7.1f}s] {self.task}: {message}", file=sys.stderr, flush=True)


@dataclass(frozen=True)
class Task:
    name: str
    description: str
    run: Callable[[RunContext], list]


TASKS: dict[str, Task] = {}


def register_task(name: str, description: str):
    """Decorator: make ``run(context) -> list[ResultRecord]`` a task of train_all."""

    def decorate(run):
        if name in TASKS:
            raise ValueError(f"task {name!r} is registered twice")
        TASKS[name] = Task(name, description, run)
        return run

    return decorate
