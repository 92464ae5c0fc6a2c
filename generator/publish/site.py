"""Checking a built site before it goes live, and the SHA-256 of every file in it.

Nothing reaches a target unless every check here passes: internal links and assets
resolve to files of the same site, every page parses, declares its language and title
and shows the as-of date (数据截止日期) of the data, the personal-data scan is clean, and
the page-weight budgets hold. Each problem is reported with the file and the fix.
"""

from __future__ import annotations

import functools
import hashlib
import html
import os
import posixpath
import re
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from generator.output.folder import walk
from generator.problems import GongshiError, PrivacyLeak

# Elements without an end tag, and elements whose end tag HTML lets authors leave out:
# the well-formedness check only fails on end tags that close nothing and on elements
# that must be closed but never are.
VOID = frozenset("area base br col embed hr img input link meta source track wbr".split())
OPTIONAL_END = frozenset("p li dt dd tr td th thead tbody tfoot option optgroup colgroup rt rp caption".split())
LINK_ATTRS = frozenset({"href", "src", "poster", "data"})
CSS_URL = re.compile(r"""url\(\s*['"]?([^'")]+)['"]?\s*\)""")


@dataclass(frozen=True)
class Budgets:
    """The page weights every release must hold (tests/test_incremental.py pins the same)."""

    page: int = 200 * 1024  # any HTML page
    home: int = 60 * 1024  # index.html
    # Per file of theme/: a page loads one stylesheet (site.css; embeds and notice sheets
    # their own smaller one) and a few small scripts.
    css: int = 40 * 1024  # each theme/**/*.css (site.css: 32 KB, about 8 KB as sent with gzip)
    js: int = 30 * 1024  # each theme/**/*.js


class SiteRejected(GongshiError):
    """The built site failed a check; nothing was published."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        shown = "\n".join(f"  {p}" for p in problems[:30])
        more = f"\n  ……共 {len(problems)} 个问题" if len(problems) > 30 else ""
        super().__init__(f"发布前检查未通过，未发布任何内容，线上网站保持不变：\n{shown}{more}")


def sha256_file(path: Path | str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def hash_files(root: Path) -> dict[str, str]:
    """{relative path: SHA-256} of every published file below ``root``."""
    return {rel: sha256_file(root / rel) for rel in sorted(walk(root))}


def stage(output: Path, staging: Path) -> None:
    """A private copy of a built site, made of hard links (a copy where linking fails):
    a later build of the output folder replaces its files, never the linked inodes."""
    if staging.exists():
        shutil.rmtree(staging)
    for rel in walk(output):
        dst = staging / rel
        dst.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(output / rel, dst)
        except OSError:
            shutil.copy2(output / rel, dst)


# One regular expression over the page instead of html.parser: about ten times faster,
# which matters at a province's 500,000 pages. Comments and raw-text elements are skipped
# whole; attribute values are unescaped.
_TOKENS = re.compile(
    r"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<![^>]*>|<\?[^>]*>"
    r"|<(script|style)\b([^>]*)>.*?</\1\s*>"
    r"|<(/?)([A-Za-z][A-Za-z0-9-]*)((?:[^>\"']+|\"[^\"]*\"|'[^']*')*)>",
    re.S | re.I,
)
_ATTR = re.compile(r"""([^\s"'>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_TITLE = re.compile(r"<title\b[^>]*>(.*?)</title\s*>", re.S | re.I)


def _attrs(text: str) -> dict[str, str]:
    found = _ATTR.finditer(text)
    return {m.group(1).lower(): html.unescape(m.group(2) or m.group(3) or m.group(4) or "") for m in found}


class _Page:
    """What the checks need from one HTML page: links, language, title, the as-of
    dates shown, and structural errors (end tags that close nothing, elements never closed)."""

    def __init__(self, text: str) -> None:
        self.links: list[str] = []
        self.lang = ""
        self.seen_html = False
        self.as_of: list[str] = []
        self.errors: list[str] = []
        title = _TITLE.search(text)
        self.title = html.unescape(title.group(1)) if title else ""
        stack: list[str] = []
        as_of_depth = 0  # the element depth of an open <p class="as-of">, 0 if none
        for m in _TOKENS.finditer(text):
            raw_tag, closing, name, attr_text = m.group(1), m.group(3), m.group(4), m.group(5)
            if raw_tag is not None:  # <script>/<style> with their content
                self._links(raw_tag.lower(), _attrs(m.group(2) or ""))
                continue
            if name is None:  # comment, doctype, processing instruction
                continue
            tag = name.lower()
            if closing:
                if tag in VOID:
                    continue
                if tag not in stack:
                    if tag not in OPTIONAL_END:
                        self.errors.append(f"多余的结束标签 </{tag}>")
                    continue
                while stack:
                    top = stack.pop()
                    if top == tag:
                        break
                    if top not in OPTIONAL_END:
                        self.errors.append(f"<{top}> 没有结束标签（在 </{tag}> 之前）")
                if as_of_depth > len(stack):
                    as_of_depth = 0
                continue
            self_closing = attr_text.endswith("/")
            # Only tags that can carry what is checked have their attributes read.
            wanted = tag in ("html", "p", "time") or any(a in attr_text for a in ("src", "href", "data", "poster"))
            values = _attrs(attr_text[:-1] if self_closing else attr_text) if wanted else {}
            if tag == "html":
                self.seen_html = True
                self.lang = values.get("lang", "")
            self._links(tag, values)
            if as_of_depth and tag == "time":
                self.as_of.append(values.get("datetime", ""))
            if tag in VOID:
                continue
            if self_closing:
                self.errors.append(f"<{tag}/> 不是合法的自闭合元素")
                continue
            # A new block closes an open <p> (and a new <li> the previous one), as browsers do.
            while stack and stack[-1] in OPTIONAL_END and _implicitly_closed(stack[-1], tag):
                stack.pop()
                if as_of_depth > len(stack):
                    as_of_depth = 0
            stack.append(tag)
            if tag == "p" and "as-of" in values.get("class", "").split():
                as_of_depth = len(stack)
        unclosed = [t for t in stack if t not in OPTIONAL_END and t not in ("html", "head", "body")]
        if unclosed:
            self.errors.append(f"未结束的元素：{'、'.join(f'<{t}>' for t in unclosed)}")

    def _links(self, tag: str, values: dict[str, str]) -> None:
        self.links += [values[name] for name in LINK_ATTRS & values.keys()]
        if "srcset" in values:
            self.links += [part.split()[0] for part in values["srcset"].split(",") if part.split()]


_BLOCKS = frozenset(
    "address article aside blockquote details div dl fieldset figcaption figure footer form h1 h2 h3 h4 h5 h6 "
    "header hr main nav ol p pre section table ul".split()
)


def _implicitly_closed(open_tag: str, new_tag: str) -> bool:
    if open_tag == "p":
        return new_tag in _BLOCKS
    if open_tag == "li":
        return new_tag == "li"
    if open_tag in ("dt", "dd"):
        return new_tag in ("dt", "dd")
    if open_tag in ("td", "th"):
        return new_tag in ("td", "th", "tr")
    if open_tag == "tr":
        return new_tag == "tr"
    if open_tag == "option":
        return new_tag in ("option", "optgroup")
    return False


def _target(page: str, link: str) -> str | None:
    """The file an internal link of ``page`` points to (relative to the site root); None
    for external links, fragments, and schemes that are not files."""
    link = link.strip()
    if not link or link.startswith("#"):
        return None
    parts = urlsplit(link)
    if parts.scheme or parts.netloc:  # http:, mailto:, data:, tel:, //host/...
        return None
    path = unquote(parts.path)
    if not path:
        return None
    base = "" if path.startswith("/") else posixpath.dirname(page)
    resolved = posixpath.normpath(posixpath.join("/", base, path.lstrip("/") if path.startswith("/") else path))
    rel = resolved.lstrip("/")
    if path.endswith("/") or rel in ("", "."):
        rel = f"{rel}/index.html" if rel not in ("", ".") else "index.html"
    return rel


def check_site(
    root: Path,
    files: Iterable[str],
    as_of: str,
    budgets: Budgets | None = None,
    jobs: int = 1,
    parallel_from: int = 2000,
    added: Iterable[str] = (),
    allowed: frozenset[str] = frozenset(),
) -> None:
    """Raise :class:`SiteRejected` (or :class:`PrivacyLeak`) unless the site at ``root``
    may go live. ``files`` lists every file (relative paths), ``as_of`` is the ISO date
    every page must show. From ``parallel_from`` pages on, ``jobs`` processes read them.
    ``added``: files the release will add after this check (its record), links to them
    are not broken. ``allowed``: values published on purpose (privacy.mask.allowed_in),
    not personal data."""
    present = set(files) | set(added)
    folders = {posixpath.dirname(f) for f in present}
    pages = sorted(f for f in present if os.path.splitext(f)[1].lower() in (".html", ".css"))
    check = functools.partial(_check_pages, root, as_of=as_of)
    if jobs > 1 and len(pages) >= parallel_from:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        size = max(len(pages) // (jobs * 4), 1)
        chunks = [pages[i : i + size] for i in range(0, len(pages), size)]
        with ProcessPoolExecutor(jobs, mp_context=multiprocessing.get_context("fork")) as pool:
            results = list(pool.map(check, chunks))
    else:
        results = [check(pages)]
    problems: list[str] = []
    targets: dict[str, tuple[str, str, int]] = {}
    for found, linked in results:  # in page order: the first page naming a file is reported
        problems += found
        for target, (rel, link, n) in linked.items():
            first = targets.get(target)
            targets[target] = (first[0], first[1], first[2] + n) if first else (rel, link, n)
    for target, (rel, link, n) in sorted(targets.items(), key=lambda item: item[1][0]):
        if target in present:
            continue
        if target.rstrip("/") in folders and f"{target.rstrip('/')}/index.html" in present:
            continue  # a folder link without the trailing slash: the server redirects
        more = f"（另有 {n - 1} 处链接到它）" if n > 1 else ""
        problems.append(f"{rel}：链接“{link}”指向的文件 {target} 不存在{more}。请修改链接，或补上该文件。")
    problems += _weights(root, present, budgets or Budgets())
    if problems:
        raise SiteRejected(problems)
    from generator.privacy.mask import scan_output

    findings = scan_output(root, allowed=allowed)
    if findings:
        raise PrivacyLeak(findings)


def _check_pages(root: Path, rels: list[str], as_of: str) -> tuple[list[str], dict[str, tuple[str, str, int]]]:
    """The problems of some pages and stylesheets, and every file they link to (with the
    first page and link naming it, and how often it is named)."""
    problems: list[str] = []
    targets: dict[str, tuple[str, str, int]] = {}
    for rel in rels:
        text = (root / rel).read_text(encoding="utf-8", errors="replace")
        if rel.lower().endswith(".css"):
            links = CSS_URL.findall(text)
        else:
            page = _Page(text)
            links = page.links
            if not page.seen_html or not page.lang:
                problems.append(f'{rel}：缺少 <html lang>。请在模板的 <html> 标签上写明语言，如 lang="zh-CN"。')
            if not page.title.strip():
                problems.append(f"{rel}：缺少 <title> 或标题为空。请在模板中为这类页面设置标题。")
            if as_of not in page.as_of:
                shown = "、".join(page.as_of) or "无"
                problems.append(
                    f"{rel}：没有显示数据截止日期 {as_of}（页面上为：{shown}）。"
                    '请让模板继承 base.html，其中的 <p class="as-of"> 显示数据截止日期。'
                )
            problems += [f"{rel}：HTML 结构有误：{e}。请修改生成它的模板或内容。" for e in page.errors[:5]]
        for link in links:
            target = _target(rel, link)
            if target is None:
                continue
            first = targets.get(target)
            targets[target] = (first[0], first[1], first[2] + 1) if first else (rel, link, 1)
    return problems, targets


def _weights(root: Path, files: set[str], budgets: Budgets) -> list[str]:
    problems = []
    for rel in sorted(f for f in files if f.endswith(".html")):
        size = (root / rel).stat().st_size
        limit = budgets.home if rel == "index.html" else budgets.page
        if size >= limit:
            problems.append(f"{rel}：页面 {size // 1024} KB，超过 {limit // 1024} KB 的上限。请分页或精简这一页。")
    for ext, limit in ((".css", budgets.css), (".js", budgets.js)):
        for rel in sorted(f for f in files if f.startswith("theme/") and f.endswith(ext)):
            size = (root / rel).stat().st_size
            if size >= limit:
                problems.append(f"{rel}：{size // 1024} KB，超过 {limit // 1024} KB 的上限。请精简样式或脚本。")
    return problems
