"""Shared fixtures.

No test reaches the internet: downloads are switched off for the whole suite
(the download path is tested against a local HTTP server).  Tests that need
the real datasets use ``shared_data`` and skip with the reason when the
folder is absent.
"""

import os
from pathlib import Path

import pytest

os.environ["EMOTION_TF_DOWNLOAD"] = "0"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
if os.environ.get("PYTEST_XDIST_WORKER"):
    # `pytest -n 2` on two cores: each worker's TensorFlow (and the subprocesses and notebook kernels it starts,
    # which inherit this) computes an op on one thread, instead of two workers each using both cores
    os.environ.setdefault("TF_NUM_INTRAOP_THREADS", "1")
    os.environ.setdefault("TF_NUM_INTEROP_THREADS", "1")
    os.environ.setdefault("OMP_NUM_THREADS", "1")

# Keras 2 for every test module, whichever of tensorflow / tensorflow_gnn / emotion_tf it imports first
import emotion_tf  # noqa: E402,F401

REPOSITORY = Path(__file__).resolve().parents[1]


def predict_in_fresh_process(code: str, *args):
    """Run ``code`` in a new Python process that has never built a model, and return the array it saved.

    ``code`` reads ``sys.argv[1]`` (where to ``np.save`` its answer) and ``sys.argv[2:]`` (``args``); the
    process sees only the repository on its path, as a user who loads a saved model would.
    """
    import subprocess
    import sys
    import tempfile

    import numpy as np

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "answer.npy"
        result = subprocess.run(
            [sys.executable, "-c", code, str(out), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=300,
            env={"PYTHONPATH": str(REPOSITORY), "TF_CPP_MIN_LOG_LEVEL": "3", "PATH": "/usr/bin:/bin"},
        )
        assert result.returncode == 0, result.stderr[-2000:]
        return np.load(out)


def load_script(name: str):
    """``scripts/<name>.py`` as a module, so a test can call its ``main(argv)`` in this process.

    Each script is also run once as a real subprocess by its tests (it must start in a fresh process); the
    many cases of bad input are checked in-process, which spares a TensorFlow start-up per case.
    """
    import importlib.util

    spec = importlib.util.spec_from_file_location(f"script_{name}", REPOSITORY / "scripts" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


# Read once at start: tests below run with the variable removed, so that only the folders
# they pass explicitly are searched.
SHARED_DATA = Path(os.environ["EMOTION_TF_DATA"]) if os.environ.get("EMOTION_TF_DATA") else None


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The data folder $EMOTION_TF_DATA names (laid out as docs/protocols.md says); skip when unset or absent."""
    folder = SHARED_DATA
    where = "EMOTION_TF_DATA is not set" if folder is None else f"no ml-100k/ in {folder}"
    if folder is None or not (folder / "ml-100k").is_dir():
        pytest.skip(
            f"real datasets not found ({where}): set EMOTION_TF_DATA to a data folder laid out as "
            "docs/protocols.md says to run this test"
        )
    return folder


@pytest.fixture(autouse=True)
def isolated_cache(tmp_path, monkeypatch):
    """Every test gets its own empty dataset cache, so no test sees another's downloads."""
    monkeypatch.setenv("EMOTION_TF_CACHE", str(tmp_path / "cache"))
    monkeypatch.delenv("EMOTION_TF_DATA", raising=False)


@pytest.fixture(scope="session")
def minilm() -> Path:
    """The pretrained all-MiniLM-L6-v2 folder under the shared data folder; skip when absent."""
    folder = SHARED_DATA / "pretrained" / "all-MiniLM-L6-v2" if SHARED_DATA else None
    if folder is None or not (folder / "model.safetensors").is_file():
        pytest.skip(
            f"pretrained checkpoint not found at {folder or 'EMOTION_TF_DATA (not set)'} "
            "(set EMOTION_TF_DATA to a folder with pretrained/all-MiniLM-L6-v2 to run this test)"
        )
    return folder


# The slowest modules go first, so that under ``pytest -n 2`` each starts while the other core works through
# the many short tests, instead of starting last and running alone.
SLOW_FIRST = (
    "test_quick_preset.py",
    "test_notebooks.py",
    "test_train_all.py",
    "test_bert.py",
    "test_sentiment_models.py",
    "test_distribution.py",
    "test_explain.py",
    "test_sentiment_task.py",
    "test_recommend_serving.py",
    "test_emotion_rec.py",
)


def pytest_collection_modifyitems(session, config, items):
    rank = {name: position for position, name in enumerate(SLOW_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(SLOW_FIRST)))
