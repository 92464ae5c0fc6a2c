"""The search index: Pagefind's extended build, fed with records the build already has.

Pagefind (npm ``pagefind``, whose ``pagefind_extended`` binary segments Chinese) is run as
a service (``pagefind_extended --service``: base64 JSON messages separated by commas on
stdin/stdout, the protocol of its Node API) and given one *custom record* per searchable
page: projects, subdistricts and communities, units, ranges of demand numbers (masked
summaries only) and news. The records are made from the published view-models, not by
reading HTML back, and their text goes through the privacy scan before Pagefind sees it;
the index holds nothing the scanned pages do not show.

Incremental builds: Pagefind cannot update an index, only build one (its fragment and
index files are named by their content, so a record that did not change keeps its file).
So the build makes the records (cheap), and only when a bundle's records' digest differs
from the one the last build recorded does it build that bundle again (there are two: the
demands' summaries, and everything else); :class:`SiteWriter` then
writes only the files whose bytes changed, and files that are no longer produced are
removed with the commit. Pagefind's output for the same records is byte-identical
(``tests/test_search.py``), so an incremental build equals a full one.
"""

from __future__ import annotations

import base64
import hashlib
import html
import io
import json
import os
import re
import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from generator.catalog import ZH
from generator.output.folder import file_for
from generator.privacy.mask import KIND_LABELS, allowed_in, contact_values, scan_bytes
from generator.problems import GongshiError
from generator.schema import PROJECTS
from generator.site.lookup import range_url
from generator.timing import phase

if TYPE_CHECKING:
    from generator.output.folder import SiteWriter
    from generator.site.views import Link, ViewBuilder

BUNDLE = "pagefind/"
# The demands' summaries go into a bundle of their own, merged into the main one in the
# browser (Pagefind's mergeIndex): two Pagefind runs of half the size each need half the
# memory (at city size one run over everything takes ~3 GB), and a change to the demands
# or to the projects rebuilds only its own bundle.
DEMANDS_BUNDLE = "pagefind-demands/"
BUNDLES = (BUNDLE, DEMANDS_BUNDLE)
LANGUAGE = "zh-cn"
BINARY = "pagefind_extended"
# (filter key in the index, label on the search page), in display order.
FILTERS: tuple[tuple[str, str], ...] = (
    ("kind", ZH["search_kind"]),
    ("subdistrict", ZH["subdistricts"]),
    ("community", ZH["communities_title"]),
    ("status", ZH["search_status"]),
    ("category", PROJECTS.column("category").label),
    ("light", PROJECTS.column("status_light").label),
)
# Pagefind's own ready-made interfaces: the site has its own (search.js), so these are
# not published.
_UNUSED = re.compile(r"pagefind-(ui|modular-ui|component-ui|highlight)\.(js|css)$")
_TAGS = re.compile(r"<[^>]+>")
_SPACES = re.compile(r"\s+")
REPO = Path(__file__).resolve().parents[2]


class SearchIndexError(GongshiError):
    """Pagefind is missing or failed."""


def find_binary(root: Path = REPO) -> str | None:
    """``pagefind_extended`` from ``node_modules`` (``npm ci``), else from PATH."""
    env = os.environ.get("GONGSHI_PAGEFIND")
    if env:
        return env
    for base in (root, Path.cwd()):
        for found in sorted((base / "node_modules" / "@pagefind").glob(f"*/bin/{BINARY}")):
            if os.access(found, os.X_OK):
                return str(found)
    return shutil.which(BINARY)


def missing_message() -> str:
    return (
        "找不到站内搜索的索引工具 pagefind_extended。请在项目目录运行 `npm ci`（或 `npm install pagefind`）"
        "安装后重新生成；也可把 pagefind_extended 放到 PATH 中，或用环境变量 GONGSHI_PAGEFIND 指明它的位置。"
    )


# ---------------------------------------------------------------- records


def _text(*parts: object) -> str:
    return _SPACES.sub(" ", " ".join(str(p) for p in parts if p)).strip()


def _record(url: str, title: str, content: str, filters: dict[str, Sequence[str]]) -> dict[str, Any]:
    return {
        "url": url,
        "content": content,
        "language": LANGUAGE,
        "meta": {"title": title},
        "filters": {k: sorted({v for v in values if v}) for k, values in filters.items() if any(values)},
    }


def records(b: ViewBuilder, news: Iterable[tuple[Link, str]] = ()) -> list[dict[str, Any]]:
    """Every search record, in a fixed order (the index depends on it). ``news``: each
    article's link and its HTML body."""
    from generator.site.pages.demand_range import range_title

    out: list[dict[str, Any]] = []
    parent_name = {c: b.area_link(b.area(c).parent).text for c in b.community_ids() if b.is_area(b.area(c).parent)}
    for pid in b.project_ids():
        p = b.project_row(pid)
        cids = b.project(pid).communities
        communities = [b.area_link(c).text for c in cids]
        subs = [parent_name.get(c, "") for c in cids]
        out.append(
            _record(
                p.url,
                p.title,
                _text(p.title, p.id, p.category, *communities, p.lead_unit.text, p.status.label, p.outcome),
                {
                    "kind": [ZH["search_kind_project"]],
                    "subdistrict": subs,
                    "community": communities,
                    "status": [p.status.label],
                    "category": [p.category],
                    "light": [p.status.light_label],
                },
            )
        )
    for sid in b.subdistrict_ids():
        link = b.area_link(sid)
        out.append(_record(link.url, link.text, link.text, {"kind": [ZH["subdistricts"]], "subdistrict": [link.text]}))
    for cid in b.community_ids():
        link = b.area_link(cid)
        sub = parent_name.get(cid, "")
        out.append(
            _record(
                link.url,
                link.text,
                _text(link.text, sub),
                {"kind": [ZH["communities_title"]], "subdistrict": [sub], "community": [link.text]},
            )
        )
    for uid in b.unit_ids():
        link = b.unit_link(uid)
        out.append(_record(link.url, link.text, _text(link.text, b.unit(uid).kind), {"kind": [ZH["unit"]]}))
    parent_by_url = {b.area_link(c).url: name for c, name in parent_name.items()}
    for rkey, positions in b.demand_ranges().items():
        rows = [b.demand_row(n) for n in positions]
        communities = [d.community.text for d in rows]
        out.append(
            _record(
                range_url(rkey),
                range_title(rows[0].id, rows[-1].id),
                _text(*(f"{d.id} {d.summary}" for d in rows)),
                {
                    "kind": [ZH["search_kind_demand"]],
                    "community": communities,
                    "subdistrict": [parent_by_url.get(d.community.url, "") for d in rows],
                    "category": [d.category for d in rows],
                },
            )
        )
    for link, body in news:
        text = html.unescape(_TAGS.sub(" ", body))
        out.append(_record(link.url, link.text, _text(link.text, text), {"kind": [ZH["news"]]}))
    return out


def bundle_of(record: dict[str, Any]) -> str:
    return DEMANDS_BUNDLE if record["filters"]["kind"] == [ZH["search_kind_demand"]] else BUNDLE


def records_digest(recs: list[dict[str, Any]], binary_version: str) -> str:
    h = hashlib.blake2b(digest_size=16)
    h.update(binary_version.encode() + b"\0")
    h.update(json.dumps(recs, ensure_ascii=False, sort_keys=True).encode("utf-8"))
    return h.hexdigest()


def scan_records(recs: list[dict[str, Any]], allowed) -> list[tuple[str, str, str]]:
    """Personal data in what would be indexed: (the file of the page the record stands
    for, kind, value). A record's text is its page's text, so the finding names that page
    (and is traced to the cell or the content line it came from)."""
    findings = []
    for r in recs:
        text = json.dumps([r["content"], r["meta"], r["filters"]], ensure_ascii=False).encode("utf-8")
        findings += [(file_for(r["url"]), KIND_LABELS[k], s) for k, s in scan_bytes(text, allowed)]
    return findings


# ---------------------------------------------------------------- Pagefind as a service


def binary_version(binary: str) -> str:
    try:
        done = subprocess.run([binary, "--version"], capture_output=True, text=True, timeout=60, check=True)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SearchIndexError(f"无法运行站内搜索的索引工具 {binary}：{exc}。{missing_message()}") from exc
    return done.stdout.strip()


def run_pagefind(binary: str, recs: list[dict[str, Any]]) -> dict[str, bytes]:
    """Index ``recs`` in one Pagefind service process; {path in the bundle: bytes}."""
    messages: list[dict[str, Any]] = [{"type": "NewIndex", "config": {"force_language": LANGUAGE}}]
    messages += [{"type": "AddRecord", "index_id": 0, **r} for r in recs]
    messages.append({"type": "GetFiles", "index_id": 0})
    # Run in an empty folder: Pagefind reads pagefind.yml / .json / .toml from its working
    # folder and stops at one it does not understand (a site folder may well have one).
    with tempfile.TemporaryDirectory(prefix="gongshi-pagefind-") as empty:
        return _run_service(binary, messages, empty)


def _run_service(binary: str, messages: list[dict[str, Any]], cwd: str) -> dict[str, bytes]:
    try:
        proc = subprocess.Popen([binary, "--service"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd=cwd)
    except OSError as exc:
        raise SearchIndexError(f"无法运行站内搜索的索引工具 {binary}：{exc}。{missing_message()}") from exc
    assert proc.stdin is not None and proc.stdout is not None
    stdin, stdout = proc.stdin, proc.stdout
    assert isinstance(stdout, io.BufferedReader)

    def send() -> None:
        # Written from a thread while the answers are read: neither pipe can fill up.
        # stdin stays open until every answer is in (the service stops at end of input).
        try:
            for i, m in enumerate(messages, 1):
                stdin.write(base64.b64encode(json.dumps({"message_id": i, "payload": m}).encode()) + b",")
            stdin.flush()
        except OSError:
            pass  # the service stopped; reported below

    writer = threading.Thread(target=send, daemon=True)
    writer.start()
    answers: dict[int, dict[str, Any]] = {}
    pending: list[bytes] = []  # the start of a message whose end has not arrived yet
    try:
        while len(answers) < len(messages):
            chunk = stdout.read1(1 << 20)
            if not chunk:
                break
            # Only the new chunk is searched: the last answer (the files) is hundreds of MB
            # at city size, and splitting the whole buffer again per chunk is quadratic.
            *parts, rest = chunk.split(b",")
            if parts:
                parts[0] = b"".join((*pending, parts[0]))
                pending = []
            pending.append(rest)
            for part in parts:
                message = json.loads(base64.b64decode(part))
                payload = message.get("payload", {})
                if payload.get("type") == "Error":
                    raise SearchIndexError(f"生成站内搜索索引失败：{payload.get('message', '')}")
                answers[message.get("message_id", 0)] = payload
    finally:
        writer.join()
        try:
            stdin.close()
        except OSError:
            pass  # the service stopped early: said below
        proc.kill()
        proc.wait()
    files = answers.get(len(messages), {})
    if files.get("type") != "GetFiles":
        raise SearchIndexError("生成站内搜索索引失败：索引工具没有返回结果。请确认 pagefind 为 1.x 版本（`npm ci`）。")
    return {f["path"]: base64.b64decode(f["content"]) for f in files["files"] if not _UNUSED.search(f["path"])}


def index_files(
    builder: ViewBuilder,
    news: list[tuple[Link, str]],
    writer: SiteWriter,
    previous: dict[str, str],
    live: Path,
) -> tuple[dict[str, str], int, int, list[tuple[str, str, str]]]:
    """Write the search index when its records changed since the build in ``live``
    (``previous``: that build's file digests). Returns, like the downloads, ({every file
    of the bundle: digest}, files changed, bytes written, privacy findings)."""
    with phase("search index"):
        binary = find_binary()
        if binary is None:
            raise SearchIndexError(missing_message())
        recs = records(builder, news)
        findings = scan_records(recs, allowed_in(builder.ds.settings, contact_values(builder.ds)))
        if findings:
            return {}, 0, 0, findings
        version = binary_version(binary)
        out: dict[str, str] = {}
        changed = written = 0
        for bundle in BUNDLES:
            part = [r for r in recs if bundle_of(r) == bundle]
            digest = records_digest(part, version)
            # Each file of a bundle records its records' digest and how many files the
            # bundle has: a file edited or deleted by hand (left out of ``previous``) makes
            # the count differ, and the whole bundle is built again.
            kept = {p: d for p, d in previous.items() if p.startswith(bundle)}
            mark = f"{digest}/{len(kept)}"
            if kept and all(d == mark for d in kept.values()) and all(os.path.exists(f"{live}/{p}") for p in kept):
                out.update(kept)
                continue
            files = run_pagefind(binary, part)
            before = writer.changed_bytes
            changed += sum(writer.write_bytes(bundle + path, data) for path, data in sorted(files.items()))
            written += writer.changed_bytes - before
            out.update(dict.fromkeys((bundle + p for p in files), f"{digest}/{len(files)}"))
        return dict(sorted(out.items())), changed, written, []
