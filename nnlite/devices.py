"""Devices on a CPU-only library: ``nl.device``, the one error for every other device, and
the argument parsing of ``Tensor.to`` / ``Module.to``, and torch's tensor type names
(``'torch.FloatTensor'``), which name a device and a dtype.

nnlite runs on the CPU. A PyTorch program still names devices everywhere
(``device = "cuda" if torch.cuda.is_available() else "cpu"``, ``x.to(device)``,
``torch.zeros(3, device=device)``), so the idiom works: ``nl.device("cuda:0")`` can be made,
compared and printed as in torch, and everything that *places* a tensor or a module on a
device accepts the CPU (``None``, ``"cpu"``, ``"cpu:0"``, ``nl.device("cpu")``) and raises
``DeviceError`` for any other device.

Example:
    >>> import nnlite as nl
    >>> dev = nl.device("cuda" if nl.cuda.is_available() else "cpu")
    >>> nl.zeros(2, device=dev).device
    device(type='cpu')
    >>> nl.zeros(2).to("cuda")
    Traceback (most recent call last):
    ...
    nnlite.devices.DeviceError: Tensor.to: nnlite runs on the CPU only, got device 'cuda' ...
"""
from __future__ import annotations

import re
from typing import Any

import numpy as np

__all__ = ["device", "DeviceError", "cpu_only_error", "check_device", "set_default_device", "get_default_device",
           "parse_to", "as_dtype", "type_name", "parse_type"]

# the device types torch knows (its parser's list), so a typo is an error here too
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip",
                "ve", "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")
_DEVICE_STRING = re.compile(r"^([a-z_]+)(?::(\d+))?$")


class DeviceError(RuntimeError, ValueError):
    """Raised when a tensor or a module is asked to live on a device other than the CPU.

    A ``RuntimeError``, as torch raises on a machine without a GPU; also a ``ValueError``,
    which nnlite raised for it before, so code that catches either keeps working.
    """


def cpu_only_error(where: str, dev: Any) -> DeviceError:
    """The one error for every device but the CPU, naming ``where`` and the device (an
    int is an accelerator index, as torch reads it)."""
    if isinstance(dev, (int, np.integer)) and not isinstance(dev, bool):
        dev = f"cuda:{int(dev)}"
    return DeviceError(
        f"{where}: nnlite runs on the CPU only, got device {str(dev)!r}. Use 'cpu' "
        f"(nl.cuda.is_available() is False, so `'cuda' if nl.cuda.is_available() else "
        f"'cpu'` picks it)")


# ============================================================================
# device
# ============================================================================
class device:
    """A device name, as ``torch.device``: ``device("cpu")``, ``device("cuda:1")``,
    ``device("cuda", 1)``, ``device(other_device)``.

    Any device torch knows can be made, compared, hashed, printed and pickled; only the
    CPU can hold nnlite tensors (placing one elsewhere raises ``DeviceError``). Used as a
    context manager (``with nl.device("cpu"):``) it checks that the device is the CPU and
    otherwise does nothing, since the CPU is the only default.

    Args:
        type (str or device): ``"cpu"``, ``"cuda"``, ``"mps"``, ... optionally with
            ``":index"``; or a device (copied).
        index (int, optional): the device index, ``>= 0``. Default: None.

    Attributes:
        type (str): the device type. index (int or None): the index, if one was given.

    Example:
        >>> nl.device("cuda:0")
        device(type='cuda', index=0)
        >>> str(nl.device("cpu", 0)), nl.zeros(1).device == nl.device("cpu")
        ('cpu:0', True)
    """

    __slots__ = ("_type", "_index")

    def __init__(self, type: Any, index: int | None = None) -> None:
        if isinstance(type, device):
            if index is not None:
                raise TypeError("device: an index cannot be given with a device object")
            self._type, self._index = type._type, type._index
            return
        if isinstance(type, bool) or not isinstance(type, str):
            raise TypeError(f"device: expected a device string such as 'cpu' or 'cuda:0', or "
                            f"a device, got {type!r}")
        m = _DEVICE_STRING.match(type)
        if m is None:
            raise RuntimeError(f"Invalid device string: {type!r}")
        kind, idx = m.group(1), m.group(2)
        if kind not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at "
                               f"start of device string: {type}")
        if idx is not None and index is not None:
            raise RuntimeError(f"type (string) must not include an index because index was "
                               f"passed explicitly: {type}")
        if index is not None:
            if isinstance(index, bool) or not isinstance(index, (int, np.integer)):
                raise TypeError(f"device: index must be an int, got {index!r}")
            if index < 0:
                raise RuntimeError("Device index must not be negative")
            idx = index
        self._type = kind
        self._index = None if idx is None else int(idx)

    @property
    def type(self) -> str:
        return self._type

    @property
    def index(self) -> int | None:
        return self._index

    def __eq__(self, other: Any) -> bool:
        if not isinstance(other, device):
            return NotImplemented
        return self._type == other._type and self._index == other._index

    def __hash__(self) -> int:
        return hash((self._type, self._index))

    def __str__(self) -> str:
        return self._type if self._index is None else f"{self._type}:{self._index}"

    def __repr__(self) -> str:
        if self._index is None:
            return f"device(type={self._type!r})"
        return f"device(type={self._type!r}, index={self._index})"

    def __reduce__(self) -> tuple:
        return (device, (self._type, self._index))

    def __enter__(self) -> "device":
        check_device(self, "with device")
        return self

    def __exit__(self, *exc: Any) -> None:
        return None


CPU = device("cpu")
"""The device of every nnlite tensor (``Tensor.device``)."""


def check_device(dev: Any, where: str) -> None:
    """Check a ``device=`` argument: ``None``, a CPU string or ``device("cpu")`` pass; any
    other device raises ``DeviceError`` naming ``where``; what is not a device at all
    raises torch's parse errors.

    Args:
        dev: the argument as the user gave it (str, device, int or None).
        where (str): the function's name, for the message (e.g. ``"zeros"``).

    Example:
        >>> check_device("cpu", "zeros")            # passes
        >>> check_device("cuda", "zeros")
        Traceback (most recent call last):
        ...
        nnlite.devices.DeviceError: zeros: nnlite runs on the CPU only, got device 'cuda'...
    """
    if dev is None or dev is CPU or dev == "cpu":
        return
    if isinstance(dev, (int, np.integer)) and not isinstance(dev, bool):
        raise cpu_only_error(where, dev)
    d = dev if isinstance(dev, device) else device(dev)
    if d._type != "cpu":
        raise cpu_only_error(where, d)


# ============================================================================
# The default device
# ============================================================================
def set_default_device(device: Any) -> None:
    """As ``torch.set_default_device``: only the CPU (or None) is accepted, since nnlite
    tensors always live there.

    Args:
        device (str, device or None): ``"cpu"``, ``device("cpu")`` or None.

    Example:
        >>> nl.set_default_device("cpu")
    """
    check_device(device, "set_default_device")


def get_default_device() -> device:
    """The device new tensors are made on: always ``device(type='cpu')``.

    Example:
        >>> nl.get_default_device()
        device(type='cpu')
    """
    return CPU


# ============================================================================
# Arguments of .to()
# ============================================================================
def _is_device_like(a: Any) -> bool:
    return isinstance(a, (str, device)) or (isinstance(a, (int, np.integer))
                                            and not isinstance(a, (bool, np.bool_)))


def parse_to(args: tuple, kwargs: dict, where: str, tensor_type: type) -> tuple:
    """Read ``to``'s arguments in torch's three forms and check the device.

    ``to(dtype, non_blocking=False, copy=False)``, ``to(device=None, dtype=None,
    non_blocking=False, copy=False)``, ``to(tensor, non_blocking=False, copy=False)``;
    a positional string is a device (as in torch, ``to("float32")`` is an error).

    Args:
        args, kwargs: the call's arguments.
        where (str): ``"Tensor.to"`` or ``"Module.to"``, for messages.
        tensor_type (type): the Tensor class (a tensor argument gives its dtype).

    Returns:
        tuple: ``(dtype or None, copy)``; the device has been checked.
    """
    kwargs = dict(kwargs)
    dev = kwargs.pop("device", None)
    dtype = kwargs.pop("dtype", None)
    non_blocking = kwargs.pop("non_blocking", None)
    copy = kwargs.pop("copy", None)
    kwargs.pop("memory_format", None)          # one memory layout on the CPU: nothing to do
    if kwargs:
        raise TypeError(f"{where}() got unexpected keyword arguments {sorted(kwargs)}")
    args = list(args)
    if args and isinstance(args[0], tensor_type):           # to(other, ...)
        other = args.pop(0)
        if dev is not None or dtype is not None:
            raise TypeError(f"{where}(): a tensor argument cannot be given with device= or "
                            f"dtype=")
        dtype = other.dtype
    elif args and (args[0] is None or _is_device_like(args[0])):  # to(device, dtype, ...)
        if dev is not None:
            raise TypeError(f"{where}() got multiple values for argument 'device'")
        dev = args.pop(0)
        if args and not isinstance(args[0], (bool, np.bool_)):
            if dtype is not None:
                raise TypeError(f"{where}() got multiple values for argument 'dtype'")
            dtype = args.pop(0)
    elif args and not isinstance(args[0], (bool, np.bool_)):        # to(dtype, ...)
        if dtype is not None:
            raise TypeError(f"{where}() got multiple values for argument 'dtype'")
        dtype = args.pop(0)
    for name, value in zip(("non_blocking", "copy"), args):
        if not isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where}(): expected to(device, dtype, non_blocking, copy) or "
                            f"to(dtype, non_blocking, copy) or to(tensor, non_blocking, copy); "
                            f"got {value!r} where the bool {name} goes")
        if name == "copy":
            copy = value
        elif non_blocking is None:
            non_blocking = value
    if len(args) > 2:
        raise TypeError(f"{where}() takes at most 4 positional arguments, got too many")
    check_device(dev, where)
    if dtype is not None:
        dtype = as_dtype(dtype, where)
    return dtype, bool(copy)


def as_dtype(dtype: Any, where: str) -> np.dtype:
    """``dtype`` (an nnlite/NumPy dtype, a scalar type, a dtype name or a legacy tensor type
    such as ``nl.LongTensor``) as an ``np.dtype``; a TypeError naming ``where`` otherwise.

    Example:
        >>> as_dtype(nl.float32, "to"), as_dtype(nl.LongTensor, "type")
        (dtype('float32'), dtype('int64'))
    """
    if isinstance(dtype, np.dtype):
        return dtype
    if isinstance(getattr(type(dtype), "dtype", None), property):
        dtype = dtype.dtype        # a dtype-like object (nl.bfloat16 raises its own error here,
                                   # which NumPy 1.x's np.dtype would replace by its own)
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"{where}(): cannot use {dtype!r} as a dtype: {e}") from None
    if dt.kind in "OVSUMm":
        raise TypeError(f"{where}(): {dtype!r} is not a tensor dtype (got NumPy dtype {dt})")
    return dt


# ============================================================================
# Tensor type names: 'torch.FloatTensor', as Tensor.type() reports them
# ============================================================================
TYPE_NAMES = {np.dtype(np.float32): "FloatTensor", np.dtype(np.float64): "DoubleTensor",
              np.dtype(np.float16): "HalfTensor", np.dtype(np.int64): "LongTensor",
              np.dtype(np.int32): "IntTensor", np.dtype(np.int16): "ShortTensor",
              np.dtype(np.int8): "CharTensor", np.dtype(np.uint8): "ByteTensor",
              np.dtype(np.bool_): "BoolTensor", np.dtype(np.complex64): "ComplexFloatTensor",
              np.dtype(np.complex128): "ComplexDoubleTensor"}
_NAME_TYPES = {f"torch.{name}": dt for dt, name in TYPE_NAMES.items()}


def type_name(dtype: np.dtype) -> str:
    """torch's name of a CPU tensor type: ``type_name(float32) == 'torch.FloatTensor'``."""
    name = TYPE_NAMES.get(np.dtype(dtype))
    if name is None:
        raise TypeError(f"type(): no tensor type name for dtype {dtype}")
    return f"torch.{name}"


def parse_type(dtype: Any) -> np.dtype:
    """The dtype ``Tensor.type(dtype)`` asks for: a type name such as
    ``'torch.LongTensor'`` (a ``'torch.cuda.'`` one raises ``DeviceError``), a legacy type
    such as ``nl.LongTensor``, or any dtype.

    Example:
        >>> parse_type("torch.DoubleTensor")
        dtype('float64')
    """
    if isinstance(dtype, str):
        if dtype.startswith("torch.cuda."):
            raise cpu_only_error("Tensor.type", "cuda")
        if dtype not in _NAME_TYPES:
            raise ValueError(f"invalid type: {dtype!r}")
        return _NAME_TYPES[dtype]
    return as_dtype(dtype, "type")
