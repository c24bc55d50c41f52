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
from typing import Any, Callable

import numpy as np

from ..tensor import Tensor, _new as _new_tensor, from_numpy
from . import grad_mode as _mode
from . import versions as _versions
from . import views as _views


class Function:
    """Base class of every differentiable op of nnlite's, on NumPy arrays (user code
    written as in torch subclasses ``nl.autograd.Function``, the Tensor face of this class
    in ``tensor_function.py``).

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

    Example: a fused multiply-add with a scalar parameter (``nnlite/ops/pointwise.py`` holds
    the shortest real ops)::

        class ScaledAdd(Function):
            # y = a + k * b (a, b of one shape, k a number);  ga = gy,  gb = k * gy

            @staticmethod
            def forward(ctx, a, b, k):          # a, b: arrays; k: the number, unchanged
                ctx.k = k                       # a plain value: an attribute of ctx
                return a + k * b

            @staticmethod
            def backward(ctx, gy):
                gb = gy * ctx.k if ctx.needs_input_grad[1] else None
                return gy, gb, None             # None for the number k

        y = ScaledAdd.apply(a, b, 0.5)          # a, b Tensors: y.grad_fn is the node
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
    is_view = False          # the output may share the first argument's memory (views.py)
    # per saved array, the forward argument whose gradient alone reads it (None: any), so
    # a write to an array no requested gradient reads is not an error (versions.check)
    saved_for: tuple | None = None
    # slots, so vars(node) shows only what the op keeps: ``_sources``, the ids of the
    # outputs and then of the forward arguments when the node was recorded (a saved array
    # with one of those ids is that output or input: it has been alive since), so the
    # engine can re-attach saved arrays under ``create_graph``; ``_positions``: ``_record``
    # ``_clock``: the count of in-place writes when the node saved arrays (``versions.py``)
    __slots__ = ("_sources", "_positions", "_clock", "__dict__", "__weakref__")

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        bwd = cls.__dict__.get("backward")
        if getattr(getattr(bwd, "__func__", bwd), "once_differentiable", False):
            cls.double_backward = False

    @staticmethod
    def forward(ctx: Any, *args: Any) -> Any:
        raise NotImplementedError("You must implement the forward function for a Function")

    @staticmethod
    def backward(ctx: Any, *grads: Any) -> Any:
        raise NotImplementedError("You must implement the backward function for a Function")

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
        parents, pos = self.parents, self._positions
        if pos is None:
            return tuple([p is not None for p in parents])
        return tuple([k is not None and parents[k] is not None for k in pos])

    # ---- running an op ----------------------------------------------------------
    @classmethod
    def apply(cls, *args: Any) -> Any:
        """``Fn.apply(*args)``: run the op; the outputs are Tensors, recorded in the graph
        if an argument is a Tensor that requires grad. On arrays alone (no Tensor among
        the arguments) only ``forward`` runs and its arrays are returned: that is how a
        backward rule calls another op."""
        ctx = _new_node(cls)
        arrays, nodes = [], []              # one loop: cheaper than two comprehensions
        for a in args:
            if isinstance(a, Tensor):
                arrays.append(a.array)
                nodes.append(a._node)
            else:
                arrays.append(a)
        ys = cls.forward(ctx, *arrays)
        if not nodes:                       # arrays alone: a rule calling an op
            return ys
        parents = tuple(nodes) if _mode._grad_enabled and any(nodes) else None
        if ys.__class__ is tuple:
            return ctx._wrap_several(ys, args, arrays, parents)
        if ys.__class__ is not np.ndarray:  # NumPy gives scalars for 0-d results
            ys = ctx._as_arrays((ys,))[0]
        out = _new_tensor(Tensor)
        out.array, out._grad, out._node = ys, None, None
        if parents is not None:
            ctx.parents = parents
            if len(parents) == len(args):           # the common case, ``_record`` inline
                ctx._positions = None
                if ctx.saved:
                    ctx._sources = (id(ys), *map(id, arrays))
                    ctx._clock = _versions.clock
                if cls.broadcasts:                  # _record's shape note, inline
                    shape = ys.shape
                    for a in arrays:
                        if a.shape != shape:
                            ctx.in_shapes = tuple([a.shape for a in arrays])
                            break
            else:
                ctx._record(args, arrays, parents, (ys,))
            ctx.out_dtype = ys.dtype
            out._node = ctx
        if cls.is_view:
            _views.track(out, cls, args)
        if _mode._anomaly:
            _check_finite(ys, ctx, "forward output")
        return out

    def _wrap_several(self, ys: tuple, args: tuple, arrays: list,
                      parents: tuple | None) -> tuple:
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
            self._record(args, arrays, parents, ys)
            self.n_outputs = len(ys)
            self.out_dtype = tuple([y.dtype for y in ys])
        if _mode._anomaly:
            for y in ys:
                _check_finite(y, self, "forward output")
        return tuple(outs)

    def _record(self, args: tuple, arrays: list, parents: tuple, outs: tuple) -> None:
        """Make this node part of the graph: ``parents`` holds one node (or None) per
        Tensor argument, as torch's ``next_functions``; with plain arguments among them,
        ``_positions`` maps each argument to its parent's index (None for a plain one)."""
        self.parents = parents
        if len(parents) == len(args):
            self._positions = None
            inputs = arrays
        else:
            self._positions = _positions(args)
            inputs = [a.array for a in args if isinstance(a, Tensor)]
        if self.saved:
            self._sources = (*map(id, outs), *map(id, arrays))
            self._clock = _versions.clock
        if self.broadcasts:
            shape = outs[0].shape
            for a in inputs:
                if a.shape != shape:
                    self.in_shapes = tuple([a.shape for a in inputs])
                    break

    def _as_arrays(self, outs: tuple) -> tuple:
        """The outputs as arrays (a NumPy scalar becomes a 0-d array), in ``saved`` too."""
        arrays = tuple([y if y.__class__ is np.ndarray else np.asarray(y) for y in outs])
        if self.saved:
            swap = {id(y): a for y, a in zip(outs, arrays)}
            self.saved = tuple([swap.get(id(s), s) for s in self.saved])
        return arrays

    @property
    def next_functions(self) -> tuple:
        """torch's view of the graph: per Tensor argument, ``(node, output index)`` of the
        op that made it (its ``AccumulateGrad`` for a leaf), ``(None, 0)`` for one that
        needs no gradient."""
        out = []
        for p in self.parents or ():
            if p is None:
                out.append((None, 0))
            elif p.__class__ is OutputEdge:
                out.append((p.node, p.index))
            else:
                out.append((p, 0))
        return tuple(out)

    def name(self) -> str:
        """The node's name: the class's, ``Fn`` suffix dropped, + ``Backward``. (A Function
        whose op shares a layer's name is called ``<Op>Fn``, e.g. ``LinearFn``.)"""
        n = type(self).__name__
        return (n[:-2] if n.endswith("Fn") else n) + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


_new_node = object.__new__   # a node without __init__ (ops define none)


def _positions(args: tuple) -> tuple:
    """Per argument, the index of its parent among the Tensor arguments (None if plain)."""
    k, pos = -1, []
    for a in args:
        if isinstance(a, Tensor):
            k += 1
            pos.append(k)
        else:
            pos.append(None)
    return tuple(pos)


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
    """The node of a leaf that requires grad: adds the incoming gradient to ``leaf.grad``,
    then calls ``post_hooks`` (``Tensor.register_post_accumulate_grad_hook``) on the leaf."""

    post_hooks: list | None = None

    def __init__(self, leaf: "Tensor") -> None:
        self.leaf = weakref.ref(leaf)
        self.parents = ()

    @property
    def variable(self) -> "Tensor | None":
        """The leaf this node accumulates into (torch's ``AccumulateGrad.variable``)."""
        return self.leaf()

    @property
    def out_dtype(self) -> np.dtype | None:     # type: ignore[override]
        """The leaf's dtype, read now: ``Module.to`` may have replaced its data since."""
        leaf = self.leaf()
        return None if leaf is None else leaf.array.dtype


def _check_finite(a: Any, node: Any, what: str) -> None:
    """Under ``detect_anomaly``: raise, naming ``node``, if ``a`` holds a NaN or an inf."""
    arr = a.array if isinstance(a, Tensor) else a
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise RuntimeError(f"detect_anomaly: {node.name()} produced a non-finite {what} "
                           f"(shape {arr.shape})")
