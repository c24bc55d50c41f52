"""``Function``, the node of one recorded op, and ``AccumulateGrad``, the node of a leaf.

``Function.apply`` runs an op's forward on its inputs' arrays and, when grad mode is on and
an input requires grad, records the op as a node of the graph: the node keeps its inputs'
nodes (``parents``) and the arrays its backward rule needs (``saved``), never the tensors,
so intermediate arrays nobody saved are freed as soon as possible. The engine
(``engine.py``) later walks these nodes backward.
"""
from __future__ import annotations

import weakref
from typing import Any

import numpy as np

from ..tensor import Tensor, _new_tensor
from . import grad_mode as _mode


class Function:
    """Base class of every differentiable op.

    A subclass implements ``forward(*arrays) -> array`` and
    ``backward(gy, *saved) -> grad or tuple of grads`` (one per input, ``None`` for an
    input that gets none). ``saved`` is the input arrays if ``save_inputs``, followed by
    the output array if ``save_output``. Non-differentiable context (shapes, axes,
    masks, indices) is stored on ``self`` by ``forward``. Rules never write into ``gy``.

    Users call op functions (``nl.exp``, ``a * b``), never these classes; to add an op,
    subclass and call ``MyOp(params).apply(*tensors)``.
    """

    save_inputs = False      # backward receives the input arrays
    save_output = False      # backward receives the output array
    broadcasts = False       # inputs may broadcast: the engine sums gradients back
    double_backward = True   # the rule can run on Tensors under create_graph
    parents: tuple | None = ()
    saved: tuple = ()
    in_shapes: tuple | None = None
    hooks: list | None = None
    out_dtype: np.dtype | None = None   # the output's dtype: the gradient arriving here has it

    def forward(self, *xs: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.forward")

    def backward(self, gy: Any, *saved: Any) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError(f"{type(self).__name__}.backward")

    def needs_grad(self, i: int) -> bool:
        """Whether input ``i`` wants a gradient (rules may skip the others)."""
        return self.parents[i] is not None

    def apply(self, *xs: "Tensor") -> "Tensor":
        """Run forward on the inputs' arrays; record the node if any input requires grad."""
        arrays = tuple([x.data for x in xs])
        y = self.forward(*arrays)
        if y.__class__ is not np.ndarray:       # NumPy gives scalars for 0-d results
            y = np.asarray(y)
        out = _new_tensor(Tensor)
        out.data = y
        out.grad = None
        out._node = None
        if _mode._grad_enabled:
            parents = tuple([x._node for x in xs])
            for p in parents:
                if p is not None:
                    self.parents = parents
                    self.out_dtype = y.dtype
                    if self.save_inputs:
                        self.saved = arrays + (y,) if self.save_output else arrays
                    elif self.save_output:
                        self.saved = (y,)
                    if self.broadcasts:
                        shapes = tuple([a.shape for a in arrays])
                        if shapes.count(y.shape) != len(shapes):
                            self.in_shapes = shapes
                    out._node = self
                    break
        if _mode._anomaly:
            _check_finite(y, self, "forward output")
        return out

    def name(self) -> str:
        return type(self).__name__ + "Backward"

    def __repr__(self) -> str:
        return f"<{self.name()}>"


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



def _check_finite(a: Any, node: Function, what: str) -> None:
    """Under ``detect_anomaly``: raise, naming ``node``, if ``a`` holds a NaN or an inf."""
    arr = a.data if isinstance(a, Tensor) else a
    if isinstance(arr, np.ndarray) and arr.dtype.kind in "fc" and not np.isfinite(arr).all():
        raise RuntimeError(f"detect_anomaly: {node.name()} produced a non-finite {what} "
                           f"(shape {arr.shape})")
