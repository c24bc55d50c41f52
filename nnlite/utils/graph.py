"""``make_dot(output)``: the autograd graph behind a tensor as Graphviz DOT text, as
torchviz's ``make_dot`` draws it (DeZero's ``plot_dot_graph`` draws the same picture).

The picture, read from the top: blue boxes are leaves (parameters named by ``params``),
grey boxes the backward Functions (``MulBackward``, ``ConvolutionBackward``, ...), the green
box the output; an arrow goes from what a Function read to the Function. Tensors show
their shape and dtype. With ``show_saved`` the arrays each Function saved for backward
hang from it in orange; with ``show_attrs`` the values it kept (stride, axis, ...) are
listed under its name. A view's base is a darker green box joined by a dotted line.

The walk follows ``grad_fn.next_functions`` back to the leaves with a stack (no
recursion, so a 100,000-op chain is drawn too). The DOT text is written here; the
``graphviz`` package is not needed, and ``dot`` (the Graphviz program) only to render.
"""
from __future__ import annotations

import os
import shutil
from typing import Any, Mapping, Sequence

import numpy as np

from ..autograd import views as _views
from ..autograd.function import AccumulateGrad, OutputEdge
from ..tensor import Tensor

__all__ = ["make_dot", "Digraph", "ExecutableNotFound"]

# fill colours, as torchviz
OUTPUT, BASE, LEAF, SAVED = "darkolivegreen1", "darkolivegreen3", "lightblue", "orange"
# attributes every node has (the engine's bookkeeping, not the op's own values)
_ENGINE_ATTRS = {"parents", "saved", "in_shapes", "hooks", "out_dtype", "n_outputs",
                 "non_differentiable", "saved_for", "leaf"}


class ExecutableNotFound(RuntimeError):
    """``dot`` (the Graphviz program that renders DOT text) is not on the PATH."""


class Digraph:
    """DOT text of a directed graph, with graphviz's ``Digraph`` methods to save and render
    it: ``source``, ``save``, ``pipe``, ``render``; shown as SVG in Jupyter when ``dot``
    is installed.

    Args:
        source (str): the DOT text.
    """

    def __init__(self, source: str) -> None:
        self.source = source

    def __str__(self) -> str:
        return self.source

    def __repr__(self) -> str:
        lines = self.source.count("\n")
        return f"<nnlite.utils.Digraph: {lines} lines of DOT; .source is the text>"

    def save(self, filename: str | os.PathLike = "Digraph.gv",
             directory: str | os.PathLike | None = None) -> str:
        """Write the DOT text to ``filename`` (in ``directory``); returns the path."""
        path = os.path.join(directory, filename) if directory is not None else os.fspath(filename)
        parent = os.path.dirname(path)
        if parent:
            os.makedirs(parent, exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(self.source)
        return path

    def pipe(self, format: str = "svg", encoding: str | None = None) -> bytes | str:
        """The graph rendered by ``dot`` in ``format`` (bytes, or str with ``encoding``).

        Raises:
            ExecutableNotFound: ``dot`` is not installed.
            RuntimeError: ``dot`` failed (its message is included).
        """
        out = _run_dot(["-T" + _check_format(format)], self.source.encode("utf-8"))
        return out.decode(encoding) if encoding is not None else out

    def render(self, filename: str | os.PathLike = "Digraph.gv",
               directory: str | os.PathLike | None = None, format: str = "svg",
               cleanup: bool = False) -> str:
        """Save the DOT text to ``filename`` and render it with ``dot`` to
        ``filename.<format>`` (graphviz's naming: ``graph.gv`` -> ``graph.gv.svg``).

        Args:
            filename: the DOT file. Default: "Digraph.gv".
            directory: where both files go. Default: None (the current directory).
            format (str): any format ``dot -T`` knows (svg, png, pdf, ...). Default: "svg".
            cleanup (bool): delete the DOT file afterwards. Default: False.

        Returns:
            str: the path of the rendered file.

        Raises:
            ExecutableNotFound: ``dot`` is not installed (install Graphviz, e.g.
                ``apt-get install graphviz``); nothing is written then.
        """
        fmt = _check_format(format)
        _dot_path()                            # fail before writing anything
        path = self.save(filename, directory)
        out = path + "." + fmt
        _run_dot(["-T" + fmt, "-o", out, path], None)
        if cleanup:
            os.remove(path)
        return out

    def __getattr__(self, name: str) -> Any:
        # Jupyter shows the graph as SVG through ``_repr_svg_``, which exists only when
        # ``dot`` does (without it the text repr shows, rather than an error).
        if name == "_repr_svg_" and shutil.which("dot") is not None:
            return lambda: self.pipe("svg", encoding="utf-8")
        raise AttributeError(f"'Digraph' object has no attribute '{name}'")


def _check_format(format: str) -> str:
    if not isinstance(format, str) or not format.replace(":", "").isalnum():
        raise ValueError(f"render: format must be a dot output format such as 'svg' or "
                         f"'png', got {format!r}")
    return format


def _dot_path() -> str:
    path = shutil.which("dot")
    if path is None:
        raise ExecutableNotFound("failed to execute 'dot': the Graphviz program is not on "
                                 "the PATH (install Graphviz, e.g. `apt-get install "
                                 "graphviz`); the DOT text is in .source and .save() "
                                 "writes it")
    return path


def _run_dot(args: list, stdin: bytes | None) -> bytes:
    import subprocess                           # here: `import nnlite` does not need it
    proc = subprocess.run([_dot_path(), *args], input=stdin, capture_output=True)
    if proc.returncode != 0:
        raise RuntimeError(f"dot {' '.join(args)} failed (exit {proc.returncode}): "
                           f"{proc.stderr.decode(errors='replace').strip()}")
    return proc.stdout


# ============================================================================
# make_dot
# ============================================================================
def make_dot(output: Tensor | Sequence[Tensor], params: Mapping[str, Tensor] | None = None,
             show_attrs: bool = False, show_saved: bool = False,
             max_attr_chars: int = 50) -> Digraph:
    """The autograd graph that produced ``output``, as Graphviz DOT text (torchviz's
    ``make_dot``).

    Args:
        output (Tensor or sequence of Tensors): the tensor(s) whose history is drawn;
            each is a green box.
        params (dict, optional): name -> tensor, to name the leaves (e.g.
            ``dict(model.named_parameters())``). Default: None.
        show_attrs (bool): list each Function's own values (stride, dims, ...) under its
            name. Default: False.
        show_saved (bool): draw the arrays each Function saved for backward (orange).
            Default: False.
        max_attr_chars (int): an attribute's value is cut to this many characters.
            Default: 50.

    Returns:
        Digraph: ``.source`` is the DOT text; ``.save(path)``, ``.render(path,
        format="svg")`` (needs the ``dot`` program), ``.pipe(format)``.

    Example:
        >>> import nnlite as nl
        >>> from nnlite.utils import make_dot
        >>> model = nl.nn.Linear(3, 2)
        >>> y = model(nl.randn(4, 3)).sum()
        >>> dot = make_dot(y, params=dict(model.named_parameters()))
        >>> "weight" in dot.source and dot.source.startswith("digraph")
        True
    """
    outputs = [output] if isinstance(output, Tensor) else list(output) \
        if isinstance(output, (list, tuple)) else None
    if not outputs or not all(isinstance(t, Tensor) for t in outputs):
        raise TypeError(f"make_dot: output must be a Tensor or a sequence of Tensors, got "
                        f"{type(output).__name__}")
    if params is not None and not isinstance(params, Mapping):
        raise TypeError(f"make_dot: params must be a dict of name -> Tensor (e.g. "
                        f"dict(model.named_parameters())), got {type(params).__name__}")
    names = {id(t): name for name, t in (params or {}).items()}
    g = _Builder(names, show_attrs, show_saved, max_attr_chars)
    for t in outputs:
        g.add_tensor(t, OUTPUT)
    return Digraph(g.source())


class _Builder:
    """Collects nodes and edges while walking the graph (each object gets one node)."""

    def __init__(self, names: dict, show_attrs: bool, show_saved: bool,
                 max_attr_chars: int) -> None:
        self.names, self.show_attrs, self.show_saved = names, show_attrs, show_saved
        self.max_attr_chars = max_attr_chars
        self.ids: dict[int, str] = {}          # id(object) -> node name
        self.expanded: set[int] = set()        # Functions whose inputs are drawn
        self.keep: list = []                   # the objects, alive while ids are in use
        self.lines: list[str] = []

    def source(self) -> str:
        head = ["digraph {",
                '\tgraph [ranksep=0.1 size="12,12"]',
                "\tnode [fontname=monospace fontsize=10 height=0.2 shape=box style=filled]"]
        return "\n".join(head + self.lines + ["}"]) + "\n"

    def node(self, obj: Any, label: str, color: str | None = None) -> tuple:
        """The node name of ``obj`` and whether it is new (then declared)."""
        key = id(obj)
        if key in self.ids:
            return self.ids[key], False
        name = f"n{len(self.ids)}"
        self.ids[key] = name
        self.keep.append(obj)
        fill = f" fillcolor={color}" if color else ""
        self.lines.append(f'\t{name} [label="{_escape(label)}"{fill}]')
        return name, True

    def edge(self, a: str, b: str, attrs: str = "") -> None:
        self.lines.append(f"\t{a} -> {b}" + (f" [{attrs}]" if attrs else ""))

    def tensor_label(self, t: Any, name: str | None = None) -> str:
        name = self.names.get(id(t), name)
        arr = t.array if isinstance(t, Tensor) else np.asarray(t)
        shape = "(" + ", ".join(str(d) for d in arr.shape) + ")"
        return (f"{name}\n" if name else "") + f"{shape} {arr.dtype}"

    def add_tensor(self, t: Tensor, color: str) -> None:
        """An output (or a view's base) and everything behind it."""
        me, new = self.node(t, self.tensor_label(t), color)
        if not new:
            return
        node = t._node
        if node is not None and node.__class__ is not AccumulateGrad:   # a leaf: one box
            label = f'label="{node.index}"' if node.__class__ is OutputEdge else ""
            self.edge(self.walk(t.grad_fn), me, label)
        view = _views.of(t)
        if view is not None and view[0] is not t:
            self.add_tensor(view[0], BASE)
            self.edge(self.ids[id(view[0])], me, "style=dotted")

    def walk(self, start: Any) -> str:
        """Draw ``start`` and every node behind it, iteratively; returns its node name."""
        stack = [start]
        while stack:
            fn = stack.pop()
            if id(fn) in self.expanded:
                continue
            self.expanded.add(id(fn))
            me, _ = self.node(fn, self.fn_label(fn))
            if fn.__class__ is AccumulateGrad:
                leaf = fn.variable
                if leaf is not None:
                    var, _ = self.node(leaf, self.tensor_label(leaf), LEAF)
                    self.edge(var, me)
                continue
            if self.show_saved:
                for k, a in enumerate(fn.saved or ()):
                    if isinstance(a, (np.ndarray, Tensor)):
                        s, _ = self.node(a, self.tensor_label(a, f"saved[{k}]"), SAVED)
                        self.edge(s, me, "dir=none")
            for parent, index in fn.next_functions:
                if parent is None:
                    continue
                name, _ = self.node(parent, self.fn_label(parent))
                several = getattr(parent, "n_outputs", 1) > 1
                self.edge(name, me, f'label="{index}"' if several else "")
                stack.append(parent)
        return self.ids[id(start)]

    def attr_text(self, value: Any, nested: bool = False) -> str:
        """A value kept by a Function: an array as its shape and dtype; an object
        without a repr of its own as ``Name(field=value, ...)`` (one level deep)."""
        if isinstance(value, (Tensor, np.ndarray)):
            return self.tensor_label(value).replace("\n", " ")
        if type(value).__repr__ is object.__repr__:
            name = type(value).__name__.lstrip("_")
            if nested:
                return name
            fields = ", ".join(f"{k}={self.attr_text(v, True)}"
                               for k, v in _fields(value).items() if not k.startswith("_"))
            return f"{name}({fields})"
        return repr(value)

    def fn_label(self, fn: Any) -> str:
        if fn.__class__ is AccumulateGrad:
            return "AccumulateGrad"
        label = fn.name()
        if self.show_attrs:
            for key, value in sorted(vars(fn).items()):
                if key.startswith("_") or key in _ENGINE_ATTRS:
                    continue
                text = self.attr_text(value)
                if len(text) > self.max_attr_chars:
                    text = text[:max(self.max_attr_chars - 3, 0)] + "..."
                label += f"\n{key}: {text}"
        return label


def _fields(obj: Any) -> dict:
    """An object's attributes, from ``__slots__`` (along its classes) and ``__dict__``."""
    names = [n for c in type(obj).__mro__ for n in getattr(c, "__slots__", ())
             if isinstance(n, str) and not n.startswith("__")]
    out = {n: getattr(obj, n) for n in names if hasattr(obj, n)}
    out.update(getattr(obj, "__dict__", {}))
    return out


def _escape(label: str) -> str:
    """A DOT double-quoted string's body: backslashes and quotes escaped, a line break
    as DOT's ``\\n``."""
    return label.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
