"""Colour transforms: AlexNet's ``PCALighting``."""
from __future__ import annotations

from typing import Sequence

import numpy as np

from .base import Transform, _float, _restore, _rng

__all__ = ["PCALighting", "IMAGENET_EIGVAL", "IMAGENET_EIGVEC"]


# AlexNet's PCA of ImageNet RGB pixels (values in [0, 1]), as used by fb.resnet.torch.
IMAGENET_EIGVAL = (0.2175, 0.0188, 0.0045)
IMAGENET_EIGVEC = ((-0.5675, 0.7192, 0.4009),
                   (-0.5808, -0.0045, -0.8140),
                   (-0.5836, -0.6948, 0.4203))


class PCALighting(Transform):
    """AlexNet's colour augmentation (Krizhevsky et al. 2012, sec. 4.1).

    Adds ``eigvec @ (alpha * eigval)`` to every pixel of an RGB image, with
    ``alpha ~ N(0, alphastd^2)`` drawn per image -- "altering the intensities of the RGB
    channels" along the principal components of the training set's pixels.

    Args:
        alphastd (float): standard deviation of alpha. Default: 0.1 (the paper's).
        eigval (sequence of 3 floats): PCA eigenvalues. Default: ImageNet's
            (for pixels in [0, 1]: apply after ``ToTensor``, before ``Normalize``).
        eigvec (3x3): eigenvectors as columns. Default: ImageNet's.
    """

    _min_ndim = 3

    def __init__(self, alphastd: float = 0.1, eigval: Sequence[float] = IMAGENET_EIGVAL,
                 eigvec: Sequence[Sequence[float]] = IMAGENET_EIGVEC) -> None:
        self.alphastd = float(alphastd)
        self.eigval = np.asarray(eigval, dtype=np.float64)
        self.eigvec = np.asarray(eigvec, dtype=np.float64)
        k = len(self.eigval)
        if self.eigval.ndim != 1 or self.eigvec.shape != (k, k):
            raise ValueError(f"PCALighting: eigval must be (C,) and eigvec (C, C), got "
                             f"{self.eigval.shape} and {self.eigvec.shape}")
        if self.alphastd < 0:
            raise ValueError(f"PCALighting: alphastd must be >= 0, got {alphastd}")

    def get_params(self, n: int, shape: tuple, generator: np.random.Generator | None = None
                   ) -> np.ndarray:
        alpha = _rng(generator).normal(0.0, self.alphastd, size=(n, len(self.eigval)))
        return (alpha * self.eigval) @ self.eigvec.T                      # (N, C) offsets

    def apply(self, x: np.ndarray, params: np.ndarray) -> np.ndarray:
        if x.shape[-3] != len(self.eigval):
            raise ValueError(f"PCALighting: expected {len(self.eigval)} channels on axis -3, "
                             f"got shape {x.shape}")
        xf = _float(x)
        shape = (len(x),) + (1,) * (x.ndim - 4) + (len(self.eigval), 1, 1)
        return _restore(xf + params.reshape(shape).astype(xf.dtype), x.dtype)

    def extra_repr(self) -> str:
        return f"alphastd={self.alphastd}"
