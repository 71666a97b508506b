"""Model folders that are written whole or not at all, and checked before they are read.

Every model folder the project writes (a sentiment classifier, a TF-IDF baseline, the serving index) goes
through ``write_artifact``: the files are written into a hidden staging folder beside the target, a
``manifest.json`` listing each file with its size and sha256 is added last, and only then does the staging
folder take the target's place. A killed writer leaves the old folder or none, never half of one.

``check_artifact`` reads the manifest back before anything loads the folder, so a half-written, truncated
or edited folder stops with an error that names the folder and the file, instead of a TensorFlow
traceback from deep inside ``load_model``.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

MANIFEST = "manifest.json"
FORMAT_VERSION = 1


class ArtifactError(ValueError):
    """A model folder that is incomplete, corrupt or of another kind; the message names the folder and file."""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _files(folder: Path) -> dict[str, dict]:
    return {
        path.relative_to(folder).as_posix(): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(folder.rglob("*"))
        if path.is_file() and path.name != MANIFEST
    }


def write_artifact(folder, kind: str, write: Callable[[Path], None]) -> Path:
    """Write the model folder ``folder`` of ``kind`` (e.g. ``"sentiment-classifier"``) atomically.

    ``write(staging)`` puts the files into an empty staging folder; the manifest is added after it returns,
    and the staging folder then replaces ``folder`` (an older folder there is removed).
    """
    folder = Path(folder)
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    try:
        write(staging)
        manifest = {"kind": kind, "format_version": FORMAT_VERSION, "files": _files(staging)}
        (staging / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
        if folder.exists():
            shutil.rmtree(folder)
        staging.rename(folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return folder


def check_artifact(folder, kind: str, editable: tuple[str, ...] = ()) -> dict:
    """The manifest of the complete model folder ``folder`` of ``kind``.

    Files named in ``editable`` (a table a user may edit, such as item titles) must exist but may differ
    from the manifest; their own reader checks them.

    Raises:
      FileNotFoundError: ``folder`` is not a directory.
      ArtifactError: no readable manifest (half-written, or not a model folder), a manifest of another kind,
        or a listed file that is missing or differs in size or sha256 (truncated or corrupt).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise FileNotFoundError(f"no model folder at {folder}")
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text(encoding="utf-8"))
        files, found_kind = manifest["files"], manifest["kind"]
    except FileNotFoundError:
        raise ArtifactError(
            f"{folder} has no {MANIFEST}: it is not a {kind} folder, or its writing was interrupted, or an older "
            "version wrote it; save the model again"
        ) from None
    except (json.JSONDecodeError, UnicodeDecodeError, KeyError, TypeError) as error:
        raise ArtifactError(f"{path} is not a valid manifest ({type(error).__name__}: {error})") from None
    if found_kind != kind:
        raise ArtifactError(f"{folder} holds a {found_kind}, not a {kind}")
    for name, expected in files.items():
        file = folder / name
        if not file.is_file():
            raise ArtifactError(f"{folder} is incomplete: {name} is listed in {MANIFEST} but missing")
        if name in editable:
            continue
        if file.stat().st_size != expected["bytes"] or _sha256(file) != expected["sha256"]:
            raise ArtifactError(f"{file} is corrupt: its size or sha256 differs from {MANIFEST}'s")
    return manifest
