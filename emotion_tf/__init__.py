"""emotion_tf: emotion-aware user-behaviour analysis and recommendation in TensorFlow.

TensorFlow Recommenders and TF-GNN need Keras 2, which TensorFlow >= 2.16 only
gives through the ``tf-keras`` package when ``TF_USE_LEGACY_KERAS=1`` is set
before ``tf.keras`` is first touched.  Importing this package sets it, so code
here (and a user's notebook) can always write ``tf.keras``.

``tf.keras`` is resolved lazily by TensorFlow on first attribute access, so the
setting still works when the user imported ``tensorflow`` before
``emotion_tf``, as long as nothing read ``tf.keras`` in between.  If something
did, we stop with an error that says how to fix it rather than run TFRS or
TF-GNN against Keras 3 and fail later with an obscure message.

Importing this package does not import TensorFlow (seconds of start-up): a
command-line tool can parse its arguments, and answer ``--help``, first.  The
first ``import tensorflow`` after it, from any module, is made quiet instead
(see ``_QuietTensorFlowFinder``).
"""

import importlib.abc as _abc
import importlib.util as _util
import os as _os
import sys as _sys
import tempfile as _tempfile

_os.environ["TF_USE_LEGACY_KERAS"] = "1"

# TensorFlow's C++ start-up lines (CUDA probing on a machine without a GPU, oneDNN notices) are not the user's
# errors. Unless the user chose a log level (TF_CPP_MIN_LOG_LEVEL=0 shows everything), later C++ messages are
# limited to fatal ones, and the lines printed while TensorFlow loads, before its logging starts and so
# deaf to that level, are held back; they are shown if the import fails.
_QUIET = "TF_CPP_MIN_LOG_LEVEL" not in _os.environ
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

__version__ = "0.1.0"


def keras_is_legacy() -> bool:
    """True when ``tf.keras`` is Keras 2 (the ``tf_keras`` package)."""
    import tensorflow as tf

    return tf.keras.__name__.startswith("tf_keras")


def _quiet_python_logger(tensorflow) -> None:
    # TensorFlow's Python-side notices (e.g. "the model was *not* compiled" on loading for inference).
    tensorflow.get_logger().setLevel("ERROR")


class _StderrHeldLoader(_abc.Loader):
    """Runs TensorFlow's own loader with file descriptor 2 sent to a temporary file: the C++ lines printed
    before TensorFlow's logging starts go there, and are written out only if the import fails."""

    def __init__(self, loader):
        self._loader = loader

    def create_module(self, spec):
        return self._loader.create_module(spec)

    def exec_module(self, module):
        _sys.stderr.flush()
        saved = _os.dup(2)
        with _tempfile.TemporaryFile() as held:
            _os.dup2(held.fileno(), 2)
            try:
                self._loader.exec_module(module)
            except BaseException:
                _os.dup2(saved, 2)
                held.seek(0)
                _sys.stderr.write(held.read().decode("utf-8", "replace"))
                raise
            finally:
                _os.dup2(saved, 2)
                _os.close(saved)
        _quiet_python_logger(module)


class _QuietTensorFlowFinder(_abc.MetaPathFinder):
    """Finds ``tensorflow`` once, as the other finders would, and hands its loader to ``_StderrHeldLoader``."""

    def find_spec(self, name, path=None, target=None):
        if name != "tensorflow":
            return None
        _sys.meta_path.remove(self)  # once, and so that the search below does not come back here
        spec = _util.find_spec(name)
        if spec is not None and spec.loader is not None:
            spec.loader = _StderrHeldLoader(spec.loader)
        return spec


if "tensorflow" in _sys.modules:  # the user imported it first: check that tf.keras can still be Keras 2
    if _QUIET:
        _quiet_python_logger(_sys.modules["tensorflow"])
    if not keras_is_legacy():  # pragma: no cover - depends on what the user did before importing us
        raise ImportError(
            "emotion_tf needs Keras 2 (tf-keras) behind tf.keras, but tf.keras was already "
            f"resolved to {_sys.modules['tensorflow'].keras.__name__!r} before emotion_tf was imported. "
            "Import emotion_tf (or set TF_USE_LEGACY_KERAS=1) before the first use of tf.keras."
        )
elif _QUIET:
    _sys.meta_path.insert(0, _QuietTensorFlowFinder())
