"""The privacy corpus: personal data written the way people really write it.

Each ``tests/corpus/privacy-*`` folder is the mini data set's demand and feedback lists
(and, for some, its areas and settings) with many rows appended, one written form per
row. The rows are declared below with the exact text each must be published as, so a
test here checks every cell, and the corpus test (EXPECTED.yaml) checks the problems and
that no raw value reaches any file the build writes.

``python tests/test_privacy_corpus.py`` rewrites the folders from the tables below; a
test fails when a folder and its table disagree.
"""

from __future__ import annotations

import csv
import io
import re
import shutil
import sys
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))  # run as a script: see the docstring
from support import MINI, read_rows

from generator import cli
from generator.ingest import prepare as pipeline
from generator.privacy.detect import normalise

CORPUS = Path(__file__).resolve().parent / "corpus"
# Text around every value: a date, an amount, a percentage and an id in fixed positions,
# which must be published unchanged next to the mask.
AROUND = ("居民反映", "，2026年6月30日登记，预算12.5万元，已完成85%，见P1。")

# (written, published): one demand per row; published is the text as the site must show
# it, with AROUND around both.
SEPARATORS = [
    ("13957246813", "139****6813"),
    ("139-5724-6813", "139****6813"),
    ("139 5724 6813", "139****6813"),
    ("1395 724 6813", "139****6813"),
    ("139.5724.6813", "139****6813"),
    ("139/5724/6813", "139****6813"),
    ("139–5724–6813", "139****6813"),
    ("139—5724—6813", "139****6813"),
    ("139－5724－6813", "139****6813"),
    ("139\u30005724\u30006813", "139****6813"),
    ("１３９５７２４６８１３", "139****6813"),
    ("１３９－５７２４－６８１３", "139****6813"),
    ("１３９ ５７２４ ６８１３", "139****6813"),
    ("+86 139 5724 6813", "+86 139****6813"),
    ("+8613957246813", "+86139****6813"),
    ("+86-139-5724-6813", "+86-139****6813"),
    ("0086 13957246813", "0086 139****6813"),
    ("0086-139-5724-6813", "0086-139****6813"),
    ("008613957246813", "0086139****6813"),
    ("86-18600001234", "86-186****1234"),
    ("(+86)150 1234 5678", "(+86)150****5678"),
    ("＋８６ １５０ １２３４ ５６７８", "+86 150****5678"),
    ("18600001234", "186****1234"),
    ("186 0000 1234", "186****1234"),
    ("0813-2345678", "0813-****5678"),
    ("0813 2345678", "0813-****5678"),
    ("(0813)2345678", "0813-****5678"),
    ("（0813）2345678", "0813-****5678"),
    ("(0813) 234 5678", "0813-****5678"),
    ("０８１３－２３４５６７８", "0813-****5678"),
    ("010-12345678", "010-****5678"),
    ("010 1234 5678", "010-****5678"),
    ("02887654321", "028-****4321"),
    ("440304198507163723", "4****************3"),
    ("440304 19850716 3723", "4****************3"),
    ("440304-19850716-3723", "4****************3"),
    ("4403 0419 8507 1637 23", "4****************3"),
    ("11010519491231002X", "1****************X"),
    ("11010519491231002x", "1****************X"),
    ("110105 19491231 002X", "1****************X"),
    ("１１０１０５１９４９１２３１００２Ｘ", "1****************X"),
    ("510107197602034155", "5****************5"),
    ("6217001234567890122", "***************0122"),
    ("6217 0012 3456 7890 122", "***************0122"),
    ("6222 0202 0011 2233 446", "***************3446"),
    ("6222-0202-0011-2233-446", "***************3446"),
    ("６２１７ ００１２ ３４５６ ７８９０ １２２", "***************0122"),
]

OTHER_FORMS = [
    ("zhang.san＠example.com", "z***@example.com"),
    ("li_si@mail.example.cn", "l***@mail.example.cn"),
    ("ＷＡＮＧ＠ＥＸＡＭＰＬＥ．ＣＯＭ", "W***@EXAMPLE.COM"),
    ("110105491231002", "1*************2"),
    ("110105 491231 002", "1*************2"),
    ("４４０３０４８５０７１６３７２", "4*************2"),
    ("一三九五七二四六八一三", "139****6813"),
    ("幺三九五七二四六八一三", "139****6813"),
    ("一三九 五七二四 六八一三", "139****6813"),
    ("一三九-五七二四-六八一三", "139****6813"),
    ("一八六〇〇〇〇一二三四", "186****1234"),
    ("零八一三-二三四五六七八", "0813-****5678"),
    ("联系电话：2345678", "联系电话：***5678"),
    ("座机 8765 4321", "座机 ****4321"),
    ("Tel: 2345678", "Tel: ***5678"),
    ("微信：zhangsan_1988", "微信：z************"),
    ("微信号 wx_lisi2024", "微信号 w**********"),
    ("微信号是wangwu-88", "微信号是w********"),
    ("VX：zhaoliu99", "VX：z********"),
    ("vx: sunqi_2026", "vx: s*********"),
    ("加V信 zhouba777", "加V信 z********"),
    ("QQ：123456789", "QQ：1********"),
    ("QQ号 87654321", "QQ号 8*******"),
    ("qq 1234567890", "qq 1*********"),
    ("扣扣：55667788", "扣扣：5*******"),
    ("幸福路18号3栋2单元301室", "幸福路**号*栋*单元***室"),
    ("和平街5号2单元", "和平街*号*单元"),
    ("3栋2单元502室", "*栋*单元***室"),
    ("5号楼1单元201", "*号楼*单元***"),
    ("8幢3单元1102室", "*幢*单元****室"),
    ("三号楼二单元三零一室", "*号楼*单元***室"),
    ("2-1-502室", "*-*-***室"),
    ("1202室", "****室"),
    ("人民路22号4楼", "人民路**号*楼"),
    ("建设巷7号院3号楼", "建设巷*号院*号楼"),
]

# Kept as written: what a notice publishes on purpose (and what merely looks like a number).
KEPT = [
    "幸福路与和平街交叉口",
    "3栋楼道灯坏了",
    "2单元门口积水",
    "社区卫生服务站旁",
    "共120户、360人受益",
    "2026-06-30",
    "20260630",
    "2026.06.30至2026.09.30",
    "2026-06-30 2026-09-30",
    "12000元",
    "1200000元",
    "13000000000元",
    "12.5万元",
    "85%",
    "P00001",
    "D000158",
    "第3期第12批",
    "0086 139****6813",
    "138****5678",
    "0813-****5678",
    "1****************X",
    "***************0122",
    "z***@example.com",
    "**号*栋*单元***室",
    "微信群已建立",
    "QQ群",
    "办公室",
    "区委办公室 0813-7654321",
]
CONTACT = "区委办公室 0813-7654321（工作日 9:00–17:00）"

# Residents' names: (name cell as written, the text of the same row).
NAMES = [
    ("张三丰（户主）", "张三丰家楼道灯坏了"),
    ("李 四", "李四反映门口积水"),
    ("王五、赵六", "王五和赵六希望加装扶手"),
    ("欧阳娜娜", "欧阳娜娜建议增设座椅"),
    ("孙七(租户)", "孙七说张三丰和欧阳娜娜都同意"),  # names of other rows too
    ("匿名", "匿名反映，居民希望尽快处理"),  # a placeholder: 匿名 and 居民 stay
    ("居民", "居民代表提出，群众满意"),
    ("周八", "与李四、王五一起提出"),
    ("石林", "石林路口积水，石林本人反映"),  # a name inside a street's name stays
]
NAMES_PUBLISHED = [
    "张**家楼道灯坏了",
    "李*反映门口积水",
    "王*和赵*希望加装扶手",
    "欧***建议增设座椅",
    "孙*说张**和欧***都同意",
    "匿名反映，居民希望尽快处理",
    "居民代表提出，群众满意",
    "与李*、王*一起提出",
    "石林路口积水，石*本人反映",
]
# Feedback: (rater's name cell, comment) — comments naming residents of the demand list
# and raters of other rows.
FEEDBACK_NAMES = [
    ("吴九", "张三丰家的灯修好了"),
    ("郑十", "吴九说欧阳娜娜也满意"),
    ("", "感谢李四的帮助，居民都满意"),
]
FEEDBACK_PUBLISHED = ["张**家的灯修好了", "吴*说欧***也满意", "感谢李*的帮助，居民都满意"]

# Data the masker does not touch — an id, a number, a site setting — is an error in check.
UNMASKED_ID = "13957246813"

FOLDERS = ("privacy-separators", "privacy-other-forms", "privacy-names", "privacy-scan-vs-masker", "privacy-unmasked")


def _demand(n: int, text: str, name: str = "", reason: str = "") -> list[str]:
    stage = "不予采纳" if reason else "群众点单"
    return [f"D{n:03d}", "C1", "2026-01-05", "走访", "微设施", text, stage, reason, "", name, "", ""]


def _feedback(comment: str, name: str = "") -> list[str]:
    return ["P1", "2026-04-20", "满意", comment, "是", name, ""]


def corpus() -> dict[str, dict[str, list[list[str]]]]:
    """Every folder's files as rows (CSV files)."""
    demands = read_rows(MINI / "demands.csv")
    feedback = read_rows(MINI / "feedback.csv")
    out: dict[str, dict[str, list[list[str]]]] = {}
    for folder, cases in (("privacy-separators", SEPARATORS), ("privacy-other-forms", OTHER_FORMS)):
        rows = [_demand(100 + i, AROUND[0] + written + AROUND[1]) for i, (written, _) in enumerate(cases)]
        # The same values in a reason for declining and in public feedback comments.
        rows += [_demand(300, "不予采纳的需求", reason="请致电" + cases[0][0] + "了解")]
        fb = [_feedback(AROUND[0] + written + AROUND[1]) for written, _ in cases[::3]]
        out[folder] = {"demands.csv": demands + rows, "feedback.csv": feedback + fb}
    out["privacy-names"] = {
        "demands.csv": demands + [_demand(100 + i, text, name) for i, (name, text) in enumerate(NAMES)],
        "feedback.csv": feedback + [_feedback(text, name) for name, text in FEEDBACK_NAMES],
    }
    out["privacy-scan-vs-masker"] = {
        "demands.csv": demands + [_demand(100 + i, AROUND[0] + kept + AROUND[1]) for i, kept in enumerate(KEPT)],
        "feedback.csv": feedback + [_feedback("已回访，" + kept) for kept in KEPT[:8]],
    }
    areas = read_rows(MINI / "areas.csv")
    areas[-1][4] = UNMASKED_ID  # households: a number column, published as it is
    out["privacy-unmasked"] = {
        "demands.csv": [*demands, [UNMASKED_ID, *_demand(0, "楼道灯坏了")[1:]]],
        "areas.csv": areas,
    }
    return out


def settings_of(folder: str) -> str | None:
    site = (MINI / "site.yaml").read_text(encoding="utf-8")
    if folder == "privacy-scan-vs-masker":
        return site.replace("contact: 区委办公室", f"contact: {CONTACT}")
    if folder == "privacy-unmasked":
        return site.replace("organizer: 测试区委办公室", "organizer: 测试区委办公室 张三 13957246813")
    return None


def _csv(rows: list[list[str]]) -> str:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    return buf.getvalue()


def write(root: Path = CORPUS) -> None:
    for folder, files in corpus().items():
        target = root / folder
        if target.exists():
            shutil.rmtree(target)
        target.mkdir(parents=True)
        for name, rows in files.items():
            (target / name).write_text(_csv(rows), encoding="utf-8")
        site = settings_of(folder)
        if site is not None:
            (target / "site.yaml").write_text(site, encoding="utf-8")


def test_folders_match_the_tables(tmp_path):
    write(tmp_path)
    for folder in FOLDERS:
        made = {p.name: p.read_bytes() for p in (tmp_path / folder).iterdir()}
        committed = {p.name: p.read_bytes() for p in (CORPUS / folder).iterdir()}
        assert made == committed, f"{folder} is out of date: run python tests/test_privacy_corpus.py"


def test_every_privacy_folder_has_an_expected_outcome():
    spec = yaml.safe_load((CORPUS / "EXPECTED.yaml").read_text(encoding="utf-8"))
    declared = {a["id"]: a for a in spec["attacks"]}
    assert set(FOLDERS) <= set(declared)
    assert len(SEPARATORS) >= 40 and len(OTHER_FORMS) >= 30 and len(KEPT) >= 25


def _install(folder: str, data: Path) -> None:
    for entry in (CORPUS / folder).iterdir():
        shutil.copy2(entry, data / entry.name)


def _published(prepared, table: str) -> list[str]:
    ds = prepared.dataset
    if table == "demands":
        return [d.summary for d in ds.demands]
    return [c.text for cs in ds.comments.values() for c in cs]


def _raw_forms(written: str) -> set[str]:
    """A value as written, and the forms a leak would take: NFKC, digits only."""
    nfkc = unicodedata.normalize("NFKC", written)
    digits = "".join(c for c in normalise(written)[0] if c.isascii() and (c.isdigit() or c in "Xx"))
    return {written, nfkc} | ({digits} if len(digits) >= 7 else set())


def _leak(form: str) -> re.Pattern[str]:
    """A form as it would leak. A form of digits alone must stand alone: inside a longer
    run of digits (a file's mtime in nanoseconds in the build state, a hash) it is that
    other number. The build state's mtimes once held "2345678" by chance and failed CI."""
    if form.isascii() and form.rstrip("Xx").isdigit():
        return re.compile(rf"(?<![0-9]){re.escape(form)}(?![0-9])")
    return re.compile(re.escape(form))


def _written_text(out: Path, reports: Path) -> dict[str, str]:
    """Every file the build wrote, as text (workbooks and archives unpacked)."""
    texts = {}
    for root in (out, reports):
        for path in root.rglob("*"):
            if not path.is_file():
                continue
            if path.suffix in (".xlsx", ".zip"):
                with zipfile.ZipFile(path) as z:
                    texts[str(path)] = "\n".join(z.read(n).decode("utf-8", "replace") for n in z.namelist())
            else:
                texts[str(path)] = path.read_bytes().decode("utf-8", "replace")
    return texts


@pytest.mark.parametrize(
    ("folder", "cases"), [("privacy-separators", SEPARATORS), ("privacy-other-forms", OTHER_FORMS)]
)
def test_every_written_form_is_masked_in_place(folder, cases, mini, tmp_path):
    _install(folder, mini)
    prepared = pipeline.prepare(mini)
    summaries = _published(prepared, "demands")
    expected = [AROUND[0] + masked + AROUND[1] for _, masked in cases]
    assert summaries[6 : 6 + len(cases)] == expected
    comments = set(_published(prepared, "feedback"))
    assert {AROUND[0] + masked + AROUND[1] for _, masked in cases[::3]} <= comments
    out, reports = tmp_path / "out", tmp_path / "reports"
    assert cli.main(["build", "--data", str(mini), "--output", str(out), "--reports", str(reports)]) == 0
    texts = _written_text(out, reports)
    for written, _ in cases:
        for form in _raw_forms(written):
            found = _leak(form).search
            leaked = [p for p, t in texts.items() if found(t)]
            assert not leaked, f"{form!r} published in {leaked[:3]}"
    pages = "\n".join(t for p, t in texts.items() if p.endswith(".html"))
    for masked in {m for _, m in cases}:
        assert masked in pages


def test_names_are_masked_in_every_row_and_in_feedback(mini, tmp_path):
    _install("privacy-names", mini)
    prepared = pipeline.prepare(mini)
    assert _published(prepared, "demands")[6:] == NAMES_PUBLISHED
    assert set(FEEDBACK_PUBLISHED) <= set(_published(prepared, "feedback"))
    out, reports = tmp_path / "out", tmp_path / "reports"
    assert cli.main(["build", "--data", str(mini), "--output", str(out), "--reports", str(reports)]) == 0
    texts = _written_text(out, reports)
    for name in ("张三丰", "李四", "王五", "赵六", "欧阳娜娜", "孙七", "周八", "吴九", "郑十"):
        leaked = [p for p, t in texts.items() if name in t]
        assert not leaked, f"{name} published in {leaked[:3]}"


def test_what_is_kept_is_published_unchanged_and_nothing_stops(mini, tmp_path, capsys):
    _install("privacy-scan-vs-masker", mini)
    report = pipeline.check(mini)
    new = [p for p in report.problems if p.file.endswith("demands.csv") and p.row and p.row > 7]
    assert not new, [(p.row, p.code, p.detail) for p in new]
    prepared = pipeline.prepare(mini)
    assert _published(prepared, "demands")[6:] == [AROUND[0] + kept + AROUND[1] for kept in KEPT]
    out = tmp_path / "out"
    assert cli.main(["build", "--data", str(mini), "--output", str(out)]) == 0, capsys.readouterr().err
    # The office phone of the contact setting is on every page, and stops nothing.
    assert "0813-7654321" in (out / "index.html").read_text(encoding="utf-8")


def test_unmasked_columns_are_errors_in_check_with_their_location(mini):
    _install("privacy-unmasked", mini)
    report = pipeline.check(mini)
    found = {(p.file, p.row, p.column, p.value) for p in report.problems if p.code == "pii-in-output"}
    assert ("data/demands.csv", 8, "编号", "139****6813") in found
    assert ("data/areas.csv", 7, "households", "139****6813") in found
    assert ("data/site.yaml", 9, "organizer", "139****6813") in found
    assert all("13957246813" not in p.message() + p.value for p in report.problems if p.code == "pii-in-output")


if __name__ == "__main__":
    write()
    print("wrote", ", ".join(FOLDERS))
