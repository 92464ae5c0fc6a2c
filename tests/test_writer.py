"""The page writer refuses paths outside the output folder and a page written twice,
and writes only bytes that differ from the live site."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.output.folder import SiteWriter, staged_files
from generator.problems import OutputError


@pytest.mark.parametrize("fresh", [False, True])
@pytest.mark.parametrize("url", ["../x.html", "/etc/passwd", "a/../../x/", "a//b/", "\\\\server\\x", "C:/x.html"])
def test_refuses_paths_outside_the_output(tmp_path, url, fresh):
    with pytest.raises(OutputError):
        SiteWriter(tmp_path / "out", fresh=fresh).write(url, "x")
    assert not (tmp_path / "x.html").exists()


@pytest.mark.parametrize("fresh", [False, True])
def test_refuses_a_page_written_twice(tmp_path, fresh):
    w = SiteWriter(tmp_path, fresh=fresh)
    w.write("projects/p1/", "a")
    with pytest.raises(OutputError):
        w.write("projects/p1/", "b")
    assert (tmp_path / "projects/p1/index.html").read_text() == "a"


@pytest.mark.parametrize("fresh", [False, True])
def test_refuses_a_page_pelican_already_wrote(tmp_path, fresh):
    w = SiteWriter(tmp_path, taken=frozenset({str(tmp_path.resolve() / "news/index.html")}), fresh=fresh)
    with pytest.raises(OutputError):
        w.write("news/", "x")


def test_writes_only_what_differs_from_the_live_site(tmp_path):
    live, staging = tmp_path / "live", tmp_path / "staging"
    SiteWriter(live).write("a/", "same")
    w = SiteWriter(staging, live=live)
    assert w.write("a/", "same") is False
    assert w.write("b/", "new") is True
    staged = staged_files(staging)
    assert sorted(staged) == ["b/index.html"]
    assert Path(staged["b/index.html"]).read_text() == "new"
    assert w.changed == 1


def test_staged_names_round_trip(tmp_path):
    live, staging = tmp_path / "live", tmp_path / "staging"
    live.mkdir()
    w = SiteWriter(staging, live=live)
    urls = ["", "a/b/", "lists/projects/page/2/", "downloads/projects.csv", "x%2F/"]
    for u in urls:
        w.write(u, u or "home")
    assert sorted(staged_files(staging)) == sorted(u + "index.html" if u == "" or u.endswith("/") else u for u in urls)


def test_a_fresh_folder_is_written_directly(tmp_path):
    w = SiteWriter(tmp_path / "new", fresh=True)
    assert w.write("", "home") and w.write("projects/p1/", "一") and w.write_bytes("downloads/a.csv", b"x")
    written = sorted(p.relative_to(tmp_path / "new").as_posix() for p in (tmp_path / "new").rglob("*") if p.is_file())
    assert written == ["downloads/a.csv", "index.html", "projects/p1/index.html"]  # no temporary files left
    assert (w.changed, w.changed_bytes) == (3, len("home") + len("一".encode()) + 1)
