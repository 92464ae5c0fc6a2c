"""Page kinds are declarations (generator/pages): what each view reads is declared, the
declaration is checked against the reads the view really makes, page digests come from
it, and a new kind is a few lines that build, digest and rebuild like the built-in ones."""

from __future__ import annotations

import dataclasses
import json
import shutil
from dataclasses import dataclass

import pytest
from support import MINI, ROOT, set_cell

from generator import codeversion
from generator.ingest import prepare as pipeline
from generator.output.folder import MANIFEST
from generator.site import render
from generator.site.pages import PageKind, PageKinds, default_kinds, project
from generator.site.pages import community as community_kind
from generator.site.pages import unit as unit_kind
from generator.site.pages.verify import bulk_mismatches, undeclared_reads
from generator.site.views import Page, ViewBuilder


@pytest.fixture(scope="module", params=[ROOT / "data", MINI], ids=["demo", "mini"])
def prepared(request) -> pipeline.Prepared:
    return pipeline.prepare(request.param)


def builder(prepared: pipeline.Prepared) -> ViewBuilder:
    return ViewBuilder(prepared.dataset, prepared.aggregates)


def test_every_view_reads_only_what_its_kind_declares(prepared):
    kinds = PageKinds(default_kinds())
    assert undeclared_reads(kinds, prepared.dataset, prepared.aggregates) == []


def test_an_undeclared_read_is_found(prepared):
    """A view that starts reading something new fails the check above: an entity its
    kind does not declare, or the dataset read directly (bypassing the accessors)."""
    forgetful = dataclasses.replace(community_kind.KIND, reads=lambda b, a: community_kind.reads(b, a)[:-1])
    pid = next(iter(prepared.dataset.projects))
    sneaky = dataclasses.replace(unit_kind.KIND, build=lambda b, a: (b.ds.results.get(pid), unit_kind.build(b, a))[1])
    swap = {"community": forgetful, "unit": sneaky}
    kinds = PageKinds(swap.get(k.name, k) for k in default_kinds())
    found = undeclared_reads(kinds, prepared.dataset, prepared.aggregates)
    ds = prepared.dataset
    communities = {a.id for a in ds.level("community")}
    paired = {(c, u.id) for u in ds.units.values() for c in u.paired_communities if c in communities}
    assert paired
    assert {(spec[1][0], key) for spec, what, key in found if what == "unit"} == paired
    assert {spec[1][0] for spec, what, key in found if what == "table results" and key == pid} == set(ds.units)
    assert {what for _, what, _ in found} == {"unit", "table results"}


def test_bulk_digests_equal_the_declared_reads(prepared):
    kinds = PageKinds(default_kinds())
    assert bulk_mismatches(kinds, builder(prepared)) == []

    # ... and the comparison sees a difference: here reads that leave the units out (every
    # project reads its lead unit, for the speak-up block's hotline, and its partners).
    def no_partners(b, args):
        return [(kind, () if kind == "unit" else keys) for kind, keys in project.reads(b, args)]

    partial = PageKinds(
        dataclasses.replace(k, reads=no_partners) if k.name == "project" else k for k in default_kinds()
    )
    with_partners = {(p,) for p in prepared.dataset.projects}
    assert {args for _, args in bulk_mismatches(partial, builder(prepared))} == with_partners


def test_kinds_are_data_given_to_the_build():
    kinds = default_kinds()
    assert isinstance(kinds, tuple) and default_kinds() == kinds
    assert [k.name for k in kinds] == [
        "home",
        "units_index",
        "subdistricts_index",
        "communities_index",
        "finder_data",
        "subdistrict",
        "community",
        "unit",
        "project",
        "list_page",
        "supervision",
        "compare",
        "month",
        "month_list",
        "records",
        "release",
        "api",
        "embed_community",
        "embed_subdistrict",
        "embed_unit",
        "embed_list",
        "print_community",
        "lookup",
        "demand_ranges_index",
        "demand_range",
        "search",
    ]
    with pytest.raises(ValueError):
        PageKinds((*kinds, kinds[0]))


def test_code_digest_covers_every_module_of_the_package(tmp_path):
    copy = tmp_path / "generator"
    shutil.copytree(codeversion.PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__"))
    before = codeversion.code_digest(copy)
    assert before == codeversion.code_digest(codeversion.PACKAGE)
    for name in ("slug.py", "site/pages/project.py"):
        path = copy / name
        original = path.read_bytes()
        path.write_bytes(original + b"\n# edited\n")
        assert codeversion.code_digest(copy) != before, name
        path.write_bytes(original)
    (copy / "site" / "pages" / "extra.py").write_text("X = 1\n", encoding="utf-8")
    assert codeversion.code_digest(copy) != before
    # Page digests and the prepare cache use this one digest.
    assert render.code_digest is codeversion.code_digest is pipeline.code_digest


def test_the_prepare_cache_version_follows_the_code_digest(monkeypatch):
    before = pipeline._code_version()
    monkeypatch.setattr(pipeline, "code_digest", lambda: "another package")
    assert pipeline._code_version() != before


# ---------------------------------------------------------------- a new page kind


@dataclass(frozen=True)
class BoardPage(Page):
    titles: tuple[str, ...]


def board_kind(built: list) -> PageKind:
    """A throwaway kind: per unit, the titles of the projects it leads."""

    def build(b: ViewBuilder, args: tuple) -> BoardPage:
        built.append(args)
        (uid,) = args
        lead = [p for p in b.unit_projects(uid) if b.project(p).lead_unit == uid]
        url = f"boards/{uid.lower()}/"
        return BoardPage(url, b.unit(uid).name, (), "board.html", tuple(b.project_row(p).title for p in lead))

    return PageKind(
        name="board",
        url=lambda args: f"boards/{args[0].lower()}/",
        template="board.html",
        pages=lambda b: [(u,) for u in b.unit_ids()],
        build=build,
        reads=lambda b, args: [("unit", args), ("project", b.unit_projects(args[0]))],
    )


def test_a_new_page_kind_is_built_digested_and_rebuilt_only_when_its_reads_change(mini, tmp_path):
    from pelican import Pelican

    from generator.build import pelican_settings

    theme = tmp_path / "theme"
    shutil.copytree(ROOT / "theme", theme)
    (theme / "templates" / "board.html").write_text(
        "<h1>{{ page.title }}</h1>{% for t in page.titles %}<p>{{ t }}</p>{% endfor %}\n", encoding="utf-8"
    )
    built: list = []
    kind = board_kind(built)
    out = tmp_path / "out"

    def build_site() -> None:
        settings = pelican_settings(out, None)
        settings.update(THEME=str(theme), GONGSHI_DATA=str(mini), GONGSHI_PAGE_KINDS=(*default_kinds(), kind))
        Pelican(settings).run()

    build_site()
    assert sorted(built) == [("U1",), ("U2",), ("U3",)]
    page = (out / "boards/u1/index.html").read_text(encoding="utf-8")
    assert "桂香社区楼道灯改造" in page and "社区健身器材更新" in page and "农家书屋建设" not in page
    manifest = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["pages"]
    assert {"boards/u1/", "boards/u2/", "boards/u3/"} <= manifest.keys()
    # The undeclared-read check covers the new kind too.
    prepared = pipeline.prepare(mini)
    assert undeclared_reads(PageKinds([kind]), prepared.dataset, prepared.aggregates) == []

    built.clear()
    set_cell(mini / "projects.csv", 4, "项目名称", "农家书屋扩建")  # P3, led by U2
    build_site()
    assert built == [("U2",)]
    assert "农家书屋扩建" in (out / "boards/u2/index.html").read_text(encoding="utf-8")

    built.clear()
    set_cell(mini / "demands.csv", 3, "需求内容", "小区门口积水（已核实）")  # D002
    build_site()
    assert built == []  # no board shows a demand
    assert sorted(json.loads((out / MANIFEST).read_text(encoding="utf-8"))["pages"]) == sorted(manifest)


def test_the_manifest_digests_pages_as_digest_pages_does(prepared):
    """The manifest's inlined loop and EntityHashes.digest_pages (used by the checks and
    by bulk forms) give every page the same digest."""
    from generator.site.digests import EntityHashes

    b = builder(prepared)
    plain = PageKinds(default_kinds())

    def bulk(kind: PageKind):
        return lambda h, b, pages: h.digest_pages(kind.reads(b, args) for args in pages)

    arrays = PageKinds(
        dataclasses.replace(k, bulk_reads=bulk(k)) if k.reads is not None else k for k in default_kinds()
    )
    specs = plain.specs(b)
    h = EntityHashes(b)
    assert h.manifest(b, plain, specs, [""] * len(specs)) == h.manifest(b, arrays, specs, [""] * len(specs))
