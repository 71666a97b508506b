"""The download path, for real, against an HTTP server on 127.0.0.1 serving archives the test builds.

A good archive lands in the cache and verifies; a corrupt archive, a checksum
mismatch, a truncated transfer and a missing file each give a clear error
and leave nothing behind in the cache.
"""

import hashlib
import io
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from emotion_tf.data import DataError
from emotion_tf.data.fetch import FolderSpec, Source, cache_root, locate

CSV = "label,review\n1,很好\n0,很差\n".encode()
CSV_SHA = hashlib.sha256(CSV).hexdigest()


def make_zip(members: dict) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buffer.getvalue()


GOOD_ZIP = make_zip({"tiny/reviews.csv": CSV})


class Handler(BaseHTTPRequestHandler):
    routes: dict = {}

    def do_GET(self):
        body = self.routes.get(self.path)
        if body is None:
            self.send_error(404)
            return
        declared, sent = body if isinstance(body, tuple) else (len(body), body)
        self.send_response(200)
        self.send_header("Content-Length", str(declared))
        self.end_headers()
        self.wfile.write(sent)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    Handler.routes = {
        "/good.zip": GOOD_ZIP,
        "/corrupt.zip": GOOD_ZIP[: len(GOOD_ZIP) // 2],
        "/other.zip": make_zip({"tiny/reviews.csv": b"label,review\n1,x\n"}),
        "/truncated.zip": (len(GOOD_ZIP), GOOD_ZIP[:40]),
        "/plain.csv": CSV,
    }
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def spec_for(url, archive_sha=None, archive="zip"):
    members = {"tiny/reviews.csv": "reviews.csv"} if archive else {"": "reviews.csv"}
    return FolderSpec(
        "tiny",
        "tiny",
        {"reviews.csv": CSV_SHA},
        (Source(url=url, sha256=archive_sha, archive=archive, members=members),),
    )


def cache_is_empty():
    root = cache_root()
    return not root.exists() or not any(root.iterdir())


def test_download_lands_verified_in_cache(server):
    folder = locate(spec_for(server + "/good.zip", hashlib.sha256(GOOD_ZIP).hexdigest()), download=True, progress=False)
    assert folder == cache_root() / "tiny"
    assert (folder / "reviews.csv").read_bytes() == CSV
    assert sorted(p.name for p in cache_root().iterdir()) == ["tiny"]  # no staging folder left
    # Second call finds the cache and never needs the server.
    assert locate(spec_for(server + "/missing.zip"), download=False) == folder


def test_plain_file_download(server):
    folder = locate(spec_for(server + "/plain.csv", CSV_SHA, archive=None), download=True, progress=False)
    assert (folder / "reviews.csv").read_bytes() == CSV


def test_corrupt_archive_leaves_nothing(server):
    with pytest.raises(DataError, match=r"corrupt\.zip is corrupt or incomplete"):
        locate(spec_for(server + "/corrupt.zip"), download=True, progress=False)
    assert cache_is_empty()


def test_checksum_mismatch_of_archive_leaves_nothing(server):
    with pytest.raises(DataError, match="checksum mismatch for .*good.zip"):
        locate(spec_for(server + "/good.zip", archive_sha="0" * 64), download=True, progress=False)
    assert cache_is_empty()


def test_checksum_mismatch_of_extracted_file_leaves_nothing(server):
    with pytest.raises(DataError, match=r"reviews\.csv has sha256 .* expected " + CSV_SHA):
        locate(spec_for(server + "/other.zip"), download=True, progress=False)
    assert cache_is_empty()


def test_truncated_transfer_leaves_nothing(server):
    with pytest.raises(DataError, match="truncated.zip"):
        locate(spec_for(server + "/truncated.zip"), download=True, progress=False)
    assert cache_is_empty()


def test_missing_remote_file(server, tmp_path):
    with pytest.raises(DataError, match="could not download .*nothing-here.zip.*404"):
        locate(spec_for(server + "/nothing-here.zip"), download=True, progress=False)
    assert cache_is_empty()
    # a local folder that lacks the file: the error names the file as well as the failed download
    (tmp_path / "tiny").mkdir()
    with pytest.raises(
        DataError,
        match=r"not found locally \(looked in: .*tiny \(data_dir argument: the folder "
        r"lacks reviews\.csv\).*download failed: could not download",
    ):
        locate(spec_for(server + "/nothing-here.zip"), data_dir=tmp_path, download=True, progress=False)


def test_not_found_without_download_names_every_place_looked(tmp_path, monkeypatch):
    monkeypatch.setenv("EMOTION_TF_DATA", str(tmp_path / "from-env"))
    with pytest.raises(DataError) as error:
        locate(spec_for("http://127.0.0.1:9/never.zip"), data_dir=tmp_path / "from-arg", download=False)
    message = str(error.value)
    for place in (tmp_path / "from-arg" / "tiny", tmp_path / "from-env" / "tiny", cache_root() / "tiny"):
        assert str(place) in message
    assert "--data-dir" in message and "EMOTION_TF_DATA" in message and "download=True" in message


def test_argument_folder_wins_over_environment_and_is_verified(tmp_path, monkeypatch):
    for name, data in (("arg", CSV), ("env", CSV)):
        (tmp_path / name / "tiny").mkdir(parents=True)
        (tmp_path / name / "tiny" / "reviews.csv").write_bytes(data)
    monkeypatch.setenv("EMOTION_TF_DATA", str(tmp_path / "env"))
    spec = spec_for("http://127.0.0.1:9/never.zip")
    assert locate(spec, data_dir=tmp_path / "arg", download=False) == tmp_path / "arg" / "tiny"
    assert locate(spec, download=False) == tmp_path / "env" / "tiny"
    (tmp_path / "arg" / "tiny" / "reviews.csv").write_bytes(CSV + b"tampered\n")
    with pytest.raises(DataError, match=r"arg/tiny/reviews\.csv has sha256"):
        locate(spec, data_dir=tmp_path / "arg", download=False)
    assert locate(spec, data_dir=tmp_path / "arg", download=False, verify=False) == tmp_path / "arg" / "tiny"
