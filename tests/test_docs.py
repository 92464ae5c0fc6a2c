"""Docs drift: the README's data-format reference is exactly what the schema says."""

from __future__ import annotations

from support import ROOT

from generator.exports.docs import END, START, reference
from generator.problems import CODES
from generator.schema import SETTINGS, TABLES


def test_readme_reference_matches_schema():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split(START, 1)[1].split(END, 1)[0].strip()
    assert block == reference().strip(), "README is out of date: run `gongshi docs`"


def test_every_column_and_code_is_documented():
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for table in TABLES:
        for column in (*table.columns, *table.derived):
            assert f"`{column.name}`" in text and column.label in text
    for setting in SETTINGS:
        assert f"| `{setting.name}` | {setting.label} |" in text
    for code in CODES:
        assert f"`{code}`" in text
