"""Fine-tune a pretrained BERT-family encoder for emotion recognition (the articles' "large model").

    raw strings -> WordPieceTokenizer (in the graph) -> ids [batch, T]
                -> BertEncoder (pretrained weights) -> pooling ([CLS], mean or max over real tokens)
                -> Dropout -> Dense(head.n_outputs, softmax | sigmoid)

Training follows BERT's recipe (Devlin et al. 2019):

* AdamW (Loshchilov and Hutter 2019): weight decay 0.01 on every weight except biases and LayerNorm
  parameters, a learning rate that warms up linearly over the first ``warmup_ratio`` of the steps and
  then decays linearly to 0 (``WarmupLinearDecay``); optionally smaller steps for lower layers
  (``layer_decay`` < 1, ``emotion_tf.sentiment.layer_decay``);
* early stopping on the validation metric, the best epoch's weights restored; ``BackupAndRestore`` when a
  backup folder is given, so a killed fit resumes from its last finished epoch. A multi-label head can stop
  on validation macro F1 instead of validation loss (``monitor="val_macro_f1"``): a multi-label head is
  compiled with ``BestThresholdMacroF1``, so Keras's own validation pass computes it.

Texts are tokenised once; batches are built from texts of similar length and padded only to their own
longest text (``length_bucketed_batches``), so on a CPU a 10-token tweet does not pay for a 64-token one.

    classifier = PretrainedClassifier(checkpoint_folder, Head("multiclass", labels), max_length=64)
    classifier.fit(train_texts, train_labels, validation_texts, validation_labels)
    classifier.predict_proba(["i feel wonderful"]); classifier.save("runs/carer-bert")
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.sentiment.bert import POOLINGS, BertEncoder, BertPooling
from emotion_tf.sentiment.checkpoint import load_checkpoint
from emotion_tf.sentiment.classifier import RawTextClassifier
from emotion_tf.sentiment.heads import Head
from emotion_tf.sentiment.layer_decay import LayerDecayAdamW
from emotion_tf.sentiment.macro_f1 import BestThresholdMacroF1
from emotion_tf.text.checks import check_texts
from emotion_tf.text.wordpiece import WordPieceTokenizer
from emotion_tf.training.callbacks import monitor_mode
from emotion_tf.training.distribution import global_batch_size, shard_by_data, training_scope
from emotion_tf.training.prebuild import build_for_fit, example_inputs
from emotion_tf.training.schedules import WarmupLinearDecay
from emotion_tf.training.seeds import set_seed

ARCHITECTURE = "bert"
BUCKET_BOUNDARIES = (16, 24, 32, 48, 64, 96, 128, 192, 256, 384)
MACRO_F1_MONITOR = "val_macro_f1"
MONITORS = ("val_loss", MACRO_F1_MONITOR)


def bert_classifier(encoder: BertEncoder, head: Head, pooling: str = "cls", dropout: float = 0.1) -> tf.keras.Model:
    """ids [batch, T] -> probabilities [batch, head.n_outputs] (any T up to the encoder's positions)."""
    ids = tf.keras.Input(shape=(None,), dtype=tf.int64, name="token_ids")
    hidden = encoder(ids)
    features = BertPooling(pooling, encoder.config.pad_token_id, name="pooling")(hidden, ids)
    features = tf.keras.layers.Dropout(dropout, name="head_dropout")(features)
    outputs = tf.keras.layers.Dense(
        head.n_outputs,
        activation=head.activation,
        name="probabilities",
        kernel_initializer=tf.keras.initializers.TruncatedNormal(stddev=0.02),
        dtype="float32",
    )(features)  # float32 probabilities under mixed precision
    return tf.keras.Model(ids, outputs, name="bert_classifier")


def length_bucketed_batches(
    ids: tf.RaggedTensor, targets, batch_size: int, pad_id: int, shuffle: bool, seed: int = 0
) -> tf.data.Dataset:
    """Batches of (ids [batch, T_batch], targets) with T_batch the longest text of the batch.

    Texts are grouped by length into buckets (``BUCKET_BOUNDARIES``); with ``shuffle`` the order of texts
    and of batches changes every epoch (seeded).  Without it the order is fixed (for evaluation).
    """
    lengths = ids.row_lengths().numpy()
    # tf.data batches dense elements only: each text is its padded row cut back to its own length
    data = tf.data.Dataset.from_tensor_slices((ids.to_tensor(default_value=pad_id), lengths, targets))
    if shuffle:
        data = data.shuffle(len(lengths), seed=seed, reshuffle_each_iteration=True)
    data = data.map(lambda row, length, target: (row[:length], target))
    boundaries = [b for b in BUCKET_BOUNDARIES if b < lengths.max()] or [int(lengths.max())]
    target_padding = tf.constant(0, targets.dtype)  # never used: targets have a fixed shape
    data = data.bucket_by_sequence_length(
        lambda row, _: tf.shape(row)[0],
        bucket_boundaries=[b + 1 for b in boundaries],
        bucket_batch_sizes=[batch_size] * (len(boundaries) + 1),
        padding_values=(tf.constant(pad_id, tf.int64), target_padding),
        drop_remainder=False,
    )
    return data.prefetch(tf.data.AUTOTUNE)


class PretrainedClassifier(RawTextClassifier):
    """A pretrained encoder fine-tuned for one head, with its tokenizer, training loop and export.

    Args:
      checkpoint: a checkpoint folder in the Hugging Face layout (``emotion_tf.data.resolve_checkpoint``
        finds one by name).
      head: what is predicted (``emotion_tf.sentiment.heads.Head``).
      max_length: tokens per text, [CLS] and [SEP] included; ``truncation`` ``"head"`` or ``"head+tail"``.
      pooling: ``cls``, ``mean`` or ``max``.
      learning_rate: the peak rate; ``warmup_ratio`` of the steps warm up, the rest decay linearly to 0.
      weight_decay: AdamW's decoupled decay (not on biases and LayerNorm).
      layer_decay: d in (0, 1]: block l of L steps at d^(L - l) times the rate, the embeddings at d^(L + 1),
        the head at 1 (1: every layer alike).
      batch_size: per replica; ``max_epochs``; ``patience`` epochs without a better ``monitor`` stop it.
      monitor: ``val_loss``, or for a multi-label head ``val_macro_f1`` (``BestThresholdMacroF1``, computed
        in Keras's validation pass).
    """

    architecture = ARCHITECTURE

    def __init__(
        self,
        checkpoint,
        head: Head,
        max_length: int = 128,
        truncation: str = "head",
        pooling: str = "cls",
        dropout: float | None = None,
        learning_rate: float = 5e-5,
        warmup_ratio: float = 0.1,
        weight_decay: float = 0.01,
        layer_decay: float = 1.0,
        batch_size: int = 32,
        max_epochs: int = 3,
        patience: int = 1,
        monitor: str = "val_loss",
        seed: int = 0,
        jit_compile: bool = False,
    ):
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}")
        if monitor not in MONITORS:
            raise ValueError(f"monitor must be one of {MONITORS}, got {monitor!r}")
        if monitor == MACRO_F1_MONITOR and not head.multi_label:
            raise ValueError(f"monitor {monitor!r} needs a multi-label head, this one is {head.kind!r}")
        self.checkpoint = Path(checkpoint) if checkpoint is not None else None
        self.head, self.max_length, self.truncation, self.pooling = head, max_length, truncation, pooling
        self.dropout, self.learning_rate, self.warmup_ratio = dropout, learning_rate, warmup_ratio
        self.weight_decay, self.layer_decay, self.batch_size = weight_decay, layer_decay, batch_size
        self.num_layers = 0  # the encoder's blocks, known once the checkpoint is read (build)
        self.max_epochs, self.patience, self.monitor, self.seed = max_epochs, patience, monitor, seed
        self.jit_compile = jit_compile
        self.model: tf.keras.Model | None = None
        self.tokenizer: WordPieceTokenizer | None = None
        self.token_model: tf.keras.Model | None = None
        self.import_report = None

    # --- data ---------------------------------------------------------------------------------

    def _targets(self, labels) -> np.ndarray:
        return np.asarray(labels, dtype=np.float32 if self.head.multi_label else np.int64)

    def token_ids(self, texts) -> tf.RaggedTensor:
        """[CLS] … [SEP] ids of each text, truncated, unpadded; tokenised in chunks of 4,096 texts."""
        texts = np.asarray([str(t) for t in texts], dtype=object)
        chunks = [self.tokenizer.ragged_ids(tf.constant(texts[i : i + 4096])) for i in range(0, len(texts), 4096)]
        return tf.concat(chunks, axis=0)

    def _batches(self, texts, labels, shuffle: bool) -> tf.data.Dataset:
        # batch_size is per replica: one global batch per step, sharded by example over workers
        return shard_by_data(
            length_bucketed_batches(
                self.token_ids(texts),
                self._targets(labels),
                global_batch_size(self.batch_size),
                self.tokenizer.pad_id,
                shuffle,
                self.seed,
            )
        )

    # --- training -----------------------------------------------------------------------------

    def build(self) -> None:
        """Import the checkpoint and put the head on it (inside the run's tf.distribute strategy)."""
        checkpoint = load_checkpoint(self.checkpoint, max_length=self.max_length, truncation=self.truncation)
        self.import_report = checkpoint.report
        self.tokenizer, encoder = checkpoint.tokenizer, checkpoint.encoder
        self.num_layers = checkpoint.config.num_hidden_layers
        dropout = checkpoint.config.hidden_dropout_prob if self.dropout is None else self.dropout
        self.token_model = bert_classifier(encoder, self.head, self.pooling, dropout)
        self.encoder = encoder

    def compile(self, steps_per_epoch: int) -> None:
        total = max(2, self.max_epochs * steps_per_epoch)
        schedule = WarmupLinearDecay(self.learning_rate, int(self.warmup_ratio * total), total)
        optimizer = LayerDecayAdamW(  # layer_decay 1: plain AdamW
            self.num_layers,
            self.layer_decay,
            learning_rate=schedule,
            weight_decay=self.weight_decay,
            epsilon=1e-6,
            clipnorm=1.0,
        )
        optimizer.exclude_from_weight_decay(var_names=["bias", "gamma", "beta"])
        if self.head.multi_label:
            # macro F1 at its best one threshold: what multi-label runs are judged by, and what early stopping
            # watches with monitor="val_macro_f1" (rare labels can still be learned after the validation loss,
            # which frequent labels dominate, has turned up)
            metrics = [
                tf.keras.metrics.BinaryAccuracy(name="binary_accuracy"),
                BestThresholdMacroF1(self.head.n_outputs, name="macro_f1"),
            ]
        else:
            metrics = ["accuracy"]
        self.token_model.compile(
            optimizer=optimizer, loss=self.head.loss, metrics=metrics, jit_compile=self.jit_compile
        )

    def fit(
        self, train_texts, train_labels, validation_texts, validation_labels, callbacks=(), verbose=2, backup_dir=None
    ):
        """Fine-tune with early stopping on ``monitor`` (best weights restored); returns the Keras history."""
        set_seed(self.seed)
        with training_scope():
            self.build()
            train = self._batches(train_texts, train_labels, shuffle=True)
            steps_per_epoch = sum(1 for _ in train)  # bucketing makes a few partial batches per epoch
            self.compile(steps_per_epoch)
            build_for_fit(self.token_model, example_inputs(train))  # so fit traces its train step once
        validation = self._batches(validation_texts, validation_labels, shuffle=False)
        stop = tf.keras.callbacks.EarlyStopping(
            monitor=self.monitor, mode=monitor_mode(self.monitor), patience=self.patience, restore_best_weights=True
        )
        extra = [tf.keras.callbacks.BackupAndRestore(backup_dir=str(backup_dir))] if backup_dir else []
        with training_scope():
            history = self.token_model.fit(
                train,
                validation_data=validation,
                epochs=self.max_epochs,
                callbacks=[stop, *extra, *callbacks],
                verbose=verbose,
            )
        self._assemble()
        return history

    def _assemble(self) -> None:
        text = tf.keras.Input(shape=(), dtype=tf.string, name="text")
        self.model = tf.keras.Model(text, self.token_model(self.tokenizer(text)), name="sentiment_classifier")

    # --- prediction ---------------------------------------------------------------------------

    def predict_proba(self, texts, batch_size: int = 64) -> np.ndarray:
        """[n, head.n_outputs] probabilities for raw texts; texts of similar length are batched together."""
        texts = check_texts(texts)
        if self.model is None:
            raise RuntimeError("call fit() or load() before predicting")
        ids = self.token_ids(texts)
        order = np.argsort(ids.row_lengths().numpy(), kind="stable")
        probabilities = np.zeros((len(texts), self.head.n_outputs), dtype=np.float32)
        predict = self._predict_ids
        for start in range(0, len(texts), batch_size):
            rows = order[start : start + batch_size]
            batch = tf.gather(ids, rows).to_tensor(default_value=tf.constant(self.tokenizer.pad_id, tf.int64))
            probabilities[rows] = predict(batch).numpy()
        return probabilities

    @property
    def _predict_ids(self):
        if getattr(self, "_predict_model", None) is not self.token_model:
            self._predict_model = self.token_model
            self._predict = tf.function(
                lambda ids: self.token_model(ids, training=False),
                input_signature=[tf.TensorSpec([None, None], tf.int64)],
                reduce_retracing=True,
            )
        return self._predict

    def token_counts(self, texts) -> np.ndarray:
        """Word pieces per text before truncation; a text with more than ``reads`` of them is cut."""
        texts = check_texts(texts)
        return self.tokenizer.piece_counts(tf.constant(texts)).numpy()

    @property
    def reads(self) -> int:
        """How many word pieces of a text the model reads ([CLS] and [SEP] aside)."""
        return int(self.tokenizer.max_length - 2)

    def count_params(self) -> int:
        return int(self.token_model.count_params())

    # --- saving -------------------------------------------------------------------------------

    def settings(self) -> dict:
        return {
            "architecture": ARCHITECTURE,
            "head": self.head.to_json(),
            "max_length": self.max_length,
            "truncation": self.truncation,
            "pooling": self.pooling,
            "checkpoint": None if self.checkpoint is None else self.checkpoint.name,
            "language": "multilingual",
        }

    @classmethod
    def from_saved(cls, folder: Path, settings: dict) -> PretrainedClassifier:
        classifier = cls(
            None,
            Head.from_json(settings["head"]),
            max_length=settings["max_length"],
            truncation=settings.get("truncation", "head"),
            pooling=settings.get("pooling", "cls"),
        )
        classifier.model = tf.keras.models.load_model(folder / "model")
        classifier.tokenizer = next(layer for layer in classifier.model.layers if isinstance(layer, WordPieceTokenizer))
        classifier.token_model = classifier.model.layers[-1]
        classifier.encoder = next(layer for layer in classifier.token_model.layers if isinstance(layer, BertEncoder))
        return classifier
