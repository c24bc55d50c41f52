"""nnlite.utils.make_dot: the autograd graph as DOT text -- it parses, has the expected
nodes and edges, names parameters, shows shapes and dtypes -- and rendering with or
without the ``dot`` program."""
import re
import shutil

import numpy as np
import pytest

import nnlite as nl
import nnlite.utils.graph as graph
from nnlite import nn
from nnlite.utils import Digraph, ExecutableNotFound, make_dot

QUOTED = r'"(?:[^"\\]|\\.)*"'                      # a DOT string: escapes allowed
ATTRS = rf"\[(?:\w+=(?:{QUOTED}|[\w.]+)\s*)+\]"   # [key=value key="value" ...]


def parse_dot(text):
    """Check ``text`` is a DOT digraph of the statements make_dot writes, line by line;
    return ({node: label}, {node: attributes}, [(tail, head, attributes)])."""
    lines = text.rstrip("\n").split("\n")
    assert lines[0] == "digraph {" and lines[-1] == "}"
    labels, attrs, edges = {}, {}, []
    for line in lines[1:-1]:
        if re.fullmatch(rf"\t(graph|node) {ATTRS}", line):
            continue
        m = re.fullmatch(rf"\t(\w+) (\[label=({QUOTED})(?: fillcolor=\w+)?\])", line)
        if m:
            assert m.group(1) not in labels, f"node {m.group(1)} declared twice"
            labels[m.group(1)] = re.sub(r"\\(.)", lambda e: "\n" if e.group(1) == "n"
                                        else e.group(1), m.group(3)[1:-1])   # unescaped
            attrs[m.group(1)] = m.group(2)
            continue
        m = re.fullmatch(rf"\t(\w+) -> (\w+)(?: ({ATTRS}))?", line)
        assert m, f"not a DOT statement: {line!r}"
        edges.append((m.group(1), m.group(2), m.group(3) or ""))
    for a, b, _ in edges:
        assert a in labels and b in labels, f"edge {a} -> {b} to an undeclared node"
    return labels, attrs, edges


def by_label(labels, start):
    return [n for n, lab in labels.items() if lab.startswith(start)]


def test_a_small_graph_has_a_node_per_function_and_tensor():
    x = nl.randn(3, requires_grad=True)
    w = nl.randn(3, dtype=nl.float64, requires_grad=True)
    y = (x * w).sum()
    dot = make_dot(y, params={"x": x, "w": w})
    labels, attrs, edges = parse_dot(dot.source)
    # output, SumBackward, MulBackward, AstypeBackward (x to float64), two AccumulateGrad,
    # the two leaves
    assert len(labels) == 8 and len(edges) == 7
    assert labels[by_label(labels, "x\n")[0]] == "x\n(3) float32"
    assert labels[by_label(labels, "w\n")[0]] == "w\n(3) float64"
    out = [n for n, a in attrs.items() if "darkolivegreen1" in a]
    assert [labels[n] for n in out] == ["() float64"]          # the output, highlighted
    names = {labels[b] for a, b, _ in edges} | {labels[a] for a, b, _ in edges}
    assert {"SumBackward", "MulBackward", "AstypeBackward", "AccumulateGrad"} <= names
    # every arrow points towards the output: Sum feeds the output, Mul feeds Sum
    (s,), (m,) = by_label(labels, "SumBackward"), by_label(labels, "MulBackward")
    assert (s, out[0], "") in edges and (m, s, "") in edges


def test_parameters_of_a_model_are_named():
    model = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2))
    y = model(nl.randn(5, 3)).sum()
    labels, attrs, _ = parse_dot(make_dot(y, params=dict(model.named_parameters())).source)
    leaves = sorted(labels[n] for n, a in attrs.items() if "lightblue" in a)
    assert leaves == ["0.bias\n(4) float32", "0.weight\n(4, 3) float32",
                      "2.bias\n(2) float32", "2.weight\n(2, 4) float32"]
    assert len(by_label(labels, "LinearBackward")) == 2 and by_label(labels, "TanhBackward")


def test_saved_arrays_and_attributes_on_request():
    x = nl.randn(3, 4, requires_grad=True)
    y = (x * x).sum(dim=1)
    plain, _, _ = parse_dot(make_dot(y).source)
    labels, attrs, edges = parse_dot(make_dot(y, show_saved=True, show_attrs=True).source)
    saved = [n for n, a in attrs.items() if "orange" in a]
    assert len(labels) == len(plain) + len(saved) and saved
    assert all(labels[n].endswith("(3, 4) float32") for n in saved)
    assert all(e[2] == "[dir=none]" for e in edges if e[0] in saved)
    (s,) = by_label(labels, "SumBackward")
    assert "axis: (1,)" in labels[s].split("\n")[1:]
    cut = make_dot(y, show_attrs=True, max_attr_chars=4).source
    assert "axis: (1,)" in cut and "kshape: (3, 1)" not in cut and "kshape: (..." in cut


def test_several_outputs_share_one_graph_and_output_index_is_shown():
    x = nl.randn(3, 4, requires_grad=True)
    values, _ = x.max(dim=1)
    labels, attrs, edges = parse_dot(make_dot((values * 2, values.exp())).source)
    assert sum("darkolivegreen1" in a for a in attrs.values()) == 2
    assert len(by_label(labels, "MaxDimBackward")) == 1       # drawn once
    (mx,) = by_label(labels, "MaxDimBackward")
    assert [e[2] for e in edges if e[0] == mx] == ['[label="0"]'] * 2


def test_a_view_is_joined_to_its_base():
    x = nl.randn(4, requires_grad=True)
    base = x * 2
    labels, attrs, edges = parse_dot(make_dot(base[1:3]).source)
    (b,) = [n for n, a in attrs.items() if "darkolivegreen3" in a]
    assert labels[b] == "(4) float32" and any(e[0] == b and "dotted" in e[2] for e in edges)


def test_labels_are_escaped():
    w = nl.randn(2, requires_grad=True)
    name = 'we"ird\\name\nline'
    source = make_dot(w * 3, params={name: w}).source
    assert '[label="we\\"ird\\\\name\\nline\\n(2) float32"' in source
    labels, _, _ = parse_dot(source)
    (leaf,) = by_label(labels, "we")
    assert labels[leaf] == name + "\n(2) float32"


def test_a_long_chain_is_walked_without_recursion():
    x = nl.ones(2, requires_grad=True)
    y = x
    for _ in range(20000):
        y = y * 1.0
    labels, _, edges = parse_dot(make_dot(y).source)
    assert len(labels) == 20000 + 3 and len(edges) == 20000 + 2


def test_a_tensor_without_history_is_one_node():
    labels, _, edges = parse_dot(make_dot(nl.zeros(2, 3, dtype=nl.int64)).source)
    assert list(labels.values()) == ["(2, 3) int64"] and not edges


def test_bad_arguments():
    with pytest.raises(TypeError, match="output"):
        make_dot(np.zeros(3))
    with pytest.raises(TypeError, match="params"):
        make_dot(nl.ones(2), params=[("w", nl.ones(2))])
    with pytest.raises(ValueError, match="format"):
        make_dot(nl.ones(2)).render("g.gv", format="../svg")


def test_save_and_render_without_dot_raise_cleanly(tmp_path, monkeypatch):
    monkeypatch.setattr(graph.shutil, "which", lambda name: None)
    dot = make_dot(nl.ones(2, requires_grad=True) * 2)
    assert not hasattr(dot, "_repr_svg_")
    with pytest.raises(ExecutableNotFound, match="dot"):
        dot.render(tmp_path / "g.gv")
    assert not list(tmp_path.iterdir())                     # nothing half-written
    with pytest.raises(RuntimeError, match="Graphviz"):
        dot.pipe("svg")
    path = dot.save("g.gv", directory=tmp_path)
    assert open(path).read() == dot.source == str(dot)


@pytest.mark.skipif(shutil.which("dot") is None, reason="the Graphviz program dot is not "
                    "installed (apt-get install graphviz)")
def test_render_with_dot(tmp_path):
    model = nn.Linear(3, 2)
    dot = make_dot(model(nl.randn(4, 3)).sum(), params=dict(model.named_parameters()))
    out = dot.render(tmp_path / "linear.gv", format="svg", cleanup=True)
    assert out == str(tmp_path / "linear.gv.svg") and not (tmp_path / "linear.gv").exists()
    svg = open(out).read()
    assert "<svg" in svg and "weight" in svg
    assert "<svg" in dot._repr_svg_() and dot.pipe("png")[:4] == b"\x89PNG"
    assert isinstance(dot, Digraph)
    w = nl.randn(2, requires_grad=True)                      # dot reads escaped labels
    odd = make_dot(w * 3, params={'a "quoted"\\ name': w}).pipe("svg", encoding="utf-8")
    assert "a &quot;quoted&quot;\\ name" in odd
