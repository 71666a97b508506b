"""Speed metrics (docs/protocols.md, "Speed"): latency percentiles of single calls, measured after a warm-up.

Every latency the project reports goes through ``call_latency``, so "p50" means the same thing for a sentiment
SavedModel, a top-K recommender and a numpy brute force.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable

import numpy as np


def latency_percentiles(seconds) -> dict:
    """{"latency_p50_ms", "latency_p95_ms"} of call durations given in seconds; ValueError when there are none."""
    milliseconds = 1000 * np.asarray(list(seconds), dtype=np.float64)
    if milliseconds.size == 0:
        raise ValueError("no timed calls: latency needs at least one")
    return {
        "latency_p50_ms": float(np.percentile(milliseconds, 50)),
        "latency_p95_ms": float(np.percentile(milliseconds, 95)),
    }


def time_calls(function: Callable, arguments: Iterable, warmup: int = 1) -> list[float]:
    """Seconds of ``function(argument)`` for each argument, after ``warmup`` untimed calls on the first ones.

    The warm-up traces TensorFlow functions and fills caches, so the timed calls are what a server sees.
    """
    arguments = list(arguments)
    for argument in arguments[:warmup]:
        function(argument)
    seconds = []
    for argument in arguments:
        started = time.perf_counter()
        function(argument)
        seconds.append(time.perf_counter() - started)
    return seconds


def call_latency(function: Callable, arguments: Iterable, warmup: int = 1) -> dict:
    """p50 / p95 milliseconds of one call of ``function`` per argument, after a warm-up."""
    return latency_percentiles(time_calls(function, arguments, warmup))
