"""Run a PyTorch program under nnlite by changing only its import lines.

A program in ``programs/`` is written against torch's API alone. :func:`rewrite_imports` turns
its ``import torch...`` / ``from torch... import ...`` statements into nnlite's through the one
table :data:`MODULES`, and leaves every other line byte for byte as it was. :func:`load` runs
the (rewritten or original) source as a fresh module, so the same file runs under either library.

Each program defines ``main()`` returning its per-step or per-epoch losses, deterministic given
its ``torch.manual_seed``. A program whose weights can be shared between the libraries also
defines ``build_model()`` and accepts ``main(init=state_dict)``: the model it builds starts from
that state instead of its random initialisation (see :func:`initial_state`).

    python -m tests.compat.runner gpt          # run programs/gpt.py under nnlite
"""
from __future__ import annotations

import ast
import contextlib
import importlib
import re
import sys
import types
from pathlib import Path

import numpy as np

PROGRAMS = Path(__file__).resolve().parent / "programs"

# The one mapping table: a module a program imports (or any submodule of it) -> nnlite's.
# `torch.utils.data` becomes `nnlite.utils.data`, `torch.nn.functional` `nnlite.nn.functional`.
MODULES = {
    "torch": "nnlite",
}


def map_module(name: str) -> str | None:
    """nnlite's module for the module ``name`` a program imports, or None if it is not torch's."""
    for theirs in sorted(MODULES, key=len, reverse=True):
        if name == theirs or name.startswith(theirs + "."):
            return MODULES[theirs] + name[len(theirs):]
    return None


def _rewrite_import(node: ast.Import) -> str:
    """``import a.b as c, d`` with torch's modules replaced; a dotted import without ``as``
    (``import torch.utils.data``) binds the top package, so it becomes ``import
    nnlite.utils.data, nnlite as torch``: the submodule loaded, ``torch`` bound to nnlite."""
    parts = []
    for alias in node.names:
        ours = map_module(alias.name)
        if ours is None:
            parts.append(alias.name + (f" as {alias.asname}" if alias.asname else ""))
        elif alias.asname:
            parts.append(f"{ours} as {alias.asname}")
        else:
            top, ours_top = alias.name.split(".")[0], ours.split(".")[0]
            if ours != ours_top:
                parts.append(ours)
            parts.append(f"{ours_top} as {top}")
    return "import " + ", ".join(parts)


_FROM = re.compile(r"^(\s*from\s+)([\w.]+)(\s+import\b)")


def rewrite_imports(source: str) -> str:
    """``source`` with every import of a torch module rewritten to nnlite's, nothing else changed.

    Only the lines of import statements change (found with :mod:`ast`, at any depth, so an
    import inside a function is rewritten too); an import that shares its line with other code
    raises ``ValueError`` rather than be rewritten partly.
    """
    lines = source.splitlines(keepends=True)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.ImportFrom) and node.level == 0 and map_module(node.module):
            i = node.lineno - 1
            found = _FROM.match(lines[i])
            if not found or found.group(2) != node.module:
                raise ValueError(f"line {node.lineno}: cannot rewrite {lines[i].strip()!r}")
            lines[i] = (found.group(1) + map_module(node.module) + found.group(3)
                        + lines[i][found.end():])
        elif isinstance(node, ast.Import) and any(map_module(a.name) for a in node.names):
            i = node.lineno - 1
            line = lines[i]
            indent = line[:len(line) - len(line.lstrip())]
            end = "\n" if line.endswith("\n") else ""
            code, _, comment = line.partition("#")
            if node.end_lineno != node.lineno or code.strip() != ast.get_source_segment(
                    source, node).strip():
                raise ValueError(f"line {node.lineno}: an import must be alone on its line "
                                 f"to be rewritten: {line.strip()!r}")
            lines[i] = (indent + _rewrite_import(node)
                        + (f"  #{comment.rstrip(chr(10))}" if comment else "") + end)
    return "".join(lines)


def program_path(name: str) -> Path:
    return PROGRAMS / f"{name}.py"


def program_names() -> list[str]:
    return sorted(p.stem for p in PROGRAMS.glob("*.py") if not p.stem.startswith("_"))


@contextlib.contextmanager
def load(name: str, library: str):
    """The program ``name`` run as a fresh module under ``library`` ("torch" or "nnlite"):
    yields the module (its top level executed) and removes it from ``sys.modules`` after."""
    if library not in ("torch", "nnlite"):
        raise ValueError(f"library must be 'torch' or 'nnlite', got {library!r}")
    path = program_path(name)
    source = path.read_text(encoding="utf-8")
    if library == "nnlite":
        source = rewrite_imports(source)
    module_name = f"compat_{library}_{name}"
    module = types.ModuleType(module_name)
    module.__file__ = str(path)
    sys.modules[module_name] = module          # dataclasses and pickling look classes up here
    try:
        exec(compile(source, str(path), "exec"), module.__dict__)
        if library == "nnlite":
            leaked = [k for k, v in vars(module).items() if isinstance(v, types.ModuleType)
                      and v.__name__.split(".")[0] == "torch"]
            if leaked:
                raise AssertionError(f"{name}: names bound to torch after the rewrite: {leaked}")
        yield module
    finally:
        sys.modules.pop(module_name, None)


@contextlib.contextmanager
def one_thread(library: str):
    """``library`` (torch, or nnlite's BLAS) on one thread meanwhile: on a busy 2-core
    machine the default thread pools make these tiny programs several times slower (up to
    40x for torch), and the numbers do not depend on it."""
    lib = importlib.import_module(library)
    before = lib.get_num_threads()
    lib.set_num_threads(1)
    try:
        yield
    finally:
        lib.set_num_threads(before)


_CUDNN_FLAGS = ("enabled", "benchmark", "deterministic", "allow_tf32")


@contextlib.contextmanager
def process_settings_kept(library: str):
    """Put back the process-wide settings a program may change (programs set cuDNN and TF32
    flags, the deterministic switch, the default dtype), so that one program's run does not
    leak into the next test."""
    lib = importlib.import_module(library)
    cudnn = lib.backends.cudnn
    flags = {name: getattr(cudnn, name) for name in _CUDNN_FLAGS}
    precision = lib.get_float32_matmul_precision()
    deterministic = (lib.are_deterministic_algorithms_enabled(),
                     lib.is_deterministic_algorithms_warn_only_enabled())
    dtype, grad = lib.get_default_dtype(), lib.is_grad_enabled()
    try:
        yield
    finally:
        for name, value in flags.items():
            setattr(cudnn, name, value)
        lib.set_float32_matmul_precision(precision)     # also puts back cuda.matmul.allow_tf32
        lib.use_deterministic_algorithms(deterministic[0], warn_only=deterministic[1])
        lib.set_default_dtype(dtype)
        lib.set_grad_enabled(grad)


def initial_state(name: str) -> dict[str, np.ndarray]:
    """The program's model as torch initialises it (after its ``torch.manual_seed``), as
    NumPy arrays by name: both libraries' runs can start from these weights."""
    import torch
    with load(name, "torch") as program, one_thread("torch"), process_settings_kept("torch"):
        torch.manual_seed(0)
        model = program.build_model()
        return {k: v.detach().cpu().numpy().copy() for k, v in model.state_dict().items()}


def state_for(library: str, state: dict[str, np.ndarray]) -> dict:
    """``state`` as a state_dict of ``library``'s tensors."""
    if library == "torch":
        import torch
        return {k: torch.from_numpy(v.copy()) for k, v in state.items()}
    import nnlite
    return {k: nnlite.from_numpy(v.copy()) for k, v in state.items()}


def run(name: str, library: str, **kwargs) -> list[float]:
    """The losses ``main(**kwargs)`` of the program ``name`` returns under ``library``."""
    with contextlib.ExitStack() as stack:
        stack.enter_context(process_settings_kept(library))
        program = stack.enter_context(load(name, library))
        stack.enter_context(one_thread(library))
        losses = program.main(**kwargs)
    return [float(v) for v in losses]


if __name__ == "__main__":
    for arg in sys.argv[1:] or program_names():
        print(f"== {arg}: {run(arg, 'nnlite')}")
