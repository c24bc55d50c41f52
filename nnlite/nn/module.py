"""``Module``, the base class of every layer and model (the containers built on it are in
``container.py``).

A Module keeps three ordered registries, filled by plain attribute assignment:

* ``_parameters``: name -> ``Parameter`` (or None), learnable, in ``parameters()``;
* ``_buffers``: name -> ``Tensor`` (or None), state that is not learned (BatchNorm's
  running statistics); persistent buffers are saved in ``state_dict()``;
* ``_modules``: name -> child ``Module`` (or None).

``state_dict()`` walks them in that order, own entries first, then each child with the
prefix ``"child."``, which gives the same keys as the equivalent PyTorch module. The values
are the NumPy arrays themselves (shared, as torch's are), and ``load_state_dict`` copies
into those arrays in place, so optimisers and other holders of ``p.array`` see the new
values.

Sections: hooks and small helpers -- Module.
"""
from __future__ import annotations

import itertools
from collections import OrderedDict, namedtuple
from collections.abc import Iterator, Mapping
from typing import Any, Callable

import numpy as np

from .. import devices as _devices
from ..tensor import Tensor
from .parameter import Parameter

__all__ = ["Module", "Parameter", "RemovableHandle"]


# ============================================================================
# Hooks and small helpers
# ============================================================================
class RemovableHandle:
    """Returned by ``register_forward_hook`` / ``register_forward_pre_hook``.

    ``handle.remove()`` takes the hook out; the handle also works as a context manager
    (the hook is removed on exit).
    """

    _next_id = 0

    def __init__(self, hooks: dict) -> None:
        self._hooks = hooks
        self.id = RemovableHandle._next_id
        RemovableHandle._next_id += 1

    def remove(self) -> None:
        self._hooks.pop(self.id, None)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.remove()


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it could not match."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _addindent(s: str, num_spaces: int) -> str:
    """Indent every line but the first (for nested reprs)."""
    lines = s.split("\n")
    if len(lines) == 1:
        return s
    first = lines.pop(0)
    return first + "\n" + "\n".join(num_spaces * " " + line for line in lines)


def _check_name(kind: str, name: Any) -> None:
    """Shared checks of ``register_buffer`` / ``register_parameter`` / ``add_module``."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string, got {type(name).__name__}")
    if name == "":
        raise KeyError(f'{kind} name cannot be the empty string ""')
    if "." in name:
        raise KeyError(f'{kind} name cannot contain ".", got "{name}"')


def _as_source_array(value: Any) -> np.ndarray:
    """A ``load_state_dict`` value as an ndarray (Tensors give their array)."""
    if isinstance(value, Tensor):
        return value.array
    return np.asarray(value)


# ============================================================================
# Module
# ============================================================================
class Module:
    """Base class of all layers and models.

    Subclasses call ``super().__init__()`` first, assign Parameters, buffers (through
    ``register_buffer``) and child Modules as attributes, and define ``forward``. Calling
    the module runs ``forward`` (and any registered hooks).

    Attributes:
        training (bool): True in training mode (``train()``), False after ``eval()``.

    Example:
        >>> class MLP(nn.Module):
        ...     def __init__(self):
        ...         super().__init__()
        ...         self.fc1 = nn.Linear(4, 8)
        ...         self.fc2 = nn.Linear(8, 2)
        ...
        ...     def forward(self, x):
        ...         return self.fc2(F.relu(self.fc1(x)))
        >>> [k for k in MLP().state_dict()]
        ['fc1.weight', 'fc1.bias', 'fc2.weight', 'fc2.bias']
    """

    training: bool
    _parameters: dict
    _buffers: dict
    _modules: dict

    def __init__(self) -> None:
        setattr_ = object.__setattr__
        setattr_(self, "training", True)
        setattr_(self, "_parameters", {})
        setattr_(self, "_buffers", {})
        setattr_(self, "_non_persistent_buffers_set", set())
        setattr_(self, "_modules", {})
        setattr_(self, "_forward_pre_hooks", {})
        setattr_(self, "_forward_hooks", {})

    def forward(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{self._get_name()}] is missing the required '
                                  f'"forward" function')

    # ---- calling -------------------------------------------------------------
    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._forward_pre_hooks or self._forward_hooks:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict) -> Any:
        for hook, with_kwargs in list(self._forward_pre_hooks.values()):
            if with_kwargs:
                result = hook(self, args, kwargs)
                if result is not None:
                    if not (isinstance(result, tuple) and len(result) == 2):
                        raise RuntimeError(f"forward pre-hook must return None or a tuple of "
                                           f"(new_args, new_kwargs), got {result!r}")
                    args, kwargs = result
            else:
                result = hook(self, args)
                if result is not None:
                    args = result if isinstance(result, tuple) else (result,)
        output = self.forward(*args, **kwargs)
        for hook, with_kwargs in list(self._forward_hooks.values()):
            result = hook(self, args, kwargs, output) if with_kwargs else hook(self, args, output)
            if result is not None:
                output = result
        return output

    def _add_hook(self, hooks: dict, hook: Callable, with_kwargs: bool,
                  prepend: bool) -> RemovableHandle:
        if not callable(hook):
            raise TypeError(f"hook must be callable, got {type(hook).__name__}")
        handle = RemovableHandle(hooks)
        hooks[handle.id] = (hook, bool(with_kwargs))
        if prepend:
            items = list(hooks.items())
            hooks.clear()
            hooks.update([items[-1]] + items[:-1])
        return handle

    def register_forward_pre_hook(self, hook: Callable, *, prepend: bool = False,
                                  with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args)`` before every ``forward``.

        The hook may return None (inputs unchanged) or new positional inputs (a tuple,
        or a single value). With ``with_kwargs=True`` it is called as
        ``hook(module, args, kwargs)`` and may return ``(args, kwargs)``.
        ``prepend=True`` runs it before the hooks already registered.

        Returns:
            a handle whose ``remove()`` unregisters the hook.
        """
        return self._add_hook(self._forward_pre_hooks, hook, with_kwargs, prepend)

    def register_forward_hook(self, hook: Callable, *, prepend: bool = False,
                              with_kwargs: bool = False) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after every ``forward``.

        A non-None return value replaces the output. With ``with_kwargs=True`` the hook
        is called as ``hook(module, args, kwargs, output)``.

        Returns:
            a handle whose ``remove()`` unregisters the hook.
        """
        return self._add_hook(self._forward_hooks, hook, with_kwargs, prepend)

    # ---- attribute routing -----------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only runs when normal lookup failed: parameters, buffers and children live in
        # the registries, not in __dict__.
        d = self.__dict__
        if "_parameters" in d:
            if name in d["_parameters"]:
                return d["_parameters"][name]
            if name in d["_buffers"]:
                return d["_buffers"][name]
            if name in d["_modules"]:
                return d["_modules"][name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._discard(name, keep="_parameters")
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' object to parameter "
                                f"'{name}' of {self._get_name()} (nn.Parameter or None "
                                f"required; wrap the tensor as nn.Parameter(...))")
            params[name] = None
        elif isinstance(value, Module):
            modules = d.get("_modules")
            if modules is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._discard(name, keep="_modules")
            modules[name] = value
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' object to child "
                                f"module '{name}' of {self._get_name()} (nn.Module or None "
                                f"required)")
            d["_modules"][name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{type(value).__name__}' object to buffer "
                                f"'{name}' of {self._get_name()} (Tensor or None required)")
            d["_buffers"][name] = value
        else:
            object.__setattr__(self, name, value)

    def _discard(self, name: str, keep: str) -> None:
        """Forget ``name`` in ``__dict__`` and in the registries other than ``keep``
        (where a replacement keeps its position)."""
        d = self.__dict__
        d.pop(name, None)
        for registry in ("_parameters", "_buffers", "_modules"):
            if registry != keep:
                d[registry].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __delattr__(self, name: str) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()):
            del d["_parameters"][name]
        elif name in d.get("_buffers", ()):
            del d["_buffers"][name]
            d["_non_persistent_buffers_set"].discard(name)
        elif name in d.get("_modules", ()):
            del d["_modules"][name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> list:
        keys = itertools.chain(dir(type(self)), self.__dict__, self._parameters,
                               self._modules, self._buffers)
        return sorted({k for k in keys if not k[:1].isdigit()})

    # ---- registration ----------------------------------------------------------
    def register_buffer(self, name: str, tensor: Tensor | None, persistent: bool = True) -> None:
        """Add a buffer: module state that is not a parameter (e.g. running statistics).

        Args:
            name (str): attribute name (no ".", not empty, not already used).
            tensor (Tensor or None): the buffer; None leaves a registered empty slot.
            persistent (bool): whether ``state_dict()`` includes it. Default: True.

        Example:
            >>> self.register_buffer("running_mean", nl.zeros(num_features))
        """
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", name)
        if hasattr(self, name) and name not in self._buffers:
            raise KeyError(f"attribute '{name}' already exists")
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{type(tensor).__name__}' object to buffer "
                            f"'{name}' (Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Add a parameter (or a None slot, as ``Linear(bias=False)`` does for ``bias``).

        Args:
            name (str): attribute name (no ".", not empty, not already used).
            param (Parameter or None): the parameter.
        """
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", name)
        if hasattr(self, name) and name not in self._parameters:
            raise KeyError(f"attribute '{name}' already exists")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{type(param).__name__}' object to parameter "
                            f"'{name}' (nn.Parameter or None required)")
        self._parameters[name] = param

    def add_module(self, name: str, module: "Module | None") -> None:
        """Add a child module, reachable as the attribute ``name``."""
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        _check_name("module", name)
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        self._modules[name] = module

    register_module = add_module

    def get_submodule(self, target: str) -> "Module":
        """The child at the dotted path ``target`` (``""`` is this module).

        Example:
            >>> model.get_submodule("encoder.layers.0")
        """
        if target == "":
            return self
        mod = self
        for item in target.split("."):
            if not isinstance(mod, Module) or item not in mod._modules:
                raise AttributeError(f"{mod._get_name()} has no submodule `{item}` "
                                     f"(looking up {target!r})")
            mod = mod._modules[item]
            if mod is None:
                raise AttributeError(f"`{item}` is None, not an nn.Module (looking up "
                                     f"{target!r})")
        return mod

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at the dotted path ``target`` (e.g. ``"fc1.weight"``)."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._parameters or mod._parameters[name] is None:
            raise AttributeError(f"{mod._get_name()} has no parameter `{name}`")
        return mod._parameters[name]

    def get_buffer(self, target: str) -> Tensor:
        """The buffer at the dotted path ``target`` (e.g. ``"bn.running_mean"``)."""
        module_path, _, name = target.rpartition(".")
        mod = self.get_submodule(module_path)
        if name not in mod._buffers or mod._buffers[name] is None:
            raise AttributeError(f"{mod._get_name()} has no buffer `{name}`")
        return mod._buffers[name]

    # ---- iteration -------------------------------------------------------------
    def _named_members(self, registry: str, prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[tuple]:
        memo = set()
        modules = (self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate)
                   if recurse else [(prefix, self)])
        for module_prefix, module in modules:
            for k, v in module.__dict__[registry].items():
                if v is None or id(v) in memo:
                    continue
                if remove_duplicate:
                    memo.add(id(v))
                yield (module_prefix + "." + k if module_prefix else k), v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple]:
        """Yield ``(name, parameter)`` pairs, own parameters first, then children's.

        Args:
            prefix (str): prepended to every name. Default: ''.
            recurse (bool): include the parameters of submodules. Default: True.
            remove_duplicate (bool): yield a shared parameter once. Default: True.
        """
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Yield the parameters (each shared parameter once); what optimisers take."""
        for _, p in self._named_members("_parameters", "", recurse, True):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        """Yield ``(name, buffer)`` pairs, persistent or not."""
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        for _, b in self._named_members("_buffers", "", recurse, True):
            yield b

    def named_children(self) -> Iterator[tuple]:
        """Yield ``(name, module)`` for the direct children (each module once)."""
        memo = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in memo:
                memo.add(id(module))
                yield name, module

    def children(self) -> Iterator["Module"]:
        for _, module in self.named_children():
            yield module

    def named_modules(self, memo: set | None = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[tuple]:
        """Yield ``(name, module)`` for this module (name ``prefix``) and every
        descendant, depth first, each module once unless ``remove_duplicate=False``."""
        if memo is None:
            memo = set()
        if id(self) in memo:
            return
        if remove_duplicate:
            memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is None:
                continue
            sub = prefix + "." + name if prefix else name
            yield from module.named_modules(memo, sub, remove_duplicate)

    def modules(self) -> Iterator["Module"]:
        for _, module in self.named_modules():
            yield module

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every submodule (children first) and then on self; returns
        self. Typical use: custom initialisation.

        Example:
            >>> def init_weights(m):
            ...     if isinstance(m, nn.Linear):
            ...         nn.init.xavier_uniform_(m.weight)
            >>> model.apply(init_weights)
        """
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ---- modes and gradients ---------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``mode=True``) or evaluation mode on self and every
        descendant; returns self."""
        if not isinstance(mode, bool):
            raise ValueError(f"train: training mode is expected to be boolean, got {mode!r}")
        self.training = mode
        for module in self.children():
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """Evaluation mode (``train(False)``); returns self."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Switch gradient recording on (or off, to freeze) for every parameter."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset the gradients of every parameter.

        Args:
            set_to_none (bool): set ``.grad`` to None (the default, as torch) instead of
                a fresh array of zeros. The old array is never written to, since
                ``.grad`` arrays may be shared. Default: True.
        """
        for p in self.parameters():
            if p.grad is not None:
                p.grad = None if set_to_none else np.zeros(p.array.shape, p.array.dtype)

    # ---- dtype -----------------------------------------------------------------
    def _apply(self, fn: Callable[[np.ndarray], np.ndarray]) -> "Module":
        """Replace each parameter's and buffer's array (and gradient) by ``fn(array)``,
        recursively. The Parameter objects themselves are kept, so optimisers that hold
        them stay valid."""
        for p in self.parameters():
            p.array = fn(p.array)
            if p.grad is not None:
                p.grad = fn(p.grad.array)
        for b in self.buffers():
            b.array = fn(b.array)
        return self

    def _cast_floating(self, dtype: Any) -> "Module":
        dtype = np.dtype(dtype)
        return self._apply(lambda a: a.astype(dtype, copy=False) if a.dtype.kind == "f" else a)

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Move and/or cast the parameters and buffers, as torch's ``Module.to``:
        ``to(device)``, ``to(dtype)``, ``to(device, dtype)``, ``to(tensor)`` (its dtype),
        ``to(device=None, dtype=None, non_blocking=False)``. In place; returns self.

        nnlite runs on the CPU only: ``"cpu"`` is accepted and any other device raises
        ``DeviceError``; ``non_blocking`` is accepted (nothing runs asynchronously). Only
        floating parameters and buffers are cast; integer buffers (e.g. counters) keep
        their dtype.

        Example:
            >>> device = "cuda" if nl.cuda.is_available() else "cpu"
            >>> model = nn.Linear(2, 3).to(device)
            >>> model.to(nl.float64).weight.dtype
            dtype('float64')
        """
        dtype, _ = _devices.parse_to(args, kwargs, "Module.to", Tensor)
        if dtype is None:
            return self
        if dtype.kind not in "fc":
            raise TypeError(f"nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        return self._cast_floating(dtype)

    def float(self) -> "Module":
        """Cast floating parameters and buffers to float32; returns self."""
        return self._cast_floating(np.float32)

    def double(self) -> "Module":
        """Cast floating parameters and buffers to float64; returns self."""
        return self._cast_floating(np.float64)

    def half(self) -> "Module":
        """Cast floating parameters and buffers to float16; returns self."""
        return self._cast_floating(np.float16)

    def bfloat16(self) -> "Module":
        """Not supported (NumPy has no bfloat16): raises a TypeError that says so."""
        raise TypeError("bfloat16 is not supported: NumPy has no bfloat16 dtype; use "
                        "float32 (or float16)")

    def type(self, dst_type: Any) -> "Module":
        """Cast every parameter and buffer to ``dst_type`` (a dtype, a type name such as
        'torch.DoubleTensor' or a legacy type); returns self, as torch."""
        dtype = _devices.parse_type(dst_type)
        return self._apply(lambda a: a.astype(dtype))

    def cpu(self) -> "Module":
        """Self: nnlite modules are on the CPU already."""
        return self

    def cuda(self, device: Any = None) -> "Module":
        """Raises ``DeviceError``: nnlite runs on the CPU only (``nl.cuda.is_available()``
        is False)."""
        raise _devices.cpu_only_error("Module.cuda", "cuda" if device is None else device)

    # ---- state dict ------------------------------------------------------------
    def _save_to_state_dict(self, destination: dict, prefix: str, keep_vars: bool) -> None:
        """Put this module's own parameters and persistent buffers in ``destination``."""
        for name, p in self._parameters.items():
            if p is not None:
                destination[prefix + name] = p if keep_vars else p.array
        skip = self._non_persistent_buffers_set
        for name, b in self._buffers.items():
            if b is not None and name not in skip:
                destination[prefix + name] = b if keep_vars else b.array

    def state_dict(self, *args: Any, destination: dict | None = None, prefix: str = "",
                   keep_vars: bool = False) -> "OrderedDict[str, np.ndarray]":
        """An ordered dict of every parameter and persistent buffer, by dotted name.

        Keys, shapes and layouts are those of the equivalent PyTorch module, so weights
        move between the two by name. The values are the arrays themselves, not
        copies: they change when the model trains (as torch's do); copy them
        (``{k: v.copy() ...}``) to keep a snapshot.

        Args:
            destination (dict, optional): fill this mapping instead of a new one.
            prefix (str): prepended to every key. Default: ''.
            keep_vars (bool): return the Parameter / Tensor objects instead of their
                arrays. Default: False.

        Example:
            >>> sd = nn.Linear(3, 2).state_dict()
            >>> [(k, v.shape) for k, v in sd.items()]
            [('weight', (2, 3)), ('bias', (2,))]
        """
        if args:                       # torch's deprecated positional form
            destination = args[0]
            if len(args) > 1:
                prefix = args[1]
            if len(args) > 2:
                keep_vars = args[2]
        if destination is None:
            destination = OrderedDict()
        self._save_to_state_dict(destination, prefix, keep_vars)
        for name, module in self._modules.items():
            if module is not None:
                module.state_dict(destination=destination, prefix=prefix + name + ".",
                                  keep_vars=keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict: Mapping, prefix: str, missing_keys: list,
                              unexpected_keys: list, error_msgs: list, copies: list) -> None:
        """Match this module's own entries in ``state_dict`` (keys starting with
        ``prefix``): record missing, unexpected and wrongly shaped keys, and append
        ``(destination array, source array)`` pairs to ``copies``. Nothing is written
        here: ``load_state_dict`` copies only once every check has passed.

        Subclasses may override it (e.g. to upgrade old checkpoints) and call super().
        """
        own = [(k, v) for k, v in self._parameters.items() if v is not None]
        own += [(k, v) for k, v in self._buffers.items()
                if v is not None and k not in self._non_persistent_buffers_set]
        local = {}
        for name, target in own:
            local[name] = target
            key = prefix + name
            if key not in state_dict:
                missing_keys.append(key)
                continue
            try:
                src = _as_source_array(state_dict[key])
            except Exception as exc:  # noqa: BLE001 - reported by name below
                error_msgs.append(f'While copying the parameter named "{key}", an exception '
                                  f'occurred: {exc}')
                continue
            dest = target.array
            if dest.ndim == 0 and src.shape == (1,):      # old checkpoints (as torch)
                src = src[0]
            if src.shape != dest.shape:
                error_msgs.append(f"size mismatch for {key}: copying a param with shape "
                                  f"{tuple(src.shape)} from checkpoint, the shape in current "
                                  f"model is {tuple(dest.shape)}.")
                continue
            if src.dtype.kind not in "biufc":
                error_msgs.append(f'While copying the parameter named "{key}": expected '
                                  f'numbers, got an array of dtype {src.dtype}.')
                continue
            copies.append((dest, src))
        for key in state_dict:
            if not key.startswith(prefix):
                continue
            head, dot, _ = key[len(prefix):].partition(".")
            if dot:
                if head not in self._modules:
                    unexpected_keys.append(key)
            elif head not in local:
                unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping, strict: bool = True) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and persistent buffers.

        Values may be anything ``np.asarray`` accepts (arrays, Tensors, nested lists,
        ``torch_tensor.numpy()``); they are copied in place into the existing arrays and
        cast to their dtypes. All keys are checked before anything is written, so a
        load that raises leaves the model unchanged.

        Args:
            state_dict (Mapping): name -> value, as returned by ``state_dict()``.
            strict (bool): raise if some keys are missing or unexpected. Shape mismatches
                raise either way. Default: True.

        Returns:
            a namedtuple ``(missing_keys, unexpected_keys)`` of lists of names.

        Raises:
            RuntimeError: listing the missing keys, unexpected keys and shape mismatches
                by name (with both shapes).

        Example:
            >>> model.load_state_dict(nl.load("model.npz"))
            <All keys matched successfully>
        """
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"load_state_dict: expected state_dict to be dict-like, got "
                            f"{type(state_dict).__name__}")
        for key in state_dict:
            if not isinstance(key, str):
                raise TypeError(f"load_state_dict: keys must be strings, got {key!r} "
                                f"({type(key).__name__})")
        missing_keys: list = []
        unexpected_keys: list = []
        error_msgs: list = []
        copies: list = []

        def load(module: Module, local_state: Mapping, prefix: str) -> None:
            module._load_from_state_dict(local_state, prefix, missing_keys, unexpected_keys,
                                         error_msgs, copies)
            for name, child in module._modules.items():
                if child is not None:
                    child_prefix = prefix + name + "."
                    child_state = {k: v for k, v in local_state.items()
                                   if k.startswith(child_prefix)}
                    load(child, child_state, child_prefix)

        load(self, state_dict, "")
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                self._get_name(), "\n\t".join(error_msgs)))
        for dest, src in copies:
            np.copyto(dest, src, casting="unsafe")
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # ---- repr ------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The layer's settings, shown inside its repr; subclasses override it."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        main = self._get_name() + "("
        if lines:
            if len(extra_lines) == 1 and not child_lines:
                main += extra_lines[0]
            else:
                main += "\n  " + "\n  ".join(lines) + "\n"
        return main + ")"

