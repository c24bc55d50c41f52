"""safetensors files, read and written with NumPy alone: the API of ``safetensors.torch``
(``save_file``, ``load_file``, ``save``, ``load``, ``safe_open``, ``save_model``,
``load_model``), with NumPy arrays where it has torch tensors. No package is needed.

    from nnlite.safetensors import load_file, save_file   # was: from safetensors.torch ...

    save_file(model.state_dict(), "model.safetensors")
    model.load_state_dict(load_file("model.safetensors"))

The format (https://github.com/huggingface/safetensors)::

    8 bytes     N, the header's length: an unsigned little-endian 64-bit integer
    N bytes     the header: a UTF-8 JSON object, padded with spaces,
                {"__metadata__": {str: str}  (optional),
                 name: {"dtype": "F32", "shape": [2, 3], "data_offsets": [begin, end]}, ...}
    the rest    the data: each tensor's bytes, C order, little-endian, at
                [begin, end) counted from the end of the header

The tensors tile the data exactly (no gap, no overlap, nothing after the last); the
reader checks that, the dtypes, the shapes against the byte counts and every offset
against the file's size before it allocates anything, and raises a ``ValueError``
naming the file, the tensor and what is wrong. The writer writes what the ``safetensors``
package writes, byte for byte: tensors ordered by dtype (widest first) then by name,
``__metadata__`` first, the header padded to a multiple of 8 bytes.

dtypes: ``BOOL U8 I8 I16 U16 I32 U32 I64 U64 F16 F32 F64 C64`` are read and written as
the NumPy dtypes of the same names (complex128 has no safetensors dtype). ``BF16`` and the
float8 formats ``F8_E4M3 F8_E5M2 F8_E8M0`` (no NumPy dtype) are read as float32, exactly
(every value of theirs is a float32). The sub-byte ``F4 F6_E2M3 F6_E3M2`` are refused.
"""
from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping
from typing import IO, Any, Union

import numpy as np

from . import _dtype_codecs
from ._torch_format import _read_bytes

__all__ = ["save_file", "load_file", "save", "load", "safe_open", "save_model", "load_model"]

PathLike = Union[str, "os.PathLike[str]"]

_MAX_HEADER = 100_000_000      # the safetensors package's limit on N

# safetensors dtype -> (NumPy code of one stored element, decoder to the loaded dtype)
_READ = {
    "BOOL": ("?", None), "U8": ("u1", None), "I8": ("i1", None), "I16": ("i2", None),
    "U16": ("u2", None), "I32": ("i4", None), "U32": ("u4", None), "I64": ("i8", None),
    "U64": ("u8", None), "F16": ("f2", None), "F32": ("f4", None), "F64": ("f8", None),
    "C64": ("c8", None),
    "BF16": ("u2", _dtype_codecs.decode_bfloat16),
    "F8_E4M3": ("u1", lambda b: _dtype_codecs.decode_float8(b, "float8_e4m3fn")),
    "F8_E5M2": ("u1", lambda b: _dtype_codecs.decode_float8(b, "float8_e5m2")),
    "F8_E8M0": ("u1", lambda b: _dtype_codecs.decode_float8(b, "float8_e8m0fnu")),
}
_SUB_BYTE = {"F4", "F6_E2M3", "F6_E3M2"}
_WRITE = {np.dtype(code): name for name, (code, decode) in _READ.items() if decode is None}
# The writer's order: the safetensors package's dtype enum, widest first.
_RANK = {name: k for k, name in enumerate([
    "BOOL", "F4", "F6_E2M3", "F6_E3M2", "U8", "I8", "F8_E5M2", "F8_E4M3", "F8_E8M0", "I16",
    "U16", "F16", "BF16", "I32", "U32", "F32", "C64", "F64", "I64", "U64"])}


# =============================================================================
# Writing
# =============================================================================

def _to_write(tensors: Any, metadata: Any, fn: str) -> tuple[bytes, list[np.ndarray]]:
    """The header (with its 8-byte length) and the arrays in file order, little-endian and
    C-contiguous. Every check happens here, before anything is written."""
    from .serialization import _as_array
    if not isinstance(tensors, Mapping):
        raise TypeError(f"{fn}: tensors must be a dict of name -> array, got "
                        f"{type(tensors).__name__}")
    if metadata is not None:
        if not isinstance(metadata, Mapping):
            raise TypeError(f"{fn}: metadata must be a dict of str -> str or None, got "
                            f"{type(metadata).__name__}")
        for k, v in metadata.items():
            if not (isinstance(k, str) and isinstance(v, str)):
                raise TypeError(f"{fn}: metadata must map str to str; its entry {k!r:.50}: "
                                f"{v!r:.50} is {type(k).__name__}: {type(v).__name__}")
    items = []
    for name, value in tensors.items():
        if not isinstance(name, str):
            raise TypeError(f"{fn}: tensor names must be str, got {type(name).__name__} "
                            f"{name!r:.50}")
        if name == "__metadata__":
            raise ValueError(f"{fn}: '__metadata__' is reserved for the metadata; pass it as "
                             "metadata=")
        arr = _as_array(value)
        if arr is None:
            raise TypeError(f"{fn}: tensors[{name!r}] is a {type(value).__name__}, expected "
                            "an array or a Tensor")
        code = _WRITE.get(arr.dtype.newbyteorder("="))
        if code is None:
            raise TypeError(f"{fn}: tensors[{name!r}] has dtype {arr.dtype}, which "
                            f"safetensors cannot hold; it holds "
                            f"{', '.join(str(d) for d in _WRITE)}")
        items.append((name, code, np.asarray(arr, arr.dtype.newbyteorder("<"), order="C")))
    items.sort(key=lambda item: (-_RANK[item[1]], item[0]))

    header: dict[str, Any] = {} if metadata is None else {"__metadata__": dict(metadata)}
    offset = 0
    for name, code, arr in items:
        header[name] = {"dtype": code, "shape": list(arr.shape),
                        "data_offsets": [offset, offset + arr.nbytes]}
        offset += arr.nbytes
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    text += b" " * (-len(text) % 8)
    return len(text).to_bytes(8, "little") + text, [arr for _, _, arr in items]


def save(tensors: Mapping[str, Any], metadata: Mapping[str, str] | None = None) -> bytes:
    """A safetensors file's bytes, as ``safetensors.torch.save``.

    Args:
        tensors (dict): name -> array (``np.ndarray``, an nnlite ``Tensor``, anything with
            ``.numpy()``) of dtype bool, (u)int8/16/32/64, float16/32/64 or complex64.
            Arrays sharing memory are written once each (as copies).
        metadata (dict, optional): str -> str, stored as ``__metadata__``. Default: None.

    Returns:
        bytes: the file's content.

    Raises:
        TypeError: a name that is not a str, a value that is not an array, a dtype
            safetensors cannot hold (the message names the tensor), or metadata that is
            not str -> str.
        ValueError: a tensor named ``__metadata__``.

    Example:
        >>> import numpy as np
        >>> from nnlite.safetensors import load, save
        >>> load(save({"w": np.ones((2, 3), np.float32)}))["w"].shape
        (2, 3)
    """
    header, arrays = _to_write(tensors, metadata, "save")
    return b"".join([header] + [a.tobytes() for a in arrays])


def save_file(tensors: Mapping[str, Any], filename: PathLike,
              metadata: Mapping[str, str] | None = None) -> None:
    """Write ``tensors`` to a safetensors file, as ``safetensors.torch.save_file``.

    The file is written to a temporary file beside ``filename``, flushed and renamed onto
    it: a failure leaves an existing file as it was.

    Args:
        tensors (dict): name -> array, as in :func:`save`.
        filename (str or os.PathLike): the file to write.
        metadata (dict, optional): str -> str, stored as ``__metadata__``. Default: None.

    Raises:
        TypeError, ValueError: as :func:`save`; nothing is written then.

    Example:
        >>> import nnlite as nl
        >>> from nnlite.safetensors import load_file, save_file
        >>> model = nl.nn.Linear(3, 2)
        >>> save_file(model.state_dict(), "linear.safetensors", metadata={"epoch": "3"})
        >>> sorted(load_file("linear.safetensors"))
        ['bias', 'weight']
    """
    from .serialization import _write_atomically
    header, arrays = _to_write(tensors, metadata, "save_file")

    def write(fh: IO[bytes]) -> None:
        fh.write(header)
        for arr in arrays:
            fh.write(arr.reshape(-1).view(np.uint8).data)

    _write_atomically(filename, write)


def save_model(model: Any, filename: PathLike, metadata: Mapping[str, str] | None = None,
               force_contiguous: bool = False) -> None:
    """Write a module's ``state_dict()`` to a safetensors file, as
    ``safetensors.torch.save_model``, with ``{"format": "pt"}`` added to the metadata (the
    layouts are torch's, which is what readers such as ``transformers`` check).

    Args:
        model (nn.Module): the module.
        filename (str or os.PathLike): the file to write.
        metadata (dict, optional): str -> str. Default: None.
        force_contiguous (bool): accepted for the signature; arrays are always written
            C-contiguous. Default: False.

    Example:
        >>> import nnlite as nl
        >>> from nnlite.safetensors import load_model, save_model
        >>> save_model(nl.nn.Linear(3, 2), "linear.safetensors")
        >>> load_model(nl.nn.Linear(3, 2), "linear.safetensors")
        ([], [])
    """
    metadata = {"format": "pt", **(metadata or {})}
    save_file(model.state_dict(), filename, metadata=metadata)


# =============================================================================
# Reading
# =============================================================================

class _Entry:
    """One tensor of a header: its name, dtype, shape and place in the data."""

    __slots__ = ("name", "dtype", "shape", "begin", "end")

    def __init__(self, name: str, dtype: str, shape: tuple, begin: int, end: int) -> None:
        self.name, self.dtype, self.shape, self.begin, self.end = name, dtype, shape, begin, end

    def array(self, raw: np.ndarray) -> np.ndarray:
        """This tensor from its bytes (a 1-D uint8 array), in the loaded dtype."""
        return _loaded(raw.view(_stored(self.dtype)).reshape(self.shape), self.dtype)


def _stored(dtype: str) -> np.dtype:
    """The little-endian NumPy dtype of one stored element of a safetensors dtype."""
    return np.dtype(_READ[dtype][0]).newbyteorder("<")


def _loaded(stored: np.ndarray, dtype: str) -> np.ndarray:
    """Stored elements (any shape) -> the loaded array: native byte order, BF16 and F8_*
    widened to float32."""
    if not stored.dtype.isnative:
        stored = stored.astype(stored.dtype.newbyteorder("="))
    decode = _READ[dtype][1]
    return stored if decode is None else decode(stored)


def _no_duplicates(pairs: list) -> dict:
    out = {}
    for k, v in pairs:
        if k in out:
            raise ValueError(f"the header names {k!r:.100} twice")
        out[k] = v
    return out


def _is_int(x: Any) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def _parse_header(head: bytes, read_header: Any, size: int, name: str
                  ) -> tuple[dict | None, list[_Entry], int]:
    """Check a file's header against its ``size``: (metadata, entries sorted by offset,
    where the data starts). ``read_header(n)`` returns the n header bytes after the
    first 8 (``head``)."""
    def bad(what: str) -> ValueError:
        return ValueError(f"safetensors: {name} is not a valid safetensors file: {what}")

    if len(head) < 8:
        raise bad(f"it has {len(head)} bytes, fewer than the 8 of the header's length")
    n = int.from_bytes(head[:8], "little")
    if n > _MAX_HEADER:
        raise bad(f"its header length is {n} bytes, more than the {_MAX_HEADER} allowed")
    if 8 + n > size:
        raise bad(f"its header length is {n} bytes but the file has {size} (truncated?)")
    text = read_header(n)
    if len(text) != n:
        raise bad(f"the header is truncated ({len(text)} of {n} bytes)")
    if not text.startswith(b"{"):
        raise bad("the header does not start with '{'")
    try:
        header = json.loads(text.decode("utf-8"), object_pairs_hook=_no_duplicates)
    except ValueError as e:            # UnicodeDecodeError, JSONDecodeError, duplicates
        raise bad(f"the header is not UTF-8 JSON ({e})") from None
    except RecursionError:
        raise bad("the header is nested too deeply") from None
    if not isinstance(header, dict):
        raise bad("the header is not a JSON object")

    metadata = header.pop("__metadata__", None)
    if metadata is not None and not (isinstance(metadata, dict) and all(
            isinstance(v, str) for v in metadata.values())):
        raise bad("__metadata__ is not an object of strings")
    entries = []
    for key, info in header.items():
        what = f"tensor {key!r}"
        if not isinstance(info, dict):
            raise bad(f"{what} is described by a {type(info).__name__}, not an object")
        dtype, shape, offsets = info.get("dtype"), info.get("shape"), info.get("data_offsets")
        if dtype in _SUB_BYTE:
            raise bad(f"{what} has dtype {dtype}, a sub-byte format nnlite does not read")
        if dtype not in _READ:
            raise bad(f"{what} has dtype {dtype!r:.50}; known: {', '.join(_READ)}")
        if not (isinstance(shape, list) and all(_is_int(d) for d in shape)):
            raise bad(f"{what} has shape {shape!r:.100}, not a list of non-negative ints")
        if not (isinstance(offsets, list) and len(offsets) == 2 and all(
                _is_int(o) for o in offsets) and offsets[0] <= offsets[1]):
            raise bad(f"{what} has data_offsets {offsets!r:.100}, not [begin, end] with "
                      "0 <= begin <= end")
        nbytes = math.prod(shape) * np.dtype(_READ[dtype][0]).itemsize
        if offsets[1] - offsets[0] != nbytes:
            raise bad(f"{what} of shape {shape} and dtype {dtype} needs {nbytes} bytes, its "
                      f"data_offsets {offsets} hold {offsets[1] - offsets[0]}")
        entries.append(_Entry(key, dtype, tuple(shape), offsets[0], offsets[1]))

    entries.sort(key=lambda e: (e.begin, e.end))
    data_size, at = size - 8 - n, 0
    for e in entries:
        if e.begin != at:
            kind = "a gap before" if e.begin > at else "an overlap with the tensor before"
            raise bad(f"tensor {e.name!r} starts at byte {e.begin} of the data, leaving "
                      f"{kind} it (the previous ends at {at})")
        at = e.end
    if at != data_size:
        raise bad(f"the tensors end at byte {at} of the data, which has {data_size} "
                  f"bytes{' (truncated?)' if at > data_size else ''}")
    return metadata, entries, 8 + n


def _load_from(fh: IO[bytes], size: int, name: str) -> tuple[dict | None, dict]:
    """(metadata, {name: array}) from a file object at the start of a safetensors file of
    ``size`` bytes; the arrays in name order, each in its own writable memory."""
    metadata, entries, start = _parse_header(fh.read(8), fh.read, size, name)
    arrays = {}
    for e in entries:                    # in file order: one forward pass
        arrays[e.name] = e.array(_read_bytes(fh, e.end - e.begin, f"safetensors: tensor {e.name!r}"))
    return metadata, {k: arrays[k] for k in sorted(arrays)}


def _check_device(device: Any, fn: str) -> None:
    from .serialization import _is_cpu
    if not _is_cpu(device):
        raise RuntimeError(f"{fn}: device={device!r}: nnlite runs on the CPU only; use "
                           "device='cpu'")


def load_file(filename: PathLike, device: Any = "cpu") -> dict[str, np.ndarray]:
    """Read a safetensors file, as ``safetensors.torch.load_file``.

    Args:
        filename (str or os.PathLike): the file.
        device (str or device): ``"cpu"`` (nnlite's only device). Default: ``"cpu"``.

    Returns:
        dict: name -> ``np.ndarray``, in name order (as the package returns them), each a
        writable array of its own. BF16 and F8_* tensors are widened to float32.

    Raises:
        ValueError: a malformed file (header, dtypes, shapes, offsets; see the module's
            description), with the file's name and what is wrong.

    Example:
        >>> import numpy as np
        >>> from nnlite.safetensors import load_file, save_file
        >>> save_file({"w": np.zeros(3, np.float16)}, "w.safetensors")
        >>> load_file("w.safetensors")["w"].dtype
        dtype('float16')
    """
    _check_device(device, "load_file")
    with open(filename, "rb") as fh:
        size = os.fstat(fh.fileno()).st_size
        return _load_from(fh, size, repr(os.fsdecode(os.fspath(filename))))[1]


def load(data: bytes) -> dict[str, np.ndarray]:
    """Read a safetensors file's bytes, as ``safetensors.torch.load``.

    Args:
        data (bytes): the file's content.

    Returns:
        dict: name -> ``np.ndarray``, as :func:`load_file`.

    Raises:
        TypeError: ``data`` is not bytes-like.
        ValueError: malformed content, as :func:`load_file`.

    Example:
        >>> import numpy as np
        >>> from nnlite.safetensors import load, save
        >>> load(save({"b": np.arange(3)}))["b"]
        array([0, 1, 2])
    """
    import io
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"load: data must be bytes, got {type(data).__name__}")
    data = bytes(data)
    return _load_from(io.BytesIO(data), len(data), "<bytes>")[1]


def load_model(model: Any, filename: PathLike, strict: bool = True,
               device: Any = "cpu") -> tuple[list, list]:
    """Load a safetensors file into a module by name, as ``safetensors.torch.load_model``.

    Args:
        model (nn.Module): the module; its parameters and buffers are copied into in place.
        filename (str or os.PathLike): the file.
        strict (bool): raise if a name is missing or unexpected. Default: True.
        device (str or device): ``"cpu"``. Default: ``"cpu"``.

    Returns:
        (missing, unexpected): the model's names the file lacks and the file's names the
        model lacks (lists of str).

    Raises:
        RuntimeError: with ``strict``, for missing or unexpected names, or a wrong shape
            (from ``load_state_dict``).

    Example:
        >>> import nnlite as nl
        >>> from nnlite.safetensors import load_model, save_model
        >>> save_model(nl.nn.Linear(3, 2), "linear.safetensors")
        >>> load_model(nl.nn.Linear(3, 2), "linear.safetensors")
        ([], [])
    """
    result = model.load_state_dict(load_file(filename, device=device), strict=strict)
    return list(result.missing_keys), list(result.unexpected_keys)


class _Slice:
    """One tensor of a ``safe_open`` file, read only where indexed: ``get_shape()``,
    ``get_dtype()`` (the safetensors name, e.g. ``"F32"``) and ``[index]`` (NumPy
    indexing on the tensor; returns an array)."""

    def __init__(self, path: str, entry: _Entry, start: int) -> None:
        self._path, self._entry, self._start = path, entry, start

    def get_shape(self) -> list[int]:
        return list(self._entry.shape)

    def get_dtype(self) -> str:
        return self._entry.dtype

    def __getitem__(self, index: Any) -> np.ndarray:
        e = self._entry
        if e.end == e.begin:
            mapped = np.zeros(e.shape, _stored(e.dtype))
        else:
            mapped = np.memmap(self._path, dtype=_stored(e.dtype), mode="r",
                               offset=self._start + e.begin, shape=e.shape)
        return _loaded(np.array(mapped[index]), e.dtype)     # a copy of what is selected


class safe_open:
    """A safetensors file opened for reading by name, as ``safetensors.safe_open``: the
    header is read at once, each tensor when asked for.

    Args:
        filename (str or os.PathLike): the file.
        framework (str): ``"np"``, ``"numpy"``, ``"pt"`` or ``"nnlite"``: arrays are
            returned for each (nnlite's state_dict values). Default: ``"np"``.
        device (str or device): ``"cpu"``. Default: ``"cpu"``.

    Raises:
        ValueError: a malformed header (as :func:`load_file`), an unknown framework.

    Example:
        >>> from nnlite.safetensors import safe_open
        >>> with safe_open("model.safetensors", framework="pt") as f:
        ...     names = f.keys()
        ...     w = f.get_tensor(names[0])
        ...     rows = f.get_slice(names[0])[:2]
    """

    def __init__(self, filename: PathLike, framework: str = "np", device: Any = "cpu") -> None:
        if framework not in ("np", "numpy", "pt", "torch", "nnlite"):
            raise ValueError(f"safe_open: framework={framework!r}: nnlite returns NumPy "
                             "arrays; use 'np' (or 'pt', read the same way)")
        _check_device(device, "safe_open")
        self._path = os.fspath(filename)
        with open(self._path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._metadata, entries, self._start = _parse_header(
                fh.read(8), fh.read, size, repr(os.fsdecode(self._path)))
        self._entries = {e.name: e for e in entries}

    def __enter__(self) -> "safe_open":
        return self

    def __exit__(self, *exc: Any) -> None:
        return None

    def keys(self) -> list[str]:
        """The tensors' names, sorted."""
        return sorted(self._entries)

    def metadata(self) -> dict[str, str] | None:
        """The ``__metadata__`` dict, or None if the file has none."""
        return None if self._metadata is None else dict(self._metadata)

    def _entry(self, name: str) -> _Entry:
        if name not in self._entries:
            raise KeyError(f"safe_open: no tensor named {name!r} in {self._path!r}")
        return self._entries[name]

    def get_tensor(self, name: str) -> np.ndarray:
        """The tensor ``name`` as a writable array (BF16/F8_* widened to float32)."""
        e = self._entry(name)
        with open(self._path, "rb") as fh:
            fh.seek(self._start + e.begin)
            return e.array(_read_bytes(fh, e.end - e.begin, f"safetensors: tensor {e.name!r}"))

    def get_slice(self, name: str) -> _Slice:
        """The tensor ``name``, to index without reading the rest of it."""
        return _Slice(self._path, self._entry(name), self._start)
