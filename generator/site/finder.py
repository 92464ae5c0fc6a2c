"""Finding one's place: communities grouped by subdistrict, ordered as residents read
them (by pinyin), cut into pages of whole subdistricts, with pinyin initials for the
type-ahead. Computed once per build by :meth:`ViewBuilder.finder_groups`.

Two taps reach every community from the home page: with few communities the home page
lists them all (a ``<details>`` per subdistrict: open it, tap the community); with many
it links to each page of the communities index, which lists its communities directly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from pypinyin import Style, lazy_pinyin

# Communities per page of the communities index: whole subdistricts are never split, so a
# page holds at most this many unless one subdistrict alone has more.
PAGE_COMMUNITIES = 200
# Up to this many communities the home page lists every one of them (about 60 bytes
# each: 300 keep the home page well inside its weight budget).
HOME_LIST_LIMIT = 300

_NOT_LETTER = re.compile(r"[^0-9a-z]")

# (subdistrict id or None for communities without one, [community ids]) of one index page
Group = tuple[str | None, list[str]]


def initials(name: str) -> str:
    """Pinyin initials of a name, lower case: 青禾社区 -> qhsq (letters and digits kept)."""
    return _NOT_LETTER.sub("", "".join(lazy_pinyin(name, style=Style.FIRST_LETTER)).lower())


def sort_key(name: str, ident: str) -> tuple[str, str]:
    """By full pinyin, then id: the order of a printed directory."""
    return (" ".join(lazy_pinyin(name)).lower(), ident)


def paginate(groups: list[Group], per_page: int = PAGE_COMMUNITIES) -> list[list[Group]]:
    """Whole groups into pages of about ``per_page`` communities (at least one page)."""
    pages: list[list[Group]] = [[]]
    count = 0
    for g in groups:
        if pages[-1] and count + len(g[1]) > per_page:
            pages.append([])
            count = 0
        pages[-1].append(g)
        count += len(g[1])
    return pages


def groups(
    names: Mapping[str, str], parents: Mapping[str, str], subdistricts: list[str], communities: list[str]
) -> list[list[Group]]:
    """The pages of the communities index: ``names`` and ``parents`` by area id."""
    by_sub: dict[str | None, list[str]] = {s: [] for s in subdistricts}
    for c in communities:
        parent = parents.get(c)
        by_sub.setdefault(parent if parent in by_sub else None, []).append(c)
    order = sorted(subdistricts, key=lambda s: sort_key(names[s], s))
    out: list[Group] = [(s, sorted(by_sub[s], key=lambda c: sort_key(names[c], c))) for s in order]
    if by_sub.get(None):
        out.append((None, sorted(by_sub[None], key=lambda c: sort_key(names[c], c))))
    return paginate(out)
