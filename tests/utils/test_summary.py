"""nnlite.utils.summary: the table (shapes, parameters, mult-adds), its totals, depth,
the ways of giving inputs, the model left as it was, and parity with torchinfo."""
import re

import numpy as np
import pytest

import nnlite as nl
from nnlite import nn
from nnlite.models import LeNet5, resnet18
from nnlite.utils import ModelStatistics, summary


def rows(stats):
    """The table's layer rows as {layer name: [the column texts]} (first call of each)."""
    out = {}
    for line in str(stats).splitlines():
        m = re.match(r"^[│├└─\s]*(\w+(?: \(\w+\))?(?:: [\d-]+)?)\s{2,}(.*)$", line)
        if m and not line.startswith(("=", "Layer", "Total", "Trainable", "Non-")):
            out.setdefault(m.group(1), re.split(r"\s{2,}", m.group(2).strip()))
    return out


def by_hand(module, out_shape):
    """Mult-adds of a Conv or Linear: (weight + bias elements) x the positions each is
    used at (batch x output pixels for a conv, every leading axis for a linear layer)."""
    n = sum(p.numel() for p in module.parameters())
    if isinstance(module, nn.Conv2d):
        return n * out_shape[0] * out_shape[2] * out_shape[3]
    return n * int(np.prod(out_shape[:-1]))


# ---- LeNet-5: the table ------------------------------------------------------------
def test_lenet5_table_shapes_parameters_and_totals():
    model = LeNet5()
    stats = summary(model, (2, 1, 28, 28), verbose=0)
    assert isinstance(stats, ModelStatistics)
    table = rows(stats)
    expected = {  # row: (output shape, module)
        "Conv2d: 1-1": ([2, 6, 28, 28], model.c1), "MaxPool2d: 1-2": ([2, 6, 14, 14], None),
        "Conv2d: 1-3": ([2, 16, 10, 10], model.c3), "MaxPool2d: 1-4": ([2, 16, 5, 5], None),
        "Conv2d: 1-5": ([2, 120, 1, 1], model.c5), "Linear: 1-6": ([2, 84], model.f6),
        "Linear: 1-7": ([2, 10], model.output)}
    assert list(table) == ["LeNet5"] + list(expected)
    assert table["LeNet5"] == ["[2, 10]", "--", "--"]
    macs = 0
    for name, (shape, layer) in expected.items():
        out, params, mult_adds = table[name]
        assert out == str(shape)
        if layer is None:
            assert params == mult_adds == "--"
            continue
        n = sum(p.numel() for p in layer.parameters())
        assert params == f"{n:,}"
        assert mult_adds == f"{by_hand(layer, shape):,}"
        macs += by_hand(layer, shape)
    assert stats.total_params == sum(p.numel() for p in model.parameters()) == 61706
    assert stats.trainable_params == 61706 and stats.non_trainable_params == 0
    assert stats.total_mult_adds == macs == 2 * 423038
    assert stats.total_param_bytes == 4 * 61706
    assert stats.total_input == 2 * 28 * 28 * 4
    assert stats.input_size == [[2, 1, 28, 28]]
    text = str(stats)
    assert "Total params: 61,706" in text and "Total mult-adds (M): 0.85" in text
    assert "Params size (MB): 0.25" in text and "Estimated Total Size (MB)" in text


def test_prints_the_table_unless_quiet(capsys):
    stats = summary(LeNet5(), (1, 1, 28, 28))
    assert capsys.readouterr().out.strip() == str(stats)
    summary(LeNet5(), (1, 1, 28, 28), verbose=0)
    assert capsys.readouterr().out == ""


def test_verbose_2_and_every_column():
    cols = ["input_size", "output_size", "kernel_size", "num_params", "params_percent",
            "mult_adds", "trainable"]
    text = str(summary(LeNet5(), (1, 1, 28, 28), verbose=2, col_names=cols,
                       row_settings=["var_names", "depth", "ascii_only"]))
    assert "Conv2d (c1): 1-1" in text and "[1, 1, 28, 28]" in text and "[5, 5]" in text
    assert "+ weight" in text and "[1, 6, 5, 5]" in text       # [in, out, kH, kW] as torchinfo
    assert "77.98%" in text and "True" in text and "─" not in text


# ---- mult-adds by layer type ---------------------------------------------------------
@pytest.mark.parametrize("layer, shape, expected", [
    (nn.Conv2d(3, 8, 3, stride=2, padding=1), (2, 3, 9, 9), (8 * 3 * 9 + 8) * 2 * 5 * 5),
    (nn.Conv2d(4, 6, 3, groups=2, bias=False), (1, 4, 5, 5), 6 * 2 * 9 * 3 * 3),
    (nn.Linear(20, 5), (4, 20), (100 + 5) * 4),
    (nn.Linear(20, 5), (4, 7, 20), (100 + 5) * 4 * 7),       # every leading axis
    (nn.ConvTranspose2d(2, 3, 2, stride=2), (1, 2, 3, 3), (24 + 3) * 6 * 6),  # torchinfo's rule
    (nn.BatchNorm2d(8), (2, 8, 4, 4), 2 * 16),               # torchinfo: per sample
    (nn.LSTM(4, 6, batch_first=True), (3, 5, 4), 5 * 3 * (4 * 6 * (4 + 6 + 2))),
    (nn.GRU(4, 6), (5, 3, 4), 5 * 3 * (3 * 6 * (4 + 6 + 2))),
])
def test_mult_adds_of_a_layer(layer, shape, expected):
    assert summary(layer, shape, verbose=0).total_mult_adds == expected


def test_embedding_costs_nothing_and_attention_counts_its_matmuls():
    assert summary(nn.Embedding(10, 4), (2, 3), dtypes=[nl.int64], verbose=0).total_mult_adds == 0
    N, L, S, E = 2, 5, 7, 8
    mha = nn.MultiheadAttention(E, 2, batch_first=True)
    stats = summary(mha, [(N, L, E), (N, S, E), (N, S, E)], verbose=0)
    q, kv = N * L, N * S
    proj = q * E * E + 2 * kv * E * E + (q + 2 * kv) * E             # Q, K, V and biases
    assert stats.total_mult_adds == proj + 2 * q * S * E + q * E * E + q * E
    assert [r.class_name for r in stats.summary_list] == ["MultiheadAttention"]  # one row


# ---- depth, containers, recursion ---------------------------------------------------------
class Nested(nn.Module):
    def __init__(self):
        super().__init__()
        self.blocks = nn.ModuleList([nn.Sequential(nn.Linear(8, 8), nn.ReLU()), nn.Linear(8, 8)])
        self.shared = nn.Linear(8, 8)
        self.head = nn.Sequential(nn.Sequential(nn.Linear(8, 4)), nn.Linear(4, 2))
        self.scale = nn.Parameter(nl.ones(1))

    def forward(self, x):
        for block in self.blocks:
            x = block(x)
        x = self.shared(self.shared(x))
        return self.head(x) * self.scale


def test_depth_hides_deeper_rows_and_sums_them_at_the_deepest_shown():
    deep = summary(Nested(), (4, 8), verbose=0)
    names = [r.get_layer_name(False, True) for r in deep.summary_list]
    assert names == ["Nested", "ModuleList: 1-1", "Sequential: 2-1", "Linear: 3-1", "ReLU: 3-2",
                     "Linear: 2-2", "Linear: 1-2", "Linear: 1-3", "Sequential: 1-4",
                     "Sequential: 2-3", "Linear: 3-3", "Linear: 2-4"]
    table = rows(deep)
    assert table["Linear: 1-3"][1] == "(recursive)" and table["Nested"][1] == "1"  # scale
    assert table["ModuleList: 1-1"][1:] == ["--", "--"]
    shallow = rows(summary(Nested(), (4, 8), depth=1, verbose=0))
    assert list(shallow) == ["Nested", "ModuleList: 1-1", "Linear: 1-2", "Linear: 1-3",
                             "Sequential: 1-4"]
    assert shallow["ModuleList: 1-1"][1:] == ["144", f"{2 * 72 * 4:,}"]
    assert shallow["Sequential: 1-4"][1:] == ["46", f"{(36 + 10) * 4:,}"]
    assert list(rows(summary(Nested(), (4, 8), depth=0, verbose=0))) == ["Nested"]
    # the total is the same at every depth: each call of a leaf layer once
    assert deep.total_mult_adds == 4 * (72 + 72 + 72 + 72 + 36 + 10)
    assert deep.total_params == sum(p.numel() for p in Nested().parameters())


def test_a_module_registered_twice_is_hooked_once():
    class Tied(nn.Module):
        def __init__(self):
            super().__init__()
            self.a = nn.Linear(4, 4)
            self.b = self.a                            # the same layer under two names

        def forward(self, x):
            return self.b(self.a(x))

    stats = summary(Tied(), (2, 4), verbose=0)
    assert [(r.var_name, r.is_recursive) for r in stats.summary_list] == [
        ("Tied", False), ("a", False), ("a", True)]     # one row per call
    assert stats.total_params == 20 and stats.total_mult_adds == 2 * 2 * 20


def test_without_input_lists_modules_and_parameters():
    stats = summary(Nested(), verbose=0)
    assert stats.total_params == 72 * 3 + 36 + 10 + 1 and not stats.input_size
    assert "Param #" in str(stats) and "Mult-Adds" not in str(stats)
    with pytest.raises(ValueError, match="mult_adds"):
        summary(Nested(), col_names=["mult_adds"], verbose=0)


def test_frozen_parameters_are_counted_apart():
    model = LeNet5()
    model.c1.requires_grad_(False)
    stats = summary(model, (1, 1, 28, 28), verbose=0,
                    col_names=["output_size", "num_params", "trainable"])
    assert stats.non_trainable_params == 156 and stats.trainable_params == 61706 - 156
    assert rows(stats)["Conv2d: 1-1"][1:] == ["(156)", "False"]
    assert "Non-trainable params: 156" in str(stats)


# ---- inputs ------------------------------------------------------------------------------
class TwoInputs(nn.Module):
    def __init__(self):
        super().__init__()
        self.dense = nn.Linear(3, 4)
        self.embed = nn.Embedding(10, 4)

    def forward(self, x, idx, scale=1.0):
        return self.dense(x) * scale + self.embed(idx)


def test_input_data_and_input_size_give_the_same_table():
    a = summary(LeNet5(), (2, 1, 28, 28), verbose=0)
    b = summary(LeNet5(), input_data=nl.randn(2, 1, 28, 28), verbose=0)
    c = summary(LeNet5(), input_data=np.zeros((2, 1, 28, 28), np.float32), verbose=0)
    d = summary(LeNet5(), (1, 28, 28), batch_dim=0, verbose=0)
    assert str(a) == str(b) == str(c)
    assert d.total_mult_adds * 2 == a.total_mult_adds and d.input_size == [[1, 28, 28]]
    assert [r.output_size for r in d.summary_list][-1] == [1, 10]


def test_a_model_with_several_inputs():
    by_size = summary(TwoInputs(), [(2, 3), (2,)], dtypes=[nl.float32, nl.int64], verbose=0)
    assert by_size.input_size == [[2, 3], [2]]
    assert rows(by_size)["Embedding: 1-2"][0] == "[2, 4]"
    x, idx = nl.randn(2, 3), nl.tensor([1, 2])
    positional = summary(TwoInputs(), input_data=[x, idx], verbose=0, scale=2.0)
    keywords = summary(TwoInputs(), input_data={"x": x, "idx": idx}, verbose=0)
    assert str(positional) == str(keywords) == str(by_size)
    assert by_size.total_input == 2 * 3 * 4 + 2 * 8
    with pytest.raises(ValueError, match="dtypes"):
        summary(TwoInputs(), [(2, 3), (2,)], dtypes=[nl.float32], verbose=0)


# ---- the model is left as it was ----------------------------------------------------------
def test_eval_pass_without_gradients_and_modes_restored():
    model = nn.Sequential(nn.Linear(4, 4), nn.BatchNorm1d(4), nn.Dropout(0.5))
    model[2].eval()                                   # a mixed state, kept as it was
    mean = model[1].running_mean.numpy().copy()
    summary(model, (8, 4), verbose=0)
    assert [m.training for m in model.modules()] == [True, True, True, False]
    np.testing.assert_array_equal(model[1].running_mean.numpy(), mean)   # eval: not updated
    assert all(p.grad is None for p in model.parameters())
    assert all(not m._forward_hooks and not m._forward_pre_hooks for m in model.modules())
    summary(model, (8, 4), mode="train", verbose=0)
    assert not np.array_equal(model[1].running_mean.numpy(), mean)


def test_bad_arguments_raise_clear_errors():
    with pytest.raises(RuntimeError, match="only one of input_size and input_data"):
        summary(LeNet5(), (1, 1, 28, 28), input_data=nl.randn(1, 1, 28, 28))
    with pytest.raises(ValueError, match="col_names"):
        summary(LeNet5(), (1, 1, 28, 28), col_names=["flops"])
    with pytest.raises(ValueError, match="row_settings"):
        summary(LeNet5(), (1, 1, 28, 28), row_settings=["colour"])
    with pytest.raises(ValueError, match="input_size"):
        summary(LeNet5(), (1, -1, 28, 28))
    with pytest.raises(ValueError, match="verbose"):
        summary(LeNet5(), (1, 1, 28, 28), verbose=3)
    with pytest.raises(TypeError, match="nn.Module"):
        summary(lambda x: x, (1, 2))
    with pytest.raises(nl.DeviceError):
        summary(LeNet5(), (1, 1, 28, 28), device="cuda")
    model = LeNet5()
    with pytest.raises(RuntimeError, match=r"forward pass of LeNet5 failed in c1 \(Conv2d\)"):
        summary(model, (1, 3, 28, 28), verbose=0)     # c1 wants 1 channel
    assert all(not m._forward_hooks for m in model.modules())


# ---- parity with torchinfo -------------------------------------------------------------
def _torch_lenet5(torch):
    tnn, F = torch.nn, torch.nn.functional

    class LeNet5(tnn.Module):     # the name shows in the table
        def __init__(self):
            super().__init__()
            self.c1, self.s2 = tnn.Conv2d(1, 6, 5, padding=2), tnn.MaxPool2d(2, 2)
            self.c3, self.s4 = tnn.Conv2d(6, 16, 5), tnn.MaxPool2d(2, 2)
            self.c5, self.f6, self.output = tnn.Conv2d(16, 120, 5), tnn.Linear(120, 84), \
                tnn.Linear(84, 10)

        def forward(self, x):
            x = self.s4(F.relu(self.c3(self.s2(F.relu(self.c1(x))))))
            return self.output(F.relu(self.f6(F.relu(self.c5(x)).flatten(1))))
    return LeNet5()


@pytest.mark.parametrize("name", ["lenet5", "resnet18"])
def test_totals_and_table_match_torchinfo(torch, name):
    torchinfo = pytest.importorskip("torchinfo")
    if name == "lenet5":
        ours, theirs, shape = LeNet5(), _torch_lenet5(torch), (2, 1, 28, 28)
    else:
        from tests.models._torch_reference import BasicBlock, ResNet
        ours, theirs, shape = resnet18(), ResNet(BasicBlock, [2, 2, 2, 2]), (1, 3, 64, 64)
    cols = ("output_size", "num_params", "mult_adds")
    a = summary(ours, shape, col_names=cols, verbose=0)
    b = torchinfo.summary(theirs, shape, col_names=cols, verbose=0)
    for total in ("total_params", "trainable_params", "total_mult_adds", "total_param_bytes",
                  "total_output_bytes"):
        assert getattr(a, total) == getattr(b, total), total
    ours_lines, their_lines = str(a).splitlines(), str(b).splitlines()
    assert len(ours_lines) == len(their_lines)
    for x, y in zip(ours_lines, their_lines):
        if not x.startswith(("Total mult-adds", "Input size", "Estimated")):  # units, bytes
            assert x == y
