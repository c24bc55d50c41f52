"""The backward engine: the walk from the outputs' gradients to the leaves.

``run_backward`` walks the nodes reachable from the roots in reverse topological order
(Kahn's algorithm on dependency counts, no recursion, so a 100,000-op chain works). Its
steps, one function each: count each node's consumers (``_count_dependencies``), seed
the roots' gradients (``_seed``), run a node whose consumers have all sent their gradient
(``_run_node``: dtype cast, hooks, capture for ``autograd.grad``, accumulation into a leaf
(``_accumulate``, then the leaf's post-accumulate hooks, ``_run_post_hooks``) or the
backward rule), free it unless ``retain_graph=True``, and send its input gradients to its
parents (in the loop itself: it runs once per node).

Backward rules run on plain arrays. Under ``create_graph=True`` the engine runs the
*same* rules on Tensors (``_call_rule``): the saved arrays are re-wrapped as Tensors
attached to the nodes they came from, so every operation inside a rule is recorded and the
gradient can be differentiated again. Rules are therefore written with what ``np.ndarray``
and ``Tensor`` share (operators, ``.sum``, ``.reshape``, ``.transpose``, NumPy ufuncs
such as ``np.exp``, which Tensor dispatches through ``__array_ufunc__``).

``backward`` and ``grad`` are the public entry points (``nl.autograd.backward``,
``nl.autograd.grad``; ``Tensor.backward`` calls ``backward``).
"""
from __future__ import annotations

import warnings
from typing import Any, Sequence

import numpy as np

from ..tensor import Tensor, from_numpy
from . import grad_mode as _mode
from . import versions as _versions
from .function import AccumulateGrad, Function, OutputEdge, _check_finite
from .grad_mode import set_grad_enabled
from .hooks import run_hooks


def run_backward(roots: Sequence[Tensor], grads: Sequence[Any], retain_graph: bool,
                 create_graph: bool, capture: dict | None = None) -> None:
    """Propagate ``grads`` from ``roots`` through the graph.

    With ``capture`` (a dict of node -> None), the total gradient reaching each of those
    nodes is stored there and leaves are not touched (``autograd.grad``); otherwise
    gradients accumulate into the leaves' ``.grad``.
    """
    deps = _count_dependencies(roots)
    pending, owned = _seed(roots, grads)
    # Kahn: a node is ready once all its consumers have sent their gradients
    ready = [n for n in pending if deps[n] == 0]
    given = {id(_base(g)) for g in grads}   # arrays the caller passed in: never alias them
    anomaly = _mode._anomaly
    # grad mode during the walk is create_graph: a plain backward records nothing (the
    # rules' own .apply calls run on arrays), a create_graph one records every rule
    with set_grad_enabled(create_graph):
        while ready:
            node = ready.pop()
            parents = node.parents
            gxs = _run_node(node, pending.pop(node), create_graph, capture, given)
            if gxs is None:                     # a leaf: nothing flows further
                continue
            if not retain_graph:                # free the graph as we go
                node.parents = None
                if node.saved:
                    node.saved = ()
            if node.__class__ is OutputEdge:
                _send_to_slot(node, gxs[0], deps, pending, ready)
                continue
            # send each input gradient to its parent: reduced to the input's shape if the
            # input was broadcast, added to the parent's pending gradient; the parent is
            # ready once its last consumer has sent (a None gradient counts as sent)
            if node._positions is not None or len(gxs) < len(parents):
                gxs = _per_parent(node, parents, gxs)
            shapes = node.in_shapes
            for i, p in enumerate(parents):
                if p is None:
                    continue
                gx = gxs[i]
                if gx is None:
                    _send_nothing(p, deps, pending, ready)
                    continue
                if shapes is not None:
                    gx = _sum_to(gx, shapes[i])
                if anomaly:
                    _check_finite(gx, node, f"gradient for input {i}")
                if p in pending:
                    acc = pending[p]
                    if p in owned and acc.__class__ is np.ndarray:
                        acc += gx               # our own buffer: add in place
                    else:
                        pending[p] = acc + gx
                        owned.add(p)
                else:
                    pending[p] = gx
                deps[p] -= 1
                if deps[p] == 0:
                    ready.append(p)


def _count_dependencies(roots: Sequence[Tensor]) -> dict:
    """Collect the nodes reachable from ``roots``: map each to the number of edges that
    point to it from reachable nodes (its consumers)."""
    deps: dict = {}
    stack = []
    for t in roots:
        node = t._node
        if node is None:
            raise RuntimeError("backward: element 0 of tensors does not require grad and "
                               "does not have a grad_fn")
        if node not in deps:
            deps[node] = 0
            stack.append(node)
    while stack:
        node = stack.pop()
        parents = node.parents
        if parents is None:
            raise RuntimeError(f"backward: trying to backward through the graph a second "
                               f"time ({node.name()} was already freed); specify "
                               f"retain_graph=True on the first backward")
        for p in parents:
            if p is not None:
                if p in deps:
                    deps[p] += 1
                else:
                    deps[p] = 1
                    stack.append(p)
    return deps


def _seed(roots: Sequence[Tensor], grads: Sequence[Any]) -> tuple:
    """The roots' gradients as the first pending gradients, summed where two roots share a
    node; returns ``(pending, owned)``, ``owned`` being the nodes whose summed gradient
    the engine allocated (and may therefore add into in place)."""
    pending: dict = {}
    owned: set = set()
    for t, g in zip(roots, grads):
        node = t._node
        if node in pending:
            pending[node] = pending[node] + g
            owned.add(node)
        else:
            pending[node] = g
    return pending, owned


def _run_node(node: Any, gy: Any, create_graph: bool, capture: dict | None,
              given: set) -> tuple | None:
    """Run one node on the total gradient ``gy`` of its output (a list, one per output,
    for a node with several): cast it to the output's dtype, call the hooks, store it if
    ``autograd.grad`` captures this node; a leaf then accumulates it (returns None), an
    ``OutputEdge`` passes it on, any other node calls its backward rule; returns the
    gradients to send on, as a tuple."""
    if node.saved and node._clock < _versions.clock:
        _versions.check(node)               # a saved array written in place since: raise
    if gy.__class__ is list:                # one gradient per output, None if none came
        grads = tuple([None if g is None else _cast(g, dt)
                       for g, dt in zip(gy, node.out_dtype)])
        return _call_rule(node, grads, create_graph)
    dt = node.out_dtype
    if dt is not None and gy.dtype != dt and dt.kind == "f":
        gy = gy.astype(dt)                  # see _cast
    if node.hooks is not None:
        gy = run_hooks(node.hooks, gy)
    if capture is not None and node in capture:
        capture[node] = gy
    cls = node.__class__
    if cls is AccumulateGrad:
        if capture is None:
            _accumulate(node, gy, create_graph, given)
            if node.post_hooks:
                _run_post_hooks(node)
        return None
    if cls is OutputEdge:
        return (gy,)
    if create_graph:
        return _call_rule(node, (gy,), create_graph)
    gxs = node.backward(node, gy)
    return gxs if gxs.__class__ is tuple else (gxs,)


def _cast(g: Any, dt: Any) -> Any:
    """A gradient has its tensor's dtype, as in torch. Rules keep it, except under NumPy
    1.x on 0-d arrays: there a 0-d float32 ``gy * 0.5`` is float64."""
    if dt is not None and g.dtype != dt and dt.kind == "f":
        return g.astype(dt)
    return g


def _call_rule(node: Function, grads: tuple, create_graph: bool) -> tuple:
    """The node's backward rule on ``grads``; under ``create_graph`` on Tensors, with grad
    mode on, so the rule's own operations are recorded."""
    if create_graph:
        if not node.double_backward:
            raise RuntimeError(f"backward: {node.name()} cannot be differentiated twice "
                               f"(create_graph=True is not supported for it)")
        grads = tuple([g if g is None or isinstance(g, Tensor) else Tensor(g) for g in grads])
        saved = node.saved
        node.saved = _saved_as_tensors(node)
        try:
            gxs = node.backward(node, *grads)
        finally:
            node.saved = saved
    else:
        gxs = node.backward(node, *grads)
    return gxs if gxs.__class__ is tuple else (gxs,)


def _send_to_slot(edge: OutputEdge, g: Any, deps: dict, pending: dict, ready: list) -> None:
    """Pass an output's total gradient to its op as slot ``edge.index`` of the op's
    pending gradients; the op is ready once its last reachable output has passed."""
    p = edge.node
    slots = pending.get(p)
    if slots is None:
        slots = pending[p] = [None] * p.n_outputs
    k = edge.index
    slots[k] = g if slots[k] is None else slots[k] + g
    deps[p] -= 1
    if deps[p] == 0:
        ready.append(p)


def _per_parent(node: Function, parents: tuple, gxs: tuple) -> tuple:
    """The rule's gradients as one per parent: with plain arguments among the op's, only
    the Tensor arguments'; trailing ``None`` the rule left out restored."""
    pos = node._positions
    if pos is not None:
        return tuple([gxs[i] if i < len(gxs) else None
                      for i, k in enumerate(pos) if k is not None])
    return gxs + (None,) * (len(parents) - len(gxs))


def _send_nothing(p: Any, deps: dict, pending: dict, ready: list) -> None:
    """A consumer of ``p`` sends it no gradient: count the edge as sent. A node whose
    consumers have all sent without any gradient reaching it is not run, and sends
    nothing on in turn, so the nodes behind it (e.g. an op with several outputs, of which
    another did receive a gradient) are not left waiting for it."""
    stack = [p]
    while stack:
        p = stack.pop()
        deps[p] -= 1
        if deps[p]:
            continue
        if p in pending:
            ready.append(p)
        elif p.__class__ is OutputEdge:
            stack.append(p.node)
        else:
            stack.extend([q for q in p.parents if q is not None])


def _sum_to(g: Any, shape: tuple) -> Any:
    """Sum a broadcast gradient back to ``shape`` (works on arrays and Tensors)."""
    if g.shape == shape:
        return g
    lead = g.ndim - len(shape)
    axes = tuple(range(lead)) + tuple(i + lead for i, n in enumerate(shape)
                                      if n == 1 and g.shape[i + lead] != 1)
    g = g.sum(axis=axes, keepdims=True)
    return g.reshape(shape) if lead else g


def _root_gradient(t: Tensor, gradient: Any, create_graph: bool) -> Any:
    """The gradient a root starts with: ones for a one-element output, else ``gradient``
    checked against the output's shape."""
    if gradient is None:
        if t.array.size != 1:
            raise RuntimeError(f"backward: grad can be implicitly created only for scalar "
                               f"outputs; got an output of shape {t.array.shape}, pass "
                               f"`gradient` of the same shape")
        g = np.ones_like(t.array)
        return Tensor(g) if create_graph else g
    if isinstance(gradient, Tensor):
        g = gradient if create_graph else gradient.array
    else:
        g = np.asarray(gradient, dtype=t.array.dtype)
    if g.shape != t.array.shape:
        raise RuntimeError(f"backward: gradient has shape {g.shape} but the output has "
                           f"shape {t.array.shape}")
    return g



def _base(a: Any) -> Any:
    """The array that owns ``a``'s memory (``a`` itself unless it is a view)."""
    while isinstance(a, np.ndarray) and isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _accumulate(node: AccumulateGrad, g: Any, create_graph: bool, given: set) -> None:
    """Add ``g`` into ``leaf.grad`` (a Tensor). The first gradient is kept as it is (even a
    view) unless its memory is shared with the caller or with another leaf, then copied;
    later ones are added out of place (the user may hold the old ``.grad``)."""
    leaf = node.leaf()
    if leaf is None:
        return
    if g.shape != leaf.array.shape:
        raise RuntimeError(f"backward: gradient of shape {g.shape} reached a leaf of shape "
                           f"{leaf.array.shape}")
    if isinstance(g, Tensor):
        if not create_graph:
            g = g.array
    elif g.__class__ is not np.ndarray:
        g = np.asarray(g)                   # a NumPy scalar from a 0-d rule
    old = leaf._grad
    if old is not None:
        if create_graph:
            leaf._grad = old + g
        else:                               # NumPy gives a scalar for 0-d + 0-d
            leaf._grad = from_numpy(np.asarray(old.array + g, old.array.dtype))
        return
    if not isinstance(g, Tensor):
        base = _base(g)
        if id(base) in given or not g.flags.writeable:
            g = base = g.copy()             # shared with the caller or another leaf
        given.add(id(base))
        if g.dtype != leaf.array.dtype:
            g = g.astype(leaf.array.dtype)
        g = from_numpy(g)
    leaf._grad = g


def _run_post_hooks(node: AccumulateGrad) -> None:
    """Call the leaf's post-accumulate-grad hooks on the leaf, whose ``.grad`` is set."""
    leaf = node.leaf()
    if leaf is not None:
        for hook in list(node.post_hooks):
            hook(leaf)


def _saved_as_tensors(node: Function) -> tuple:
    """The node's saved arrays as Tensors: an input attached to the node it came from, an
    output to this node (or its ``OutputEdge``), anything else a constant."""
    ids = getattr(node, "_sources", ())
    n_out = node.n_outputs
    out = []
    for a in node.saved:
        if not isinstance(a, np.ndarray):
            out.append(a)
            continue
        t = Tensor(a)
        k = ids.index(id(a)) if id(a) in ids else None
        if k is not None and k >= n_out:            # argument k - n_out
            i = k - n_out if node._positions is None else node._positions[k - n_out]
            if i is not None:
                t._node = node.parents[i]
        elif k is not None:                         # output k
            t._node = node if n_out == 1 else OutputEdge(node, k)
        out.append(t)
    return tuple(out)


def _normalize_roots(tensors: Any, grad_tensors: Any, create_graph: bool) -> tuple:
    """``(roots, grads)`` as two tuples of equal length, each gradient checked."""
    if isinstance(tensors, Tensor):
        tensors = (tensors,)
        grad_tensors = (grad_tensors,)
    tensors = tuple(tensors)
    if grad_tensors is None:
        grad_tensors = (None,) * len(tensors)
    elif isinstance(grad_tensors, (Tensor, np.ndarray)):
        grad_tensors = (grad_tensors,)
    grad_tensors = tuple(grad_tensors)
    if len(grad_tensors) != len(tensors):
        raise RuntimeError(f"backward: got {len(tensors)} outputs but "
                           f"{len(grad_tensors)} gradients")
    grads = tuple(_root_gradient(t, g, create_graph) for t, g in zip(tensors, grad_tensors))
    return tensors, grads


def backward(tensors: Any, grad_tensors: Any = None, retain_graph: bool | None = None,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None) -> None:
    """Accumulate into the leaves' ``.grad`` the gradients of ``tensors``
    (``nl.autograd.backward``; ``t.backward()`` calls this)."""
    if retain_graph is None:
        retain_graph = create_graph
    tensors, grads = _normalize_roots(tensors, grad_tensors, create_graph)
    if inputs is not None:
        res = grad(tensors, inputs, grads, retain_graph, create_graph, allow_unused=True)
        for t, g in zip(inputs, res):
            if g is not None:
                t.grad = g if t.grad is None else t.grad + g
        return
    run_backward(tensors, grads, retain_graph, create_graph)


def grad(outputs: Any, inputs: Any, grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, only_inputs: bool = True, allow_unused: bool | None = None,
         materialize_grads: bool = False) -> tuple:
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching
    any ``.grad``; with ``create_graph=True`` they are Tensors that can be differentiated
    again (e.g. a Hessian-vector product, a gradient penalty).

    Args:
        outputs (Tensor or sequence of Tensors): what to differentiate.
        inputs (Tensor or sequence of Tensors): with respect to what.
        grad_outputs (optional): the outputs' upstream gradients. Default: ones for scalars.
        retain_graph (bool, optional): Default: ``create_graph``.
        create_graph (bool): Default: False.
        only_inputs (bool): deprecated and ignored, as in torch (False warns). Default: True.
        allow_unused (bool, optional): None for an input the outputs do not depend on,
            instead of an error. Default: ``materialize_grads``.
        materialize_grads (bool): zeros instead of None for such an input. Default: False.

    Example:
        >>> (g,) = nl.autograd.grad((x ** 3).sum(), x, create_graph=True)
        >>> (h,) = nl.autograd.grad(g.sum(), x)      # 6 * x
    """
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to "
                      "True). To accumulate gradient for other parts of the graph, please use "
                      "nnlite.autograd.backward.", FutureWarning, stacklevel=2)
    if allow_unused is None:
        allow_unused = materialize_grads
    elif materialize_grads and not allow_unused:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if retain_graph is None:
        retain_graph = create_graph
    single = isinstance(inputs, Tensor)
    inputs = (inputs,) if single else tuple(inputs)
    outputs, grads = _normalize_roots(outputs, grad_outputs, create_graph)
    capture = {}
    for i, t in enumerate(inputs):
        if not isinstance(t, Tensor) or t._node is None:
            raise RuntimeError(f"grad: input {i} does not require grad")
        capture[t._node] = None
    run_backward(outputs, grads, retain_graph, create_graph, capture)
    res = []
    for i, t in enumerate(inputs):
        g = capture[t._node]
        if g is None and not allow_unused:
            raise RuntimeError(f"grad: input {i} (shape {t.shape}) was not used to compute "
                               f"the outputs; pass allow_unused=True")
        if g is None and materialize_grads:     # as torch: a leaf under create_graph
            g = Tensor(np.zeros_like(t.array), requires_grad=create_graph)
        if g is not None and not isinstance(g, Tensor):
            g = Tensor(g)
        res.append(g)
    return tuple(res)
