"""Where datasets live, how they are fetched, and how their bytes are checked.

Every dataset in ``nnlite.data.datasets`` takes ``root`` (default: :func:`default_root`) and
``download=False``. With ``download=True`` the files it lacks are fetched from their canonical
URLs (mirrors tried in turn) with a progress bar, written atomically (a ``.part`` file renamed
into place only once its checksum matches) and verified before use. A file that is missing
raises :class:`DatasetNotFoundError` naming the file, the folder searched and how to get it.

The default root, in order:

1. the ``NNLITE_DATA`` environment variable, if set;
2. the ``data/`` folder of the nnlite checkout (``<repo>/data``, found relative to this file),
   which ships MNIST, the MR sentence-polarity set, Kim's SST-2 splits and tinyshakespeare;
3. ``~/.cache/nnlite/data`` (an installed, non-editable nnlite has no ``data/`` beside it).
"""
from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import tarfile
import tempfile
import time
import urllib.error
import urllib.request
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Sequence

__all__ = ["default_root", "resolve_root", "file_digest", "check_integrity", "download_url",
           "Resource", "fetch", "DatasetNotFoundError", "DataFileError"]

_CHUNK = 1 << 16


# ============================================================================
# Errors
# ============================================================================
class DatasetNotFoundError(FileNotFoundError):
    """A dataset file is missing; the message says where it was looked for and how to get it."""


class DataFileError(RuntimeError):
    """A dataset file exists but is corrupt: truncated, wrong magic number, bad checksum."""


# ============================================================================
# Roots
# ============================================================================
def default_root() -> Path:
    """The folder datasets are read from when ``root`` is not given (see the module doc)."""
    env = os.environ.get("NNLITE_DATA")
    if env:
        return Path(env).expanduser()
    repo_data = Path(__file__).resolve().parents[2] / "data"
    if repo_data.is_dir():
        return repo_data
    return Path.home() / ".cache" / "nnlite" / "data"


def resolve_root(root: str | os.PathLike | None) -> Path:
    return default_root() if root is None else Path(root).expanduser()


# ============================================================================
# Checksums
# ============================================================================
def file_digest(path: str | os.PathLike, algorithm: str = "sha256", *,
                gunzip: bool = False) -> str:
    """Hex digest of a file's bytes (of its decompressed bytes with ``gunzip=True``)."""
    h = hashlib.new(algorithm)
    opener = gzip.open if gunzip else open
    with opener(path, "rb") as f:
        for block in iter(lambda: f.read(_CHUNK * 16), b""):
            h.update(block)
    return h.hexdigest()


def _expected(sha256: str | None, md5: str | None) -> tuple[str, str] | None:
    if sha256:
        return "sha256", sha256.lower()
    if md5:
        return "md5", md5.lower()
    return None


def check_integrity(path: str | os.PathLike, sha256: str | None = None,
                    md5: str | None = None, *, gunzip: bool = False) -> bool:
    """True if ``path`` exists and matches the given checksum (exists, if none is given)."""
    path = Path(path)
    if not path.is_file():
        return False
    want = _expected(sha256, md5)
    if want is None:
        return True
    try:
        return file_digest(path, want[0], gunzip=gunzip) == want[1]
    except (OSError, EOFError, gzip.BadGzipFile, zlib.error):
        return False


# ============================================================================
# Progress: tqdm when installed, else a plain percentage on stderr
# ============================================================================
class _Progress:
    def __init__(self, total: int | None, desc: str, enabled: bool) -> None:
        self.total, self.done, self.enabled = total, 0, enabled
        self._bar = None
        self._last = 0.0
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            print(f"Downloading {desc}", file=sys.stderr, flush=True)
        else:
            self._bar = tqdm(total=total, desc=desc, unit="B", unit_scale=True,
                             unit_divisor=1024, leave=False)

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        now = time.monotonic()
        if now - self._last >= 0.5:
            self._last = now
            self._print(end="\r")

    def _print(self, end: str) -> None:
        mb = self.done / 1e6
        if self.total:
            print(f"  {100 * self.done / self.total:5.1f}%  {mb:.1f}/{self.total / 1e6:.1f} MB",
                  end=end, file=sys.stderr, flush=True)
        else:
            print(f"  {mb:.1f} MB", end=end, file=sys.stderr, flush=True)

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            self._print(end="\n")


# ============================================================================
# Downloading one URL
# ============================================================================
def _atomic_tempfile(dest: Path) -> Path:
    dest.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".part", dir=dest.parent)
    os.close(fd)
    return Path(tmp)


def _fetch_to(url: str, tmp: Path, progress: bool, timeout: float) -> None:
    req = urllib.request.Request(url, headers={"User-Agent": "nnlite"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp, open(tmp, "wb") as out:
            length = resp.headers.get("Content-Length")
            bar = _Progress(int(length) if length and length.isdigit() else None,
                            url.rsplit("/", 1)[-1] or url, progress)
            try:
                for block in iter(lambda: resp.read(_CHUNK), b""):
                    out.write(block)
                    bar.update(len(block))
            finally:
                bar.close()
            if length and length.isdigit() and bar.done != int(length):
                raise DataFileError(f"download of {url} stopped after {bar.done} of "
                                    f"{length} bytes")
    except urllib.error.HTTPError as e:
        raise DataFileError(f"could not download {url}: HTTP {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException, ValueError) as e:
        reason = getattr(e, "reason", e)
        raise DataFileError(f"could not download {url}: {reason}") from None


def download_url(url: str, path: str | os.PathLike, *, sha256: str | None = None,
                 md5: str | None = None, progress: bool = True, timeout: float = 60.0,
                 verify: Callable[[Path], None] | None = None) -> Path:
    """Download ``url`` to ``path`` atomically, checking its checksum before it appears.

    The bytes go to a hidden ``.part`` file beside ``path``; only when the checksum (``sha256``
    preferred, else ``md5``) matches -- and ``verify(part_path)``, if given, returns without
    raising -- is it renamed to ``path``. On any failure nothing is left behind.

    Args:
        url (str): ``http(s)://`` or ``file://`` URL.
        path: where the file goes (its folder is created).
        sha256, md5 (str, optional): expected hex digest of the downloaded bytes.
        progress (bool): show tqdm (if installed) or a printed percentage. Default: True.
        timeout (float): socket timeout in seconds. Default: 60.
        verify (callable, optional): extra check of the downloaded file; raises on failure.

    Raises:
        DataFileError: HTTP error, network error, short read or checksum mismatch.
    """
    dest = Path(path)
    tmp = _atomic_tempfile(dest)
    try:
        _fetch_to(url, tmp, progress, timeout)
        want = _expected(sha256, md5)
        if want is not None:
            got = file_digest(tmp, want[0])
            if got != want[1]:
                raise DataFileError(
                    f"checksum mismatch for {url}: expected {want[0]} {want[1]}, got {got}. "
                    f"The file was not kept; the download may be corrupt or the server may "
                    f"serve a different version.")
        if verify is not None:
            verify(tmp)
        os.replace(tmp, dest)
    finally:
        if tmp.exists():
            tmp.unlink()
    return dest


# ============================================================================
# Resources: a dataset file, where to get it, how to check it
# ============================================================================
@dataclass
class Resource:
    """One file a dataset needs.

    Attributes:
        filename (str): name inside the dataset's folder (may contain ``/``).
        urls (list[str]): canonical URL first, then mirrors.
        sha256, md5 (str, optional): digest of the file as stored (sha256 preferred; md5 where
            only that is published).
        gunzip_sha256 (str, optional): digest of the *decompressed* content of a ``.gz`` file,
            for files whose gzip wrapper varies between mirrors (MNIST).
        archive_member (str, optional): the URL is an archive (``.tar.gz``/``.zip``) and the
            file is this member of it.
        archive_sha256, archive_md5 (str, optional): digest of that archive.
    """

    filename: str
    urls: Sequence[str]
    sha256: str | None = None
    md5: str | None = None
    gunzip_sha256: str | None = None
    archive_member: str | None = None
    archive_sha256: str | None = None
    archive_md5: str | None = None
    alternatives: Sequence[str] = field(default_factory=tuple)

    def find(self, folder: Path) -> Path | None:
        """The file in ``folder`` (or one of its ``alternatives``, e.g. the plain form of a
        ``.gz``), or None."""
        for name in (self.filename, *self.alternatives):
            if (folder / name).is_file():
                return folder / name
        return None

    def is_valid(self, path: Path, name: str | None = None) -> bool:
        """Does the file at ``path``, stored under ``name`` (default its own name), match the
        checksum? (A ``.part`` file is checked under its final name.)"""
        name = Path(name or path.name).name
        if name in self.alternatives:            # the plain form of a .gz
            if self.gunzip_sha256:
                return check_integrity(path, self.gunzip_sha256)
            return path.is_file()
        if self.gunzip_sha256:
            return check_integrity(path, self.gunzip_sha256, gunzip=name.endswith(".gz"))
        return check_integrity(path, self.sha256, self.md5)

    def verify(self, path: Path, name: str | None = None) -> None:
        if not self.is_valid(path, name):
            kind = "decompressed sha256" if self.gunzip_sha256 else (
                "sha256" if self.sha256 else "md5")
            raise DataFileError(f"checksum mismatch for {Path(name or path.name).name} "
                                f"({kind} expected "
                                f"{self.gunzip_sha256 or self.sha256 or self.md5})")


def _member_bytes(archive: Path, member: str) -> bytes:
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            return z.read(member)
    with tarfile.open(archive) as t:
        f = t.extractfile(member)
        if f is None:
            raise DataFileError(f"{member} in {archive.name} is not a regular file")
        return f.read()


def _fetch_archive_member(res: Resource, dest: Path, progress: bool, timeout: float,
                          errors: list) -> bool:
    for url in res.urls:
        tmp_archive = _atomic_tempfile(dest.parent / Path(url).name)
        try:
            download_url(url, tmp_archive, sha256=res.archive_sha256, md5=res.archive_md5,
                         progress=progress, timeout=timeout)
            try:
                data = _member_bytes(tmp_archive, res.archive_member)
            except (KeyError, tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as e:
                raise DataFileError(f"{url}: cannot read member {res.archive_member!r}: "
                                    f"{e}") from None
            tmp = _atomic_tempfile(dest)
            try:
                tmp.write_bytes(data)
                res.verify(tmp, res.filename)
                os.replace(tmp, dest)
            finally:
                if tmp.exists():
                    tmp.unlink()
            return True
        except DataFileError as e:
            errors.append(str(e))
        finally:
            if tmp_archive.exists():
                tmp_archive.unlink()
    return False


def fetch(res: Resource, folder: Path, *, progress: bool = True,
          timeout: float = 60.0) -> Path:
    """Make sure ``folder / res.filename`` exists and is valid, downloading it if needed.

    An existing file with the right checksum is kept; a corrupt one is replaced. Mirrors are
    tried in order; if all fail the error lists every attempt.
    """
    dest = folder / res.filename
    if dest.is_file() and res.is_valid(dest):
        return dest
    dest.parent.mkdir(parents=True, exist_ok=True)
    errors: list[str] = []
    if res.archive_member:
        if _fetch_archive_member(res, dest, progress, timeout, errors):
            return dest
    else:
        for url in res.urls:
            try:
                return download_url(url, dest, sha256=res.sha256, md5=res.md5,
                                    progress=progress, timeout=timeout,
                                    verify=(lambda p: res.verify(p, res.filename))
                                    if res.gunzip_sha256 else None)
            except DataFileError as e:
                errors.append(str(e))
    raise DataFileError(f"could not download {res.filename} into {folder}:\n  "
                        + "\n  ".join(errors)
                        + f"\nDownload it by hand from {res.urls[0]} and put it in {folder}.")


def extract_archive(archive: str | os.PathLike, dest: str | os.PathLike,
                    members: Iterable[str] | None = None) -> None:
    """Extract a ``.tar(.gz)`` or ``.zip`` safely (no absolute paths, no ``..``, no links)."""
    archive, dest = Path(archive), Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as z:
            names = list(members) if members is not None else z.namelist()
            root = dest.resolve()
            for name in names:
                target = (dest / name).resolve()
                if root not in target.parents and target != root:
                    raise DataFileError(f"{archive.name}: member {name!r} escapes {dest}")
            z.extractall(dest, names)
        return
    with tarfile.open(archive) as t:
        chosen = None if members is None else [t.getmember(m) for m in members]
        t.extractall(dest, members=chosen, filter="data")


def missing_message(dataset: str, files: Iterable[str], places: Iterable[Path],
                    urls: Iterable[str], extra: str = "") -> str:
    """The text of a :class:`DatasetNotFoundError`: what, where, and how to get it."""
    files, places, urls = list(files), [str(p) for p in places], list(urls)
    msg = (f"{dataset}: {', '.join(files)} not found. Looked in: {'; '.join(places)}. ")
    if urls:
        msg += (f"Pass download=True to fetch it from {urls[0]}"
                + (" (or its mirrors)" if len(urls) > 1 else "")
                + ", or download it yourself into the first folder. ")
    msg += (f"The default root is the repository's data/ folder; set root= or the "
            f"NNLITE_DATA environment variable to use another.{extra}")
    return msg


def read_bytes(path: Path) -> bytes:
    """The content of ``path``, decompressed if it ends in ``.gz``; a truncated or corrupt
    gzip stream raises :class:`DataFileError` naming the file."""
    if path.suffix != ".gz":
        return path.read_bytes()
    try:
        with gzip.open(path, "rb") as f:
            return f.read()
    except (EOFError, gzip.BadGzipFile, zlib.error, OSError) as e:
        raise DataFileError(f"{path}: corrupt or truncated gzip file ({e}); delete it and "
                            f"download it again") from None

