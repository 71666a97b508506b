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


def test_every_script_is_a_console_command_and_every_package_is_installed():
    import sys
    import tomllib

    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    commands = project["project"]["scripts"]
    tools = sorted(p.stem for p in (ROOT / "scripts").glob("*.py") if p.stem != "__init__")
    assert sorted(target.split(":")[0].split(".")[-1] for target in commands.values()) == tools
    assert all(
        target == f"emotion_tf_scripts.{target.split(':')[0].split('.')[-1]}:main" for target in commands.values()
    )
    packages = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "emotion_tf").rglob("__init__.py")}
    assert set(project["tool"]["setuptools"]["packages"]) == packages | {"emotion_tf_scripts"}
    # an installed command answers --help at once (it loads TensorFlow only after its arguments pass)
    command = Path(sys.executable).parent / "emotion-tf-recommend"
    if not command.exists():
        pytest.skip(f"{command.name} is not installed in this environment (pip install -e . makes it)")
    shown = subprocess.run([str(command), "--help"], capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0 and shown.stdout.startswith("usage: emotion-tf-recommend")
    refused = subprocess.run([str(command), str(ROOT / "no-such-model"), "--user", "1"], capture_output=True, text=True)
    assert refused.returncode == 2 and "no exported recommender" in refused.stderr


def test_every_tool_answers_help_without_loading_tensorflow():
    """Parse first: ``--help`` (and a refused option) must not wait seconds for TensorFlow to load."""
    import sys

    tools = sorted(p.stem for p in (ROOT / "scripts").glob("*.py") if p.stem != "__init__")
    # a refused option (an unknown name in a list, a count below 1): exit 2 from the parser, before TensorFlow loads
    refused = [
        ("benchmark_bert", ["--datasets", "goemotions,imdb", "--results", "never.json"], 2),
        ("benchmark_emotion_rec", ["--scorers", "lexicon,vader"], 2),
        ("sweep_softmax_cf", ["--variants", "default,dim-4000", "--results", "never.json"], 2),
        ("benchmark_graph", ["--users", "0", "--results", "never.json"], 2),
    ]
    runs = [(tool, ["--help"], 0) for tool in tools] + refused
    probe = (
        "import runpy, sys\n"
        "failures = []\n"
        f"for tool, arguments, code in {runs!r}:\n"
        "    sys.argv = [tool, *arguments]\n"
        "    try:\n"
        "        runpy.run_module('emotion_tf_scripts.' + tool, run_name='__main__')\n"
        "    except SystemExit as stop:\n"
        "        if (stop.code or 0) != code:\n"
        "            failures.append(f'{tool} {arguments}: exited {stop.code}, not {code}')\n"
        "    else:\n"
        "        failures.append(f'{tool} {arguments}: did not stop')\n"
        "    if 'tensorflow' in sys.modules:\n"
        "        failures.append(f'{tool} {arguments}: imported tensorflow')\n"
        "        break\n"
        "print('\\n'.join(failures) or 'ok', file=sys.stderr)\n"
    )
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert shown.stderr.strip().splitlines()[-1] == "ok", shown.stderr[-2000:]
    assert shown.stdout.count("usage:") == len(tools)
