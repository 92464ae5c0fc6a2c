"""Keep residents' personal data out of every output.

Two layers: private columns are dropped before the model is built (they exist only so
staff can keep one ledger), and public free text is masked by public-notice conventions
(138****1234, first and last digit of an ID number, **号*栋*单元***室, the surname of a
resident). What counts as personal data is decided in one place, :mod:`detect`, for the
masker, the after-build scan (:func:`scan_bytes`, :func:`scan_output`) and ``check``;
:func:`locate` traces anything the scan finds back to the cell or content line it came from.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping, Sequence, Set
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from generator.ingest.load import clean_cell
from generator.privacy import detect
from generator.privacy.detect import KIND_LABELS, Finding, id_checksum_ok, luhn_ok, mask_name  # noqa: F401  (re-exported)
from generator.problems import PrivacyLeak, Problem
from generator.schema import (
    CONTACT,
    CONTACT_SETTINGS,
    INTEGER,
    NUMBER,
    PRIVATE,
    PUBLIC,
    STRING,
    TEXT,
    SiteSettings,
    Table,
)

# Cheap test before the detector: digits (ASCII or full-width) in a run long enough for a
# phone number, Chinese numerals in a row, @, the words before a WeChat, QQ or local phone
# number, a room (a number before 室, after 单元) or a house number before a building.
# A cell without any of them holds nothing to mask.
_SUSPECT = re.compile(
    "[0-9０-９](?:[\\s.\\-/()（）．－—–‐‑‒―−ー]{0,3}[0-9０-９]){9,}|[@＠]|[〇零一幺二两三四五六七八九]{3}"
    "|[QqＱｑ]{2}|扣扣|微信|威信|[VvＶｖ]信|[VvWwＶｖＷｗ][XxＸｘ]|(?i:wechat|weixin)"
    "|单元[\\s\\-]?[0-9０-９〇零一二三四五六七八九十A-Za-z]|[0-9０-９〇零一二三四五六七八九十百A-Za-z](?:室|号房|户)"
    "|电话|座机|固话|宅电|[Tt]el|TEL"
    "|号院?[\\s\\-]?[0-9０-９〇零一二三四五六七八九十A-Za-z]{1,5}(?:号楼|栋|幢|座|楼|层|户|单元)"
)


@dataclass(frozen=True)
class Masking:
    kind: str  # a key of KIND_LABELS
    original_length: int


def mask_text(text: str, names: Iterable[str] = (), allowed: Set[str] = frozenset()) -> tuple[str, list[Masking]]:
    """Mask personal data in one free-text cell; report what kinds were masked.
    ``names``: residents' names (normalised, see :func:`detect.resident_names`) to mask
    too; ``allowed``: values published on purpose (:func:`allowed_in`), left as written."""
    if not text:
        return text, []
    names = names if isinstance(names, detect.NameSet) else detect.NameSet(names)
    numbers = detect.detect(text, allowed) if _SUSPECT.search(text) else []
    found = detect.merge(numbers, detect.find_names(text, names))
    if not found:
        return text, []
    return detect.apply(text, found), [Masking(f.kind, f.end - f.start) for f in found]


def maskable_columns(table: Table) -> list[str]:
    """Free text, and every other published string a person types (a leader's name cell
    can hold a phone number too); ids and references are checked by validation instead."""
    return [
        c.name
        for c in table.columns
        if c.privacy == TEXT or (c.privacy == PUBLIC and c.type == STRING and c.name != table.key)
    ]


def redact_part(table: Table, part, allowed: Set[str] = frozenset()) -> None:
    """Mask free-text columns of one checked part (:class:`validate.CheckedPart`) and drop
    its private columns, in place.

    Every resident named in the part's private name columns (normalised: 张三（户主） is
    张三) is masked wherever the part's text names them, in any row. The masked text
    replaces the typed and the as-written cells, so the prepare cache never holds what was
    masked. Records the redaction log in ``part.masked`` — (step, position, column, kinds,
    masked text), never the original values — and the new cell values in ``part.changes``;
    ``part.name_keys`` keeps the names only as keyed hashes (:func:`name_keys`), for
    masking them in the other parts and lists (:func:`mask_known_names`).
    """
    private = [c.name for c in table.columns if c.privacy == PRIVATE]
    found: set[str] = set()
    for c in private:
        if c.endswith("_name") and (c in part.typed or c in part.lazy):
            for cell in _cells_of(part, c):
                found.update(detect.resident_names(cell))
    names = detect.NameSet(found)
    firsts = names.pattern if names else None
    masked, changes = [], {}
    for step, col in enumerate(c for c in maskable_columns(table) if c in part.typed):
        uniques, codes = part.typed[col], part.codes[col]
        # Most cells hold no number, no @, no address and no resident's name: only the
        # rest go through the detector.
        flags = np.fromiter((_suspect(v, firsts) for v in uniques), dtype=bool, count=len(uniques))
        out_of = {}
        for i in np.flatnonzero(flags).tolist():
            out, hits = mask_text(uniques[i], names, allowed)
            if hits or out != uniques[i]:
                out_of[i] = (out, "、".join(sorted({KIND_LABELS[h.kind] for h in hits})))
        if not out_of:
            continue
        changed = {}
        for pos in np.flatnonzero(np.isin(codes, list(out_of))).tolist():
            out, kinds = out_of[int(codes[pos])]
            if kinds:
                masked.append((step, pos, col, kinds, out))
            changed[pos] = out
        changes[col] = changed
        typed, raw = part.typed[col].copy(), part.raw[col].copy()
        for i, (out, _) in out_of.items():
            typed[i] = raw[i] = out
        part.typed[col], part.raw[col] = typed, raw
    masked.sort(key=lambda m: m[0])
    part.masked, part.changes = masked, changes
    part.name_keys = NameKeys.of(names)
    for c in private:
        if c in part.typed:
            del part.codes[c], part.raw[c], part.typed[c]
    part.lazy = {}


def _suspect(text: str, firsts: re.Pattern[str] | None) -> bool:
    return bool(text) and (
        _SUSPECT.search(text) is not None or (firsts is not None and firsts.search(text) is not None)
    )


def _cells_of(part, column: str) -> list[str]:
    """Every distinct cell of a private column, trimmed (resident_names normalises it)."""
    if column in part.typed:
        return [v for v in part.typed[column].tolist() if v]
    return [v for v in (clean_cell(c) for c in pd.unique(part.lazy[column])) if v]


# Names are kept (in the prepare cache) only as keyed 64-bit hashes (SipHash, pandas).
_NAME_KEY = "gongshi-names-16"


def name_keys(names: Iterable[str]) -> np.ndarray:
    """The sorted, distinct keyed hashes of ``names``."""
    values = np.array(list(names), dtype=object)
    if not len(values):
        return np.empty(0, dtype=np.uint64)
    return np.unique(pd.util.hash_array(values, hash_key=_NAME_KEY, categorize=False))


@dataclass(frozen=True)
class NameKeys:
    """Residents' names as keyed hashes, with their first characters and lengths: enough
    to find them in text, not to read them back from the cache."""

    keys: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.uint64))
    firsts: str = ""
    lengths: tuple[int, ...] = ()

    @classmethod
    def of(cls, names: Iterable[str]) -> NameKeys:
        names = set(names)
        return cls(
            name_keys(names),
            "".join(sorted({n[0] for n in names})),
            tuple(sorted({len(n) for n in names}, reverse=True)),
        )

    def __or__(self, other: NameKeys) -> NameKeys:
        return NameKeys(
            np.union1d(self.keys, other.keys),
            "".join(sorted(set(self.firsts) | set(other.firsts))),
            tuple(sorted(set(self.lengths) | set(other.lengths), reverse=True)),
        )

    def __bool__(self) -> bool:
        return bool(len(self.keys))


def list_names(parts: Iterable) -> NameKeys:
    out = NameKeys()
    for p in parts:
        out = out | getattr(p, "name_keys", NameKeys())
    return out


def mask_known_names(values: np.ndarray, known: NameKeys) -> dict[int, str]:
    """Positions of ``values`` (one text per row) naming a known resident: the masked text."""
    if not known or not len(values):
        return {}
    firsts = re.compile("[" + re.escape(known.firsts) + "]")
    texts = values.tolist()
    rows: list[int] = []
    starts: list[int] = []
    pieces: list[str] = []
    # Every substring that starts with a name's first character and has a name's length:
    # hashed all at once, then looked up.
    for pos, text in enumerate(texts):
        if not text or not firsts.search(text):
            continue
        for m in firsts.finditer(text):
            i = m.start()
            for n in known.lengths:
                if i + n <= len(text) and not detect.part_of_a_place(text, i + n):
                    rows.append(pos)
                    starts.append(i)
                    pieces.append(text[i : i + n])
    if not pieces:
        return {}
    hit = np.isin(name_keys_each(pieces), known.keys)
    found: dict[int, list[Finding]] = {}
    for k in np.flatnonzero(hit).tolist():
        piece, i = pieces[k], starts[k]
        found.setdefault(rows[k], []).append(Finding("name", i, i + len(piece), piece, mask_name(piece)))
    return {pos: detect.apply(texts[pos], detect.merge(fs)) for pos, fs in found.items()}


def name_keys_each(pieces: list[str]) -> np.ndarray:
    """The keyed hash of each piece, in order (:func:`name_keys` without sorting)."""
    return pd.util.hash_array(np.array(pieces, dtype=object), hash_key=_NAME_KEY, categorize=False)


# ---------------------------------------------------------------- the output scanner

SCANNED_SUFFIXES = (".html", ".htm", ".json", ".csv", ".xml", ".txt", ".js", ".atom", ".rss", ".xlsx", ".tsv", ".md")

# The scan reads ~850 MB at city size, so it looks at bytes first: one translation folds
# digits to 9, the separators typed inside numbers to -, and the letters of QQ / VX / WX
# to one case; a few searches in the folded bytes mark candidate windows, and only those
# are decoded and given to the detector (tests/test_privacy_detect.py checks that every
# form the detector finds is marked).
#
# Data pages and downloads are scanned for numbers, e-mail and full-width forms only:
# their text went through the same detector when it was masked, and the columns that
# are not masked are checked by ``check``. Every other output file (news, pages, feeds)
# is scanned ``thorough``ly: also for WeChat/QQ words, phone words (a local number without
# its area code), Chinese numerals and rooms.
_FOLD = bytes.maketrans(b"0123456789 .-/()\tqvwxW", b"9999999999-------QVVXV")
_GROUPS = re.compile(rb"999-{1,3}999")  # groups of three digits or more, separated
_WIDE = re.compile(rb"\xef\xbc[\x8d\x90-\x99\xa0]")  # full-width digits, hyphen, at sign
_DASHED = re.compile(rb"999(?:\xe2\x80[\x90-\x95]|\xe3\x80\x80|\xef\xbc\x89)999")  # 139–5724, (0813）2345678
_RUN = b"9999999999"  # ten digits in a row
_CHAIN_BYTES = frozenset(b"9-")
_WORDS = (
    b"QQ",
    b"VX",
    b"Vechat",
    b"VeChat",
    b"Veixin",
    "扣扣".encode(),
    "单元".encode(),
    "电话".encode(),
    "座机".encode(),
    "固话".encode(),
    "宅电".encode(),
    b"Tel",
    b"TEL",
    b"tel",
)
_XIN = "信".encode()  # 微信, 威信, V信
_ROOM = ("室".encode(), "号房".encode())
_NUMERAL_LAST = frozenset(b"0123456789") | frozenset(c.encode()[-1] for c in "〇零一二三四五六七八九十百两")
_CN_PHONE = re.compile(
    rb"\xe4\xb8\x80(?:\xe4\xb8[\x89\x83]|\xe5\x9b\x9b|\xe4\xba\x94|\xe5\x85\xab|\xe4\xb9\x9d|\xe5\x85\xad)"
)  # 一 then 3-9: how every mobile number starts
_WINDOW = 64  # bytes on each side: the words before a WeChat id, a road before a house number


def _could_be_number(digits: bytes, after: bytes) -> bool:
    """Whether one run of digits, alone (no separator next to it), can be a number the
    detector reports: the same lengths and leading digits as detect._classify."""
    n, d0 = len(digits), digits[:1]
    return (
        (n == 11 and d0 == b"1")
        or (10 <= n <= 12 and d0 == b"0")
        or (n in (13, 15) and (digits.startswith(b"86") or digits.startswith(b"0086")))
        or (n == 15 and d0 in b"12345678")
        or (n == 17 and after in (b"X", b"x"))
        or 16 <= n <= 19
    )


def _windows(data: bytes, thorough: bool) -> list[list[int]]:
    folded = data.translate(_FOLD)
    marks: list[int] = []
    for m in _GROUPS.finditer(folded):
        # Only a chain of ten digits or more can hold a number (182 / 328 cannot).
        a, b = m.start(), m.end()
        while a > 0 and folded[a - 1] in _CHAIN_BYTES:
            a -= 1
        while b < len(folded) and folded[b] in _CHAIN_BYTES:
            b += 1
        if folded.count(b"9", a, b) >= 10:
            marks.append(m.start())
    i = folded.find(_RUN)
    while i >= 0:
        j = i + len(_RUN)
        while j < len(folded) and folded[j] == 57:  # "9"
            j += 1
        # A run with no other digits in its chain is read alone: its length decides.
        a, b = i, j
        while a > 0 and folded[a - 1] in _CHAIN_BYTES:
            a -= 1
        while b < len(folded) and folded[b] in _CHAIN_BYTES:
            b += 1
        alone = folded.count(b"9", a, b) == j - i
        if not alone or _could_be_number(data[i:j], data[j : j + 1]):
            marks.append(i)
        i = folded.find(_RUN, j)
    i = folded.find(b"@")
    while i >= 0:
        marks.append(i)
        i = folded.find(b"@", i + 1)
    marks += [m.start() for m in _WIDE.finditer(folded)]
    marks += [m.start() for m in _DASHED.finditer(folded)]
    if thorough:
        for needle in _WORDS:
            i = folded.find(needle)
            while i >= 0:
                marks.append(i)
                i = folded.find(needle, i + 1)
        marks += [m.start() for m in _CN_PHONE.finditer(folded)]
        for needle in (_XIN, *_ROOM):
            i = folded.find(needle)
            while i >= 0:
                before = folded[i - 1] if i else 0
                if (needle == _XIN and before in (0xAE, 0x81, 0x56)) or (needle != _XIN and before in _NUMERAL_LAST):
                    marks.append(i)  # after 微 / 威 / V; after a digit or a Chinese numeral
                i = folded.find(needle, i + 1)
    spans: list[list[int]] = []
    for mark in sorted(marks):
        a, b = max(0, mark - _WINDOW), mark + _WINDOW
        if spans and a <= spans[-1][1]:
            spans[-1][1] = max(spans[-1][1], b)
        else:
            spans.append([a, b])
    return spans


def scan_bytes(data: bytes, allowed: Set[str] = frozenset(), thorough: bool = False) -> list[tuple[str, str]]:
    """Personal data in one file's bytes: [(kind, normalised value)], in order.
    ``allowed``: values published on purpose (:func:`allowed_in`); ``thorough``: look for
    every kind, not only numbers and e-mail (see above)."""
    hits: list[tuple[str, str]] = []
    for a, b in _windows(data, thorough):
        # Widen to whole characters, and past any digits or separators cut at the edge.
        while a > 0 and (0x80 <= data[a] < 0xC0 or data[a - 1] in _NUMBERISH):
            a -= 1
        while b < len(data) and (0x80 <= data[b] < 0xC0 or data[b - 1] in _NUMBERISH):
            b += 1
        for f in detect.detect(data[a:b].decode("utf-8", "replace"), allowed):
            hits.append((f.kind, f.value))
    return hits


_NUMBERISH = frozenset(b"0123456789 .-/()+")


def allowed_in(settings: SiteSettings | None, contacts: Iterable[str] = ()) -> frozenset[str]:
    """What the site publishes on purpose: the office phones and addresses of the contact
    settings (``contact``, ``hotline`` ... schema.CONTACT_SETTINGS) and ``contacts``, the
    values of the lists' declared contact columns (:func:`contact_values`)."""
    texts = [getattr(settings, name) for name in CONTACT_SETTINGS] if settings is not None else []
    return detect.allowed_values(*texts, *contacts)


def contact_columns(table: Table) -> list[str]:
    """Columns declared as officials' office contacts (schema privacy CONTACT)."""
    return [c.name for c in table.columns if c.privacy == CONTACT]


def contact_values(ds) -> list[str]:
    """Every value of a declared contact column in the dataset (areas' and units' fields
    of the same names), for :func:`allowed_in`."""
    from generator.schema import AREAS, UNITS

    out: list[str] = []
    for table, rows in ((AREAS, ds.areas.values()), (UNITS, ds.units.values())):
        names = contact_columns(table)
        out.extend(v for row in rows for v in (getattr(row, n) for n in names) if v)
    return out


def _file_bytes(path) -> list[bytes]:
    data = path.read_bytes()
    if path.suffix in (".xlsx", ".zip"):
        import zipfile

        try:
            with zipfile.ZipFile(path) as z:
                return [z.read(n) for n in z.namelist() if z.getinfo(n).file_size < 512 * 1024 * 1024]
        except zipfile.BadZipFile:
            return [data]
    return [data]


def scan_output(
    root, skip: Set[str] = frozenset(), seen: list[str] | None = None, allowed: Set[str] = frozenset()
) -> list[tuple[str, str, str]]:
    """Scan every published file under ``root``: [(relative path, kind label, normalised value)].

    skip: relative paths (with ``/``) already scanned, e.g. pages the renderer scanned
    in memory before writing them. seen: if given, receives the relative path of every
    file below ``root`` (apart from ``.gongshi/``), so the caller need not walk it again.
    """
    import os

    found = []
    for folder, dirs, names in os.walk(root):
        rel_folder = os.path.relpath(folder, root).replace(os.sep, "/")
        if rel_folder == ".gongshi":  # the build manifest (hashes), never published
            dirs[:] = []
            continue
        for name in names:
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            if seen is not None:
                seen.append(rel)
            if rel in skip or os.path.splitext(name)[1].lower() not in SCANNED_SUFFIXES:
                continue
            for chunk in _file_bytes(Path(folder, name)):
                for kind, value in scan_bytes(chunk, allowed, thorough=True):
                    found.append((rel, KIND_LABELS[kind], value))
    return sorted(found)


# ---------------------------------------------------------------- tracing a finding to its source


def _text_of(value: object) -> str | None:
    """A typed cell as a page shows it, or None for what cannot carry personal data
    (dates, booleans, enumerations are checked values)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int) or (isinstance(value, float) and value == value and value.is_integer()):
        return str(int(value))
    if isinstance(value, (tuple, list)):
        return "、".join(str(v) for v in value)
    return None


def _finding_problem(file: str, row: int | None, column: str, f: Finding, where: str) -> Problem:
    label = KIND_LABELS[f.kind]
    return Problem("pii-in-output", file, row, column, f.replacement, f"{label}“{f.replacement}”{where}")


def _unmasked_columns(table: Table) -> list[str]:
    """Published columns the masker leaves alone that can carry a number or a word:
    ids and numbers (dates, enumerations and booleans are checked values; a reference
    shows the row it names, which its own list checks)."""
    masked = set(maskable_columns(table))
    return [
        c.name
        for c in table.columns
        if c.published and c.privacy != CONTACT and c.name not in masked and c.type in (STRING, INTEGER, NUMBER)
    ]


def unmasked_problems(
    tables, settings: SiteSettings, settings_file: str, settings_lines: Mapping[str, Sequence[int]]
) -> list[Problem]:
    """Personal data the masker does not touch but a page would show: in an id or a
    number column, or in a site setting (the contact settings are published on purpose).
    Each is an error, so ``check`` reports what the build's output scan would stop on."""
    from generator.schema import SETTINGS, TABLES

    allowed = allowed_in(settings)
    out: list[Problem] = []
    for t in TABLES:
        td = tables.get(t.name)
        if td is None:
            continue
        for column in _unmasked_columns(t):
            if column not in td.typed:
                continue
            texts = [v if type(v) is str else _text_of(v) for v in td.typed[column].tolist()]
            # One search over the joined column: most columns hold nothing to look at.
            if not _SUSPECT.search("\n".join(x for x in texts if x)):
                continue
            for i, text in enumerate(texts):
                if not text or not _SUSPECT.search(text):
                    continue
                found = detect.detect(text, allowed)
                if not found:
                    continue
                for pos in np.flatnonzero(td.codes[column] == i).tolist():
                    file = td.file(pos)
                    for f in found:
                        out.append(_finding_problem(file, int(td.rows[pos]), td.header(file, column), f, "会原样发布"))
    for s in SETTINGS:
        value = getattr(settings, s.name, None)
        if s.name in CONTACT_SETTINGS or not isinstance(value, str):
            continue
        for f in detect.detect(value):
            line = _first_line(settings_lines, s.name)
            out.append(_finding_problem(settings_file, line, s.name, f, "会显示在每个页面上"))
    return out


def published_cells(
    tables, public, settings: SiteSettings, settings_file: str, settings_lines: Mapping[str, Sequence[int]]
):
    """Every published text cell as (file, row, column as written, text), masked as published."""
    from generator.schema import SETTINGS, TABLES

    cells: list[tuple[str, int | None, str, str]] = []
    for t in TABLES:
        td, columns = tables[t.name], public[t.name]
        texts = set(maskable_columns(t)) | set(_unmasked_columns(t))
        for column in (c.name for c in t.columns if c.name in texts and c.name in columns):
            for pos, value in enumerate(columns[column].tolist()):
                text = _text_of(value)
                if text and _SUSPECT.search(text):
                    file = td.file(pos)
                    cells.append((file, int(td.rows[pos]), td.header(file, column), text))
    for s in SETTINGS:
        value = getattr(settings, s.name, None)
        if isinstance(value, str) and value:
            cells.append((settings_file, _first_line(settings_lines, s.name), s.name, value))
    return cells


def _first_line(lines: Mapping[str, Sequence[int]], key: str) -> int | None:
    found = lines.get(key)
    return found[0] if found else None


CONTENT_SUFFIXES = (".md", ".markdown", ".mdown", ".rst", ".html", ".htm", ".txt")


def content_cells(root: Path) -> list[tuple[str, int | None, str, str]]:
    """Every line of the content pages (news, pages) as (file, line, "", text)."""
    cells: list[tuple[str, int | None, str, str]] = []
    for folder, _, names in os.walk(root):
        for name in sorted(names):
            if os.path.splitext(name)[1].lower() in CONTENT_SUFFIXES:
                path = Path(folder, name)
                try:
                    lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                rel = f"{root.name}/{path.relative_to(root).as_posix()}"
                cells.extend((rel, n, "", line) for n, line in enumerate(lines, 1) if line)
    return cells


def content_problems(root: Path, allowed: Set[str] = frozenset()) -> list[Problem]:
    """Personal data in the content pages, line by line: what the build's scan of the
    pages made from them would stop on."""
    if not root.is_dir():
        return []
    return [
        _finding_problem(file, line, column, f, "会发布在页面上")
        for file, line, column, text in content_cells(root)
        if _SUSPECT.search(text)
        for f in detect.detect(text, allowed)
    ]


def locate(
    findings: Iterable[tuple[str, str, str]], cells: Iterable[tuple[str, int | None, str, str]]
) -> list[Problem]:
    """The source of each output finding — (output path, kind label, normalised value),
    as the scan reports them — among ``cells`` (file, row or line, column, text): the
    data cells (:func:`published_cells`) and content lines (:func:`content_cells`) that
    hold the same value. A finding found in no cell is reported against the output file."""
    where: dict[str, list[str]] = {}
    for path, _, value in findings:
        where.setdefault(value, [])
        if path not in where[value]:
            where[value].append(path)
    out: list[Problem] = []
    seen: set[str] = set()
    for file, row, column, text in cells:
        if not text or not _SUSPECT.search(text):
            continue
        for f in detect.detect(text):
            if f.value in where:
                seen.add(f.value)
                pages = sorted(where[f.value], key=lambda p: (p.count("/"), p))  # the most specific first
                paths = "、".join(pages[:4]) + (f" 等 {len(pages)} 个文件" if len(pages) > 4 else "")
                out.append(_finding_problem(file, row, column, f, f"出现在发布文件 {paths} 中"))
    for path, kind, value in findings:
        if value not in seen:
            seen.add(value)
            masked = _mask_value(value)
            out.append(
                Problem("pii-in-output", path, None, "", masked, f"{kind}“{masked}”，未能定位来源（模板或静态文件？）")
            )
    return sorted(out, key=Problem.sort_key)


def _mask_value(value: str) -> str:
    """A normalised value as a message may show it."""
    found = detect.detect(value)
    return detect.apply(value, found) if found else value[:1] + "*" * (len(value) - 1)


def leak(
    findings: list[tuple[str, str, str]], data: Path | None, cache: Path | None = None, content: Path | None = None
) -> PrivacyLeak:
    """The privacy stop for ``findings``, traced to the data cells (of the data folder
    ``data``, prepared again from the per-file ``cache``) and content lines (of the
    ``content`` folder) they came from."""
    from generator.ingest import prepare as pipeline
    from generator.problems import GongshiError

    cells: list[tuple[str, int | None, str, str]] = []
    if data is not None:
        try:
            prepared = pipeline.prepare(Path(data), cache_dir=cache, keep_cells=True)
            cells += prepared.cells or []
        except GongshiError:
            pass
    if content is not None and Path(content).is_dir():
        cells += content_cells(Path(content))
    return PrivacyLeak(findings, locate(findings, cells))
