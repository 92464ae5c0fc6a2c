"""Where a release goes: a local folder, a remote host over rsync/SSH, or S3-compatible
object storage. Each target locks itself, reads the live release's record, deploys a
staged release so that readers see the old release or the new one and never a mix, and
cleans up after a failure (or, after a kill, at the start of the next run).

A target string is one of::

    /srv/gongshi                      a local folder (web server root: /srv/gongshi/current)
    deploy@host:/srv/gongshi          a remote host over SSH (rsync must be installed there)
    ssh://deploy@host:2222/srv/gongshi
    s3://bucket/prefix                S3 or a compatible service (endpoint: --endpoint-url)
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import json
import mimetypes
import os
import re
import shlex
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol
from urllib.parse import urlsplit

from generator.output.folder import OutputBusy, OutputLock, Step
from generator.problems import GongshiError
from generator.progress import Progress

from .record import RELEASE, RELEASES, SELF, is_release_id

Getter = Callable[[str], bytes | None]


class PublishError(GongshiError):
    """Publishing or rolling back failed; the live release was left as it was."""


class PublishBusy(PublishError):
    """Another publish or rollback holds the target."""


def busy(target: str) -> PublishBusy:
    return PublishBusy(
        f"另一个发布或回退正在操作 {target}，本次未开始，线上网站保持不变。"
        "请等它结束后再试（或用 --wait 秒数 等待更久）。"
    )


@dataclass
class Deployed:
    linked: int = 0  # files hard-linked (or left in place) from the previous release
    copied: int = 0  # files copied or uploaded
    copied_bytes: int = 0
    removed: int = 0  # stale objects removed (object storage)


class Target(Protocol):
    label: str
    keeps_releases: bool  # earlier releases stay on the target, so rollback can switch to them

    def lock(self, wait: float) -> contextlib.AbstractContextManager[Any]: ...
    def recover(self) -> None: ...
    def releases(self) -> list[str]: ...
    def live_id(self) -> str | None: ...
    def base_id(self) -> str | None: ...
    def reader(self, release: str | None) -> contextlib.AbstractContextManager[Getter]: ...
    def deploy(
        self,
        release_id: str,
        staging: Path,
        hashes: dict[str, str],
        previous: dict[str, str],
        base: str | None,
        step: Step,
    ) -> Deployed: ...
    def switch(self, release_id: str) -> None: ...
    def prune(self, keep: int) -> list[str]: ...


def open_target(spec: str, ssh: str | None = None, endpoint_url: str | None = None) -> Target:
    if spec.startswith("s3://"):
        return S3Target(spec, endpoint_url)
    if spec.startswith("ssh://"):
        parts = urlsplit(spec)
        if not parts.hostname or not parts.path:
            raise PublishError(f"无法识别的发布目标“{spec}”：应为 ssh://用户@主机[:端口]/目录")
        host = f"{parts.username}@{parts.hostname}" if parts.username else parts.hostname
        return RsyncTarget(host, parts.path, parts.port, ssh)
    if "://" in spec:
        raise PublishError(f"无法识别的发布目标“{spec}”：应为本机目录、用户@主机:/目录、ssh://… 或 s3://桶/前缀")
    remote = re.fullmatch(r"([^/:@\s]+@)?([^/:\s]+):(/.*)", spec)
    if remote:
        return RsyncTarget((remote.group(1) or "") + remote.group(2), remote.group(3), None, ssh)
    return LocalTarget(Path(spec))


def _link_or_copy(src: Path, dst: Path, prev: Path | None) -> bool:
    """Hard-link ``prev`` (an identical file of the previous release) or copy ``src``;
    True if linked."""
    if prev is not None:
        try:
            os.link(prev, dst)
            return True
        except OSError as exc:
            if exc.errno not in (errno.EXDEV, errno.EMLINK, errno.EPERM, errno.ENOENT):
                raise
    shutil.copyfile(src, dst)
    return False


# ---------------------------------------------------------------- a local folder


class LocalTarget:
    """TARGET/releases/<id>/ per release; TARGET/current is a symlink to the live one."""

    def __init__(self, root: Path):
        self.root = Path(os.path.abspath(root))
        self.label = str(self.root)
        self.keeps_releases = True
        self.current = self.root / "current"
        self.dir = self.root / "releases"
        self.marker = self.root / ".publishing"  # the id being deployed, until it is live

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        try:
            with OutputLock(self.current, wait):
                yield
        except OutputBusy:
            raise busy(self.label) from None

    def recover(self) -> None:
        """Remove what a killed run left: half-made releases, a temporary link, a
        release that was complete but never switched live."""
        if self.dir.is_dir():
            for p in self.dir.iterdir():
                if p.name.startswith(".") and p.name.endswith(".partial"):
                    shutil.rmtree(p, ignore_errors=True)
        for p in self.root.glob(".current.*.tmp"):
            p.unlink(missing_ok=True)
        if self.marker.exists():
            orphan = self.marker.read_text(encoding="utf-8").strip()
            if is_release_id(orphan) and orphan != self.live_id():
                shutil.rmtree(self.dir / orphan, ignore_errors=True)
            self.marker.unlink()

    def releases(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.name for p in self.dir.iterdir() if is_release_id(p.name) and p.is_dir())

    def live_id(self) -> str | None:
        try:
            name = os.path.basename(os.readlink(self.current))
        except OSError:
            return None
        return name if is_release_id(name) else None

    def base_id(self) -> str | None:
        """The newest release, live or not: after a rollback the next release still
        follows it in the chain, so no published release drops out of the record."""
        ids = self.releases()
        return ids[-1] if ids else None

    @contextlib.contextmanager
    def reader(self, release: str | None) -> Iterator[Getter]:
        def get(path: str) -> bytes | None:
            if release is None:
                return None
            try:
                return (self.dir / release / path).read_bytes()
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                return None

        yield get

    def deploy(
        self,
        release_id: str,
        staging: Path,
        hashes: dict[str, str],
        previous: dict[str, str],
        base: str | None,
        step: Step,
    ) -> Deployed:
        partial = self.dir / f".{release_id}.partial"
        final = self.dir / release_id
        done = Deployed()
        self.dir.mkdir(parents=True, exist_ok=True)
        try:
            self.marker.write_text(release_id, encoding="utf-8")
            partial.mkdir()
            bar = Progress("部署文件", len(hashes))
            for n, (rel, digest) in enumerate(sorted(hashes.items())):
                bar.advance(1)
                dst = partial / rel
                dst.parent.mkdir(parents=True, exist_ok=True)
                same = base is not None and previous.get(rel) == digest
                if _link_or_copy(staging / rel, dst, self.dir / base / rel if same and base else None):
                    done.linked += 1
                else:
                    done.copied += 1
                    done.copied_bytes += dst.stat().st_size
                if n == len(hashes) // 2:
                    step("deploy:copying")
            bar.finish()
            step("deploy:copied")
            os.rename(partial, final)
            step("deploy:renamed")
            self.switch(release_id)
            step("deploy:switched")
        except BaseException:
            shutil.rmtree(partial, ignore_errors=True)
            if self.live_id() != release_id:
                shutil.rmtree(final, ignore_errors=True)
            for p in self.root.glob(".current.*.tmp"):
                p.unlink(missing_ok=True)
            self.marker.unlink(missing_ok=True)
            raise
        self.marker.unlink(missing_ok=True)
        return done

    def switch(self, release_id: str) -> None:
        """Point TARGET/current at a release in one rename: readers see one or the other."""
        tmp = self.root / f".current.{release_id}.tmp"
        tmp.unlink(missing_ok=True)
        os.symlink(f"releases/{release_id}", tmp)
        os.replace(tmp, self.current)

    def prune(self, keep: int) -> list[str]:
        live = self.live_id()
        ids = self.releases()
        old = [r for r in ids[: max(len(ids) - keep, 0)] if r != live]
        for r in old:
            shutil.rmtree(self.dir / r)
        return old


# ---------------------------------------------------------------- a remote host over rsync/SSH


class RsyncTarget:
    """The same layout as :class:`LocalTarget` on another host: rsync uploads into a new
    release folder (unchanged files hard-linked from the live one with --link-dest), one
    ssh command renames it and switches the symlink."""

    def __init__(self, host: str, root: str, port: int | None, ssh: str | None):
        self.host = host
        self.root = root.rstrip("/") or "/"
        self.label = f"{host}:{self.root}"
        self.keeps_releases = True
        command = ssh or os.environ.get("GONGSHI_SSH") or "ssh"
        self.ssh = [*shlex.split(command), "-o", "BatchMode=yes", *(["-p", str(port)] if port else [])]
        self.q = shlex.quote(self.root)

    def _run(self, command: str, doing: str) -> str:
        proc = subprocess.run([*self.ssh, self.host, command], capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise _remote_failure(proc.returncode, proc.stderr, doing, self.label)
        return proc.stdout

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        # The remote flock is held by a shell that lives as long as this ssh session:
        # when the publisher ends (or is killed) the session closes and the lock goes.
        command = (
            f"mkdir -p {self.q}/releases && exec flock -w {max(wait, 0):g} {self.q}/.publish.lock "
            "sh -c 'echo locked; exec cat >/dev/null'"
        )
        proc = subprocess.Popen(
            [*self.ssh, self.host, command],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None and proc.stdin is not None
        line = proc.stdout.readline().strip()
        if line != "locked":
            proc.stdin.close()
            code = proc.wait()
            stderr = proc.stderr.read() if proc.stderr else ""
            if code == 1 and not stderr.strip():
                raise busy(self.label)
            raise _remote_failure(code, stderr, "锁定发布目标", self.label)
        try:
            yield
        finally:
            proc.stdin.close()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def recover(self) -> None:
        self._run(
            f"find {self.q}/releases -mindepth 1 -maxdepth 1 -name '.*.partial' -exec rm -rf {{}} + ;"
            f" rm -f {self.q}/.current.tmp",
            "清理上次中断的发布",
        )

    def _state(self) -> tuple[str | None, list[str]]:
        out = self._run(
            f"readlink {self.q}/current || true; echo //; ls -1 {self.q}/releases 2>/dev/null || true", "读取线上版本"
        )
        head, _, listing = out.partition("//\n")
        live = os.path.basename(head.strip()) or None
        return (live if live and is_release_id(live) else None), sorted(n for n in listing.split() if is_release_id(n))

    def releases(self) -> list[str]:
        return self._state()[1]

    def live_id(self) -> str | None:
        return self._state()[0]

    def _rsync(self, *args: str, doing: str) -> None:
        cmd = ["rsync", "-e", shlex.join(self.ssh), *args]
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        except FileNotFoundError:
            raise PublishError("本机没有安装 rsync：请先安装（Debian/Ubuntu：apt-get install rsync）。") from None
        if proc.returncode != 0:
            raise _remote_failure(proc.returncode, proc.stderr, doing, self.label)

    def base_id(self) -> str | None:
        ids = self.releases()
        return ids[-1] if ids else None  # as for a local folder: the newest, live or not

    @contextlib.contextmanager
    def reader(self, release: str | None) -> Iterator[Getter]:
        with tempfile.TemporaryDirectory(prefix="gongshi-live-") as tmp:
            if release is not None:
                filters = [
                    f"--include={p}"
                    for p in (
                        RELEASE,
                        RELEASES,
                        "history.json",
                        "manifests/***",
                        "changes/***",
                        "downloads/",
                        "downloads/*.json",
                    )
                ]
                self._rsync(
                    "-r",
                    *filters,
                    "--exclude=*",
                    f"{self.host}:{self.root}/releases/{release}/",
                    f"{tmp}/",
                    doing="读取线上版本的发布记录",
                )

            def get(path: str) -> bytes | None:
                try:
                    return (Path(tmp) / path).read_bytes()
                except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                    return None

            yield get

    def deploy(
        self,
        release_id: str,
        staging: Path,
        hashes: dict[str, str],
        previous: dict[str, str],
        base: str | None,
        step: Step,
    ) -> Deployed:
        partial = f"{self.root}/releases/.{release_id}.partial"
        # Content, not times, decides what is unchanged (-c, no -t): a full rebuild writes
        # every file anew, with the same bytes; those are hard-linked on the host.
        args = ["-rlc", "--chmod=D755,F644", "--stats"]
        if base is not None:
            args.append(f"--link-dest=../{base}")
        try:
            self._rsync(*args, f"{staging}/", f"{self.host}:{partial}/", doing="上传新版本")
            step("deploy:copied")
            self._run(
                f"cd {self.q} && mv -T releases/.{release_id}.partial releases/{release_id}"
                f" && ln -sfn releases/{release_id} .current.tmp && mv -T .current.tmp current",
                "切换线上版本",
            )
            step("deploy:switched")
        except BaseException:
            with contextlib.suppress(PublishError):
                if self.live_id() != release_id:
                    self._run(
                        f"rm -rf {shlex.quote(partial)} {self.q}/releases/{release_id} {self.q}/.current.tmp",
                        "清理未完成的版本",
                    )
            raise
        same = sum(1 for rel, d in hashes.items() if previous.get(rel) == d) if base else 0
        return Deployed(
            linked=same,
            copied=len(hashes) - same,
            copied_bytes=sum(
                (staging / r).stat().st_size for r, d in hashes.items() if previous.get(r) != d or not base
            ),
        )

    def switch(self, release_id: str) -> None:
        self._run(
            f"cd {self.q} && test -d releases/{release_id}"
            f" && ln -sfn releases/{release_id} .current.tmp && mv -T .current.tmp current",
            "切换线上版本",
        )

    def prune(self, keep: int) -> list[str]:
        live, ids = self._state()
        old = [r for r in ids[: max(len(ids) - keep, 0)] if r != live]
        if old:
            self._run(f"cd {self.q}/releases && rm -rf {' '.join(old)}", "删除旧版本")
        return old


def _remote_failure(code: int, stderr: str, doing: str, label: str) -> PublishError:
    tail = " ".join(stderr.strip().splitlines()[-3:])
    if "Permission denied" in stderr or "Host key verification failed" in stderr:
        why = "SSH 登录被拒绝（密钥或主机指纹不对）。请检查 --ssh 中的密钥、用户名和 known_hosts"
    elif "Connection refused" in stderr or "Could not resolve" in stderr or "timed out" in stderr:
        why = "无法连接远程主机。请检查主机名、端口和网络"
    elif "No space left" in stderr:
        why = "远程主机磁盘空间已满。请清理后重试"
    elif "rsync: command not found" in stderr or "rsync: not found" in stderr or code == 127:
        why = "远程主机上没有 rsync 或所需命令。请在远程主机安装 rsync"
    else:
        why = f"命令失败（退出码 {code}）。请检查远程主机的目录和权限"
    return PublishError(f"{doing}时出错：{label}：{why}。详情：{tail or '无'}。线上网站保持不变。")


# ---------------------------------------------------------------- S3-compatible object storage

LOCK_KEY = ".gongshi/lock"
UNDO = ".gongshi/undo/"
JOURNAL = ".gongshi/journal.json"
LOCK_BEAT = 10.0  # the holder rewrites the lock object this often
LOCK_STALE = 60.0  # a lock not rewritten for this long was left by a killed publisher
HASHED_NAME = re.compile(r"\.[0-9a-f]{8,}\.[A-Za-z0-9]+$")


def _stale(lock: bytes | None, host: str) -> bool:
    """A lock not refreshed for LOCK_STALE seconds, or held by a process of this host
    that no longer exists."""
    try:
        doc = json.loads(lock or b"{}")
        since, pid, holder = float(doc.get("time", 0)), int(doc.get("pid", 0)), doc.get("host")
    except (ValueError, AttributeError, TypeError):
        return True
    if time.time() - since > LOCK_STALE:
        return True
    if holder == host and pid > 0:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
    return False


def content_type(path: str) -> str:
    ext = os.path.splitext(path)[1].lower()
    known = {
        ".json": "application/json",
        ".csv": "text/csv",
        ".js": "text/javascript",
        ".svg": "image/svg+xml",
        ".xml": "application/xml",
        ".webmanifest": "application/manifest+json",
        ".txt": "text/plain",
    }
    kind = known.get(ext) or mimetypes.guess_type(path)[0] or "application/octet-stream"
    text = kind.startswith("text/") or kind in ("application/json", "application/xml", "image/svg+xml")
    return f"{kind}; charset=utf-8" if text else kind


def cache_control(path: str) -> str:
    """HTML and the lists change with every release under the same name: revalidate.
    Files named by content or by release id never change: cache for a year."""
    if HASHED_NAME.search(path) or path.startswith(("manifests/", "changes/")):
        return "public, max-age=31536000, immutable"
    if path.endswith(".html") or path in SELF or path.startswith("downloads/") or path == "history.json":
        return "no-cache"
    return "public, max-age=3600"  # theme files: not named by content, so an hour at most


@dataclass
class S3Target:
    """Objects under ``s3://bucket/prefix/``. Changed and new objects go up first, the
    HTML after them, the record (release.json) last, then stale objects are removed.
    Every object a release overwrites is first copied under ``.gongshi/undo/``; a failure
    puts them back, and the next run does the same after a kill."""

    spec: str
    endpoint_url: str | None = None
    label: str = ""
    keeps_releases: bool = False
    client: Any = field(default=None, repr=False)

    def __post_init__(self) -> None:
        parts = urlsplit(self.spec)
        self.bucket = parts.netloc
        self.prefix = parts.path.strip("/") + "/" if parts.path.strip("/") else ""
        self.label = self.spec
        if not self.bucket:
            raise PublishError(f"无法识别的发布目标“{self.spec}”：应为 s3://桶名/前缀")
        try:
            import boto3  # only publishing to object storage needs it
            from botocore.config import Config
        except ImportError:
            raise PublishError("发布到对象存储需要 boto3：请运行 pip install boto3 后重试。") from None
        endpoint = self.endpoint_url or os.environ.get("GONGSHI_S3_ENDPOINT") or None
        # A session of its own: boto3's default session keeps the first credentials it found.
        session = boto3.session.Session()
        self.client = session.client("s3", endpoint_url=endpoint, config=Config(retries={"max_attempts": 3}))

    def _call(self, doing: str, fn: Callable[..., Any], **kw: Any) -> Any:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return fn(Bucket=self.bucket, **kw)
        except ClientError as exc:
            code = exc.response.get("Error", {}).get("Code", "")
            if code in ("InvalidAccessKeyId", "SignatureDoesNotMatch", "AccessDenied", "403", "ExpiredToken"):
                why = "访问被拒绝（密钥错误或没有权限）。请检查 AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY 和存储桶权限"
            elif code in ("NoSuchBucket", "404") and "Key" not in kw:
                why = f"存储桶 {self.bucket} 不存在。请先创建存储桶或改正目标"
            else:
                why = f"对象存储返回错误 {code or exc}"
            raise PublishError(f"{doing}时出错：{self.label}：{why}。线上网站保持不变。") from exc
        except BotoCoreError as exc:
            raise PublishError(
                f"{doing}时出错：{self.label}：无法连接对象存储（{exc}）。请检查 --endpoint-url 和网络。"
                "线上网站保持不变。"
            ) from exc

    def _get(self, key: str) -> bytes | None:
        from botocore.exceptions import ClientError

        try:
            body = self.client.get_object(Bucket=self.bucket, Key=self.prefix + key)["Body"]
            data: bytes = body.read()
            return data
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return None
            return self._call("读取线上版本", self.client.get_object, Key=self.prefix + key)  # raises in Chinese

    def _exists(self, key: str) -> bool:
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.prefix + key)
            return True
        except ClientError:
            return False

    def _put(self, key: str, body: bytes, **extra: Any) -> None:
        self._call("上传", self.client.put_object, Key=self.prefix + key, Body=body, **extra)

    @contextlib.contextmanager
    def lock(self, wait: float) -> Iterator[None]:
        from botocore.exceptions import ClientError

        self._call("连接对象存储", self.client.head_bucket)
        host = os.uname().nodename

        def body() -> bytes:
            return json.dumps({"pid": os.getpid(), "host": host, "time": time.time()}).encode()

        deadline = time.monotonic() + wait
        while True:
            try:  # created only if absent: two publishers can never both get it
                self.client.put_object(Bucket=self.bucket, Key=self.prefix + LOCK_KEY, Body=body(), IfNoneMatch="*")
                break
            except ClientError as exc:
                if exc.response.get("Error", {}).get("Code") not in ("PreconditionFailed", "412"):
                    self._call("锁定发布目标", self.client.head_bucket)
                    raise
            if _stale(self._get(LOCK_KEY), host):
                self._call("清除过期的锁", self.client.delete_object, Key=self.prefix + LOCK_KEY)
                continue
            if time.monotonic() >= deadline:
                raise busy(self.label)
            time.sleep(0.2)
        # The holder keeps the lock fresh; a killed one stops, and its lock goes stale.
        stop = threading.Event()

        def beat() -> None:
            while not stop.wait(LOCK_BEAT):
                with contextlib.suppress(Exception):
                    self.client.put_object(Bucket=self.bucket, Key=self.prefix + LOCK_KEY, Body=body())

        beating = threading.Thread(target=beat, daemon=True)
        beating.start()
        try:
            yield
        finally:
            stop.set()
            beating.join()
            with contextlib.suppress(Exception):
                self.client.delete_object(Bucket=self.bucket, Key=self.prefix + LOCK_KEY)

    def _listing(self) -> dict[str, str]:
        """{key below the prefix: ETag} of every object (apart from .gongshi/)."""
        out: dict[str, str] = {}
        token: dict[str, str] = {}
        while True:
            # Without the final slash: some S3-compatible servers (moto) mis-sign a "/" in
            # the query; the keys are filtered here instead.
            page = self._call("列出对象", self.client.list_objects_v2, Prefix=self.prefix.rstrip("/"), **token)
            for obj in page.get("Contents", []):
                if not obj["Key"].startswith(self.prefix):
                    continue
                key = obj["Key"][len(self.prefix) :]
                if not key.startswith(".gongshi/"):
                    out[key] = obj["ETag"].strip('"')
            if not page.get("IsTruncated"):
                return out
            token = {"ContinuationToken": page["NextContinuationToken"]}

    def recover(self) -> None:
        raw = self._get(JOURNAL)
        if raw is None:
            return
        journal = json.loads(raw)
        if journal.get("complete"):  # the release went live; only its backups are left
            self._drop_undo(journal)
        else:
            self._undo(journal)

    def _undo(self, journal: dict[str, Any]) -> None:
        """Put back every object the interrupted release overwrote; delete what it added."""
        for key in journal.get("replaced", []):
            if self._exists(UNDO + key):
                self._call(
                    "恢复原有对象",
                    self.client.copy_object,
                    Key=self.prefix + key,
                    CopySource={"Bucket": self.bucket, "Key": self.prefix + UNDO + key},
                    MetadataDirective="COPY",
                )
        for key in journal.get("added", []):
            self._call("删除未完成的对象", self.client.delete_object, Key=self.prefix + key)
        self._drop_undo(journal)

    def _drop_undo(self, journal: dict[str, Any]) -> None:
        for key in journal.get("replaced", []):
            self._call("删除备份", self.client.delete_object, Key=self.prefix + UNDO + key)
        self._call("删除备份", self.client.delete_object, Key=self.prefix + JOURNAL)

    def releases(self) -> list[str]:
        live = self.live_id()
        return [live] if live else []

    def live_id(self) -> str | None:
        raw = self._get(RELEASE)
        try:
            return json.loads(raw)["id"] if raw else None
        except (ValueError, KeyError, TypeError):
            return None

    @contextlib.contextmanager
    def reader(self, release: str | None) -> Iterator[Getter]:
        yield self._get  # only the live release exists

    def base_id(self) -> str | None:
        return self.live_id()

    def deploy(
        self,
        release_id: str,
        staging: Path,
        hashes: dict[str, str],
        previous: dict[str, str],
        base: str | None,
        step: Step,
    ) -> Deployed:
        existing = self._listing()
        upload = []
        for rel in sorted(hashes):
            data = (staging / rel).read_bytes()
            if existing.get(rel) != hashlib.md5(data, usedforsecurity=False).hexdigest():
                upload.append(rel)
        html_last = sorted(upload, key=lambda r: (r in SELF, r == RELEASE, r.endswith(".html"), r))
        stale = sorted(set(existing) - set(hashes))
        journal: dict[str, Any] = {
            "release": release_id,
            "replaced": [r for r in upload if r in existing],
            "added": [r for r in upload if r not in existing],
        }
        done = Deployed(linked=len(hashes) - len(upload))
        self._put(JOURNAL, json.dumps(journal).encode())
        try:
            for rel in journal["replaced"]:
                self._call(
                    "备份原有对象",
                    self.client.copy_object,
                    Key=self.prefix + UNDO + rel,
                    CopySource={"Bucket": self.bucket, "Key": self.prefix + rel},
                )
            bar = Progress("上传文件", len(html_last))
            for n, rel in enumerate(html_last):
                bar.advance(1)
                data = (staging / rel).read_bytes()
                self._put(
                    rel,
                    data,
                    ContentType=content_type(rel),
                    CacheControl=cache_control(rel),
                    Metadata={"sha256": hashes[rel]},
                )
                done.copied += 1
                done.copied_bytes += len(data)
                if n == len(html_last) // 2:
                    step("deploy:copying")
            bar.finish()
            step("deploy:copied")
        except BaseException:
            with contextlib.suppress(Exception):
                self._undo(journal)
            raise
        # release.json is up: the new release is live. From here an interruption must not
        # undo it, only finish the clean-up.
        self._put(JOURNAL, json.dumps({**journal, "complete": True}).encode())
        step("deploy:switched")
        for rel in stale:
            self._call("删除旧对象", self.client.delete_object, Key=self.prefix + rel)
            done.removed += 1
        self._drop_undo(journal)
        return done

    def switch(self, release_id: str) -> None:
        raise PublishError(
            f"对象存储目标 {self.label} 只保存线上的一个版本，不能回退。"
            "请用上一版数据重新运行 gongshi publish（发布记录会保留这次更正）。线上网站保持不变。"
        )

    def prune(self, keep: int) -> list[str]:
        return []
