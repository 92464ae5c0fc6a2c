"""load → validate → redact → model → aggregate, as one call the CLI and the plugin share.

Everything that looks at one file alone — reading it, typing and checking each cell,
masking personal data — is done per file and, given a cache folder, kept there keyed by
the file's bytes, so a rebuild only redoes it for the files that changed (and, for a CSV
file that only grew, only for the lines added). Everything across files — references,
duplicate ids, the rules between lists — is checked on every run.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import sys
import tempfile
import time
from contextlib import contextmanager
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np
import pandas as pd

from generator.codeversion import code_digest
from generator.ingest.load import CsvState, continue_csv, discover, is_settings, read_data, read_file, read_settings
from generator.ingest.mapping import Mapping, mapping_for, read_mapping
from generator.ingest.validate import CheckedPart, TableData, check_part, check_settings, validate
from generator.model.aggregate import Aggregates, aggregate
from generator.model.dataset import Dataset, Sources, build
from generator.privacy import mask as privacy
from generator.privacy.mask import redact_part
from generator.problems import Problem, Report, ValidationFailed
from generator.progress import Progress
from generator.schema import RATING_SCALES, TABLES, SiteSettings, Table, feedback_table, table_for_name
from generator.site.digests import row_hashes
from generator.timing import phase

# Bump when what a cache entry holds changes shape; the code version below covers the rest.
CACHE_FORMAT = 1
CACHE_FOLDER = "prepare"
_MAGIC = b"GSPC1\n"


def _code_version() -> str:
    """Everything a cached file result depends on besides the file: the code (the whole
    package: what reads, checks and masks a file imports much of it), and the libraries
    and Python that ran it."""
    h = hashlib.sha256(f"{CACHE_FORMAT}\0{sys.version}\0{np.__version__}\0{pd.__version__}".encode())
    for library in ("openpyxl", "PyYAML"):
        try:
            h.update(f"\0{library} {metadata.version(library)}".encode())
        except metadata.PackageNotFoundError:
            pass
    h.update(code_digest().encode())
    return h.hexdigest()


CODE_VERSION = _code_version()


@dataclass
class CacheStats:
    hits: int = 0  # files whose cached result was used as it was
    appended: int = 0  # files that only grew: the cached result plus the lines added
    misses: int = 0  # files read in full
    ignored: int = 0  # entries that could not be read (corrupt, truncated, another version)
    written: int = 0


@dataclass
class Prepared:
    dataset: Dataset
    aggregates: Aggregates
    report: Report
    redactions: list[tuple[str, int, str, str, str]]  # file, row, column, kinds, masked text
    cache: CacheStats | None = None
    # Every published text cell as (file, row, column, text) — only with ``keep_cells``,
    # to trace a privacy stop back to its source (privacy.locate).
    cells: list[tuple[str, int | None, str, str]] | None = None


def check(data_dir: Path, content: Path | None = None, progress: bool = True) -> Report:
    """Validate only; never raises for bad data. ``content``: the content folder (news,
    pages), checked for what the build's privacy scan would stop on."""
    try:
        prepared = prepare(data_dir, progress=progress)
        report, settings = prepared.report, prepared.dataset.settings
    except ValidationFailed as exc:
        report, settings = exc.report, None
    if content is not None:
        report.extend(privacy.content_problems(content, privacy.allowed_in(settings)))
    return report


@dataclass
class FileResult:
    """Everything about one data file that depends on its bytes alone."""

    problems: list[Problem]  # reading it
    parts: list[CheckedPart]
    csv: CsvState | None = None


def _schema_table(table: Table, scale: str) -> Table:
    return feedback_table(scale) if table.name == "feedback" else table


def _check(parts, scale: str) -> list[CheckedPart]:
    # ``scale`` names everything settings change in a file's result (it keys the cache):
    # the rating scale, then the values the contact setting publishes on purpose.
    scale, _, contact = scale.partition("\0")
    allowed = frozenset(contact.split("\0")) if contact else frozenset()
    checked = []
    for raw in parts:
        table = _schema_table(raw.table, scale)
        with phase("validate"):
            part = check_part(table, raw)
        with phase("redact"):
            redact_part(table, part, allowed)
        checked.append(part)
    return checked


def _read(
    raw: bytes, path: Path, file: str, table: Table | None, scale: str, mapping: Mapping | None = None
) -> FileResult:
    with phase("load"):
        read = read_data(raw, path.suffix.lower(), file, table, mapping)
    return FileResult(read.problems, _check(read.parts, scale), read.csv)


def _grown(raw: bytes, file: str, table: Table | None, scale: str, cache: _Cache) -> FileResult | None:
    """A CSV file that only had lines appended since it was cached: the cached result
    continued with the new lines, exactly as reading the whole file would give."""
    last = cache.last(file, scale)
    if last is None:
        return None
    size, digest = last
    if len(raw) <= size or hashlib.sha256(memoryview(raw)[:size]).hexdigest() != digest:
        return None
    before = cache.get(file, scale, digest)
    if table is None or before is None or before.csv is None or before.csv.size != size or len(before.parts) != 1:
        return None
    part = before.parts[0]
    with phase("load"):
        added = continue_csv(raw[size:], before.csv, table, file)
    if added is None:
        return None
    more, state = added
    (checked,) = _check([more], scale)
    with phase("validate"):
        merged = CheckedPart.concat(part, checked)
    merged.name_keys = privacy.list_names([part, checked])  # type: ignore[attr-defined]
    return FileResult(before.problems, [merged], state)


@contextmanager
def _collector_paused(freeze: bool = False):
    """Python's cycle collector walks every live object each time it runs; building a few
    hundred thousand small objects ran it hundreds of times over all of them (a third of
    the time). Reference counting still frees everything meanwhile; cycles wait until the end.

    ``freeze``: on success, move everything alive into the permanent generation before the
    collector is switched back on, or its first run walks all of it once."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
        if freeze:
            gc.freeze()
    finally:
        if enabled:
            gc.enable()


def prepare(
    data_dir: Path,
    cache_dir: Path | None = None,
    use_cache: bool = True,
    known: dict[str, tuple[int, str]] | None = None,
    freeze: bool = False,
    keep_cells: bool = False,
    progress: bool = True,
) -> Prepared:
    """Everything before rendering. Raises ValidationFailed if the data has errors.

    ``cache_dir``: where per-file results are kept between runs (None: no cache; with
    ``use_cache=False`` the cache is neither read nor written). The result is the same
    with or without it. ``known``: the size and SHA-256 of data files the caller has
    just read (by path), so a file whose cache entry exists is not read again.
    ``freeze``: the caller keeps the result until it exits; the cycle collector will
    never walk it (see :func:`_collector_paused`). ``keep_cells``: keep every published
    text cell with its location in ``Prepared.cells``. ``progress``: show the reading of
    large data (progress.py; on standard error).
    """
    with _collector_paused(freeze):
        return _prepare(Path(data_dir), cache_dir, use_cache, known or {}, keep_cells, progress)


def _prepare(
    data_dir: Path,
    cache_dir: Path | None,
    use_cache: bool,
    known: dict[str, tuple[int, str]],
    keep_cells: bool = False,
    progress: bool = True,
) -> Prepared:
    cache = _Cache(Path(cache_dir)) if cache_dir is not None and use_cache else None
    problems: list[Problem] = []
    settings_raw: dict[str, object] | None = None
    settings_file = str(Path(data_dir.name) / "site.yaml")
    settings_lines: dict[str, list[int]] = {}
    parts: dict[str, list[CheckedPart]] = {}
    settings_report = Report()
    with phase("load"):
        if not data_dir.is_dir():
            problems.append(Problem("missing-table", str(data_dir), detail="数据目录不存在"))
            found = []
        else:
            found = discover(data_dir, problems)
        # A list whose file was refused or unreadable is not declared from the others' names.
        unloaded: set[str] = {t for t in map(_list_of, problems) if t}
        # The settings first: the rating scale decides how ratings are checked.
        read_problems: list[list[Problem]] = [[] for _ in found]
        for (path, file, _), mine in zip(found, read_problems, strict=True):
            if is_settings(path):
                raw = read_file(path, file, mine)
                settings_file = file
                settings_raw, lines = read_settings(raw, file, mine) if raw is not None else ({}, None)
                if lines is not None:
                    settings_lines = lines
    with phase("validate"):
        settings = check_settings(settings_raw, settings_file, settings_lines, settings_report)
    scale = settings.rating_scale
    if scale not in RATING_SCALES:
        scale = "three"
    scale = "\0".join([scale, *sorted(privacy.allowed_in(settings))])  # see _check

    sizes = [_size(path, known) for path, _, _ in found]
    with Progress("读取数据", sum(sizes), unit="MB", enabled=progress) as bar:
        for (path, file, table), mine, size in zip(found, read_problems, sizes, strict=True):
            if not is_settings(path):
                mapping = _mapping(path, file, table, mine)
                if mapping is not None and mapping.table is not None:
                    table = mapping.table
                result = _file_result(path, file, table, scale, cache, mine, known.get(str(path)), mapping)
                if result is not None:
                    mine.extend(result.problems)
                    for part in result.parts:
                        parts.setdefault(part.table, []).append(part)
                if table is not None and (result is None or not result.parts) and any(p.is_error for p in mine):
                    unloaded.add(table.name)
            bar.advance(size)
    if cache is not None:
        with phase("load"):
            cache.prune()
    for mine in read_problems:
        problems.extend(mine)
    if "projects" in parts:
        problems.extend(_declare(parts, unloaded, settings, data_dir, scale))
    if data_dir.is_dir():
        for t in TABLES:
            if t.name not in parts and t.required:
                problems.append(
                    Problem(
                        "missing-table",
                        str(Path(data_dir.name)),
                        detail=f"没有找到{t.label}（文件名如 {t.name}.csv 或 {t.label}.xlsx）",
                    )
                )

    report = Report()
    report.extend(problems)
    report.extend(settings_report.problems)
    with phase("validate"):
        tables = validate(settings, parts, report, unloaded=unloaded)
    with phase("redact"):
        # What the build's output scan would stop on: personal data in a column that is
        # not masked (an id, a number) or in a site setting.
        report.extend(privacy.unmasked_problems(tables, settings, settings_file, settings_lines))
    if report.errors:
        raise ValidationFailed(report, cache.stats if cache is not None else None)
    with phase("redact"):
        public, redactions, patches = _publish(tables, report)
    with phase("model"):
        dataset = build(settings, public)
    with phase("digest"):
        dataset.sources = _sources(tables, public, patches)
    with phase("aggregate"):
        aggregates = aggregate(dataset)
    cells = privacy.published_cells(tables, public, settings, settings_file, settings_lines) if keep_cells else None
    return Prepared(dataset, aggregates, report, redactions, cache.stats if cache is not None else None, cells)


def _size(path: Path, known: dict[str, tuple[int, str]]) -> int:
    if str(path) in known:
        return known[str(path)][0]
    try:
        return path.stat().st_size
    except OSError:
        return 0


def _mapping(path: Path, file: str, table: Table | None, problems: list[Problem]) -> Mapping | None:
    """The mapping file beside a data file, read and checked (its problems added), or None."""
    found = mapping_for(path)
    if found is None:
        return None
    where = str(Path(file).with_name(found.name))
    with phase("load"):
        raw = read_file(found, where, problems)
        if raw is None:
            return None
        mapping = read_mapping(raw, where, table)
    problems.extend(mapping.problems)
    return mapping


def _list_of(problem: Problem) -> str | None:
    """The list a refused or unreadable data file was meant for."""
    if not problem.is_error or not problem.file:
        return None
    path = Path(problem.file)
    table = table_for_name(path.stem) or (table_for_name(path.parts[1]) if len(path.parts) > 2 else None)
    return table.name if table else None


def _declare(
    parts: dict[str, list[CheckedPart]], unloaded: set[str], settings, data_dir: Path, scale: str
) -> list[Problem]:
    """Areas and units named by the lists, when no file gives them (declared.py)."""
    from generator.ingest.declared import declare_areas, declare_units, named

    problems: list[Problem] = []
    names = named(parts)
    where = parts["projects"][0].file  # the warning belongs to the list that named them
    if "areas" not in parts and "areas" not in unloaded:
        raw, problem = declare_areas(names, settings, str(Path(data_dir.name) / "（按清单建立的区域）"))
        parts["areas"] = _check([raw], scale)
        problems.append(Problem(problem.code, where, detail=problem.detail))
    if "units" not in parts and "units" not in unloaded:
        raw, problem = declare_units(names, str(Path(data_dir.name) / "（按清单建立的责任单位）"))
        parts["units"] = _check([raw], scale)
        problems.append(Problem(problem.code, where, detail=problem.detail))
    return problems


def _file_result(
    path: Path,
    file: str,
    table: Table | None,
    scale: str,
    cache: _Cache | None,
    problems: list[Problem],
    known: tuple[int, str] | None = None,
    mapping: Mapping | None = None,
) -> FileResult | None:
    """One data file read, checked and masked — or taken from the cache (None: unreadable).
    ``known``: the file's size and SHA-256, if the caller has just hashed it. ``mapping``:
    the mapping file beside it; its digest joins the cache key, so a changed mapping
    reads the file again."""
    key = file if mapping is None else f"{file}\0mapping {mapping.digest}"
    if cache is not None and known is not None:
        result = _cached(cache, key, scale, *known)
        if result is not None:
            return result
    with phase("load"):
        raw = read_file(path, file, problems)
    if raw is None:
        return None
    if cache is None:
        return _read(raw, path, file, table, scale, mapping)
    with phase("load"):
        digest = hashlib.sha256(raw).hexdigest()
    result = _cached(cache, key, scale, len(raw), digest)
    if result is not None:
        return result
    result = _grown(raw, file, table, scale, cache) if mapping is None else None
    if result is not None:
        cache.stats.appended += 1
    else:
        result = _read(raw, path, file, table, scale, mapping)
        cache.stats.misses += 1
    with phase("load"):
        cache.put(key, scale, digest, result, len(raw))
    return result


def _cached(cache: _Cache, file: str, scale: str, size: int, digest: str) -> FileResult | None:
    """The cached result for this version of the file, if there is one."""
    with phase("load"):
        result = cache.get(file, scale, digest)
    if result is not None:
        cache.stats.hits += 1
        if result.csv is not None:
            cache.point(file, scale, size, digest)
    return result


def _publish(tables: dict[str, TableData], report: Report):
    """The public columns of every list, masked text in place, and the redaction log."""
    public: dict[str, dict[str, np.ndarray]] = {}
    patches: dict[str, dict[str, dict[int, str]]] = {}  # list -> column -> position -> masked text
    redactions: list[tuple[str, int, str, str, str]] = []
    # Residents' names (as keyed hashes) of each list; the demand list's are masked in
    # feedback comments too.
    names = {t.name: privacy.list_names(tables[t.name].parts) for t in TABLES}
    names["feedback"] = names["feedback"] | names["demands"]
    for t in TABLES:
        td = tables[t.name]
        offsets = np.cumsum([0, *td.sizes[:-1]]).tolist()
        log = sorted(
            ((step, pos + off, column, kinds, text) for p, off in zip(td.parts, offsets, strict=True)
             for step, pos, column, kinds, text in p.masked),
            key=lambda m: m[0],
        )  # fmt: skip
        logged = {}
        for _, pos, column, kinds, text in log:
            file, row = td.file(pos), int(td.rows[pos])
            header = td.header(file, column)
            logged[pos, column] = len(redactions)
            redactions.append((file, row, header, kinds, text))
            report.add(Problem("pii-masked", file, row, header, "", kinds))
        columns = {c: td.values(c) for c in td.codes}
        patched = patches[t.name] = {}
        for p, off in zip(td.parts, offsets, strict=True):
            for column, changed in p.changes.items():
                values = columns[column]
                for pos, text in changed.items():
                    values[pos + off] = text
                    patched.setdefault(column, {})[pos + off] = text
        # A part masked the names of its own rows; these are named in another part or list
        # (or in lines appended to a cached file, which were masked with their own names).
        if names[t.name]:
            for column in privacy.maskable_columns(t):
                if column not in columns:
                    continue
                for pos, text in privacy.mask_known_names(columns[column], names[t.name]).items():
                    columns[column][pos] = text
                    patched.setdefault(column, {})[pos] = text
                    if (pos, column) in logged:
                        file, row, header, kinds, _ = redactions[logged[pos, column]]
                        kinds = kinds if "姓名" in kinds else "、".join(sorted({*kinds.split("、"), "姓名"}))
                        redactions[logged[pos, column]] = (file, row, header, kinds, text)
                    else:
                        file, row = td.file(pos), int(td.rows[pos])
                        header = td.header(file, column)
                        logged[pos, column] = len(redactions)
                        redactions.append((file, row, header, "姓名", text))
                        report.add(Problem("pii-masked", file, row, header, "", "姓名"))
        if td.slugs is not None and t.key is not None:
            columns["_slug"] = td.slugs[td.codes[t.key]]
        public[t.name] = columns
    return public, redactions, patches


# Lists whose rows page digests read column-wise, and the column naming each row's key.
_SOURCE_KEYS = {
    "areas": "id",
    "units": "id",
    "projects": "id",
    "demands": "id",
    "progress": "project",
    "results": "project",
    "feedback": "project",
}


def _sources(tables: dict[str, TableData], public, patches) -> Sources:
    """A hash of every published row of the lists above, from the factorized columns."""
    hashes, keys = {}, {}
    for name, key in _SOURCE_KEYS.items():
        td = tables[name]
        hashes[name] = row_hashes(td.typed, td.codes, patches.get(name, {}))
        keys[name] = public[name][key]
    return Sources(hashes, keys)


# ---------------------------------------------------------------- the per-file cache


class _Cache:
    """Per-file results in ``<cache_dir>/prepare/``, one pickle per file version.

    An entry is named by a hash of the code version, the file's name, the rating scale and
    the file's content hash, and holds those again (checked on reading) behind a digest of
    its bytes: an entry that is corrupt, truncated or from other code is never used. A
    small ``.last`` record per file names the newest version cached, so a file that only
    grew can continue from it. Writes go to a temporary file renamed into place.
    """

    def __init__(self, root: Path):
        self.dir = root / CACHE_FOLDER
        self.stats = CacheStats()
        self._used: set[str] = set()

    @staticmethod
    def _name(*parts: str) -> str:
        return hashlib.sha256("\0".join((CODE_VERSION, *parts)).encode()).hexdigest()[:40]

    def _entry(self, file: str, scale: str, digest: str) -> Path:
        return self.dir / f"{self._name(file, scale, digest)}.pkl"

    def _pointer(self, file: str, scale: str) -> Path:
        return self.dir / f"{self._name(file, scale)}.last"

    def _load(self, path: Path, expect: tuple):
        try:
            data = path.read_bytes()
        except OSError:
            return None
        try:
            if not data.startswith(_MAGIC):
                raise ValueError("not a cache entry")
            body = memoryview(data)[len(_MAGIC) + 32 :]
            if hashlib.sha256(body).digest() != data[len(_MAGIC) : len(_MAGIC) + 32]:
                raise ValueError("damaged")
            key, value = pickle.loads(body)
            if key != expect:
                raise ValueError("another version")
        except Exception:  # anything wrong with an entry: read the file instead
            self.stats.ignored += 1
            return None
        self._used.add(path.name)
        return value

    def _store(self, path: Path, key: tuple, value) -> None:
        body = pickle.dumps((key, value), protocol=5)
        try:
            # Owner only: masked text and hashed names, but still nothing for other users.
            self.dir.mkdir(mode=0o700, parents=True, exist_ok=True)
            if self.dir.stat().st_mode & 0o077:
                self.dir.chmod(0o700)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=self.dir)
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(_MAGIC)
                    f.write(hashlib.sha256(body).digest())
                    f.write(body)
                os.replace(tmp, path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError:
            return  # a cache that cannot be written is no cache, not an error
        self._used.add(path.name)

    def get(self, file: str, scale: str, digest: str) -> FileResult | None:
        key = (CODE_VERSION, file, scale, digest)
        result = self._load(self._entry(file, scale, digest), key)
        return result if isinstance(result, FileResult) else None

    def last(self, file: str, scale: str) -> tuple[int, str] | None:
        found = self._load(self._pointer(file, scale), (CODE_VERSION, file, scale))
        return found if isinstance(found, tuple) else None

    def put(self, file: str, scale: str, digest: str, result: FileResult, size: int) -> None:
        self._store(self._entry(file, scale, digest), (CODE_VERSION, file, scale, digest), result)
        self.stats.written += 1
        if result.csv is not None:
            self.point(file, scale, size, digest)

    def point(self, file: str, scale: str, size: int, digest: str) -> None:
        """Make the file's ``.last`` record name this version."""
        if self.last(file, scale) != (size, digest):
            self._store(self._pointer(file, scale), (CODE_VERSION, file, scale), (size, digest))

    def prune(self, keep_ratio: float = 1.0, stale_tmp_seconds: float = 600) -> None:
        """Remove entries this run did not use, oldest first, once the unused ones take
        more room than the used ones (so a reverted change still finds its entry)."""
        try:
            entries = [(p, p.stat()) for p in self.dir.iterdir()]
        except OSError:
            return
        now = time.time()
        used_bytes = 0
        unused = []
        for p, st in entries:
            if p.name in self._used:
                used_bytes += st.st_size
                try:
                    os.utime(p)
                except OSError:
                    pass
            elif p.name.startswith(".tmp-"):
                if now - st.st_mtime > stale_tmp_seconds:
                    p.unlink(missing_ok=True)
            else:
                unused.append((st.st_mtime, st.st_size, p))
        budget = used_bytes * keep_ratio
        for _, size, p in sorted(unused, key=lambda e: e[0], reverse=True):
            budget -= size
            if budget < 0:
                try:
                    p.unlink(missing_ok=True)
                except OSError:
                    pass


def site_settings(data_dir: Path) -> SiteSettings:
    """The site settings alone (site.yaml), parsed as a build parses them; problems are
    dropped (a build or check reports them). Cheap: no list is read."""
    found = sorted(p for p in Path(data_dir).glob("*") if is_settings(p))
    raw: dict[str, object] | None = None
    lines: dict[str, list[int]] = {}
    file = str(Path(Path(data_dir).name) / "site.yaml")
    if found:
        file = str(Path(Path(data_dir).name) / found[0].name)
        content = read_file(found[0], file, [])
        if content is not None:
            raw, got = read_settings(content, file, [])
            lines = got or {}
    return check_settings(raw, file, lines, Report())
