"""Build the small fixture through real Pelican and assert on the parsed pages."""

from __future__ import annotations

import hashlib
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from support import MINI, set_cell, site_files

from generator.cli import main


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for name, data in site_files(root).items():
        h.update(name.encode())
        h.update(data)
    return h.hexdigest()


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    assert main(["build", "--data", str(MINI), "--output", str(out)]) == 0
    return out


PAGES = [
    "index.html",
    "subdistricts/s1/index.html",
    "subdistricts/s2/index.html",
    "communities/c1/index.html",
    "communities/c2/index.html",
    "communities/c3/index.html",
    *[f"projects/p{i}/index.html" for i in range(1, 6)],
    *[f"units/u{i}/index.html" for i in range(1, 4)],
    "units/index.html",
    "subdistricts/index.html",
    "lists/demands/index.html",
    "lists/demands/page/2/index.html",
    "lists/projects/index.html",
    "lists/projects/page/2/index.html",
    "lists/results/index.html",
    "pages/about/index.html",
    "pages/feedback/index.html",
    "news/index.html",
    "news/platform-launch/index.html",
]


def test_page_set(site):
    missing = [p for p in PAGES if not (site / p).is_file()]
    assert missing == []
    assert not (site / "lists/demands/page/3/index.html").exists()


def test_every_page_is_chinese_and_shows_the_as_of_date(site):
    for html in site.rglob("*.html"):
        doc = soup(html)
        assert doc.html["lang"] == "zh-CN", html
        times = [t["datetime"] for t in doc.find_all("time")]
        assert "2026-06-30" in times, f"no as-of date on {html}"
        assert len(doc.find_all("h1")) == 1, html


def test_every_internal_link_resolves(site):
    broken = []
    for html in site.rglob("*.html"):
        doc = soup(html)
        for tag, attr in (("a", "href"), ("link", "href"), ("script", "src"), ("img", "src")):
            for el in doc.find_all(tag):
                url = el.get(attr)
                if not url or urlsplit(url).scheme or url.startswith(("#", "mailto:")):
                    continue
                assert not url.startswith("/"), f"absolute path {url} in {html}"
                target = (html.parent / unquote(urlsplit(url).path)).resolve()
                if target.is_dir():
                    target = target / "index.html"
                if not target.exists():
                    broken.append((str(html.relative_to(site)), url))
    assert broken == []


def test_project_page_tells_the_whole_story(site):
    doc = soup(site / "projects/p1/index.html")
    text = doc.get_text(" ", strip=True)
    assert doc.h1.get_text(strip=True) == "桂香社区楼道灯改造"
    for fact in ("区住房和城乡建设局", "王建国（副局长）", "区城市管理局", "更换楼道灯120盏", "完成现场勘察",
                 "120盏楼道灯全部亮起", "灯很亮，谢谢"):
        assert fact in text, fact
    # 满意 2 + 基本满意 1 of 4 valid ratings (不了解 excluded): below the minimum sample of 5
    assert "样本不足" in text and "n=4" in text and "75.0%" not in text
    assert "有一盏还不太亮" in text  # public comment
    assert "13811112222" not in text  # masked phone in a public comment
    links = {a["href"] for a in doc.find_all("a")}
    assert "../../communities/c1/" in links and "../../units/u1/" in links


def test_overdue_project_is_flagged_red_with_words(site):
    doc = soup(site / "projects/p2/index.html")
    text = doc.get_text(" ", strip=True)
    assert "红灯" in text and "已超过完成时限 30 天" in text


def test_home_figures(site):
    doc = soup(site / "index.html")
    text = doc.get_text(" ", strip=True)
    # 5 ratings valid of 6 (one 不了解); 4 satisfied -> 80.0%
    assert "80.0%" in text
    tables = doc.find_all("table")
    assert any("东街道" in t.get_text() for t in tables)


def test_community_page_lists_projects_demands_and_units(site):
    doc = soup(site / "communities/c3/index.html")
    text = doc.get_text(" ", strip=True)
    for fact in ("农家书屋建设", "村口路灯安装", "村道占道经营", "属于市场监管职责，已转交", "区民政局", "西镇"):
        assert fact in text, fact


def test_private_data_never_published(site):
    for path in site.rglob("*"):
        if path.is_file():
            data = path.read_bytes().decode("utf-8", "ignore")
            for secret in ("13812345678", "13900001111", "张三丰", "幸福路18号", "孙七", "13700002222"):
                assert secret not in data, (secret, path)


def test_build_with_errors_writes_nothing(tmp_path, mini):
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    before = tree_digest(out)
    set_cell(mini / "projects.csv", 2, "状态", "差不多了")
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 1
    assert tree_digest(out) == before
    # Beside the output only the lock (kept so two builds always lock one file).
    assert {p.name for p in tmp_path.iterdir() if p.name.startswith(".output")} <= {".output.lock"}


def test_check_exit_codes(mini, capsys):
    assert main(["check", "--data", str(mini)]) == 0
    set_cell(mini / "demands.csv", 2, "收集日期", "昨天")
    assert main(["check", "--data", str(mini)]) == 1
    out = capsys.readouterr().out
    assert "== data/demands.csv：1 个错误" in out and "第 2 行，C 列“收集日期”" in out and "昨天" in out
    with pytest.raises(SystemExit) as exc:
        main(["nonsense"])
    assert exc.value.code == 2


def test_build_report_reconciles_rows(tmp_path, mini):
    rows = (mini / "projects.csv").read_text(encoding="utf-8").splitlines()
    rows.insert(2, ",,,,,,,,,,,,,")
    (mini / "projects.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    import json

    report = json.loads((tmp_path / "reports" / "build-report.json").read_text(encoding="utf-8"))
    for r in report["rows"]:
        assert r["read"] == r["published"] + r["excluded"], r
    projects = next(r for r in report["rows"] if r["list"] == "projects")
    assert projects == {"list": "projects", "read": 6, "published": 5, "excluded": 1}
    assert report["excluded"][0]["row"] == 3
