"""Export a model of the zoo to ONNX and check the file in ONNX Runtime.

    pip install "nnlite-numpy[onnx]"
    python examples/export_onnx.py                         # ResNet-18, 224x224
    python examples/export_onnx.py --model lenet5 --out lenet5.onnx
    python examples/export_onnx.py --model transformer_lm --batch 4

The model (random weights, eval mode) is exported with a dynamic batch axis (and a dynamic
length for TextCNN and FastText), checked by onnx.checker, and run in ONNX Runtime at the
export's batch size and at one more; the script prints the export time, the largest
relative difference from nnlite's outputs (max |nnlite - ONNX Runtime| / max |nnlite|)
and the median time of one forward pass in each, both on one thread. It exits with status
1 if the difference exceeds --rtol.
"""
import argparse
import io
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

import nnlite as nl
from nnlite import models


def _images(size, channels=3):
    return lambda n: (nl.randn(n, channels, size, size),), {0: "batch"}


def _tokens(vocab, length, free_length=True):
    axes = {0: "batch", 1: "length"} if free_length else {0: "batch"}
    return lambda n: (nl.randint(0, vocab, (n, length)),), axes


# name -> (builder, (inputs at batch n, dynamic axes of the input))
MODELS = {
    "lenet5": (lambda: models.lenet5(), _images(28, 1)),
    "alexnet": (lambda: models.alexnet(num_classes=1000), _images(224)),
    "vgg16": (lambda: models.vgg16(num_classes=1000), _images(224)),
    "googlenet": (lambda: models.googlenet(num_classes=1000), _images(224)),
    "resnet18": (lambda: models.resnet18(num_classes=1000), _images(224)),
    "resnet50": (lambda: models.resnet50(num_classes=1000), _images(224)),
    "textcnn": (lambda: models.TextCNN(20000, 2), _tokens(20000, 50)),
    "fasttext": (lambda: models.FastText(20000, 10, 4), _tokens(20000, 50)),
    "transformer_lm": (lambda: models.TransformerLM(65, max_len=256), _tokens(65, 256, False)),
}


def _median_time(fn, repeats):
    fn()                                                   # warm-up
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return float(np.median(times))


def _randomize(model):
    """Every parameter drawn at random, so that no layer is left at zero (some of the
    zoo's initialisers zero the last layer, which would hide a wrong conversion)."""
    rng = np.random.default_rng(0)
    for p in model.parameters():
        fan_in = max(p.array[0].size, 1) if p.ndim > 1 else 1
        p.array[...] = rng.normal(0.0, 1.0 / np.sqrt(fan_in), p.shape).astype(p.dtype)
    return model


def main(argv=None):
    parser = argparse.ArgumentParser(description="Export a zoo model to ONNX and compare "
                                                 "ONNX Runtime with nnlite.")
    parser.add_argument("--model", choices=sorted(MODELS), default="resnet18",
                        help="the model (default: resnet18)")
    parser.add_argument("--batch", type=int, default=1,
                        help="batch size of the export's example input (default: 1)")
    parser.add_argument("--out", type=Path, default=None,
                        help="where to write the .onnx file (default: a temporary file)")
    parser.add_argument("--opset", type=int, default=17, help="ONNX opset (default: 17)")
    parser.add_argument("--repeats", type=int, default=5,
                        help="timed forward passes of each runtime (default: 5)")
    parser.add_argument("--rtol", type=float, default=1e-5,
                        help="largest relative difference accepted (default: 1e-5)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default: 0)")
    args = parser.parse_args(argv)
    try:
        import onnx
        import onnxruntime as ort
    except ImportError:
        print('needs onnx and onnxruntime: pip install "nnlite-numpy[onnx]"', file=sys.stderr)
        return 2

    nl.manual_seed(args.seed)
    build, (inputs, axes) = MODELS[args.model]
    model = _randomize(build()).eval()
    example = inputs(args.batch)
    t = time.perf_counter()
    buf = io.BytesIO()
    proto = nl.onnx.export(model, example, buf, input_names=["input"],
                           output_names=["output"], dynamic_axes={"input": axes},
                           opset_version=args.opset)
    export_s = time.perf_counter() - t
    data = buf.getvalue()
    out = args.out or Path(tempfile.gettempdir()) / f"{args.model}.onnx"
    out.write_bytes(data)
    onnx.checker.check_model(str(out))
    print(f"{args.model}: exported in {export_s:.2f} s to {out} ({len(data) / 2**20:.1f} MiB, "
          f"{len(proto.graph.node)} nodes, opset {args.opset})")

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = opts.inter_op_num_threads = 1
    session = ort.InferenceSession(str(out), opts, providers=["CPUExecutionProvider"])
    worst = 0.0
    for n in (args.batch, args.batch + 1):
        x = inputs(n)
        feed = {"input": x[0].numpy()}
        with nl.no_grad():
            ref = model(*x).numpy()
        got = session.run(None, feed)[0]
        err = float(np.abs(ref.astype(np.float64) - got).max() / np.abs(ref).max())
        worst = max(worst, err)
        with nl.no_grad():
            t_nl = _median_time(lambda: model(*x), args.repeats)
        t_ort = _median_time(lambda: session.run(None, feed), args.repeats)
        print(f"batch {n}: output {tuple(got.shape)}, relative difference {err:.1e}; "
              f"forward nnlite {t_nl * 1e3:.2f} ms, ONNX Runtime {t_ort * 1e3:.2f} ms")
    return 0 if worst <= args.rtol else 1


if __name__ == "__main__":
    sys.exit(main())
