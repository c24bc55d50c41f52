"""Recurrent layers: ``RNN``, ``LSTM``, ``GRU`` over whole sequences and the one-step
cells ``RNNCell``, ``LSTMCell``, ``GRUCell``, with PyTorch's arguments, shapes, gate
order (LSTM i, f, g, o; GRU r, z, n) and parameter names (``weight_ih_l0``,
``weight_hh_l0_reverse``, ...), so ``state_dict``s move between the two unchanged.

Notation: L sequence length, N batch, H_in input features, H hidden size, P the size of
h (H, or ``proj_size`` for a projected LSTM), D = 2 if bidirectional else 1.

Each layer and direction is ONE autograd node (nnlite/ops/recurrent.py): the input
projection of every time step is one matmul, each step's gates come from one matmul
``h @ W_hh^T``, and backpropagation through time runs inside the node. Variable-length
batches go in as a ``PackedSequence`` (nn.utils.rnn.pack_padded_sequence): the kernels
work on the packed rows, so padded steps are never computed.

Sections: shared checks -- RNN / LSTM / GRU -- cells.
"""
from __future__ import annotations

import math
import numbers
import warnings
from typing import Any

import numpy as np

from ..ops import cat as _cat
from ..ops import stack as _stack
from ..factories import as_tensor
from ..ops.dropout import dropout as _dropout
from ..ops.recurrent import gru_layer, lstm_layer, rnn_layer
from ..tensor import Tensor
from ._checks import factory_dtype, positive_int
from . import init
from .module import Module
from .parameter import Parameter
from .utils.rnn import PackedSequence

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]



# ============================================================================
# The cells RNNBase runs: how each kind plugs in
# ============================================================================
class _Cell:
    """What differs between the kinds of recurrent layer, for ``RNNBase``: the gate count,
    the layer op, and the recurrent states (``h`` for RNN and GRU, ``h`` and ``c`` for
    the LSTM), as ``hx`` takes them in and the output gives them back. Each kind defines
    ``layer(x2, states, w, batch_sizes, reverse) -> (y (N, P), final states)``, one
    layer-direction through its op, ``w`` the parameters by base name."""

    gates = 1
    state_names = ("h_0 (hx)",)

    def state_sizes(self, P: int, H: int) -> tuple:
        """The feature size of each state: h has P (the projection, else H)."""
        return (P,)

    def split_hx(self, name: str, hx: Any) -> tuple:
        """The states the user passed as ``hx``."""
        if isinstance(hx, (tuple, list)):
            raise TypeError(f"{name}: hx must be a Tensor, got {type(hx).__name__}")
        return (hx,)

    def result(self, output: Any, states: tuple) -> tuple:
        return output, states[0]


class _RNNCell(_Cell):
    def __init__(self, nonlinearity: str) -> None:
        self.nonlinearity = nonlinearity

    def layer(self, x2, states, w, batch_sizes, reverse):
        y, h = rnn_layer(x2, states[0], w["weight_ih"], w["weight_hh"], w["bias_ih"],
                         w["bias_hh"], batch_sizes, reverse, self.nonlinearity)
        return y, (h,)


class _GRUCell(_Cell):
    gates = 3

    def layer(self, x2, states, w, batch_sizes, reverse):
        y, h = gru_layer(x2, states[0], w["weight_ih"], w["weight_hh"], w["bias_ih"],
                         w["bias_hh"], batch_sizes, reverse)
        return y, (h,)


class _LSTMCell(_Cell):
    gates = 4
    state_names = ("h_0 (hx[0])", "c_0 (hx[1])")

    def state_sizes(self, P: int, H: int) -> tuple:
        return (P, H)

    def layer(self, x2, states, w, batch_sizes, reverse):
        y, h, c = lstm_layer(x2, states[0], states[1], w["weight_ih"], w["weight_hh"],
                             w["bias_ih"], w["bias_hh"], w["weight_hr"], batch_sizes,
                             reverse)
        return y, (h, c)

    def split_hx(self, name: str, hx: Any) -> tuple:
        if not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"{name}: hx must be a tuple (h_0, c_0), got "
                            f"{type(hx).__name__}")
        return tuple(hx)

    def result(self, output: Any, states: tuple) -> tuple:
        return output, states


_CELLS = {"LSTM": _LSTMCell(), "GRU": _GRUCell(), "RNN_TANH": _RNNCell("tanh"),
          "RNN_RELU": _RNNCell("relu")}


# ============================================================================
# Shared checks
# ============================================================================
def _check_input_dtype(layer: str, x: Tensor, dtype: np.dtype) -> None:
    if x.dtype != dtype:
        raise TypeError(f"{layer}: input has dtype {x.dtype} but the parameters are {dtype}; "
                        f"convert one of them (e.g. input.to({dtype}))")


def _state(layer: str, name: str, h: Any, shape: tuple, batched: bool, dtype: np.dtype) -> Tensor:
    """A user-given state as a Tensor of ``shape`` (batched; unbatched states get the batch
    dim added), or a clear error naming the argument and both shapes."""
    h = as_tensor(h)
    want = shape if batched else shape[:-2] + shape[-1:]
    if h.shape != want:
        kind = "batched" if batched else "unbatched"
        raise ValueError(f"{layer}: {name} must have shape {want} for {kind} input, got "
                         f"{h.shape}")
    if h.dtype != dtype:
        raise TypeError(f"{layer}: {name} has dtype {h.dtype} but the parameters are {dtype}")
    return h if batched else h.unsqueeze(-2)


# ============================================================================
# RNN / LSTM / GRU
# ============================================================================
class RNNBase(Module):
    """The machinery shared by ``RNN``, ``LSTM`` and ``GRU``: parameters, checks, and the
    loop over layers and directions. Use the subclasses.

    ``mode`` is 'LSTM', 'GRU', 'RNN_TANH' or 'RNN_RELU' (as torch).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__()
        name = {"RNN_TANH": "RNN", "RNN_RELU": "RNN"}.get(mode, mode)
        if mode not in _CELLS:
            raise ValueError(f"Unrecognized RNN mode: {mode}")
        dtype = factory_dtype(name, device, dtype)
        if (isinstance(dropout, bool) or not isinstance(dropout, numbers.Number)
                or not 0 <= dropout <= 1):
            raise ValueError(f"{name}: dropout should be a number in range [0, 1] representing "
                             f"the probability of an element being zeroed, got {dropout!r}")
        if dropout > 0 and num_layers == 1:
            warnings.warn(f"dropout option adds dropout after all but last recurrent layer, "
                          f"so non-zero dropout expects num_layers greater than 1, but got "
                          f"dropout={dropout} and num_layers={num_layers}", stacklevel=3)
        for arg, value in (("bias", bias), ("batch_first", batch_first),
                           ("bidirectional", bidirectional)):
            if not isinstance(value, bool):
                raise TypeError(f"{name}: {arg} should be of type bool, got: "
                                f"{type(value).__name__}")
        self.mode = mode
        self._cell = _CELLS[mode]
        self.input_size = positive_int(name, "input_size", input_size)
        self.hidden_size = positive_int(name, "hidden_size", hidden_size)
        self.num_layers = positive_int(name, "num_layers", num_layers)
        if isinstance(proj_size, bool) or not isinstance(proj_size, (int, np.integer)) \
                or proj_size < 0:
            raise ValueError(f"{name}: proj_size should be a positive integer or zero to "
                             f"disable projections, got {proj_size!r}")
        if proj_size >= hidden_size:
            raise ValueError(f"{name}: proj_size has to be smaller than hidden_size, got "
                             f"proj_size={proj_size} and hidden_size={hidden_size}")
        self.bias = bias
        self.batch_first = batch_first
        self.dropout = float(dropout)
        self.bidirectional = bidirectional
        self.proj_size = int(proj_size)

        gates = self._cell.gates * self.hidden_size
        real_hidden = self.proj_size or self.hidden_size
        D = 2 if bidirectional else 1
        self._flat_weights_names: list = []
        self._all_weights: list = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else real_hidden * D
            for direction in range(D):
                sfx = f"_l{layer}" + ("_reverse" if direction == 1 else "")
                shapes = [("weight_ih", (gates, layer_input)), ("weight_hh", (gates, real_hidden))]
                if bias:
                    shapes += [("bias_ih", (gates,)), ("bias_hh", (gates,))]
                if self.proj_size:
                    shapes += [("weight_hr", (self.proj_size, self.hidden_size))]
                names = []
                for base, shape in shapes:
                    setattr(self, base + sfx, Parameter(np.empty(shape, dtype)))
                    names.append(base + sfx)
                self._flat_weights_names.extend(names)
                self._all_weights.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias U(-k, k) with k = 1 / sqrt(hidden_size) (torch's init)."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    @property
    def all_weights(self) -> list:
        """The parameters of each layer-direction, ``[[weight_ih, weight_hh, ...], ...]``."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Does nothing: torch uses it to pack weights for cuDNN; nnlite's weights are
        already in the layout its kernels read. Kept so torch code runs unchanged."""

    # ---- forward ---------------------------------------------------------------
    def _weights(self, sfx: str) -> dict:
        """One layer-direction's parameters by base name (None where absent)."""
        return {base: getattr(self, base + sfx, None)
                for base in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")}

    def _name(self) -> str:
        return type(self).__name__

    def _input(self, input: Any) -> tuple:
        """The input as packed rows x2 (N, H_in) with its batch sizes, plus what is needed
        to give the output the input's form back."""
        name, I = self._name(), self.input_size
        if isinstance(input, PackedSequence):
            x2 = input.data
            if x2.ndim != 2 or x2.shape[1] != I:
                raise ValueError(f"{name}(input_size={I}): expected PackedSequence data of "
                                 f"shape (sum of lengths, {I}), got {x2.shape}")
            bs = input.batch_sizes.array.tolist()
            return x2, bs, bs[0], True, None
        x = as_tensor(input)
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: expected input of 3 dims ((L, N, H_in), or (N, L, H_in) "
                             f"with batch_first) or 2 dims (L, H_in) unbatched, got shape "
                             f"{x.shape}")
        if x.shape[-1] != I:
            layout = ("(L, H_in)" if x.ndim == 2 else
                      "(N, L, H_in)" if self.batch_first else "(L, N, H_in)")
            raise ValueError(f"{name}(input_size={I}): input.size(-1) must be equal to "
                             f"input_size: expected input of shape {layout} with H_in = {I}, "
                             f"got shape {x.shape}")
        batched, shape = x.ndim == 3, x.shape
        if not batched:
            x = x.unsqueeze(1)                               # (L, 1, H_in)
        elif self.batch_first:
            x = x.transpose(0, 1)                            # (L, N, H_in)
        L, B = x.shape[:2]
        if L == 0 or B == 0:
            raise ValueError(f"{name}: expected a non-empty sequence and batch, got input "
                             f"of shape {shape}")
        return x.reshape(L * B, I), [B] * L, B, batched, L

    def _initial(self, hx: Any, B: int, batched: bool, sorted_indices: Any) -> tuple | None:
        """The initial states as (num_layers * D, B, size) Tensors (h_0, and c_0 for the
        LSTM), in the packed order of the batch; None when ``hx`` is None."""
        if hx is None:
            return None
        name, D = self._name(), 2 if self.bidirectional else 1
        sizes = self._cell.state_sizes(self.proj_size or self.hidden_size, self.hidden_size)
        dtype = self.weight_ih_l0.dtype
        states = tuple(_state(name, what, h, (self.num_layers * D, B, n), batched, dtype)
                       for what, h, n in zip(self._cell.state_names,
                                             self._cell.split_hx(name, hx), sizes))
        if sorted_indices is not None:
            states = tuple(h.index_select(1, sorted_indices) for h in states)
        return states

    def forward(self, input: Any, hx: Any = None) -> tuple:
        name, D, cell = self._name(), 2 if self.bidirectional else 1, self._cell
        packed = isinstance(input, PackedSequence)
        x2, batch_sizes, B, batched, L = self._input(input)
        dtype = self.weight_ih_l0.dtype
        _check_input_dtype(name, x2, dtype)
        initial = self._initial(hx, B, batched, input.sorted_indices if packed else None)
        P = self.proj_size or self.hidden_size
        if initial is None:                                   # zeros, one per state
            zeros = tuple(Tensor(np.zeros((B, n), dtype))
                          for n in cell.state_sizes(P, self.hidden_size))
        finals = []                                           # per layer-direction
        for layer in range(self.num_layers):
            if layer > 0 and self.dropout > 0 and self.training:
                x2 = _dropout(x2, self.dropout, True)
            ys = []
            for d in range(D):
                k = layer * D + d
                start = zeros if initial is None else tuple(h[k] for h in initial)
                sfx = f"_l{layer}" + ("_reverse" if d == 1 else "")
                y, last = cell.layer(x2, start, self._weights(sfx), batch_sizes, d == 1)
                ys.append(y)
                finals.append(last)
            x2 = ys[0] if D == 1 else _cat(ys, 1)             # (N, D * P)
        # each state stacked over layer-directions: (num_layers * D, B, size)
        states = tuple(_stack(list(hs), 0) for hs in zip(*finals))
        if packed:
            ui = input.unsorted_indices
            if ui is not None:
                states = tuple(h.index_select(1, ui) for h in states)
            output = PackedSequence(x2, input.batch_sizes, input.sorted_indices, ui)
        else:
            output = x2.reshape(L, B, D * P)
            if not batched:
                output = output.squeeze(1)
                states = tuple(h.squeeze(1) for h in states)
            elif self.batch_first:
                output = output.transpose(0, 1)
        return cell.result(output, states)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.proj_size != 0:
            s += f", proj_size={self.proj_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        if self.batch_first is not False:
            s += f", batch_first={self.batch_first}"
        if self.dropout != 0:
            s += f", dropout={self.dropout}"
        if self.bidirectional is not False:
            s += f", bidirectional={self.bidirectional}"
        return s


class RNN(RNNBase):
    """Elman RNN over whole sequences: for each layer and time step ::

        h_t = act(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh),  act = tanh or relu,

    where x_t is the input (layer 0) or the previous layer's output.

    Args:
        input_size (int): H_in, features of the input.
        hidden_size (int): H, features of the hidden state.
        num_layers (int): stacked layers. Default: 1.
        nonlinearity (str): 'tanh' or 'relu'. Default: 'tanh'.
        bias (bool): learn b_ih and b_hh. Default: True.
        batch_first (bool): input and output are ``(N, L, *)`` instead of ``(L, N, *)`` (h_n is
            not affected). Default: False.
        dropout (float): dropout on the outputs of every layer but the last, in training
            mode. Default: 0.0.
        bidirectional (bool): run a second pass from the last step to the first and
            concatenate both outputs. Default: False.
        device: only ``None`` or ``"cpu"``. dtype: of the parameters (default float32).

    Shape:
        input: (L, N, H_in), (N, L, H_in) with batch_first, (L, H_in) unbatched, or a
            ``PackedSequence``.
        hx (optional): h_0 (num_layers * D, N, H) or (num_layers * D, H); zeros if absent.
        output: (L, N, D * H) (or as the input's layout; a PackedSequence for one).
        h_n: (num_layers * D, N, H), the state after each sequence's last valid step.

    Attributes:
        weight_ih_l[k]: ``(H, H_in or D * H)``, weight_hh_l[k] ``(H, H)``, bias_ih_l[k],
            bias_hh_l[k] ``(H,)``, and ``..._reverse`` for the second direction; all
            ``U(-1/sqrt(H), 1/sqrt(H))``.

    Example:
        >>> rnn = nn.RNN(10, 20, 2)
        >>> output, h_n = rnn(nl.randn(5, 3, 10), nl.randn(2, 3, 20))
        >>> output.shape, h_n.shape
        ((5, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, device: Any = None,
                 dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__("RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU", input_size,
                         hidden_size, num_layers, bias, batch_first, dropout, bidirectional,
                         0, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple:
        """Returns (output, h_n)."""
        return super().forward(input, hx)


class LSTM(RNNBase):
    """Long short-term memory (Hochreiter & Schmidhuber 1997, with the forget gate of
    Gers et al. 2000) over whole sequences: for each layer and time step ::

        i, f, g, o = sig(.), sig(.), tanh(.), sig(.) of x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
        c_t = f * c_{t-1} + i * g,   h_t = o * tanh(c_t)   (h_t = W_hr h_t if proj_size > 0)

    Args:
        input_size, hidden_size, num_layers, bias, batch_first: as ``RNN``.
        dropout, bidirectional, device, dtype: as ``RNN``.
        proj_size (int): if > 0, project h_t to this size (Sak et al. 2014), P = proj_size;
            else P = H. Default: 0.

    Shape:
        input: as ``RNN``.
        hx (optional): (h_0, c_0) with h_0 (num_layers * D, N, P), c_0 (num_layers * D, N,
            H) (without the N dim for unbatched input); zeros if absent.
        output: (L, N, D * P) (or as the input's layout).
        h_n: (num_layers * D, N, P);  c_n: (num_layers * D, N, H).

    Attributes:
        weight_ih_l[k]: ``(4H, H_in or D * P)``, weight_hh_l[k] ``(4H, P)``, bias_ih_l[k],
            bias_hh_l[k] ``(4H,)``, weight_hr_l[k] ``(P, H)`` if projected, rows in gate
            order i, f, g, o; ``..._reverse`` for the second direction. All
            ``U(-1/sqrt(H), 1/sqrt(H))``.

    Example:
        >>> lstm = nn.LSTM(10, 20, 2, batch_first=True)
        >>> output, (h_n, c_n) = lstm(nl.randn(3, 5, 10))
        >>> output.shape, h_n.shape, c_n.shape
        ((3, 5, 20), (2, 3, 20), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, device: Any = None,
                 dtype: Any = None) -> None:
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, proj_size, device, dtype)

    def forward(self, input: Any, hx: tuple | None = None) -> tuple:
        """Returns (output, (h_n, c_n))."""
        return super().forward(input, hx)


class GRU(RNNBase):
    """Gated recurrent unit (Cho et al. 2014) over whole sequences: for each layer and step ::

        r = sig(W_ir x + b_ir + W_hr h + b_hr),   z = sig(W_iz x + b_iz + W_hz h + b_hz)
        n = tanh(W_in x + b_in + r * (W_hn h + b_hn)),   h' = (1 - z) * n + z * h

    Args:
        input_size, hidden_size, num_layers, bias, batch_first: as ``RNN``.
        dropout, bidirectional, device, dtype: as ``RNN``.

    Shape:
        as ``RNN``.

    Attributes:
        weight_ih_l[k]: ``(3H, H_in or D * H)``, weight_hh_l[k] ``(3H, H)``, bias_ih_l[k],
            bias_hh_l[k] ``(3H,)``, rows in gate order r, z, n; ``..._reverse`` for the
            second direction. All ``U(-1/sqrt(H), 1/sqrt(H))``.

    Example:
        >>> gru = nn.GRU(10, 20, bidirectional=True)
        >>> output, h_n = gru(nl.randn(5, 3, 10))
        >>> output.shape, h_n.shape
        ((5, 3, 40), (2, 3, 20))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, device: Any = None, dtype: Any = None) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, 0, device, dtype)

    def forward(self, input: Any, hx: Tensor | None = None) -> tuple:
        """Returns (output, h_n)."""
        return super().forward(input, hx)


# ============================================================================
# Cells: one time step, the same kernels with a single step
# ============================================================================
class RNNCellBase(Module):
    """Parameters, checks and repr shared by the cells. Use the subclasses."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, num_chunks: int,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        name = type(self).__name__
        dtype = factory_dtype(name, device, dtype)
        self.input_size = positive_int(name, "input_size", input_size)
        self.hidden_size = positive_int(name, "hidden_size", hidden_size)
        if not isinstance(bias, bool):
            raise TypeError(f"{name}: bias should be of type bool, got: {type(bias).__name__}")
        self.bias = bias
        G = num_chunks * self.hidden_size
        self.weight_ih = Parameter(np.empty((G, self.input_size), dtype))
        self.weight_hh = Parameter(np.empty((G, self.hidden_size), dtype))
        if bias:
            self.bias_ih = Parameter(np.empty((G,), dtype))
            self.bias_hh = Parameter(np.empty((G,), dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Every weight and bias U(-k, k) with k = 1 / sqrt(hidden_size) (torch's init)."""
        k = 1.0 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -k, k)

    def _input(self, input: Any) -> tuple:
        """(x (N, H_in), batched)."""
        name, I = type(self).__name__, self.input_size
        x = as_tensor(input)
        if x.ndim not in (1, 2) or x.shape[-1] != I:
            raise ValueError(f"{name}(input_size={I}): expected input of shape (N, {I}) or "
                             f"({I},), got {x.shape}")
        _check_input_dtype(name, x, self.weight_ih.dtype)
        batched = x.ndim == 2
        return (x if batched else x.unsqueeze(0)), batched

    def _hidden(self, h: Any, what: str, B: int, batched: bool) -> Tensor:
        name = type(self).__name__
        if h is None:
            return Tensor(np.zeros((B, self.hidden_size), self.weight_ih.dtype))
        return _state(name, what, h, (B, self.hidden_size), batched, self.weight_ih.dtype)

    def _bias(self) -> tuple:
        return (self.bias_ih, self.bias_hh) if self.bias else (None, None)

    def extra_repr(self) -> str:
        s = f"{self.input_size}, {self.hidden_size}"
        if self.bias is not True:
            s += f", bias={self.bias}"
        nl_ = getattr(self, "nonlinearity", "tanh")
        if nl_ != "tanh":
            s += f", nonlinearity={nl_}"
        return s


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = act(x W_ih^T + b_ih + h W_hh^T + b_hh).

    Args:
        input_size (int): H_in. hidden_size (int): H.
        bias (bool): learn b_ih and b_hh. Default: True.
        nonlinearity (str): 'tanh' or 'relu'. Default: 'tanh'.
        device, dtype: as ``nn.Linear``.

    Shape:
        input (N, H_in) or (H_in,); hx (N, H) or (H,), zeros if absent -> h' (N, H) or (H,).

    Attributes:
        weight_ih (H, H_in), weight_hh (H, H), bias_ih, bias_hh (H,): U(-1/sqrt(H), 1/sqrt(H)).

    Example:
        >>> cell = nn.RNNCell(10, 20)
        >>> h = nl.zeros(3, 20)
        >>> for x_t in nl.randn(6, 3, 10):
        ...     h = cell(x_t, h)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", device: Any = None, dtype: Any = None) -> None:
        if nonlinearity not in ("tanh", "relu"):
            raise ValueError(f"Unknown nonlinearity '{nonlinearity}'. Select from 'tanh' or "
                             f"'relu'.")
        super().__init__(input_size, hidden_size, bias, 1, device, dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Tensor | None = None) -> Tensor:
        x, batched = self._input(input)
        B = x.shape[0]
        h = self._hidden(hx, "hx", B, batched)
        y, _ = rnn_layer(x, h, self.weight_ih, self.weight_hh, *self._bias(), [B],
                         nonlinearity=self.nonlinearity)
        return y if batched else y.squeeze(0)


class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; see ``LSTM``).

    Args:
        input_size (int): H_in. hidden_size (int): H.
        bias (bool): learn b_ih and b_hh. Default: True.
        device, dtype: as ``nn.Linear``.

    Shape:
        input (N, H_in) or (H_in,); hx = (h, c), each (N, H) or (H,), zeros if absent
        -> (h', c'), each (N, H) or (H,).

    Attributes:
        weight_ih (4H, H_in), weight_hh (4H, H), bias_ih, bias_hh (4H,):
        U(-1/sqrt(H), 1/sqrt(H)).

    Example:
        >>> cell = nn.LSTMCell(10, 20)
        >>> h, c = cell(nl.randn(3, 10))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 4, device, dtype)

    def forward(self, input: Any, hx: tuple | None = None) -> tuple:
        x, batched = self._input(input)
        B = x.shape[0]
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTMCell: hx must be a tuple (h, c), got {type(hx).__name__}")
        h = self._hidden(hx[0], "h (hx[0])", B, batched)
        c = self._hidden(hx[1], "c (hx[1])", B, batched)
        y, _, c1 = lstm_layer(x, h, c, self.weight_ih, self.weight_hh, *self._bias(), None,
                              [B])
        return (y, c1) if batched else (y.squeeze(0), c1.squeeze(0))


class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; see ``GRU``).

    Args:
        input_size (int): H_in. hidden_size (int): H.
        bias (bool): learn b_ih and b_hh. Default: True.
        device, dtype: as ``nn.Linear``.

    Shape:
        input (N, H_in) or (H_in,); hx (N, H) or (H,), zeros if absent -> h' (N, H) or (H,).

    Attributes:
        weight_ih (3H, H_in), weight_hh (3H, H), bias_ih, bias_hh (3H,):
        U(-1/sqrt(H), 1/sqrt(H)).

    Example:
        >>> cell = nn.GRUCell(10, 20)
        >>> h = cell(nl.randn(3, 10))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__(input_size, hidden_size, bias, 3, device, dtype)

    def forward(self, input: Any, hx: Tensor | None = None) -> Tensor:
        x, batched = self._input(input)
        B = x.shape[0]
        h = self._hidden(hx, "hx", B, batched)
        y, _ = gru_layer(x, h, self.weight_ih, self.weight_hh, *self._bias(), [B])
        return y if batched else y.squeeze(0)
