"""The model zoo through ONNX: each model exported at batch 2 with a dynamic batch axis
(and a dynamic length for the text models where the model allows it), checked by
onnx.checker, run in ONNX Runtime at batch 2 and 3 and compared with nnlite (relative
error <= 1e-5 of each output's largest magnitude, float32).

Sizes are the smallest the models accept, to keep the suite fast: 32x32 images (28x28
for LeNet-5), small vocabularies and widths. AlexNet and VGG keep their convolutional
stacks as the model files build them but get a narrower classifier (the same layers,
hidden width 64 instead of 4096): at full width their classifiers hold 58M and 120M
parameters, which only slow the test down. (Every parameter is redrawn at random
before the export anyway.) The text models' random ids include the
padding id 0."""
from __future__ import annotations

import contextlib
from unittest import mock

import pytest

from ._helpers import export_and_compare, randomize

import nnlite as nl  # noqa: E402
from nnlite import models, nn  # noqa: E402
from nnlite.models.alexnet import _classifier as alexnet_classifier  # noqa: E402

BATCH = {"in0": {0: "batch"}}
BATCH_LEN = {"in0": {0: "batch", 1: "length"}}


@contextlib.contextmanager
def linear_layers_uninitialised():
    """Build models without initialising their Linear layers (the full-width classifiers
    replaced below take seconds to draw)."""
    with mock.patch.object(nn.Linear, "reset_parameters", lambda self: None):
        yield


def alexnet_narrow():
    """torchvision's AlexNet (``models.alexnet``) with its classifier rebuilt by the model
    file's own ``_classifier`` at hidden width 64."""
    with linear_layers_uninitialised():
        model = models.alexnet(num_classes=10)
    model.classifier = alexnet_classifier(256 * 6 * 6, 64, 10, 0.5)
    return model


def vgg11_bn_narrow():
    """``models.vgg11_bn`` with the classifier's layers (as ``VGG.__init__`` stacks them)
    at hidden width 64."""
    with linear_layers_uninitialised():
        model = models.vgg11_bn(num_classes=10, init_weights=False)
    model.classifier = nn.Sequential(nn.Linear(512 * 7 * 7, 64), nn.ReLU(True), nn.Dropout(),
                                     nn.Linear(64, 64), nn.ReLU(True), nn.Dropout(),
                                     nn.Linear(64, 10))
    return model


def images(size, channels=3):
    return lambda n: (nl.randn(n, channels, size, size),)


def tokens(vocab, length):
    return lambda n: (nl.randint(0, vocab, (n, length)),)


MODELS = [
    ("lenet5", lambda: models.lenet5(), images(28, 1), BATCH),
    ("lenet5-classic", lambda: models.lenet5_classic(), images(32, 1), BATCH),
    ("alexnet-small", lambda: models.alexnet_small(), images(32), BATCH),
    ("alexnet-63px-narrow-classifier", alexnet_narrow, images(63), BATCH),
    ("vgg11-bn-narrow-classifier", vgg11_bn_narrow, images(32), BATCH),
    ("googlenet", lambda: models.googlenet(num_classes=10, transform_input=True), images(32),
     BATCH),
    ("resnet18", lambda: models.resnet18(num_classes=10), images(32), BATCH),
    ("resnet-bottleneck", lambda: models.ResNet(models.Bottleneck, [1, 1, 1, 1],
                                                num_classes=10), images(32), BATCH),
    ("resnet20-cifar", lambda: models.resnet20(), images(32), BATCH),
    ("textcnn", lambda: models.TextCNN(50, 3, embed_dim=8, num_filters=4), tokens(50, 9),
     BATCH_LEN),
    ("textcnn-multichannel", lambda: models.TextCNN(50, 3, embed_dim=8, num_filters=4,
                                                    mode="multichannel"), tokens(50, 9),
     BATCH_LEN),
    ("fasttext", lambda: models.FastText(50, 8, 3), tokens(5, 9), BATCH_LEN),
    ("transformer-lm", lambda: models.TransformerLM(50, d_model=16, nhead=2, num_layers=2,
                                                    max_len=16), tokens(50, 7), BATCH),
    ("transformer-lm-sinusoidal-post-norm",
     lambda: models.TransformerLM(50, d_model=16, nhead=2, num_layers=2, max_len=16,
                                  positional="sinusoidal", norm_first=False,
                                  activation="relu"), tokens(50, 7), BATCH),
]


@pytest.mark.parametrize("make, inputs, axes", [m[1:] for m in MODELS],
                         ids=[m[0] for m in MODELS])
def test_zoo_model(make, inputs, axes):
    model = randomize(make())
    export_and_compare(model, inputs(2), runs=[inputs(3)], dynamic_axes=axes)


def test_transformer_encoder_dynamic_batch_and_length():
    """nn.TransformerEncoder (the zoo's Transformer blocks) with batch and length free."""
    enc = nn.TransformerEncoder(nn.TransformerEncoderLayer(16, 4, 32, batch_first=True), 2)
    randomize(enc)
    export_and_compare(enc, (nl.randn(2, 5, 16),), runs=[(nl.randn(3, 8, 16),)],
                       dynamic_axes={"in0": {0: "batch", 1: "length"}})


@pytest.mark.parametrize("make", [lambda: models.resnet18(num_classes=10),
                                  lambda: models.googlenet(num_classes=10)],
                         ids=["resnet18", "googlenet-ceil-mode-pooling"])
def test_dynamic_image_size(make):
    """Batch, height and width free: exported at 32x32, run at 40x56 (GoogLeNet's
    ceil-mode max pools keep their partial last windows at the new size)."""
    model = randomize(make())
    export_and_compare(model, (nl.randn(2, 3, 32, 32),), runs=[(nl.randn(3, 3, 40, 56),)],
                       dynamic_axes={"in0": {0: "batch", 2: "height", 3: "width"}})
