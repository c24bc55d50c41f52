"""``Function``, the one protocol every differentiable op is written in, and the graph's
other node kinds: ``AccumulateGrad`` (a leaf) and ``OutputEdge`` (one output of an op
that has several).

The protocol is PyTorch's ``autograd.Function``; ``Function``'s docstring states it
with a worked example. ``Fn.apply`` creates the node (which is also the ``ctx`` both
static methods receive), runs ``forward`` on the arrays of the Tensor arguments, wraps
the outputs, and, when grad mode is on and an input requires grad, records the node:
it keeps its inputs' nodes (``parents``) and the arrays ``save_for_backward`` was given
(``saved``), never the tensors, so intermediate arrays nobody saved are freed as soon
as possible. The engine (``engine.py``) later walks these nodes backward.
"""
from __future__ import annotations

import weakref
from operator import is_not
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, from_numpy
from . import grad_mode as _mode


class Function:
    """Base class of every differentiable op (``nl.autograd.Function``).

    An op is a subclass with two static methods, as in PyTorch:

    - ``forward(ctx, *args)`` receives each Tensor argument as its NumPy array and every
      other argument unchanged, and returns an array or a tuple of arrays (one output
      Tensor each). It stores what backward needs on ``ctx``: arrays through
      ``ctx.save_for_backward(*arrays)``, plain Python values (shapes, axes, flags) as
      attributes. ``ctx.mark_non_differentiable(*outputs)`` marks outputs such as indices.
    - ``backward(ctx, *grads)`` receives one gradient per output (``None`` for an output
      that received none) and returns one gradient per ``forward`` argument (``None``
      for a non-Tensor argument or one that needs none; ``ctx.needs_input_grad[i]``
      says which are wanted; trailing ``None`` may be left out). ``ctx.saved_tensors``
      gives back what was saved. An input broadcast by the op gets its gradient summed
      back to its shape by the engine when the class sets ``broadcasts = True``.

    A rule is written once: it runs on arrays, and under ``backward(create_graph=True)``
    the engine runs the same rule on Tensors (the gradients, and the saved inputs and
    outputs re-attached to the graph), so what it computes is recorded and can be
    differentiated again. Rules therefore use what arrays and Tensors share (operators,
    ``.sum``, ``.reshape``, ``.T``, NumPy ufuncs); an op whose rule needs another op calls
    ``Other.apply(...)``: on arrays alone, ``apply`` only runs ``forward`` and returns
    arrays, on Tensors it records. A rule that can only run on arrays is decorated with
    ``@once_differentiable``. Rules never write into the gradients they receive.

    Example (``nnlite/ops/pointwise.py`` holds ops written this way)::

        class Exp(Function):
            \"\"\"y = exp(x);  gx = gy * y\"\"\"

            @staticmethod
            def forward(ctx, x):
                y = np.exp(x)
                ctx.save_for_backward(y)
                return y

            @staticmethod
            def backward(ctx, gy):
                (y,) = ctx.saved_tensors
                return gy * y

        y = Exp.apply(x)            # x a Tensor: y a Tensor with y.grad_fn an Exp node
    """

    broadcasts = False       # inputs may broadcast: the engine sums gradients back
    double_backward = True   # False when backward is marked @once_differentiable
    parents: tuple | None = ()
    saved: tuple = ()
    in_shapes: tuple | None = None
    hooks: list | None = None
    out_dtype: Any = None    # the output's dtype (a tuple for several): gradients get it
    n_outputs = 1
    non_differentiable: tuple = ()
    _legacy = False          # written in the old instance protocol (being converted)
    save_inputs = save_output = False   # the old protocol's saving flags
    # ``_sources``: the ids of the outputs, then of the input arrays, when the node was
    # recorded; a saved array with one of those ids is that output or input (it has been
    # alive since), which lets the engine re-attach it under ``create_graph``
    __slots__ = ("_sources", "__dict__", "__weakref__")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        fwd = cls.__dict__.get("forward")
        if fwd is not None:
            cls._legacy = not isinstance(fwd, staticmethod)
            # ``apply`` as the class's own attribute: a plain classmethod (or, for an op
            # in the old protocol, the instance method), no descriptor of ours per call
            cls.apply = Function._legacy_apply if cls._legacy else classmethod(Function.apply.__func__)
        bwd = cls.__dict__.get("backward")
        if getattr(getattr(bwd, "__func__", bwd), "once_differentiable", False):
            cls.double_backward = False

    # ---- what forward and backward call on ctx --------------------------------
    def save_for_backward(self, *arrays: Any) -> None:
        """Keep these arrays (or ``None``) for ``backward`` (read them as ``ctx.saved_tensors``)."""
        self.saved = arrays

    @property
    def saved_tensors(self) -> tuple:
        return self.saved

    def mark_non_differentiable(self, *outputs: np.ndarray) -> None:
        """Outputs (e.g. indices) that get no gradient: their Tensors do not require grad."""
        self.non_differentiable = tuple(id(o) for o in outputs)

    @property
    def needs_input_grad(self) -> tuple:
        """Per ``forward`` argument: whether backward must return its gradient."""
        return tuple([p is not None for p in self.parents])

    # ---- running an op ----------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any) -> Any:
        """``Fn.apply(*args)``: run the op; the outputs are Tensors, recorded in the graph
        if an argument is a Tensor that requires grad. On arrays alone (no Tensor among
        the arguments) only ``forward`` runs and its arrays are returned: that is how a
        backward rule calls another op."""
        ctx = _new_node(cls)
        arrays = [a.data if isinstance(a, Tensor) else a for a in args]
        ys = cls.forward(ctx, *arrays)
        if _mode._grad_enabled:
            parents = tuple([a._node if isinstance(a, Tensor) else None for a in args])
            if any(parents):
                return ctx._wrap(ys, arrays, parents)
        if any(map(is_not, args, arrays)):  # Tensor arguments: Tensor outputs, unrecorded
            return ctx._wrap(ys, arrays, None)
        return ys

    def _wrap(self, ys: Any, arrays: list, parents: tuple | None) -> Any:
        """Wrap ``forward``'s result as Tensors; with ``parents``, record this node."""
        if ys.__class__ is tuple:
            return self._wrap_several(ys, arrays, parents)
        if ys.__class__ is not np.ndarray:         # NumPy gives scalars for 0-d results
            ys = self._as_arrays((ys,))[0]
        out = from_numpy(ys)
        if parents is not None:
            self.parents = parents
            self.out_dtype = ys.dtype
            if self.saved:
                self._sources = (id(ys), *map(id, arrays))
            if self.broadcasts:
                shapes = tuple([a.shape for a in arrays])
                if shapes.count(ys.shape) != len(shapes):
                    self.in_shapes = shapes
            out._node = self
        if _mode._anomaly:
            _check_finite(ys, self, "forward output")
        return out

    def _wrap_several(self, ys: tuple, arrays: list, parents: tuple | None) -> tuple:
        """``_wrap`` for a forward that returned a tuple: each output's Tensor hangs from
        an ``OutputEdge`` (none for an output marked non-differentiable)."""
        ys = self._as_arrays(ys)
        outs = []
        for k, y in enumerate(ys):
            t = from_numpy(y)
            if parents is not None and id(y) not in self.non_differentiable:
                t._node = OutputEdge(self, k)
            outs.append(t)
        if parents is not None:
            self.parents = parents
            self.n_outputs = len(ys)
            self.out_dtype = tuple([y.dtype for y in ys])
            if self.saved:
                self._sources = (*map(id, ys), *map(id, arrays))
        if _mode._anomaly:
            for y in ys:
                _check_finite(y, self, "forward output")
        return tuple(outs)

    def _as_arrays(self, outs: tuple) -> tuple:
        """The outputs as arrays (a NumPy scalar becomes a 0-d array), in ``saved`` too."""
        arrays = tuple([y if y.__class__ is np.ndarray else np.asarray(y) for y in outs])
        if self.saved:
            swap = {id(y): a for y, a in zip(outs, arrays)}
            self.saved = tuple([swap.get(id(s), s) for s in self.saved])
        return arrays

    def _legacy_apply(self, *xs: "Tensor") -> "Tensor":
        """The old protocol (instance ``forward(*arrays)``, ``save_inputs``/``save_output``),
        kept while ops move to the static-method one."""
        arrays = [x.data for x in xs]
        y = self.forward(*arrays)
        if self.save_inputs:
            self.saved = (*arrays, y) if self.save_output else tuple(arrays)
        elif self.save_output:
            self.saved = (y,)
        parents = None
        if _mode._grad_enabled:
            parents = tuple([x._node for x in xs])
            if not any(parents):
                parents = None
        return self._wrap(y, arrays, parents)

    def needs_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (old protocol)."""
        return self.parents[i] is not None

    def name(self) -> str:
        """The node's name: the class's, ``Fn`` suffix dropped, + ``Backward``. (A Function
        whose op shares a layer's name is called ``<Op>Fn``, e.g. ``LinearFn``.)"""
        n = type(self).__name__
        return (n[:-2] if n.endswith("Fn") else n) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


_new_node = object.__new__   # a node without __init__ (ops define none)


def once_differentiable(backward: Callable) -> Callable:
    """Mark a backward rule that runs on arrays only: ``create_graph=True`` through it
    raises a clear error (as torch's ``once_differentiable`` does on a second backward)."""
    func = backward.__func__ if isinstance(backward, staticmethod) else backward
    func.once_differentiable = True
    return backward


class OutputEdge:
    """The node an output of a several-output op hangs from: output ``index`` of ``node``.

    The engine runs it like any node (hooks, ``autograd.grad`` capture); it passes its
    gradient on as slot ``index`` of ``node``'s pending gradients, so ``node``'s backward
    receives one gradient per output.
    """

    __slots__ = ("node", "index", "parents", "hooks", "__weakref__")
    saved = ()

    def __init__(self, node: Function, index: int) -> None:
        self.node, self.index = node, index
        self.parents = (node,)
        self.hooks = None

    @property
    def out_dtype(self) -> np.dtype:
        return self.node.out_dtype[self.index]

    def name(self) -> str:
        return self.node.name()

    def __repr__(self) -> str:
        return f"<{self.name()} output {self.index}>"


class AccumulateGrad(Function):
    """The node of a leaf that requires grad: adds the incoming gradient to ``leaf.grad``."""

    def __init__(self, leaf: "Tensor") -> None:
        self.leaf = weakref.ref(leaf)
        self.parents = ()

    @property
    def out_dtype(self) -> np.dtype | None:     # type: ignore[override]
        """The leaf's dtype, read now: ``Module.to`` may have replaced its data since."""
        leaf = self.leaf()
        return None if leaf is None else leaf.data.dtype


def _check_finite(a: Any, node: Any, what: str) -> None:
    """Under ``detect_anomaly``: raise, naming ``node``, if ``a`` holds a NaN or an inf."""
    arr = a.data if isinstance(a, Tensor) else a
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise RuntimeError(f"detect_anomaly: {node.name()} produced a non-finite {what} "
                           f"(shape {arr.shape})")
