"""Model folders: written whole or not at all, and refused with a named reason when incomplete or corrupt."""

import json

import pytest

from emotion_tf.training.artifacts import MANIFEST, ArtifactError, check_artifact, write_artifact


def write_two_files(staging):
    (staging / "weights").mkdir()
    (staging / "weights" / "w.bin").write_bytes(b"\x00\x01" * 100)
    (staging / "settings.json").write_text('{"units": 3}')


def test_a_written_folder_lists_every_file_and_passes_its_check(tmp_path):
    folder = write_artifact(tmp_path / "model", "toy", write_two_files)
    manifest = json.loads((folder / MANIFEST).read_text())
    assert manifest["kind"] == "toy" and set(manifest["files"]) == {"weights/w.bin", "settings.json"}
    assert manifest["files"]["weights/w.bin"]["bytes"] == 200
    assert check_artifact(folder, "toy") == manifest
    assert [p.name for p in tmp_path.iterdir()] == ["model"]  # no staging folder left behind


def test_a_failed_write_leaves_the_old_folder_and_no_staging(tmp_path):
    write_artifact(tmp_path / "model", "toy", write_two_files)

    def fails(staging):
        (staging / "half.bin").write_bytes(b"12")
        raise RuntimeError("killed")

    with pytest.raises(RuntimeError, match="killed"):
        write_artifact(tmp_path / "model", "toy", fails)
    assert [p.name for p in tmp_path.iterdir()] == ["model"]
    assert check_artifact(tmp_path / "model", "toy")["files"].keys() == {"weights/w.bin", "settings.json"}


def test_incomplete_corrupt_or_foreign_folders_are_refused_by_name(tmp_path):
    with pytest.raises(FileNotFoundError, match="no model folder at"):
        check_artifact(tmp_path / "absent", "toy")
    (tmp_path / "bare").mkdir()
    with pytest.raises(ArtifactError, match="has no manifest.json"):
        check_artifact(tmp_path / "bare", "toy")
    folder = write_artifact(tmp_path / "model", "toy", write_two_files)
    with pytest.raises(ArtifactError, match="holds a toy, not a sentiment-classifier"):
        check_artifact(folder, "sentiment-classifier")
    (folder / "settings.json").write_text('{"units": 4}')  # same size, other bytes
    with pytest.raises(ArtifactError, match=r"settings\.json is corrupt"):
        check_artifact(folder, "toy")
    assert check_artifact(folder, "toy", editable=("settings.json",))["kind"] == "toy"
    (folder / "settings.json").write_text('{"units": 3}')
    (folder / "weights" / "w.bin").unlink()
    with pytest.raises(ArtifactError, match=r"incomplete: weights/w\.bin is listed"):
        check_artifact(folder, "toy")
    (folder / MANIFEST).write_text("{")
    with pytest.raises(ArtifactError, match="is not a valid manifest"):
        check_artifact(folder, "toy")
