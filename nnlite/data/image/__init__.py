"""Image files without an imaging library: an :class:`Image` type (pixels as PIL holds them,
which transforms recognise as torchvision recognises a PIL image), and decoders for PNG
(``zlib``) and PBM/PGM/PPM.

    from nnlite.data.image import open_image, read_image
    img = open_image("cat.png").convert("RGB")        # Image, (H, W, 3) uint8 pixels
    x = read_image("cat.png")                         # uint8 Tensor (C, H, W)
"""
from .base import Image
from .io import SUPPORTED_EXTENSIONS, open_image, read_image
from .png import decode_png
from .pnm import decode_pnm

__all__ = ["Image", "open_image", "read_image", "decode_png", "decode_pnm",
           "SUPPORTED_EXTENSIONS"]
