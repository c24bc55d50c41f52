"""The runner's import rewrite (tests/compat/runner.py): one table, import lines only."""
import pytest

from .runner import map_module, rewrite_imports


@pytest.mark.parametrize("before,after", [
    ("import torch\n", "import nnlite as torch\n"),
    ("import torch as T\n", "import nnlite as T\n"),
    ("import torch.nn as nn\n", "import nnlite.nn as nn\n"),
    ("import torch.nn.functional as F\n", "import nnlite.nn.functional as F\n"),
    ("import torch.utils.data\n", "import nnlite.utils.data, nnlite as torch\n"),
    ("import numpy as np, torch\n", "import numpy as np, nnlite as torch\n"),
    ("import torch  # the library\n", "import nnlite as torch  # the library\n"),
    ("from torch import nn, optim\n", "from nnlite import nn, optim\n"),
    ("from torch.nn import functional as F\n", "from nnlite.nn import functional as F\n"),
    ("from torch.utils.data import DataLoader, Dataset\n",
     "from nnlite.utils.data import DataLoader, Dataset\n"),
    ("from torch.optim.lr_scheduler import (StepLR,\n    LambdaLR)\n",
     "from nnlite.optim.lr_scheduler import (StepLR,\n    LambdaLR)\n"),
    ("def f():\n    import torch.nn as nn\n    return nn\n",
     "def f():\n    import nnlite.nn as nn\n    return nn\n"),
    ("import torchvision\nimport numpy\nfrom . import torch\n",
     "import torchvision\nimport numpy\nfrom . import torch\n"),
    ('s = "import torch"\n', 's = "import torch"\n'),
])
def test_rewrites(before, after):
    assert rewrite_imports(before) == after


def test_the_table_maps_torch_and_its_submodules_only():
    assert map_module("torch") == "nnlite"
    assert map_module("torch.utils.data") == "nnlite.utils.data"
    assert map_module("torchvision") is None and map_module("numpy") is None


def test_an_import_sharing_its_line_is_refused():
    with pytest.raises(ValueError, match="alone on its line"):
        rewrite_imports("x = 1; import torch\n")


def test_a_rewritten_dotted_import_binds_the_package():
    namespace = {}
    exec(rewrite_imports("import torch.utils.data\nimport torch.nn.functional\n"), namespace)
    import nnlite
    assert namespace["torch"] is nnlite
    assert namespace["torch"].utils.data.DataLoader is nnlite.utils.data.DataLoader
    assert namespace["torch"].nn.functional.relu is nnlite.nn.functional.relu


def test_a_programs_process_settings_are_put_back():
    import nnlite
    from .runner import process_settings_kept
    with process_settings_kept("nnlite"):
        nnlite.backends.cudnn.deterministic = True
        nnlite.backends.cudnn.benchmark = True
        nnlite.backends.cuda.matmul.allow_tf32 = True
        nnlite.use_deterministic_algorithms(True)
        nnlite.set_default_dtype(nnlite.float64)
    assert nnlite.backends.cudnn.deterministic is False and nnlite.backends.cudnn.benchmark is False
    assert nnlite.backends.cuda.matmul.allow_tf32 is False
    assert nnlite.get_float32_matmul_precision() == "highest"
    assert not nnlite.are_deterministic_algorithms_enabled()
    assert nnlite.get_default_dtype() == nnlite.float32
