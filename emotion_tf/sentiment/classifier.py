"""Sentiment classifiers that read raw strings: the article's LSTM and a Transformer encoder.

    raw strings -> TextVectorization (inside the model) -> token ids
                -> LSTM:        Embedding(64, masking padding) -> LSTM(64), its last state
                   BiLSTM:      Embedding(128, masking padding) -> BiLSTM(64 + 64) over every token
                                -> masked max pooling
                   Transformer: encoder (emotion_tf.sentiment.transformer) -> masked mean pooling
                -> Dropout -> Dense(head.n_outputs, softmax | sigmoid)

The article's LSTM is Embedding 64 -> LSTM 64 -> Dense with a fixed class
count; here the head decides the outputs.  Its last state must carry a
whole review; the BiLSTM (not in the article) reads each token in both
directions and keeps each feature's strongest token, which suits long
reviews where one phrase decides the label.  Training runs on token ids that
are computed once and cached (tokenising every epoch would cost more than the
LSTM); the saved model is the full string-in model.

    classifier = SentimentClassifier("transformer", Head("binary", ("negative", "positive")), language="zh")
    classifier.fit(train_texts, train_labels, validation_texts, validation_labels)
    classifier.predict_proba(["质量很好"]); classifier.intensity(["质量很好"])
    classifier.save("runs/htl"); SentimentClassifier.load("runs/htl")
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.sentiment.architectures import ARCHITECTURES
from emotion_tf.sentiment.heads import Head
from emotion_tf.sentiment.pooling import MaskedMaxPooling, MaskedMeanPooling
from emotion_tf.sentiment.transformer import transformer_encoder
from emotion_tf.text.checks import check_texts
from emotion_tf.text.pipeline import featurized_dataset
from emotion_tf.text.vectorize import make_vectorizer
from emotion_tf.training.artifacts import check_artifact, write_artifact
from emotion_tf.training.distribution import global_batch_size, shard_by_data, training_scope
from emotion_tf.training.prebuild import build_for_fit, example_inputs
from emotion_tf.training.recurrent import recurrent_layer
from emotion_tf.training.schedules import WarmupLinearDecay
from emotion_tf.training.seeds import set_seed


def token_classifier(
    architecture: str,
    vocabulary_size: int,
    max_length: int,
    head: Head,
    dropout: float = 0.1,
    encoder: tf.keras.Model | None = None,
    **encoder_options,
) -> tf.keras.Model:
    """ids [batch, max_length] -> probabilities [batch, head.n_outputs].

    ``encoder``: a (pretrained) Transformer encoder to fine-tune instead of a fresh one.
    """
    ids = tf.keras.Input(shape=(max_length,), dtype=tf.int64, name="token_ids")
    if architecture == "lstm":
        embedded = tf.keras.layers.Embedding(vocabulary_size, 64, mask_zero=True, name="embedding")(ids)
        features = recurrent_layer("lstm", 64, name="lstm")(embedded)
    elif architecture == "bilstm":
        embedded = tf.keras.layers.Embedding(vocabulary_size, 128, mask_zero=True, name="embedding")(ids)
        states = recurrent_layer("lstm", 64, bidirectional=True, return_sequences=True, name="bilstm")(embedded)
        features = MaskedMaxPooling(name="pooling")(states, ids)
    elif architecture == "transformer":
        if encoder is None:
            encoder = transformer_encoder(vocabulary_size, max_length, dropout=dropout, **encoder_options)
        features = MaskedMeanPooling(name="pooling")(encoder(ids), ids)
    else:
        raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
    features = tf.keras.layers.Dropout(dropout, name="features_dropout")(features)
    outputs = tf.keras.layers.Dense(head.n_outputs, activation=head.activation, name="probabilities", dtype="float32")(
        features
    )  # float32 probabilities under mixed precision
    return tf.keras.Model(ids, outputs, name=f"{architecture}_classifier")


ARTIFACT_KIND = "sentiment-classifier"  # what a saved classifier's manifest says it is


class RawTextClassifier:
    """What every sentiment classifier that reads raw strings shares: serving, labels and intensity.

    A subclass sets ``model`` (strings [n] -> probabilities [n, head.n_outputs]) and ``head``, and defines
    ``predict_proba``.
    """

    model: tf.keras.Model | None = None
    head: Head

    @property
    def serve(self):
        """A compiled strings [n] -> probabilities [n, n_outputs] function (one trace for any n)."""
        if self.model is None:
            raise RuntimeError("call fit() or load() before predicting")
        if getattr(self, "_serve_model", None) is not self.model:
            self._serve_model = self.model
            self._serve = tf.function(
                lambda texts: self.model(texts, training=False), input_signature=[tf.TensorSpec([None], tf.string)]
            )
        return self._serve

    def predict_proba(self, texts) -> np.ndarray:
        raise NotImplementedError

    def predict(self, texts, threshold: float = 0.5) -> np.ndarray:
        """Class ids (single label) or multi-hot rows at ``threshold`` (multi-label)."""
        probabilities = self.predict_proba(texts)
        return (probabilities >= threshold).astype(np.int64) if self.head.multi_label else probabilities.argmax(1)

    def intensity(self, texts) -> np.ndarray:
        """Intensity in [-1, 1] per text (see emotion_tf.sentiment.heads)."""
        return self.head.intensity(self.predict_proba(texts))

    def settings(self) -> dict:
        raise NotImplementedError

    def save(self, folder) -> Path:
        """Write the string-in SavedModel and classifier.json (``settings()``); ``load`` reads them in any process."""
        if self.model is None:
            raise RuntimeError("nothing to save: call fit() first")

        def write(staging: Path) -> None:
            # The layers are registered with complete configs, so Keras rebuilds them from their configs and needs
            # no traced copy of every layer's call (save_traces=False: a tiny BERT saves in 1.4 s instead of 6-7 s,
            # and loads a little faster). The raw-string signature is given explicitly, for tf.saved_model.load
            # and TF Serving.
            self.model.save(
                staging / "model",
                save_format="tf",
                save_traces=False,
                signatures=self.serve.get_concrete_function(),
            )
            (staging / "classifier.json").write_text(
                json.dumps(self.settings(), indent=2, ensure_ascii=False), encoding="utf-8"
            )

        return write_artifact(folder, ARTIFACT_KIND, write)


class SentimentClassifier(RawTextClassifier):
    """An LSTM or Transformer classifier with its vectorizer, head, training loop and export.

    Args:
      architecture: ``"lstm"`` (the article's), ``"bilstm"`` or ``"transformer"``.
      head: what is predicted (``emotion_tf.sentiment.heads.Head``).
      language: ``"zh"`` (characters) or ``"en"`` (words).
      max_tokens, sequence_length: vectorizer settings.
      pretrained: ``(encoder, vectorizer)`` from ``emotion_tf.sentiment.pretraining.pretrain_encoder``:
        fine-tune that encoder with its vectorizer instead of starting from scratch (Transformer only).
      warmup_epochs: if > 0, the learning rate warms up linearly over this many epochs, then decays
        linearly to 0 at ``max_epochs`` (``WarmupLinearDecay``); else it is constant.
      monitor: what early stopping watches (``val_loss`` or ``val_accuracy``); the best epoch's weights
        are restored.
      encoder_options: ``dim``, ``num_heads``, ``ff_dim``, ``num_layers`` for the Transformer.
    """

    def __init__(
        self,
        architecture: str,
        head: Head,
        language: str,
        max_tokens: int = 20_000,
        sequence_length: int = 128,
        dropout: float = 0.1,
        learning_rate: float = 1e-3,
        batch_size: int = 64,
        max_epochs: int = 20,
        patience: int = 3,
        seed: int = 0,
        pretrained=None,
        warmup_epochs: float = 0.0,
        monitor: str = "val_loss",
        **encoder_options,
    ):
        if architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {architecture!r}")
        if pretrained is not None:
            if architecture != "transformer":
                raise ValueError("a pretrained encoder can only be fine-tuned by the transformer")
            if pretrained[0].input_shape[1] != sequence_length:
                raise ValueError(
                    f"the pretrained encoder reads {pretrained[0].input_shape[1]} tokens, "
                    f"but sequence_length is {sequence_length}"
                )
        self.pretrained = pretrained
        self.architecture, self.head, self.language = architecture, head, language
        self.max_tokens, self.sequence_length, self.dropout = max_tokens, sequence_length, dropout
        self.learning_rate, self.batch_size, self.max_epochs = learning_rate, batch_size, max_epochs
        self.patience, self.seed, self.encoder_options = patience, seed, encoder_options
        self.warmup_epochs, self.monitor = warmup_epochs, monitor
        self.model: tf.keras.Model | None = None

    def _targets(self, labels) -> np.ndarray:
        return np.asarray(labels, dtype=np.float32 if self.head.multi_label else np.int64)

    def _ids(self, texts, labels=None, shuffle=False) -> tf.data.Dataset:
        targets = None if labels is None else self._targets(labels)
        # batch_size is per replica: the dataset feeds one global batch per step, sharded over workers
        return shard_by_data(
            featurized_dataset(texts, self.vectorizer, targets, global_batch_size(self.batch_size), shuffle, self.seed)
        )

    def fit(self, train_texts, train_labels, validation_texts, validation_labels, callbacks=(), verbose=0):
        """Adapt the vectorizer on the training text (unless pretrained); train, early-stopping on validation loss."""
        set_seed(self.seed)
        if self.pretrained is None:
            self.vectorizer = make_vectorizer(train_texts, self.language, self.max_tokens, self.sequence_length)
            encoder = None
        else:
            encoder, self.vectorizer = self.pretrained
        with training_scope():  # the run's tf.distribute strategy
            self.token_model = token_classifier(
                self.architecture,
                self.vectorizer.vocabulary_size(),
                self.sequence_length,
                self.head,
                self.dropout,
                encoder=encoder,
                **self.encoder_options,
            )
            metrics = ["binary_accuracy"] if self.head.multi_label else ["accuracy"]
            learning_rate = self.learning_rate
            if self.warmup_epochs > 0:
                steps_per_epoch = -(-len(train_texts) // global_batch_size(self.batch_size))
                learning_rate = WarmupLinearDecay(
                    self.learning_rate, int(self.warmup_epochs * steps_per_epoch), self.max_epochs * steps_per_epoch
                )
            self.token_model.compile(
                optimizer=tf.keras.optimizers.Adam(learning_rate), loss=self.head.loss, metrics=metrics
            )
            train = self._ids(train_texts, train_labels, shuffle=True)
            build_for_fit(self.token_model, example_inputs(train))  # so fit traces its train step once
        text = tf.keras.Input(shape=(), dtype=tf.string, name="text")
        self.model = tf.keras.Model(text, self.token_model(self.vectorizer(text)), name="sentiment_classifier")
        stop = tf.keras.callbacks.EarlyStopping(monitor=self.monitor, patience=self.patience, restore_best_weights=True)
        with training_scope():
            return self.token_model.fit(
                train,
                validation_data=self._ids(validation_texts, validation_labels),
                epochs=self.max_epochs,
                callbacks=[stop, *callbacks],
                verbose=verbose,
            )

    def predict_proba(self, texts, batch_size: int = 512) -> np.ndarray:
        """[n, head.n_outputs] probabilities for raw texts (empty or non-UTF-8 texts are refused)."""
        texts = check_texts(texts)
        serve = self.serve
        return np.concatenate(
            [
                serve(tf.constant(texts[start : start + batch_size])).numpy()
                for start in range(0, len(texts), batch_size)
            ]
        )

    def token_counts(self, texts) -> np.ndarray:
        """Tokens per text before the cut at ``sequence_length`` (characters for Chinese, words for English)."""
        texts = check_texts(texts)
        # the vectorizer's own standardisation and split, without its padding and truncation
        return self.vectorizer._preprocess(tf.constant(texts)).row_lengths().numpy()

    @property
    def reads(self) -> int:
        """How many tokens of a text the model reads."""
        return int(self.sequence_length)

    def settings(self) -> dict:
        """What ``load`` needs besides the SavedModel (written as classifier.json)."""
        return {
            "architecture": self.architecture,
            "language": self.language,
            "head": self.head.to_json(),
            "sequence_length": self.sequence_length,
            "max_tokens": self.max_tokens,
        }

    @classmethod
    def load(cls, folder) -> SentimentClassifier:
        folder = Path(folder)
        settings_path = folder / "classifier.json"
        if not folder.is_dir():
            raise FileNotFoundError(f"no saved sentiment classifier in {folder} (expected classifier.json and model/)")
        check_artifact(folder, ARTIFACT_KIND)  # complete and unchanged since it was saved
        try:
            settings = json.loads(settings_path.read_text(encoding="utf-8"))
            if settings.get("architecture") == "bert":  # a fine-tuned pretrained encoder, tokenizer inside
                from emotion_tf.sentiment.finetune import PretrainedClassifier

                return PretrainedClassifier.from_saved(folder, settings)
            if settings.get("architecture") == "tfidf":  # the TF-IDF baseline with a head
                from emotion_tf.sentiment.tfidf_classifier import TfidfClassifier

                return TfidfClassifier.from_saved(folder, settings)
            classifier = cls(
                settings["architecture"],
                Head.from_json(settings["head"]),
                settings["language"],
                max_tokens=settings["max_tokens"],
                sequence_length=settings["sequence_length"],
            )
        except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError, ValueError) as error:
            raise ValueError(
                f"{settings_path} is not a valid classifier description: {type(error).__name__}: {error}"
            ) from None
        classifier.model = tf.keras.models.load_model(folder / "model")
        # text -> vectorizer -> token model: the parts explanations need
        classifier.vectorizer, classifier.token_model = classifier.model.layers[1], classifier.model.layers[-1]
        return classifier
