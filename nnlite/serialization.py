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
import math
import os
import tempfile
import zipfile
from collections.abc import Mapping
from typing import IO, Any, Callable, Union

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
    """The array behind ``x`` (ndarray, NumPy scalar, Tensor-like), or None: an nnlite
    Tensor's ``.array``; else a ``.data`` that is an ndarray; else ``.detach().numpy()``
    or ``.numpy()`` (a torch tensor)."""
    if isinstance(x, (np.ndarray, np.generic)):
        return np.asarray(x)
    for attr in ("array", "data"):
        a = getattr(x, attr, None)
        if isinstance(a, np.ndarray):
            return a
    detach = getattr(x, "detach", None)
    if callable(detach) and callable(getattr(x, "numpy", None)):
        x = detach()
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
        if callable(getattr(x, "state_dict", None)):
            kind = ("an nn.Module" if callable(getattr(x, "parameters", None))
                    else "an object with a state_dict")
            raise TypeError(
                f"save: cannot store a {type(x).__name__} ({kind}) at '{where}': nnlite "
                f"checkpoints hold arrays, not pickled objects; save its state_dict() "
                f"instead, e.g. nl.save(model.state_dict(), f), and load it back with "
                f"model.load_state_dict(nl.load(f))")
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


def save(obj: Any, f: FileLike, pickle_module: Any = None, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Save a (nested) container of arrays to a ``.npz`` checkpoint (``torch.save``'s
    signature: ``pickle_module``, ``pickle_protocol`` and the underscored flags are
    accepted and ignored, as nothing is pickled).

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
            message names its key path. Nothing is written in that case. A whole
            ``nn.Module`` (or an optimizer) is refused with a message saying to save its
            ``state_dict()``: torch pickles the object, nnlite stores arrays only.

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
    _write_atomically(f, lambda fh: _write_npz(fh, flat.arrays, structure))


def _write_atomically(f: Union[str, bytes, "os.PathLike[str]"],
                      write: Callable[[IO[bytes]], None]) -> None:
    """Call ``write`` on a temporary file beside ``f``, flush and fsync it, rename it onto
    ``f`` and fsync the directory: ``f`` is either as it was or completely written."""
    path = os.fspath(f)
    if isinstance(path, bytes):
        path = os.fsdecode(path)
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(prefix="." + os.path.basename(path) + ".", suffix=".tmp",
                               dir=directory)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates the file 0600; give the file the usual permissions.
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
    """Reads a checkpoint's entries from its zip archive, checking each against the file
    before trusting it: every malformed file raises the one ``ValueError`` (``bad``),
    and no entry allocates more than the bytes the file really holds (times deflate's
    largest ratio for a compressed entry)."""

    def __init__(self, zf: zipfile.ZipFile, name: str, size: int) -> None:
        self.zf = zf
        self.name = name
        self.entries: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            self._check_member(info, size)
            if info.filename.endswith(".npy"):
                self.entries[info.filename[:-4]] = info

    def bad(self, what: str) -> ValueError:
        return ValueError(f"load: {self.name} is not a valid nnlite checkpoint: {what}")

    def corrupt(self, entry: str, what: str) -> ValueError:
        return ValueError(f"load: {self.name}: entry '{entry}' is truncated or corrupt ({what})")

    def _check_member(self, info: zipfile.ZipInfo, size: int) -> None:
        """The zip directory's claims about one member, against the file's real size."""
        what = f"member {info.filename!r}"
        if info.flag_bits & 0x1:
            raise self.bad(f"{what} is encrypted")
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise self.bad(f"{what} uses compression method {info.compress_type}; "
                           f"checkpoints are stored or deflated")
        if info.compress_size > size or info.header_offset > size:
            raise ValueError(f"load: {self.name} is a truncated or corrupt .npz archive "
                             f"({what} declares {info.compress_size} bytes at offset "
                             f"{info.header_offset}, the file has {size})")
        if info.compress_type == zipfile.ZIP_STORED and info.file_size != info.compress_size:
            raise self.bad(f"{what} is stored uncompressed but declares {info.file_size} "
                           f"bytes in {info.compress_size}")
        if info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 1024:
            raise self.bad(f"{what} declares {info.file_size} bytes from {info.compress_size} "
                           f"compressed, more than deflate can give")

    def array(self, entry: Any) -> np.ndarray:
        if not isinstance(entry, str) or entry not in self.entries:
            raise self.bad(f"the structure refers to entry '{entry!s:.100}', which is "
                           f"missing")
        info = self.entries[entry]
        try:
            with self.zf.open(info) as member:
                return self._read_npy(member, entry, info.file_size)
        except ValueError as e:
            if str(e).startswith("load: "):
                raise
            raise self.corrupt(entry, str(e)) from e
        except Exception as e:          # zipfile, zlib, struct, tokenize, ... all say: bad
            raise self.corrupt(entry, f"{type(e).__name__}: {e}") from e

    def _read_npy(self, member: IO[bytes], entry: str, size: int) -> np.ndarray:
        """One ``.npy`` entry: its header is checked (no object dtype, a shape whose bytes
        are exactly what the entry holds) before its data is allocated and read."""
        fmt = np.lib.format
        version = fmt.read_magic(member)
        if version == (1, 0):
            shape, fortran, dtype = fmt.read_array_header_1_0(member)
        elif version in ((2, 0), (3, 0)):
            shape, fortran, dtype = fmt.read_array_header_2_0(member)
        else:
            raise self.corrupt(entry, f"unknown .npy format version {version}")
        if dtype.hasobject:
            raise ValueError(
                f"load: refusing to read entry '{entry}' of {self.name}: it holds pickled "
                "Python objects, and loading a checkpoint never unpickles")
        if not all(isinstance(n, int) and n >= 0 for n in shape):
            raise self.corrupt(entry, f"bad shape {shape!r}")
        nbytes = math.prod(shape) * dtype.itemsize
        held = size - member.tell()
        if nbytes != held:
            raise self.corrupt(entry, f"its header declares shape {shape} of {dtype} "
                               f"({nbytes} bytes) but the entry holds {held} bytes")
        buf = bytearray(nbytes)
        view, got = memoryview(buf), 0
        while got < nbytes:
            n = member.readinto(view[got:])
            if not n:
                raise self.corrupt(entry, f"expected {nbytes} bytes of data, got {got}")
            got += n
        if member.read(1):
            raise self.corrupt(entry, "data beyond the declared shape")
        if not dtype.itemsize:
            return np.empty(shape, dtype)
        flat = np.frombuffer(buf, dtype=dtype)              # writable: it owns ``buf``
        if fortran:
            return flat.reshape(shape[::-1]).transpose()
        return flat.reshape(shape)

    def scalar(self, node: Any) -> Any:
        t = node.get("t") if isinstance(node, dict) else None
        if t == "none":
            return None
        expected = {"bool": bool, "int": int, "float": (float, int), "str": str}.get(t)
        if expected is None or "v" not in node or not isinstance(node["v"], expected) or (
                t != "bool" and isinstance(node["v"], bool)):
            raise self.bad(f"malformed structure node {node!r:.200}")
        return float(node["v"]) if t == "float" else node["v"]

    def node(self, node: Any) -> Any:
        t = node.get("t") if isinstance(node, dict) else None
        if t == "array":
            arr = self.array(node.get("entry"))
            return arr[()] if node.get("scalar") is True and arr.ndim == 0 else arr
        if t in ("dict", "odict"):
            out = collections.OrderedDict() if t == "odict" else {}
            for item in self._items(node):
                if not (isinstance(item, list) and len(item) == 2):
                    raise self.bad(f"malformed dict item {item!r:.200}")
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
            raise self.bad(f"malformed container node of type {node.get('t')!r:.100}")
        return items


_MAX_DEFLATE_RATIO = 1032      # deflate never expands a stream by more (RFC 1951 limits)


def load(f: FileLike, map_location: Any = None, weights_only: bool | None = None,
         mmap: bool | None = None, pickle_module: Any = None, **pickle_load_args: Any) -> Any:
    """Load a checkpoint: nnlite's own (written by :func:`save`), a file written by
    ``torch.save``, or a safetensors file -- told apart by their content, whatever the
    file's name (``torch.load``'s signature).

    No file can run code. nnlite's ``.npz`` is read without unpickling. A ``torch.save``
    file (a pickle) is read without torch by an unpickler that admits only what a
    state_dict or an optimizer state needs -- the tensor rebuild functions,
    ``OrderedDict``, torch's dtypes and storage types, ``torch.Size``, ``torch.device``
    -- and refuses any other name before anything in the file is called. Declared sizes
    are checked against the file's real size before anything is allocated.

    Formats read:

    * nnlite's ``.npz`` checkpoint (:func:`save`): containers, key types and order as
      saved; arrays with their saved dtypes.
    * ``torch.save``'s zip format (torch >= 1.6's default) and its legacy format (torch <
      1.6 or ``_use_new_zipfile_serialization=False``): the saved object with its
      containers (``OrderedDict`` state_dicts, an optimizer's nested dicts and lists) and
      Python scalars. Tensors and ``nn.Parameter`` come back as ``np.ndarray`` --
      nnlite's state_dict values -- of their dtype: tensors that shared a storage share
      memory (a view saved with its base stays a view of it). bfloat16 and the float8
      formats (no NumPy dtype) are widened to float32 and complex32 to complex64, exactly;
      quantized, sparse and nested tensors are refused. ``torch.Size`` comes back as
      ``nl.Size``, ``torch.device`` as ``nl.device``, a torch dtype as the NumPy dtype its
      tensors load as. ``requires_grad`` and the Python attributes of tensor and
      Parameter subclasses are dropped. TorchScript archives (``torch.jit.save``) and the
      pre-1.0 tar format are refused.
    * safetensors: a dict name -> array, as ``nnlite.safetensors.load_file`` (the
      ``__metadata__`` is dropped; read it with ``nnlite.safetensors.safe_open``).

    Args:
        f: a path (``str`` or ``os.PathLike``) or a seekable binary file object open for
            reading (read from its current position and left open).
        map_location (optional): where arrays go, as torch's: ``None``, ``"cpu"``, a
            device (``nl.device("cpu")``, anything whose ``str`` or ``.type`` is
            ``"cpu"``) or a dict mapping saved locations to those all keep them on the CPU
            (nnlite's only device, whatever device a torch file's tensors were saved
            from; any other target raises a ``RuntimeError``); a callable is called as
            ``fn(array, "cpu")`` for every array, as torch calls it with each storage and
            its location, and what it returns (unless ``None``) replaces the array.
            Default: None.
        weights_only (bool, optional): ``None`` or ``True`` (torch's safe loading, which
            is the only loading nnlite does). ``False`` asks torch to unpickle arbitrary
            objects: nnlite never unpickles arbitrary objects, so it raises a
            ``ValueError`` saying so.
        mmap (bool, optional): ``True`` maps the storages of a ``torch.save`` zip file
            given by path from the file (copy-on-write) instead of reading them, as torch's
            ``mmap=True``; other files and file objects are read into memory either way.
            Default: None.
        pickle_module: accepted for torch's signature and ignored.
        **pickle_load_args: ``encoding`` (default ``"utf-8"``, as torch) decodes Python 2
            strings in torch files; others are accepted and ignored.

    Returns:
        The saved object, as described above for each format.

    Raises:
        ValueError: if the file is none of these formats, is truncated or corrupt, has no
            nnlite structure entry (e.g. a plain ``np.savez`` file: use ``np.load``), or
            holds pickled objects where nnlite never reads them. The message names the
            file and what is wrong.
        pickle.UnpicklingError: a ``torch.save`` file names an object that is not allowed
            (e.g. a payload's ``os.system``): nothing from the file was run. The exception
            is also a ``ValueError``. Objects you trust can be allowed, as in torch, with
            ``nl.serialization.add_safe_globals``.

    Example:
        >>> import numpy as np
        >>> from nnlite.serialization import save, load
        >>> save({"state": {0: {"momentum_buffer": np.zeros(3)}}, "lr": 0.1}, "opt.npz")
        >>> sorted(load("opt.npz", map_location="cpu")["state"])
        [0]
        >>> model.load_state_dict(load("resnet18.pth"))        # written by torch.save
    """
    if weights_only is False:
        raise ValueError("load: weights_only=False asks torch to unpickle arbitrary Python "
                         "objects; nnlite never unpickles arbitrary objects, so it always "
                         "loads as weights_only=True does: drop the argument (or pass "
                         "weights_only=True)")
    encoding = pickle_load_args.get("encoding", "utf-8")
    if not isinstance(encoding, str):
        raise TypeError(f"load: encoding must be a str, got {type(encoding).__name__}")
    mapper = _map_location(map_location)
    if isinstance(f, (str, bytes, os.PathLike)):
        path = os.fsdecode(os.fspath(f))
        with open(f, "rb") as fh:
            out = _load(fh, repr(path), path if mmap else None, encoding)
    else:
        out = _load(f, repr(getattr(f, "name", f"<{type(f).__name__}>")), None, encoding)
    return out if mapper is None else _map_arrays(out, mapper)


def _is_cpu(where: Any) -> bool:
    """Whether ``where`` names the CPU: None, 'cpu', 'cpu:0', a device of type 'cpu'."""
    if where is None:
        return True
    kind = getattr(where, "type", where)
    return (isinstance(kind, str) and kind.split(":")[0] == "cpu") or str(where) == "cpu"


def _map_location(map_location: Any) -> Any:
    """None, or the callable ``load`` applies to every array; other values are checked."""
    if callable(map_location):
        return map_location
    targets = map_location.values() if isinstance(map_location, Mapping) else [map_location]
    for where in targets:
        if not _is_cpu(where):
            raise RuntimeError(f"load: map_location={map_location!r}: nnlite runs on the CPU "
                               f"only; use map_location='cpu' (or None)")
    return None


def _map_arrays(obj: Any, fn: Any) -> Any:
    if isinstance(obj, np.ndarray):
        out = fn(obj, "cpu")
        return obj if out is None else out
    if isinstance(obj, dict):
        out = type(obj)()
        for k, v in obj.items():
            out[k] = _map_arrays(v, fn)
        return out
    if isinstance(obj, list):
        return [_map_arrays(v, fn) for v in obj]
    if isinstance(obj, tuple):
        return tuple(_map_arrays(v, fn) for v in obj)
    return obj


def _load(fh: IO[bytes], name: str, mmap_path: str | None, encoding: str) -> Any:
    """Tell the format from the first bytes and read the file with its reader."""
    start = fh.tell()
    head = fh.read(512)
    fh.seek(0, os.SEEK_END)
    size = fh.tell() - start
    fh.seek(start)
    if head[:4] not in _ZIP_MAGIC:
        return _load_other(fh, name, head, size, encoding)
    try:
        zf = zipfile.ZipFile(fh)
    except Exception as e:              # BadZipFile, OSError, struct.error, Unicode...
        raise ValueError(f"load: {name} is a truncated or corrupt .npz (zip) archive "
                         f"({type(e).__name__}: {e})") from e
    with zf:
        if _STRUCTURE + ".npy" not in zf.namelist():    # torch's zip format?
            from . import _torch_format
            directory = _read_foreign(name, "torch.save file",
                                      lambda: _torch_format.archive_dir(zf.namelist()))
            if directory is not None:
                return _read_foreign(name, "torch.save file", lambda: _torch_format.load_zip(
                    zf, fh, directory, start + size, mmap_path, encoding))
        reader = _Reader(zf, name, size)
        if _STRUCTURE not in reader.entries:
            raise reader.bad(f"missing structure entry '{_STRUCTURE}' (a plain .npz "
                             "archive? read it with numpy.load)")
        raw = reader.array(_STRUCTURE)
        if raw.dtype != np.uint8 or raw.ndim != 1:
            raise reader.bad(f"structure entry has dtype {raw.dtype} and shape {raw.shape}, "
                             "expected a 1-D uint8 array")
        try:
            structure = json.loads(raw.tobytes().decode("utf-8"))
        except (ValueError, RecursionError) as e:   # UnicodeDecodeError, JSONDecodeError
            raise reader.bad(f"structure entry is not UTF-8 JSON ({e})") from e
        if not isinstance(structure, dict) or structure.get("format") != _FORMAT:
            raise reader.bad("structure entry does not name the nnlite checkpoint format")
        version = structure.get("version")
        if version != _VERSION:
            raise reader.bad(f"format version {version!r:.50}; this nnlite reads version "
                             f"{_VERSION}")
        if "root" not in structure:
            raise reader.bad("structure entry has no 'root'")
        try:
            return reader.node(structure["root"])
        except RecursionError:
            raise reader.bad("the structure is nested too deeply") from None
        except TypeError as e:                      # e.g. an unhashable key
            raise reader.bad(f"malformed structure ({e})") from e


def _load_other(fh: IO[bytes], name: str, head: bytes, size: int, encoding: str) -> Any:
    """A file that is not a zip archive: torch's legacy format or safetensors."""
    from . import _torch_format
    if _torch_format.is_legacy(head):
        start = fh.tell()
        return _read_foreign(name, "torch.save file (legacy format)",
                             lambda: _torch_format.load_legacy(fh, start + size, encoding))
    if len(head) > 8 and head[8:9] == b"{" and int.from_bytes(head[:8], "little") <= size - 8:
        from .safetensors import _load_from
        return _load_from(fh, size, name)[1]
    if head[257:262] == b"ustar":
        raise ValueError(f"load: {name} is a tar archive (torch's format before 1.0, or "
                         "another tar), which nnlite does not read: load it with torch and "
                         "save its state_dict again")
    what = ("empty file" if not head else
            "not an .npz archive, a torch.save file or a safetensors file")
    raise ValueError(f"load: {name} is not a valid nnlite checkpoint: {what}")


def _read_foreign(name: str, kind: str, read: Callable[[], Any]) -> Any:
    """``read()``, with every failure turned into an error that names the file: a refused
    global stays a RefusedError (an UnpicklingError and a ValueError), anything else
    wrong with the file becomes a ValueError."""
    from ._torch_format import RefusedError
    try:
        return read()
    except RefusedError as e:
        raise RefusedError(f"load: {name}: {e}") from None
    except RecursionError:
        raise ValueError(f"load: {name}: the saved object is nested too deeply") from None
    except MemoryError:
        raise
    except Exception as e:   # UnpicklingError, EOFError, struct/zip/zlib errors, bad args...
        what = str(e) if isinstance(e, ValueError) else f"{type(e).__name__}: {e}"
        raise ValueError(f"load: {name} is not a valid {kind}: {what}") from e
