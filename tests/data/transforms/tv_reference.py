"""torchvision's tensor-path functions, transcribed in PyTorch for the parity tests
(torchvision itself is not installed): ``rotate`` (``_get_inverse_affine_matrix``,
``_compute_affine_output_size``, ``_gen_affine_grid``, ``_apply_grid_transform``) and the
colour functions of ``_functional_tensor.py``. Each takes and returns torch tensors."""
from __future__ import annotations

import math


def inverse_affine_matrix(center, angle):
    rot = math.radians(angle)
    a, b, c, d = math.cos(rot), -math.sin(rot), math.sin(rot), math.cos(rot)
    m = [d, -b, 0.0, -c, a, 0.0]
    cx, cy = center
    m[2] += m[0] * (-cx) + m[1] * (-cy)
    m[5] += m[3] * (-cx) + m[4] * (-cy)
    m[2] += cx
    m[5] += cy
    return m


def affine_output_size(torch, matrix, w, h):
    pts = torch.tensor([[-0.5 * w, -0.5 * h, 1.0], [-0.5 * w, 0.5 * h, 1.0],
                        [0.5 * w, 0.5 * h, 1.0], [0.5 * w, -0.5 * h, 1.0]])
    theta = torch.tensor(matrix, dtype=torch.float).view(2, 3)
    new = torch.matmul(pts, theta.T)
    lo, _ = new.min(dim=0)
    hi, _ = new.max(dim=0)
    lo += torch.tensor((w * 0.5, h * 0.5))
    hi += torch.tensor((w * 0.5, h * 0.5))
    tol = 1e-4
    size = torch.ceil((hi / tol).trunc_() * tol) - torch.floor((lo / tol).trunc_() * tol)
    return int(size[0]), int(size[1])


def rotate(torch, img, angle, mode="nearest", expand=False, center=None, fill=0.0):
    """torchvision.transforms.functional.rotate on a (N, C, H, W) tensor, fill a number."""
    n, ch, h, w = img.shape
    cf = [0.0, 0.0] if center is None else [c - s * 0.5 for c, s in zip(center, [w, h])]
    matrix = inverse_affine_matrix(cf, -angle)
    ow, oh = affine_output_size(torch, matrix, w, h) if expand else (w, h)
    out_dtype = img.dtype
    if not img.is_floating_point():
        img = img.to(torch.float32)
    theta = torch.tensor(matrix, dtype=img.dtype).reshape(1, 2, 3)
    base = torch.empty(1, oh, ow, 3, dtype=theta.dtype)
    base[..., 0].copy_(torch.linspace(-ow * 0.5 + 0.5, ow * 0.5 + 0.5 - 1, steps=ow))
    base[..., 1].copy_(torch.linspace(-oh * 0.5 + 0.5, oh * 0.5 + 0.5 - 1,
                                      steps=oh).unsqueeze_(-1))
    base[..., 2].fill_(1)
    scaled = theta.transpose(1, 2) / torch.tensor([0.5 * w, 0.5 * h], dtype=theta.dtype)
    grid = base.view(1, oh * ow, 3).bmm(scaled).view(1, oh, ow, 2).expand(n, oh, ow, 2)
    mask = torch.ones((n, 1, h, w), dtype=img.dtype)
    both = torch.nn.functional.grid_sample(torch.cat((img, mask), dim=1), grid, mode=mode,
                                           padding_mode="zeros", align_corners=False)
    mask, out = both[:, -1:], both[:, :-1]
    mask = mask.expand_as(out)
    fill_img = torch.tensor([float(fill)], dtype=out.dtype).view(1, 1, 1, 1).expand_as(out)
    if mode == "nearest":
        out = out.clone()
        out[mask < 0.5] = fill_img[mask < 0.5]
    else:
        out = out * mask + (1.0 - mask) * fill_img
    if out_dtype != out.dtype:
        out = torch.round(out).to(out_dtype)
    return out


def grey(img):
    r, g, b = img.unbind(dim=-3)
    return (0.2989 * r + 0.587 * g + 0.114 * b).to(img.dtype).unsqueeze(dim=-3)


def blend(torch, a, b, ratio):
    bound = 1.0 if a.is_floating_point() else 255.0
    return (ratio * a + (1.0 - ratio) * b).clamp(0, bound).to(a.dtype)


def adjust_brightness(torch, img, f):
    return blend(torch, img, torch.zeros_like(img), f)


def adjust_contrast(torch, img, f):
    dtype = img.dtype if img.is_floating_point() else torch.float32
    mean = torch.mean(grey(img).to(dtype), dim=(-3, -2, -1), keepdim=True)
    return blend(torch, img, mean, f)


def adjust_saturation(torch, img, f):
    return blend(torch, img, grey(img), f)


def adjust_hue(torch, img, f):
    orig = img.dtype
    img = img.to(torch.float32) / (255.0 if orig == torch.uint8 else 1.0)
    r, g, b = img.unbind(dim=-3)
    maxc = torch.max(img, dim=-3).values
    minc = torch.min(img, dim=-3).values
    eqc = maxc == minc
    cr = maxc - minc
    ones = torch.ones_like(maxc)
    s = cr / torch.where(eqc, ones, maxc)
    div = torch.where(eqc, ones, cr)
    rc, gc, bc = (maxc - r) / div, (maxc - g) / div, (maxc - b) / div
    hr = (maxc == r) * (bc - gc)
    hg = ((maxc == g) & (maxc != r)) * (2.0 + rc - bc)
    hb = ((maxc != g) & (maxc != r)) * (4.0 + gc - rc)
    h = torch.fmod(((hr + hg + hb) / 6.0 + 1.0), 1.0)
    h = (h + f) % 1.0
    i = torch.floor(h * 6.0)
    fr = h * 6.0 - i
    i = i.to(dtype=torch.int32)
    v = maxc
    p = torch.clamp((v * (1.0 - s)), 0.0, 1.0)
    q = torch.clamp((v * (1.0 - s * fr)), 0.0, 1.0)
    t = torch.clamp((v * (1.0 - s * (1.0 - fr))), 0.0, 1.0)
    i = i % 6
    mask = i.unsqueeze(dim=-3) == torch.arange(6).view(-1, 1, 1)
    a1 = torch.stack((v, q, p, p, t, v), dim=-3)
    a2 = torch.stack((t, v, v, q, p, p), dim=-3)
    a3 = torch.stack((p, p, t, v, v, q), dim=-3)
    a4 = torch.stack((a1, a2, a3), dim=-4)
    out = torch.einsum("...ijk, ...xijk -> ...xjk", mask.to(dtype=img.dtype), a4)
    if orig == torch.uint8:
        return (out * (255 + 1.0 - 1e-3)).to(torch.uint8)
    return out.to(orig)
