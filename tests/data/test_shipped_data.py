"""The datasets shipped in data/ are byte-exact: every file listed in data/README.md has the
sha256 given there, and every shipped file is listed."""
from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
LISTED = dict((path, digest) for digest, path in re.findall(
    r"^([0-9a-f]{64})  (\S+)$", (DATA / "README.md").read_text(), flags=re.M))


def test_every_shipped_file_is_listed():
    shipped = {p.relative_to(DATA).as_posix() for p in DATA.rglob("*")
               if p.is_file() and not p.name.startswith(".") and p.name != "README.md"}
    extra = {p for p in shipped if not p.startswith(("multi30k/", "cifar-10", "fashion-mnist/"))
             and not p.endswith(".tsv")}
    assert extra == set(LISTED)


@pytest.mark.parametrize("path", sorted(LISTED))
def test_sha256(path):
    assert hashlib.sha256((DATA / path).read_bytes()).hexdigest() == LISTED[path]
