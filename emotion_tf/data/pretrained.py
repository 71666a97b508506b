"""Finding a pretrained checkpoint's folder, the way datasets are found.

``resolve_checkpoint(name_or_folder)`` tries, in order:

1. an existing folder given directly (it must hold ``config.json``);
2. ``<data_dir>/pretrained/<name>`` (scripts: ``--data-dir``);
3. ``$EMOTION_TF_DATA/pretrained/<name>``;
4. the user cache, ``<cache>/pretrained/<name>`` (``$EMOTION_TF_CACHE`` or ``~/.cache/emotion_tf/datasets``);
5. on a machine with internet, for a model listed in ``KNOWN_CHECKPOINTS``, a download of its files from
   the Hugging Face hub into the cache, every file checked against its sha256 pin (all or nothing, as for
   datasets).  ``EMOTION_TF_DOWNLOAD=0`` or ``download=False`` forbids it.

A known model's files are verified wherever they are found.  No package of someone else's weights is a
dependency: checkpoints are data, like the datasets.
"""

from __future__ import annotations

from pathlib import Path

from emotion_tf.data.dataset import DataError
from emotion_tf.data.fetch import FolderSpec, Source, locate

HUB = "https://huggingface.co"

# Every file of a checkpoint we know, pinned by sha256 (hashes checked on the files themselves).
KNOWN_CHECKPOINTS = {
    "all-MiniLM-L6-v2": (
        "sentence-transformers/all-MiniLM-L6-v2",
        {
            "1_Pooling/config.json": "4be450dde3b0273bb9787637cfbd28fe04a7ba6ab9d36ac48e92b11e350ffc23",
            "config.json": "953f9c0d463486b10a6871cc2fd59f223b2c70184f49815e7efbcab5d8908b41",
            "config_sentence_transformers.json": "061ca9d39661d6c6d6de5ba27f79a1cd5770ea247f8d46412a68a498dc5ac9f3",
            "model.safetensors": "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db",
            "modules.json": "84e40c8e006c9b1d6c122e02cba9b02458120b5fb0c87b746c41e0207cf642cf",
            "sentence_bert_config.json": "fc1993fde0a95c24ec6c022539d41cf6e2f7c9721e5415d6fb6897472a9cd4b7",
            "special_tokens_map.json": "303df45a03609e4ead04bc3dc1536d0ab19b5358db685b6f3da123d05ec200e3",
            "tokenizer.json": "be50c3628f2bf5bb5e3a7f17b1f74611b2561a3a27eeab05e5aa30f411572037",
            "tokenizer_config.json": "acb92769e8195aabd29b7b2137a9e6d6e25c476a4f15aa4355c233426c61576b",
        },
    ),
}
# The English checkpoint the full preset fine-tunes; Chinese corpora would use bert-base-chinese or
# hfl/chinese-roberta-wwm-ext (not pinned here: their files could not be checked where this project was built).
DEFAULT_ENGLISH = "all-MiniLM-L6-v2"


def checkpoint_spec(name: str) -> FolderSpec:
    """Where a checkpoint lives under a data folder, and (for a known model) its pins and hub sources."""
    short = name.split("/")[-1]
    if short in KNOWN_CHECKPOINTS:
        repository, files = KNOWN_CHECKPOINTS[short]
        sources = tuple(
            Source(f"{HUB}/{repository}/resolve/main/{path}", {"": path}, sha256=sha) for path, sha in files.items()
        )
        return FolderSpec(short, f"pretrained/{short}", files, sources)
    return FolderSpec(short, f"pretrained/{short}", {"config.json": ""})


def resolve_checkpoint(name_or_folder, data_dir=None, download: bool | None = None, verify: bool = True) -> Path:
    """The folder of a checkpoint, by folder path or by name (see the module docstring).

    Raises:
      DataError: naming every place looked in, when no folder holds the checkpoint.
    """
    given = Path(str(name_or_folder)).expanduser()
    if given.is_dir():
        if not (given / "config.json").is_file():
            raise DataError(f"{given} has no config.json: not a checkpoint in the Hugging Face layout")
        return given
    name = str(name_or_folder)
    if "/" in name and name.split("/")[-1] not in KNOWN_CHECKPOINTS and (given.is_absolute() or name.startswith(".")):
        raise DataError(f"checkpoint folder {given} does not exist")
    spec = checkpoint_spec(name)
    if not spec.sources:  # an unknown name: look in the folders, never download it unpinned
        return locate(spec, data_dir, download=False, verify=False)
    return locate(spec, data_dir, download=download, verify=verify)
