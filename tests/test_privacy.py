"""Masking, the output scanner and formula neutralisation."""

from __future__ import annotations

import csv
import io
import shutil

import pytest
from support import ROOT, set_cell

from generator.cli import main
from generator.exports.downloads import neutralise
from generator.ingest import prepare as pipeline
from generator.privacy.mask import mask_text, scan_bytes


@pytest.mark.parametrize(
    ("text", "masked", "kind"),
    [
        ("请回电13812345678", "请回电138****5678", "mobile"),
        ("电话 138-1234-5678。", "电话 138****5678。", "mobile"),
        ("座机0813-2345678", "座机0813-****5678", "landline"),
        ("身份证11010519491231002X", "身份证1****************X", "id_number"),
        ("卡号6222020200112233446", "卡号***************3446", "bank_card"),
        ("邮箱 zhangsan@example.com", "邮箱 z***@example.com", "email"),
        ("2026年3月5日完成120盏灯", "2026年3月5日完成120盏灯", None),
    ],
)
def test_masking(text, masked, kind):
    out, hits = mask_text(text)
    assert out == masked
    assert [h.kind for h in hits] == ([kind] if kind else [])


def test_resident_name_from_the_same_row_is_masked():
    out, _ = mask_text("王小红反映楼道灯坏了，王小红家在三楼", ("王小红",))
    assert out == "王**反映楼道灯坏了，王**家在三楼"


def test_scanner_finds_what_masking_would_have_caught():
    kinds = {k for k, _ in scan_bytes(b"13812345678 11010519491231002X a.b@example.org")}
    assert kinds == {"mobile", "id_number", "email"}
    assert scan_bytes(b"138****5678 2026-11-15 P00012 51030202000001") == []


def test_a_phone_in_a_leader_cell_is_masked_and_reported(mini):
    set_cell(mini / "projects.csv", 2, "领办人", "王建国 13987654321")
    prepared = pipeline.prepare(mini)
    assert prepared.dataset.projects["P1"].leader == "王建国 139****4321"
    assert ("data/projects.csv", 2, "领办人") in {
        (p.file, p.row, p.column) for p in prepared.report.problems if p.code == "pii-masked"
    }


def test_personal_data_in_content_fails_the_build(tmp_path, mini, capsys):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    conf = tmp_path / "pelicanconf.py"
    conf.write_text(
        (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
        + f"\nPATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out), "--settings", str(conf)]) == 0
    before = (out / "index.html").read_bytes()
    news = content / "news" / "2026-11-ratings.md"
    news.write_text(
        news.read_text(encoding="utf-8") + "\n如有疑问请联系居民张某，电话13987654321。\n", encoding="utf-8"
    )
    assert main(["build", "--data", str(mini), "--output", str(out), "--settings", str(conf)]) == 1
    err = capsys.readouterr().err
    assert "个人信息" in err and "news/november-ratings/index.html" in err
    assert (out / "index.html").read_bytes() == before
    assert not any(
        "13987654321" in p.read_text(encoding="utf-8", errors="ignore") for p in out.rglob("*") if p.is_file()
    )


@pytest.mark.parametrize("cell", ["=1+1", "+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)", '=HYPERLINK("x")', "＝1"])
def test_formulas_are_neutralised(cell):
    assert neutralise(cell).startswith("'")


def test_downloads_carry_no_formula_and_no_private_column(tmp_path, mini):
    set_cell(mini / "projects.csv", 2, "主要举措", '=HYPERLINK("http://evil","点我")')
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    text = (out / "downloads/projects.csv").read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert all(not c.startswith(("=", "+", "-", "@")) for r in rows for c in r)
    demands = (out / "downloads/demands.csv").read_text(encoding="utf-8-sig")
    header = next(csv.reader(io.StringIO(demands)))
    assert "群众姓名" not in header and "联系电话" not in header and "详细地址" not in header


def test_markdown_content_is_sanitised(tmp_path, mini):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "news" / "evil.md").write_text(
        "Title: 测试\nDate: 2026-11-01\nSlug: evil\n\n正文<script>alert(1)</script>"
        '<img src="x" onerror="alert(2)"> [链接](javascript:alert(3)) <b>粗体</b>\n',
        encoding="utf-8",
    )
    conf = tmp_path / "pelicanconf.py"
    conf.write_text((ROOT / "pelicanconf.py").read_text(encoding="utf-8")
                    + f"\nPATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n", encoding="utf-8")
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out), "--settings", str(conf)]) == 0
    from bs4 import BeautifulSoup

    doc = BeautifulSoup((out / "news/evil/index.html").read_text(encoding="utf-8"), "html.parser")
    main_el = doc.find("main")
    assert main_el.find("script") is None
    assert all(not a.startswith("on") for el in main_el.find_all(True) for a in el.attrs)
    assert all(not (a.get("href") or "").startswith("javascript:") for a in main_el.find_all("a"))
    assert main_el.find("b").get_text() == "粗体"


def test_a_data_page_carrying_personal_data_fails_the_build(tmp_path, mini, monkeypatch, capsys):
    """The renderer scans every page it renders before writing it: with masking switched
    off, a phone in a leader cell reaches the project page, and the build must stop."""
    out = tmp_path / "output"
    assert main(["build", "--data", str(mini), "--output", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    monkeypatch.setattr("generator.privacy.mask.mask_text", lambda text, names=(), allowed=(): (text, []))
    set_cell(mini / "projects.csv", 2, "领办人", "王建国 13987654321")
    assert main(["build", "--data", str(mini), "--output", str(out), "--jobs", "1"]) == 1
    err = capsys.readouterr().err
    # The stop names the input cell, shows the value masked, and the pages it reached.
    assert "data/projects.csv，第 2 行，“领办人”列" in err and "139****4321" in err
    assert "13987654321" not in err and "index.html" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
