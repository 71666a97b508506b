"""Results records (docs/protocols.md): one JSON record per (task, model, dataset, split).

Every number quoted in README or docs comes from a file of these records,
written by the command quoted next to it.
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import platform
import tempfile
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ResultRecord:
    """One scored configuration; ``metrics`` holds only scalar numbers."""

    task: str
    model: str
    dataset: str
    split: str
    seed: int
    metrics: dict[str, float]
    train_seconds: float | None = None
    examples_per_second: float | None = None
    params: int | None = None
    config: dict = field(default_factory=dict)
    hardware: str = ""
    logdir: str = ""

    def __post_init__(self):
        for name, value in self.metrics.items():
            if not isinstance(value, (int, float)) or isinstance(value, bool):
                raise TypeError(f"metric {name!r} must be a number, got {type(value).__name__}")
        if not self.hardware:
            self.hardware = hardware_description()

    def to_json(self) -> dict:
        return dataclasses.asdict(self)


def hardware_description() -> str:
    """E.g. '2 CPU cores (x86_64, AMD EPYC, AVX2)' or '2 CPU cores (x86_64, ...), 1 GPU: NVIDIA A100'.

    The CPU's model and widest vector instructions are named because TensorFlow's CPU kernels (oneDNN,
    Eigen) pick their code by them: the same seed on an AVX-512 and on an AVX2 machine can round differently,
    and a recurrent model over hundreds of steps can carry that into other final numbers.
    """
    import tensorflow as tf  # here, not at the top: reading and tabulating records needs no TensorFlow

    cpu = [platform.machine()]
    try:
        cpu += cpu_description(Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace"))
    except OSError:  # not Linux: the architecture alone
        pass
    text = f"{os.cpu_count()} CPU cores ({', '.join(part for part in cpu if part)})"
    gpus = tf.config.list_physical_devices("GPU")
    if gpus:
        names = [tf.config.experimental.get_device_details(g).get("device_name", g.name) for g in gpus]
        text += f", {len(gpus)} GPU: " + ", ".join(names)
    return text


def cpu_description(cpuinfo: str) -> list[str]:
    """[model name, widest vector extension] read from the text of Linux's /proc/cpuinfo (first CPU)."""
    fields = {}
    for line in cpuinfo.splitlines():
        if not line.strip():
            break  # the first processor's block is enough: the cores of one machine are alike
        key, _, value = line.partition(":")
        fields[key.strip()] = value.strip()
    flags = set(fields.get("flags", "").split())
    widest = next(
        (name for flag, name in (("avx512f", "AVX-512"), ("avx2", "AVX2"), ("avx", "AVX")) if flag in flags), ""
    )
    return [" ".join(fields.get("model name", "").split()), widest]


def _clean(value):
    """JSON has no NaN or infinity: write them as null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _clean(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def write_records(records, path) -> Path:
    """Write records as a JSON list, atomically (a reader never sees half a file)."""
    return write_text_atomically(json.dumps([_clean(r.to_json()) for r in records], indent=2, ensure_ascii=False), path)


def write_text_atomically(payload: str, path) -> Path:
    """Write ``payload`` to ``path`` through a temporary file and a rename: a killed writer leaves the old
    file or none, never half a file."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as f:
            f.write(payload + "\n")
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes the file private; a results file is not
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_records(path) -> list[ResultRecord]:
    """Read a file written by ``write_records``."""
    path = Path(path)
    try:
        rows = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise ValueError(f"cannot read results records from {path}: {error}") from error
    if not isinstance(rows, list):
        raise ValueError(f"{path}: expected a JSON list of records")
    records = []
    for number, row in enumerate(rows):
        try:
            metrics = {k: (float("nan") if v is None else v) for k, v in row.pop("metrics").items()}
            records.append(ResultRecord(metrics=metrics, **row))
        except (TypeError, KeyError, AttributeError) as error:
            raise ValueError(f"{path}: record {number} is malformed: {error}") from error
    return records


def _number(value) -> str:
    """Counts as integers with thousands separators, everything else with four decimals."""
    if value is None:
        return ""
    if float(value).is_integer() and abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.4f}"


def format_table(records, metrics=None) -> str:
    """A Markdown table of the records, one row each, with the chosen metric columns."""
    if not records:
        return "(no results)"
    if metrics is None:
        metrics = []
        for record in records:
            for name in record.metrics:
                if name not in metrics and name != "users":
                    metrics.append(name)
    header = ["task", "model", "dataset", "split", *metrics, "train s"]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in records:
        cells = [r.task, r.model, r.dataset, r.split]
        cells += [_number(r.metrics.get(m)) for m in metrics]
        cells.append(f"{r.train_seconds:.1f}" if r.train_seconds is not None else "")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def format_seed_table(records, metrics) -> str:
    """Mean ± standard deviation over seeds of each (task, model, dataset, split), as a Markdown table.

    The standard deviation is the sample one (n - 1); with one seed it is left out.
    """
    groups: dict[tuple, list[ResultRecord]] = {}
    for r in records:
        groups.setdefault((r.task, r.model, r.dataset, r.split), []).append(r)
    header = ["task", "model", "dataset", "split", "seeds", *metrics]
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for key, rows in groups.items():
        cells = [*key, str(len({r.seed for r in rows}))]
        for metric in metrics:
            values = [r.metrics[metric] for r in rows if r.metrics.get(metric) is not None]
            if not values:
                cells.append("")
            elif len(values) == 1:
                cells.append(f"{values[0]:.4f}")
            else:
                mean = sum(values) / len(values)
                std = math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))
                cells.append(f"{mean:.4f} ± {std:.4f}")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)
