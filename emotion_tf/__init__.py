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
"""

import os as _os

_os.environ["TF_USE_LEGACY_KERAS"] = "1"

# TensorFlow's C++ start-up lines (CUDA probing on a machine without a GPU, oneDNN notices) are not the user's
# errors. Unless the user chose a log level (TF_CPP_MIN_LOG_LEVEL=0 shows everything), later C++ messages are
# limited to fatal ones, and the lines printed while TensorFlow loads, before its logging starts and so
# deaf to that level, are held back; they are shown if the import fails.
_QUIET = "TF_CPP_MIN_LOG_LEVEL" not in _os.environ
_os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def _import_tensorflow():
    import sys
    import tempfile

    if not _QUIET or "tensorflow" in sys.modules:
        import tensorflow

        return tensorflow
    sys.stderr.flush()
    saved = _os.dup(2)
    with tempfile.TemporaryFile() as held:
        _os.dup2(held.fileno(), 2)
        try:
            import tensorflow
        except BaseException:
            _os.dup2(saved, 2)
            held.seek(0)
            sys.stderr.write(held.read().decode("utf-8", "replace"))
            raise
        finally:
            _os.dup2(saved, 2)
            _os.close(saved)
    return tensorflow


_tf = _import_tensorflow()
if _QUIET:  # TensorFlow's Python-side notices (e.g. "the model was *not* compiled" on loading for inference)
    _tf.get_logger().setLevel("ERROR")

__version__ = "0.1.0"


def keras_is_legacy() -> bool:
    """True when ``tf.keras`` is Keras 2 (the ``tf_keras`` package)."""
    return _tf.keras.__name__.startswith("tf_keras")


if not keras_is_legacy():  # pragma: no cover - depends on what the user did before importing us
    raise ImportError(
        "emotion_tf needs Keras 2 (tf-keras) behind tf.keras, but tf.keras was already "
        f"resolved to {_tf.keras.__name__!r} before emotion_tf was imported. "
        "Import emotion_tf (or set TF_USE_LEGACY_KERAS=1) before the first use of tf.keras."
    )
