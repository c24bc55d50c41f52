"""Tests of nnlite/data/transforms.py: exact results on small arrays (ToTensor, Normalize,
Pad, crops, flips, FiveCrop/TenCrop, affine warps, elastic smoothing, PCA lighting), seeded
determinism, and that a batched call equals per-sample calls with the same random draws."""
from __future__ import annotations

import numpy as np
import pytest

import nnlite as nl
from nnlite.data import transforms as T
from nnlite.data.transforms import gaussian_kernel, gaussian_smooth, is_batchable

RANDOM = [
    lambda: T.RandomCrop(4, padding=2),
    lambda: T.RandomHorizontalFlip(),
    lambda: T.RandomVerticalFlip(),
    lambda: T.RandomAffine(30, translate=(0.2, 0.1), scale=(0.8, 1.2), shear=10),
    lambda: T.RandomAffine(20, interpolation="nearest"),
    lambda: T.ElasticDistortion(alpha=8.0, sigma=2.0),
    lambda: T.PCALighting(0.5),
]


def _slice(params, k):
    if params is None:
        return None
    if isinstance(params, dict):
        return {key: v[k:k + 1] for key, v in params.items()}
    return params[k:k + 1]


@pytest.fixture
def images():
    return np.random.default_rng(0).random((6, 3, 7, 9)).astype(np.float32)


# ---- generic properties of the random transforms ------------------------------------
@pytest.mark.parametrize("make", RANDOM)
def test_batched_equals_per_sample_with_the_same_draws(make, images):
    t = make()
    params = t.get_params(len(images), images.shape[1:], np.random.default_rng(1))
    batched = t.apply(images, params)
    for k in range(len(images)):
        single = t.apply(images[k:k + 1], _slice(params, k))[0]
        np.testing.assert_allclose(batched[k], single, rtol=1e-6, atol=1e-6)
    assert batched.dtype == np.float32


@pytest.mark.parametrize("make", RANDOM)
def test_seeded_and_type_preserving(make, images):
    t = make()
    nl.manual_seed(5)
    a = t.batch(images)
    nl.manual_seed(5)
    b = t.batch(nl.tensor(images))
    assert isinstance(a, np.ndarray) and isinstance(b, nl.Tensor)
    np.testing.assert_array_equal(a, b.array)
    single = t(nl.tensor(images[0]))
    assert isinstance(single, nl.Tensor) and single.shape[0] == 3
    auto = t(images)                                  # 4-D input is taken as a batch
    assert auto.shape[0] == len(images)


def test_samples_get_different_draws():
    x = np.arange(36, dtype=np.float32).reshape(1, 1, 6, 6).repeat(40, 0)
    out = T.RandomCrop(3).batch(x)
    assert len({o.tobytes() for o in out}) > 5


# ---- conversion and normalisation -----------------------------------------------------
def test_to_tensor(torch):
    hw = np.array([[0, 255], [51, 102]], np.uint8)
    t = T.ToTensor()(hw)
    assert isinstance(t, nl.Tensor) and t.shape == (1, 2, 2) and t.array.dtype == np.float32
    np.testing.assert_allclose(t.array[0], [[0, 1], [0.2, 0.4]], rtol=1e-6)
    hwc = np.arange(24, dtype=np.uint8).reshape(2, 4, 3)
    np.testing.assert_array_equal(T.ToTensor()(hwc).array * 255, np.round(hwc.transpose(2, 0, 1)))
    assert T.ToTensor().batch(np.zeros((5, 28, 28), np.uint8)).shape == (5, 1, 28, 28)
    assert T.ToTensor()(np.zeros((5, 4, 4, 3), np.uint8)).shape == (5, 3, 4, 4)
    f = T.ToTensor()(np.full((2, 2, 1), 7.0))          # non-uint8: no scaling (torchvision)
    assert f.array.dtype == np.float64 and f.array.max() == 7.0
    rgb = np.random.default_rng(0).integers(0, 256, (5, 6, 3), dtype=np.uint8)
    ref = torch.from_numpy(rgb).permute(2, 0, 1).float().div(255).numpy()
    np.testing.assert_array_equal(T.ToTensor()(rgb).array, ref)


def test_normalize(images):
    mean, std = (0.1, 0.2, 0.3), (0.5, 2.0, 4.0)
    out = T.Normalize(mean, std)(images)
    expected = (images - np.float32(mean)[:, None, None]) / np.float32(std)[:, None, None]
    np.testing.assert_allclose(out, expected, rtol=1e-6)
    assert out.dtype == np.float32
    one = T.Normalize((0.5,), (0.25,))(nl.tensor(np.ones((1, 2, 2), np.float32)))
    np.testing.assert_allclose(one.array, 2.0)
    with pytest.raises(ValueError, match=r"mean has 2 values but the input has 3 channels"):
        T.Normalize((0, 0), (1, 1))(images)
    with pytest.raises(TypeError, match="floating"):
        T.Normalize((0,), (1,))(np.zeros((1, 2, 2), np.uint8))
    with pytest.raises(ValueError, match="zero"):
        T.Normalize((0,), (0,))
    x = images.copy()
    assert T.Normalize(mean, std, inplace=True)(x) is x


def test_pca_lighting_adds_the_principal_component_offset(images):
    t = T.PCALighting(0.1)
    alpha = np.random.default_rng(0).normal(0, 0.1, (len(images), 3))
    params = (alpha * t.eigval) @ t.eigvec.T
    out = t.apply(images, params)
    for k in range(len(images)):
        rgb = [sum(t.eigvec[c, j] * alpha[k, j] * t.eigval[j] for j in range(3))
               for c in range(3)]
        np.testing.assert_allclose(out[k] - images[k], np.broadcast_to(
            np.array(rgb, np.float32)[:, None, None], images[k].shape), atol=1e-6)
    np.testing.assert_array_equal(T.PCALighting(0.0).batch(images), images)
    with pytest.raises(ValueError, match="3 channels"):
        t(np.zeros((1, 4, 4), np.float32))


# ---- padding, crops and flips -----------------------------------------------------------
def test_pad_order_and_modes():
    x = np.arange(6, dtype=np.float32).reshape(1, 2, 3)
    out = T.Pad((1, 2, 3, 4), fill=-1)(x)                  # left, top, right, bottom
    assert out.shape == (1, 2 + 2 + 4, 3 + 1 + 3)
    assert (out[0, :2] == -1).all() and (out[0, :, 0] == -1).all()
    np.testing.assert_array_equal(out[0, 2:4, 1:4], x[0])
    np.testing.assert_array_equal(T.Pad(1, padding_mode="reflect")(x)[0],
                                  np.pad(x[0], 1, mode="reflect"))
    assert T.Pad((1, 2))(x).shape == (1, 6, 5)
    with pytest.raises(ValueError, match="padding_mode"):
        T.Pad(1, padding_mode="wrap")


def test_center_crop():
    x = np.arange(25).reshape(1, 5, 5)
    np.testing.assert_array_equal(T.CenterCrop(3)(x)[0], x[0, 1:4, 1:4])
    np.testing.assert_array_equal(T.CenterCrop((2, 4))(x)[0], x[0, 2:4, 0:4])  # round(1.5)=2
    big = T.CenterCrop(7)(x)
    assert big.shape == (1, 7, 7) and big[0, 0].sum() == 0
    np.testing.assert_array_equal(big[0, 1:6, 1:6], x[0])


def test_random_crop_takes_the_drawn_window():
    x = np.arange(2 * 36, dtype=np.float32).reshape(2, 1, 6, 6)
    t = T.RandomCrop((3, 2), padding=1)
    params = t.get_params(2, x.shape[1:], np.random.default_rng(0))
    out = t.apply(x, params)
    padded = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)])
    for k in range(2):
        i, j = params["top"][k], params["left"][k]
        np.testing.assert_array_equal(out[k], padded[k, :, i:i + 3, j:j + 2])
    assert 0 <= params["top"].min() and params["top"].max() <= 8 - 3
    padded_crop = T.RandomCrop(8, pad_if_needed=True)
    assert padded_crop(np.ones((1, 5, 5))).shape == (1, 8, 8)
    p = padded_crop.get_params(500, (1, 5, 5), np.random.default_rng(0))
    assert p["top"].max() == 11 - 8                       # 5 + 2 * 3 rows after padding
    with pytest.raises(ValueError, match="larger than"):
        T.RandomCrop(7)(np.ones((1, 5, 5)))


def test_flips():
    x = np.arange(12, dtype=np.float32).reshape(2, 1, 2, 3)
    np.testing.assert_array_equal(T.RandomHorizontalFlip(1.0).batch(x), x[..., ::-1])
    np.testing.assert_array_equal(T.RandomHorizontalFlip(0.0).batch(x), x)
    np.testing.assert_array_equal(T.RandomVerticalFlip(1.0)(x[0]), x[0, :, ::-1])
    t = T.RandomHorizontalFlip()
    out = t.apply(x, np.array([True, False]))
    np.testing.assert_array_equal(out[0], x[0, ..., ::-1])
    np.testing.assert_array_equal(out[1], x[1])
    nl.manual_seed(0)
    flipped = (t.batch(np.arange(3.0)[None, None, None].repeat(1000, 0))[:, 0, 0, 0] == 2).mean()
    assert 0.45 < flipped < 0.55


def test_five_crop_and_ten_crop_contents():
    x = np.arange(25, dtype=np.float32).reshape(1, 5, 5)
    crops = T.FiveCrop(2)(x)
    assert crops.shape == (5, 1, 2, 2)
    expected = [x[:, :2, :2], x[:, :2, 3:], x[:, 3:, :2], x[:, 3:, 3:], x[:, 2:4, 2:4]]
    for got, want in zip(crops, expected):
        np.testing.assert_array_equal(got, want)
    ten = T.TenCrop(2)(nl.tensor(x))
    assert isinstance(ten, nl.Tensor) and ten.shape == (10, 1, 2, 2)
    f = x[..., ::-1]
    flipped = [f[:, :2, :2], f[:, :2, 3:], f[:, 3:, :2], f[:, 3:, 3:], f[:, 2:4, 2:4]]
    for got, want in zip(ten.array[5:], flipped):
        np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(ten.array[6], x[:, :2, :2][..., ::-1])   # tr of flip
    vten = T.TenCrop(2, vertical_flip=True)(x)
    np.testing.assert_array_equal(vten[5], x[:, ::-1][:, :2, :2])
    batch = T.TenCrop(3).batch(np.stack([x, x + 100]))
    assert batch.shape == (2, 10, 1, 3, 3)
    np.testing.assert_array_equal(batch[1], T.TenCrop(3)(x + 100))
    with pytest.raises(ValueError, match="bigger than"):
        T.FiveCrop(6)(x)


# ---- geometric warps ------------------------------------------------------------------
def _params(n=1, **kw):
    p = {k: np.zeros(n) for k in ("angle", "tx", "ty", "shear_x", "shear_y")}
    p["scale"] = np.ones(n)
    p.update({k: np.full(n, float(v)) for k, v in kw.items()})
    return p


@pytest.mark.parametrize("mode", ["bilinear", "nearest"])
def test_affine_rotation_by_90_is_rot90_counter_clockwise(mode):
    x = np.arange(2 * 25, dtype=np.float32).reshape(1, 2, 5, 5)
    out = T.RandomAffine(0, interpolation=mode).apply(x, _params(angle=90))
    np.testing.assert_allclose(out, np.rot90(x, 1, axes=(-2, -1)), atol=1e-4)


def test_affine_identity_translation_and_fill():
    x = np.arange(16, dtype=np.float32).reshape(1, 1, 4, 4) + 1
    t = T.RandomAffine(0, fill=-1)
    np.testing.assert_allclose(t.apply(x, _params()), x, atol=1e-5)
    shifted = t.apply(x, _params(tx=1, ty=2))             # right by 1, down by 2
    np.testing.assert_allclose(shifted[0, 0, 2:, 1:], x[0, 0, :2, :3], atol=1e-5)
    assert (shifted[0, 0, :2] == -1).all() and (shifted[0, 0, :, 0] == -1).all()
    nl.manual_seed(0)
    p = T.RandomAffine(0, translate=(0.5, 0.25)).get_params(200, (1, 4, 8))
    assert np.abs(p["tx"]).max() <= 4 and np.abs(p["ty"]).max() <= 1
    assert (p["tx"] == np.round(p["tx"])).all()


def test_affine_scale_about_the_centre_and_uint8():
    x = np.zeros((1, 1, 5, 5), np.uint8)
    x[0, 0, 2, 3] = 200                                     # one right of the centre
    out = T.RandomAffine(0, interpolation="nearest").apply(x, _params(scale=2.0))
    assert out.dtype == np.uint8
    assert out[0, 0, 2, 4] == 200 and out[0, 0, 2, 2] == 0  # moved to two right of centre
    with pytest.raises(ValueError, match="scale range"):
        T.RandomAffine(0, scale=(0.0, 1.0))
    with pytest.raises(ValueError, match="interpolation"):
        T.RandomAffine(0, interpolation="bicubic")


def test_affine_bilinear_half_pixel_shift():
    x = np.array([[[[0.0, 10.0, 20.0, 30.0]]]], np.float32)
    params = _params(tx=0.5)                              # not rounded when given directly
    out = T.RandomAffine(0).apply(x, params)
    np.testing.assert_allclose(out[0, 0, 0, 1:], [5.0, 15.0, 25.0], rtol=1e-6)


def test_gaussian_smoothing_equals_a_direct_2d_convolution():
    rng = np.random.default_rng(0)
    f = rng.random((2, 9, 11))
    k = gaussian_kernel(1.5)
    r = len(k) // 2
    padded = np.pad(f, [(0, 0), (r, r), (r, r)])
    naive = np.zeros_like(f)
    for i in range(9):
        for j in range(11):
            naive[:, i, j] = (padded[:, i:i + 2 * r + 1, j:j + 2 * r + 1] * np.outer(k, k)).sum((1, 2))
    np.testing.assert_allclose(gaussian_smooth(f, 1.5), naive, rtol=1e-10)
    assert abs(k.sum() - 1) < 1e-12 and len(k) == 2 * 6 + 1


def test_elastic_distortion():
    x = np.random.default_rng(0).random((3, 1, 28, 28)).astype(np.float32)
    t = T.ElasticDistortion(alpha=34, sigma=4)
    np.testing.assert_allclose(T.ElasticDistortion(alpha=0.0).batch(x), x, atol=1e-6)
    params = t.get_params(3, x.shape[1:], np.random.default_rng(0))
    assert params.shape == (3, 2, 28, 28) and 0.1 < np.abs(params).max() < 10
    np.testing.assert_allclose(t.apply(x, np.zeros_like(params)), x, atol=1e-6)
    out = t.apply(x, params)
    assert out.shape == x.shape and not np.allclose(out, x)
    shift = np.zeros_like(params)
    shift[:, 0] = 1.0                                     # sample one pixel to the right
    np.testing.assert_allclose(t.apply(x, shift)[..., :-1], x[..., 1:], atol=1e-6)


# ---- composition -------------------------------------------------------------------------
def test_compose_and_batchability(images):
    tf = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])
    u8 = (images[:, 0] * 255).astype(np.uint8)               # (N, H, W) uint8
    batch = tf.batch(u8)
    assert is_batchable(tf) and batch.shape == (6, 1, 7, 9)
    np.testing.assert_allclose(batch.array[2], tf(u8[2]).array)
    plain = T.Compose([T.ToTensor(), lambda t: t])
    assert not is_batchable(plain)
    with pytest.raises(TypeError, match="cannot be applied to a batch"):
        plain.batch(u8)
    assert is_batchable(T.Lambda(np.negative, batched=True))
    assert not is_batchable(T.Lambda(np.negative))
    assert "Normalize" in repr(tf)


def test_bad_shapes_name_the_transform():
    with pytest.raises(ValueError, match=r"RandomCrop: expected \(C, H, W\) or \(H, W\), got shape \(5,\)"):
        T.RandomCrop(2)(np.zeros(5))
