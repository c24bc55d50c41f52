"""What the image-classification examples share: the data options and the data (CIFAR-10
when it is there, else MNIST padded to 32x32), its pixel statistics, the classification
step (with multi-crop averaging), and the script body that trains, evaluates and reports.

    data = load_image_data(args.data_dir, args.dataset, channels=3)   # CIFAR-10 or MNIST-32
    data.train.transform = data.transform([T.RandomCrop(32, padding=4)])
    data.test.transform = data.transform()
    train_classifier(model, opt, args, data.train, data.test, name="ResNet-20",
                     data_name=data.name)
"""
from __future__ import annotations

import argparse
import copy
import math
import time
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

import nnlite.distributed as dist
from nnlite import nn
from nnlite.data import DataLoader, DistributedSampler, Subset
from nnlite.data import transforms as T
from nnlite.data.datasets import CIFAR10, MNIST
from nnlite.data.download import DatasetNotFoundError
from nnlite.nn import functional as F
from nnlite.tensor import Tensor
from nnlite.training import History, Step, count_correct, evaluate, fit, format_seconds

from .cli import plural, run_summary
from .subset import take

__all__ = ["CIFAR10_HELP", "image_data_args", "PixelStats", "pixel_stats", "RepeatChannels",
           "ImageData", "load_image_data", "with_transform", "classification_step",
           "train_classifier"]

CIFAR10_HELP = """\
CIFAR-10 is not shipped (163 MB). Download its binary version and extract it into DIR:
    curl -O https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz
    tar xzf cifar-10-binary.tar.gz -C DIR          # -> DIR/cifar-10-batches-bin/
or let nnlite fetch it and check its md5:
    python -c "from nnlite.data.datasets import CIFAR10; CIFAR10('DIR', download=True)"
then pass --data-dir DIR."""


def image_data_args(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add ``--data-dir``, ``--dataset``, ``--test-size`` and ``--no-flip`` (see
    :func:`load_image_data` and :func:`train_classifier`), and how to get CIFAR-10 to the end
    of ``--help``."""
    g = parser.add_argument_group("data")
    g.add_argument("--data-dir", default=None, metavar="DIR",
                   help="folder holding cifar-10-batches-bin/ (see below) and/or mnist/ "
                        "(default: the repository's data/)")
    g.add_argument("--dataset", choices=("auto", "cifar10", "mnist"), default="auto",
                   help="auto (the default): CIFAR-10 if --data-dir holds it, else the "
                        "shipped MNIST, zero-padded to 32x32")
    g.add_argument("--test-size", type=int, default=None, metavar="N",
                   help="evaluate on a fixed random N of the test images (default: all; "
                        "for a quicker look on a slow machine)")
    g.add_argument("--no-flip", dest="flip", action="store_false",
                   help="no random horizontal flips (on by default, as in the paper, also "
                        "for MNIST, though a mirrored digit is not a digit)")
    parser.epilog = "\n\n".join(filter(None, [parser.epilog, CIFAR10_HELP]))
    return parser


# ============================================================================
# Pixel statistics and the data
# ============================================================================
@dataclass
class PixelStats:
    """Per-channel ``mean`` and ``std`` of pixels in [0, 1], and the PCA of the pixel
    colours: ``eigval`` (descending) and ``eigvec`` (columns), of their covariance."""

    mean: tuple[float, ...]
    std: tuple[float, ...]
    eigval: np.ndarray
    eigvec: np.ndarray


def pixel_stats(images: np.ndarray, channels: int | None = None, max_images: int = 2000,
                seed: int = 0) -> PixelStats:
    """Statistics of uint8 images ``(N, H, W)`` or ``(N, H, W, C)`` scaled to [0, 1], from up
    to ``max_images`` of them (a fixed random subset: plenty for C numbers and a C x C
    covariance). ``channels``: a grey image repeated to this many channels (default: C)."""
    if len(images) > max_images:
        images = images[np.sort(np.random.default_rng(seed).permutation(len(images))
                                [:max_images])]
    x = images if images.ndim == 4 else images[..., None]               # (N, H, W, C)
    px = x.reshape(-1, x.shape[-1])                                      # (P, C) uint8
    # Float64 sums about the mean, not E[x x^T] - mean mean^T from a float32 matmul: that
    # covariance is off by ~1e-7, by amounts that depend on the BLAS kernels, and two
    # nearly equal eigenvalues (e.g. 0.00733 and 0.00754) turn their eigenvectors by error /
    # gap, ~1e-4 (1.2e-4 with OpenBLAS's SkylakeX kernels, 1.8e-5 with Haswell's). Float64
    # keeps them within ~1e-13 on any BLAS; the chunks keep the float64 copy small.
    mean = px.sum(0, dtype=np.float64) / (255.0 * len(px))              # (C,)
    cov = np.zeros((px.shape[1], px.shape[1]))                          # (C, C)
    for start in range(0, len(px), 1 << 16):
        d = px[start:start + (1 << 16)] / 255.0 - mean                   # (chunk, C) float64
        cov += d.T @ d
    cov /= len(px)
    if channels is not None and channels != px.shape[1]:                # grey -> colour
        mean = np.repeat(mean, channels)
        cov = np.repeat(np.repeat(cov, channels, axis=0), channels, axis=1)
    eigval, eigvec = np.linalg.eigh(cov)
    order = np.argsort(eigval)[::-1]
    return PixelStats(tuple(mean.tolist()), tuple(np.sqrt(np.diag(cov)).tolist()),
                      np.clip(eigval[order], 0.0, None), eigvec[:, order])


class RepeatChannels(T.Transform):
    """A grey image ``(1, H, W)`` -> ``(channels, H, W)`` by repetition (for a model built
    for colour images)."""

    _min_ndim = 3

    def __init__(self, channels: int = 3) -> None:
        self.channels = channels

    def apply(self, x: np.ndarray, params: Any) -> np.ndarray:
        if x.shape[-3] != 1:
            raise ValueError(f"RepeatChannels: expected 1 channel on axis -3, got shape "
                             f"{x.shape}")
        return np.repeat(x, self.channels, axis=-3)

    def extra_repr(self) -> str:
        return f"channels={self.channels}"


@dataclass
class ImageData:
    """A train and a test set of uint8 images, and how they become model inputs.

    Attributes:
        name (str): "CIFAR-10" or "MNIST-32". train, test: the datasets (set their
            ``transform``). stats (PixelStats): of the training images, as the model sees
            them. channels (int): the model's input channels. gray (bool): the images
            are grey.
    """

    name: str
    train: Any
    test: Any
    stats: PixelStats
    channels: int
    gray: bool

    def transform(self, augment: Sequence[Callable] = ()) -> T.Compose:
        """``ToTensor`` (and :class:`RepeatChannels` for grey images and a colour model),
        then ``augment`` (on [0, 1] pixels), then ``Normalize`` with the training set's mean
        and std. Batched by the loader."""
        head: list[Callable] = [T.ToTensor()]
        if self.gray and self.channels > 1:
            head.append(RepeatChannels(self.channels))
        return T.Compose(head + list(augment) + [T.Normalize(self.stats.mean, self.stats.std)])

    def pca_lighting(self, alphastd: float = 0.1) -> T.PCALighting:
        """AlexNet's lighting noise along this data's principal colour components. The
        magnitudes are the standard deviations along them (``sqrt(eigval)``, pixels in
        [0, 1]), the scale fb.resnet.torch's ImageNet values have; the paper's literal
        eigenvalues would be ~10x smaller here and change nothing."""
        return T.PCALighting(alphastd, np.sqrt(self.stats.eigval), self.stats.eigvec)


def _mnist32(data_dir: str | None) -> tuple[MNIST, MNIST]:
    """MNIST from ``data_dir`` if it holds it, else the shipped copy; zero-padded to 32x32."""
    try:
        sets = MNIST(data_dir, train=True), MNIST(data_dir, train=False)
    except DatasetNotFoundError:
        if data_dir is None:
            raise
        sets = MNIST(None, train=True), MNIST(None, train=False)
    for ds in sets:
        ds.data = np.pad(ds.data, ((0, 0), (2, 2), (2, 2)))                 # (N, 32, 32)
    return sets


def load_image_data(data_dir: str | None = None, dataset: str = "auto",
                    channels: int | None = None, log: Callable[[str], None] | None = print
                    ) -> ImageData:
    """CIFAR-10 (50,000 + 10,000 colour images) when ``data_dir`` (default: the repository's
    ``data/``) holds it, else MNIST (60,000 + 10,000 digits) zero-padded from 28x28 to
    32x32, the size of the CIFAR networks (and of LeNet-5's input field).

    Args:
        data_dir (str, optional): where to look.
        dataset (str): "auto", "cifar10" (raise if it is missing) or "mnist".
        channels (int, optional): the model's input channels; grey images are repeated to
            it. Default: the data's (3 for CIFAR-10, 1 for MNIST).
        log: says which data was chosen and why (None: quiet).
    """
    if dataset not in ("auto", "cifar10", "mnist"):
        raise ValueError(f"load_image_data: dataset must be 'auto', 'cifar10' or 'mnist', "
                         f"got {dataset!r}")
    sets = None
    if dataset != "mnist":
        try:
            sets, name, gray = (CIFAR10(data_dir, train=True),
                                CIFAR10(data_dir, train=False)), "CIFAR-10", False
        except DatasetNotFoundError as err:
            if dataset == "cifar10":
                raise DatasetNotFoundError(f"{err}\n{CIFAR10_HELP}") from None
            if log is not None:
                log(f"CIFAR-10 not found in {data_dir or 'data/'}: using MNIST padded to "
                    f"32x32 (--help says how to get CIFAR-10)")
    if sets is None:
        sets, name, gray = _mnist32(data_dir), "MNIST-32", True
    channels = channels or (1 if gray else 3)
    return ImageData(name, sets[0], sets[1], pixel_stats(sets[0].data, channels), channels,
                     gray)


def with_transform(dataset: Any, transform: Callable) -> Any:
    """A shallow copy of ``dataset`` (sharing its arrays) with another ``transform``: the
    same test images seen through, e.g., ten crops."""
    view = copy.copy(dataset)
    view.transform = transform
    return view


# ============================================================================
# The step and the script body
# ============================================================================
def classification_step(model: nn.Module, criterion: Callable = F.cross_entropy,
                        scores: Callable | None = None) -> Step:
    """The step for ``nnlite.training.fit`` / ``run_epoch``: ``(x, y) -> (criterion(model(x), y),
    {"n", "correct"})``.

    Args:
        model: images -> outputs.
        criterion: ``(output, y) -> mean loss``. Default: ``F.cross_entropy``.
        scores (callable, optional): output -> class scores for the accuracy (e.g.
            ``lambda p: -p.array`` for LeNet-5's RBF penalties). Default: the output.

    A 5-d batch ``(N, K, C, H, W)`` of K views per image (``FiveCrop``/``TenCrop``) is
    scored by averaging the K softmax outputs (Krizhevsky et al. 2012, section 4.1); its loss
    is the negative log of the averaged probability of the target. Evaluation only.
    """
    def step(batch: Any) -> tuple[Any, dict[str, int]]:
        x, y = batch
        if x.ndim == 5:
            n, k = x.shape[:2]
            out = model(x.reshape(n * k, *x.shape[2:]))                     # (N*K, classes)
            s = _array(scores(out) if scores is not None else out).reshape(n, k, -1)
            p = np.exp(s - s.max(-1, keepdims=True))
            p = (p / p.sum(-1, keepdims=True)).mean(1)                     # (N, classes)
            t = _array(y)
            loss = -np.log(np.maximum(p[np.arange(n), t], 1e-30)).mean()
            return float(loss), {"n": n, "correct": count_correct(p, t)[0]}
        out = model(x)
        return criterion(out, y), {"n": len(y), "correct": count_correct(
            scores(out) if scores is not None else out, y)[0]}
    return step


def _array(x: Any) -> np.ndarray:
    return x.array if isinstance(x, Tensor) else np.asarray(x)


def train_classifier(model: nn.Module, optimizer: Any, args: argparse.Namespace,
                     train_set: Any, test_set: Any, *, name: str, data_name: str,
                     step: Step | None = None, scheduler: Any = None,
                     after_step: Callable | None = None, final_tests: dict[str, Any] | None = None, test_batch_size: int = 500,
                     quick_sizes: tuple[int, int] = (128, 64), note: str = "",
                     distributed: bool = False) -> History:
    """The body of an image-classification example, after the model and data are built.

    Loads batches (``args.batch_size``, shuffled; with ``args.quick`` only ``quick_sizes``
    train/test images; else ``args.test_size`` test images if the parser has it), prints a
    header, trains with :func:`~nnlite.training.fit` (test accuracy each epoch, a checkpoint
    each epoch, ``args.resume``, ``curves.png``, ``args.time_budget`` if the parser has it;
    ``scheduler`` stepped after every batch, ``after_step`` called after it), evaluates
    each of ``final_tests`` (``{"test-10crop": dataset}``, the same test images through
    other views) once at the end, adding it to the last epoch's record, and prints the final
    line: ``final: test accuracy 99.12% (error 0.88%) ... | model on data, epochs, times |
    dir``.

    With ``distributed`` (a process group is initialised and ``step`` runs the
    ``DistributedDataParallel`` model; ``model`` is the module inside it, whose plain
    ``state_dict`` the checkpoints hold): each process trains on its
    ``DistributedSampler`` share of every epoch, ``args.batch_size`` images at a time (the
    global batch is that times the number of processes), evaluates its share of the test
    images (the metrics are combined over the processes), and only rank 0 prints, shows
    progress bars and writes files. The training metrics printed are rank 0's share.

    Returns:
        History: every epoch's metrics.
    """
    step = step or classification_step(model)
    rank, world = (dist.get_rank(), dist.get_world_size()) if distributed else (0, 1)
    main = rank == 0                  # the process that prints and writes
    say = print if main else (lambda *a: None)
    progress = args.progress and main
    if args.quick:
        train_set = take(train_set, quick_sizes[0])
    test_size = quick_sizes[1] if args.quick else getattr(args, "test_size", None)
    test_set = take(test_set, test_size)          # the same images for every view
    final_tests = {k: take(v, test_size) for k, v in (final_tests or {}).items()}
    if distributed:
        train_loader = DataLoader(train_set, batch_size=args.batch_size,
                                  sampler=DistributedSampler(train_set, seed=args.seed))
    else:
        train_loader = DataLoader(train_set, batch_size=args.batch_size, shuffle=True)
    budget = getattr(args, "time_budget", None)
    params = sum(p.numel() for p in model.parameters())
    say(f"{name} ({params:,} parameters) on {data_name}: {len(train_set):,} train / "
        f"{len(test_set):,} test images, {plural(args.epochs, 'epoch')}"
        + (f" or {format_seconds(budget)} of training" if budget else "") + note
        + (f"; {world} processes x batch {args.batch_size} = global batch "
           f"{world * args.batch_size}" if distributed else ""))

    def test(dataset: Any, prefix: str, batch_size: int) -> dict[str, float]:
        """``prefix``'s metrics on ``dataset``; distributed: each process scores its share
        (images rank, rank + world, ...) and the sums are combined."""
        part = Subset(dataset, range(rank, len(dataset), world)) if distributed else dataset
        metrics = evaluate(step, DataLoader(part, batch_size=batch_size), prefix,
                           progress=progress, model=model)
        return _combined(metrics, len(part)) if distributed else metrics

    start = time.time()
    history = fit(model, optimizer, step, train_loader, epochs=args.epochs,
                  out_dir=args.out_dir,
                  evaluate=lambda epoch: test(test_set, "test", test_batch_size),
                  resume=args.resume, progress=progress, scheduler=scheduler,
                  scheduler_interval="step", after_step=after_step,
                  time_budget=budget, title=f"{name} on {data_name}",
                  log=say if main else None, save=main)
    results = {"test": history.last("test_acc", math.nan)}
    for prefix, dataset in final_tests.items():
        views = max(1, int(np.prod(dataset[0][0].shape[:-3])))             # crops per image
        metrics = test(dataset, prefix, max(1, test_batch_size // views))
        results[prefix] = metrics[f"{prefix}_acc"]
        if len(history):
            history.log(history.epochs[-1], **metrics)
    if final_tests and len(history) and main:
        history.to_csv(args.out_dir / "history.csv")
        history.plot(args.out_dir / "curves.png", title=f"{name} on {data_name}")

    scores = "; ".join(f"{prefix} accuracy {100 * acc:.2f}% (error {100 * (1 - acc):.2f}%)"
                       for prefix, acc in results.items())
    say(f"final: {scores} | {name} on {data_name}, "
        + run_summary(len(history), history.last("time", 0.0), start, args.out_dir))
    return history


def _combined(metrics: dict[str, float], n: int) -> dict[str, float]:
    """Per-item means of this process's ``n`` items -> the means over every process's
    items (one all_reduce of the sums and counts)."""
    keys = list(metrics)
    sums = Tensor(np.array([metrics[k] * n for k in keys] + [n], np.float64))
    dist.all_reduce(sums)
    total = sums.array[-1]
    return {k: float(v / total) if total else math.nan for k, v in zip(keys, sums.array)}
