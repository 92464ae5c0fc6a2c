"""Labels drift: the schema is the only source of column, value and setting labels.

Pages (templates), downloads (CSV headers, the data description) and the UI catalog must
all say what schema.py says; a template that names a label that does not exist would
render an empty string without any error, so every lookup is resolved here.
"""

from __future__ import annotations

import csv
import dataclasses
import io
import json
from pathlib import Path

import pytest
from jinja2 import Environment, nodes
from support import MINI, ROOT

from generator.catalog import ZH
from generator.cli import main
from generator.exports import opendata
from generator.ingest import prepare as pipeline
from generator.schema import (
    DEMANDS,
    ENUMERATIONS,
    LABELS,
    PROJECTS,
    RATING_3,
    RATING_5,
    RESULTS,
    SETTINGS,
    STRING,
    TABLES,
    Column,
    Labels,
)
from generator.site.views import url_for

TEMPLATES = ROOT / "theme" / "templates"


def _column_names() -> set[str]:
    return {c.name for t in TABLES for c in (*t.columns, *t.derived)}


def test_catalog_names_no_column_setting_or_value():
    clash = set(ZH) & (_column_names() | {s.name for s in SETTINGS})
    assert not clash, f"catalog keys that name a schema column or setting (use labels.*): {sorted(clash)}"
    values = {c.key for e in ENUMERATIONS for c in e.choices}
    assert not set(ZH) & values, "a catalog key names an enumerated value (use labels.values.*)"


def test_catalog_repeats_no_label():
    labels = {c.label for t in TABLES for c in (*t.columns, *t.derived)}
    labels |= {c.label for e in ENUMERATIONS for c in e.choices} | {s.label for s in SETTINGS}
    repeated = {k: v for k, v in ZH.items() if v in labels}
    assert not repeated, f"catalog strings that repeat a schema label: {repeated}"


def test_labels_namespace_is_the_schema():
    for t in TABLES:
        for c in (*t.columns, *t.derived):
            assert getattr(getattr(LABELS, t.name), c.name) == c.label
        names = [c.name for c in (*t.columns, *t.derived)]
        assert len(names) == len(set(names)), f"{t.name}: a derived column repeats a column name"
    for e in ENUMERATIONS:
        for ch in e.choices:
            assert getattr(getattr(LABELS.values, e.name), ch.key) == ch.label
    for s in SETTINGS:
        assert getattr(LABELS.settings, s.name) == s.label
    # Both rating scales share the value labels they have in common (one "rating" namespace).
    five = {c.key: c.label for c in RATING_5.choices}
    assert all(five[c.key] == c.label for c in RATING_3.choices)


# ---------------------------------------------------------------- templates


def _resolve_path(node: nodes.Node, scope: dict[str, object]) -> object | None:
    """The object a ``labels.a.b`` / ``t.a`` / alias expression stands for, None if another name."""
    if isinstance(node, nodes.Name):
        if node.name == "labels":
            return LABELS
        if node.name == "t":
            return dict(ZH)
        return scope.get(node.name)
    if isinstance(node, nodes.Getattr):
        base = _resolve_path(node.node, scope)
        if base is None:
            return None
        if isinstance(base, dict):
            if node.attr not in base:
                raise LookupError(f"t.{node.attr}")
            return base[node.attr]
        if isinstance(base, Labels):
            if node.attr not in vars(base):
                raise LookupError(f"labels …{node.attr}")
            return getattr(base, node.attr)
        if isinstance(base, str):
            return None  # t.page.format(...)
        return None
    return None


def _check_scope(body: list[nodes.Node], errors: list[str], where: str) -> None:
    """Resolve every labels/t lookup of a template body or a macro (aliases such as
    ``{% set c = labels.projects %}`` are followed within their macro)."""
    scope: dict[str, object] = {}
    macros = []
    stack = list(body)
    seen: list[nodes.Node] = []
    while stack:
        node = stack.pop(0)
        if isinstance(node, nodes.Macro):
            macros.append(node)
            continue
        seen.append(node)
        if isinstance(node, nodes.For):
            bound = [n.name for n in node.target.find_all(nodes.Name)]
            errors += [f"{where}: loop variable {n} hides a labels alias" for n in bound if n in scope]
        for assign in [node] if isinstance(node, nodes.Assign) else []:
            targets = assign.target.items if isinstance(assign.target, nodes.Tuple) else [assign.target]
            values = assign.node.items if isinstance(assign.node, nodes.Tuple) else [assign.node]
            for target, value in zip(targets, values, strict=True):
                try:
                    resolved = _resolve_path(value, scope)
                except LookupError:
                    resolved = None
                if isinstance(target, nodes.Name) and isinstance(resolved, Labels):
                    scope[target.name] = resolved
        stack[0:0] = [n for n in node.iter_child_nodes() if not isinstance(n, nodes.Macro)]
        macros += [n for n in node.iter_child_nodes() if isinstance(n, nodes.Macro)]
    for node in seen:
        if isinstance(node, nodes.Getattr):
            try:
                _resolve_path(node, scope)
            except LookupError as exc:
                errors.append(f"{where}: {exc}")
    for m in macros:
        _check_scope(m.body, errors, f"{where} macro {m.name}")


def test_every_template_label_exists():
    env = Environment()
    errors: list[str] = []
    for path in sorted(TEMPLATES.glob("*.html")):
        tree = env.parse(path.read_text(encoding="utf-8"))
        _check_scope(tree.body, errors, path.name)
    assert not errors, "templates name labels that do not exist (they would render empty):\n" + "\n".join(errors)


def test_template_check_catches_a_typo():
    env = Environment()
    errors: list[str] = []
    tree = env.parse("{% macro m() %}{% set c = labels.projects %}{{ c.deadlin }}{{ t.channel }}{% endmacro %}")
    _check_scope(tree.body, errors, "x")
    assert len(errors) == 2


# ---------------------------------------------------------------- built pages and downloads


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("labels") / "output"
    assert main(["build", "--data", str(MINI), "--output", str(out)]) == 0
    return out


def _page(site: Path, url: str) -> str:
    return (site / url / "index.html").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("url", "table", "shown"),
    [
        ("lists/demands", DEMANDS, ("summary", "community", "received", "channel", "category", "stage", "project")),
        ("lists/projects", PROJECTS, ("title", "status", "communities", "lead_unit", "leader", "deadline", "progress")),
        ("lists/results", RESULTS, ("completed", "signed_off", "outcome")),
    ],
)
def test_list_headers_are_schema_labels(site, url, table, shown):
    html = _page(site, url)
    for name in shown:
        label = table.column(name).label
        assert f'<th scope="col">{label}</th>' in html, (url, name, label)


def test_project_page_facts_are_schema_labels(site):
    html = _page(site, "projects/p1")
    for name in ("communities", "lead_unit", "partner_units", "leader", "category", "handling", "start", "deadline"):
        assert f"<dt>{PROJECTS.column(name).label}</dt>" in html, name
    assert f"<dt>{RESULTS.column('completed').label}</dt>" in html
    assert f"{LABELS.settings.as_of}：" in html


@pytest.mark.parametrize("name", opendata.ALL_LISTS)
def test_download_headers_are_schema_labels(site, name):
    ds = pipeline.prepare(MINI, use_cache=False).dataset
    columns = opendata.export_columns(opendata.tables(ds)[name])
    assert {c.name for c in columns} >= {c.name for c in opendata.tables(ds)[name].published_columns}
    text = (site / "api" / "v1" / f"{name}.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(text)))
    assert header == [c.label for c in columns]
    package = json.loads((site / "api" / "v1" / "datapackage.json").read_text(encoding="utf-8"))
    (resource,) = [r for r in package["resources"] if r["name"] == name]
    fields = resource["schema"]["fields"]
    assert [(f["jsonKey"], f["name"], f["title"]) for f in fields] == [(c.name, c.label, c.label) for c in columns]
    rows = json.loads((site / "api" / "v1" / f"{name}.json").read_text(encoding="utf-8"))["rows"]
    assert list(rows[0]) == [c.name for c in columns]


def test_names_stand_beside_their_codes():
    for name, table in opendata.tables(pipeline.prepare(MINI, use_cache=False).dataset).items():
        columns = [c.name for c in opendata.export_columns(table)]
        for c in table.derived:
            if c.names:
                assert columns.index(c.name) == columns.index(c.names) + 1, (name, c.name)


def test_light_labels_on_pages_and_downloads_agree(site):
    text = (site / "api" / "v1" / "projects.csv").read_text(encoding="utf-8-sig")
    lights = {row[PROJECTS.column("status_light").label] for row in csv.DictReader(io.StringIO(text))}
    assert lights - {""} <= {c.label for c in PROJECTS.column("status_light").enum.choices}
    html = _page(site, "lists/projects")
    for label in lights - {""}:
        assert f"</span>{label}</span>" in html


def test_a_derived_column_must_be_computed(monkeypatch):
    ds = pipeline.prepare(MINI, use_cache=False)
    extra = Column("checked_by", "核查人", STRING, derived=True)
    projects = dataclasses.replace(PROJECTS, derived=(*PROJECTS.derived, extra))
    real = opendata.tables
    monkeypatch.setattr(opendata, "tables", lambda d: {**real(d), "projects": projects})
    with pytest.raises(ValueError, match="checked_by"):
        opendata.downloads(ds.dataset, ds.aggregates, url_for)
