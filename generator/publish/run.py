"""``gongshi publish``, ``rollback`` and ``verify``: the steps, in order, each stopping
the whole run on failure with the live release untouched.

publish: check the data → build → verify the built site → deploy → record. The record
(release.json and friends, see record.py) is written into the release before it is
deployed, so a release and its record go live together.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from generator.output.folder import Output, Step, translated_os_errors, walk
from generator.schema import SiteSettings

from .record import (
    HISTORY,
    RECORD_PAGES,
    RELEASE,
    RELEASES,
    Previous,
    Record,
    Upcoming,
    Verdict,
    changes_path,
    make_record,
    manifest_path,
    new_release_id,
    record_files,
    sha256,
    site_files,
    verify_site,
)
from .site import Budgets, check_site, hash_files, stage
from .targets import Deployed, PublishError, Target, open_target

Say = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


@dataclass(frozen=True)
class PublishOptions:
    data: Path
    output: Path
    target: str | None = None  # default: the site settings' publish_target
    config: Path | None = None  # Pelican settings (default: publishconf.py, else pelicanconf.py)
    keep: int = 5  # releases kept on a local or remote target
    wait: float = 600.0  # seconds to wait for another publish of the same target
    ssh: str | None = None  # the ssh command for remote targets, e.g. "ssh -i key"
    endpoint_url: str | None = None  # S3-compatible service
    full: bool = False
    jobs: int | None = None
    reports: Path | None = None  # build reports (default: reports/ beside the output folder)
    budgets: Budgets = field(default_factory=Budgets)


@dataclass
class Published:
    release_id: str
    target: str
    files: int
    deployed: Deployed
    record: Record | None  # None: nothing changed, nothing was published
    pruned: list[str]
    unchanged: bool = False


def publish_settings(data: Path) -> SiteSettings:
    """The site settings publishing reads (target, as-of date): only site.yaml is read, so
    a rollback does not prepare the whole dataset to learn where the site lives."""
    from generator.ingest.prepare import site_settings

    return site_settings(data)


def _target_spec(options_target: str | None, data: Path) -> str:
    spec = options_target or publish_settings(data).publish_target
    if not spec:
        raise PublishError(
            "没有指定发布目标：请在命令行写出目标（如 gongshi publish /srv/gongshi），"
            f"或在 {Path(data) / 'site.yaml'} 中设置 publish_target。"
        )
    return spec


def _production_config(config: Path | None) -> Path | None:
    """publishconf.py (Pelican's convention for production settings) when present."""
    if config is not None:
        return config
    return Path("publishconf.py") if Path("publishconf.py").exists() else None


def _remove_dead_stagings(output: Path) -> None:
    """The private copies that killed publishes left beside the output folder."""
    for leftover in output.parent.glob(f".{output.name}.publish-*"):
        pid = leftover.name.rsplit("-", 1)[-1]
        if not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except PermissionError:
            pass  # another user's live process


# Files that list every page, the record pages included (they name the release).
LISTINGS = frozenset({"sitemap.xml"})


def _same_site(live: dict[str, str], built: dict[str, str]) -> bool:
    """The built site equals the live release, apart from the record pages (which name the
    release they were built for: the same data gives the same site otherwise)."""

    def plain(files: dict[str, str]) -> dict[str, str]:
        return {p: d for p, d in site_files(files).items() if not p.startswith(RECORD_PAGES) and p not in LISTINGS}

    return plain(live) == plain(built)


def publish(options: PublishOptions, say: Say = _quiet, step: Step | None = None) -> Published:
    """Publish the data to the target. Raises ValidationFailed (data errors), PrivacyLeak,
    SiteRejected, PublishBusy/PublishError or OutputOSError; the live release is then
    the one that was live before."""
    from generator.build import Build, BuildOptions, default_config, input_fingerprint
    from generator.ingest import prepare as pipeline
    from generator.privacy.mask import allowed_in, contact_values

    step = step or (lambda name: None)
    spec = _target_spec(options.target, options.data)
    target = open_target(spec, options.ssh, options.endpoint_url)
    out = Output(options.output)

    say(f"1/5 检查数据：{options.data}")
    with translated_os_errors("检查数据"):
        out.root.parent.mkdir(parents=True, exist_ok=True)
        with out.lock(options.wait):  # the build's own cache: the build then reuses it
            checked = pipeline.prepare(options.data, cache_dir=out.cache).dataset
    # What the pages publish on purpose (office phones in the settings and in the lists'
    # contact columns): the pre-publish scan allows them as the build's own scan did.
    allowed = allowed_in(checked.settings, contact_values(checked))
    # The build prepares the data again (from the cache just written): this copy must not
    # live beside it (at city size the two made publish peak at 2.6 GB, the build 1.7 GB).
    del checked
    gc.collect()
    found = publish_settings(options.data).as_of
    as_of = found.isoformat() if found is not None else ""
    step("checked")

    # The target is locked from here until the release is live: the build shows the
    # release it is about to make (发布记录), so no other publish may make one meanwhile.
    with target.lock(options.wait):
        with translated_os_errors("读取线上发布记录"):
            target.recover()
            release_id = new_release_id(target.releases())
            base = target.base_id()
            with target.reader(base) as get:
                previous = Previous.read(get)
                carried = {p: get(p) for p in record_files(previous.manifest)}
        missing = [p for p, b in carried.items() if b is None]
        if missing:
            raise PublishError(
                f"线上版本的发布记录不完整（缺少 {missing[0]} 等 {len(missing)} 个文件），"
                "无法延续发布链。请先用 gongshi verify 检查线上网站。"
            )
        kept = {p: b for p, b in carried.items() if b is not None}
        now = dt.datetime.now(dt.UTC)
        config = _production_config(options.config)
        with translated_os_errors("读取数据"):
            inputs = input_fingerprint(options.data, config if config is not None else default_config())
        if previous.manifest and base == target.live_id() and previous.manifest.get("inputs") == inputs:
            # Nothing to record: a release of the same inputs as the live one would only
            # lengthen the public record.
            say(f"5/5 线上版本 {previous.id} 与本次生成的网站完全相同，未发布新版本")
            count = len(site_files(previous.manifest["files"]))
            return Published(str(previous.id), target.label, count, Deployed(), None, [], unchanged=True)

        say(f"2/5 生成网站：{options.output}")
        Build(
            BuildOptions(
                data=options.data,
                output=options.output,
                config=config,
                jobs=options.jobs,
                full=options.full,
                wait=options.wait,
                reports=options.reports,
                upcoming=Upcoming(release_id, now, previous, kept),
            )
        ).run()
        step("built")

        say("3/5 发布前检查：链接、页面结构、数据截止日期、个人信息、页面大小")
        staging = out.root.with_name(f".{out.root.name}.publish-{os.getpid()}")
        try:
            with translated_os_errors("准备发布"):
                with out.lock(options.wait):  # a private copy: later builds cannot change it
                    _remove_dead_stagings(out.root)
                    stage(out.root, staging)
                files = sorted(walk(staging))
                record_paths = [RELEASE, RELEASES, HISTORY, changes_path(release_id), manifest_path(release_id), *kept]
                check_site(
                    staging,
                    files,
                    as_of,
                    options.budgets,
                    jobs=options.jobs or os.cpu_count() or 1,
                    added=record_paths,
                    allowed=allowed,
                )
                hashes = hash_files(staging)
            step("verified")

            say(f"4/5 部署到 {target.label}")
            with translated_os_errors("发布"):
                live = target.live_id()
                if previous.manifest and base == live and _same_site(previous.manifest["files"], hashes):
                    # Nothing to record: a release identical to the live one would only
                    # lengthen the public record.
                    say(f"5/5 线上版本 {previous.id} 与本次生成的网站完全相同，未发布新版本")
                    return Published(str(previous.id), target.label, len(hashes), Deployed(), None, [], unchanged=True)
                record = make_record(release_id, staging, hashes, previous, kept, now, inputs)
                for rel, data in record.files.items():
                    path = staging / rel
                    path.parent.mkdir(parents=True, exist_ok=True)
                    path.unlink(missing_ok=True)  # never write through a hard link into the output
                    path.write_bytes(data)
                all_hashes = {**hashes, **{p: sha256(b) for p, b in record.files.items()}}
                step("recorded")
                previous_files = dict(previous.manifest["files"]) if previous.manifest else {}
                deployed = target.deploy(release_id, staging, all_hashes, previous_files, base, step)
                say(
                    f"5/5 已上线：{release_id}（新传 {deployed.copied} 个文件，{deployed.copied_bytes // 1024} KB；"
                    f"沿用 {deployed.linked} 个未变文件）"
                )
                try:
                    pruned = target.prune(options.keep)
                except (OSError, PublishError) as exc:  # the new release is live: only a warning
                    pruned = []
                    say(f"警告：删除旧版本失败（{exc}），新版本已上线；请稍后手动清理 {target.label} 中的旧版本。")
                if pruned:
                    say(f"已删除较早的版本（保留最近 {options.keep} 个）：{'、'.join(pruned)}")
        finally:
            shutil.rmtree(staging, ignore_errors=True)
    return Published(release_id, target.label, len(all_hashes), deployed, record, pruned)


def rollback(
    target_spec: str | None,
    data: Path,
    to: str | None = None,
    wait: float = 600.0,
    ssh: str | None = None,
    endpoint_url: str | None = None,
) -> tuple[str | None, str]:
    """Switch the target back one release (the newest kept release older than the live
    one), or to ``to``. Returns (previous live id, new live id)."""
    target: Target = open_target(_target_spec(target_spec, data), ssh, endpoint_url)
    if not target.keeps_releases:
        target.switch(to or "")  # explains why not
    if to is None and not target.releases():  # checked before locking: creates nothing
        raise PublishError(f"没有可回退的版本：{target.label} 上还没有发布过。线上网站保持不变。")
    with target.lock(wait), translated_os_errors("回退"):
        target.recover()
        live = target.live_id()
        kept = target.releases()
        if to is not None:
            if to not in kept:
                shown = "、".join(kept) or "无"
                raise PublishError(f"{target.label} 中没有版本 {to}。保留的版本：{shown}。")
            choice = to
        else:
            older = [r for r in kept if live is None or r < live]
            if not older:
                why = f"线上版本 {live} 已是最早保留的版本" if live else "还没有发布过"
                raise PublishError(f"没有可回退的版本：{target.label} 上{why}。线上网站保持不变。")
            choice = older[-1]
        target.switch(choice)
    return live, choice


# ---------------------------------------------------------------- verify a deployed site


def reader_for(location: str, timeout: float = 30.0) -> tuple[Callable[[str], bytes | None], list[str] | None]:
    """A file reader for a site at a URL or in a folder, and the folder's file list."""
    if location.startswith(("http://", "https://")):
        base = location if location.endswith("/") else location + "/"

        def fetch(path: str) -> bytes | None:
            try:
                with urllib.request.urlopen(base + urllib.parse.quote(path), timeout=timeout) as resp:
                    data: bytes = resp.read()
                    return data
            except urllib.error.HTTPError as exc:
                if exc.code in (403, 404, 410):
                    return None
                raise PublishError(f"读取 {base + path} 时服务器返回 {exc.code}。请稍后重试。") from exc
            except (urllib.error.URLError, TimeoutError) as exc:
                raise PublishError(f"无法访问 {base}：{getattr(exc, 'reason', exc)}。请检查网址和网络。") from exc

        return fetch, None
    root = Path(location)
    if not root.is_dir():
        raise PublishError(f"找不到要核对的网站：{location}。请给出网址（http://…）或镜像所在的目录。")

    def read(path: str) -> bytes | None:
        try:
            return (root / path).read_bytes()
        except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
            return None

    return read, sorted(walk(root))


def verify(location: str) -> Verdict:
    """Check the site at a URL or in a folder against its release manifest and chain."""
    get, listing = reader_for(location)
    return verify_site(get, listing)
