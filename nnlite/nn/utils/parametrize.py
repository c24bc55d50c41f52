"""Parametrizations (torch's ``nn.utils.parametrize``): a parameter or buffer computed by
a module from one or more unconstrained tensors each time it is read.

``register_parametrization(module, "weight", P)`` moves ``module.weight`` into
``module.parametrizations.weight.original`` (a ``ParametrizationList``, holding P and
any later parametrizations of the same name) and makes ``weight`` a property on a
subclass of the module's class (``Parametrized<Class>``, torch's name) that returns
``P(original)``, recorded by autograd; assigning to ``weight`` calls the
parametrizations' ``right_inverse``. When ``P.right_inverse`` returns several tensors
they are stored as ``original0``, ``original1``, ... and ``P.forward`` takes them all.
The state_dict keys are torch's: ``parametrizations.weight.original`` (or
``original0``, ...) and those of P's own parameters and buffers
(``parametrizations.weight.0.<name>``).

Inside ``with cached():`` each parametrized tensor is computed once and reused.
"""
from __future__ import annotations

import contextlib
import copy
from typing import Any, Iterator, Sequence

from ...tensor import Tensor, no_grad
from ..container import ModuleDict, ModuleList
from ..module import Module
from ..parameter import Parameter

__all__ = ["register_parametrization", "remove_parametrizations", "is_parametrized",
           "cached", "ParametrizationList", "type_before_parametrizations"]

_cache_enabled = 0
_cache: dict = {}


@contextlib.contextmanager
def cached() -> Iterator[None]:
    """Within this context each parametrized tensor is computed at its first read and
    the result reused (e.g. a weight read at every time step of an RNN); the cache is
    dropped on exit.

    Example:
        >>> with nn.utils.parametrize.cached():
        ...     out = model(x)
    """
    global _cache_enabled
    _cache_enabled += 1
    try:
        yield
    finally:
        _cache_enabled -= 1
        if not _cache_enabled:
            _cache.clear()


def _set_data(t: Tensor, value: Any) -> None:
    """Replace the values (and shape) of ``t`` in place of identity, as torch's
    ``Tensor.set_`` under no_grad."""
    t.array = (value.array if isinstance(value, Tensor) else value).copy()


def _register(module: Module, name: str, t: Tensor) -> None:
    """Register ``t`` as a parameter if it is one, else as a buffer."""
    if isinstance(t, Parameter):
        module.register_parameter(name, t)
    else:
        module.register_buffer(name, t)


class ParametrizationList(ModuleList):
    """The parametrizations of one tensor, applied in order, and the unconstrained
    tensor(s) they start from: ``original`` or ``original0``, ``original1``, ...

    Args:
        modules (sequence of Module): the parametrizations.
        original (Parameter or Tensor): the tensor being parametrized.
        unsafe (bool): skip the checks that the parametrization keeps the dtype and
            shape. Default: False.
    """

    def __init__(self, modules: Sequence[Module], original: Tensor,
                 unsafe: bool = False) -> None:
        if len(modules) == 0:
            raise ValueError("ParametrizationList requires one or more modules.")
        super().__init__(modules)
        self.unsafe = unsafe
        original_shape, original_dtype = tuple(original.shape), original.dtype
        with no_grad():
            new = original
            for module in reversed(list(self)):
                if hasattr(module, "right_inverse"):
                    new = module.right_inverse(new)
        if not isinstance(new, Tensor) and not isinstance(new, (list, tuple)):
            raise ValueError(f"'right_inverse' must return a Tensor or a Sequence of tensors "
                             f"(list, tuple...). Got {type(new).__name__}")
        self.is_tensor = isinstance(new, Tensor)
        self.ntensors = 1 if self.is_tensor else len(new)
        if self.is_tensor:
            if not unsafe and (new.dtype != original_dtype):
                raise ValueError(f"When `right_inverse` outputs one tensor, it may not change "
                                 f"the dtype.\noriginal.dtype: {original_dtype}\n"
                                 f"right_inverse(original).dtype: {new.dtype}")
            if new is not original:
                _set_data(original, new)
            _register(self, "original", original)
        else:
            for i, t in enumerate(new):
                if not isinstance(t, Tensor):
                    raise ValueError(f"'right_inverse' must return a Tensor or a Sequence of "
                                     f"tensors (list, tuple...). Got element {i} of the "
                                     f"sequence with type {type(t).__name__}.")
                if isinstance(original, Parameter):
                    t = Parameter(t.array.copy(), original.requires_grad)
                else:
                    t = Tensor(t.array.copy())
                _register(self, f"original{i}", t)
        if not unsafe:
            z = self()
            if not isinstance(z, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got "
                                 f"{type(z).__name__}.")
            if z.dtype != original_dtype:
                raise ValueError(f"Registering a parametrization may not change the dtype of "
                                 f"the tensor, unless `unsafe` flag is enabled.\n"
                                 f"unparametrized dtype: {original_dtype}\n"
                                 f"parametrized dtype: {z.dtype}")
            if tuple(z.shape) != original_shape:
                raise ValueError(f"Registering a parametrization may not change the shape of "
                                 f"the tensor, unless `unsafe` flag is enabled.\n"
                                 f"unparametrized shape: {original_shape}\n"
                                 f"parametrized shape: {tuple(z.shape)}")

    def right_inverse(self, value: Tensor) -> None:
        """Set the original tensor(s) so that the parametrized tensor is ``value``, through
        each parametrization's ``right_inverse``, last first."""
        with no_grad():
            for module in reversed(list(self)):
                if not hasattr(module, "right_inverse"):
                    raise RuntimeError(f"parametrization {type(module).__name__} does not "
                                       f"implement right_inverse.")
                value = module.right_inverse(value)
            if self.is_tensor:
                if not isinstance(value, Tensor):
                    raise ValueError(f"`right_inverse` should return a tensor. Got "
                                     f"{type(value).__name__}")
                _set_data(self.original, value)
            else:
                if not isinstance(value, (list, tuple)) or len(value) != self.ntensors:
                    raise ValueError(f"'right_inverse' must return a sequence of "
                                     f"{self.ntensors} tensors, got {value!r}")
                for i, t in enumerate(value):
                    _set_data(getattr(self, f"original{i}"), t)

    def forward(self) -> Tensor:
        if self.is_tensor:
            x = self[0](self.original)
        else:
            x = self[0](*(getattr(self, f"original{i}") for i in range(self.ntensors)))
        for module in list(self)[1:]:
            x = module(x)
        return x


def _inject_new_class(module: Module) -> None:
    """Make ``module`` an instance of ``Parametrized<Class>``, a subclass of its class
    that will hold the properties (pickling refuses it, as torch; deepcopy copies it)."""
    cls = module.__class__

    def getstate(self: Any) -> Any:
        raise RuntimeError("Serialization of parametrized modules is only supported through "
                           "state_dict().")

    def deepcopy(self: Any, memo: dict) -> Any:
        if id(self) in memo:
            return memo[id(self)]
        replica = self.__new__(self.__class__)
        memo[id(self)] = replica
        replica.__dict__ = copy.deepcopy(self.__dict__, memo)
        return replica

    param_cls = type(f"Parametrized{cls.__name__}", (cls,),
                     {"__getstate__": getstate, "__deepcopy__": deepcopy})
    module.__class__ = param_cls


def _inject_property(module: Module, tensor_name: str) -> None:
    """``tensor_name`` becomes a property of the module's (parametrized) class."""

    def get_parametrized(self: Module) -> Tensor:
        parametrization = self.parametrizations[tensor_name]
        if _cache_enabled:
            key = (id(self), tensor_name)
            tensor = _cache.get(key)
            if tensor is None:
                tensor = parametrization()
                _cache[key] = tensor
            return tensor
        return parametrization()

    def set_original(self: Module, value: Tensor) -> None:
        self.parametrizations[tensor_name].right_inverse(value)

    setattr(module.__class__, tensor_name, property(get_parametrized, set_original))


def is_parametrized(module: Module, tensor_name: str | None = None) -> bool:
    """Whether ``module`` has a parametrization (on ``tensor_name``, or on any tensor when
    None).

    Example:
        >>> is_parametrized(nn.Linear(2, 2))
        False
    """
    parametrizations = module._modules.get("parametrizations") \
        if isinstance(module, Module) else None
    if parametrizations is None or not isinstance(parametrizations, ModuleDict):
        return False
    if tensor_name is None:
        return len(parametrizations) > 0
    return tensor_name in parametrizations


def type_before_parametrizations(module: Module) -> type:
    """The module's class before parametrizations were registered (its own class when
    it has none)."""
    if is_parametrized(module):
        return module.__class__.__bases__[0]
    return type(module)


def register_parametrization(module: Module, tensor_name: str, parametrization: Module, *,
                             unsafe: bool = False) -> Module:
    """Parametrize ``module.<tensor_name>`` (a parameter, a buffer or an already
    parametrized tensor) by ``parametrization``.

    Args:
        module (Module): holds the tensor.
        tensor_name (str): its name.
        parametrization (Module): ``forward`` maps the original tensor(s) to the
            parametrized one; an optional ``right_inverse`` maps a value back (and may
            return a tuple of tensors, stored as ``original0``, ``original1``, ...).
        unsafe (bool): allow a parametrization that changes the dtype or shape.
            Default: False.

    Returns:
        the module.

    Example:
        >>> class Symmetric(nn.Module):
        ...     def forward(self, X):
        ...         return X.triu() + X.triu(1).transpose(-1, -2)
        >>> m = nn.Linear(5, 5)
        >>> _ = nn.utils.parametrize.register_parametrization(m, "weight", Symmetric())
        >>> list(m.state_dict())
        ['bias', 'parametrizations.weight.original']
    """
    parametrization.train(module.training)
    if is_parametrized(module, tensor_name):
        if not unsafe:
            y = getattr(module, tensor_name)
            x = parametrization(y)
            if not isinstance(x, Tensor):
                raise ValueError(f"A parametrization must return a tensor. Got "
                                 f"{type(x).__name__}.")
            if x.dtype != y.dtype or tuple(x.shape) != tuple(y.shape):
                raise ValueError(f"Registering a parametrization may not change the dtype or "
                                 f"shape of the tensor, unless `unsafe` flag is enabled "
                                 f"(got {x.dtype} {tuple(x.shape)}, expected {y.dtype} "
                                 f"{tuple(y.shape)})")
        plist = module.parametrizations[tensor_name]
        plist.append(parametrization)
        plist.unsafe |= unsafe
    elif tensor_name in module._buffers or tensor_name in module._parameters:
        original = getattr(module, tensor_name)
        if original is None:
            raise ValueError(f"register_parametrization: {tensor_name!r} of "
                             f"{type(module).__name__} is None")
        parametrizations = ParametrizationList([parametrization], original, unsafe=unsafe)
        delattr(module, tensor_name)
        if not is_parametrized(module):
            _inject_new_class(module)
            module.parametrizations = ModuleDict()
        module.parametrizations[tensor_name] = parametrizations
        _inject_property(module, tensor_name)
    else:
        raise ValueError(f"Module '{module}' does not have a parameter, a buffer, or a "
                         f"parametrized element with name '{tensor_name}'")
    return module


def remove_parametrizations(module: Module, tensor_name: str,
                            leave_parametrized: bool = True) -> Module:
    """Remove the parametrizations of ``module.<tensor_name>``.

    Args:
        module (Module): holds the parametrized tensor.
        tensor_name (str): its name.
        leave_parametrized (bool): keep the current parametrized value (True) or the
            original tensor (False) as the plain parameter or buffer. Default: True.

    Returns:
        the module (of its class before the parametrizations once none are left).

    Example:
        >>> _ = nn.utils.parametrize.remove_parametrizations(m, "weight")
    """
    if not is_parametrized(module, tensor_name):
        raise ValueError(f"Module {module} does not have a parametrization on {tensor_name}")
    parametrizations = module.parametrizations[tensor_name]
    if parametrizations.is_tensor:
        original = parametrizations.original
        if leave_parametrized:
            with no_grad():
                t = getattr(module, tensor_name)
            _set_data(original, t)
    else:
        if not leave_parametrized:
            raise ValueError("Cannot leave unparametrized (`leave_parametrized=False`) a tensor "
                             "that is parametrized in terms of a sequence of tensors.")
        with no_grad():
            t = getattr(module, tensor_name)
        if parametrizations.original0.requires_grad:
            original = Parameter(t.array.copy(), True)
        else:
            original = Tensor(t.array.copy())
    delattr(module.__class__, tensor_name)
    del module.parametrizations[tensor_name]
    _register(module, tensor_name, original)
    if not is_parametrized(module):
        delattr(module, "parametrizations")
        module.__class__ = module.__class__.__bases__[0]
    return module
