"""Checkpoints: ``save`` and ``load`` for nested containers of arrays.

A checkpoint is an ordinary ``.npz`` archive (a zip of ``.npy`` files) that NumPy, or any
tool that reads ``.npz``, can open. It holds

* one ``.npy`` entry per array, named by its escaped path in the container: the state_dict
  ``{"fc1.weight": w}`` gives the entry ``fc1.weight``, and the optimiser state
  ``{"state": {0: {"momentum_buffer": b}}}`` gives ``state/0/momentum_buffer``;
* one entry ``__nnlite_structure__``: a ``uint8`` array holding UTF-8 JSON that records the
  tree — container types (dict, OrderedDict, list, tuple), key types (str, int, ...), Python
  scalars, ``None`` and strings, and which entry each array lives in.

``load`` reads with ``allow_pickle=False``: a checkpoint never contains a Python object and
loading one never runs code. ``save`` writes to a temporary file beside the target and
renames it into place, so a crash or an error mid-save leaves the old file as it was.
"""
from __future__ import annotations

import collections
import json
import os
import tempfile
import zipfile
from collections.abc import Mapping
from typing import IO, Any, Union

import numpy as np

__all__ = ["save", "load"]

# torch's weights_only allow-list, recorded only (loading here never unpickles)
from ._safe_globals import (add_safe_globals, clear_safe_globals,  # noqa: E402,F401
                            get_safe_globals, safe_globals)

FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

_STRUCTURE = "__nnlite_structure__"
_FORMAT = "nnlite.checkpoint"
_VERSION = 1
_ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")  # local file header; empty archive


# =============================================================================
# Flattening: Python object -> (JSON tree, {entry name: array})
# =============================================================================

def _escape(part: str) -> str:
    """Escape one path component so ``/`` only ever separates components."""
    out = []
    for ch in part:
        if ch in "%/\\" or not ch.isprintable():
            out.append("".join(f"%{b:02X}" for b in ch.encode("utf-8")))
        else:
            out.append(ch)
    return "".join(out) or "%00"  # an empty key still needs a name


def _scalar_node(x: Any) -> dict | None:
    """The JSON node of a Python scalar, or None if ``x`` is not one."""
    if x is None:
        return {"t": "none"}
    if isinstance(x, bool):
        return {"t": "bool", "v": bool(x)}
    if isinstance(x, int):
        return {"t": "int", "v": int(x)}
    if isinstance(x, float):
        return {"t": "float", "v": float(x)}
    if isinstance(x, str):
        return {"t": "str", "v": str(x)}
    return None


def _as_array(x: Any) -> np.ndarray | None:
    """The array behind ``x`` (ndarray, NumPy scalar, Tensor-like), or None."""
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    data = getattr(x, "data", None)
    if isinstance(data, np.ndarray):
        return data
    to_numpy = getattr(x, "numpy", None)
    if callable(to_numpy):
        return np.asarray(to_numpy())
    return None


class _Flattener:
    def __init__(self) -> None:
        self.arrays: dict[str, np.ndarray] = {}
        self._active: set[int] = set()  # containers on the current path (cycle check)

    def _entry_name(self, path: list[str]) -> str:
        base = "/".join(_escape(p) for p in path) or "_"
        name, n = base, 1
        while name == _STRUCTURE or name in self.arrays:  # e.g. keys 0 and "0" side by side
            n += 1
            name = f"{base}~{n}"
        return name

    def node(self, x: Any, path: list[str]) -> dict:
        where = "/".join(path) or "<root>"
        # NumPy scalars subclass float/int, so arrays are tested before Python scalars.
        if isinstance(x, (np.ndarray, np.generic)):
            return self._array(np.asarray(x), path, where, scalar=isinstance(x, np.generic))
        scalar = _scalar_node(x)
        if scalar is not None:
            return scalar
        if isinstance(x, (Mapping, list, tuple)):
            if id(x) in self._active:
                raise ValueError(f"save: the object contains a reference cycle at '{where}'")
            self._active.add(id(x))
            try:
                return self._container(x, path, where)
            finally:
                self._active.discard(id(x))
        arr = _as_array(x)
        if arr is not None:
            return self._array(arr, path, where, scalar=False)
        raise TypeError(
            f"save: cannot store a {type(x).__name__} at '{where}'; expected an array, a "
            "Tensor, int, float, bool, str, None, or a dict/list/tuple of these")

    def _container(self, x: Any, path: list[str], where: str) -> dict:
        if isinstance(x, Mapping):
            items = []
            for k, v in x.items():
                key = _scalar_node(k)
                if key is None:
                    raise TypeError(
                        f"save: dict key {k!r} at '{where}' is a {type(k).__name__}; keys must "
                        "be str, int, float, bool or None")
                items.append([key, self.node(v, path + [str(k)])])
            kind = "odict" if isinstance(x, collections.OrderedDict) else "dict"
            return {"t": kind, "items": items}
        kind = "list" if isinstance(x, list) else "tuple"
        return {"t": kind, "items": [self.node(v, path + [str(i)]) for i, v in enumerate(x)]}

    def _array(self, arr: np.ndarray, path: list[str], where: str, scalar: bool) -> dict:
        if arr.dtype.hasobject:
            raise TypeError(
                f"save: the array at '{where}' has dtype {arr.dtype} (Python objects); "
                "checkpoints hold numeric, bool and string arrays only")
        name = self._entry_name(path)
        self.arrays[name] = arr
        node = {"t": "array", "entry": name}
        if scalar:
            node["scalar"] = True
        return node


def _write_npz(fh: IO[bytes], arrays: dict[str, np.ndarray], structure: bytes) -> None:
    """Write the archive to an open binary file (uncompressed, like ``np.savez``)."""
    with zipfile.ZipFile(fh, mode="w", compression=zipfile.ZIP_STORED, allowZip64=True) as zf:
        entries = [(_STRUCTURE, np.frombuffer(structure, dtype=np.uint8))]
        for name, arr in entries + list(arrays.items()):
            with zf.open(name + ".npy", mode="w", force_zip64=True) as member:
                np.lib.format.write_array(member, arr, allow_pickle=False)


def _current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def save(obj: Any, f: FileLike) -> None:
    """Save a (nested) container of arrays to a ``.npz`` checkpoint.

    Args:
        obj: an array, a Tensor (anything with a ``.data`` ndarray or a ``.numpy()`` method;
            its array is stored), a Python ``int``/``float``/``bool``/``str``/``None``, or a
            dict / OrderedDict / list / tuple nesting these. Dict keys may be ``str``, ``int``,
            ``float``, ``bool`` or ``None``; their types and order are kept.
        f: a path (``str`` or ``os.PathLike``), used exactly as given (no ``.npz`` is
            appended), or a binary file object open for writing. A path is written
            atomically: to a temporary file in the same directory, flushed and fsynced, then
            renamed onto ``f``. A file object is written in place and left open.

    Raises:
        TypeError: for an object that cannot be stored, or an object-dtype array; the
            message names its key path. Nothing is written in that case.

    Example:
        >>> import numpy as np
        >>> from nnlite.serialization import save, load
        >>> save({"fc.weight": np.ones((2, 3), np.float32), "step": 10}, "ckpt.npz")
        >>> load("ckpt.npz")["step"]
        10
    """
    flat = _Flattener()
    root = flat.node(obj, [])  # all type errors surface here, before any file is touched
    structure = json.dumps({"format": _FORMAT, "version": _VERSION, "root": root},
                           ensure_ascii=False, separators=(",", ":")).encode("utf-8")

    if not isinstance(f, (str, bytes, os.PathLike)):
        _write_npz(f, flat.arrays, structure)
        return

    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_npz(fh, flat.arrays, structure)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file 0600; give the checkpoint the usual permissions.
        os.chmod(tmp, 0o666 & ~_current_umask())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except FileNotFoundError:
            pass
        raise
    if hasattr(os, "O_DIRECTORY"):  # make the rename itself durable (POSIX)
        dir_fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)


# =============================================================================
# Loading: .npz -> Python object
# =============================================================================

class _Reader:
    def __init__(self, npz: Any, name: str) -> None:
        self.npz = npz
        self.name = name
        self.entries = set(npz.files)

    def bad(self, what: str) -> ValueError:
        return ValueError(f"load: {self.name} is not a valid nnlite checkpoint: {what}")

    def array(self, entry: str) -> np.ndarray:
        if entry not in self.entries:
            raise self.bad(f"the structure refers to entry '{entry}', which is missing")
        try:
            return self.npz[entry]
        except ValueError as e:
            if "allow_pickle" in str(e):
                raise ValueError(
                    f"load: refusing to read entry '{entry}' of {self.name}: it holds pickled "
                    "Python objects, and loading a checkpoint never unpickles") from None
            raise ValueError(f"load: {self.name}: entry '{entry}' is truncated or corrupt "
                             f"({e})") from e
        except (zipfile.BadZipFile, EOFError, OSError) as e:
            raise ValueError(f"load: {self.name}: entry '{entry}' is truncated or corrupt "
                             f"({e})") from e

    def scalar(self, node: Any) -> Any:
        t = node.get("t") if isinstance(node, dict) else None
        if t == "none":
            return None
        expected = {"bool": bool, "int": int, "float": (float, int), "str": str}.get(t)
        if expected is None or "v" not in node or not isinstance(node["v"], expected) or (
                t != "bool" and isinstance(node["v"], bool)):
            raise self.bad(f"malformed structure node {node!r}")
        return float(node["v"]) if t == "float" else node["v"]

    def node(self, node: Any) -> Any:
        t = node.get("t") if isinstance(node, dict) else None
        if t == "array":
            arr = self.array(node.get("entry"))
            return arr[()] if node.get("scalar") else arr
        if t in ("dict", "odict"):
            out = collections.OrderedDict() if t == "odict" else {}
            for item in self._items(node):
                if not (isinstance(item, list) and len(item) == 2):
                    raise self.bad(f"malformed dict item {item!r}")
                out[self.scalar(item[0])] = self.node(item[1])
            return out
        if t == "list":
            return [self.node(v) for v in self._items(node)]
        if t == "tuple":
            return tuple(self.node(v) for v in self._items(node))
        return self.scalar(node)

    def _items(self, node: dict) -> list:
        items = node.get("items")
        if not isinstance(items, list):
            raise self.bad(f"malformed container node of type {node.get('t')!r}")
        return items


def load(f: FileLike) -> Any:
    """Load a checkpoint written by :func:`save`.

    The archive is read with ``np.load(..., allow_pickle=False)``: loading never unpickles,
    so a file can never run code.

    Args:
        f: a path (``str`` or ``os.PathLike``) or a seekable binary file object open for
            reading (read from its current position and left open).

    Returns:
        The saved object with its containers, key types, key order and scalars as saved.
        Arrays come back as plain, writable ``np.ndarray`` with their saved dtype and shape
        (Tensors were stored as their arrays); NumPy scalars come back as NumPy scalars.

    Raises:
        ValueError: if the file is not an ``.npz`` archive, is truncated or corrupt, has no
            nnlite structure entry (e.g. a plain ``np.savez`` file: use ``np.load``), or
            holds pickled objects. The message names the file and what is wrong.

    Example:
        >>> import numpy as np
        >>> from nnlite.serialization import save, load
        >>> save({"state": {0: {"momentum_buffer": np.zeros(3)}}, "lr": 0.1}, "opt.npz")
        >>> sorted(load("opt.npz")["state"])
        [0]
    """
    if isinstance(f, (str, bytes, os.PathLike)):
        with open(f, "rb") as fh:
            return _load(fh, repr(os.fsdecode(os.fspath(f))))
    return _load(f, repr(getattr(f, "name", f"<{type(f).__name__}>")))


def _load(fh: IO[bytes], name: str) -> Any:
    start = fh.tell()
    magic = fh.read(4)
    fh.seek(start)
    if magic not in _ZIP_MAGIC:
        what = "empty file" if not magic else "not a .npz (zip) archive"
        raise ValueError(f"load: {name} is not a valid nnlite checkpoint: {what}")
    try:
        npz = np.load(fh, allow_pickle=False)
    except (zipfile.BadZipFile, EOFError, OSError, ValueError) as e:
        raise ValueError(f"load: {name} is a truncated or corrupt .npz archive ({e})") from e
    with npz:
        reader = _Reader(npz, name)
        if _STRUCTURE not in reader.entries:
            raise reader.bad(f"missing structure entry '{_STRUCTURE}' (a plain .npz "
                             "archive? read it with numpy.load)")
        raw = reader.array(_STRUCTURE)
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise reader.bad(f"structure entry has dtype {raw.dtype} and shape {raw.shape}, "
                             "expected a 1-D uint8 array")
        try:
            structure = json.loads(raw.tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
            raise reader.bad(f"structure entry is not UTF-8 JSON ({e})") from e
        if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
            raise reader.bad("structure entry does not name the nnlite checkpoint format")
        version = structure.get("version")
        if version != _VERSION:
            raise reader.bad(f"format version {version!r}; this nnlite reads version "
                             f"{_VERSION}")
        if "root" not in structure:
            raise reader.bad("structure entry has no 'root'")
        return reader.node(structure["root"])

