"""Tests of nnlite/data/download.py against a local HTTP server on 127.0.0.1 (started in a
thread by the fixture, shut down after the test or by a watchdog) -- never the internet:
successful download with sha256 check and progress, checksum mismatch (error, nothing left
behind), HTTP 404, mirrors, archive members, and download=True through the datasets."""
from __future__ import annotations

import gzip
import hashlib
import http.server
import io
import shutil
import struct
import sys
import tarfile
import threading
import types

import numpy as np
import pytest

from nnlite.data import DataFileError, check_integrity, download_url
from nnlite.data.datasets import MNIST, CharCorpus, MovieReviews
from nnlite.data.download import Resource, default_root, fetch


@pytest.fixture
def server(tmp_path, monkeypatch):
    """Serve ``tmp_path / "srv"`` on 127.0.0.1; yield (folder, base URL, request log)."""
    for var in ("http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "all_proxy",
                "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "127.0.0.1,localhost")
    folder = tmp_path / "srv"
    folder.mkdir()
    requests = []

    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(folder), **kwargs)

        def do_GET(self):
            requests.append(self.path)
            super().do_GET()

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    watchdog = threading.Timer(60, httpd.shutdown)      # never outlives a stuck test
    watchdog.daemon = True
    watchdog.start()
    try:
        yield folder, f"http://127.0.0.1:{httpd.server_address[1]}/", requests
    finally:
        watchdog.cancel()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir())


# ---- download_url -------------------------------------------------------------------------
def test_download_success_with_checksum_and_progress(server, tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "tqdm", None)          # the plain percentage fallback
    folder, url, _ = server
    payload = np.random.default_rng(0).bytes(300_000)
    (folder / "blob.bin").write_bytes(payload)
    dest = tmp_path / "out" / "blob.bin"
    download_url(url + "blob.bin", dest, sha256=sha256(payload))
    assert dest.read_bytes() == payload
    assert leftovers(dest.parent) == ["blob.bin"]             # no .part file left
    assert "100.0%" in capsys.readouterr().err
    assert check_integrity(dest, sha256(payload))
    assert check_integrity(dest, md5=hashlib.md5(payload).hexdigest())
    assert not check_integrity(dest, "0" * 64) and not check_integrity(tmp_path / "nope")


def test_progress_uses_tqdm_when_installed(server, tmp_path, monkeypatch):
    folder, url, _ = server
    (folder / "blob.bin").write_bytes(b"x" * 200_000)
    bars = []

    class FakeTqdm:
        def __init__(self, total=None, **kwargs):
            self.total, self.n, self.closed = total, 0, False
            bars.append(self)

        def update(self, n):
            self.n += n

        def close(self):
            self.closed = True

    monkeypatch.setitem(sys.modules, "tqdm", types.SimpleNamespace(tqdm=FakeTqdm))
    download_url(url + "blob.bin", tmp_path / "blob.bin")
    assert len(bars) == 1 and bars[0].total == bars[0].n == 200_000 and bars[0].closed


def test_checksum_mismatch_leaves_nothing(server, tmp_path):
    folder, url, _ = server
    (folder / "blob.bin").write_bytes(b"tampered")
    dest = tmp_path / "out" / "blob.bin"
    with pytest.raises(DataFileError, match=r"checksum mismatch.*expected sha256 0{64}"):
        download_url(url + "blob.bin", dest, sha256="0" * 64, progress=False)
    assert leftovers(dest.parent) == []


def test_http_404_is_a_clear_error(server, tmp_path):
    _, url, _ = server
    dest = tmp_path / "out" / "missing.bin"
    with pytest.raises(DataFileError, match=r"could not download .*missing.bin: HTTP 404"):
        download_url(url + "missing.bin", dest, progress=False)
    assert leftovers(dest.parent) == []


def test_fetch_tries_mirrors_and_keeps_a_valid_file(server, tmp_path):
    folder, url, requests = server
    (folder / "good").mkdir()
    (folder / "good" / "f.txt").write_bytes(b"hello")
    res = Resource("f.txt", [url + "bad/f.txt", url + "good/f.txt"], sha256=sha256(b"hello"))
    path = fetch(res, tmp_path / "data", progress=False)
    assert path.read_bytes() == b"hello" and requests == ["/bad/f.txt", "/good/f.txt"]
    fetch(res, tmp_path / "data", progress=False)           # valid already: no request
    assert len(requests) == 2
    path.write_bytes(b"corrupt")                             # corrupt: fetched again
    fetch(res, tmp_path / "data", progress=False)
    assert path.read_bytes() == b"hello" and len(requests) == 4
    res_bad = Resource("g.txt", [url + "bad/g.txt"])
    with pytest.raises(DataFileError, match=r"(?s)HTTP 404.*Download it by hand from"):
        fetch(res_bad, tmp_path / "data", progress=False)


def test_archive_member(server, tmp_path):
    folder, url, _ = server
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tar:
        info = tarfile.TarInfo("pkg/inner.txt")
        info.size = 5
        tar.addfile(info, io.BytesIO(b"inner"))
    (folder / "pkg.tar.gz").write_bytes(buf.getvalue())
    res = Resource("inner.txt", [url + "pkg.tar.gz"], sha256=sha256(b"inner"),
                   archive_member="pkg/inner.txt")
    assert fetch(res, tmp_path / "d", progress=False).read_bytes() == b"inner"
    assert leftovers(tmp_path / "d") == ["inner.txt"]
    wrong = Resource("x.txt", [url + "pkg.tar.gz"], archive_member="pkg/x.txt")
    with pytest.raises(DataFileError, match="cannot read member"):
        fetch(wrong, tmp_path / "d", progress=False)


# ---- through the datasets ---------------------------------------------------------------
def _idx(array: np.ndarray) -> bytes:
    magic = 0x0800 | array.ndim
    return struct.pack(">I", magic) + struct.pack(f">{array.ndim}I", *array.shape) + \
        array.astype(np.uint8).tobytes()


def test_mnist_download_true(server, tmp_path, monkeypatch):
    folder, url, requests = server
    images = np.random.default_rng(0).integers(0, 256, (4, 28, 28), dtype=np.uint8)
    labels = np.array([1, 2, 3, 4], np.uint8)
    raws = {"t10k-images-idx3-ubyte": _idx(images), "t10k-labels-idx1-ubyte": _idx(labels)}
    for name, raw in raws.items():
        (folder / f"{name}.gz").write_bytes(gzip.compress(raw))
    monkeypatch.setattr(MNIST, "mirrors", [url + "dead/", url])
    monkeypatch.setattr(MNIST, "checksums", {n: sha256(r) for n, r in raws.items()})
    ds = MNIST(tmp_path / "root", train=False, download=True)
    np.testing.assert_array_equal(ds.data, images)
    assert sorted(p.name for p in (tmp_path / "root" / "mnist").iterdir()) == \
        ["t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"]
    # a file whose content does not match is refused, and nothing is written
    (folder / "t10k-labels-idx1-ubyte.gz").write_bytes(gzip.compress(_idx(labels[::-1])))
    with pytest.raises(DataFileError, match="checksum mismatch"):
        MNIST(tmp_path / "other", train=False, download=True)
    assert not (tmp_path / "other" / "mnist" / "t10k-labels-idx1-ubyte.gz").exists()


def test_mr_and_char_corpus_download_true(server, tmp_path, monkeypatch):
    folder, url, _ = server
    shipped = default_root()
    with tarfile.open(folder / "rt-polaritydata.tar.gz", "w:gz") as tar:
        for name in ("rt-polarity.pos", "rt-polarity.neg"):
            tar.add(shipped / "rt-polarity" / name, arcname=f"rt-polaritydata/{name}")
    shutil.copy(shipped / "tinyshakespeare" / "input.txt", folder / "input.txt")
    monkeypatch.setattr(MovieReviews, "url", url + "rt-polaritydata.tar.gz")
    monkeypatch.setattr(CharCorpus, "url", url + "input.txt")
    root = tmp_path / "root"
    assert len(MovieReviews(root, download=True)) == 10662
    assert sorted(p.name for p in (root / "rt-polarity").iterdir()) == ["rt-polarity.neg",
                                                                       "rt-polarity.pos"]
    assert CharCorpus(root, download=True).vocab_size == 65
    # a corrupted archive member is caught by its sha256
    with tarfile.open(folder / "rt-polaritydata.tar.gz", "w:gz") as tar:
        for name in ("rt-polarity.pos", "rt-polarity.neg"):
            info = tarfile.TarInfo(f"rt-polaritydata/{name}")
            info.size = 3
            tar.addfile(info, io.BytesIO(b"bad"))
    with pytest.raises(DataFileError, match="checksum mismatch for rt-polarity"):
        MovieReviews(tmp_path / "fresh", download=True)


def test_connection_refused_is_a_clear_error(tmp_path):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]                      # closed again: nothing listens here
    with pytest.raises(DataFileError, match=r"could not download http://127.0.0.1:\d+/x"):
        download_url(f"http://127.0.0.1:{port}/x", tmp_path / "x", progress=False, timeout=5)
    assert leftovers(tmp_path) == []
