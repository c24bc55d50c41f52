"""Padding and crops: ``Pad``, ``CenterCrop``, ``RandomCrop``, ``FiveCrop``, ``TenCrop``."""
from __future__ import annotations

import numbers
from typing import Any

import numpy as np

from ..image.base import Image
from .base import Transform, _pair, _rng

__all__ = ["Pad", "CenterCrop", "RandomCrop", "FiveCrop", "TenCrop"]


_PAD_MODES = {"constant": "constant", "edge": "edge", "reflect": "reflect",
              "symmetric": "symmetric"}


def _ltrb(padding: Any, who: str) -> tuple[int, int, int, int]:
    if isinstance(padding, numbers.Integral):
        p = (int(padding),) * 4
    else:
        p = tuple(int(v) for v in padding)
        if len(p) == 1:
            p = p * 4
        elif len(p) == 2:
            p = (p[0], p[1], p[0], p[1])
        elif len(p) != 4:
            raise ValueError(f"{who}: padding must be an int or a sequence of 1, 2 or 4 ints, "
                             f"got {padding!r}")
    if min(p) < 0:
        raise ValueError(f"{who}: padding must be non-negative, got {padding!r}")
    return p  # left, top, right, bottom


def _pad(x: np.ndarray, ltrb: tuple, fill: float, mode: str) -> np.ndarray:
    left, top, right, bottom = ltrb
    if not any(ltrb):
        return x
    widths = [(0, 0)] * (x.ndim - 2) + [(top, bottom), (left, right)]
    if mode == "constant":
        return np.pad(x, widths, mode="constant", constant_values=fill)
    return np.pad(x, widths, mode=_PAD_MODES[mode])


class Pad(Transform):
    """Pad the last two axes.

    Args:
        padding (int or sequence): all sides; ``(left/right, top/bottom)``; or
            ``(left, top, right, bottom)`` -- torchvision's order.
        fill (number): value for ``padding_mode="constant"``. Default: 0.
        padding_mode (str): ``constant``, ``edge``, ``reflect`` or ``symmetric``.
    """

    def __init__(self, padding: Any, fill: float = 0, padding_mode: str = "constant") -> None:
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"Pad: padding_mode should be one of {sorted(_PAD_MODES)}, got "
                             f"{padding_mode!r}")
        self.padding, self.fill, self.padding_mode = padding, fill, padding_mode
        self._ltrb = _ltrb(padding, "Pad")

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        return _pad(x, self._ltrb, self.fill, self.padding_mode)

    def extra_repr(self) -> str:
        return f"padding={self.padding}, fill={self.fill}, padding_mode={self.padding_mode}"


def _crop_windows(x: np.ndarray, top: np.ndarray, left: np.ndarray, h: int, w: int
                  ) -> np.ndarray:
    """``out[k] = x[k, ..., top[k]:top[k]+h, left[k]:left[k]+w]`` by one fancy index into a
    sliding-window view (no copy until the gather)."""
    n, lead = x.shape[0], x.shape[1:-2]
    x3 = x.reshape((n, -1) + x.shape[-2:])                              # (N, M, H, W)
    win = np.lib.stride_tricks.sliding_window_view(x3, (h, w), axis=(-2, -1))
    out = win[np.arange(n), :, top, left]                               # (N, M, h, w)
    return out.reshape((n,) + lead + (h, w))


def _center_crop(x: np.ndarray, h: int, w: int) -> np.ndarray:
    H, W = x.shape[-2:]
    if h > H or w > W:   # torchvision pads with zeros first
        ltrb = ((w - W) // 2 if w > W else 0, (h - H) // 2 if h > H else 0,
                (w - W + 1) // 2 if w > W else 0, (h - H + 1) // 2 if h > H else 0)
        x = _pad(x, ltrb, 0, "constant")
        H, W = x.shape[-2:]
    top, left = int(round((H - h) / 2.0)), int(round((W - w) / 2.0))
    return x[..., top:top + h, left:left + w]


class CenterCrop(Transform):
    """Crop the centre ``size`` (int or (h, w)); pads with zeros if the image is smaller."""

    def __init__(self, size: Any) -> None:
        self.size = _pair(size, "size", "CenterCrop")

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        return _center_crop(x, *self.size)

    def extra_repr(self) -> str:
        return f"size={self.size}"


class RandomCrop(Transform):
    """Crop a random ``size`` window, optionally after padding (CIFAR: size 32, padding 4).

    Args:
        size (int or (h, w)): output size.
        padding (int or sequence, optional): as :class:`Pad`, applied first.
        pad_if_needed (bool): pad an image smaller than ``size``. Default: False.
        fill, padding_mode: as :class:`Pad`.

    Parameters per sample: ``top`` in ``[0, H - h]`` and ``left`` in ``[0, W - w]`` (after
    padding), uniform.
    """

    def __init__(self, size: Any, padding: Any = None, pad_if_needed: bool = False,
                 fill: float = 0, padding_mode: str = "constant") -> None:
        self.size = _pair(size, "size", "RandomCrop")
        if padding_mode not in _PAD_MODES:
            raise ValueError(f"RandomCrop: padding_mode should be one of {sorted(_PAD_MODES)}, "
                             f"got {padding_mode!r}")
        self.padding, self.pad_if_needed = padding, pad_if_needed
        self.fill, self.padding_mode = fill, padding_mode
        self._ltrb = _ltrb(padding, "RandomCrop") if padding is not None else (0, 0, 0, 0)

    def _padded_hw(self, shape: tuple) -> tuple[int, int]:
        left, top, right, bottom = self._ltrb
        H, W = shape[-2] + top + bottom, shape[-1] + left + right
        h, w = self.size
        if self.pad_if_needed:     # torchvision pads the shortfall on *both* sides
            H, W = H + 2 * max(h - H, 0), W + 2 * max(w - W, 0)
        if h > H or w > W:
            raise ValueError(f"RandomCrop: required crop size {self.size} is larger than the "
                             f"(padded) input image size {(H, W)}")
        return H, W

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> dict:
        H, W = self._padded_hw(shape)
        h, w = self.size
        rng = _rng(generator)
        return {"top": rng.integers(0, H - h + 1, size=n),
                "left": rng.integers(0, W - w + 1, size=n)}

    def apply(self, x: np.ndarray, params: dict) -> np.ndarray:
        x = _pad(x, self._ltrb, self.fill, self.padding_mode)
        h, w = self.size
        if self.pad_if_needed and (x.shape[-2] < h or x.shape[-1] < w):
            dh, dw = max(h - x.shape[-2], 0), max(w - x.shape[-1], 0)
            x = _pad(x, (dw, dh, dw, dh), self.fill, self.padding_mode)
        return _crop_windows(x, params["top"], params["left"], h, w)

    def extra_repr(self) -> str:
        return f"size={self.size}, padding={self.padding}"


def _five_crop(x: np.ndarray, h: int, w: int, axis: int) -> np.ndarray:
    H, W = x.shape[-2:]
    if h > H or w > W:
        raise ValueError(f"FiveCrop: requested crop size {(h, w)} is bigger than the input "
                         f"size {(H, W)}")
    crops = [x[..., :h, :w], x[..., :h, W - w:], x[..., H - h:, :w], x[..., H - h:, W - w:],
             _center_crop(x, h, w)]
    return np.stack(crops, axis=axis)


class FiveCrop(Transform):
    """The four corners and the centre: top-left, top-right, bottom-left, bottom-right,
    centre (torchvision's order).

    Returns the crops *stacked* on a new axis before C: ``(C, H, W) -> (5, C, h, w)`` and,
    batched, ``(N, C, H, W) -> (N, 5, C, h, w)`` (torchvision returns a tuple; iterating the
    result gives the same crops). Average a model over them with
    ``model(x.reshape(-1, C, h, w)).reshape(N, 5, -1).mean(1)``.
    """

    _ncrops = 5

    def __init__(self, size: Any) -> None:
        self.size = _pair(size, "size", type(self).__name__)

    def _crops(self, x: np.ndarray, axis: int) -> np.ndarray:
        return _five_crop(x, *self.size, axis=axis)

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        # x is (N, ..., H, W): crops go right after the batch axis for (N, H, W) input, and
        # before the channel axis otherwise
        return self._crops(x, axis=1 if x.ndim <= 3 else x.ndim - 3)

    def _call_image(self, img: Image) -> tuple:
        """An Image: a tuple of Images, as torchvision returns for a PIL image."""
        return tuple(Image.from_chw(c, img.mode) for c in self._crops(img.chw(), axis=0))

    def extra_repr(self) -> str:
        return f"size={self.size}"


class TenCrop(FiveCrop):
    """:class:`FiveCrop` of the image followed by FiveCrop of its horizontal flip (vertical
    with ``vertical_flip=True``): AlexNet's test-time averaging over 10 patches.
    ``(C, H, W) -> (10, C, h, w)``; batched ``(N, 10, C, h, w)``."""

    _ncrops = 10

    def __init__(self, size: Any, vertical_flip: bool = False) -> None:
        super().__init__(size)
        self.vertical_flip = vertical_flip

    def _crops(self, x: np.ndarray, axis: int) -> np.ndarray:
        flipped = x[..., ::-1, :] if self.vertical_flip else x[..., ::-1]
        return np.concatenate([_five_crop(x, *self.size, axis=axis),
                               _five_crop(flipped, *self.size, axis=axis)], axis=axis)

    def extra_repr(self) -> str:
        return f"size={self.size}, vertical_flip={self.vertical_flip}"
