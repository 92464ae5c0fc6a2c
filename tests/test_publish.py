"""gongshi publish to a local folder: verified, atomic, locked, reversible, recorded.

Real parts: the full command (check → build → verify → deploy → record) on the mini
fixture, nginx serving TARGET/current while releases switch, a real tmpfs filled up,
processes killed with SIGKILL mid-deploy. Under CI=true nothing here may skip.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
import support
from support import ROOT, read_rows, set_cell, write_rows

ENV = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def require(ok: bool, what: str) -> None:
    """Skip locally, fail under CI=true, when a real component is missing."""
    support.require(ok, f"{what} (scripts/test.sh installs it)")


def gongshi(*args: str, timeout: float = 300, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "generator.cli", *args],
        capture_output=True,
        text=True,
        env=ENV,
        timeout=timeout,
        check=False,
        cwd=cwd,
    )


def publish_to(target: str | Path, data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    return gongshi("publish", str(target), "--data", str(data), "--output", str(out), *extra)


# Runs publish in a child that SIGKILLs itself when the named step is reached.
KILLER = """
import os, signal, sys
from pathlib import Path
from generator.publish import PublishOptions, publish
data, out, target, at = sys.argv[1:5]
def step(name):
    if name == at:
        os.kill(os.getpid(), signal.SIGKILL)
publish(PublishOptions(data=Path(data), output=Path(out), target=target, ssh=os.environ.get("GONGSHI_SSH"),
                       endpoint_url=os.environ.get("GONGSHI_S3_ENDPOINT")), step=step)
"""


def publish_killed_at(step: str, target: str | Path, data: Path, out: Path, env: dict | None = None) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", KILLER, str(data), str(out), str(target), step],
        capture_output=True,
        text=True,
        env={**ENV, **(env or {})},
        timeout=300,
        check=False,
    )
    return proc.returncode


def live(target: Path) -> str:
    return os.readlink(target / "current").rsplit("/", 1)[-1]


def snapshot(root: Path) -> dict[str, str]:
    """Every file and link below root (the lock file records its last holder: left out)."""
    return {
        p.relative_to(root).as_posix(): os.readlink(p) if p.is_symlink() else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if (p.is_file() or p.is_symlink()) and p.name != ".current.lock"
    }


def assert_verified(site: str | Path) -> None:
    check = gongshi("verify", str(site))
    assert check.returncode == 0, check.stdout + check.stderr


def edit_title(data: Path, title: str, row: int = 2) -> None:
    set_cell(data / "projects.csv", row, "项目名称", title)


# ---------------------------------------------------------------- the happy path


def test_publish_sh_is_a_thin_wrapper_and_failed_data_leaves_the_site(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "output"
    sh = ["bash", str(ROOT / "publish.sh"), str(target), "--data", str(mini), "--output", str(out)]
    first = subprocess.run(sh, capture_output=True, text=True, env=ENV, check=False)
    assert first.returncode == 0, first.stderr
    for n, word in enumerate(("检查数据", "生成网站", "发布前检查", "部署到", "已上线"), 1):
        assert f"{n}/5 {word}" in first.stdout
    release = live(target)
    assert (target / "current" / "index.html").is_file()
    assert not (target / "current" / ".gongshi").exists()

    edit_title(mini, "新的名称")
    assert subprocess.run(sh, capture_output=True, text=True, env=ENV, check=False).returncode == 0
    assert live(target) != release
    assert "新的名称" in (target / "current/projects/p1/index.html").read_text(encoding="utf-8")

    set_cell(mini / "projects.csv", 2, "状态", "差不多了")  # broken data
    before = snapshot(target)
    failed = subprocess.run(sh, capture_output=True, text=True, env=ENV, check=False)
    assert failed.returncode == 1
    assert "数据有错误，未发布" in failed.stderr and "projects.csv" in failed.stderr
    assert snapshot(target) == before

    back = subprocess.run([*sh, "--rollback"], capture_output=True, text=True, env=ENV, check=False)
    assert back.returncode == 0, back.stderr
    assert live(target) == release


def test_unchanged_files_are_hard_linked_from_the_previous_release(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    first = live(target)
    edit_title(mini, "新的名称")
    second = publish_to(target, mini, out)
    assert second.returncode == 0, second.stderr
    a, b = target / "releases" / first, target / "releases" / live(target)
    files = [p.relative_to(b) for p in b.rglob("*") if p.is_file()]
    linked = [f for f in files if (a / f).exists() and (a / f).stat().st_ino == (b / f).stat().st_ino]
    changed = {f.as_posix() for f in files} - {f.as_posix() for f in linked}
    # The pages showing P1's title, the downloads and the record changed; the rest is shared.
    assert "projects/p1/index.html" in changed and "theme/css/site.css" not in changed
    assert "release.json" in changed and "releases.json" in changed
    assert len(linked) > len(files) / 2, changed
    copied = sum((b / f).stat().st_size for f in changed)
    assert f"新传 {len(changed)} 个文件，{copied // 1024} KB" in second.stdout


def test_publishing_the_same_site_again_adds_no_release(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    release, before = live(target), snapshot(target)
    again = publish_to(target, mini, out, "--full")
    assert again.returncode == 0, again.stderr
    assert f"线上版本 {release} 与本次生成的网站完全相同，未发布新版本" in again.stdout
    assert snapshot(target) == before


def test_release_ids_are_unique_and_ordered(tmp_path, mini):
    import datetime as dt

    from generator.publish.record import is_release_id, new_release_id

    t = dt.datetime(2026, 12, 7, 7, 30, 12, tzinfo=dt.UTC)
    ids: list[str] = []
    for _ in range(3):
        ids.append(new_release_id(ids, t))
    assert ids == ["20261207T073012Z-01", "20261207T073012Z-02", "20261207T073012Z-03"]
    # A clock that went back still gets an id after every existing one.
    assert new_release_id(ids, t - dt.timedelta(hours=1)) == "20261207T073012Z-04"
    assert all(map(is_release_id, ids)) and not is_release_id(".20261207T073012Z-01.partial")


# ---------------------------------------------------------------- never two at once


def two_versions(mini: Path) -> list[Path]:
    """The data and a copy with another title: two publishes that both have something new."""
    other = mini.with_name("data2")
    shutil.copytree(mini, other)
    edit_title(other, "另一个版本")
    return [mini, other]


def test_two_publishes_at_once_take_turns(tmp_path, mini):
    target = tmp_path / "www"
    datas = two_versions(mini)
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "generator.cli",
                "publish",
                str(target),
                "--data",
                str(datas[i]),
                "--output",
                str(tmp_path / f"out{i}"),
            ],
            env=ENV,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for i in range(2)
    ]
    results = [p.communicate(timeout=300) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], results
    releases = sorted(p.name for p in (target / "releases").iterdir())
    assert len(releases) == 2 and not [r for r in releases if r.startswith(".")]
    # The second one chained onto the first: both complete, the newest live.
    assert live(target) == releases[-1]
    record = json.loads((target / "current" / "releases.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in record] == releases[::-1]
    assert_verified(target / "current")


def test_a_held_target_is_refused_with_a_message(tmp_path, mini):
    from generator.output.folder import OutputLock

    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    before = snapshot(target)
    with OutputLock(target / "current", wait=0):
        busy = publish_to(target, mini, out, "--wait", "0.5")
        rolled = gongshi("rollback", str(target), "--wait", "0.5")
    assert busy.returncode == 2 and "另一个发布或回退正在操作" in busy.stderr, busy.stderr
    assert rolled.returncode == 2 and "另一个发布或回退正在操作" in rolled.stderr
    assert snapshot(target) == before


# ---------------------------------------------------------------- failures leave the live release


@pytest.mark.parametrize("step", ["deploy:copying", "deploy:copied", "deploy:renamed"])
def test_a_kill_mid_deploy_leaves_the_live_release_and_is_cleaned_up(tmp_path, mini, step):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    release, before = live(target), snapshot(target / "current")
    edit_title(mini, "新的名称")
    assert publish_killed_at(step, target, mini, out) == -signal.SIGKILL
    assert live(target) == release and snapshot(target / "current") == before
    assert_verified(target / "current")
    leftovers = [p.name for p in (target / "releases").iterdir() if p.name != release]
    assert leftovers, "the kill should have left a half-made release for the next run"
    assert list(tmp_path.glob(".out.publish-*")), "and its private copy of the site"
    again = publish_to(target, mini, out)
    assert again.returncode == 0, again.stderr
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted([release, live(target)])
    assert not (target / ".publishing").exists() and not list(tmp_path.glob(".out.publish-*"))
    assert_verified(target / "current")


def test_a_full_disk_stops_with_a_message_and_leaves_the_live_release(tmp_path, mini):
    disk = tmp_path / "disk"
    disk.mkdir()
    mounted = (
        os.geteuid() == 0
        and subprocess.run(
            ["mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", str(disk)], capture_output=True, check=False
        ).returncode
        == 0
    )
    require(mounted, "mounting a tmpfs needs root")
    try:
        target, out = disk / "www", tmp_path / "out"
        assert publish_to(target, mini, out).returncode == 0
        release, before = live(target), snapshot(target / "current")
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * (free - 20 * 1024))
        text = (mini / "site.yaml").read_text(encoding="utf-8").replace("2026-06-30", "2026-07-01")
        (mini / "site.yaml").write_text(text, encoding="utf-8")  # every page shows the new date
        full = publish_to(target, mini, out)
        assert full.returncode == 2, full.stdout + full.stderr
        assert "发布时磁盘空间已满" in full.stderr and "网站保持不变" in full.stderr
        assert "Traceback" not in full.stderr and len(full.stderr.splitlines()) < 5
        assert live(target) == release and snapshot(target / "current") == before
        assert sorted(p.name for p in (target / "releases").iterdir()) == [release]
        assert not (target / ".publishing").exists()
        (disk / "filler").unlink()
        assert publish_to(target, mini, out).returncode == 0
        assert_verified(target / "current")
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def _site_with_page(tmp_path: Path, markdown: str) -> Path:
    """Pelican settings like the project's, with one more Markdown page."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "pages" / "extra.md").write_text(markdown, encoding="utf-8")
    conf = tmp_path / "publishconf.py"
    conf.write_text(
        (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
        + f"\nPATH = {str(content)!r}\nTHEME = {str(ROOT / 'theme')!r}\n",
        encoding="utf-8",
    )
    return conf


def test_a_broken_internal_link_is_never_published(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    good = _site_with_page(tmp_path / "good", "Title: 附加\nSlug: extra\n\n[关于](../about/)\n")
    assert publish_to(target, mini, out, "--settings", str(good)).returncode == 0
    before = snapshot(target)
    bad = _site_with_page(tmp_path / "bad", "Title: 附加\nSlug: extra\n\n[旧页面](../no-such-page/)\n")
    failed = publish_to(target, mini, out, "--settings", str(bad))
    assert failed.returncode == 2, failed.stdout + failed.stderr
    assert "发布前检查未通过" in failed.stderr
    assert (
        "pages/extra/index.html：链接“../no-such-page/”指向的文件 pages/no-such-page/index.html 不存在" in failed.stderr
    )
    assert snapshot(target) == before
    # Without --settings, publishconf.py in the current folder is the production configuration.
    from_cwd = gongshi("publish", str(target), "--data", str(mini), "--output", str(out), cwd=bad.parent)
    assert from_cwd.returncode == 2 and "../no-such-page/" in from_cwd.stderr
    assert snapshot(target) == before


# ---------------------------------------------------------------- rollback is a history


def test_rollback_steps_back_twice_then_says_there_is_nothing_left(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    ids = []
    for title in ("第一版", "第二版", "第三版"):
        edit_title(mini, title)
        assert publish_to(target, mini, out).returncode == 0
        ids.append(live(target))
    assert gongshi("rollback", str(target)).returncode == 0
    assert live(target) == ids[1]
    second = gongshi("rollback", str(target))
    assert second.returncode == 0 and live(target) == ids[0], second.stderr  # further back, not forward
    assert "第一版" in (target / "current/projects/p1/index.html").read_text(encoding="utf-8")
    before = snapshot(target)
    none_left = gongshi("rollback", str(target))
    assert none_left.returncode == 2 and "没有可回退的版本" in none_left.stderr
    assert snapshot(target) == before
    to = gongshi("rollback", str(target), "--to", ids[1])
    assert to.returncode == 0 and live(target) == ids[1]
    unknown = gongshi("rollback", str(target), "--to", "20990101T000000Z-01")
    assert unknown.returncode == 2 and "没有版本 20990101T000000Z-01" in unknown.stderr
    # A publish after a rollback follows the newest release in the chain, so the release
    # that was rolled back stays in the public record; the newest N are kept.
    edit_title(mini, "第四版")
    assert publish_to(target, mini, out, "--keep", "2").returncode == 0
    fourth = live(target)
    assert sorted(p.name for p in (target / "releases").iterdir()) == sorted([ids[2], fourth])
    record = json.loads((target / "current" / "releases.json").read_text(encoding="utf-8"))
    assert [r["id"] for r in record] == [fourth, ids[2], ids[1], ids[0]]
    changes = json.loads((target / "current" / "changes" / f"{fourth}.json").read_text(encoding="utf-8"))
    assert changes["lists"]["projects"]["changed"] == [{"id": "P1", "fields": {"title": ["第三版", "第四版"]}}]
    assert_verified(target / "current")


def test_releases_of_the_old_publish_sh_are_kept_and_can_be_rolled_back_to(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert gongshi("build", "--data", str(mini), "--output", str(out)).returncode == 0
    legacy = target / "releases" / "20260101T000000Z-4242"  # how publish.sh named releases
    shutil.copytree(out, legacy, ignore=shutil.ignore_patterns(".gongshi"))
    (target / "current").symlink_to("releases/20260101T000000Z-4242")
    edit_title(mini, "新版本")
    assert publish_to(target, mini, out).returncode == 0
    assert live(target) != legacy.name and legacy.is_dir()
    back = gongshi("rollback", str(target))
    assert back.returncode == 0 and live(target) == legacy.name, back.stderr


def test_rollback_with_nothing_published_creates_nothing(tmp_path):
    target = tmp_path / "never"
    result = gongshi("rollback", str(target))
    assert result.returncode == 2 and "没有可回退的版本" in result.stderr and "还没有发布过" in result.stderr
    assert not target.exists()


def test_the_target_comes_from_the_site_settings(tmp_path, mini):
    target = tmp_path / "from-settings"
    with (mini / "site.yaml").open("a", encoding="utf-8") as f:
        f.write(f"publish_target: {target}\n")
    result = gongshi("publish", "--data", str(mini), "--output", str(tmp_path / "out"))
    assert result.returncode == 0, result.stderr
    assert (target / "current" / "index.html").is_file()
    (mini / "site.yaml").write_text(
        (mini / "site.yaml").read_text(encoding="utf-8").replace(f"publish_target: {target}\n", ""), encoding="utf-8"
    )
    missing = gongshi("publish", "--data", str(mini), "--output", str(tmp_path / "out"))
    assert missing.returncode == 2 and "没有指定发布目标" in missing.stderr


# ---------------------------------------------------------------- the public record


def test_three_releases_make_a_chain_with_added_changed_and_withdrawn_items(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    edit_title(mini, "楼道灯全面改造")
    rows = read_rows(mini / "demands.csv")
    write_rows(
        mini / "demands.csv",
        [*rows, ["D007", "C1", "2026-06-01", "走访", "微设施", "增设路灯", "群众点单", "", "", "", "", ""]],
    )
    assert publish_to(target, mini, out).returncode == 0
    rows = read_rows(mini / "demands.csv")
    write_rows(mini / "demands.csv", [r for r in rows if r[0] != "D006"])
    assert publish_to(target, mini, out).returncode == 0

    site = target / "current"
    releases = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    ids = [r["id"] for r in releases][::-1]
    assert len(ids) == 3 and ids == sorted(ids)
    manifests = [(site / "manifests" / f"{i}.json").read_bytes() for i in ids]
    docs = [json.loads(m) for m in manifests]
    assert (site / "release.json").read_bytes() == manifests[-1]
    assert docs[0]["previous"] is None and docs[0]["previous_manifest"] is None
    for before, after, raw in zip(docs, docs[1:], manifests, strict=False):
        assert after["previous"] == before["id"]
        assert after["previous_manifest"] == hashlib.sha256(raw).hexdigest()
    for entry, raw in zip(releases[::-1], manifests, strict=True):
        assert entry["manifest"] == hashlib.sha256(raw).hexdigest() and entry["as_of"] == "2026-06-30"
    latest = docs[-1]
    for name in ("demands", "projects", "results"):
        digest = hashlib.sha256((site / "downloads" / f"{name}.json").read_bytes()).hexdigest()
        assert latest["lists"][name] == latest["files"][f"downloads/{name}.json"] == digest
    on_disk = {p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()}
    assert on_disk - set(latest["files"]) == {"release.json", "releases.json", f"manifests/{ids[2]}.json"}

    second = json.loads((site / "changes" / f"{ids[1]}.json").read_text(encoding="utf-8"))
    assert second["previous"] == ids[0]
    assert second["lists"]["projects"]["changed"] == [
        {"id": "P1", "fields": {"title": ["桂香社区楼道灯改造", "楼道灯全面改造"]}}
    ]
    assert [a["id"] for a in second["lists"]["demands"]["added"]] == ["D007"]
    assert second["lists"]["demands"]["added"][0]["item"]["summary"] == "增设路灯"
    third = json.loads((site / "changes" / f"{ids[2]}.json").read_text(encoding="utf-8"))
    withdrawn = third["lists"]["demands"]["withdrawn"]
    assert [w["id"] for w in withdrawn] == ["D006"] and withdrawn[0]["item"]["summary"] == "消防通道被占"
    assert releases[0]["changes"]["demands"] == {"added": 0, "changed": 0, "withdrawn": 1}
    history = json.loads((site / "history.json").read_text(encoding="utf-8"))
    assert [e["change"] for e in history["demands"]["D006"]] == ["added", "withdrawn"]
    assert [e["release"] for e in history["projects"]["P1"]] == [ids[0], ids[1]]
    assert history["projects"]["P1"][1]["fields"]["title"][1] == "楼道灯全面改造"
    # Nothing personal in the record: the private columns never reach the downloads.
    record = "".join(p.read_text(encoding="utf-8") for p in (site / "changes").glob("*.json"))
    assert "13812345678" not in record and "幸福路" not in record
    assert_verified(site)

    # The pages of the record, each release built knowing itself: 发布记录 lists all three,
    # newest first; the third release's page shows the withdrawn demand with its last
    # title; P1's page shows its history, the changed title old → new.
    from bs4 import BeautifulSoup

    def page(rel: str) -> BeautifulSoup:
        return BeautifulSoup((site / rel).read_text(encoding="utf-8"), "html.parser")

    listed = [li.h3.a.get_text(strip=True) for li in page("records/index.html").select("li.release")]
    assert listed == ids[::-1]
    assert "本次发布" in page("records/index.html").select_one("li.release").get_text()
    assert page("index.html").select_one('footer a[href$="records/"]')
    gone = page(f"records/{ids[2]}/index.html").select_one("section.release-withdrawn")
    assert "D006" in gone.get_text() and "消防通道被占" in gone.get_text() and "撤回" in gone.get_text()
    changed = next(
        s for s in page(f"records/{ids[1]}/index.html").select("section.release-changed") if "整改清单" in s.h2.text
    )
    assert changed.select_one("del").get_text() == "桂香社区楼道灯改造"
    assert changed.select_one("ins").get_text() == "楼道灯全面改造"
    assert changed.select_one('a[href$="projects/p1/"]')
    events = page("projects/p1/index.html").select("section.history ol.changes > li")
    assert [e.a.get_text() for e in events] == [ids[0], ids[1]]
    assert "新增" in events[0].get_text() and "楼道灯全面改造" in events[1].select_one("ins").get_text()
    assert "首次发布" in page(f"records/{ids[0]}/index.html").get_text()
    # The feeds carry what the record says changed or was withdrawn, dated by the data.
    import feedparser

    feed = feedparser.parse((site / "feeds" / "all.xml").read_bytes())
    by_title = {e.title: e for e in feed.entries}
    changed_p1 = by_title["【内容变更】楼道灯全面改造"]
    assert "桂香社区楼道灯改造 → 楼道灯全面改造" in changed_p1.summary and changed_p1.link.endswith("projects/p1/")
    assert changed_p1.id.endswith(f"project/p1/changed/{ids[1]}") and changed_p1.updated.startswith("2026-06-30")
    gone_demand = by_title["【需求撤回】消防通道被占"]
    assert gone_demand.link.endswith(f"records/{ids[2]}/")


def test_verify_finds_one_altered_byte_in_a_mirror(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    edit_title(mini, "新的名称")
    assert publish_to(target, mini, out).returncode == 0
    mirror = tmp_path / "mirror"
    shutil.copytree(target / "current", mirror)  # what a newsroom would download
    ok = gongshi("verify", str(mirror))
    assert ok.returncode == 0 and "一致" in ok.stdout and "发布链 2 次发布" in ok.stdout, ok.stdout

    page = mirror / "projects" / "p2" / "index.html"
    data = bytearray(page.read_bytes())
    i = data.index("刘明".encode())
    data[i + 1] ^= 0x01
    page.write_bytes(bytes(data))
    altered = gongshi("verify", str(mirror))
    assert altered.returncode == 1
    assert "内容不符：projects/p2/index.html" in altered.stdout and "发现 1 处不一致" in altered.stdout

    (mirror / "units" / "index.html").unlink()
    (mirror / "fake.html").write_text("<p>伪造</p>", encoding="utf-8")
    more = gongshi("verify", str(mirror))
    assert "缺少：units/index.html" in more.stdout and "多出的文件（不在发布记录中）：fake.html" in more.stdout

    # Rewriting the record to hide a change breaks the chain.
    shutil.rmtree(mirror)
    shutil.copytree(target / "current", mirror)
    first = sorted((mirror / "manifests").glob("*.json"))[0]
    first.write_text(first.read_text(encoding="utf-8").replace("2026-06-30", "2026-06-29"), encoding="utf-8")
    chain = gongshi("verify", str(mirror))
    assert chain.returncode == 1 and "与 releases.json 记录的哈希不一致" in chain.stdout
    missing = gongshi("verify", str(tmp_path / "nowhere"))
    assert missing.returncode == 2 and "找不到要核对的网站" in missing.stderr


# ---------------------------------------------------------------- check before going live


def test_the_site_check_names_each_problem(tmp_path, mini):
    from generator.output.folder import walk
    from generator.publish import Budgets, SiteRejected, check_site

    out = tmp_path / "out"
    assert gongshi("build", "--data", str(mini), "--output", str(out)).returncode == 0
    check_site(out, list(walk(out)), "2026-06-30")  # the built site passes
    home = out / "index.html"
    html = home.read_text(encoding="utf-8")
    home.write_text(
        html.replace('<html lang="zh-CN">', "<html>")
        .replace("<title>", "<title>\n")
        .replace("./theme/css/site.css", "./theme/css/gone.css")
        .replace("</main>", ""),
        encoding="utf-8",
    )
    page = out / "units" / "index.html"
    page.write_text(
        page.read_text(encoding="utf-8").replace('datetime="2026-06-30"', 'datetime="2026-05-31"'), encoding="utf-8"
    )
    (out / "theme" / "js" / "elder.js").unlink()  # every page loads it
    with pytest.raises(SiteRejected) as caught:
        check_site(out, list(walk(out)), "2026-06-30", Budgets(home=4 * 1024, css=1024))
    text = str(caught.value)
    assert "index.html：缺少 <html lang>" in text
    assert "index.html：链接“./theme/css/site.css”" not in text
    assert "index.html：链接“./theme/css/gone.css”指向的文件 theme/css/gone.css 不存在" in text
    assert "index.html：HTML 结构有误：<main> 没有结束标签" in text
    assert "units/index.html：没有显示数据截止日期 2026-06-30（页面上为：2026-05-31）" in text
    # every page but the embeds and notice sheets, which load no script but their own
    pages = sum("theme/js/elder.js" in p.read_text(encoding="utf-8") for p in out.rglob("*.html"))
    first = "api/index.html：链接“../theme/js/elder.js”指向的文件 theme/js/elder.js 不存在"  # the first page, by path
    assert f"{first}（另有 {pages - 1} 处链接到它）" in text
    assert "index.html：页面" in text and "超过 4 KB 的上限" in text
    assert "theme/css/site.css：" in text and "超过 1 KB 的上限" in text
    # Read by several processes (as a city's site is), the report is the same.
    with pytest.raises(SiteRejected) as parallel:
        check_site(out, list(walk(out)), "2026-06-30", Budgets(home=4 * 1024, css=1024), jobs=2, parallel_from=1)
    assert parallel.value.problems == caught.value.problems


def test_the_site_check_stops_personal_data(tmp_path, mini):
    from generator.output.folder import walk
    from generator.problems import PrivacyLeak
    from generator.publish import check_site

    out = tmp_path / "out"
    assert gongshi("build", "--data", str(mini), "--output", str(out)).returncode == 0
    (out / "downloads" / "leak.json").write_text('{"phone": "13812345678"}', encoding="utf-8")
    with pytest.raises(PrivacyLeak):
        check_site(out, list(walk(out)), "2026-06-30")


# ---------------------------------------------------------------- nginx serving releases as they switch


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def nginx(root: Path, prefix: Path) -> Iterator[str]:
    exe = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    require(exe is not None, "nginx is not installed (Debian package nginx-light)")
    assert exe is not None
    prefix.mkdir(parents=True, exist_ok=True)
    port = free_port()
    user = "user root root;\n" if os.geteuid() == 0 else ""  # workers must read pytest's 0700 folders
    temps = "\n".join(f"  {n}_temp_path {prefix / n};" for n in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    conf = prefix / "nginx.conf"
    conf.write_text(
        f"""{user}daemon off;
worker_processes 2;
pid {prefix / "nginx.pid"};
error_log {prefix / "error.log"} warn;
events {{ worker_connections 256; }}
http {{
  include /etc/nginx/mime.types;
  access_log off;
{temps}
  server {{
    listen 127.0.0.1:{port};
    root {root};
    location / {{ try_files $uri $uri/ =404; }}
  }}
}}
""",
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [exe, "-e", str(prefix / "error.log"), "-c", str(conf), "-p", str(prefix)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 15
        while True:
            assert proc.poll() is None, (prefix / "error.log").read_text(encoding="utf-8", errors="replace")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            assert time.monotonic() < deadline, "nginx did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}/"
    finally:
        proc.terminate()
        proc.wait(timeout=10)


PAGES = ["", "projects/p1/", "lists/projects/", "downloads/projects.json", "release.json", "theme/css/site.css"]


def _file(path: str) -> str:
    return path + "index.html" if path == "" or path.endswith("/") else path


def test_nginx_never_serves_a_mixed_or_missing_release(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "out"
    assert publish_to(target, mini, out).returncode == 0
    seen: list[tuple[str, int, str]] = []
    stop = threading.Event()
    with nginx(target / "current", tmp_path / "nginx") as base:

        def read() -> None:
            while not stop.is_set():
                for path in PAGES:
                    try:
                        with urllib.request.urlopen(base + path, timeout=5) as resp:
                            seen.append((path, resp.status, hashlib.sha256(resp.read()).hexdigest()))
                    except urllib.error.HTTPError as exc:
                        seen.append((path, exc.code, ""))

        readers = [threading.Thread(target=read) for _ in range(3)]
        for t in readers:
            t.start()
        try:
            for title in ("第二版", "第三版", "第四版"):
                edit_title(mini, title)
                assert publish_to(target, mini, out).returncode == 0
            assert gongshi("rollback", str(target)).returncode == 0
            time.sleep(0.3)
        finally:
            stop.set()
            for t in readers:
                t.join()
        assert_verified(base)
    # Every response is one release's version of that file, byte for byte.
    versions: dict[str, set[str]] = {}
    for release in (target / "releases").iterdir():
        files = json.loads((release / "release.json").read_text(encoding="utf-8"))["files"]
        for path in PAGES:
            digest = files.get(_file(path)) or hashlib.sha256((release / _file(path)).read_bytes()).hexdigest()
            versions.setdefault(path, set()).add(digest)
    assert len(seen) > 50, len(seen)
    bad = [(p, status) for p, status, digest in seen if status != 200 or digest not in versions[p]]
    assert not bad, bad[:10]
    assert len({d for p, _, d in seen if p == "projects/p1/"}) > 1, "the readers never saw a switch"


# ---------------------------------------------------------------- targets, headers


def test_target_strings_name_the_three_kinds_of_target(tmp_path, monkeypatch):
    from generator.publish import PublishError, open_target
    from generator.publish.targets import LocalTarget, RsyncTarget

    local = open_target(str(tmp_path / "www"))
    assert isinstance(local, LocalTarget) and local.root == tmp_path / "www"
    remote = open_target("deploy@example.org:/srv/gongshi", ssh="ssh -i key")
    assert isinstance(remote, RsyncTarget) and remote.host == "deploy@example.org" and remote.root == "/srv/gongshi"
    assert remote.ssh[:3] == ["ssh", "-i", "key"]
    port = open_target("ssh://deploy@example.org:2222/srv/gongshi")
    assert isinstance(port, RsyncTarget) and port.ssh[-2:] == ["-p", "2222"] and port.root == "/srv/gongshi"
    with pytest.raises(PublishError, match=re.escape("无法识别的发布目标“ftp://example.org/x”")):
        open_target("ftp://example.org/x")
    monkeypatch.setitem(sys.modules, "boto3", None)  # as if boto3 were not installed
    with pytest.raises(PublishError, match="发布到对象存储需要 boto3"):
        open_target("s3://bucket/site")


def test_object_headers_by_kind_of_file():
    from generator.publish.targets import cache_control, content_type

    assert content_type("index.html") == "text/html; charset=utf-8"
    assert content_type("downloads/projects.csv") == "text/csv; charset=utf-8"
    assert content_type("downloads/projects.json") == "application/json; charset=utf-8"
    assert content_type("theme/js/elder.js") == "text/javascript; charset=utf-8"
    assert content_type("theme/img/favicon.svg") == "image/svg+xml; charset=utf-8"
    assert content_type("docs/a.png") == "image/png"
    assert cache_control("projects/p1/index.html") == "no-cache"
    assert cache_control("downloads/projects.json") == "no-cache"
    assert cache_control("release.json") == cache_control("releases.json") == "no-cache"
    assert cache_control("theme/css/site.css") == "public, max-age=3600"
    assert "immutable" in cache_control("theme/css/site.3f2a9c1b.css")
    assert "immutable" in cache_control("changes/20261207T073012Z-01.json")


# ---------------------------------------------------------------- the demo, three releases


def test_three_releases_of_the_demo(tmp_path):
    """The committed demo district, published three times: a first release, one with a
    project changed and a demand added, one with a demand withdrawn. The record names
    each, the second release copies a small share of the bytes, and the site verifies."""
    data, target, out = tmp_path / "data", tmp_path / "www", tmp_path / "out"
    shutil.copytree(ROOT / "data", data)
    assert publish_to(target, data, out).returncode == 0
    projects = read_rows(data / "projects.csv")
    header = projects[0]
    old_title = projects[1][header.index("项目名称")]
    projects[1][header.index("项目名称")] = old_title + "（扩大范围）"
    write_rows(data / "projects.csv", projects)
    demands = read_rows(data / "demands.csv")
    linked = (data / "projects.csv").read_text(encoding="utf-8-sig")  # projects name the demands they answer
    spare = next(r for r in demands[1:] if r[8] == "" and r[0] not in linked)
    new_id = f"D{int(max(r[0] for r in demands[1:])[1:]) + 1:06d}"
    write_rows(data / "demands.csv", [*demands, [new_id, *spare[1:]]])
    second = publish_to(target, data, out)
    assert second.returncode == 0, second.stderr
    release = json.loads((target / "current" / "release.json").read_text(encoding="utf-8"))
    copied = int(second.stdout.split("新传 ")[1].split(" 个文件")[0])
    assert copied < len(release["files"]) / 10, second.stdout  # a small change copies a small share
    write_rows(data / "demands.csv", [r for r in read_rows(data / "demands.csv") if r[0] != spare[0]])
    assert publish_to(target, data, out).returncode == 0

    site = target / "current"
    releases = json.loads((site / "releases.json").read_text(encoding="utf-8"))
    assert [r["previous"] for r in releases] == [releases[1]["id"], releases[2]["id"], None]
    ids = [r["id"] for r in releases][::-1]
    changes = [json.loads((site / "changes" / f"{i}.json").read_text(encoding="utf-8"))["lists"] for i in ids]
    assert len(changes[0]["projects"]["added"]) == len(projects) - 1
    renamed = {"id": projects[1][0], "fields": {"title": [old_title, old_title + "（扩大范围）"]}}
    assert renamed in changes[1]["projects"]["changed"]
    assert [a["id"] for a in changes[1]["demands"]["added"]] == [new_id]
    assert [w["id"] for w in changes[2]["demands"]["withdrawn"]] == [spare[0]]
    assert_verified(site)
