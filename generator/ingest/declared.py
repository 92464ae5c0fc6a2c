"""Areas and units taken as declared by the lists that name them.

A district that starts from its rectification ledger alone has no list of areas or units:
the communities, subdistricts and units its projects (and demands) name are then taken as
they are written, each name its own id, and one warning lists them. A community whose
subdistrict is not known (no 所属街道 column, no sheet named after it) goes under one
placeholder subdistrict, and the warning says how to place it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from generator.ingest.load import RawPart, body_part
from generator.ingest.validate import CheckedPart, split_refs
from generator.problems import Problem
from generator.schema import AREAS, LEVEL, UNITS, SiteSettings

PLACEHOLDER_SUBDISTRICT = "未注明街道"
MAX_LISTED = 30  # names listed in the warning; the rest are counted


@dataclass
class Declared:
    """What the lists name, in the order first named."""

    communities: dict[str, str]  # community -> its subdistrict ("" when unknown)
    units: list[str]


def _cells(part: CheckedPart, column: str) -> list[str]:
    if column not in part.codes:
        return [""] * len(part)
    return part.raw[column][part.codes[column]].tolist()


def named(parts: dict[str, list[CheckedPart]]) -> Declared:
    """Every community (with the subdistrict its row gives) and unit the lists name."""
    communities: dict[str, str] = {}
    units: dict[str, None] = {}
    for part in parts.get("projects", []):
        subdistricts = _cells(part, "subdistrict")
        for cell, sub in zip(_cells(part, "communities"), subdistricts, strict=True):
            for name in split_refs(cell):
                if not communities.get(name):
                    communities[name] = sub
        for column in ("lead_unit", "partner_units"):
            for cell in _cells(part, column):
                units.update(dict.fromkeys(split_refs(cell) if column == "partner_units" else [cell] if cell else []))
    for part in parts.get("demands", []):
        for name in _cells(part, "community"):
            if name:
                communities.setdefault(name, "")
    return Declared(communities, list(units))


def _listing(names: list[str]) -> str:
    shown = "、".join(names[:MAX_LISTED])
    return shown + (f" 等 {len(names)} 个" if len(names) > MAX_LISTED else "")


def _part(table, file: str, rows: list[list[str]], columns: list[str]) -> RawPart:
    grid = pd.DataFrame(rows, dtype=object) if rows else pd.DataFrame(np.empty((0, len(columns)), dtype=object))
    positions = {c: j for j, c in enumerate(columns)}
    written = {c: table.column(c).label for c in columns}
    part, _ = body_part(grid, np.arange(1, len(rows) + 1), table, positions, file, written)
    part.letters = {}  # no spreadsheet holds these rows
    return part


def declare_areas(declared: Declared, settings: SiteSettings, file: str) -> tuple[RawPart, Problem]:
    """The areas the lists name, as one list (district, subdistricts, communities)."""
    district = settings.district or "本区"
    subdistricts = list(dict.fromkeys(s or PLACEHOLDER_SUBDISTRICT for s in declared.communities.values()))
    rows = [[district, district, LEVEL.label("district"), ""]]
    rows += [[s, s, LEVEL.label("subdistrict"), district] for s in subdistricts]
    rows += [[c, c, LEVEL.label("community"), s or PLACEHOLDER_SUBDISTRICT] for c, s in declared.communities.items()]
    unplaced = [c for c, s in declared.communities.items() if not s]
    detail = (
        f"没有区域清单，按清单中写到的名称建立：{len(subdistricts)} 个街道（{_listing(subdistricts)}），"
        f"{len(declared.communities)} 个社区（{_listing(list(declared.communities))}）"
    )
    if unplaced:
        detail += (
            f"；其中 {len(unplaced)} 个社区没有写明所属街道，暂归入“{PLACEHOLDER_SUBDISTRICT}”——"
            "请在整改清单加“所属街道”列、按街道分工作表（工作表名写街道名称），或提供区域清单"
        )
    problem = Problem("areas-declared", file, detail=detail)
    return _part(AREAS, file, rows, ["id", "name", "level", "parent"]), problem


def declare_units(declared: Declared, file: str) -> tuple[RawPart, Problem]:
    """The units the projects name, as one list."""
    rows = [[u, u] for u in declared.units]
    detail = (
        f"没有责任单位清单，按整改清单中写到的 {len(declared.units)} 个单位建立（{_listing(declared.units)}）；"
        "同一单位请写同一个名称"
    )
    return _part(UNITS, file, rows, ["id", "name"]), Problem("units-declared", file, detail=detail)
