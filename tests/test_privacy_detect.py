"""The personal-data detector (generator/detect.py) and what is built on it: the masker,
the output scan, tracing a stop to its source, the prepare cache and the staff report."""

from __future__ import annotations

import csv
import io
import os
import shutil
import stat

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import MINI, ROOT, read_rows, write_rows

from generator import cli
from generator.ingest import prepare as pipeline
from generator.output.folder import Output
from generator.privacy import detect
from generator.privacy.detect import detect as find
from generator.privacy.mask import locate, mask_text, scan_bytes
from generator.problems import PrivacyLeak

# ---------------------------------------------------------------- numbers in every written form

SEPARATORS = [" ", "-", ".", "/", "–", "—", "－", "\u3000", "  ", " - "]
WIDE = str.maketrans("0123456789Xx", "０１２３４５６７８９Ｘｘ")
CN = dict(zip("0123456789", "零一二三四五六七八九", strict=True))
AROUND = ["联系", "电话：", "请拨打", "户主", "居民反映", "证件号码", "卡号", "，请回电", "说", "（已核实）", ""]
KEEPERS = ["2026年6月30日", "2026-06-30", "20260630", "12.5万元", "1200元", "85%", "P00001", "D000158", "120户"]
ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)


def _luhn_complete(body: str) -> str:
    for d in "0123456789":
        if detect.luhn_ok(body + d):
            return body + d
    raise AssertionError


@st.composite
def numbers(draw) -> tuple[str, str, list[list[int]]]:
    """(kind, normalised value, ways to split it into groups)."""
    kind = draw(st.sampled_from(["mobile", "landline", "id18", "id15", "card"]))
    digits = st.text("0123456789", min_size=1, max_size=1)
    if kind == "mobile":
        value = "1" + draw(st.sampled_from("3456789")) + "".join(draw(st.lists(digits, min_size=9, max_size=9)))
        return kind, value, [[11], [3, 4, 4], [4, 3, 4], [3, 8], [7, 4]]
    if kind == "landline":
        area = draw(st.sampled_from(["010", "021", "028", "0813", "0755", "0571"]))
        local = draw(st.sampled_from("2345678")) + "".join(draw(st.lists(digits, min_size=6, max_size=7)))
        n = len(area)
        return kind, area + local, [[n + len(local)], [n, len(local)], [n, len(local) - 4, 4]]
    if kind == "id18":
        year = draw(st.integers(1930, 2010))
        month, day = draw(st.integers(1, 12)), draw(st.integers(1, 28))
        body = f"{draw(st.sampled_from(['110105', '440304', '510107', '320102']))}{year}{month:02d}{day:02d}"
        body += "".join(draw(st.lists(digits, min_size=3, max_size=3)))
        check = "10X98765432"[sum(int(d) * w for d, w in zip(body, ID_WEIGHTS, strict=True)) % 11]
        return kind, body + check, [[18], [6, 8, 4], [6, 4, 4, 4], [4, 4, 4, 4, 2]]
    if kind == "id15":
        yy, month, day = draw(st.integers(30, 99)), draw(st.integers(1, 12)), draw(st.integers(1, 28))
        value = f"{draw(st.sampled_from(['110105', '440304']))}{yy}{month:02d}{day:02d}"
        value += "".join(draw(st.lists(digits, min_size=3, max_size=3)))
        return kind, value, [[15], [6, 6, 3]]
    length = draw(st.integers(16, 19))
    body = "62" + "".join(draw(st.lists(digits, min_size=length - 3, max_size=length - 3)))
    value = _luhn_complete(body)
    groups = [4] * (length // 4) + ([length % 4] if length % 4 else [])
    return "card", value, [[length], groups]


@st.composite
def written(draw) -> tuple[str, str, str, str, str]:
    """(text, the number as written, its normalised value, text before, text after)."""
    kind, value, splits = draw(numbers())
    sizes = draw(st.sampled_from(splits))
    groups, i = [], 0
    for n in sizes:
        groups.append(value[i : i + n])
        i += n
    if kind == "mobile" and draw(st.booleans()):
        groups.insert(0, draw(st.sampled_from(["86", "0086", "+86"])))
    sep = draw(st.sampled_from(SEPARATORS))
    number = sep.join(groups) if draw(st.booleans()) else "".join(groups)
    if kind == "landline" and len(groups) > 1 and draw(st.booleans()):
        number = f"({groups[0]}){draw(st.sampled_from(['', ' ']))}" + sep.join(groups[1:])
    styles = ["ascii", "wide", "mixed", "chinese"] if kind == "mobile" else ["ascii", "wide", "mixed"]
    style = draw(st.sampled_from(styles))
    if style == "wide":
        number = number.translate(WIDE)
    elif style == "mixed":
        number = "".join(c.translate(WIDE) if draw(st.booleans()) else c for c in number)
    elif style == "chinese" and not number.startswith("+"):
        number = "".join(CN.get(c, c) for c in number)
    before = draw(st.sampled_from(AROUND))
    after = draw(st.sampled_from(AROUND)) + "，" + draw(st.sampled_from(KEEPERS))
    normalised = value.upper()
    return before + number + after, number, normalised, before, after


@settings(max_examples=400, deadline=None)
@given(written())
def test_numbers_in_every_written_form_are_masked_and_nothing_else_changes(case):
    text, number, value, before, after = case
    out, hits = mask_text(text)
    assert hits, text
    assert out.startswith(before) and out.endswith(after), (text, out)
    middle = out[len(before) : len(out) - len(after)]
    assert "*" in middle
    digits = "".join(c for c in detect.normalise(middle)[0] if c.isdigit())
    assert value not in digits and number not in out
    # The scan agrees with the masker: it finds the number as written, never the mask.
    assert value in {v for _, v in scan_bytes(text.encode(), thorough=True)}, text
    if not any(c in number for c in CN.values()):  # data pages: numbers without Chinese numerals
        assert value in {v for _, v in scan_bytes(text.encode())}, text
    assert scan_bytes(out.encode(), thorough=True) == []
    assert find(out) == []


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.sampled_from([*KEEPERS, "幸福路与和平街交叉口", "3栋楼道灯", "2单元门口", "第3期"]), min_size=1, max_size=6
    ),
    st.sampled_from(["", " ", "，", "、", "至", "—"]),
)
def test_dates_money_ids_and_places_survive_in_any_combination(words, joiner):
    text = joiner.join(words)
    assert mask_text(text) == (text, []), text
    assert scan_bytes(text.encode(), thorough=True) == []


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(written(), min_size=25, max_size=25))
def test_no_generated_number_survives_in_any_output_file(tmp_path_factory, cases):
    """Generated numbers in the demand list: none in any file the build writes, the
    dates, money and ids beside them published unchanged."""
    root = tmp_path_factory.mktemp("build")
    data = root / "data"
    shutil.copytree(MINI, data)
    rows = read_rows(data / "demands.csv")
    for i, (text, *_) in enumerate(cases):
        rows.append([f"D{500 + i}", "C1", "2026-01-05", "走访", "微设施", text, "群众点单", "", "", "", "", ""])
    write_rows(data / "demands.csv", rows)
    out = root / "out"
    assert cli.main(["build", "--data", str(data), "--output", str(out), "--reports", str(root / "reports")]) == 0
    blobs = [p.read_bytes().decode("utf-8", "replace") for p in [*out.rglob("*"), *(root / "reports").rglob("*")]
             if p.is_file()]  # fmt: skip
    summaries = {d.summary for d in pipeline.prepare(data).dataset.demands}
    for _, number, value, before, after in cases:
        assert not any(number in b or value in b for b in blobs), number
        assert any(s.startswith(before) and s.endswith(after) for s in summaries)


# ---------------------------------------------------------------- the detector


def test_spans_are_original_spans_after_normalising():
    text = "电话：１３９－５７２４－６８１３，邮箱ａ＠ｅｘａｍｐｌｅ．ｃｏｍ"
    found = find(text)
    assert [text[f.start : f.end] for f in found] == ["１３９－５７２４－６８１３", "ａ＠ｅｘａｍｐｌｅ．ｃｏｍ"]
    assert [f.value for f in found] == ["13957246813", "a@example.com"]
    assert detect.apply(text, found) == "电话：139****6813，邮箱a***@example.com"


def test_a_character_that_normalises_to_several_keeps_the_map():
    text = "㈠联系１３９５７２４６８１３"  # ㈠ is "(一)" after NFKC: three characters for one
    (f,) = find(text)
    assert text[f.start : f.end] == "１３９５７２４６８１３"


@pytest.mark.parametrize(
    "text",
    ["0086 139****6813", "+86 139****6813", "138****5678", "0813-****5678", "1****************X",
     "1*************2", "***************0122", "z***@example.com", "**号*栋*单元***室", "微信：z***********",
     "QQ：1********", "张**"],
)  # fmt: skip
def test_masked_text_is_never_found_again(text):
    assert find(text) == []
    assert scan_bytes(text.encode(), thorough=True) == []


@pytest.mark.parametrize(
    ("cell", "names"),
    [("张三丰（户主）", ["张三丰"]), ("李 四", ["李四"]), ("王五、赵六", ["王五", "赵六"]), ("孙七(租户)", ["孙七"]),
     ("匿名", []), ("居民", []), ("王", []), ("欧阳娜娜", ["欧阳娜娜"]), ("买买提·艾力", ["买买提艾力"])],
)  # fmt: skip
def test_name_cells_are_normalised(cell, names):
    assert detect.resident_names(cell) == names


def test_the_contact_number_is_allowed_everywhere():
    allowed = detect.allowed_values("区委办公室 0813-7654321（工作日）")
    assert mask_text("咨询电话（0813）765 4321", (), allowed) == ("咨询电话（0813）765 4321", [])
    assert mask_text("咨询电话0813-7654322", (), allowed)[0] == "咨询电话0813-****4322"
    assert scan_bytes("咨询电话 0813-7654321".encode(), allowed) == []


# ---------------------------------------------------------------- tracing a stop


def test_locate_names_the_cell_and_masks_the_value():
    findings = [("projects/p1/index.html", "手机号", "13987654321"), ("units/u1/index.html", "手机号", "13987654321"),
                ("index.html", "身份证号", "11010519491231002X")]  # fmt: skip
    cells = [("data/projects.csv", 2, "领办人", "王建国 139-8765-4321"), ("data/projects.csv", 3, "领办人", "刘明"),
             ("content/news/a.md", 4, "", "居民张某，电话138****5678")]  # fmt: skip
    problems = locate(findings, cells)
    assert [(p.code, p.file, p.row, p.column, p.value) for p in problems] == [
        ("pii-in-output", "data/projects.csv", 2, "领办人", "139****4321"),
        ("pii-in-output", "index.html", None, "", "1****************X"),
    ]
    assert "projects/p1/index.html" in problems[0].detail
    message = str(PrivacyLeak(findings, problems))
    assert "data/projects.csv，第 2 行，“领办人”列" in message
    assert "13987654321" not in message and "11010519491231002X" not in message


def test_a_leak_in_a_content_page_names_the_line(tmp_path, mini, capsys):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    conf = tmp_path / "pelicanconf.py"
    conf.write_text((ROOT / "pelicanconf.py").read_text(encoding="utf-8")
                    + f"\nPATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n", encoding="utf-8")  # fmt: skip
    news = content / "news" / "2026-11-ratings.md"
    lines = news.read_text(encoding="utf-8").splitlines()
    leak = "居民住在幸福路18号3栋2单元301室，微信 zhangsan_88。"
    news.write_text("\n".join([*lines, "", leak]) + "\n", encoding="utf-8")
    where = f"content/news/2026-11-ratings.md，第 {len(lines) + 2} 行"
    # check predicts the stop, at the same line (check groups its problems by file) ...
    assert cli.main(["check", "--data", str(mini), "--settings", str(conf)]) == 1
    out = capsys.readouterr().out
    assert "== content/news/2026-11-ratings.md：" in out and f"第 {len(lines) + 2} 行" in out
    # ... and the build makes it.
    out = tmp_path / "output"
    assert cli.main(["build", "--data", str(mini), "--output", str(out), "--settings", str(conf)]) == 1
    err = capsys.readouterr().err
    assert where in err
    assert "**号*栋*单元***室" in err and "z**********" in err
    assert "zhangsan_88" not in err and "3栋2单元301室" not in err


# ---------------------------------------------------------------- cache and staff report


def test_the_prepare_cache_is_private_and_holds_no_masked_value(tmp_path, mini):
    rows = read_rows(mini / "demands.csv")
    rows[1][5] = "张三丰反映，电话139 5724 6813，住幸福路18号3栋2单元301室"
    write_rows(mini / "demands.csv", rows)
    cache = tmp_path / "cache"
    pipeline.prepare(mini, cache_dir=cache)
    folder = cache / pipeline.CACHE_FOLDER
    assert stat.S_IMODE(os.stat(folder).st_mode) == 0o700
    blob = b"".join(p.read_bytes() for p in folder.iterdir())
    for secret in ("张三丰", "139 5724 6813", "13957246813", "3栋2单元301室", "李四", "13812345678", "幸福路18号"):
        assert secret.encode() not in blob, secret
    # A second run from the cache publishes the same masked text.
    again = pipeline.prepare(mini, cache_dir=cache)
    assert again.cache.hits > 0
    assert again.dataset.demands[0].summary == "张**反映，电话139****6813，住幸福路**号*栋*单元***室"


def test_the_redaction_report_is_formula_neutralised(tmp_path, mini):
    rows = read_rows(mini / "demands.csv")
    rows[1][5] = '=HYPERLINK("http://evil","13957246813")'
    write_rows(mini / "demands.csv", rows)
    reports = tmp_path / "reports"
    assert cli.main(["build", "--data", str(mini), "--output", str(tmp_path / "out"), "--reports", str(reports)]) == 0
    text = (reports / "redactions.csv").read_text(encoding="utf-8-sig")
    cells = [c for r in csv.reader(io.StringIO(text)) for c in r]
    assert any("139****6813" in c for c in cells)
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells)


def test_check_and_build_agree_on_unmasked_columns(tmp_path, mini, capsys):
    rows = read_rows(mini / "units.csv")
    rows.append(["U13957246813", "区财政局", "政府部门", ""])  # a letter glued to it: an id, not a number
    rows[2][1] = "区民政局 13957246813"  # a unit's name is masked
    write_rows(mini / "units.csv", rows)
    areas = read_rows(mini / "areas.csv")
    areas[4][5] = "13957246813"  # residents: a number column, not masked
    write_rows(mini / "areas.csv", areas)
    report = pipeline.check(mini)
    stops = [(p.file, p.row, p.column) for p in report.errors]
    assert stops == [("data/areas.csv", 5, "residents")]
    assert cli.main(["build", "--data", str(mini), "--output", str(tmp_path / "out")]) == 1
    assert "residents" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_names_in_lines_appended_to_a_cached_file_are_masked_both_ways(tmp_path, mini):
    """A list that only grew is continued from its cache entry: a resident named in the
    new lines is masked in the old rows' text too, and the other way round."""
    rows = read_rows(mini / "feedback.csv")
    rows[3][3] = "吴九说不错"  # named before anyone wrote 吴九 in a name cell
    rows += [["P1", "2026-05-01", "满意", "很好", "是", "", ""]] * 3000  # big enough to be continued
    write_rows(mini / "feedback.csv", rows)
    cache = tmp_path / "cache"
    pipeline.prepare(mini, cache_dir=cache)
    with (mini / "feedback.csv").open("a", encoding="utf-8") as f:
        f.write("P1,2026-05-03,满意,孙七也说满意,是,吴九,\n")
    grown = pipeline.prepare(mini, cache_dir=cache)
    assert grown.cache.appended == 1
    full = pipeline.prepare(mini)
    comments = sorted(c.text for cs in grown.dataset.comments.values() for c in cs)
    assert comments == sorted(c.text for cs in full.dataset.comments.values() for c in cs)
    assert "吴*说不错" in comments and "孙*也说满意" in comments


@pytest.mark.parametrize(
    ("text", "published"),
    [("Tel13957246813", "Tel139****6813"), ("ID:110105194912310021", "ID:1****************1"),
     ("mobile 139 5724 6813", "mobile 139****6813"), ("XM13957246813", "XM13957246813"), ("P00001", "P00001"),
     ("WeChat: zhang_san1", "WeChat: z*********"), ("WEIXIN：abcdef1", "WEIXIN：a******")],
)  # fmt: skip
def test_digits_glued_to_letters_are_an_id_unless_the_letters_say_phone(text, published):
    assert mask_text(text)[0] == published


def test_a_name_from_another_file_is_stored_nowhere_beside_the_site(tmp_path, mini, _cache_home):
    """A resident named in one file of a list and written about in another file is masked
    across files after the per-file cache: the cache keeps that cell as its own file
    masked it, so it lives in the owner-only user cache, never in the output's folder."""
    rows = read_rows(mini / "demands.csv")
    header, first, rest = rows[0], rows[1], rows[2:]
    write_rows(mini / "demands.csv", [header, first])
    rest[0][5] = "楼上张三丰家漏水，影响到我家"  # 张三丰 is the resident of the first file's row
    write_rows(mini / "demands-2.csv", [header, *rest])
    out = tmp_path / "site" / "output"
    assert cli.main(["build", "--data", str(mini), "--output", str(out)]) == 0
    assert "张**家漏水" in (out / "downloads" / "demands.csv").read_text(encoding="utf-8-sig")
    beside = [p for p in (tmp_path / "site").rglob("*") if p.is_file() and "张三丰".encode() in p.read_bytes()]
    assert not beside
    cache = Output(out).cache
    assert cache.is_dir() and cache.is_relative_to(_cache_home)
    assert not cache.is_relative_to(out.parent)
    assert stat.S_IMODE(os.stat(_cache_home).st_mode) == 0o700
    # The build did cache that file (so the test is about the cache, not about no cache).
    assert any("张三丰".encode() in p.read_bytes() for p in cache.rglob("*.pkl"))
