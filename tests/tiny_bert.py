"""Tiny BERT checkpoints in the Hugging Face layout, written by the tests themselves.

``write_checkpoint`` writes config.json, model.safetensors (random weights under Hugging Face's tensor
names and [out, in] layout) and the vocabulary (vocab.txt, or tokenizer.json as all-MiniLM-L6-v2 ships
it), so the import, the tokenizer and fine-tuning can be tested without any download.
"""

from __future__ import annotations

import json
import string
from pathlib import Path

import numpy as np

SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]
WORDS = [
    "the",
    "a",
    "is",
    "was",
    "not",
    "very",
    "bit",
    "good",
    "bad",
    "great",
    "terrible",
    "slow",
    "movie",
    "food",
    "service",
    "but",
    "i",
    "feel",
    "happy",
    "sad",
    "it",
    "so",
    "today",
    "weather",
    "lovely",
    "cafe",
    "naive",
    "don",
    "you",
    "think",
]
PIECES = ["##s", "##ing", "##ed", "##ly", "##er"]
CHINESE = list("好不吃难很菜是凉的房间干净服务太吵了会再来我觉得这家酒店还错")


def vocabulary() -> list[str]:
    letters = list(string.ascii_lowercase)
    tokens = (
        SPECIALS
        + list(string.punctuation)
        + ["，", "。", "！", "？"]
        + letters
        + [f"##{c}" for c in letters]
        + WORDS
        + PIECES
        + CHINESE
    )
    return list(dict.fromkeys(tokens))  # each token once, first place kept


def tiny_config(vocab_size: int, hidden_act: str = "gelu", **overrides) -> dict:
    config = {
        "model_type": "bert",
        "architectures": ["BertModel"],
        "vocab_size": vocab_size,
        "hidden_size": 16,
        "num_hidden_layers": 2,
        "num_attention_heads": 2,
        "intermediate_size": 32,
        "hidden_act": hidden_act,
        "hidden_dropout_prob": 0.1,
        "attention_probs_dropout_prob": 0.1,
        "max_position_embeddings": 64,
        "type_vocab_size": 2,
        "layer_norm_eps": 1e-12,
        "pad_token_id": 0,
        "initializer_range": 0.02,
    }
    config.update(overrides)
    return config


def random_tensors(config: dict, seed: int = 0, prefix: str = "") -> dict[str, np.ndarray]:
    """Every tensor of a BertModel checkpoint, under Hugging Face's names, with random values."""
    rng = np.random.default_rng(seed)
    H, inter = config["hidden_size"], config["intermediate_size"]

    def normal(*shape, scale=0.2):
        return (scale * rng.standard_normal(shape)).astype(np.float32)

    tensors = {
        "embeddings.word_embeddings.weight": normal(config["vocab_size"], H),
        "embeddings.position_embeddings.weight": normal(config["max_position_embeddings"], H),
        "embeddings.token_type_embeddings.weight": normal(config["type_vocab_size"], H),
        "embeddings.LayerNorm.weight": 1 + normal(H, scale=0.1),
        "embeddings.LayerNorm.bias": normal(H, scale=0.1),
        "pooler.dense.weight": normal(H, H),
        "pooler.dense.bias": normal(H),
    }
    for i in range(config["num_hidden_layers"]):
        p = f"encoder.layer.{i}."
        for part in ("query", "key", "value"):
            tensors[f"{p}attention.self.{part}.weight"] = normal(H, H)
            tensors[f"{p}attention.self.{part}.bias"] = normal(H, scale=0.1)
        tensors.update(
            {
                f"{p}attention.output.dense.weight": normal(H, H),
                f"{p}attention.output.dense.bias": normal(H),
                f"{p}attention.output.LayerNorm.weight": 1 + normal(H, scale=0.1),
                f"{p}attention.output.LayerNorm.bias": normal(H, scale=0.1),
                f"{p}intermediate.dense.weight": normal(inter, H),
                f"{p}intermediate.dense.bias": normal(inter),
                f"{p}output.dense.weight": normal(H, inter),
                f"{p}output.dense.bias": normal(H),
                f"{p}output.LayerNorm.weight": 1 + normal(H, scale=0.1),
                f"{p}output.LayerNorm.bias": normal(H, scale=0.1),
            }
        )
    return {prefix + name: value for name, value in tensors.items()}


def write_checkpoint(
    folder,
    *,
    tokens=None,
    config_overrides=None,
    hidden_act: str = "gelu",
    seed: int = 0,
    lower_case: bool = True,
    layout: str = "vocab.txt",
    tensors=None,
) -> Path:
    """Write a tiny checkpoint; ``tensors`` replaces the random weights (to plant errors)."""
    from safetensors.numpy import save_file

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tokens = tokens or vocabulary()
    config = tiny_config(len(tokens), hidden_act, **(config_overrides or {}))
    (folder / "config.json").write_text(json.dumps(config), encoding="utf-8")
    save_file(random_tensors(config, seed) if tensors is None else tensors, str(folder / "model.safetensors"))
    if layout == "vocab.txt":
        (folder / "vocab.txt").write_text("\n".join(tokens) + "\n", encoding="utf-8")
        (folder / "tokenizer_config.json").write_text(json.dumps({"do_lower_case": lower_case}), encoding="utf-8")
    else:
        described = {
            "version": "1.0",
            "normalizer": {
                "type": "BertNormalizer",
                "clean_text": True,
                "handle_chinese_chars": True,
                "strip_accents": None,
                "lowercase": lower_case,
            },
            "pre_tokenizer": {"type": "BertPreTokenizer"},
            "model": {
                "type": "WordPiece",
                "unk_token": "[UNK]",
                "continuing_subword_prefix": "##",
                "max_input_chars_per_word": 100,
                "vocab": {t: i for i, t in enumerate(tokens)},
            },
        }
        (folder / "tokenizer.json").write_text(json.dumps(described, ensure_ascii=False), encoding="utf-8")
    return folder
