"""Converters of the elementwise ops: arithmetic, pointwise functions, activations.

Each converter is ``fn(g, op) -> output name(s)`` (see ``convert.Op``). Binary ops cast
an operand whose dtype differs from the result's (nnlite follows torch's promotion;
ONNX wants one dtype), and a plain number operand becomes a constant of the result's
dtype, so no constant widens the computation.
"""
from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...ops import activation as act, arithmetic as ar, elementwise as el, explog, pointwise as pw
from ...ops import rectifiers, trig
from ...ops._util import Astype
from ..graph import Graph

__all__ = ["TABLE"]


def operand(g: Graph, op: Any, i: int, dtype: np.dtype) -> str:
    """Argument ``i`` as an ONNX name of ``dtype``: a number becomes a constant; a
    tensor of another dtype is cast."""
    a = op.get(i)
    if not hasattr(a, "slot"):                  # a plain number
        return g.scalar(a, dtype)
    name = op.name(a)
    return name if a.dtype == dtype else g.cast(name, dtype)


def _binary(onnx_op: str):
    def convert(g: Graph, op: Any) -> str:
        dt = op.out().dtype
        return g.node(onnx_op, [operand(g, op, 0, dt), operand(g, op, 1, dt)])
    convert.__name__ = onnx_op.lower()
    return convert


def _unary(onnx_op: str):
    def convert(g: Graph, op: Any) -> str:
        x = operand(g, op, 0, op.out().dtype)
        return g.node(onnx_op, [x])
    convert.__name__ = onnx_op.lower()
    return convert


def _c(g: Graph, op: Any, value: float) -> str:
    """A scalar constant of the output's dtype."""
    return g.scalar(value, op.out().dtype)


def num(op: Any, i: int) -> float:
    """Argument ``i``, a number given as a Python number or as a 0-d constant array."""
    a = op.get(i)
    if hasattr(a, "slot"):
        if a.varying or not a.constant or a.array.size != 1:
            op.fail(f"argument {i} must be a constant number", unsupported=False)
        return float(a.array.reshape(-1)[0])
    return float(a)


# ---- arithmetic ------------------------------------------------------------------------
def remainder(g: Graph, op: Any) -> str:
    dt = op.out().dtype
    a, b = operand(g, op, 0, dt), operand(g, op, 1, dt)
    python_mod = op.plain(2) is np.remainder          # np.fmod: the sign of a (C's fmod)
    if dt.kind in "iu" or not python_mod:
        return g.node("Mod", [a, b], fmod=0 if python_mod else 1)
    q = g.node("Floor", [g.node("Div", [a, b])])       # a - b * floor(a / b)
    return g.node("Sub", [a, g.node("Mul", [b, q])])


def pow_const(g: Graph, op: Any) -> str:
    x = operand(g, op, 0, op.out().dtype)
    return g.node("Pow", [x, _c(g, op, num(op, 1))])


def scale(g: Graph, op: Any) -> str:
    x = operand(g, op, 0, op.out().dtype)
    return g.node("Mul", [x, _c(g, op, num(op, 1))])


def log1p(g: Graph, op: Any) -> str:
    x = operand(g, op, 0, op.out().dtype)
    return g.node("Log", [g.node("Add", [x, _c(g, op, 1.0)])])


def rsqrt(g: Graph, op: Any) -> str:
    return g.node("Reciprocal", [g.node("Sqrt", [operand(g, op, 0, op.out().dtype)])])


def expm1(g: Graph, op: Any) -> str:
    x = operand(g, op, 0, op.out().dtype)
    return g.node("Sub", [g.node("Exp", [x]), _c(g, op, 1.0)])


def _log_base(base: float):
    def convert(g: Graph, op: Any) -> str:
        x = operand(g, op, 0, op.out().dtype)
        return g.node("Div", [g.node("Log", [x]), _c(g, op, math.log(base))])
    return convert


def exp2(g: Graph, op: Any) -> str:
    return g.node("Pow", [_c(g, op, 2.0), operand(g, op, 0, op.out().dtype)])


def astype(g: Graph, op: Any) -> str:
    return g.cast(op.x(0), op.out().dtype)


# ---- clamps and selections -----------------------------------------------------------------
def _bounded(g: Graph, op: Any, x: str, dt: np.dtype) -> str:
    """min(max(x, lo), hi) for the bounds in arguments 1 and 2 (numbers, arrays or None):
    Clip when both are numbers (or absent), Max and Min (which broadcast) otherwise."""
    lo, hi = op.get(1), op.get(2)
    if not any(hasattr(b, "slot") for b in (lo, hi)):
        return g.node("Clip", [x] + [None if b is None else g.scalar(b, dt) for b in (lo, hi)])
    for i, kind in ((1, "Max"), (2, "Min")):
        if op.get(i) is not None:
            x = g.node(kind, [x, operand(g, op, i, dt)])
    return x


def clamp(g: Graph, op: Any) -> str:
    dt = op.out().dtype
    return _bounded(g, op, operand(g, op, 0, dt), dt)


clamp_tensor = clamp


def where(g: Graph, op: Any) -> str:
    dt = op.out().dtype
    cond = op.x(2)
    if op.v(2).dtype != np.bool_:
        cond = g.cast(cond, np.bool_)
    return g.node("Where", [cond, operand(g, op, 0, dt), operand(g, op, 1, dt)])


# ---- activations ---------------------------------------------------------------------
def leaky_relu(g: Graph, op: Any) -> str:
    return g.node("LeakyRelu", [op.x(0)], alpha=num(op, 1))


def elu(g: Graph, op: Any) -> str:
    return g.node("Elu", [op.x(0)], alpha=num(op, 1))


def celu(g: Graph, op: Any) -> str:
    return g.node("Celu", [op.x(0)], alpha=num(op, 1))


def selu(g: Graph, op: Any) -> str:
    return g.node("Selu", [op.x(0)], alpha=act.SELU_ALPHA, gamma=act.SELU_SCALE)


def hardtanh(g: Graph, op: Any) -> str:
    return g.node("Clip", [op.x(0), _c(g, op, num(op, 1)), _c(g, op, num(op, 2))])


def hardsigmoid(g: Graph, op: Any) -> str:
    return g.node("HardSigmoid", [op.x(0)], alpha=1.0 / 6, beta=0.5)


def hardswish(g: Graph, op: Any) -> str:
    return g.node("HardSwish", [op.x(0)])


def silu(g: Graph, op: Any) -> str:
    x = op.x(0)
    return g.node("Mul", [x, g.node("Sigmoid", [x])])


def mish(g: Graph, op: Any) -> str:
    x = op.x(0)
    return g.node("Mul", [x, g.node("Tanh", [g.node("Softplus", [x])])])


def log_sigmoid(g: Graph, op: Any) -> str:
    return g.node("Neg", [g.node("Softplus", [g.node("Neg", [op.x(0)])])])


def softplus(g: Graph, op: Any) -> str:
    """log(1 + exp(beta x)) / beta, and x where beta x > threshold (torch's)."""
    x, beta, threshold = op.x(0), num(op, 1), num(op, 2)
    bx = x if beta == 1.0 else g.node("Mul", [x, _c(g, op, beta)])
    sp = g.node("Softplus", [bx])
    if beta != 1.0:
        sp = g.node("Div", [sp, _c(g, op, beta)])
    linear = g.node("Greater", [bx, _c(g, op, threshold)])
    return g.node("Where", [linear, x, sp])


def gelu(g: Graph, op: Any) -> str:
    """x * 0.5 * (1 + erf(x / sqrt 2)): nnlite's formula (ONNX's Gelu is opset 20)."""
    x = op.x(0)
    erf = g.node("Erf", [g.node("Mul", [x, _c(g, op, pw.SQRT1_2)])])
    half = g.node("Mul", [_c(g, op, 0.5), g.node("Add", [_c(g, op, 1.0), erf])])
    return g.node("Mul", [x, half])


def gelu_tanh(g: Graph, op: Any) -> str:
    """0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = op.x(0)
    x3 = g.node("Mul", [g.node("Mul", [x, x]), x])
    inner = g.node("Add", [x, g.node("Mul", [x3, _c(g, op, 0.044715)])])
    t = g.node("Tanh", [g.node("Mul", [inner, _c(g, op, pw.GeluTanh.K)])])
    half = g.node("Mul", [g.node("Add", [t, _c(g, op, 1.0)]), _c(g, op, 0.5)])
    return g.node("Mul", [x, half])


def prelu(g: Graph, op: Any) -> str:
    return g.node("PRelu", [op.x(0), op.x(1)])


TABLE = {
    ar.Add: _binary("Add"), ar.Sub: _binary("Sub"), ar.Mul: _binary("Mul"),
    ar.Div: _binary("Div"), ar.Pow: _binary("Pow"), ar.Remainder: remainder,
    ar.PowConst: pow_const, ar.Neg: _unary("Neg"), ar.Clone: _unary("Identity"),
    pw.Maximum: _binary("Max"), pw.Minimum: _binary("Min"),
    pw.Exp: _unary("Exp"), pw.Log: _unary("Log"), pw.Log1p: log1p, pw.Sqrt: _unary("Sqrt"),
    pw.Rsqrt: rsqrt, pw.Abs: _unary("Abs"), pw.Sign: _unary("Sign"), pw.Sin: _unary("Sin"),
    pw.Cos: _unary("Cos"), pw.Erf: _unary("Erf"), pw.TanhFn: _unary("Tanh"),
    pw.SigmoidFn: _unary("Sigmoid"), pw.ReluFn: _unary("Relu"),
    pw.ReluInplaceFn: _unary("Relu"), pw.LeakyReluFn: leaky_relu, pw.EluFn: elu,
    pw.GeluFn: gelu, pw.GeluTanh: gelu_tanh, pw.SoftplusFn: softplus, pw.Clamp: clamp,
    pw.ClampTensor: clamp_tensor, pw.Where: where,
    el.Reciprocal: _unary("Reciprocal"),
    explog.Expm1: expm1, explog.Exp2: exp2, explog.Log2: _log_base(2.0),
    explog.Log10: _log_base(10.0),
    trig.Tan: _unary("Tan"), trig.Sinh: _unary("Sinh"), trig.Cosh: _unary("Cosh"),
    trig.Asin: _unary("Asin"), trig.Acos: _unary("Acos"), trig.Atan: _unary("Atan"),
    trig.Asinh: _unary("Asinh"), trig.Acosh: _unary("Acosh"), trig.Atanh: _unary("Atanh"),
    trig.Scale: scale,
    act.SiluFn: silu, act.MishFn: mish, act.SeluFn: selu, act.SoftsignFn: _unary("Softsign"),
    act.LogSigmoidFn: log_sigmoid, act.HardtanhFn: hardtanh, act.HardsigmoidFn: hardsigmoid,
    act.HardswishFn: hardswish, act.PReluFn: prelu,
    rectifiers.CeluFn: celu,
    Astype: astype,
}
