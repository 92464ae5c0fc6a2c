"""The column-wise row hashes behind page digests (generator/digests.py).

A page is skipped when the hashes of what it shows did not change, so two different
contents must never hash alike in the ways real edits differ: a value's type, a masked
cell, the order of a project's progress entries, one more rating."""

from __future__ import annotations

import datetime as dt

import numpy as np

from generator.site.digests import group_hashes, row_hashes, value_hashes


def test_values_of_different_types_hash_apart():
    values = [1, "1", 1.0, None, "None", "", dt.date(2026, 1, 2), "2026-01-02", ("a",), "('a',)", True]
    hashes = value_hashes(values)
    assert len(set(hashes.tolist())) == len(values)
    assert value_hashes(values).tolist() == hashes.tolist()  # and the same on every run


def _table(**columns):
    typed, codes = {}, {}
    for name, cells in columns.items():
        distinct = list(dict.fromkeys(cells))
        typed[name] = np.array(distinct, dtype=object)
        codes[name] = np.array([distinct.index(c) for c in cells])
    return typed, codes


def test_row_hashes_follow_cells_and_masked_patches():
    typed, codes = _table(id=["a", "b", "c"], note=["x", "x", "y"])
    base = row_hashes(typed, codes, {})
    assert len(set(base.tolist())) == 3
    patched = row_hashes(typed, codes, {"note": {1: "x***"}})
    assert (patched != base).tolist() == [False, True, False]
    # Swapping two columns' values between rows changes both rows.
    typed2, codes2 = _table(id=["a", "b", "c"], note=["x", "y", "x"])
    assert (row_hashes(typed2, codes2, {}) != base).tolist() == [False, True, True]


def test_group_hashes_see_order_count_and_content():
    h = value_hashes(["r1", "r2", "r3"])
    groups = np.array([0, 0, 1])
    base = group_hashes(groups, h, 3)
    assert base[2] == 0 and base[0] != base[1]
    assert group_hashes(np.array([0, 0, 1]), h[[1, 0, 2]], 3)[0] != base[0]  # order within a group
    assert group_hashes(np.array([0, -1, 1]), h, 3)[0] != base[0]  # one row fewer
    assert group_hashes(np.array([0, 0, 1, 0]), value_hashes(["r1", "r2", "r3", "r1"]), 3)[0] != base[0]
    assert group_hashes(np.array([0, 0, 1]), value_hashes(["r1", "r2", "r4"]), 3)[1] != base[1]
    assert group_hashes(np.array([0, 0, -1]), h, 3)[1] == 0  # rows of no group are left out


# -- page digests from declared reads (EntityHashes)


def _hashes():
    from support import MINI

    from generator.ingest import prepare as pipeline
    from generator.site.digests import EntityHashes
    from generator.site.views import ViewBuilder

    prepared = pipeline.prepare(MINI)
    return EntityHashes(ViewBuilder(prepared.dataset, prepared.aggregates))


def test_page_digests_follow_groups_order_and_missing_keys():
    h = _hashes()
    pids = sorted(h.tables["project"])[:3]

    def one(*reads):
        return int(h.digest_pages([list(reads)])[0])

    base = one(("project", pids[:2]), ("project", pids[2:]))
    assert one(("project", pids[:1]), ("project", pids[1:])) != base  # moved to the next group
    assert one(("project", pids[2:]), ("project", pids[:2])) != base  # groups in another order
    assert one(("project", pids[1::-1]), ("project", pids[2:])) != base  # keys in another order
    assert one(("area", pids[:2]), ("project", pids[2:])) != base  # same keys, another kind
    assert one(("project", pids[:2]), ("project", pids[2:])) == base
    # A key the table lacks hashes as None, unlike any entity.
    assert h.hashes("area", ["no such area"]) == [h.none] and h.none not in h.tables["area"].values()
    # "value" reads hash the values themselves.
    assert one(("value", [(3, 1)])) != one(("value", [(3, 2)]))
    assert h.tables["district"].keys() == {None}


def test_array_form_of_page_digests_equals_the_generic_one():
    """What a kind's bulk_reads builds with fixed_group, grouped and pages."""
    h = _hashes()
    pids = sorted(h.tables["project"])
    areas = sorted(h.tables["area"])
    pages = [
        [("project", [pids[0]]), ("area", areas[:2]), ("unit", [])],
        [("project", [pids[1]]), ("area", areas[2:4]), ("unit", sorted(h.tables["unit"])[:3])],
    ]
    rows, area, unit = h.tables["project"], h.tables["area"], h.tables["unit"]
    units = [(1, unit[u]) for u in sorted(unit)[:3]]
    bulk = h.pages(
        [
            h.fixed_group("project", np.array([rows[pids[0]], rows[pids[1]]], dtype=np.uint64)),
            h.fixed_group(
                "area",
                np.array([area[areas[0]], area[areas[2]]], dtype=np.uint64),
                np.array([area[areas[1]], area[areas[3]]], dtype=np.uint64),
            ),
            h.grouped("unit", np.array([n for n, _ in units]), np.array([x for _, x in units], dtype=np.uint64), 2),
        ]
    )
    assert bulk.tolist() == h.digest_pages(pages).tolist()
