"""``Image``: an image file's pixels as PIL holds them, so transforms can tell an image read
from a file (``(H, W, C)``, like PIL) from a tensor image (``(C, H, W)``), as torchvision
tells a PIL image from a tensor.

Modes (PIL's names): ``L`` 8-bit grey ``(H, W)``; ``LA`` grey + alpha ``(H, W, 2)``; ``RGB``
``(H, W, 3)``; ``RGBA`` ``(H, W, 4)``; ``I;16`` 16-bit grey ``(H, W)`` uint16.
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["Image"]

_CHANNELS = {"L": 1, "LA": 2, "RGB": 3, "RGBA": 4, "I;16": 1}
_BY_CHANNELS = {1: "L", 2: "LA", 3: "RGB", 4: "RGBA"}


def _luma(rgb: np.ndarray) -> np.ndarray:
    """PIL's ITU-R 601-2 luma in integers: ``(19595 R + 38470 G + 7471 B + 2**15) >> 16``."""
    r, g, b = (rgb[..., k].astype(np.uint32) for k in range(3))
    return ((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16).astype(np.uint8)


class Image:
    """An image's pixels, ``(H, W)`` or ``(H, W, C)``, as PIL's ``Image`` holds them.

    Args:
        array (ndarray): uint8 pixels ``(H, W)`` or ``(H, W, C)`` with C in 1..4, or uint16
            ``(H, W)`` (mode ``I;16``). Not copied.
        mode (str, optional): ``L``, ``LA``, ``RGB``, ``RGBA`` or ``I;16``. Default: from
            the shape and dtype.

    ``np.asarray(img)`` gives the pixels, as for a PIL image; ``img.size`` is
    ``(width, height)``, PIL's order. Transforms applied to an Image work on its pixels and
    return an Image; ``ToTensor`` turns it into a float ``(C, H, W)`` Tensor in [0, 1].

    Example:
        >>> img = Image(np.zeros((4, 6, 3), np.uint8))
        >>> img.size, img.mode, img.convert("L").mode
        ((6, 4), 'RGB', 'L')
    """

    def __init__(self, array: Any, mode: str | None = None) -> None:
        a = np.asarray(array)
        if a.ndim == 3 and a.shape[2] == 1:
            a = a[:, :, 0]
        if mode is None:
            mode = "I;16" if a.dtype == np.uint16 else _BY_CHANNELS.get(
                1 if a.ndim == 2 else a.shape[-1] if a.ndim == 3 else 0)
        expected = np.uint16 if mode == "I;16" else np.uint8
        channels = _CHANNELS.get(mode)
        if (channels is None or a.dtype != expected or a.ndim not in (2, 3)
                or (1 if a.ndim == 2 else a.shape[2]) != channels):
            raise ValueError(f"Image: expected uint8 pixels (H, W) or (H, W, C) with C in 1..4, "
                             f"or uint16 (H, W) for mode I;16; got {a.dtype} array of shape "
                             f"{a.shape} with mode {mode!r}")
        self.array, self.mode = a, mode

    @classmethod
    def from_chw(cls, chw: np.ndarray, mode: str | None = None) -> "Image":
        """An Image from ``(C, H, W)`` pixels (a transform's output); the mode is kept if the
        number of channels is the same."""
        keep = mode is not None and _CHANNELS[mode] == chw.shape[0]
        return cls(np.ascontiguousarray(np.moveaxis(chw, 0, -1)), mode if keep else None)

    def chw(self) -> np.ndarray:
        """The pixels as ``(C, H, W)``, the layout of tensor images."""
        a = self.array
        return a[None] if a.ndim == 2 else np.moveaxis(a, -1, 0)

    @property
    def size(self) -> tuple[int, int]:
        """``(width, height)``, PIL's order."""
        return self.array.shape[1], self.array.shape[0]

    @property
    def width(self) -> int:
        return self.array.shape[1]

    @property
    def height(self) -> int:
        return self.array.shape[0]

    def getbands(self) -> tuple[str, ...]:
        """The band names, as PIL: ``("R", "G", "B")`` for RGB."""
        return {"L": ("L",), "LA": ("L", "A"), "RGB": ("R", "G", "B"),
                "RGBA": ("R", "G", "B", "A"), "I;16": ("I",)}[self.mode]

    def convert(self, mode: str) -> "Image":
        """The image in another mode: ``L``, ``LA``, ``RGB`` or ``RGBA``, as PIL converts
        (grey from colour by PIL's integer luma; alpha dropped, not composited; opaque alpha
        added). ``I;16`` is brought to 8 bits by its high byte, where PIL clips at 255."""
        if mode not in ("L", "LA", "RGB", "RGBA"):
            raise ValueError(f"Image.convert: mode must be 'L', 'LA', 'RGB' or 'RGBA', got "
                             f"{mode!r}")
        a = self.array
        if self.mode == "I;16":
            a = (a >> 8).astype(np.uint8)
        if a.ndim == 2:
            a = a[:, :, None]
        has_alpha = a.shape[2] in (2, 4)
        color = a[:, :, :-1] if has_alpha else a
        alpha = a[:, :, -1:] if has_alpha else None
        if mode in ("L", "LA"):
            base = _luma(color)[:, :, None] if color.shape[2] == 3 else color
        else:
            base = np.repeat(color, 3, axis=2) if color.shape[2] == 1 else color
        if mode in ("LA", "RGBA"):
            if alpha is None:
                alpha = np.full(a.shape[:2] + (1,), 255, np.uint8)
            base = np.concatenate([base, alpha], axis=2)
        return Image(np.ascontiguousarray(base), mode)

    def copy(self) -> "Image":
        return Image(self.array.copy(), self.mode)

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        a = self.array if dtype is None else self.array.astype(dtype)
        return a.copy() if copy else a

    def __eq__(self, other: Any) -> bool:
        return (isinstance(other, Image) and self.mode == other.mode
                and np.array_equal(self.array, other.array))

    def __repr__(self) -> str:
        return f"<nnlite Image mode={self.mode} size={self.width}x{self.height}>"
