"""Keep residents' personal data out of every output.

Two layers: private columns are dropped before the model is built (they exist only so
staff can keep one ledger), and public free text is masked by public-notice conventions
(138****1234, first and last digit of an ID number, the surname of a resident named in
the same row). :func:`scan_output` is the after-build check over every output file.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Set
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .load import clean_cell
from .schema import PRIVATE, PUBLIC, STRING, TEXT, Table

# An optional country code (+86 13912345678, 008613912345678) is kept, the number masked.
_MOBILE = re.compile(r"(?<![\d*])((?:(?:\+|00)?86[-\s]?)?1[3-9]\d)[-\s]?(\d{4})[-\s]?(\d{4})(?![\d*])")
# Chinese input methods type full-width digits (１３９…); the patterns are written in ASCII.
_WIDE = str.maketrans("０１２３４５６７８９Ｘｘ", "0123456789Xx")
_LANDLINE = re.compile(r"(?<![\d*])(0\d{2,3})[-\s]?(\d{3,4})(\d{4})(?![\d*])")
_ID = re.compile(
    r"(?<![\dA-Za-z*])([1-9])(\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])(?:[0-2]\d|3[01])\d{3})([\dXx])(?![\dA-Za-z*])"
)
_CARD = re.compile(r"(?<![\d*])(\d{12,15})(\d{4})(?![\d*])")
_EMAIL = re.compile(r"(?<![\w.+-])([\w.+-])[\w.+-]*@([\w-]+(?:\.[\w-]+)+)")

_SUSPECT = re.compile(r"\d{5}|@")
KIND_LABELS = {
    "mobile": "手机号",
    "landline": "固定电话",
    "id_number": "身份证号",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "name": "姓名",
}

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


def id_checksum_ok(number: str) -> bool:
    if len(number) != 18 or not number[:17].isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(number[:17], _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11] == number[17].upper()


def luhn_ok(number: str) -> bool:
    digits = [int(d) for d in number][::-1]
    total = sum(d if i % 2 == 0 else (d * 2 - 9 if d > 4 else d * 2) for i, d in enumerate(digits))
    return total % 10 == 0


@dataclass(frozen=True)
class Masking:
    kind: str  # mobile, landline, id_number, bank_card, email, name
    original_length: int


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else name


def mask_text(text: str, names: tuple[str, ...] = ()) -> tuple[str, list[Masking]]:
    """Mask personal data in one free-text cell; report what kinds were masked."""
    if not text:
        return text, []
    text = text.translate(_WIDE)
    found: list[Masking] = []

    def sub(kind, pattern, repl):
        nonlocal text

        def r(m):
            out = repl(m)
            if out != m[0]:
                found.append(Masking(kind, len(m[0])))
            return out

        text = pattern.sub(r, text)

    # IDs before cards and phones: an ID number contains phone-like runs.
    sub("id_number", _ID, lambda m: m[1] + "*" * 16 + m[3])
    sub("bank_card", _CARD, lambda m: "*" * len(m[1]) + m[2] if luhn_ok(m[0]) else m[0])
    sub("mobile", _MOBILE, lambda m: f"{m[1]}****{m[3]}")
    sub("landline", _LANDLINE, lambda m: f"{m[1]}-****{m[3]}")
    sub("email", _EMAIL, lambda m: f"{m[1]}***@{m[2]}")
    for name in names:
        name = (name or "").strip()
        if len(name) >= 2 and name in text:
            found.append(Masking("name", len(name)))
            text = text.replace(name, mask_name(name))
    return text, found


def maskable_columns(table: Table) -> list[str]:
    """Free text, and every other published string a person types (a leader's name cell
    can hold a phone number too); ids and references are checked by validation instead."""
    return [
        c.name
        for c in table.columns
        if c.privacy == TEXT or (c.privacy == PUBLIC and c.type == STRING and c.name != table.key)
    ]


def redact_part(table: Table, part) -> None:
    """Mask free-text columns of one checked part (:class:`validate.CheckedPart`) and drop
    its private columns, in place.

    Records the redaction log in ``part.masked`` — (step, position, column, kinds, masked
    text), never the original values — and the new cell values in ``part.changes``.
    """
    private = [c.name for c in table.columns if c.privacy == PRIVATE]
    # Each row's residents' names (private columns ending in _name), to mask in its text.
    name_cols = [_names_of(part, c) for c in private if c.endswith("_name") and (c in part.typed or c in part.lazy)]
    masked, changes = [], {}
    for step, col in enumerate(c for c in maskable_columns(table) if c in part.typed):
        uniques, codes = part.typed[col], part.codes[col]
        # Most cells hold no digits, no @ and no resident's name: only the rest are masked.
        flags = np.fromiter((_SUSPECT.search(v) is not None for v in uniques), dtype=bool, count=len(uniques))
        suspect = flags[codes]
        if name_cols:
            values = uniques[codes]
            for names in name_cols:
                rows = np.flatnonzero(~suspect & (values != ""))
                hit = [len(n) >= 2 and n in v for n, v in zip(names(rows), values[rows].tolist(), strict=True)]
                suspect[rows[np.asarray(hit, dtype=bool)]] = True
        changed = {}
        for pos in np.flatnonzero(suspect).tolist():
            text = uniques[codes[pos]]
            out, hits = mask_text(text, tuple(names([pos])[0] for names in name_cols))
            if hits:
                kinds = "、".join(sorted({KIND_LABELS[h.kind] for h in hits}))
                masked.append((step, pos, col, kinds, out))
            if out != text:
                changed[pos] = out
        if changed:
            changes[col] = changed
    part.masked, part.changes = masked, changes
    for c in private:
        if c in part.typed:
            del part.codes[c], part.raw[c], part.typed[c]
    part.lazy = {}


def _names_of(part, column: str):
    """The names in a private column at given rows, typed as validation types text."""
    if column in part.typed:
        typed, codes = part.typed[column], part.codes[column]
        return lambda rows: typed[codes[rows]].tolist()
    cells = part.lazy[column]
    return lambda rows: [unicodedata.normalize("NFC", clean_cell(v)) for v in cells[rows]]


# ---------------------------------------------------------------- the output scanner

_DIGITS = bytes.maketrans(b"0123456789", b"9" * 10)
_RUNS = (b"99999999999", b"999-9999-9999", b"999 9999 9999")
# Anchored at the start of a run (as _EMAIL): without it a long run of letters is quadratic.
_SCAN_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{2,}@[\w-]+(?:\.[\w-]+)+")
SCANNED_SUFFIXES = (".html", ".htm", ".json", ".csv", ".xml", ".txt", ".js", ".atom", ".rss", ".xlsx", ".tsv", ".md")


def _classify(run: bytes, after: bytes) -> str | None:
    digits = run.replace(b"-", b"").replace(b" ", b"").decode()
    if len(digits) == 17 and after in (b"X", b"x") and id_checksum_ok(digits + "X"):
        return "id_number"
    if len(digits) == 18 and id_checksum_ok(digits):
        return "id_number"
    if len(digits) == 11 and digits[0] == "1" and digits[1] in "3456789":
        return "mobile"
    if 16 <= len(digits) <= 19 and luhn_ok(digits):
        return "bank_card"
    return None


def scan_bytes(data: bytes) -> list[tuple[str, str]]:
    """Personal-data patterns in one file's bytes: [(kind, short masked sample)].

    Digits are folded to one byte so candidate runs are found with bytes.find (about ten
    times a regex over the whole file); only candidates get the exact checks.
    """
    hits: list[tuple[str, str]] = []
    folded = data.translate(_DIGITS)
    for pattern in _RUNS:
        i = folded.find(pattern)
        while i >= 0:
            j = i + len(pattern)
            if pattern == _RUNS[0]:
                while j < len(folded) and folded[j] == 57:  # "9"
                    j += 1
            before = folded[i - 1 : i] if i else b""
            if before != b"9" and before != b"*":
                kind = _classify(data[i:j], data[j : j + 1])
                if kind:
                    hits.append((kind, data[i : i + 3].decode() + "…"))
            i = folded.find(pattern, j)
    if b"@" in data:
        for m in _SCAN_EMAIL.finditer(data.decode("utf-8", "replace")):
            hits.append(("email", m[0][:1] + "…"))
    return hits


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


def scan_output(root, skip: Set[str] = frozenset(), seen: list[str] | None = None) -> list[tuple[str, str, str]]:
    """Scan every published file under ``root``: [(relative path, kind, sample)].

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
                for kind, sample in scan_bytes(chunk):
                    found.append((rel, KIND_LABELS[kind], sample))
    return sorted(found)
