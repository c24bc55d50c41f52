"""Tests of the training scripts in ``examples/``, run in-process through their ``main``."""
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
if str(EXAMPLES) not in sys.path:          # the scripts import their package ``common``, as
    sys.path.insert(0, str(EXAMPLES))      # they do when run from the command line


def example(name: str) -> ModuleType:
    """Import ``examples/<name>.py`` (the folder is not a package)."""
    spec = importlib.util.spec_from_file_location(f"example_{name}", EXAMPLES / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(name: str, args: list, capsys) -> list[str]:
    """``main(args + --quick --no-progress)`` of ``examples/<name>.py``; the printed lines."""
    assert example(name).main([*map(str, args), "--quick", "--no-progress"]) == 0
    return capsys.readouterr().out.strip().splitlines()
