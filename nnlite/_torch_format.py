"""Reading files written by ``torch.save`` -- without torch, and without running code from
them. ``nnlite.load`` calls this module when a file's content is one of torch's formats.

Formats
    zip (torch >= 1.6, the default): an uncompressed zip archive whose members sit under
    one directory (the file's stem, or ``archive``)::

        <dir>/data.pkl       the saved object, pickled (protocol 2 by default)
        <dir>/data/<key>     the raw bytes of one storage (a flat buffer tensors view)
        <dir>/byteorder      "little" or "big" (older files lack it: little)
        <dir>/version, .format_version, .storage_alignment, .data/serialization_id

    In ``data.pkl`` a tensor is the call ``torch._utils._rebuild_tensor_v2(storage,
    storage_offset, size, stride, requires_grad, backward_hooks[, metadata])`` (``_v3``,
    with a dtype, for the dtypes without a legacy storage class), and a storage is the
    persistent id ``('storage', torch.FloatStorage, key, location, numel)``
    (``torch.storage.UntypedStorage`` and a byte count for ``_v3``).

    legacy (torch < 1.6, or ``_use_new_zipfile_serialization=False``): five pickles in a
    row -- the magic number, the protocol version 1001, a dict of system information, the
    object (persistent ids ``('storage', type, key, location, numel, view_metadata)``), the
    sorted list of storage keys -- then, for each key in that order, its element count as
    a little-endian int64 and its raw little-endian bytes.

    The pre-1.0 tar format and TorchScript archives (``torch.jit.save``) are refused.

Safety
    A pickle is a program: each ``GLOBAL`` names a Python object, and ``REDUCE`` calls it.
    The unpickler here (a ``pickle.Unpickler`` whose ``find_class`` and ``persistent_load``
    are replaced) resolves names only from a fixed table: the tensor rebuild functions,
    ``OrderedDict``/``Counter``/``set``/``frozenset``/``complex``/``bytearray``/
    ``_codecs.encode`` for containers and bytes, torch's dtypes and storage types,
    ``torch.Size`` and ``torch.device``. None of them is torch's or Python's own object:
    each is a stand-in (a ``_Global``) calling a function of this module that builds NumPy
    arrays, plain containers, ``nl.Size`` or ``nl.device``, and checks its arguments. Any
    other name raises before it is resolved, and before anything in the file is called a
    pass over its opcodes (``pickletools.genops``, which executes nothing) refuses every
    plain ``GLOBAL`` outside the table, so a file carrying a payload (a ``__reduce__``
    that calls ``os.system``) is refused without a single call being made. The stand-ins
    cannot be changed by the file (pickle's ``BUILD`` sets attributes: theirs refuse), memo
    indices are bounded by the file's size, and storages' sizes are checked against the
    archive's records before anything is allocated. Names added with
    ``nl.serialization.add_safe_globals`` are admitted too, as torch admits them (the user
    vouches for them), except those of modules that run commands or code (``os``, ``sys``,
    ``subprocess``, ...).

Results
    Tensors and parameters come back as ``np.ndarray`` (nnlite's ``state_dict`` values),
    views sharing memory wherever the tensors shared a storage; see ``load_zip``.
"""
from __future__ import annotations

import _compat_pickle
import collections
import io
import pickle
import pickletools
import zipfile
import zlib
from typing import IO, Any, Callable, NamedTuple

import numpy as np

from . import _dtype_codecs
from ._safe_globals import get_safe_globals

__all__ = ["RefusedError", "archive_dir", "is_legacy", "load_zip", "load_legacy"]

_MAGIC_NUMBER = 0x1950A86A20F9469CFC6C       # the legacy format's first pickle
_PROTOCOL_VERSION = 1001                     # its second
_MAX_DEFLATE_RATIO = 1032                    # deflate never expands more (RFC 1951)


class RefusedError(pickle.UnpicklingError, ValueError):
    """A file names a Python object nnlite does not load (e.g. a payload's ``os.system``).
    Both a ``pickle.UnpicklingError`` (what torch raises) and a ``ValueError`` (what
    ``nl.load`` raises for every file it cannot read)."""


# =============================================================================
# dtypes and storage types
# =============================================================================

class _Dtype(NamedTuple):
    """One torch dtype: how its bytes are stored and what nnlite loads them as."""
    name: str            # torch's name: "float32"
    code: str            # NumPy type code of one stored element, no byte order: "f4"
    loaded: np.dtype     # the dtype of the loaded array
    decode: Callable[[np.ndarray], np.ndarray] | None   # stored (native order) -> loaded

    @property
    def itemsize(self) -> int:
        return np.dtype(self.code).itemsize * (2 if self.name == "complex32" else 1)


def _plain(name: str, code: str) -> _Dtype:
    return _Dtype(name, code, np.dtype(code), None)


_DTYPES = {d.name: d for d in [
    _plain("float64", "f8"), _plain("float32", "f4"), _plain("float16", "f2"),
    _plain("int64", "i8"), _plain("int32", "i4"), _plain("int16", "i2"), _plain("int8", "i1"),
    _plain("uint64", "u8"), _plain("uint32", "u4"), _plain("uint16", "u2"),
    _plain("uint8", "u1"), _plain("bool", "?"),
    _plain("complex128", "c16"), _plain("complex64", "c8"),
    _Dtype("bfloat16", "u2", np.dtype(np.float32), _dtype_codecs.decode_bfloat16),
    _Dtype("complex32", "f2", np.dtype(np.complex64), _dtype_codecs.decode_complex32),
] + [_Dtype(name, "u1", np.dtype(np.float32),
            lambda bits, name=name: _dtype_codecs.decode_float8(bits, name))
     for name in _dtype_codecs.FLOAT8_FORMATS]}

# dtypes a file may name but whose tensors nnlite cannot hold
_UNSUPPORTED_DTYPES = {
    **{n: "quantized" for n in ("qint8", "qint32", "quint8", "quint4x2", "quint2x4")},
    **{n: "sub-byte or raw-bits" for n in (
        "float4_e2m1fn_x2", "bits8", "bits16", "bits1x8", "bits2x4", "bits4x2",
        *(f"int{k}" for k in range(1, 8)), *(f"uint{k}" for k in range(1, 8)))},
}

# torch's legacy storage classes (still how zip files name most dtypes)
_STORAGE_CLASSES = {
    "DoubleStorage": "float64", "FloatStorage": "float32", "HalfStorage": "float16",
    "LongStorage": "int64", "IntStorage": "int32", "ShortStorage": "int16",
    "CharStorage": "int8", "ByteStorage": "uint8", "BoolStorage": "bool",
    "BFloat16Storage": "bfloat16", "ComplexDoubleStorage": "complex128",
    "ComplexFloatStorage": "complex64", "QInt8Storage": "qint8", "QInt32Storage": "qint32",
    "QUInt8Storage": "quint8", "QUInt4x2Storage": "quint4x2", "QUInt2x4Storage": "quint2x4",
}
_UNTYPED = "uint8"       # an UntypedStorage holds bytes


def _decode(raw: np.ndarray, dtype: _Dtype, little: bool) -> np.ndarray:
    """A storage's bytes (1-D uint8) -> its flat array of ``dtype.loaded``. Shares ``raw``'s
    memory when no conversion is needed (a native dtype in native byte order)."""
    if dtype.name in _UNSUPPORTED_DTYPES:
        raise RefusedError(f"tensors of dtype torch.{dtype.name} "
                           f"({_UNSUPPORTED_DTYPES[dtype.name]}) are not supported")
    stored = np.dtype(dtype.code).newbyteorder("<" if little else ">")
    if raw.size % stored.itemsize:
        raise ValueError(f"a storage of {raw.size} bytes is not a whole number of "
                         f"{dtype.name} elements")
    flat = raw.view(stored)
    if not stored.isnative:
        flat = flat.astype(stored.newbyteorder("="))
    return flat if dtype.decode is None else dtype.decode(flat)


# =============================================================================
# What the unpickler may see: stand-ins for torch's objects
# =============================================================================

class _Sealed:
    """Objects the file can reach but must not change: pickle's BUILD opcode sets
    attributes on the object below it, and these refuse."""

    __slots__ = ()

    def __setattr__(self, key: str, value: Any) -> None:
        raise RefusedError(f"the file tries to set the attribute {key!r} of {self!r}")

    def __delattr__(self, key: str) -> None:
        raise RefusedError(f"the file tries to delete the attribute {key!r} of {self!r}")

    def _init(self, **fields: Any) -> None:
        for key, value in fields.items():
            object.__setattr__(self, key, value)


class _Global(_Sealed):
    """One name a torch file may use, e.g. ``torch._utils._rebuild_tensor_v2``.

    ``kind`` is "function" (calling it calls ``value``), "dtype" (``value`` is a _Dtype or
    a name in _UNSUPPORTED_DTYPES), "storage" (``value``: the dtype name of a storage
    class, None for an untyped storage) or "class" (``torch.Tensor``, named as the type of
    a tensor with Python attributes).
    """

    __slots__ = ("qualname", "kind", "value")

    def __init__(self, qualname: str, kind: str, value: Any) -> None:
        self._init(qualname=qualname, kind=kind, value=value)

    def __call__(self, *args: Any) -> Any:
        if self.kind != "function":
            raise RefusedError(f"the file calls {self.qualname}, which is not a function")
        return self.value(*args)

    def __repr__(self) -> str:
        return self.qualname


class _Storage(_Sealed):
    """A storage named by a persistent id: where its bytes are and what they hold.
    ``loader`` turns it into arrays (``loader.flat``)."""

    __slots__ = ("loader", "key", "dtype", "numel", "root", "offset")

    def __init__(self, loader: "_Loader", key: str, dtype: str, numel: int,
                 root: "_Storage | None" = None, offset: int = 0) -> None:
        self._init(loader=loader, key=key, dtype=dtype, numel=numel, root=root,
                   offset=offset)

    def __repr__(self) -> str:
        return f"<storage {self.key!r}: {self.numel} x {self.dtype}>"


def _int(x: Any, what: str) -> int:
    if not isinstance(x, int) or isinstance(x, bool):
        raise ValueError(f"{what} is a {type(x).__name__}, expected an int")
    return x


def _ints(xs: Any, what: str) -> tuple:
    if not (type(xs) in (tuple, list) and all(type(x) is int for x in xs)):
        raise ValueError(f"{what} is {xs!r:.100}, expected a tuple of ints")
    return tuple(xs)


def _tensor(storage: Any, storage_offset: Any, size: Any, stride: Any,
            dtype: _Dtype | None = None, metadata: Any = None) -> np.ndarray | None:
    """The array a rebuild function describes: a view of the storage's flat array (the
    same memory for every tensor on that storage), with the offset and strides counted in
    elements. ``metadata``'s conj/neg bits (lazily conjugated or negated tensors) give a
    conjugated/negated copy."""
    if not isinstance(storage, _Storage):
        raise ValueError(f"a tensor's storage is a {type(storage).__name__}, not a storage")
    offset = _int(storage_offset, "a tensor's storage offset")
    shape, strides = _ints(size, "a tensor's size"), _ints(stride, "a tensor's stride")
    if len(shape) != len(strides) or min(shape + strides + (offset,), default=0) < 0:
        raise ValueError(f"a tensor has size {shape}, stride {strides} and offset {offset}")
    loader = storage.loader
    if loader.collecting:        # the legacy format's first pass: storages not read yet
        return None
    flat = loader.flat(storage, dtype)
    numel = int(np.prod(shape, dtype=np.int64)) if shape else 1
    end = offset + (sum((n - 1) * s for n, s in zip(shape, strides)) + 1 if numel else 0)
    if end > flat.size:
        raise ValueError(f"a tensor of size {shape}, stride {strides} and offset {offset} "
                         f"reaches element {end - 1} of a storage of {flat.size}")
    view = np.lib.stride_tricks.as_strided(
        flat[offset:], shape, tuple(s * flat.itemsize for s in strides), writeable=True)
    if metadata:
        if not isinstance(metadata, dict) or not set(metadata) <= {"conj", "neg"}:
            raise ValueError(f"unknown tensor metadata {metadata!r:.100}")
        if numel > flat.size:      # a copy of an expanded view could be any size
            raise ValueError(f"a conjugated/negated tensor of {numel} elements on a storage "
                             f"of {flat.size}")
        if metadata.get("conj"):
            view = np.conj(view)
        if metadata.get("neg"):
            view = np.negative(view)
    return view


def _rebuild_tensor(storage, storage_offset, size, stride):
    return _tensor(storage, storage_offset, size, stride)


def _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       metadata=None):
    return _tensor(storage, storage_offset, size, stride, metadata=metadata)


def _rebuild_tensor_v3(storage, storage_offset, size, stride, requires_grad, backward_hooks,
                       dtype, metadata=None):
    if not (isinstance(dtype, _Global) and dtype.kind == "dtype"):
        raise ValueError(f"_rebuild_tensor_v3's dtype is {dtype!r:.100}, not a torch dtype")
    if isinstance(dtype.value, str):
        raise RefusedError(f"tensors of dtype {dtype.qualname} "
                           f"({_UNSUPPORTED_DTYPES[dtype.value]}) are not supported")
    return _tensor(storage, storage_offset, size, stride, dtype.value, metadata)


def _data(data: Any) -> Any:
    if not (data is None or isinstance(data, np.ndarray)):
        raise ValueError(f"a parameter's data is a {type(data).__name__}, not a tensor")
    return data


def _rebuild_parameter(data, requires_grad, backward_hooks):
    return _data(data)


def _rebuild_parameter_with_state(data, requires_grad, backward_hooks, state):
    return _data(data)           # the Parameter subclass's Python attributes are dropped


def _parameter(data=None, requires_grad=True):
    return _data(data)


def _rebuild_from_type_v2(func, new_type, args, state):
    # a tensor of a subclass, or with Python attributes: the plain tensor ``func(*args)``
    if not (isinstance(func, _Global) and func.kind == "function"):
        raise ValueError(f"_rebuild_from_type_v2 got {func!r:.100}, not a rebuild function")
    return func(*_tuple(args, "_rebuild_from_type_v2's arguments"))


def _rebuild_from_type(func, type_, args, state):
    return _rebuild_from_type_v2(func, type_, args, state)


def _tuple(x: Any, what: str) -> tuple:
    if not isinstance(x, tuple):
        raise ValueError(f"{what} are a {type(x).__name__}, expected a tuple")
    return x


def _rebuild_device_tensor_from_cpu_tensor(data, dtype, device, requires_grad):
    return _data(data)           # a tensor of a storage-less device, saved through the CPU


def _size(dims=()):
    from .size import Size
    return Size(_ints(dims, "torch.Size"))


def _device(type_, index=None):
    from .devices import device
    if not isinstance(type_, str) or not (index is None or isinstance(index, int)):
        raise ValueError(f"torch.device({type_!r:.50}, {index!r:.50})")
    return device(type_, index)


def _encode(text, encoding="latin1"):
    # protocol 2 pickles Python 3 bytes as _codecs.encode(str, "latin1")
    if not isinstance(text, str) or encoding not in ("latin1", "latin-1", "ascii", "utf-8",
                                                     "utf8"):
        raise RefusedError(f"_codecs.encode({type(text).__name__}, {encoding!r:.30}): only "
                           "text to bytes in latin1/ascii/utf-8 is allowed")
    return text.encode(encoding)


def _bytearray(data=b""):
    if not isinstance(data, (bytes, bytearray, list)):   # bytearray(n) allocates n bytes
        raise RefusedError(f"bytearray({type(data).__name__}): only bytes are allowed")
    return bytearray(data)


def _collection(kind: type) -> Callable:
    def build(items=()):
        if not isinstance(items, (list, tuple, dict, set, frozenset, str, bytes)):
            raise RefusedError(f"{kind.__name__}({type(items).__name__}) is not allowed")
        return kind(items)
    build.__name__ = kind.__name__
    return build


def _complex(real=0.0, imag=0.0):
    if not all(isinstance(v, (int, float)) for v in (real, imag)):
        raise RefusedError("complex() takes numbers only here")
    return complex(real, imag)


def _refuse(what: str) -> Callable:
    def refuse(*args: Any) -> Any:
        raise RefusedError(f"{what} are not supported by nnlite")
    return refuse


def _globals_table() -> dict:
    """Every name a torch file may use -> its stand-in."""
    table: dict[str, Any] = {}

    def fn(qualname: str, value: Callable) -> None:
        table[qualname] = _Global(qualname, "function", value)

    for f in (_rebuild_tensor, _rebuild_tensor_v2, _rebuild_tensor_v3, _rebuild_parameter,
              _rebuild_parameter_with_state, _rebuild_device_tensor_from_cpu_tensor):
        fn(f"torch._utils.{f.__name__}", f)
    for module in ("torch._tensor", "torch.tensor"):
        fn(f"{module}._rebuild_from_type_v2", _rebuild_from_type_v2)
        fn(f"{module}._rebuild_from_type", _rebuild_from_type)
    for name, what in [("_rebuild_qtensor", "quantized tensors"),
                       ("_rebuild_sparse_tensor", "sparse tensors"),
                       ("_rebuild_sparse_csr", "sparse tensors"),
                       ("_rebuild_nested_tensor", "nested tensors"),
                       ("_rebuild_meta_tensor_no_storage", "meta tensors (they have no data)"),
                       ("_rebuild_wrapper_subclass", "tensor wrapper subclasses"),
                       ("_rebuild_device_tensor_from_numpy", "tensors saved through NumPy")]:
        fn(f"torch._utils.{name}", _refuse(what))
    fn("torch.serialization._get_layout", _refuse("sparse tensors"))
    fn("torch.Size", _size)
    fn("torch.device", _device)
    fn("torch.nn.parameter.Parameter", _parameter)
    fn("collections.OrderedDict", _collection(collections.OrderedDict))
    fn("collections.Counter", _collection(collections.Counter))
    fn("builtins.set", _collection(set))
    fn("builtins.frozenset", _collection(frozenset))
    fn("builtins.complex", _complex)
    fn("builtins.bytearray", _bytearray)
    fn("_codecs.encode", _encode)
    table["torch.Tensor"] = _Global("torch.Tensor", "class", None)
    for name, dtype in _DTYPES.items():
        table[f"torch.{name}"] = _Global(f"torch.{name}", "dtype", dtype)
    for name in _UNSUPPORTED_DTYPES:
        table[f"torch.{name}"] = _Global(f"torch.{name}", "dtype", name)
    for scheme in ("per_tensor_affine", "per_tensor_symmetric", "per_channel_affine",
                   "per_channel_symmetric", "per_channel_affine_float_qparams"):
        fn(f"torch.{scheme}", _refuse("quantized tensors"))
    for cls, dtype in _STORAGE_CLASSES.items():
        for module in ("torch", "torch.cuda"):
            table[f"{module}.{cls}"] = _Global(f"{module}.{cls}", "storage", dtype)
    for qualname in ("torch.storage.UntypedStorage", "torch.UntypedStorage",
                     "torch.storage._UntypedStorage", "torch._UntypedStorage"):
        table[qualname] = _Global(qualname, "storage", None)
    return table


_GLOBALS = _globals_table()
# Never admitted, even when listed with add_safe_globals: they run commands or code.
_BLOCKED_MODULES = {"os", "posix", "nt", "sys", "subprocess", "shutil", "importlib", "runpy",
                    "pickle", "_pickle", "marshal", "ctypes", "code", "pty", "socket",
                    "multiprocessing", "webbrowser"}
_BLOCKED_BUILTINS = {"eval", "exec", "compile", "__import__", "open", "getattr", "setattr",
                     "delattr", "globals", "locals", "vars", "breakpoint", "input", "help"}


def _user_globals() -> dict:
    """``nl.serialization.add_safe_globals``'s list, by qualified name."""
    out = {}
    for g in get_safe_globals():
        if isinstance(g, tuple):
            out[g[1]] = g[0]
        else:
            out[f"{getattr(g, '__module__', '')}.{getattr(g, '__qualname__', '')}"] = g
    return out


def _resolve(module: str, name: str, user: dict) -> Any:
    # Python 2's names (protocol 2 writes some: subprocess as "commands"), as pickle maps them
    if (module, name) in _compat_pickle.NAME_MAPPING:
        module, name = _compat_pickle.NAME_MAPPING[(module, name)]
    elif module in _compat_pickle.IMPORT_MAPPING:
        module = _compat_pickle.IMPORT_MAPPING[module]
    qualname = f"{module}.{name}"
    if qualname in _GLOBALS:
        return _GLOBALS[qualname]
    blocked = (module.split(".")[0] in _BLOCKED_MODULES
               or (module == "builtins" and name in _BLOCKED_BUILTINS))
    if qualname in user and not blocked:
        return user[qualname]
    if blocked:
        why = "it can run commands or code, and is never loaded (not even when allowed)"
    else:
        why = ("a torch.save file of weights names only tensor rebuild functions, "
               "OrderedDict, torch dtypes, storage types, torch.Size and torch.device; if "
               "you trust this file and the object is plain data, allow it with "
               f"nl.serialization.add_safe_globals([{name}])")
    raise RefusedError(f"refusing to load the global '{qualname}' named in the file: {why}. "
                       "The file was not loaded, and nothing outside nnlite's allow-list was run")


# =============================================================================
# The unpickler
# =============================================================================

class _Unpickler(pickle.Unpickler):
    """pickle's unpickler with names resolved from the table and storages from the loader."""

    def __init__(self, file: IO[bytes], loader: "_Loader", encoding: str) -> None:
        super().__init__(file, fix_imports=False, encoding=encoding)
        self._loader = loader
        self._user = _user_globals()

    def find_class(self, module: str, name: str) -> Any:
        if not (isinstance(module, str) and isinstance(name, str)):
            raise RefusedError(f"a global named by {type(module).__name__} "
                               f"{type(name).__name__}")
        return _resolve(module, name, self._user)

    def persistent_load(self, pid: Any) -> Any:
        return self._loader.storage(pid)


def _prescan(file: IO[bytes], limit: int, user: dict) -> int:
    """Walk the pickle's opcodes without executing any: refuse every plain ``GLOBAL`` that
    is not allowed, and memo indices past ``limit`` (the pickle's size: a real pickle
    never gets there, and C pickle would allocate a list that long). Returns the
    pickle's length; ``file`` is left where it was."""
    start = file.tell()
    for op, arg, _ in pickletools.genops(file):
        if op.name == "GLOBAL":
            module, _, name = arg.partition(" ")
            _resolve(module, name, user)
        elif op.name in ("PUT", "BINPUT", "LONG_BINPUT", "GET", "BINGET", "LONG_BINGET"):
            if not 0 <= int(arg) <= limit:
                raise ValueError(f"memo index {arg} in a pickle of {limit} bytes")
    length = file.tell() - start
    file.seek(start)
    return length


def _unpickle(file: IO[bytes], loader: "_Loader", limit: int, encoding: str) -> Any:
    _prescan(file, limit, _user_globals())
    return _Unpickler(file, loader, encoding).load()


# =============================================================================
# Storages and the result
# =============================================================================

class _Loader:
    """One load: its storages (by key), their arrays, and the persistent ids' rules.

    ``read(key, dtype_name, nbytes)`` returns a storage's bytes as a 1-D uint8 array.
    In the legacy format's first pass (``collecting``) storages are only recorded.
    """

    def __init__(self, read: Callable[[str, str, int], np.ndarray] | None, little: bool,
                 legacy: bool) -> None:
        self._read, self.little, self.legacy = read, little, legacy
        self.collecting = False
        self.storages: dict[str, _Storage] = {}
        self._flat: dict[tuple, np.ndarray] = {}

    def storage(self, pid: Any) -> _Storage:
        """The storage a persistent id names (the same object for the same key)."""
        n = 6 if self.legacy else 5
        if not (isinstance(pid, tuple) and len(pid) == n):
            raise RefusedError(f"persistent id {pid!r:.100} is not a storage")
        typename, stype, key, location, numel = pid[:5]
        if isinstance(typename, bytes):
            typename = typename.decode("ascii")
        if isinstance(key, bytes):
            key = key.decode("ascii")
        if typename != "storage":
            raise RefusedError(f"persistent id of type {typename!r:.50}: only storages are "
                               "loaded")
        if not (isinstance(stype, _Global) and stype.kind == "storage"):
            raise ValueError(f"storage {key!r:.50} has type {stype!r:.100}")
        if not isinstance(key, str):
            raise ValueError(f"a storage key is a {type(key).__name__}")
        dtype = stype.value or _UNTYPED
        numel = _int(numel, f"storage {key!r}'s size")
        if numel < 0:
            raise ValueError(f"storage {key!r} has size {numel}")
        root = self.storages.get(key)
        if root is None:
            root = self.storages[key] = _Storage(self, key, dtype, numel)
        view = pid[5] if self.legacy else None
        if view is None:
            return root
        # legacy storage views: (view key, offset, size) into the root storage
        view_key, offset, size = _tuple(view, "a storage view's (key, offset, size)")
        offset, size = _int(offset, "a storage view's offset"), _int(size, "its size")
        if not (0 <= offset and 0 <= size and offset + size <= root.numel):
            raise ValueError(f"storage view {view_key!r:.50} [{offset}, {offset + size}) of a "
                             f"storage of {root.numel}")
        key = f"{key}/{view_key}"
        if key not in self.storages:
            self.storages[key] = _Storage(self, key, dtype, size, root, offset)
        return self.storages[key]

    def flat(self, storage: _Storage, dtype: _Dtype | None = None) -> np.ndarray:
        """The storage's elements as a flat array of ``dtype`` (the storage's own, for a
        typed storage; a tensor's dtype over an untyped storage's bytes), decoded once."""
        if storage.root is not None:
            root_flat = self.flat(storage.root, dtype)
            return root_flat[storage.offset:storage.offset + storage.numel]
        if dtype is None or storage.dtype != _UNTYPED:
            dtype = _DTYPES.get(storage.dtype) or _unsupported(storage.dtype)
        cached = self._flat.get((storage.key, dtype.name))
        if cached is None:
            nbytes = storage.numel * (_DTYPES[storage.dtype].itemsize
                                      if storage.dtype in _DTYPES else 1)
            raw = self._read(storage.key, storage.dtype, nbytes)
            cached = self._flat[(storage.key, dtype.name)] = _decode(raw, dtype, self.little)
        return cached


def _unsupported(name: str) -> _Dtype:
    raise RefusedError(f"tensors of dtype torch.{name} ({_UNSUPPORTED_DTYPES[name]}) are "
                       "not supported")


def _finish(obj: Any, memo: dict) -> Any:
    """The loaded object with the stand-ins replaced: a storage by its flat array, a dtype
    by the NumPy dtype its tensors load as. Containers are rebuilt (shared ones once);
    other objects with a ``__dict__`` have their attributes replaced in place."""
    key = id(obj)
    if key in memo:
        return memo[key]
    if isinstance(obj, _Storage):
        out = obj.loader.flat(obj)
    elif isinstance(obj, _Global) and obj.kind == "dtype" and isinstance(obj.value, _Dtype):
        out = obj.value.loaded
    elif type(obj) is list:
        out = memo[key] = []
        out.extend(_finish(v, memo) for v in obj)
    elif type(obj) in (dict, collections.OrderedDict, collections.Counter):
        out = memo[key] = type(obj)()
        for k, v in obj.items():
            out[_finish(k, memo)] = _finish(v, memo)
    elif type(obj) in (tuple, set, frozenset):
        out = type(obj)(_finish(v, memo) for v in obj)
    elif isinstance(getattr(obj, "__dict__", None), dict):
        # an instance of a class allowed with add_safe_globals: its attributes, in place
        out = memo[key] = obj
        attributes = vars(obj)
        for name in list(attributes):
            attributes[name] = _finish(attributes[name], memo)
    else:
        return obj
    memo[key] = out
    return out


# =============================================================================
# The two formats
# =============================================================================

def archive_dir(names: list[str]) -> str | None:
    """The directory holding ``data.pkl`` in a torch zip archive's member names, or None.
    Raises for a TorchScript archive (``torch.jit.save``), which also holds one."""
    dirs = [n[:-len("/data.pkl")] for n in names if n.endswith("/data.pkl")
            and n.count("/") == 1]
    if any(n.endswith("/constants.pkl") for n in names):
        raise ValueError("it is a TorchScript archive (torch.jit.save), which holds code; "
                         "nnlite reads torch.save files: in torch, save the weights with "
                         "torch.save(model.state_dict(), path)")
    return dirs[0] if len(dirs) == 1 else None


class _Records:
    """The members of a torch zip archive under its directory, checked against the file
    before any is read: stored or deflated, not encrypted, sizes the file can hold."""

    def __init__(self, zf: zipfile.ZipFile, fh: IO[bytes], directory: str, end: int) -> None:
        self.zf, self.fh, self.size = zf, fh, end
        self.infos: dict[str, zipfile.ZipInfo] = {}
        for info in zf.infolist():
            if not info.filename.startswith(directory + "/"):
                continue
            what = f"member {info.filename!r}"
            if info.flag_bits & 0x1:
                raise ValueError(f"{what} is encrypted")
            if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ValueError(f"{what} uses compression method {info.compress_type}")
            if info.compress_size > end or info.header_offset > end or (
                    info.compress_type == zipfile.ZIP_STORED
                    and info.file_size != info.compress_size) or (
                    info.file_size > _MAX_DEFLATE_RATIO * info.compress_size + 1024):
                raise ValueError(f"{what} declares {info.file_size} bytes ({info.compress_size} "
                                 f"stored) at offset {info.header_offset}; the file ends at {end}")
            self.infos[info.filename[len(directory) + 1:]] = info

    def has(self, record: str) -> bool:
        return record in self.infos

    def data_offset(self, record: str) -> int | None:
        """Where a stored member's bytes start in the file (None if deflated)."""
        info = self.infos[record]
        if info.compress_type != zipfile.ZIP_STORED:
            return None
        self.fh.seek(info.header_offset)
        header = self.fh.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            raise ValueError(f"member {info.filename!r} has no local header")
        start = (info.header_offset + 30 + int.from_bytes(header[26:28], "little")
                 + int.from_bytes(header[28:30], "little"))
        if start + info.file_size > self.size:
            raise ValueError(f"member {info.filename!r} runs past the end of the file")
        return start

    def read(self, record: str, nbytes: int | None = None) -> np.ndarray:
        """A member's bytes as a writable 1-D uint8 array (its CRC checked)."""
        if record not in self.infos:
            raise ValueError(f"the record {record!r} is missing")
        info = self.infos[record]
        if nbytes is not None and info.file_size != nbytes:
            raise ValueError(f"the record {record!r} holds {info.file_size} bytes, its "
                             f"storage {nbytes}")
        start = self.data_offset(record)
        if start is None:                                   # deflated: zipfile inflates
            with self.zf.open(info) as member:
                return _read_bytes(member, info.file_size, record)
        self.fh.seek(start)
        buf = _read_bytes(self.fh, info.file_size, record)
        if zlib.crc32(buf) != info.CRC:
            raise ValueError(f"the record {record!r} is corrupt (bad CRC)")
        return buf


def _read_bytes(f: IO[bytes], n: int, what: str) -> np.ndarray:
    """The next ``n`` bytes of ``f`` as a writable uint8 array (``n`` was checked against
    the file's size; the array is not zero-filled first)."""
    buf = np.empty(n, dtype=np.uint8)
    view, got = memoryview(buf), 0
    while got < n:
        k = f.readinto(view[got:])
        if not k:
            raise ValueError(f"{what}: expected {n} bytes, got {got}")
        got += k
    return buf


def load_zip(zf: zipfile.ZipFile, fh: IO[bytes], directory: str, end: int,
             mmap_path: str | None = None, encoding: str = "utf-8") -> Any:
    """The object saved in a torch zip archive (``directory``: see ``archive_dir``) read
    from ``fh``, whose data ends at offset ``end``.

    Tensors come back as ``np.ndarray`` views of their storage's flat array: tensors that
    shared a storage in torch share memory here (a view saved with its base stays a view
    of it). With ``mmap_path`` (the archive's path), storages that need no conversion are
    mapped from the file copy-on-write (``np.memmap(mode="c")``) instead of read.

    Raises:
        RefusedError: the file names an object that is not allowed (nothing was run).
        ValueError: anything else wrong with the file.
    """
    records = _Records(zf, fh, directory, end)
    little = True
    if records.has("byteorder"):
        order = records.read("byteorder").tobytes()
        if order not in (b"little", b"big"):
            raise ValueError(f"unknown byte order {order[:20]!r}")
        little = order == b"little"

    mapped: list[np.ndarray] = []             # the whole file, mapped once if mmap

    def read(key: str, dtype: str, nbytes: int) -> np.ndarray:
        record = f"data/{key}"
        if mmap_path is not None and nbytes and records.has(record) and (
                records.infos[record].file_size == nbytes):
            start = records.data_offset(record)
            if start is not None:        # stored: map it (a conversion copies from the map)
                if not mapped:
                    mapped.append(np.memmap(mmap_path, dtype=np.uint8, mode="c"))
                if start + nbytes <= mapped[0].size:
                    return mapped[0][start:start + nbytes]
        return records.read(record, nbytes)

    loader = _Loader(read, little, legacy=False)
    pickled = records.read("data.pkl")
    return _finish(_unpickle(io.BytesIO(pickled.tobytes()), loader, pickled.size, encoding),
                   {})


def is_legacy(head: bytes) -> bool:
    """Whether a file starting with ``head`` (at least 16 bytes) is in the legacy format:
    a pickle (protocol 2 or later) whose first value is the magic number."""
    return len(head) >= 2 and head[0] == 0x80 and 2 <= head[1] <= 5 and (
        _MAGIC_NUMBER.to_bytes(10, "little") in head[:32])


def load_legacy(fh: IO[bytes], end: int, encoding: str = "utf-8") -> Any:
    """The object saved in torch's legacy format, read from ``fh``'s current position to
    the offset ``end``.

    The object's pickle is read twice: first to learn each storage's dtype and size (the
    raw bytes that follow it give only element counts), then, once the storages are read,
    to build the arrays. Raises as ``load_zip``.
    """
    head_loader = _Loader(None, True, legacy=True)
    if _unpickle(fh, head_loader, end, encoding) != _MAGIC_NUMBER:
        raise ValueError("bad magic number")
    version = _unpickle(fh, head_loader, end, encoding)
    if version != _PROTOCOL_VERSION:
        raise ValueError(f"legacy protocol version {version!r:.50}, expected "
                         f"{_PROTOCOL_VERSION}")
    if not isinstance(_unpickle(fh, head_loader, end, encoding), dict):
        raise ValueError("the system information is not a dict")

    # the object's pickle, checked once and kept to be unpickled twice
    pickled = _read_at(fh, fh.tell(), _prescan(fh, end, _user_globals()))
    collect = _Loader(None, True, legacy=True)
    collect.collecting = True
    _Unpickler(io.BytesIO(pickled), collect, encoding).load()
    keys = _unpickle(fh, head_loader, end, encoding)
    if not (isinstance(keys, list) and all(isinstance(k, str) for k in keys)):
        raise ValueError("the list of storage keys is malformed")

    raws: dict[str, np.ndarray] = {}
    for key in keys:
        storage = collect.storages.get(key)
        if storage is None or storage.root is not None or key in raws:
            raise ValueError(f"storage key {key!r:.50} is not a storage of the object")
        count = int.from_bytes(fh.read(8), "little", signed=True)
        itemsize = _DTYPES[storage.dtype].itemsize if storage.dtype in _DTYPES else 1
        if count != storage.numel or count * itemsize > end - fh.tell():
            raise ValueError(f"storage {key!r} holds {count} elements, the object says "
                             f"{storage.numel}, and the file has {end - fh.tell()} bytes "
                             "left")
        raws[key] = _read_bytes(fh, count * itemsize, f"storage {key!r}")

    def read(key: str, dtype: str, nbytes: int) -> np.ndarray:
        if key not in raws:
            raise ValueError(f"storage {key!r} is used but its data was not saved")
        return raws[key]

    return _finish(_Unpickler(io.BytesIO(pickled), _Loader(read, True, legacy=True),
                              encoding).load(), {})


def _read_at(fh: IO[bytes], start: int, n: int) -> bytes:
    fh.seek(start)
    data = fh.read(n)
    if len(data) != n:
        raise ValueError(f"expected {n} bytes at offset {start}, got {len(data)}")
    return data
