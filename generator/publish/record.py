"""The public record of releases (发布记录): manifests in a hash chain, and what changed.

Every release publishes, next to its pages (a small JSON API that anyone can mirror):

- ``release.json``: this release's manifest — its id, the as-of date of the data, the
  SHA-256 of every published file and of each list's download, and the id and SHA-256 of
  the previous release's manifest (a chain);
- ``manifests/<id>.json``: the manifest of this and of every earlier release in the
  chain, byte for byte, so the chain can be checked from the public site alone;
- ``releases.json``: the chain, newest first: id, as-of date, the manifest's SHA-256 and
  how many items each list gained, changed and lost;
- ``changes/<id>.json``: per list, the items added, the fields changed (old → new) and the
  items withdrawn (撤回, with their last published content) since the previous release;
- ``history.json``: per list and item, every release that added, changed or withdrew it
  (what a project page's change history shows).

:func:`verify_site` checks a deployed site or a mirror against all of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

FORMAT = "gongshi-release/1"
RELEASE = "release.json"
RELEASES = "releases.json"
HISTORY = "history.json"
RECORD_PAGES = "records/"  # the 发布记录 pages (site/pages/records.py), built for one release
LISTS = {"demands": "id", "projects": "id", "results": "project"}  # list -> the field naming an item
IGNORED_FIELDS = frozenset({"url"})  # derived from the id: never a change of its own
# The record's own files: not listed in the manifest they are part of (it cannot hash
# itself; releases.json names its hash instead).
SELF = frozenset({RELEASE, RELEASES})


def download(name: str) -> str:
    return f"downloads/{name}.json"


def manifest_path(release_id: str) -> str:
    return f"manifests/{release_id}.json"


def changes_path(release_id: str) -> str:
    return f"changes/{release_id}.json"


def record_files(previous: dict[str, Any] | None) -> list[str]:
    """The files of the live release's record that the next release carries forward."""
    if previous is None:
        return []
    kept = sorted(f for f in previous.get("files", {}) if f.startswith(("manifests/", "changes/")))
    return [*kept, manifest_path(previous["id"])]


def site_files(files: dict[str, str]) -> dict[str, str]:
    """A manifest's files without the record's own (what the build produced)."""
    return {p: d for p, d in files.items() if not p.startswith(("manifests/", "changes/")) and p != HISTORY}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def dumps(doc: object) -> bytes:
    return (json.dumps(doc, ensure_ascii=False, indent=1, sort_keys=False) + "\n").encode("utf-8")


def new_release_id(existing: Iterable[str], now: dt.datetime | None = None) -> str:
    """A release id that sorts after every existing one: UTC time and a counter.

    Ids sort in publishing order, so "one release back" needs no other record; a second
    release within the same second (or after the clock went back) takes the next counter.
    """
    now = now or dt.datetime.now(dt.UTC)
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    newest = max((e for e in existing if is_release_id(e) and len(e) == len(stamp) + 3), default="")
    if newest[: len(stamp)] >= stamp:
        stamp, count = newest[: len(stamp)], int(newest[len(stamp) + 1 :]) + 1
    else:
        count = 1
    if count > 99:
        raise ValueError("同一秒内发布次数过多")
    return f"{stamp}-{count:02d}"


_RELEASE_ID = re.compile(r"\d{8}T\d{6}Z-\d+")


def is_release_id(name: str) -> bool:
    """A release folder's name; also the ``<time>-<pid>`` names the old publish.sh gave,
    so releases made before gongshi publish can still be rolled back to."""
    return _RELEASE_ID.fullmatch(name) is not None


# ---------------------------------------------------------------- changes in the lists


def _rows(doc: bytes | None, key: str) -> dict[str, dict[str, Any]]:
    if doc is None:
        return {}
    try:
        rows = json.loads(doc).get("rows", [])
    except (ValueError, AttributeError):
        return {}
    return {str(r[key]): r for r in rows if isinstance(r, dict) and key in r}


def list_changes(old: bytes | None, new: bytes | None, key: str) -> dict[str, list[dict[str, Any]]]:
    """Items added, changed (field: [old, new]) and withdrawn between two downloads."""
    before, after = _rows(old, key), _rows(new, key)
    changed = []
    for item in sorted(before.keys() & after.keys()):
        a, b = before[item], after[item]
        fields = {
            f: [a.get(f), b.get(f)]
            for f in sorted(a.keys() | b.keys() - IGNORED_FIELDS)
            if f not in IGNORED_FIELDS and a.get(f) != b.get(f)
        }
        if fields:
            changed.append({"id": item, "fields": fields})
    return {
        "added": [{"id": i, "item": after[i]} for i in sorted(after.keys() - before.keys())],
        "changed": changed,
        "withdrawn": [{"id": i, "item": before[i]} for i in sorted(before.keys() - after.keys())],
    }


def _as_of(doc: bytes | None) -> str | None:
    try:
        value = json.loads(doc or b"").get("as_of")
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


# ---------------------------------------------------------------- the record of one release


@dataclass
class Previous:
    """What the live release publishes about itself (all None/empty for a first release)."""

    manifest: dict[str, Any] | None = None
    manifest_bytes: bytes = b""
    releases: list[dict[str, Any]] = field(default_factory=list)
    history: dict[str, Any] = field(default_factory=dict)
    downloads: dict[str, bytes | None] = field(default_factory=dict)

    @classmethod
    def read(cls, get: Callable[[str], bytes | None]) -> Previous:
        """The live release's record, through ``get(path) -> bytes or None``."""
        raw = get(RELEASE)
        if raw is None:
            return cls()
        manifest = json.loads(raw)
        releases = json.loads(get(RELEASES) or b"[]")
        history = json.loads(get(HISTORY) or b"{}")
        return cls(manifest, raw, releases, history, {name: get(download(name)) for name in LISTS})

    @property
    def id(self) -> str | None:
        return self.manifest["id"] if self.manifest else None


@dataclass
class Record:
    """The record files of a new release (path -> bytes), written into its folder."""

    release_id: str
    files: dict[str, bytes]
    manifest: dict[str, Any]
    summary: dict[str, dict[str, int]]


def make_record(
    release_id: str,
    site: Path,
    hashes: dict[str, str],
    previous: Previous,
    carried: dict[str, bytes],
    now: dt.datetime | None = None,
    inputs: str | None = None,
) -> Record:
    """The record of a new release of the site at ``site`` (file hashes ``hashes``).

    ``carried``: the earlier releases' manifests and change files, read from the live
    release (kept in every release, so the whole chain stays public)."""
    now = now or dt.datetime.now(dt.UTC)
    downloads = {name: _read(site / download(name)) for name in LISTS}
    changes, history, summary, as_of = _changes(release_id, previous, downloads)
    files: dict[str, bytes] = dict(carried)
    files[changes_path(release_id)] = dumps(changes)
    files[HISTORY] = dumps(history)
    all_hashes = {**hashes, **{p: sha256(b) for p, b in files.items()}}
    manifest = {
        "format": FORMAT,
        "id": release_id,
        "published_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "as_of": as_of,
        "previous": previous.id,
        "previous_manifest": sha256(previous.manifest_bytes) if previous.manifest else None,
        # The digest of everything the release was built from (data, content, theme,
        # settings, code): the next publish of the same inputs makes no release.
        "inputs": inputs,
        "lists": {name: all_hashes.get(download(name)) for name in LISTS},
        "files": dict(sorted(all_hashes.items())),
    }
    raw = dumps(manifest)
    files[manifest_path(release_id)] = raw
    files[RELEASE] = raw
    entry = {
        "id": release_id,
        "published_at": manifest["published_at"],
        "as_of": as_of,
        "manifest": sha256(raw),
        "previous": previous.id,
        "changes": summary,
    }
    files[RELEASES] = dumps([entry, *previous.releases])
    return Record(release_id, files, manifest, summary)


def _changes(
    release_id: str, previous: Previous, downloads: dict[str, bytes | None]
) -> tuple[dict[str, Any], dict[str, Any], dict[str, dict[str, int]], str | None]:
    """This release's changes document, the extended history, the summary and the as-of
    date, from the lists' downloads (``downloads/<list>.json``) against the live ones."""
    lists = {name: list_changes(previous.downloads.get(name), downloads.get(name), key) for name, key in LISTS.items()}
    summary = {name: {kind: len(items) for kind, items in c.items()} for name, c in lists.items()}
    as_of = next((a for a in map(_as_of, downloads.values()) if a), None)
    changes = {
        "release": release_id,
        "previous": previous.id,
        "as_of": as_of,
        "previous_as_of": previous.manifest.get("as_of") if previous.manifest else None,
        "lists": lists,
    }
    return changes, _extend_history(previous.history, release_id, as_of, lists), summary, as_of


@dataclass(frozen=True)
class Upcoming:
    """The release a publish is about to make, as its build needs it: the live record
    (``previous``, and ``carried``: the earlier releases' change files) and the new id and
    time. The build adds this release's changes from its own lists."""

    release_id: str
    now: dt.datetime
    previous: Previous = field(default_factory=Previous)
    carried: dict[str, bytes] = field(default_factory=dict)

    def fingerprint(self) -> str:
        return f"{self.release_id} {self.previous.id} {sha256(self.previous.manifest_bytes)}"

    def record(self, downloads: dict[str, bytes | None]) -> dict[str, Any]:
        """releases, changes (id -> document) and history, this release included, as the
        public record will hold them once it is made (see :func:`make_record`)."""
        changes, history, summary, as_of = _changes(self.release_id, self.previous, downloads)
        entry = {
            "id": self.release_id,
            "published_at": self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            "as_of": as_of,
            "previous": self.previous.id,
            "changes": summary,
        }
        earlier = {}
        for e in self.previous.releases:
            raw = self.carried.get(changes_path(e.get("id", "")))
            if raw is not None:
                try:
                    earlier[e["id"]] = json.loads(raw)
                except ValueError:
                    pass
        return {
            "releases": [entry, *self.previous.releases],
            "changes": {**earlier, self.release_id: changes},
            "history": history,
        }


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def _extend_history(history: dict[str, Any], release_id: str, as_of: str | None, lists: dict) -> dict[str, Any]:
    out: dict[str, Any] = {name: dict(history.get(name, {})) for name in LISTS}
    for name, changes in lists.items():
        for kind, items in changes.items():
            for item in items:
                event: dict[str, Any] = {"release": release_id, "as_of": as_of, "change": kind}
                if kind == "changed":
                    event["fields"] = item["fields"]
                out[name][item["id"]] = [*out[name].get(item["id"], []), event]
        out[name] = dict(sorted(out[name].items()))
    return out


# ---------------------------------------------------------------- checking a deployed site


@dataclass
class Verdict:
    checked: int = 0
    problems: list[str] = field(default_factory=list)
    release: str | None = None
    chain: int = 0

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_site(get: Callable[[str], bytes | None], listing: Iterable[str] | None = None, jobs: int = 8) -> Verdict:
    """Check a deployed site or a mirror: every file against the release manifest, the
    manifest against the chain of earlier manifests. ``get(path)`` returns a file's bytes
    (None if missing); ``listing`` (a folder's files) also finds files nobody published."""
    verdict = Verdict()
    raw = get(RELEASE)
    if raw is None:
        verdict.problems.append(f"缺少 {RELEASE}：这不是 Gongshi 发布的网站，或发布记录已被删除。")
        return verdict
    try:
        manifest = json.loads(raw)
        files: dict[str, str] = manifest["files"]
        verdict.release = manifest["id"]
    except (ValueError, KeyError, TypeError):
        verdict.problems.append(f"{RELEASE} 无法解析：发布记录已损坏。")
        return verdict
    _check_chain(get, raw, manifest, verdict)

    def one(item: tuple[str, str]) -> str | None:
        path, digest = item
        data = get(path)
        if data is None:
            return f"缺少：{path}"
        if sha256(data) != digest:
            return f"内容不符：{path}（发布时 SHA-256 {digest[:16]}…，现为 {sha256(data)[:16]}…）"
        return None

    with ThreadPoolExecutor(max_workers=jobs) as pool:
        verdict.problems += [p for p in pool.map(one, sorted(files.items())) if p]
    verdict.checked = len(files)
    for name in LISTS:
        if manifest.get("lists", {}).get(name) != files.get(download(name)):
            verdict.problems.append(f"清单 {name} 的哈希与文件 {download(name)} 的哈希不一致。")
    if listing is not None:
        extra = sorted(set(listing) - files.keys() - SELF - {manifest_path(manifest["id"])})
        verdict.problems += [f"多出的文件（不在发布记录中）：{p}" for p in extra]
    return verdict


def _check_chain(get: Callable[[str], bytes | None], raw: bytes, manifest: dict[str, Any], verdict: Verdict) -> None:
    """releases.json names every manifest's hash; each manifest names its predecessor's."""
    index_raw = get(RELEASES)
    try:
        index = json.loads(index_raw) if index_raw is not None else None
    except ValueError:
        index = None
    if not isinstance(index, list) or not index:
        verdict.problems.append(f"缺少或无法解析 {RELEASES}：无法核对发布链。")
        return
    if index[0].get("id") != manifest["id"] or index[0].get("manifest") != sha256(raw):
        verdict.problems.append(f"{RELEASE} 与 {RELEASES} 中最新一次发布的哈希不一致。")
    expected_previous: tuple[str | None, str | None] | None = None
    for entry in reversed(index):  # oldest first
        rid = entry.get("id", "?")
        body = get(manifest_path(rid))
        if body is None:
            verdict.problems.append(f"发布链缺少 {manifest_path(rid)}。")
            expected_previous = None
            continue
        if sha256(body) != entry.get("manifest"):
            verdict.problems.append(f"{manifest_path(rid)} 与 {RELEASES} 记录的哈希不一致：该次发布记录被改动过。")
        try:
            doc = json.loads(body)
        except ValueError:
            verdict.problems.append(f"{manifest_path(rid)} 无法解析。")
            continue
        if expected_previous is not None and (doc.get("previous"), doc.get("previous_manifest")) != expected_previous:
            verdict.problems.append(f"{manifest_path(rid)} 记录的上一次发布与发布链不符。")
        expected_previous = (rid, sha256(body))
        verdict.chain += 1
    if index[-1].get("previous") is not None:
        oldest = index[-1].get("previous")
        verdict.problems.append(f"发布链不完整：最早的记录指向 {oldest}，但它不在 {RELEASES} 中。")
