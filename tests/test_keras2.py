"""tf.keras must be Keras 2 (tf-keras) for TFRS and TF-GNN, whatever the user imported first."""

import os
import subprocess
import sys

from conftest import REPOSITORY


def run_python(code: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "TF_USE_LEGACY_KERAS"}
    env["PYTHONPATH"] = str(REPOSITORY)
    env["TF_CPP_MIN_LOG_LEVEL"] = "3"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)


def test_keras2_even_when_tensorflow_was_imported_first():
    result = run_python(
        "import tensorflow as tf\n"
        "import emotion_tf\n"
        "import tensorflow_recommenders as tfrs, tensorflow_gnn as tfgnn\n"
        "from tensorflow_gnn.models import gcn\n"
        "import tf_keras\n"
        "assert tf.keras.__name__.startswith('tf_keras'), tf.keras.__name__\n"
        "assert tf_keras.__version__.startswith('2.'), tf_keras.__version__\n"
        "layer = tf.keras.layers.Dense(2)\n"
        "assert type(layer).__module__.startswith('tf_keras'), type(layer).__module__\n"
        "assert isinstance(tfrs.layers.factorized_top_k.BruteForce(), tf_keras.layers.Layer)\n"
        "print('ok', tfgnn.__version__)\n"
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert "ok 1.0.3" in result.stdout


def test_clear_error_when_keras3_was_already_resolved():
    result = run_python(
        "import os\n"
        "os.environ['TF_USE_LEGACY_KERAS'] = '0'\n"
        "import tensorflow as tf\n"
        "tf.keras.layers  # resolves tf.keras to Keras 3 before emotion_tf can set the variable\n"
        "import emotion_tf\n"
    )
    assert result.returncode != 0
    assert "Import emotion_tf (or set TF_USE_LEGACY_KERAS=1) before the first use of tf.keras" in result.stderr


def test_tensorflow_start_up_lines_are_kept_out_of_the_way_unless_asked_for():
    env = {k: v for k, v in os.environ.items() if k not in ("TF_USE_LEGACY_KERAS", "TF_CPP_MIN_LOG_LEVEL")}
    env["PYTHONPATH"] = str(REPOSITORY)
    code = "import emotion_tf, tensorflow as tf\nprint(int(tf.constant(2) + 1))\n"
    quiet = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300)
    assert quiet.returncode == 0 and quiet.stdout.strip() == "3"
    assert quiet.stderr == ""  # no oneDNN, CUDA or absl lines
