"""Shared helpers for the tests (not named conftest: tests/browser has its own)."""

from __future__ import annotations

import csv
import io
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
MINI = Path(__file__).resolve().parent / "fixtures" / "mini"


def on_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() in {"1", "true", "yes"}


def require(ok: bool, what: str) -> None:
    """Skip (locally) or fail (under CI=true, which must not skip) when a part the test
    needs is missing; ``what`` says which and how to install it."""
    if ok:
        return
    if on_ci():
        pytest.fail(f"CI=true and {what}", pytrace=False)
    pytest.skip(what)


def read_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_rows(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding=encoding)


def set_cell(path: Path, row: int, column: str, value: str) -> None:
    """Change one cell, addressed as a spreadsheet shows it: row number and header."""
    rows = read_rows(path)
    j = rows[0].index(column)
    rows[row - 1][j] = value
    write_rows(path, rows)


# The size and time of every file, recorded by the build beside its manifest: it differs
# between two builds of the same inputs, and is never published.
BUILD_STATE = ".gongshi/state.json"


def site_files(root: Path) -> dict[str, bytes]:
    """Every file of a built site (relative path -> bytes), except the build's own state record."""
    return {
        p.relative_to(root).as_posix(): p.read_bytes()
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.relative_to(root).as_posix() != BUILD_STATE
    }
