"""Sphinx configuration of nnlite's documentation.

Build (from the repository root, after ``pip install -e ".[docs]"``)::

    sphinx-build -W --keep-going -b html docs docs/_build/html

Two pieces of the build live here rather than in an extension package:

* ``.. api-group::`` -- a section's names, once: it writes the ``autosummary`` table of
  the section and then the ``autoclass`` / ``autofunction`` / ``autoexception`` entry of
  each name, in the current module (``.. currentmodule::``).
* the coverage check -- every public function and class of the namespaces in
  ``NAMESPACES`` must be documented somewhere (the same object under any of its names:
  ``nnlite.utils.data.DataLoader`` is ``nnlite.data.DataLoader``). A public name without
  an entry is a warning, so ``-W`` fails the build and the reference cannot fall behind
  the code.
* the page check -- every name "Coming from PyTorch" says nnlite lacks must still be
  missing, so the page cannot keep listing a gap that has been filled.
"""
from __future__ import annotations

import importlib
import inspect
import os
import re
import sys
import types

from docutils import nodes
from docutils.parsers.rst import directives
from docutils.statemachine import StringList
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), ".."))
sys.path.insert(0, ROOT)          # document this checkout, installed or not

import nnlite  # noqa: E402

# ---- project -----------------------------------------------------------------------------
project = "nnlite"
author = "the nnlite authors"
copyright = "the nnlite authors, BSD-3-Clause"
release = version = nnlite.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "myst_parser",
]
source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
templates_path: list = []

# ---- autodoc and napoleon ---------------------------------------------------------------
# The docstrings are Google style (Args:, Returns:, Raises:, Example:) with PyTorch's extra
# sections (Shape:, Attributes:, Notation:); their argument types are written in the text,
# so signatures are shown without annotations, as PyTorch's documentation shows them.
autodoc_typehints = "none"
autodoc_member_order = "bysource"
autodoc_class_signature = "mixed"
autodoc_inherit_docstrings = False   # a method without its own docstring stays bare
autosummary_generate = False         # the tables link to entries on the same page
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True             # Attributes: as fields (properties keep their entries)
napoleon_use_rtype = False
napoleon_custom_sections = ["Shape", "Notation"]    # shown as written: see literal_sections

# ---- output ------------------------------------------------------------------------------
html_theme = "alabaster"
html_title = f"nnlite {release}"
html_theme_options = {
    "description": "A deep-learning library written from scratch on NumPy, with PyTorch's API.",
    "fixed_sidebar": True,
    "sidebar_collapse": True,
    "show_relbars": True,
    "page_width": "1180px",
    "sidebar_width": "250px",
}
html_sidebars = {"**": ["about.html", "searchbox.html", "navigation.html", "localtoc.html"]}
myst_heading_anchors = 3
toc_object_entries = False           # the sidebar lists a page's sections, not every entry


# =========================================================================================
# Shape: and Notation: sections are shown as written
# =========================================================================================
LITERAL_SECTIONS = ("Shape:", "Notation:")


def literal_sections(app, what, name, obj, options, lines: list) -> None:
    """Make the body of each ``Shape:`` / ``Notation:`` section a literal block (as text,
    not highlighted as Python).

    Those sections are formulas in plain text (``H_out = (H + 2*padding - K) // stride +
    1``), laid out line by line; as reST their ``*`` and ``|x|`` would be read as markup.
    Their double backquotes are dropped (the whole block is literal). Runs before napoleon,
    which then renders the section as a heading over the block.
    """
    out, k = [], 0
    while k < len(lines):
        line = lines[k]
        out.append(line)
        k += 1
        if line.strip() not in LITERAL_SECTIONS:
            continue
        indent = len(line) - len(line.lstrip())
        body = []
        while k < len(lines) and (not lines[k].strip()
                                  or len(lines[k]) - len(lines[k].lstrip()) > indent):
            body.append(lines[k])
            k += 1
        while body and not body[-1].strip():
            k -= 1                              # trailing blank lines stay outside
            body.pop()
        if body:
            pad = " " * (indent + 4)
            body = [b.replace("``", "") for b in body]     # literal already
            out += [pad + ".. code-block:: text", ""]
            out += ["    " + b if b.strip() else "" for b in body]
            out.append("")
    lines[:] = out


_PLAIN_PROPERTIES: set = set()


def plain_properties(app, what, name, obj, options, lines: list) -> None:
    """Keep a property's first line as written (runs before napoleon; ``restore_properties``
    after it). napoleon reads the first line of a property's docstring as ``type:
    description``; nnlite's are sentences (``False: nnlite tensors are on the CPU.``)."""
    if what == "property" and lines and ":" in lines[0]:
        _PLAIN_PROPERTIES.add(name)


def restore_properties(app, what, name, obj, options, lines: list) -> None:
    """Put back the text napoleon took for a type (its ``:type: ...`` line) in front of the
    sentence it came from."""
    if name not in _PLAIN_PROPERTIES:
        return
    for k in range(len(lines) - 1, -1, -1):
        if lines[k].startswith(":type: "):
            head = lines.pop(k)[len(":type: "):]
            if k > 0 and not lines[k - 1].strip():
                lines.pop(k - 1)
            lines[0] = f"{head}: {lines[0]}" if lines else head
            break


# =========================================================================================
# .. api-group:: -- a section's names, once
# =========================================================================================
def _resolve(modname: str, name: str) -> object:
    obj: object = importlib.import_module(modname)
    for part in name.split("."):
        obj = getattr(obj, part)
    return obj


class ApiGroup(SphinxDirective):
    """A summary table and one entry per name (in the current module)::

        .. currentmodule:: nnlite.nn

        .. api-group::

           Linear
           Bilinear

    Options: ``:no-summary:`` (entries only), ``:undoc-members:`` (list methods without a
    docstring too, e.g. Tensor's method forms of the ops).
    """

    has_content = True
    option_spec = {"no-summary": directives.flag, "undoc-members": directives.flag}

    def run(self) -> list:
        modname = self.env.ref_context.get("py:module")
        if not modname:
            raise self.error("api-group: set the module first with .. currentmodule::")
        names = [line.strip() for line in self.content if line.strip()]
        lines: list[str] = []
        if "no-summary" not in self.options:
            lines += [".. autosummary::", "   :nosignatures:", ""]
            lines += [f"   {name}" for name in names]
            lines.append("")
        for name in names:
            try:
                obj = _resolve(modname, name)
            except (ImportError, AttributeError) as exc:
                raise self.error(f"api-group: {modname}.{name} does not exist ({exc})")
            if inspect.isclass(obj) and issubclass(obj, BaseException):
                lines += [f".. autoexception:: {name}", ""]
            elif inspect.isclass(obj):
                lines += [f".. autoclass:: {name}", "   :members:"]
                if "undoc-members" in self.options:
                    lines.append("   :undoc-members:")
                lines.append("")
            elif callable(obj):
                lines += [f".. autofunction:: {name}", ""]
            else:
                lines += [f".. autodata:: {name}", "   :no-value:", ""]
        node = nodes.section()      # a container only: its children are returned
        node.document = self.state.document
        source = self.get_source_info()[0]
        self.state.nested_parse(StringList(lines, source=source), self.content_offset, node,
                                match_titles=False)
        return node.children


# =========================================================================================
# Coverage: every public function and class is documented
# =========================================================================================
# The namespaces a user imports from. Their public names are ``__all__`` where a module
# defines it, else every name without a leading underscore; modules, dtypes and objects
# from outside nnlite (``nnlite.multiprocessing`` re-exports the standard library's) are
# not counted.
NAMESPACES = [
    "nnlite", "nnlite.autograd", "nnlite.nn", "nnlite.nn.functional", "nnlite.nn.init",
    "nnlite.nn.utils", "nnlite.nn.utils.rnn", "nnlite.nn.parallel", "nnlite.nn.modules",
    "nnlite.optim", "nnlite.optim.lr_scheduler", "nnlite.data", "nnlite.data.transforms",
    "nnlite.data.datasets", "nnlite.data.image", "nnlite.utils", "nnlite.utils.data",
    "nnlite.models", "nnlite.training", "nnlite.cuda", "nnlite.cuda.amp", "nnlite.amp",
    "nnlite.backends", "nnlite.backends.cuda", "nnlite.backends.cudnn", "nnlite.backends.mps",
    "nnlite.accelerator", "nnlite.multiprocessing", "nnlite.devices", "nnlite.serialization",
    "nnlite.tuning", "nnlite.linalg", "nnlite.distributions", "nnlite.distributed",
    "nnlite.safetensors", "nnlite.onnx",
]

logger = logging.getLogger(__name__)


def public_objects(modname: str) -> dict:
    """name -> object for the public functions and classes of ``modname``."""
    mod = importlib.import_module(modname)
    names = getattr(mod, "__all__", None)
    if names is None:
        names = [n for n in dir(mod) if not n.startswith("_")]
    out = {}
    for name in names:
        obj = getattr(mod, name, None)
        if isinstance(obj, types.ModuleType) or not callable(obj):
            continue
        if not (getattr(obj, "__module__", None) or "").startswith("nnlite"):
            continue
        out[name] = obj
    return out


def _lookup(fullname: str) -> object:
    """The object ``fullname`` names: attributes first, then submodules (``nnlite.tensor``
    is the factory function, not the module ``nnlite/tensor.py``)."""
    parts = fullname.split(".")
    obj: object = importlib.import_module(parts[0])
    for k, part in enumerate(parts[1:], start=2):
        if hasattr(obj, part):
            obj = getattr(obj, part)
        else:
            obj = importlib.import_module(".".join(parts[:k]))
    return obj


def _documented_ids(env) -> set:
    """ids of the objects that have an entry in the Python domain."""
    ids = set()
    for fullname in env.get_domain("py").objects:
        try:
            ids.add(id(_lookup(fullname)))
        except (ImportError, AttributeError):
            pass
    return ids


def check_coverage(app, env) -> None:
    documented = _documented_ids(env)
    for modname in NAMESPACES:          # each missing object once, under its first namespace
        missing = []
        for name, obj in public_objects(modname).items():
            if id(obj) not in documented:
                missing.append(name)
                documented.add(id(obj))
        if missing:
            logger.warning(f"API reference: public names of {modname} without an entry: "
                           f"{', '.join(missing)}. Add them to the page of docs/api/ that "
                           f"documents {modname}.", type="nnlite", subtype="coverage")


# =========================================================================================
# "Coming from PyTorch" says what nnlite lacks: check that it still lacks it
# =========================================================================================
PAGE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "coming-from-pytorch.md")
# The bullets of its "Not in nnlite" section, by their bold label: where the names are looked up.
NOT_IN_NNLITE = {"Packages:": "nnlite", "Functions": "nnlite", "Tensor methods:": "nnlite.Tensor",
                 "Layers": "nnlite.nn", "Functional": "nnlite.nn.functional",
                 "`nn.init`:": "nnlite.nn.init", "`nn.utils`:": "nnlite.nn.utils"}
# What the other sections of the page say does not exist.
SAID_ABSENT = [
    ("nnlite.Tensor", "share_memory_"),
    ("nnlite.Tensor", "storage"),
    ("nnlite.nn.Module", "register_full_backward_hook"),
    ("nnlite.nn.Module", "register_backward_hook"),
    ("nnlite.nn.Module", "register_full_backward_pre_hook"),
    ("nnlite.nn.Module", "get_extra_state"), ("nnlite.nn.Module", "set_extra_state"),
    ("nnlite.nn.Module", "share_memory"), ("nnlite.nn.Module", "to_empty"),
    ("nnlite.nn.Module", "compile"),
]


def _said_absent_in_page() -> list:
    """(owner, name) for every name the page's "Not in nnlite" bullets list."""
    text = open(PAGE, encoding="utf-8").read()
    section = text.split("### Not in nnlite", 1)[1].split("\n## ", 1)[0].split("\n### ", 1)[0]
    out = []
    for bullet in section.split("\n- ")[1:]:
        label, _, rest = bullet.partition("**")[2].partition("**")
        owner = NOT_IN_NNLITE.get(label.strip())
        if owner is None:
            continue
        if rest.lstrip().startswith("("):           # "(`nn`)": where, not what
            rest = rest.split(")", 1)[1]
        for name in re.findall(r"`([A-Za-z_][A-Za-z0-9_.]*)`", rest):
            if not name.startswith("_"):
                out.append((owner, name[len("torch."):] if name.startswith("torch.") else name))
    return out


def check_page_claims(app, env) -> None:
    for owner, name in SAID_ABSENT + _said_absent_in_page():
        obj = _lookup(owner)
        try:
            for part in name.split("."):
                obj = getattr(obj, part)
        except AttributeError:
            continue
        logger.warning(f"coming-from-pytorch.md says {owner}.{name} does not exist, but it "
                       f"does: update the page.", type="nnlite", subtype="page")


def setup(app) -> dict:
    app.add_directive("api-group", ApiGroup)
    app.connect("autodoc-process-docstring", literal_sections, priority=400)  # before napoleon
    app.connect("autodoc-process-docstring", plain_properties, priority=400)
    app.connect("autodoc-process-docstring", restore_properties, priority=600)  # after it
    app.connect("env-check-consistency", check_coverage)
    app.connect("env-check-consistency", check_page_claims)
    return {"parallel_read_safe": True}
