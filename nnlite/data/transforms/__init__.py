"""Image transforms, torchvision's names, NumPy underneath, vectorised over a batch.

Notation: N batch, C channels, H x W image height x width, h x w output (crop) size.

Every transform works on one sample and on a batch:

* ``t(x)`` -- one image: ``(C, H, W)`` or ``(H, W)`` (``ToTensor``: ``(H, W)`` or
  ``(H, W, C)`` uint8). An input with 4 or more axes is taken as a batch (axis 0 = N).
* ``t.batch(x)`` -- always a batch: ``x[k]`` is one sample as above. For ``ToTensor`` this is
  how an ``(N, H, W)`` uint8 stack is converted (``t(x)`` would read it as one HWC image).

A random transform draws one set of parameters per sample, as arrays of length N, with
``get_params(n, sample_shape)``, then applies them all at once with ``apply(x, params)``
(fancy indexing / ``np.where`` / one gather -- no Python loop over samples). So
``t.apply(x, p)[k] == t.apply(x[k:k+1], p[k:k+1])[0]``: batched and per-sample agree for the
same draws. Draws come from nnlite's global generator (``nl.manual_seed``) unless a
``numpy.random.Generator`` is passed to ``get_params``.

Arrays in give arrays out, Tensors in give Tensors out (``ToTensor`` always gives a Tensor);
float32 stays float32.

Example (LeCun-style distortions on MNIST, batched by the dataset's ``__getitems__``)::

    tf = Compose([ToTensor(), RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1)),
                  Normalize((0.1307,), (0.3081,))])
    MNIST(train=True, transform=tf)
"""
from .base import Compose, Lambda, Transform, is_batchable
from .color import IMAGENET_EIGVAL, IMAGENET_EIGVEC, PCALighting
from .convert import Normalize, ToTensor
from .crop import CenterCrop, FiveCrop, Pad, RandomCrop, TenCrop
from .flip import RandomHorizontalFlip, RandomVerticalFlip
from .warp import ElasticDistortion, RandomAffine, gaussian_kernel, gaussian_smooth

__all__ = ["Transform", "Compose", "Lambda", "ToTensor", "Normalize", "Pad", "CenterCrop",
           "RandomCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomAffine",
           "ElasticDistortion", "PCALighting", "FiveCrop", "TenCrop", "is_batchable",
           "IMAGENET_EIGVAL", "IMAGENET_EIGVEC", "gaussian_kernel", "gaussian_smooth"]
