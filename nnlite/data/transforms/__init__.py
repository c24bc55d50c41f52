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
float32 stays float32. An :class:`~nnlite.data.image.Image` (what ``ImageFolder`` reads from a
file: pixels ``(H, W, C)``, as a PIL image) gives an Image out, so torchvision's pipelines run
unchanged, geometry and colour before ``ToTensor``::

    Compose([RandomResizedCrop(224), RandomHorizontalFlip(), ToTensor(),
             Normalize((0.485, 0.456, 0.406), (0.229, 0.224, 0.225))])

``Resize``, ``RandomResizedCrop``, ``ColorJitter``, ``RandomRotation`` and ``CenterCrop``
follow torchvision's tensor path (``F.interpolate``/``grid_sample`` arithmetic) and agree
with it to float rounding; on an Image they do the same (torchvision's PIL path differs from
its tensor path by PIL's 8-bit rounding).

Modules: ``base`` (Transform, Compose, Lambda, InterpolationMode), ``convert`` (ToTensor,
PILToTensor, ToPILImage, Normalize), ``crop`` (Pad, CenterCrop, RandomCrop, FiveCrop,
TenCrop), ``flip``, ``resize`` (Resize, RandomResizedCrop), ``rotate`` (RandomRotation),
``warp`` (RandomAffine, ElasticDistortion), ``color`` (ColorJitter, PCALighting).

Example (LeCun-style distortions on MNIST, batched by the dataset's ``__getitems__``)::

    tf = Compose([ToTensor(), RandomAffine(15, translate=(0.1, 0.1), scale=(0.9, 1.1)),
                  Normalize((0.1307,), (0.3081,))])
    MNIST(train=True, transform=tf)
"""
from .base import Compose, InterpolationMode, Lambda, Transform, is_batchable
from .color import IMAGENET_EIGVAL, IMAGENET_EIGVEC, ColorJitter, PCALighting
from .convert import Normalize, PILToTensor, ToPILImage, ToTensor
from .crop import CenterCrop, FiveCrop, Pad, RandomCrop, TenCrop
from .flip import RandomHorizontalFlip, RandomVerticalFlip
from .resize import RandomResizedCrop, Resize
from .rotate import RandomRotation
from .warp import ElasticDistortion, RandomAffine, gaussian_kernel, gaussian_smooth

__all__ = ["Transform", "Compose", "Lambda", "InterpolationMode", "ToTensor", "PILToTensor",
           "ToPILImage", "Normalize", "Pad", "CenterCrop", "RandomCrop", "Resize",
           "RandomResizedCrop", "RandomHorizontalFlip", "RandomVerticalFlip", "RandomRotation",
           "RandomAffine", "ElasticDistortion", "ColorJitter", "PCALighting", "FiveCrop",
           "TenCrop", "is_batchable", "IMAGENET_EIGVAL", "IMAGENET_EIGVEC", "gaussian_kernel",
           "gaussian_smooth"]
