"""Finding a dataset's folder: local folders first, then a verified download.

Resolution order for a dataset whose folder is ``spec.folder``:

1. the ``data_dir`` argument (a folder laid out as ``docs/protocols.md`` says),
2. the ``EMOTION_TF_DATA`` environment variable (same layout),
3. the user cache, ``$EMOTION_TF_CACHE`` or ``~/.cache/emotion_tf/datasets``,
4. a download from the dataset's public source into the cache, when allowed
   (``download=True``, or ``EMOTION_TF_DOWNLOAD`` not set to ``0``).

Every file the readers use is pinned by sha256 (the hashes in
the layout table of ``docs/protocols.md``).  A download goes into a hidden temporary
folder inside the cache; the archive's own hash is checked where it is known,
the extracted files' hashes always; only a folder that passed every check is
renamed into place.  On any failure the temporary folder is removed, so the
cache never holds a half-written dataset.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import shutil
import sys
import tarfile
import tempfile
import urllib.error
import urllib.request
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from emotion_tf.data.dataset import DataError

DATA_ENV = "EMOTION_TF_DATA"
CACHE_ENV = "EMOTION_TF_CACHE"
DOWNLOAD_ENV = "EMOTION_TF_DOWNLOAD"


@dataclass(frozen=True)
class Source:
    """One file to download and what to take out of it.

    Attributes:
      url: where to download from.
      sha256: hash of the downloaded file, or None when only the files taken
        out of it are pinned (an archive re-packed by its publisher).
      archive: ``"zip"``, ``"tar.gz"`` or None for a plain file.
      members: path inside the archive (``""`` for a plain file) -> path in
        the dataset folder.
      drop_first_line: remove a header line a third party added, so that the
        stored file is byte-identical to the pinned one.
    """

    url: str
    members: dict[str, str]
    sha256: str | None = None
    archive: str | None = None
    drop_first_line: bool = False


@dataclass(frozen=True)
class FolderSpec:
    """Where a dataset lives and how its files are pinned."""

    key: str
    folder: str
    files: dict[str, str]  # path in the folder -> sha256
    sources: tuple[Source, ...] = field(default_factory=tuple)


def cache_root() -> Path:
    """The user cache that downloads go to."""
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "emotion_tf" / "datasets"


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _download_allowed(download: bool | None) -> bool:
    if download is not None:
        return download
    return os.environ.get(DOWNLOAD_ENV, "1") not in ("0", "false", "no", "")


def _has_all_files(folder: Path, spec: FolderSpec) -> bool:
    return folder.is_dir() and all((folder / name).is_file() for name in spec.files)


def verify_folder(folder: Path, spec: FolderSpec) -> None:
    """Check every pinned file's sha256; raise DataError naming the first that differs."""
    for name, expected in spec.files.items():
        path = folder / name
        if not path.is_file():
            raise DataError(f"dataset {spec.key!r}: missing file {path}")
        actual = sha256_of(path)
        if actual != expected:
            raise DataError(
                f"dataset {spec.key!r}: {path} has sha256 {actual}, expected {expected}. "
                "The file is corrupt, truncated or a different version of the data; replace it "
                "with the original (see the dataset's README), or pass verify=False to read it anyway."
            )


def locate(
    spec: FolderSpec, data_dir=None, download: bool | None = None, verify: bool = True, progress: bool = True
) -> Path:
    """Return the folder holding ``spec``'s files, downloading it if needed and allowed."""
    looked: list[str] = []
    candidates: list[tuple[str, Path]] = []
    if data_dir is not None:
        candidates.append(("data_dir argument", Path(data_dir).expanduser()))
    if os.environ.get(DATA_ENV):
        candidates.append((f"${DATA_ENV}", Path(os.environ[DATA_ENV]).expanduser()))
    candidates.append(("user cache", cache_root()))
    for origin, root in candidates:
        folder = root / spec.folder
        if _has_all_files(folder, spec):
            if verify:
                verify_folder(folder, spec)
            return folder
        missing = [name for name in spec.files if not (folder / name).is_file()] if folder.is_dir() else []
        looked.append(f"{folder} ({origin}" + (f": the folder lacks {', '.join(missing)})" if missing else ")"))

    if spec.sources and _download_allowed(download):
        try:
            return download_to_cache(spec, cache_root(), progress=progress)
        except DataError as error:  # say what was missing locally too, not only that the download failed
            raise DataError(
                f"dataset {spec.key!r} not found locally (looked in: {'; '.join(looked)}), and the "
                f"download failed: {error}"
            ) from error

    how = (
        f"Put the folder {spec.folder}/ (laid out as docs/protocols.md says) under a directory and pass "
        f"data_dir=... (scripts: --data-dir) or set {DATA_ENV} to that directory"
    )
    if spec.sources:
        how += f"; on a machine with internet, allow the download (download=True or {DOWNLOAD_ENV}=1)"
    raise DataError(f"dataset {spec.key!r} not found. Looked in: " + "; ".join(looked) + f". {how}.")


def _fetch_url(url: str, target: Path, progress: bool) -> None:
    try:
        with urllib.request.urlopen(url, timeout=60) as response, open(target, "wb") as out:
            total = int(response.headers.get("Content-Length") or 0)
            done, next_report = 0, 0.0
            while True:
                block = response.read(1 << 16)
                if not block:
                    break
                out.write(block)
                done += len(block)
                if progress and total and done / total >= next_report:
                    print(f"  {url}: {done / total:4.0%} of {total:,} bytes", file=sys.stderr)
                    next_report += 0.25
            if total and done != total:
                raise DataError(f"download of {url} stopped after {done:,} of {total:,} bytes")
    except (urllib.error.URLError, http.client.HTTPException, OSError, ValueError) as error:
        raise DataError(f"could not download {url}: {type(error).__name__}: {error}") from error


def _extract(source: Source, downloaded: Path, folder: Path) -> None:
    """Copy ``source.members`` out of ``downloaded`` into ``folder``."""
    try:
        if source.archive is None:
            contents = {"": downloaded.read_bytes()}
        elif source.archive == "zip":
            with zipfile.ZipFile(downloaded) as archive:
                contents = {name: archive.read(name) for name in source.members}
        elif source.archive == "tar.gz":
            with tarfile.open(downloaded, "r:gz") as archive:
                contents = {}
                for name in source.members:
                    member = archive.extractfile(name)
                    if member is None:
                        raise DataError(f"{source.url}: {name} is not a regular file in the archive")
                    contents[name] = member.read()
        else:
            raise ValueError(f"unknown archive kind {source.archive!r}")
    except KeyError as error:
        raise DataError(f"archive from {source.url} lacks the expected member {error}") from error
    except (zipfile.BadZipFile, tarfile.TarError, EOFError, OSError) as error:
        raise DataError(
            f"archive from {source.url} is corrupt or incomplete ({type(error).__name__}: {error})"
        ) from error
    for member, relative in source.members.items():
        data = contents[member]
        if source.drop_first_line:
            data = data.split(b"\n", 1)[1] if b"\n" in data else b""
        out = folder / relative
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_bytes(data)


def download_to_cache(spec: FolderSpec, root: Path, progress: bool = True) -> Path:
    """Download, check and install ``spec`` under ``root``; all or nothing."""
    root.mkdir(parents=True, exist_ok=True)
    # spec.folder may be nested (pretrained/<name>): the staging folder's name must not be
    staging = Path(tempfile.mkdtemp(prefix=f".{spec.folder.replace('/', '_')}.partial-", dir=root))
    try:
        folder = staging / spec.folder
        folder.mkdir(parents=True)
        for number, source in enumerate(spec.sources):
            if progress:
                print(f"downloading {spec.key}: {source.url}", file=sys.stderr)
            downloaded = staging / f"download-{number}"
            _fetch_url(source.url, downloaded, progress)
            if source.sha256 is not None:
                actual = sha256_of(downloaded)
                if actual != source.sha256:
                    raise DataError(
                        f"checksum mismatch for {source.url}: sha256 {actual}, expected {source.sha256}; "
                        "the download is corrupt or the source changed. Nothing was kept."
                    )
            _extract(source, downloaded, folder)
            downloaded.unlink()
        verify_folder(folder, spec)
        final = root / spec.folder
        final.parent.mkdir(parents=True, exist_ok=True)
        if final.exists():  # an incomplete folder left by hand; ours are never incomplete
            shutil.rmtree(final)
        os.replace(folder, final)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)
