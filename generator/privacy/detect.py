"""Find residents' personal data in text: the one detector the masker and the output scan share.

Pure functions, no I/O. Text is normalised first — NFKC (full-width digits, ＠, full-width
hyphens and parentheses become ASCII), runs of Chinese numerals read as digits — while
every normalised character keeps the position of the original character it came from,
so what is found (and masked) is exactly the original span.

Numbers are read as *chains*: digit groups joined by the separators people type inside
numbers (spaces, dots, slashes, hyphens, en/em dashes, parentheses around an area code).
Digits glued to Latin letters are an identifier, unless the letters are Tel, Phone,
Mobile or ID (Tel13957246813).
A number is a run of whole groups of one chain, so ``2026-06-30 13957246813`` is a date
and a mobile number, never one 19-digit card. A group touching ``*`` is what is left of
a masked number and is never read, so masked text is never found again; a group glued
to a Latin letter is part of an identifier (P00001, D000158) and is not a number either.

What is deliberately not found: dates, amounts (a number followed by 元, 万, 亿 or %),
percentages, ids, counts (120户), a building or unit alone (3栋楼道灯, 2单元门口: where a
problem is, not who lives there), street names, and values the caller allows (the
officials' office phone in the site settings).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Set
from dataclasses import dataclass
from functools import cached_property

KIND_LABELS = {
    "mobile": "手机号",
    "landline": "固定电话",
    "id_number": "身份证号",
    "bank_card": "银行卡号",
    "email": "电子邮箱",
    "wechat": "微信号",
    "qq": "QQ号",
    "address": "详细地址",
    "name": "姓名",
}


@dataclass(frozen=True, slots=True)
class Finding:
    kind: str
    start: int  # span in the ORIGINAL text
    end: int
    value: str  # normalised: digits only for numbers, lower-case e-mail, the id, the address
    replacement: str  # what the masker writes instead of text[start:end]


# ---------------------------------------------------------------- normalisation

_CN_DIGITS = str.maketrans("〇零一幺二两三四五六七八九", "0011223456789")
_CN_CLASS = "〇零一幺二两三四五六七八九"
# Separators people type inside numbers, after NFKC (－ → -, （ → (, 　 → space, ． → .).
_SEP = " \t\u00a0.\\-/()\u2010\u2011\u2012\u2013\u2014\u2015\u2212\u30fc"
# A run of Chinese numerals long enough to be a phone number (7+), separators allowed.
_CN_RUN = re.compile(f"[0-9{_CN_CLASS}](?:[{_SEP}]{{0,3}}[0-9{_CN_CLASS}]){{6,}}")


def normalise(text: str) -> tuple[str, list[int] | None]:
    """NFKC per character, Chinese-numeral runs as digits; and for each normalised
    character the index of the original one (None: the same positions)."""
    norm, origin = text, None
    if not unicodedata.is_normalized("NFKC", text):
        # Usually each character becomes one (full-width to half-width): same positions.
        table = {ord(c): unicodedata.normalize("NFKC", c) for c in set(text) if not c.isascii()}
        norm = text.translate(table) if all(len(v) == 1 for v in table.values()) else ""
    if not norm and text:
        out: list[str] = []
        origin = []
        for i, ch in enumerate(text):
            n = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
            out.append(n)
            origin.extend([i] * len(n))
        norm = "".join(out)
    if not norm.isascii() and _CN_RUN.search(norm):
        norm = _CN_RUN.sub(lambda m: m[0].translate(_CN_DIGITS) if _has_cn(m[0]) else m[0], norm)
    return norm, origin


def _has_cn(s: str) -> bool:
    return any(c in _CN_CLASS for c in s)


# ---------------------------------------------------------------- number checks

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


def _date_ok(month: str, day: str) -> bool:
    return 1 <= int(month) <= 12 and 1 <= int(day) <= 31


def _id18(d: str) -> bool:
    # A mistyped check digit still identifies a person: the checksum only decides
    # between an ID number and a (Luhn-valid) bank card of the same length.
    return (
        d[0] in "12345678"
        and d[6:8] in ("18", "19", "20")
        and _date_ok(d[10:12], d[12:14])
        and (id_checksum_ok(d) or not luhn_ok(d))
    )


def _id15(d: str) -> bool:
    # The old (pre-1999) number has no check digit: area, YYMMDD, sequence.
    return d[0] in "12345678" and _date_ok(d[8:10], d[10:12])


def _card(d: str, sizes: list[int]) -> bool:
    # In groups of four (the last may be shorter), or one run; Luhn-valid.
    grouped = len(sizes) == 1 or (all(s == 4 for s in sizes[:-1]) and 1 <= sizes[-1] <= 4)
    return grouped and d[0] in "3456" and luhn_ok(d)


def _latin(c: str) -> bool:
    return c.isascii() and c.isalnum()


def _mobile(d: str) -> bool:
    return len(d) == 11 and d[0] == "1" and d[1] in "3456789"


# ---------------------------------------------------------------- chains of digit groups

_CHAIN = re.compile(
    f"(?:(?<![0-9A-Za-z*_])|(?<=[Tt][Ee][Ll])|(?<=[Ii][Dd])|(?<=[Pp]hone)|(?<=[Mm]obile)|(?<=PHONE)|(?<=MOBILE))"
    f"\\+?[0-9]+(?:[{_SEP}]{{1,3}}[0-9]+)*"
)
_GROUP = re.compile("[0-9]+")
# After a number: it is an amount, a percentage or part of a date, not a person's number.
_NOT_AFTER = re.compile(r"\s*(?:元|万|亿|%|‰|年|月|日|号|时|分|秒|点|倍|[*_])")
_NOT_BEFORE = re.compile(r"[¥$€￥][\s]*$")


def _chains(norm: str, findings: list, origin) -> None:
    for m in _CHAIN.finditer(norm):
        groups = [(g.start() + m.start(), g.end() + m.start()) for g in _GROUP.finditer(m[0])]
        end = m.end()
        # A chain ending in * (139****) or touching ids glued after it is not read at all.
        if end < len(norm) and norm[end] == "*":
            groups.pop()
        _groups(norm, groups, findings, origin, m[0].startswith("+"))


def _groups(norm: str, groups: list[tuple[int, int]], findings: list, origin, plus: bool) -> None:
    i = 0
    while i < len(groups):
        for j in range(min(len(groups), i + 8) - 1, i - 1, -1):
            found = _classify(norm, groups[i : j + 1], plus and i == 0)
            if found is not None:
                findings.append(_at(found, origin))
                i = j + 1
                break
        else:
            i += 1


def _classify(norm: str, groups: list[tuple[int, int]], plus: bool) -> Finding | None:
    start, end = groups[0][0], groups[-1][1]
    sizes = [e - s for s, e in groups]
    d = "".join(norm[s:e] for s, e in groups)
    n = len(d)
    if n < 10 or n > 19:
        return None
    # Numbers are written in groups of three or more (a country code aside); groups of one
    # or two digits are months and days: 2026-09-30 2026.06.30 is two dates, not a phone.
    inner = sizes[1:-1] if d[: sizes[0]] in ("86", "0086") else sizes[:-1]
    # The last group may be short in a long number (4403 0419 8507 1637 23).
    if (inner and min(inner) < 3) or sizes[-1] < (1 if n >= 15 else 3):
        return None
    after = norm[end : end + 3]
    # The check character of an ID number: 17 digits and X.
    if n == 17 and after[:1] in ("X", "x") and not _latin(after[1:2]) and _id18(d + "X"):
        return Finding("id_number", start, end + 1, d + "X", d[0] + "*" * 16 + "X")
    if _NOT_AFTER.match(after) or _NOT_BEFORE.search(norm[max(0, start - 3) : start]):
        return None
    if n == 18 and _id18(d):
        return Finding("id_number", start, end, d, d[0] + "*" * 16 + d[-1])
    if 16 <= n <= 19 and _card(d, sizes):
        return Finding("bank_card", start, end, d, "*" * (n - 4) + d[-4:])
    if n == 15 and _id15(d) and not plus:
        return Finding("id_number", start, end, d, d[0] + "*" * 13 + d[-1])
    # Mobile, with its country code as a group of its own or glued to it.
    prefix = ""
    if len(groups) > 1 and d[: sizes[0]] in ("86", "0086"):
        prefix, m = norm[start : groups[1][0]], d[sizes[0] :]
    elif n in (13, 15) and d[: n - 11] in ("86", "0086"):
        prefix, m = norm[start : start + n - 11], d[n - 11 :]
    else:
        m = d
    if _mobile(m):
        return Finding("mobile", start - plus, end, m, ("+" if plus else "") + prefix + m[:3] + "****" + m[7:])
    # Landline with its area code: (0813) 2345678, 0813-234-5678, 08132345678.
    if d[0] == "0" and d[1] != "0" and 10 <= n <= 12 and not plus:
        area = sizes[0] if len(groups) > 1 and sizes[0] in (3, 4) else (3 if d[1] in "12" else 4)
        if 7 <= n - area <= 8:
            lead = "(" if start > 0 and norm[start - 1] == "(" else ""
            return Finding("landline", start - len(lead), end, d, d[:area] + "-****" + d[-4:])
    return None


def _at(f: Finding, origin) -> Finding:
    """The finding with its span in the original text."""
    if origin is None:
        return f
    return Finding(f.kind, origin[f.start], origin[f.end - 1] + 1, f.value, f.replacement)


# ---------------------------------------------------------------- e-mail, WeChat, QQ, addresses

_EMAIL = re.compile(
    r"(?<![A-Za-z0-9._%+\-*])([A-Za-z0-9][A-Za-z0-9._%+\-]*)@([A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,})"
)
_WECHAT = re.compile(
    r"(?:微信号?|威信|V信|(?<![A-Za-z])(?:[VvWw][Xx]|weixin|WeiXin|WEIXIN|[Ww]e[Cc]hat)(?![A-Za-z]))"
    r"\s*(?:号码?|账号|ID|id)?\s*(?:是|为)?\s*[:=]?\s*([A-Za-z][A-Za-z0-9_\-]{5,19})(?![A-Za-z0-9_\-*@])"
)
_QQ = re.compile(r"(?<![A-Za-z])(?:[Qq]{2}|扣扣)\s*(?:号码?)?\s*(?:是|为)?\s*[:=]?\s*([1-9][0-9]{4,11})(?![0-9*])")
# A local number without its area code, only where a word says it is a phone number.
_LOCAL = re.compile(
    r"(?:电话|座机|固话|宅电|(?<![A-Za-z])(?:[Tt]el|TEL)(?![A-Za-z]))\s*(?:号码?)?\s*(?:是|为)?\s*[:=]?\s*"
    r"([2-9][0-9]{2,3}[ \-]?[0-9]{4})(?![0-9*\-])"
)
_NUM = f"(?:[0-9]{{1,5}}|[{_CN_CLASS}十百]{{1,6}}|[A-Za-z])"
_BUILDING = f"{_NUM}(?:号楼|栋|幢|座)"
_UNIT = f"{_NUM}单元"
_FLOOR = f"{_NUM}(?:楼|层)"
_ROOM = f"(?:{_NUM}(?:室|号房)|[0-9]{{3,4}}户)"
_ROOM_ALONE = f"(?:[0-9]{{3,5}}|[{_CN_CLASS}十百]{{3,6}})(?:室|号房)"
_S = r"[\s\-]?"
_ADDRESS = re.compile(
    # A house number after a road, followed by a building, unit, floor or room.
    f"(?:(?<=[路街巷弄道里])|(?<=胡同)){_NUM}号院?(?:{_S}(?:{_BUILDING}|{_UNIT}|{_FLOOR}|{_ROOM}))+"
    # Building / unit down to the room: 3栋2单元301室, 2单元301, 3栋301室, 3-2-301室, 301室.
    f"|(?:{_BUILDING}{_S})?{_UNIT}{_S}(?:{_ROOM}|[0-9]{{3,4}}(?![0-9]))"
    f"|{_BUILDING}{_S}{_ROOM}"
    f"|(?:[0-9]{{1,3}}-){{1,2}}[0-9]{{3,4}}(?:室|号房)"
    f"|{_ROOM_ALONE}"
)
_MASKABLE = re.compile(f"[0-9A-Za-z{_CN_CLASS}十百]")


def _others(norm: str, findings: list, origin) -> None:
    if "@" in norm:
        for m in _EMAIL.finditer(norm):
            value = f"{m[1]}@{m[2]}".lower()
            findings.append(_at(Finding("email", m.start(), m.end(), value, f"{m[1][0]}***@{m[2]}"), origin))
    lower = norm.lower()
    if not norm.isascii() or "x" in lower or "chat" in lower:
        for m in _WECHAT.finditer(norm):
            findings.append(_at(Finding("wechat", m.start(1), m.end(1), m[1], m[1][0] + "*" * (len(m[1]) - 1)), origin))
    if "q" in lower or "扣扣" in norm:
        for m in _QQ.finditer(norm):
            findings.append(_at(Finding("qq", m.start(1), m.end(1), m[1], m[1][0] + "*" * (len(m[1]) - 1)), origin))
    if "电话" in norm or "座机" in norm or "固话" in norm or "宅电" in norm or "tel" in lower:
        for m in _LOCAL.finditer(norm):
            digits = m[1].replace(" ", "").replace("-", "")
            if not _NOT_AFTER.match(norm, m.end(1)):
                masked = "*" * (len(digits) - 4) + digits[-4:]
                findings.append(_at(Finding("landline", m.start(1), m.end(1), digits, masked), origin))
    if not norm.isascii():
        for m in _ADDRESS.finditer(norm):
            span = m[0]
            findings.append(_at(Finding("address", m.start(), m.end(), span, _MASKABLE.sub("*", span)), origin))


_ANY_DIGIT = re.compile("[0-9]")


def detect(text: str, allowed: Set[str] = frozenset()) -> list[Finding]:
    """Every piece of personal data in ``text`` (spans in the original text), in order,
    not overlapping. ``allowed``: normalised values to leave alone (see :func:`allowed_values`)."""
    if not text:
        return []
    norm, origin = normalise(text)
    found: list[Finding] = []
    if _ANY_DIGIT.search(norm):
        _chains(norm, found, origin)
    _others(norm, found, origin)
    found.sort(key=lambda f: (f.start, -f.end))
    out: list[Finding] = []
    for f in found:
        if f.value in allowed:
            continue
        if out and f.start < out[-1].end:
            continue  # inside an earlier span (a mobile number as a WeChat id, a number in an address)
        out.append(f)
    return out


def allowed_values(*texts: str) -> frozenset[str]:
    """The normalised values found in texts that are published on purpose (the office
    phone or address in the site's ``contact`` setting): allowed wherever they appear."""
    return frozenset(f.value for t in texts if t for f in detect(t))


def apply(text: str, findings: Iterable[Finding]) -> str:
    """``text`` with each finding's span replaced by its mask; the rest unchanged."""
    out, last = [], 0
    for f in findings:
        out.append(text[last : f.start])
        out.append(f.replacement)
        last = f.end
    out.append(text[last:])
    return "".join(out)


# ---------------------------------------------------------------- residents' names

# Words written in a name cell that are not a name (masking them everywhere would blank
# ordinary words of every notice).
_NOT_NAMES = frozenset(
    "匿名 无 无名 不详 未知 未填 暂无 保密 居民 群众 村民 业主 住户 租户 本人 家属 网友 市民 "
    "热心群众 热心市民 热心居民 志愿者 老人 老党员 党员 先生 女士 同志 师傅 阿姨 大爷 大妈 "
    "小区居民 社区居民 楼长 网格员 代表 多人 联名 集体 某某".split()
)
_NOTE = re.compile(r"[（(\[【〔].*?[）)\]】〕]")
_NAME_SEPARATORS = re.compile(r"[\s\u3000·•.．]")
_PLAIN_NAME = re.compile(r"[\u3400-\u9fff]{2,6}")
_SEVERAL = re.compile(r"[、,，;；/和及与]")
_LISTED = re.compile(r"[、,，;；/]")
_NAME = re.compile(r"[\u3400-\u9fff]{2,6}|[A-Za-z]{2,20}(?: [A-Za-z]{2,20}){0,2}")


def resident_names(cell: str) -> list[str]:
    """The names a private name cell holds, normalised: notes in brackets (（户主）) and
    inner spaces dropped, several names (张三、李四) split; placeholders (匿名, 居民) and
    single characters are not names."""
    if not cell:
        return []
    if _PLAIN_NAME.fullmatch(cell) and not _SEVERAL.search(cell):  # most cells: one name alone
        return [] if cell in _NOT_NAMES else [cell]
    text = _NOTE.sub("", unicodedata.normalize("NFKC", cell))
    # 张三和李四 is two names, 何和平 one: split only where both sides can be names.
    parts = [p for p in _SEVERAL.split(text)]
    if any(len(p.strip()) < 2 for p in parts):
        parts = [p for p in _LISTED.split(text)]
    names = []
    for part in parts:
        part = part.strip()
        cjk = _NAME_SEPARATORS.sub("", part) if not part.isascii() else part
        for suffix in ("户主", "本人", "家属"):
            if cjk.endswith(suffix) and len(cjk) > len(suffix) + 1:
                cjk = cjk[: -len(suffix)]
        if _NAME.fullmatch(cjk) and cjk not in _NOT_NAMES and len(cjk) >= 2:
            names.append(cjk)
    return names


# A name followed by one of these is part of a place's name (石林路, 江南小区): kept.
_PLACE_AFTER = re.compile("路|街|巷|弄|桥|大道|社区|小区|广场|公园|花园|小学|中学|医院|市场|新村|村委")


def part_of_a_place(text: str, end: int) -> bool:
    return _PLACE_AFTER.match(text, end) is not None


def mask_name(name: str) -> str:
    return name[0] + "*" * (len(name) - 1) if name else name


class NameSet(frozenset):
    """Residents' names, with the pattern of their first characters made once."""

    @cached_property
    def pattern(self) -> re.Pattern[str]:
        return first_chars(self)

    @cached_property
    def lengths(self) -> list[int]:
        return sorted({len(n) for n in self}, reverse=True)


def find_names(text: str, names: Set[str], firsts: re.Pattern[str] | None = None) -> list[Finding]:
    """Where the given (normalised) names appear in ``text``, longest first. ``firsts``:
    a character class of the names' first characters (:func:`first_chars`), which makes
    a long list of names cheap to look for."""
    if not names or not text:
        return []
    found: list[Finding] = []
    if firsts is None and len(names) <= 8:
        for name in sorted((n for n in names if n in text), key=len, reverse=True):
            start = text.find(name)
            while start >= 0:
                if not part_of_a_place(text, start + len(name)):
                    found.append(Finding("name", start, start + len(name), name, mask_name(name)))
                start = text.find(name, start + len(name))
    else:
        if not isinstance(names, NameSet):
            names = NameSet(names)
        pattern, lengths = firsts or names.pattern, names.lengths
        for m in pattern.finditer(text):
            i = m.start()
            for n in lengths:
                if text[i : i + n] in names and not part_of_a_place(text, i + n):
                    found.append(Finding("name", i, i + n, text[i : i + n], mask_name(text[i : i + n])))
                    break
    return merge(found)


def first_chars(names: Iterable[str]) -> re.Pattern[str]:
    return re.compile("[" + re.escape("".join(sorted({n[0] for n in names if n}))) + "]")


def merge(*lists: list[Finding]) -> list[Finding]:
    """Findings of several detectors as one ordered, non-overlapping list."""
    out: list[Finding] = []
    for f in sorted((f for fs in lists for f in fs), key=lambda f: (f.start, -f.end)):
        if not out or f.start >= out[-1].end:
            out.append(f)
    return out
