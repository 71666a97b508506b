"""WordPiece tokenisation inside the graph, from a pretrained checkpoint's own vocabulary.

    strings [batch] -> clean -> (lower-case) -> (strip accents) -> split on white space, punctuation and
                       CJK characters -> WordPiece (greedy longest match, "##" continuations, [UNK])
                    -> truncate -> [CLS] tokens [SEP] -> pad with [PAD] -> ids [batch, T]

The normalisation is the one BERT checkpoints were trained with (Hugging Face's ``BertNormalizer``):

* clean: tab, newline, carriage return and every Unicode space separator (Zs) become a plain space;
  every other control or format character (Unicode category C) is removed;
* lower-case (uncased checkpoints), then accent stripping: NFD, then every combining mark (Mn) removed.
  Accents are stripped when the checkpoint asks for it, and by default exactly when it lower-cases;
* CJK ideographs are split one per token and punctuation is split off (``tensorflow_text``'s
  ``BertTokenizer``, the same character classes as BERT's original tokenizer).

We lower-case with ``tf.strings.lower`` rather than ``tensorflow_text``'s ``lower_case=True``, which
applies NFKC case folding and so turns full-width Chinese punctuation (，！) into ASCII (,!): Chinese
texts would get ids the checkpoint never saw.  The tests check the ids against Hugging Face's
``tokenizers`` on English and Chinese texts.

Every op is a TensorFlow op, so a SavedModel that contains this layer reads raw strings in a fresh
process (after ``import tensorflow_text``, which registers the ops).

Truncation keeps ``max_length - 2`` word pieces: the first ones (``"head"``, as Hugging Face does), or
the first quarter and the last three quarters of them (``"head+tail"``: Sun et al. 2019, "How to
Fine-Tune BERT for Text Classification?", found head + tail best for long reviews, whose verdict often
comes at the end).
"""

from __future__ import annotations

import json
from pathlib import Path

import tensorflow as tf
import tensorflow_text as tf_text

TRUNCATIONS = ("head", "head+tail")


class TokenizerError(ValueError):
    """A checkpoint's tokenizer files are missing or cannot be read."""


def read_vocabulary(folder) -> tuple[list[str], dict]:
    """(vocabulary, settings) from a checkpoint folder in the Hugging Face layout.

    The vocabulary comes from ``vocab.txt`` (one token per line, line number = id) or else from
    ``tokenizer.json``'s ``model.vocab``; settings (``lower_case``, ``strip_accents``, ``clean_text``,
    ``split_chinese``, special tokens) from ``tokenizer.json``'s normalizer, else ``tokenizer_config.json``.
    """
    folder = Path(folder)
    tokenizer_json, vocab_txt = folder / "tokenizer.json", folder / "vocab.txt"
    described = _read_json(tokenizer_json) if tokenizer_json.is_file() else None
    config = _read_json(folder / "tokenizer_config.json") if (folder / "tokenizer_config.json").is_file() else {}
    if vocab_txt.is_file():
        try:
            vocabulary = vocab_txt.read_text(encoding="utf-8").split("\n")
        except UnicodeDecodeError as error:
            raise TokenizerError(f"{vocab_txt} is not UTF-8 (byte {error.start})") from None
        if vocabulary and vocabulary[-1] == "":
            vocabulary.pop()
    elif described is not None:
        model = described.get("model") or {}
        if model.get("type") != "WordPiece" or not isinstance(model.get("vocab"), dict):
            raise TokenizerError(f"{tokenizer_json}: model is {model.get('type')!r}, not a WordPiece vocabulary")
        by_id = sorted((int(i), str(token)) for token, i in model["vocab"].items())
        if [i for i, _ in by_id] != list(range(len(by_id))):
            raise TokenizerError(f"{tokenizer_json}: the vocabulary ids are not 0..{len(by_id) - 1}")
        vocabulary = [token for _, token in by_id]
    else:
        raise TokenizerError(f"{folder} has no vocabulary: expected vocab.txt or tokenizer.json")
    if len(set(vocabulary)) != len(vocabulary):
        seen, repeated = set(), None
        for line, token in enumerate(vocabulary):
            if token in seen:
                repeated = (line, token)
                break
            seen.add(token)
        raise TokenizerError(f"{folder}: the vocabulary repeats the token {repeated[1]!r} (id {repeated[0]})")

    lower_case = bool(config.get("do_lower_case", True))
    strip_accents = config.get("strip_accents")
    split_chinese = bool(config.get("tokenize_chinese_chars", True))
    clean_text = True
    if described is not None and isinstance(described.get("normalizer"), dict):
        normalizer = described["normalizer"]
        if normalizer.get("type") != "BertNormalizer":
            raise TokenizerError(f"{tokenizer_json}: normalizer {normalizer.get('type')!r} is not a BertNormalizer")
        lower_case = bool(normalizer.get("lowercase", lower_case))
        strip_accents = normalizer.get("strip_accents", strip_accents)
        split_chinese = bool(normalizer.get("handle_chinese_chars", split_chinese))
        clean_text = bool(normalizer.get("clean_text", True))
    settings = {
        "lower_case": lower_case,
        "strip_accents": strip_accents,
        "split_chinese": split_chinese,
        "clean_text": clean_text,
    }
    for name, default in (
        ("unk_token", "[UNK]"),
        ("cls_token", "[CLS]"),
        ("sep_token", "[SEP]"),
        ("pad_token", "[PAD]"),
    ):
        settings[name] = str(config.get(name, default))
    return vocabulary, settings


def _read_json(path: Path) -> dict:
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise TokenizerError(f"{path} is not valid JSON: {error}") from None
    if not isinstance(value, dict):
        raise TokenizerError(f"{path} does not hold a JSON object")
    return value


@tf.keras.utils.register_keras_serializable(package="emotion_tf")
class WordPieceTokenizer(tf.keras.layers.Layer):
    """Raw strings [batch] -> token ids [batch, T] with [CLS]/[SEP], padded to the longest text (T ≤ max_length).

    Args:
      vocabulary: the tokens, index = id (``read_vocabulary``).
      max_length: at most this many ids per text, [CLS] and [SEP] included.
      lower_case, strip_accents, clean_text: the normalisation (module docstring); ``strip_accents=None``
        follows ``lower_case``.
      truncation: ``"head"`` or ``"head+tail"``.
      unk_token, cls_token, sep_token, pad_token: the special tokens, looked up in the vocabulary.
      max_chars_per_word: a longer word becomes [UNK] (BERT's 100; counted in UTF-8 bytes here, in
        characters by Hugging Face, which differ only for words of non-ASCII letters this long).
    """

    def __init__(
        self,
        vocabulary,
        max_length: int = 128,
        lower_case: bool = True,
        strip_accents=None,
        clean_text: bool = True,
        truncation: str = "head",
        unk_token: str = "[UNK]",
        cls_token: str = "[CLS]",
        sep_token: str = "[SEP]",
        pad_token: str = "[PAD]",
        max_chars_per_word: int = 100,
        **kwargs,
    ):
        kwargs.setdefault("trainable", False)
        super().__init__(**kwargs)
        self.vocabulary = [str(token) for token in vocabulary]
        if truncation not in TRUNCATIONS:
            raise ValueError(f"truncation must be one of {TRUNCATIONS}, got {truncation!r}")
        if max_length < 3:
            raise ValueError(f"max_length must leave room for [CLS], a token and [SEP], got {max_length}")
        index = {token: i for i, token in enumerate(self.vocabulary)}
        for name, token in (
            ("unk_token", unk_token),
            ("cls_token", cls_token),
            ("sep_token", sep_token),
            ("pad_token", pad_token),
        ):
            if token not in index:
                raise TokenizerError(f"{name} {token!r} is not in the vocabulary")
        self.max_length, self.truncation = int(max_length), truncation
        self.lower_case, self.strip_accents, self.clean_text = bool(lower_case), strip_accents, bool(clean_text)
        self.unk_token, self.cls_token, self.sep_token, self.pad_token = unk_token, cls_token, sep_token, pad_token
        self.max_chars_per_word = int(max_chars_per_word)
        self.cls_id, self.sep_id, self.pad_id = index[cls_token], index[sep_token], index[pad_token]
        table = tf.lookup.StaticVocabularyTable(
            tf.lookup.KeyValueTensorInitializer(
                tf.constant(self.vocabulary), tf.range(len(self.vocabulary), dtype=tf.int64)
            ),
            num_oov_buckets=1,
        )
        # Normalisation is ours (see the module docstring); the splitting and WordPiece are tensorflow_text's.
        self.tokenizer = tf_text.BertTokenizer(
            table,
            suffix_indicator="##",
            max_bytes_per_word=self.max_chars_per_word,
            token_out_type=tf.int64,
            unknown_token=unk_token,
            lower_case=False,
            normalization_form=None,
        )

    @property
    def vocabulary_size(self) -> int:
        return len(self.vocabulary)

    def normalize(self, texts: tf.Tensor) -> tf.Tensor:
        """The normalised strings [batch] (what WordPiece sees)."""
        texts = tf.convert_to_tensor(texts, tf.string)
        if self.clean_text:
            texts = tf.strings.regex_replace(texts, r"[\t\n\r\p{Zs}]", " ")
            texts = tf.strings.regex_replace(texts, r"[\p{C}\x{FFFD}]", "")
        if self.lower_case:
            # Hugging Face lower-cases character by character, so a word-final Σ becomes σ; ICU's
            # tf.strings.lower applies Unicode's context rule and writes the final form ς.
            texts = tf.strings.regex_replace(texts, "Σ", "σ")
            texts = tf.strings.lower(texts, encoding="utf-8")
        if self.lower_case if self.strip_accents is None else self.strip_accents:
            texts = tf.strings.regex_replace(tf_text.normalize_utf8(texts, "NFD"), r"\p{Mn}", "")
        return texts

    def word_pieces(self, texts) -> tf.RaggedTensor:
        """Ids [batch, (pieces)] of every word piece, before truncation and without special tokens."""
        return self.tokenizer.tokenize(self.normalize(texts)).merge_dims(-2, -1)

    def truncate(self, pieces: tf.RaggedTensor) -> tf.RaggedTensor:
        """Keep at most ``max_length - 2`` pieces per text (head, or head + tail)."""
        budget = self.max_length - 2
        if self.truncation == "head":
            return pieces[:, :budget]
        head = budget // 4
        lengths = pieces.row_lengths()
        positions = tf.ragged.range(lengths)
        overflow = tf.expand_dims(lengths - budget, 1)  # > 0 only for texts that are too long
        keep = (positions < head) | (positions >= head + overflow)
        return tf.ragged.boolean_mask(pieces, keep)

    def ragged_ids(self, texts) -> tf.RaggedTensor:
        """[CLS] pieces [SEP] per text, truncated, without padding: [batch, (T)]."""
        pieces = self.truncate(self.word_pieces(texts))
        batch = pieces.nrows()
        cls = tf.fill([batch, 1], tf.constant(self.cls_id, tf.int64))
        sep = tf.fill([batch, 1], tf.constant(self.sep_id, tf.int64))
        return tf.concat([cls, pieces, sep], axis=1)

    def call(self, texts):
        ids = self.ragged_ids(tf.reshape(texts, [-1]))
        return ids.to_tensor(default_value=tf.constant(self.pad_id, tf.int64))

    def piece_counts(self, texts) -> tf.Tensor:
        """Word pieces per text before truncation [batch]: a text is cut when this exceeds max_length - 2."""
        return self.word_pieces(texts).row_lengths()

    def tokens(self, ids) -> list[str]:
        """The token strings of one row of ids (padding left out)."""
        return [self.vocabulary[int(i)] for i in ids if int(i) != self.pad_id]

    def get_config(self):
        return {
            **super().get_config(),
            "vocabulary": self.vocabulary,
            "max_length": self.max_length,
            "lower_case": self.lower_case,
            "strip_accents": self.strip_accents,
            "clean_text": self.clean_text,
            "truncation": self.truncation,
            "unk_token": self.unk_token,
            "cls_token": self.cls_token,
            "sep_token": self.sep_token,
            "pad_token": self.pad_token,
            "max_chars_per_word": self.max_chars_per_word,
        }

    @classmethod
    def from_checkpoint(cls, folder, max_length: int = 128, truncation: str = "head", **kwargs):
        """The tokenizer of a checkpoint folder (``vocab.txt`` or ``tokenizer.json``, see ``read_vocabulary``)."""
        vocabulary, settings = read_vocabulary(folder)
        if not settings.pop("split_chinese"):
            raise TokenizerError(f"{folder}: tokenizers that do not split CJK characters are not supported")
        return cls(vocabulary, max_length=max_length, truncation=truncation, **settings, **kwargs)
