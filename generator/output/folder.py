"""Stage 7: the output folder — writing pages, staging a build, and committing it safely.

The output folder belongs to the build. This module is the only code that changes it:

- :class:`SiteWriter` writes pages: each path once, never outside the folder, only bytes
  that differ from the live site.
- :class:`OutputLock` lets one build at a time work on an output folder; a second one
  waits for it (or gives up with a Chinese message), never interleaves.
- :class:`Output` knows the folders beside the output (staging, cache, leftovers), the
  record of what the last build wrote (``.gongshi/manifest.json``: page digests and the
  size and modification time of every file), and the two ways a build goes live:

  * a full build renders into a new staging folder and swaps it in with one atomic
    exchange of the two folders (Linux ``renameat2(RENAME_EXCHANGE)``), so there is no
    moment where the output folder is missing or half-written;
  * an incremental build stages only the changed files, then moves them in. Before the
    first move a marker records that a commit is under way and every replaced file is
    kept in an undo folder: on an error the commit is rolled back at once (the previous
    site stays as it was); after a kill the next build finds the marker and rebuilds the
    whole site, byte-identical to a full build.

The "nothing changed" shortcut and the incremental plan trust the record only after
checking every file against it (size and modification time: one ``stat`` each), so a file
edited or deleted by hand is rebuilt.
"""

from __future__ import annotations

import ctypes
import errno
import functools
import hashlib
import json
import os
import shutil
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from generator.problems import GongshiError, OutputError

MANIFEST = ".gongshi/manifest.json"
STATE = ".gongshi/state.json"  # size and time of every file: differs between equal builds
STAGED = ".gongshi/staged"
UNDO = ".gongshi/undo"
PENDING = ".gongshi/commit-pending"  # present while an incremental commit runs
INTERNAL = ".gongshi"  # never published, never scanned

Step = Callable[[str], None]


def _no_step(name: str) -> None:
    pass


class OutputBusy(GongshiError):
    """Another build holds the output folder's lock."""


class OutputOSError(GongshiError):
    """The operating system refused a file operation (disk full, permissions, ...)."""


# What staff can do about each kind of OS failure.
_ADVICE = {
    errno.ENOSPC: ("磁盘空间已满", "请清理磁盘空间后重试"),
    errno.EDQUOT: ("磁盘配额已满", "请清理磁盘空间或申请更大配额后重试"),
    errno.EACCES: ("没有权限", "请检查该路径的读写权限，或换一个有权限的输出目录"),
    errno.EPERM: ("操作不被允许", "请检查该路径的权限和属性"),
    errno.EROFS: ("文件系统只读", "请换一个可写的输出目录"),
    errno.ENOTDIR: ("此处应为文件夹，却是一个文件", "请删除或改名这个文件后重试"),
    errno.EEXIST: ("此处应为文件夹，却是一个文件", "请删除或改名这个文件后重试"),
    errno.EISDIR: ("此处应为文件，却是一个文件夹", "请删除或改名这个文件夹后重试"),
    errno.ENOENT: ("找不到该路径", "请检查路径是否存在，或在构建期间没有被删除"),
    errno.EMFILE: ("同时打开的文件过多", "请调高系统的文件数限制后重试"),
    errno.ENAMETOOLONG: ("路径过长", "请换一个更短的输出目录"),
}


def os_failure(exc: OSError, doing: str = "") -> OutputOSError:
    """A Chinese message for an OS error: what failed, where, and what to do."""
    what, fix = _ADVICE.get(exc.errno or 0, (exc.strerror or type(exc).__name__, "请检查该路径后重试"))
    where = exc.filename if exc.filename is not None else ""
    if exc.filename2 is not None:
        where = f"{where} → {exc.filename2}"
    place = f"：{where}" if where else ""
    during = f"{doing}时" if doing else ""
    return OutputOSError(f"{during}{what}{place}。{fix}。原有网站保持不变。")


# ---------------------------------------------------------------- paths and pages


def file_for(url: str) -> str:
    return url + "index.html" if url == "" or url.endswith("/") else url


def staged_name(rel: str) -> str:
    return quote(rel, safe="")


def staged_files(staging: Path) -> dict[str, str]:
    """What an incremental build staged: {path in the site: staged file}."""
    folder = f"{staging}/{STAGED}"
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return {}
    return {unquote(n): f"{folder}/{n}" for n in names}


def remove_page(root: Path, url: str) -> None:
    """Delete one page's file and the folders it leaves empty."""
    remove_file(root, file_for(url))


def remove_file(root: Path, rel: str) -> None:
    path = root / rel
    path.unlink(missing_ok=True)
    for parent in path.parents:
        if parent == root or not parent.is_relative_to(root) or any(parent.iterdir()):
            break
        parent.rmdir()


class SiteWriter:
    """Writes files below one folder; each path once, only when the bytes differ from
    the live site's (``live``, by default the same folder).

    When ``live`` is another folder (an incremental build staging what changed), files
    go flat into ``<output>/.gongshi/staged/``, each named by its quoted path: no folder
    is created per page, and the commit finds them with one directory listing.
    """

    def __init__(
        self, output: Path, taken: frozenset[str] = frozenset(), live: Path | None = None, fresh: bool = False
    ):
        self.output = Path(output).resolve()
        # A new folder nobody reads yet (the staging folder of a full build): nothing to
        # compare against and no reader to protect, so files are written directly,
        # without a temporary name and a rename per page.
        self.fresh = fresh
        self.live = Path(live).resolve() if live is not None else self.output
        self.written: set[Path] = set()
        self.taken = taken  # paths another writer (Pelican's) already wrote
        self.changed = 0
        self.changed_bytes = 0
        self.flat = self.live != self.output
        if self.flat:
            (self.output / STAGED).mkdir(parents=True, exist_ok=True)

    def path_for(self, url: str) -> Path:
        # Checked on the text, not with Path.resolve(): that costs a system call per
        # folder level, per page. URLs are relative and the folders are created by us.
        rel = file_for(url)
        parts = rel.split("/")
        if rel.startswith(("/", "\\")) or "\\" in rel or ".." in parts or "" in parts[:-1] or ":" in parts[0]:
            raise OutputError(f"拒绝写到输出目录以外：{url}")
        return Path(f"{self.output}/{rel}")

    def write(self, url: str, text: str) -> bool:
        """Write one page; True if the file on disk changed."""
        return self.write_bytes(url, text.encode("utf-8"))

    def write_bytes(self, url: str, data: bytes) -> bool:
        path = self.path_for(url)
        if path in self.written or str(path) in self.taken:
            raise OutputError(f"同一页面被写了两次：{url}")
        self.written.add(path)
        rel = file_for(url)
        if not self.fresh and self._same_as_live(rel, data):
            return False
        self.changed += 1
        self.changed_bytes += len(data)
        if self.fresh:
            try:
                f = open(path, "wb")
            except FileNotFoundError:
                path.parent.mkdir(parents=True, exist_ok=True)
                f = open(path, "wb")
            with f:
                f.write(data)
            return True
        if self.flat:  # a private folder, discarded if the build fails
            with open(f"{self.output}/{STAGED}/{staged_name(rel)}", "wb") as f:
                f.write(data)
            return True
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        tmp.write_bytes(data)
        os.replace(tmp, path)  # never truncate in place: a reader may be serving the file
        return True

    def _same_as_live(self, rel: str, data: bytes) -> bool:
        live = f"{self.live}/{rel}"
        try:
            if os.stat(live).st_size != len(data):
                return False
            with open(live, "rb") as f:
                return f.read() == data
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return False


# ---------------------------------------------------------------- the record of a build


@dataclass
class Manifest:
    """What the build in an output folder wrote: page digests (by URL), download digests
    (by path), the input fingerprint, the files that are neither, and the size and
    modification time of every file (by path)."""

    pages: dict[str, str] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    inputs: str = ""
    others: list[str] = field(default_factory=list)
    state: dict[str, list[int]] = field(default_factory=dict)

    @classmethod
    def read(cls, folder: Path) -> Manifest:
        doc, state = _read_json(folder / MANIFEST), _read_json(folder / STATE)

        def part(key: str, kind: type) -> Any:
            value = doc.get(key)
            return value if isinstance(value, kind) else kind()

        inputs = doc.get("inputs")
        return cls(part("pages", dict), part("files", dict), inputs if isinstance(inputs, str) else "",
                   part("others", list), state)  # fmt: skip

    def write(self, folder: Path) -> None:
        """The state first: a manifest is trusted only with the state written beside it."""
        doc = {
            "inputs": self.inputs,
            "pages": dict(sorted(self.pages.items())),
            "files": dict(sorted(self.files.items())),
            "others": sorted(self.others),
        }
        _write_json(folder / STATE, dict(sorted(self.state.items())))
        _write_json(folder / MANIFEST, doc)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _write_json(path: Path, doc: dict[str, Any]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")  # C encoder: no indent
    os.replace(tmp, path)


def stat_record(path: str) -> list[int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return [st.st_size, st.st_mtime_ns]


def changed_since(folder: Path, state: dict[str, list[int]]) -> set[str]:
    """Files whose size or modification time differ from the record (or are gone)."""
    root = str(folder)
    return {rel for rel, recorded in state.items() if stat_record(f"{root}/{rel}") != recorded}


# ---------------------------------------------------------------- one build at a time


class OutputLock:
    """An exclusive lock on one output folder, held for a whole build.

    The lock file sits beside the output folder (the folder itself is swapped), and is
    never deleted, so two processes can never lock two different files of the same name.
    The kernel releases the lock when its holder dies, so a killed build never leaves the
    output locked.
    """

    def __init__(self, output: Path, wait: float = 600.0, on_wait: Callable[[str], None] | None = None):
        self.path = output.with_name(f".{output.name}.lock")
        self.output = output
        self.wait = wait
        self.on_wait = on_wait
        self.fd: int | None = None

    def __enter__(self) -> OutputLock:
        import fcntl

        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        deadline = time.monotonic() + self.wait
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    os.close(fd)
                    raise OutputBusy(
                        f"另一个构建正在写入 {self.output}，本次构建未开始，网站保持不变。"
                        "请等它结束后再试（或用 --wait 秒数 等待更久）。"
                    ) from None
                if not told and self.on_wait is not None:
                    self.on_wait(f"另一个构建正在写入 {self.output}，等待它结束……")
                    told = True
                time.sleep(0.1)
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self.fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self.fd is not None:
            os.close(self.fd)  # closing releases the lock
            self.fd = None


# ---------------------------------------------------------------- atomic folder swap


def cache_home() -> Path:
    """Gongshi's per-user cache folder (created owner-only, 0700).

    ``GONGSHI_CACHE_HOME`` chooses it (tests, or a shared build host); otherwise
    ``$XDG_CACHE_HOME/gongshi`` or ``~/.cache/gongshi``, the place Linux tools keep caches.
    Read at each call, not at import: the environment may change between builds.
    """
    chosen = os.environ.get("GONGSHI_CACHE_HOME")
    if chosen:
        home = Path(chosen)
    else:
        base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
        home = Path(base) / "gongshi"
    home = home.resolve()
    home.mkdir(mode=0o700, parents=True, exist_ok=True)
    if home.stat().st_mode & 0o077:
        home.chmod(0o700)
    return home


@functools.cache
def _renameat2() -> Callable[..., int] | None:
    """The C library's renameat2 (Linux, glibc 2.28+), loaded once; None elsewhere."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        return ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return None


def _exchange(a: Path, b: Path) -> bool:
    """Atomically exchange two folders or two files; False where the system cannot."""
    renameat2 = _renameat2()
    if renameat2 is None:
        return False
    at_fdcwd, rename_exchange = -100, 2
    if renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL):  # an old kernel, or a file system without it
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


@dataclass
class Output:
    """An output folder and the folders beside it that belong to it."""

    root: Path
    step: Step = _no_step  # a hook called at each commit step (tests kill or fail there)

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    @property
    def staging(self) -> Path:
        return self.root.with_name(f".{self.root.name}.building")

    @property
    def old(self) -> Path:  # left by earlier versions (and by the swap fallback)
        return self.root.with_name(f".{self.root.name}.old")

    @property
    def cache(self) -> Path:
        """This output's build cache: in the user's cache folder, never beside the site.

        The per-file results hold cells as masked by their own file only (a resident named
        in another file is masked later, across files), so the cache must not sit where a
        web server or a copy of the site's parent folder could reach it. It lives under the
        owner-only :func:`cache_home`, one folder per output path.
        """
        key = hashlib.sha256(os.fsencode(self.root)).hexdigest()[:20]
        return cache_home() / "builds" / f"{self.root.name}-{key}"

    def lock(self, wait: float = 600.0, on_wait: Callable[[str], None] | None = None) -> OutputLock:
        return OutputLock(self.root, wait, on_wait)

    def clean_leftovers(self) -> None:
        """Remove what an interrupted build left beside the output (call under the lock)."""
        for leftover in (self.staging, self.old):
            if leftover.exists() or leftover.is_symlink():
                if leftover.is_dir() and not leftover.is_symlink():
                    shutil.rmtree(leftover)
                else:
                    leftover.unlink()

    @property
    def interrupted(self) -> bool:
        """An incremental commit was interrupted: the folder may mix two builds."""
        return (self.root / PENDING).exists()

    def manifest(self) -> Manifest:
        return Manifest.read(self.root)

    def new_staging(self) -> Path:
        self.clean_leftovers()
        self.staging.mkdir(parents=True)
        return self.staging

    def discard_staging(self) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    # -- a full build: swap the whole new site in
    def swap(self, manifest: Manifest, files: Iterable[str]) -> None:
        """Make the staging folder (a complete site) the output, atomically.

        ``files``: every file in the staging folder (relative, with /), whose size and
        time go into the record."""
        staging = self.staging
        root = str(staging)
        manifest.state = {rel: rec for rel in files if (rec := stat_record(f"{root}/{rel}")) is not None}
        manifest.write(staging)
        self.step("swap:ready")
        if self.root.exists() and _exchange(staging, self.root):
            self.step("swap:exchanged")  # the new site is live; staging holds the old one
            shutil.rmtree(staging, ignore_errors=True)
            return
        # No atomic exchange here (or no output yet): two renames.
        if self.root.exists():
            self.root.rename(self.old)
            self.step("swap:moved-old")
        staging.rename(self.root)
        self.step("swap:exchanged")
        shutil.rmtree(self.old, ignore_errors=True)

    # -- an incremental build: move the changed files in
    def commit(self, manifest: Manifest, pelican_files: list[str], previous: Manifest) -> None:
        """Move the staged (changed) files into the live site and delete what is gone.

        ``pelican_files``: the files Pelican and the theme wrote to the staging folder
        (rewritten every build: moved only when they differ). On any error the files
        already moved are put back and the error is raised; after a kill the marker
        makes the next build a full one.
        """
        staging, root = self.staging, self.root
        undo = staging / UNDO
        undo.mkdir(parents=True, exist_ok=True)
        journal: list[tuple[str, str | None]] = []  # (path in the site, where its previous file is kept)
        try:
            (root / PENDING).parent.mkdir(parents=True, exist_ok=True)
            (root / PENDING).write_text(str(staging), encoding="utf-8")
            self.step("commit:marked")
            moves = list(staged_files(staging).items())
            moves += [(rel, f"{staging}/{rel}") for rel in pelican_files if not _same_file(staging / rel, root / rel)]
            for n, (rel, src) in enumerate(moves):
                self._replace(rel, src, undo, journal)
                if n == 0:
                    self.step("commit:moving")
            self.step("commit:moved")
            gone = {file_for(u) for u in set(previous.pages) - set(manifest.pages)}
            gone |= set(previous.others) - set(manifest.others)
            gone |= set(previous.files) - set(manifest.files)
            for rel in sorted(gone):
                if (root / rel).is_file():
                    self._replace(rel, None, undo, journal)
            self.step("commit:removed")
            state = {k: v for k, v in previous.state.items() if k not in gone}
            root_s = str(root)
            for rel, _ in journal:
                rec = stat_record(f"{root_s}/{rel}")
                if rec is None:
                    state.pop(rel, None)
                else:
                    state[rel] = rec
            manifest.state = state
            manifest.write(staging)  # then moved in like the pages, so a rollback restores the old record
            for rel in (STATE, MANIFEST):
                self._replace(rel, f"{staging}/{rel}", undo, journal)
            self.step("commit:recorded")
        except BaseException as exc:
            if isinstance(exc, Exception):
                self._roll_back(journal)
                (root / PENDING).unlink(missing_ok=True)
            raise
        (root / PENDING).unlink()
        self.step("commit:done")
        shutil.rmtree(staging, ignore_errors=True)

    def _replace(self, rel: str, src: str | None, undo: Path, journal: list[tuple[str, str | None]]) -> None:
        """Put ``src`` (None: nothing) at ``rel``; journal where the previous file now is.

        A replaced file is exchanged with the staged one in one atomic step where the
        system can (the old file takes the staged file's place, ready to be put back);
        elsewhere it is first moved into ``undo``."""
        dst = f"{self.root}/{rel}"
        if os.path.isdir(dst):
            raise OutputError(f"无法更新 {rel}：输出目录中这里是一个文件夹，请用 --full 重新生成")
        if not os.path.lexists(dst):
            if src is not None:
                try:
                    os.replace(src, dst)
                except FileNotFoundError:  # a new page: its folder does not exist yet
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    os.replace(src, dst)
                journal.append((rel, None))
            return
        if src is not None and _exchange(Path(src), Path(dst)):
            journal.append((rel, src))
            return
        kept = f"{undo}/{staged_name(rel)}"
        os.replace(dst, kept)
        journal.append((rel, kept))
        if src is None:
            remove_file(self.root, rel)  # drop the folders it leaves empty
        else:
            os.replace(src, dst)

    def _roll_back(self, journal: list[tuple[str, str | None]]) -> None:
        """Undo the moves in ``journal``, newest first: the previous site again."""
        for rel, kept in reversed(journal):
            dst = f"{self.root}/{rel}"
            try:
                if kept is not None:
                    os.makedirs(os.path.dirname(dst), exist_ok=True)
                    os.replace(kept, dst)
                else:
                    remove_file(self.root, rel)
            except OSError:
                # Cannot put it back (the disk is still failing): the marker stays and
                # the next build rebuilds the whole site.
                (self.root / PENDING).parent.mkdir(parents=True, exist_ok=True)
                (self.root / PENDING).write_text("rollback failed", encoding="utf-8")
                raise


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
        return False


def walk(root: Path) -> Iterator[str]:
    """Every file below ``root`` (relative, with /), apart from the build's own records."""
    for folder, dirs, names in os.walk(root):
        rel = os.path.relpath(folder, root).replace(os.sep, "/")
        if rel == INTERNAL:
            dirs[:] = []
            continue
        for name in names:
            yield name if rel == "." else f"{rel}/{name}"


@contextmanager
def translated_os_errors(doing: str = "") -> Iterator[None]:
    """Raise OS errors as :class:`OutputOSError` with a Chinese message."""
    try:
        yield
    except OSError as exc:
        raise os_failure(exc, doing) from exc
