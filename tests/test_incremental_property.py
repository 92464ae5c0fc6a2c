"""Property: after any sequence of edits, every incremental build equals a full build.

Hypothesis draws 2 to 5 mixed edits (tests/edits.py: statuses, progress, deadlines,
ratings and comments, deleted, added, moved and renumbered projects, renamed communities,
subdistricts and units, demands, results, reordered and emptied lists, site.yaml and
pelicanconf.py settings, templates, the stylesheet, Markdown pages, news added and
removed, reverts to an earlier state). After each edit the project is built incrementally
into one output folder and from scratch (``--full``) into another; the two must hold the
same files, byte for byte, ``.gongshi/`` included. A failure names the edits and the
files that differ. Most examples use the small fixture (a build takes ~0.3 s), a few the
demo data (~1 s, forked render workers); ``EVERY_EDIT`` makes sure each edit is tried.

Deterministic by default (derandomized, fixed example counts: it runs on every commit).
For a longer, random exploration (add ``--hypothesis-seed=N`` to repeat one):
``GONGSHI_PROPERTY_EXAMPLES=300 python -m pytest tests/test_incremental_property.py``."""

from __future__ import annotations

import gc
import importlib
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

import edits as e
import pytest
from edits import OPS, Op, Project
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from support import MINI, ROOT, site_files

from generator.cli import main

_LONG = int(os.environ.get("GONGSHI_PROPERTY_EXAMPLES", "0"))


def examples(n: int):
    return settings(
        max_examples=_LONG or n,
        deadline=None,
        derandomize=not _LONG,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def sequences(ops: tuple[Op, ...] = OPS):
    """2 to 5 edits, each with the number that picks its target and value."""
    return st.lists(st.tuples(st.sampled_from(ops), st.integers(0, 10_000)), min_size=2, max_size=5)


def files(root: Path) -> dict[str, bytes]:
    return site_files(root)  # every file, the build's record included (not its file times)


def forget_prepared() -> None:
    """``pipeline.forget()`` while it exists: the Build object replacing it keeps no state."""
    try:
        pipeline = importlib.import_module("generator.ingest.prepare")
    except ImportError:
        return
    forget = getattr(pipeline, "forget", None)
    if forget is not None:
        forget()


def build(project: Project, out: Path, *extra: str) -> None:
    forget_prepared()
    argv = ["build", "--data", str(project.data), "--output", str(out), "--settings", str(project.settings)]
    try:
        code = main([*argv, "--reports", str(out.parent / f"{out.name}-reports"), *extra])
    finally:
        # A build freezes what it prepared (gc.freeze: one build per process in the CLI);
        # a hundred builds in this process would keep every earlier one's garbage (1.7 MB
        # per mini build; 1.9 GB after 150 examples).
        gc.unfreeze()
        gc.collect()
    assert code == 0, f"build {' '.join(extra)} exited {code}\n{project.log()}"


def differences(incremental: dict[str, bytes], full: dict[str, bytes]) -> list[str]:
    out = [f"only in the incremental build: {k}" for k in sorted(incremental.keys() - full.keys())]
    out += [f"only in the full build: {k}" for k in sorted(full.keys() - incremental.keys())]
    out += [f"differs: {k}" for k in sorted(full.keys() & incremental.keys()) if full[k] != incremental[k]]
    return out


def check_sequence(
    project: Project, edits: list[tuple[Op, int]], work: Path, only: Callable[[str], bool] = lambda f: True
) -> None:
    """Apply the edits one by one; after each, incremental build == full build (of the
    files ``only`` accepts)."""
    live, full = work / "live", work / "full"
    build(project, live)
    for op, choice in edits:
        project.history.append(project.snapshot())
        project.steps.append(f"{op.__name__}({choice}): {op(project, choice)}")
        build(project, live)
        shutil.rmtree(full, ignore_errors=True)  # --full ignores (and empties) its cache
        build(project, full, "--full")
        diff = [d for d in differences(files(live), files(full)) if only(d.split(": ", 1)[1])]
        if diff:
            shown = "\n".join(diff[:40]) + (f"\n… and {len(diff) - 40} more" if len(diff) > 40 else "")
            pytest.fail(f"incremental build != full build after\n{project.log()}\n{shown}", pytrace=False)


def run(data: Path, edits: list[tuple[Op, int]], only: Callable[[str], bool] = lambda f: True) -> None:
    work = Path(tempfile.mkdtemp(prefix="gongshi-property-"))
    try:
        check_sequence(Project.create(data, work / "project"), edits, work, only)
    finally:
        shutil.rmtree(work, ignore_errors=True)


# Every edit at least once, whatever Hypothesis draws (the comments say what each does
# to the mini data).
EVERY_EDIT = (
    # P2 completed (and its result row added), a rating, the community that demand D002
    # names by name renamed, all that reverted, then a word in project.html.
    [(e.project_status, 51), (e.rating_added, 4), (e.community_renamed, 0), (e.revert, 0), (e.template_edit, 0)],
    # A Jinja option of pelicanconf.py, then a project's percentage.
    [(e.jinja_option, 0), (e.project_percentage, 3)],
    # P1 deleted with its rows, a new project, P2 moved to one community, a unit renamed, page_size 2.
    [(e.project_deleted, 0), (e.project_added, 1), (e.project_moves, 5), (e.unit_renamed, 2), (e.page_size, 0)],
    # A demand's stage and another's summary, as_of, news pagination 1, a news article
    # added, demands.csv saved as GB18030 with CRLF.
    [
        (e.demand_stage, 18),
        (e.demand_summary, 3),
        (e.as_of_date, 4),
        (e.pelican_setting, 1),
        (e.news_added, 2),
        (e.list_reencoded, 6),
    ],
    # A news title, a news article removed, the stylesheet, a progress report, a deadline.
    [(e.markdown_edit, 2), (e.news_removed, 1), (e.stylesheet_edit, 0), (e.progress_entry, 1), (e.project_deadline, 4)],
    # A percentage, a comment withdrawn, a word in _macros.html, back before the comment, a status.
    [(e.project_percentage, 7), (e.public_comment, 4), (e.template_edit, 1), (e.revert, 1), (e.project_status, 8)],
    # Subdistrict S1 renamed, C1's households, U3 paired with C2 and C1, D004 linked both
    # ways to P1, P1's sign-off date cleared.
    [(e.subdistrict_renamed, 0), (e.households, 2), (e.unit_pairing, 5), (e.demand_link, 3), (e.result_edit, 1)],
    # Five-level ratings, feedback reversed then emptied, back before the emptying, the portal's name.
    [(e.site_text, 4), (e.rows_reordered, 2), (e.list_emptied, 0), (e.revert, 1), (e.site_text, 2)],
    # C3 moves to subdistrict S1, P2 renumbered everywhere, projects.csv rotated, the
    # progress log emptied, news articles moved to articles/.
    [
        (e.community_reparented, 2),
        (e.project_renumbered, 1),
        (e.rows_reordered, 0),
        (e.list_emptied, 1),
        (e.pelican_setting, 5),
    ],
)


def explicit(cases):
    def decorate(test):
        for case in reversed(cases):
            test = example(edits=case)(test)
        return test

    return decorate


@examples(5)
@explicit(EVERY_EDIT)
@given(edits=sequences())
def test_mini_incremental_equals_full_after_random_edits(edits):
    run(MINI, edits)


@examples(1)
@example(  # the demo's own formats: areas.yaml, units.xlsx, a GB18030 progress log, a BOM
    edits=[
        (e.community_renamed, 0),
        (e.unit_renamed, 2),
        (e.project_deleted, 0),
        (e.progress_entry, 1),
        (e.project_status, 51),
    ],
)
@given(edits=sequences())
def test_demo_incremental_equals_full_after_random_edits(edits):
    run(ROOT / "data", edits)


# ---------------------------------------------------------------- found by this test
# Bugs it found, each reduced to its smallest case: a Jinja option changed in
# pelicanconf.py (lstrip_blocks) reached neither the page digests nor the bytecode cache.


def test_a_jinja_environment_option_reaches_every_data_page():
    run(MINI, [(e.jinja_option, 0)], only=lambda f: not f.startswith(("news/", "pages/", ".gongshi/")))


def test_a_jinja_environment_option_reaches_pelicans_own_pages():
    run(MINI, [(e.jinja_option, 0)], only=lambda f: f.startswith(("news/", "pages/")))


def test_every_edit_is_tried_whatever_hypothesis_draws():
    assert set(OPS) <= {op for case in EVERY_EDIT for op, _ in case}


@pytest.mark.parametrize("op", OPS, ids=lambda op: op.__name__)
def test_each_edit_changes_the_project(op, tmp_path):
    """No edit is silently a no-op: for some small choice it changes a source file."""
    project = Project.create(MINI, tmp_path / "project")
    if op is e.revert:  # something to undo: the state before an earlier edit, then that edit
        project.history.append(project.snapshot())
        e.project_added(project, 0)
        project.history.append(project.snapshot())
    before = project.snapshot()
    for choice in range(12):
        op(project, choice)
        if project.snapshot() != before:
            return
    pytest.fail(f"{op.__name__} changed nothing for choices 0–11")
