"""Import a pretrained BERT-family checkpoint from a folder in the Hugging Face layout.

    folder/config.json          the architecture (``model_type: bert``)
    folder/model.safetensors    the weights, read with the ``safetensors`` package's numpy API
    folder/vocab.txt or tokenizer.json (+ tokenizer_config.json)   the WordPiece vocabulary

Every tensor is mapped by name onto one weight of ``BertEncoder`` and its shape is checked against the
config.  Hugging Face stores a dense layer's weight as [out, in] (``y = x Wᵀ + b``); Keras keeps the
kernel as [in, out], and the project's attention keeps the query/key/value kernels as [hidden, heads,
head_size] and the output kernel as [heads, head_size, hidden], so the import transposes and reshapes:

    query.weight [H, H]              -> query_kernel  = Wᵀ reshaped [H, h, H/h]   (key, value alike)
    query.bias [H]                   -> query_bias    = b reshaped [h, H/h]
    attention.output.dense.weight    -> output_kernel = Wᵀ reshaped [h, H/h, H]
    intermediate/output.dense.weight -> Dense kernel  = Wᵀ
    LayerNorm.weight / .bias (or the older gamma / beta) -> LayerNormalization gamma / beta

A tensor the encoder needs but the file lacks, a tensor of the file that maps to nothing, and a tensor of
the wrong shape are each an error that names it.  Tensors of task heads that sit beside the encoder in a
checkpoint (``pooler``, ``cls`` for pretraining, ``classifier``...) are not used; ``ImportReport``
lists them.  Nothing is left at its random initialisation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import tensorflow as tf

from emotion_tf.sentiment.bert import BertConfig, BertEncoder
from emotion_tf.text.wordpiece import TokenizerError, WordPieceTokenizer

# Parts of a checkpoint that are not the encoder: the pooler ([CLS] -> tanh dense, trained for next-sentence
# prediction), pretraining heads, task heads, and the position-id buffer that older checkpoints save.
NOT_THE_ENCODER = ("pooler.", "cls.", "classifier.", "qa_outputs.", "lm_head.", "embeddings.position_ids")
MODEL_PREFIXES = ("bert.",)  # BertFor... checkpoints nest the encoder under "bert."
SUPPORTED_MODEL_TYPES = ("bert",)


class CheckpointError(ValueError):
    """A checkpoint folder or file is missing, unreadable, or does not match the encoder."""


@dataclass
class ImportReport:
    """What the import did: tensors placed (name -> weight) and tensors not used (with why)."""

    placed: dict[str, str] = field(default_factory=dict)
    not_used: list[str] = field(default_factory=list)


def read_config(folder) -> BertConfig:
    """The ``BertConfig`` of ``folder/config.json``; refuses model types other than BERT."""
    path = Path(folder) / "config.json"
    if not Path(folder).is_dir():
        raise CheckpointError(f"checkpoint folder {folder} does not exist")
    if not path.is_file():
        raise CheckpointError(f"{folder} has no config.json: not a checkpoint in the Hugging Face layout")
    try:
        values = json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise CheckpointError(f"{path} is not valid JSON: {error}") from None
    model_type = values.get("model_type")
    if model_type not in SUPPORTED_MODEL_TYPES:
        raise CheckpointError(
            f"{path}: model_type {model_type!r} is not supported (supported: "
            f"{', '.join(SUPPORTED_MODEL_TYPES)}; chinese-roberta-wwm-ext is a 'bert')"
        )
    if values.get("position_embedding_type", "absolute") != "absolute":
        raise CheckpointError(
            f"{path}: position_embedding_type {values['position_embedding_type']!r} "
            "is not supported (only absolute positions)"
        )
    try:
        return BertConfig.from_dict(values)
    except (TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: {error}") from None


def read_tensors(folder) -> dict[str, np.ndarray]:
    """Every tensor of ``folder/model.safetensors`` as float32 numpy arrays, by name."""
    from safetensors import SafetensorError
    from safetensors.numpy import load_file

    path = Path(folder) / "model.safetensors"
    if not path.is_file():
        raise CheckpointError(f"{folder} has no model.safetensors")
    try:
        tensors = load_file(str(path))
    except (SafetensorError, OSError, ValueError) as error:
        raise CheckpointError(f"{path} cannot be read (corrupt or truncated?): {error}") from None
    return {name: np.asarray(value, dtype=np.float32) for name, value in tensors.items()}


def _expected_tensors(config: BertConfig) -> dict[str, tuple[tuple[int, ...], str, callable]]:
    """Hugging Face name -> (shape in the file, weight path in the encoder, file array -> weight value)."""
    H, h, inter = config.hidden_size, config.num_attention_heads, config.intermediate_size
    d = H // h
    same = lambda a: a  # noqa: E731
    expected = {
        "embeddings.word_embeddings.weight": ((config.vocab_size, H), "embedding/word_embeddings/embeddings", same),
        "embeddings.position_embeddings.weight": (
            (config.max_position_embeddings, H),
            "embedding/position_embeddings/embeddings",
            same,
        ),
        "embeddings.token_type_embeddings.weight": (
            (config.type_vocab_size, H),
            "embedding/token_type_embeddings/embeddings",
            same,
        ),
        "embeddings.LayerNorm.weight": ((H,), "embedding/layer_norm/gamma", same),
        "embeddings.LayerNorm.bias": ((H,), "embedding/layer_norm/beta", same),
    }
    for i in range(config.num_hidden_layers):
        hf, ours = f"encoder.layer.{i}.", f"layer_{i}/"
        for part in ("query", "key", "value"):
            expected[f"{hf}attention.self.{part}.weight"] = (
                (H, H),
                f"{ours}attention/{part}_kernel",
                lambda a: a.T.reshape(H, h, d),
            )
            expected[f"{hf}attention.self.{part}.bias"] = (
                (H,),
                f"{ours}attention/{part}_bias",
                lambda a: a.reshape(h, d),
            )
        expected.update(
            {
                f"{hf}attention.output.dense.weight": (
                    (H, H),
                    f"{ours}attention/output_kernel",
                    lambda a: a.T.reshape(h, d, H),
                ),
                f"{hf}attention.output.dense.bias": ((H,), f"{ours}attention/output_bias", same),
                f"{hf}attention.output.LayerNorm.weight": ((H,), f"{ours}attention_norm/gamma", same),
                f"{hf}attention.output.LayerNorm.bias": ((H,), f"{ours}attention_norm/beta", same),
                f"{hf}intermediate.dense.weight": ((inter, H), f"{ours}intermediate/kernel", lambda a: a.T),
                f"{hf}intermediate.dense.bias": ((inter,), f"{ours}intermediate/bias", same),
                f"{hf}output.dense.weight": ((H, inter), f"{ours}output_dense/kernel", lambda a: a.T),
                f"{hf}output.dense.bias": ((H,), f"{ours}output_dense/bias", same),
                f"{hf}output.LayerNorm.weight": ((H,), f"{ours}output_norm/gamma", same),
                f"{hf}output.LayerNorm.bias": ((H,), f"{ours}output_norm/beta", same),
            }
        )
    return expected


def _canonical(name: str) -> str:
    for prefix in MODEL_PREFIXES:
        if name.startswith(prefix):
            name = name[len(prefix) :]
    # TF-era checkpoints name LayerNorm parameters gamma / beta
    return name.replace("LayerNorm.gamma", "LayerNorm.weight").replace("LayerNorm.beta", "LayerNorm.bias")


def _weight_path(variable: tf.Variable, encoder: BertEncoder) -> str:
    """'layer_0/attention/query_kernel' from 'bert_encoder/layer_0/attention/query_kernel:0'."""
    name = variable.name.split(":")[0]
    prefix = encoder.name + "/"
    return name[len(prefix) :] if name.startswith(prefix) else name


def assign_checkpoint(
    encoder: BertEncoder, tensors: dict[str, np.ndarray], source: str = "the checkpoint"
) -> ImportReport:
    """Set every weight of a built ``encoder`` from ``tensors`` (Hugging Face names); see the module docstring."""
    expected = _expected_tensors(encoder.config)
    report = ImportReport()
    by_name, problems = {}, []
    for name, value in tensors.items():
        canonical = _canonical(name)
        if canonical in expected:
            by_name[canonical] = (name, value)
        elif canonical.startswith(NOT_THE_ENCODER):
            report.not_used.append(name)
        else:
            problems.append(f"unexpected tensor {name!r} {tuple(value.shape)} (maps to no weight of the encoder)")
    for canonical, (shape, _, _) in expected.items():
        if canonical not in by_name:
            problems.append(f"missing tensor {canonical!r} (expected shape {shape})")
        elif tuple(by_name[canonical][1].shape) != shape:
            problems.append(
                f"tensor {by_name[canonical][0]!r} has shape {tuple(by_name[canonical][1].shape)}, "
                f"but config.json implies {shape}"
            )
    if problems:
        raise CheckpointError(f"{source} does not match the encoder: " + "; ".join(problems))

    variables = {_weight_path(variable, encoder): variable for variable in encoder.weights}
    targets = {path for _, path, _ in expected.values()}
    if set(variables) != targets:  # a programming error: the mapping and the layers disagree
        raise CheckpointError(
            f"encoder weights {sorted(set(variables) - targets)} have no checkpoint tensor, and "
            f"mapped weights {sorted(targets - set(variables))} are not in the encoder"
        )
    for canonical, (_, path, convert) in expected.items():
        name, value = by_name[canonical]
        variables[path].assign(convert(value).astype(variables[path].dtype.as_numpy_dtype))
        report.placed[name] = path
    return report


@dataclass
class Checkpoint:
    """A pretrained encoder with its tokenizer, read from ``folder``."""

    folder: Path
    config: BertConfig
    encoder: BertEncoder
    tokenizer: WordPieceTokenizer
    report: ImportReport


def load_checkpoint(folder, max_length: int | None = None, truncation: str = "head") -> Checkpoint:
    """Config, tokenizer and weights of a Hugging Face BERT folder as a ``BertEncoder`` (see the module docstring).

    Args:
      folder: the checkpoint folder.
      max_length: the tokenizer's limit in tokens, [CLS] and [SEP] included (at most the checkpoint's
        ``max_position_embeddings``; default 128 or that, whichever is smaller).
      truncation: ``"head"`` or ``"head+tail"`` (``WordPieceTokenizer``).
    """
    folder = Path(folder)
    config = read_config(folder)
    if max_length is None:
        max_length = min(128, config.max_position_embeddings)
    if max_length > config.max_position_embeddings:
        raise CheckpointError(
            f"max_length {max_length} exceeds the checkpoint's max_position_embeddings {config.max_position_embeddings}"
        )
    try:
        tokenizer = WordPieceTokenizer.from_checkpoint(folder, max_length=max_length, truncation=truncation)
    except TokenizerError as error:
        raise CheckpointError(str(error)) from None
    if tokenizer.vocabulary_size != config.vocab_size:
        raise CheckpointError(
            f"{folder}: the vocabulary has {tokenizer.vocabulary_size} tokens, config.json's "
            f"vocab_size is {config.vocab_size}"
        )
    if tokenizer.pad_id != config.pad_token_id:
        raise CheckpointError(
            f"{folder}: the tokenizer's {tokenizer.pad_token} is id {tokenizer.pad_id}, "
            f"config.json's pad_token_id is {config.pad_token_id}"
        )
    tensors = read_tensors(folder)
    encoder = BertEncoder(config, name="bert_encoder")
    encoder(tf.zeros([1, 2], tf.int64))  # build every weight
    report = assign_checkpoint(encoder, tensors, source=str(folder / "model.safetensors"))
    return Checkpoint(folder, config, encoder, tokenizer, report)
