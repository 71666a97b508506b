"""TF-IDF + logistic regression, built from Keras parts.

    raw string -> TextVectorization(tf_idf, 1..n-grams) -> L2 row normalisation
               -> Dense(n_classes) -> softmax (single label) or sigmoid (multi-label)

Chinese is tokenised by character (character n-grams), English by white
space after lower-casing and stripping ASCII punctuation.  The vocabulary and
IDF weights are adapted on the training texts only.  Rows are L2-normalised
because Keras' tf-idf output is not (scikit-learn's is), and an unnormalised
linear model over-weights long texts.

The optimiser is FTRL-Proximal, the classic one for large sparse linear
models: on emotion-carer it converged to 0.88 validation accuracy where Adam
stalled near 0.85 (Adam rescales each weight's step, so rare n-grams, whose
gradient is mostly the penalty, are shrunk at full speed).  Early stopping on
validation accuracy regularises; an explicit L2 penalty is available but off
by default.  The n-gram length is the hyper-parameter worth choosing on
validation (the ``text-baselines`` task does, ``emotion_tf.tasks.baselines``).  The model takes raw
strings, so it can be saved and served as is.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.text.checks import check_texts
from emotion_tf.text.pipeline import featurized_dataset
from emotion_tf.training.artifacts import check_artifact, write_artifact
from emotion_tf.training.prebuild import build_for_fit, example_inputs
from emotion_tf.training.seeds import set_seed

ARTIFACT_KIND, SETTINGS_FILE = "tfidf-classifier", "tfidf.json"


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class SparseRowL2Normalize(tf.keras.layers.Layer):
    """Divide each row of a SparseTensor [batch, vocabulary] by its L2 norm (empty rows stay zero).

    The tf-idf rows stay sparse end to end: a dense [batch, 100k] tensor per
    step would cost far more than the linear layer itself.
    """

    def call(self, features: tf.SparseTensor) -> tf.SparseTensor:
        squared = tf.sparse.reduce_sum(tf.square(features), axis=1)  # [batch]
        norms = tf.sqrt(tf.maximum(squared, 1e-12))
        return features.with_values(features.values / tf.gather(norms, features.indices[:, 0]))


def _as_strings(texts) -> np.ndarray:
    return np.asarray([str(t) for t in texts], dtype=object)


class TfidfLogisticRegression:
    """Linear classifier over TF-IDF n-grams.

    Args:
      n_classes: number of classes (or labels, when ``multi_label``).
      language: ``"zh"`` (character n-grams) or ``"en"`` (word n-grams).
      max_tokens: vocabulary size.
      ngrams: n-grams up to this length.
      l2: L2 penalty on the weights.
      multi_label: sigmoid outputs and binary cross-entropy instead of softmax.
    """

    def __init__(
        self,
        n_classes: int,
        language: str = "en",
        max_tokens: int = 100_000,
        ngrams: int = 1,
        l2: float = 0.0,
        multi_label: bool = False,
        learning_rate: float = 1.0,
        batch_size: int = 64,
        max_epochs: int = 60,
        patience: int = 5,
        seed: int = 0,
    ):
        if language not in ("en", "zh"):
            raise ValueError(f"language must be 'en' or 'zh', got {language!r}")
        if n_classes < 2:
            raise ValueError(f"n_classes must be at least 2, got {n_classes}")
        self.n_classes, self.language, self.max_tokens, self.ngrams = n_classes, language, max_tokens, ngrams
        self.l2, self.multi_label, self.learning_rate = l2, multi_label, learning_rate
        self.batch_size, self.max_epochs, self.patience, self.seed = batch_size, max_epochs, patience, seed
        self.model: tf.keras.Model | None = None

    def _build(self, train_texts: np.ndarray) -> None:
        """Adapt the vectorizer on training text; build the classifier and the string-to-probability model."""
        self.vectorizer = tf.keras.layers.TextVectorization(
            max_tokens=self.max_tokens,
            output_mode="tf_idf",
            ngrams=self.ngrams,
            split="character" if self.language == "zh" else "whitespace",
            standardize="lower_and_strip_punctuation",
            sparse=True,
            name="tfidf",
        )
        self.vectorizer.adapt(tf.data.Dataset.from_tensor_slices(train_texts).batch(1024))
        self.normalize = SparseRowL2Normalize(name="l2_normalize")
        vocabulary = self.vectorizer.vocabulary_size()

        # The classifier trains on cached tf-idf rows, so text is tokenised once, not once per epoch.
        features = tf.keras.Input(shape=(vocabulary,), sparse=True, name="tfidf_features")
        penalty = tf.keras.regularizers.l2(self.l2) if self.l2 > 0 else None
        # Keras's Dense multiplies a SparseTensor without densifying it (an embedding_lookup_sparse)
        logits = tf.keras.layers.Dense(
            self.n_classes, kernel_initializer="zeros", kernel_regularizer=penalty, name="logits"
        )(features)
        outputs = tf.keras.layers.Activation("sigmoid" if self.multi_label else "softmax", name="probabilities")(logits)
        self.classifier = tf.keras.Model(features, outputs, name="tfidf_logreg_classifier")
        loss = "binary_crossentropy" if self.multi_label else "sparse_categorical_crossentropy"
        accuracy = "binary_accuracy" if self.multi_label else "accuracy"
        self.classifier.compile(optimizer=tf.keras.optimizers.Ftrl(self.learning_rate), loss=loss, metrics=[accuracy])

        # What users call and export: raw strings in, probabilities out.
        text = tf.keras.Input(shape=(), dtype=tf.string, name="text")
        self.model = tf.keras.Model(text, self.classifier(self.normalize(self.vectorizer(text))), name="tfidf_logreg")

    def _features(self, texts, labels=None, shuffle=False) -> tf.data.Dataset:
        """Batches of (normalised sparse tf-idf rows[, labels]), tokenised once and cached."""
        targets = None if labels is None else np.asarray(labels, dtype=np.float32 if self.multi_label else np.int64)
        return featurized_dataset(
            texts, lambda t: self.normalize(self.vectorizer(t)), targets, self.batch_size, shuffle, self.seed
        )

    def fit(self, train_texts, train_labels, validation_texts, validation_labels, callbacks=(), verbose=0):
        """Train with early stopping on validation accuracy (loss, for multi-label); returns the History."""
        set_seed(self.seed)
        self._build(_as_strings(train_texts))
        monitor = "val_loss" if self.multi_label else "val_accuracy"
        stop = tf.keras.callbacks.EarlyStopping(monitor=monitor, patience=self.patience, restore_best_weights=True)
        train = self._features(train_texts, train_labels, shuffle=True)
        build_for_fit(self.classifier, example_inputs(train))  # so fit traces its train step once
        return self.classifier.fit(
            train,
            validation_data=self._features(validation_texts, validation_labels),
            epochs=self.max_epochs,
            callbacks=[stop, *callbacks],
            verbose=verbose,
        )

    def predict_proba(self, texts) -> np.ndarray:
        """[len(texts), n_classes] probabilities."""
        if self.model is None:
            raise RuntimeError("call fit() or load() before predict_proba()")
        texts = check_texts(texts)  # an empty text has no features to score: refused, by position
        if getattr(self, "classifier", None) is None:  # loaded: only the string-in model is there
            texts = tf.data.Dataset.from_tensor_slices(_as_strings(texts)).batch(self.batch_size)
            return self.model.predict(texts, verbose=0)
        return self.classifier.predict(self._features(texts), verbose=0)

    def save(self, folder) -> Path:
        """Write the string-in SavedModel and tfidf.json; ``TfidfLogisticRegression.load`` reads them anywhere."""
        if self.model is None:
            raise RuntimeError("nothing to save: call fit() first")
        settings = {name: getattr(self, name) for name in ("n_classes", "language", "max_tokens", "ngrams", "l2")}
        settings["multi_label"] = self.multi_label

        def write(staging: Path) -> None:
            self.model.save(staging / "model", save_format="tf")
            (staging / SETTINGS_FILE).write_text(json.dumps(settings, indent=2) + "\n", encoding="utf-8")

        return write_artifact(folder, ARTIFACT_KIND, write)

    @classmethod
    def load(cls, folder) -> TfidfLogisticRegression:
        """A saved model that predicts from raw strings; errors name the folder and what is wrong with it."""
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"no saved TF-IDF model in {folder} (expected {SETTINGS_FILE} and model/)")
        check_artifact(folder, ARTIFACT_KIND)
        try:
            settings = json.loads((folder / SETTINGS_FILE).read_text(encoding="utf-8"))
            model = cls(**settings)
        except (json.JSONDecodeError, UnicodeDecodeError, TypeError, ValueError) as error:
            raise ValueError(f"{folder / SETTINGS_FILE} is not a valid TF-IDF model description: {error}") from None
        model.model, model.classifier = tf.keras.models.load_model(folder / "model"), None
        return model

    def predict(self, texts, threshold: float = 0.5) -> np.ndarray:
        """Class ids (single label) or a multi-hot array at ``threshold`` (multi-label)."""
        probabilities = self.predict_proba(texts)
        if self.multi_label:
            return (probabilities >= threshold).astype(np.int64)
        return probabilities.argmax(axis=1)

    @property
    def n_params(self) -> int:
        """The linear layer's weights and biases (the vectorizer's vocabulary and IDF weights are not counted)."""
        if self.model is None:
            return 0
        classifier = getattr(self, "classifier", None) or self.model.get_layer("tfidf_logreg_classifier")
        return int(classifier.count_params())
