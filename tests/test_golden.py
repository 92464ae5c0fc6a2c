"""A small golden site: the fixture's key pages and downloads, byte for byte.

A change to templates, view-models or figures shows up here as a readable diff. After an
intended change, regenerate with: GONGSHI_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest
from support import MINI

from generator.cli import main

GOLDEN = Path(__file__).parent / "golden" / "mini"
FILES = [
    "index.html",
    "subdistricts/s1/index.html",
    "communities/c3/index.html",
    "projects/p1/index.html",
    "projects/p2/index.html",
    "units/u1/index.html",
    "units/index.html",
    "lists/demands/page/2/index.html",
    "lists/results/index.html",
    "downloads/projects.csv",
    "downloads/demands.json",
    "downloads/datapackage.json",
]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("golden") / "output"
    assert main(["build", "--data", str(MINI), "--output", str(out)]) == 0
    return out


@pytest.mark.parametrize("name", FILES)
def test_golden(built, name):
    actual = (built / name).read_text(encoding="utf-8")
    golden = GOLDEN / name
    if os.environ.get("GONGSHI_UPDATE_GOLDEN"):
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(actual, encoding="utf-8")
    expected = golden.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "golden", "built", n=2))
        pytest.fail(f"{name} differs from the golden copy:\n{diff[:4000]}")
