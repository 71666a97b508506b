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

import tensorflow as _tf  # noqa: E402  (must come after the environment variable)

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
