"""The repository stands alone: its docs carry the data contract, and no file names a folder outside it."""

import re
import subprocess
from pathlib import Path

import pytest

from emotion_tf.data import catalog

ROOT = Path(__file__).resolve().parent.parent

# A path that leaves the repository ("../something"), an absolute machine path, or the outside spec file.
# (spelled in pieces, so that this file does not match its own pattern)
OUTSIDE = re.compile("|".join([r"\.\." + "/shared", "/wor" + "k/", r"/home/\w+", r"/Users/\w+", "PROTOCOLS" + r"\.md"]))


def tracked_text_files() -> list[Path]:
    try:
        listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout: the tracked files cannot be listed")
    files = []
    for name in listed.splitlines():
        path = ROOT / name
        if path.is_file() and path.suffix not in {".png", ".zip", ".safetensors", ".gz"}:
            files.append(path)
    return files


def test_no_file_names_a_folder_outside_the_repository_or_a_machine_path():
    offenders = []
    for path in tracked_text_files():
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if OUTSIDE.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:100]}")
    assert not offenders, "files that point outside the repository:\n" + "\n".join(offenders[:40])


def test_protocols_page_lists_every_pinned_file_with_its_hash():
    page = (ROOT / "docs" / "protocols.md").read_text(encoding="utf-8")
    rows = re.findall(r"\| `([^`]+)` \| `([0-9a-f]{64})` \|", page)
    documented = dict(rows)
    pinned = {name: sha for entry in catalog.CATALOG.values() for name, sha in entry.folder.files.items()}
    assert documented == pinned
    for key, entry in catalog.CATALOG.items():
        assert f"| `{key}` | `{entry.folder.folder}/` |" in page, f"{key}'s folder is not in docs/protocols.md"
