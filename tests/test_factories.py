"""nnlite/factories.py against torch: shapes, dtypes, values where they are deterministic,
and torch's errors for bad sizes, empty ranges and wrong argument types (random values
come from NumPy's generator, so only their distribution is compared)."""
import numpy as np
import pytest

import nnlite as nl


def _torch_dtype(torch, dt):
    return None if dt is None else getattr(torch, np.dtype(dt).name if dt != "bool" else "bool")


# ---- ranges: values as torch -------------------------------------------------------------
ARANGES = [(5,), (2, 11, 3), (0, 1, 0.1), (-1, 1, 0.3), (0.5, 5), (10, 0, -1.5), (1, 2.5, 0.5),
           (5, 5), (0, 0.9, 0.3), (-5, 5, 3), (2.7, -3.2, -1.6)]


@pytest.mark.parametrize("args", ARANGES)
@pytest.mark.parametrize("dtype", [None, "float32", "float64", "int64"])
def test_arange_matches_torch(torch, args, dtype):
    kw = {} if dtype is None else {"dtype": getattr(torch, dtype)}
    try:
        want = torch.arange(*args, **kw).numpy()
    except (RuntimeError, ValueError) as e:
        with pytest.raises(type(e), match="step must be nonzero"):
            nl.arange(*args, dtype=dtype)
        return
    got = nl.arange(*args, dtype=dtype).numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-7 if got.dtype == np.float32 else 1e-15)


@pytest.mark.parametrize("start,end,steps", [(0, 1, 5), (-1, 2, 7), (0.1, 0.7, 13),
                                             (-3.3, 7.9, 100), (0, 1, 1), (5, -5, 11),
                                             (0, 10, 5), (0.5, 10.5, 5), (3, 3, 4), (0, 1, 0)])
@pytest.mark.parametrize("dtype", ["float32", "float64", "int64"])
def test_linspace_and_logspace_match_torch(torch, start, end, steps, dtype):
    want = torch.linspace(start, end, steps, dtype=getattr(torch, dtype)).numpy()
    got = nl.linspace(start, end, steps, dtype=dtype).numpy()
    assert got.dtype == want.dtype and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=2e-7 if dtype == "float32" else 1e-15,
                               atol=1e-6 if dtype == "float32" else 1e-14)
    if dtype != "int64":
        want = torch.logspace(start / 4, end / 4, steps, base=2,
                              dtype=getattr(torch, dtype)).numpy()
        got = nl.logspace(start / 4, end / 4, steps, base=2, dtype=dtype).numpy()
        np.testing.assert_allclose(got, want, rtol=1e-6 if dtype == "float32" else 1e-14)


def test_eye_full_and_like_match_torch(torch):
    for args in [(3,), (2, 3), (0,), (3, 0)]:
        np.testing.assert_array_equal(nl.eye(*args).numpy(), torch.eye(*args).numpy())
    assert nl.eye(2, 3, dtype=nl.int64).dtype == np.int64
    for fill, dt in [(1.5, None), (3, None), (True, None), (1.5, "int64"), (2, "float64")]:
        want = torch.full((2, 2), fill, dtype=_torch_dtype(torch, dt))
        got = nl.full((2, 2), fill, dtype=dt)
        assert got.dtype == want.numpy().dtype
        np.testing.assert_array_equal(got.numpy(), want.numpy())
    assert nl.full([], 1.5).shape == () and nl.zeros(()).shape == () and nl.zeros([]).shape == ()
    x = nl.zeros(2, dtype=nl.int64)
    np.testing.assert_array_equal(nl.full_like(x, 2.7).numpy(),
                                  torch.full_like(torch.zeros(2, dtype=torch.int64), 2.7).numpy())
    assert nl.zeros_like(nl.zeros(2), dtype=nl.int64).dtype == np.int64
    assert nl.zeros(nl.tensor(3)).shape == (3,) and nl.zeros(np.int64(2), 2).shape == (2, 2)


# ---- torch's errors -----------------------------------------------------------------------
@pytest.mark.parametrize("name,call,error,match", [
    ("arange_step_sign", lambda: nl.arange(0, 10, -1), RuntimeError,
     "upper bound and lower bound inconsistent with step sign"),
    ("arange_step_sign_up", lambda: nl.arange(10, 0, 1), RuntimeError, "inconsistent"),
    ("arange_step_zero", lambda: nl.arange(0, 10, 0), RuntimeError, "step must be nonzero"),
    ("arange_nan", lambda: nl.arange(float("nan")), RuntimeError, "unsupported range"),
    ("arange_inf", lambda: nl.arange(0, float("inf")), RuntimeError, "unsupported range"),
    ("eye_negative_n", lambda: nl.eye(-1), RuntimeError, "n must be greater or equal to 0"),
    ("eye_negative_m", lambda: nl.eye(2, -1), RuntimeError, "m must be greater or equal to 0"),
    ("eye_float", lambda: nl.eye(2.0), TypeError, "must be int"),
    ("zeros_negative", lambda: nl.zeros(2, -3), RuntimeError, "non-negative"),
    ("zeros_float", lambda: nl.zeros(2.0), TypeError, "must be int"),
    ("zeros_bool", lambda: nl.zeros(True), TypeError, "must be int"),
    ("full_negative", lambda: nl.full((-1,), 1.5), RuntimeError, "non-negative"),
    ("rand_negative", lambda: nl.rand(-1), RuntimeError, "non-negative"),
    ("linspace_negative", lambda: nl.linspace(0, 1, -1), RuntimeError, "non-negative"),
    ("linspace_float_steps", lambda: nl.linspace(0, 1, 2.0), TypeError, "steps"),
    ("randint_empty_range", lambda: nl.randint(5, 2, (2,)), RuntimeError,
     "'from' to be less than 'to'"),
    ("randint_int_grad", lambda: nl.randint(2, 5, (3,), requires_grad=True), RuntimeError,
     "floating"),
    ("randperm_negative", lambda: nl.randperm(-1), RuntimeError, "non-negative"),
    ("rand_int_dtype", lambda: nl.rand(2, dtype=nl.int64), NotImplementedError, "int64"),
    ("randn_int_dtype", lambda: nl.randn(2, dtype=nl.int64), NotImplementedError, "int64"),
    ("zeros_int_grad", lambda: nl.zeros(2, dtype=nl.int64, requires_grad=True), RuntimeError,
     "floating"),
    ("normal_negative_std", lambda: nl.normal(0.0, -1.0, (2,)), RuntimeError, "std >= 0.0"),
    ("normal_no_size", lambda: nl.normal(0.0, 1.0), TypeError, "size"),
    ("normal_tensor_and_size", lambda: nl.normal(nl.zeros(3), nl.ones(3), (2,)), TypeError,
     "size"),
    ("one_hot_empty", lambda: nl.one_hot(nl.tensor(np.zeros(0, np.int64))), RuntimeError,
     "Can not infer total number of classes from empty tensor"),
    ("bfloat16", lambda: nl.zeros(2, dtype=nl.bfloat16), TypeError, "bfloat16 is not supported"),
])
def test_factory_errors_follow_torch(torch, name, call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_one_hot_of_an_empty_tensor_with_num_classes(torch):
    got = nl.one_hot(nl.tensor(np.zeros(0, np.int64)), 3)
    want = torch.nn.functional.one_hot(torch.zeros(0, dtype=torch.long), 3)
    assert got.shape == tuple(want.shape) and got.dtype == np.int64


# ---- random factories ------------------------------------------------------------------------
def test_randint_forms_and_dtypes():
    assert nl.randint(10, (3,)).shape == (3,) and nl.randint(10, (3,)).dtype == np.int64
    assert nl.randint(10, size=(2, 2)).shape == (2, 2)
    assert nl.randint(high=3, size=(4,)).numpy().max() < 3
    r = nl.randint(-2, 3, (2000,)).numpy()
    assert r.min() == -2 and r.max() == 2
    assert nl.randint(5, (2,), dtype=nl.float32).dtype == np.float32
    like = nl.randint_like(nl.zeros(3), 2, 5)
    assert like.dtype == np.float32 and set(like.tolist()) <= {2.0, 3.0, 4.0}


def test_randperm_is_a_permutation():
    p = nl.randperm(50)
    assert p.dtype == np.int64 and sorted(p.tolist()) == list(range(50))
    assert nl.randperm(0).shape == (0,) and nl.randperm(4, dtype=nl.float32).dtype == np.float32
    nl.manual_seed(1)
    a = nl.randperm(20).tolist()
    nl.manual_seed(1)
    assert nl.randperm(20).tolist() == a


def test_normal_forms_shapes_and_moments():
    assert nl.normal(2.0, 3.0, size=(1, 4)).shape == (1, 4)
    assert nl.normal(2, 3, (5,)).dtype == np.float32
    assert nl.normal(nl.zeros(3, 1), nl.ones(1, 2)).shape == (3, 2)
    assert nl.normal(nl.zeros(3, dtype=nl.float64), 1.0).dtype == np.float64
    assert nl.normal(0.0, nl.ones(3)).shape == (3,)
    x = nl.normal(nl.full((20000,), 2.0), nl.full((20000,), 0.5)).numpy()
    assert abs(x.mean() - 2.0) < 0.02 and abs(x.std() - 0.5) < 0.02
    assert not nl.normal(0.0, 1.0, (2,)).requires_grad


def test_rand_and_randn_take_a_generator_and_keep_float_dtypes():
    g = np.random.default_rng(5)
    a = nl.rand(3, generator=g).numpy()
    assert np.array_equal(a, np.random.default_rng(5).random(3).astype(np.float32))
    assert nl.randn(2, dtype=nl.float64).dtype == np.float64
    assert nl.rand(2, 3, requires_grad=True).requires_grad


# ---- legacy constructors and predicates --------------------------------------------------
@pytest.mark.parametrize("name", ["FloatTensor", "DoubleTensor", "HalfTensor", "LongTensor",
                                  "IntTensor", "ShortTensor", "CharTensor", "ByteTensor",
                                  "BoolTensor"])
def test_legacy_tensor_types_like_torch(torch, name):
    ours, theirs = getattr(nl, name), getattr(torch, name)
    data = [[1, 0], [1, 1]]
    a, b = ours(data), theirs(data)
    assert a.dtype == b.numpy().dtype and a.tolist() == b.tolist()
    assert ours(2, 3).shape == tuple(theirs(2, 3).shape) and ours().shape == (0,)
    assert ours(np.array([1, 0])).tolist() == theirs(np.array([1, 0])).tolist()
    assert isinstance(a, ours) and isinstance(a, nl.Tensor)
    assert isinstance(nl.zeros(1, dtype=a.dtype), ours)
    assert not isinstance(np.zeros(1, a.dtype), ours)
    assert nl.zeros(1, dtype=a.dtype).type() == f"torch.{name}"
    assert ours(a).numpy() is a.numpy() or np.shares_memory(ours(a).numpy(), a.numpy())


def test_legacy_tensor_type_conversions_and_errors(torch):
    assert nl.LongTensor([1.7, -2.2]).tolist() == torch.LongTensor([1.7, -2.2]).tolist()
    assert nl.DoubleTensor([0.1]).tolist() == [0.1]          # no float32 round trip
    assert not isinstance(nl.zeros(2), nl.LongTensor)
    with pytest.raises(TypeError, match="sequence"):
        nl.FloatTensor(2.5)
    with pytest.raises(RuntimeError, match="negative dimension"):
        nl.FloatTensor(-1)
    with pytest.raises(TypeError, match="dtype float32"):
        nl.FloatTensor(nl.arange(2))


def test_is_tensor_numel_is_floating_point(torch):
    x = nl.zeros(2, 3)
    assert nl.is_tensor(x) and nl.is_tensor(nl.nn.Parameter(x)) and not nl.is_tensor([1.0])
    assert nl.numel(x) == torch.numel(torch.zeros(2, 3)) == 6
    assert nl.is_floating_point(x) and not nl.is_floating_point(nl.arange(3))
    assert nl.is_floating_point(nl.zeros(1, dtype=nl.float16))
    for f in (nl.numel, nl.is_floating_point):
        with pytest.raises(TypeError, match="must be Tensor"):
            f([1.0])


def test_bfloat16_is_a_name_that_refuses_to_be_a_dtype():
    import pickle
    assert repr(nl.bfloat16) == "nnlite.bfloat16" and nl.bfloat16.is_floating_point
    assert {"bfloat16": nl.bfloat16}["bfloat16"] is nl.bfloat16
    assert pickle.loads(pickle.dumps(nl.bfloat16)) is nl.bfloat16
    with pytest.raises(TypeError, match="bfloat16"):     # NumPy 1.x words this one itself
        np.dtype(nl.bfloat16)
    for use in (lambda: nl.ones(2).to(nl.bfloat16),
                lambda: nl.tensor([1.0], dtype=nl.bfloat16), lambda: nl.randn(2, dtype=nl.bfloat16),
                lambda: nl.nn.Linear(2, 2).to(nl.bfloat16)):
        with pytest.raises(TypeError, match="bfloat16 is not supported"):
            use()
    assert nl.half is nl.float16 and nl.ones(2, dtype=nl.float16).dtype == np.float16
