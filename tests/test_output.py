"""The output folder under faults: one build at a time, a commit that is never half-done
for long, OS errors as Chinese messages with exit code 2, and leftovers cleaned.

Each fault is injected at every step of the commit through the Build's ``step`` hook: a
real SIGKILL in a child process, or an OS error raised in this one. Afterwards the output
is the old site or the new one (or, after a kill in the middle of moving files, marked
as interrupted), and the next build always gives exactly what a full build gives.
"""

from __future__ import annotations

import errno
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from support import ROOT, set_cell, site_files

from generator.build import Build, BuildOptions
from generator.cli import main, parser
from generator.output.folder import PENDING, Output, OutputBusy, OutputOSError

FULL_STEPS = ["swap:ready", "swap:exchanged"]
INCREMENTAL_STEPS = ["commit:marked", "commit:moving", "commit:moved", "commit:removed", "commit:recorded",
                     "commit:done"]  # fmt: skip


def build(data: Path, out: Path, *extra: str) -> int:
    return main(["build", "--data", str(data), "--output", str(out), "--jobs", "1", *extra])


def edit(data: Path) -> None:
    """A change that rewrites some pages and removes others (page size 3 -> 4)."""
    set_cell(data / "projects.csv", 3, "项目名称", "小区门口排水改造（二期）")
    site = data / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("page_size: 3", "page_size: 4"), encoding="utf-8")


@pytest.fixture
def sites(tmp_path: Path, mini: Path) -> tuple[Path, dict[str, bytes], dict[str, bytes]]:
    """The data after the edit, and the old and new sites as full builds make them."""
    assert build(mini, tmp_path / "old", "--full") == 0
    old = site_files(tmp_path / "old")
    edit(mini)
    assert build(mini, tmp_path / "new", "--full") == 0
    new = site_files(tmp_path / "new")
    assert old != new
    return mini, old, new


def fresh_old_output(tmp_path: Path, data: Path, name: str) -> Path:
    """An output folder holding the old site, as an incremental build leaves it."""
    out = tmp_path / name / "output"
    shutil.copytree(tmp_path / "old", out)
    return out


# ---------------------------------------------------------------- help


def test_every_command_and_its_help():
    subcommands = next(a for a in parser()._actions if a.dest == "command").choices
    assert {"check", "build", "serve", "demo", "bench", "template", "docs"} <= set(subcommands)
    for argv in (["--help"], *([name, "--help"] for name in subcommands)):
        proc = subprocess.run([sys.executable, "-m", "generator.cli", *argv], capture_output=True, text=True,
                              cwd=ROOT, check=False)  # fmt: skip
        assert proc.returncode == 0, (argv, proc.stderr)
        assert "usage" in proc.stdout and not proc.stderr
    # Every option and argument says, in Chinese, what it is for.
    for name, sub in subcommands.items():
        for action in sub._actions:
            if action.dest != "help":
                assert action.help and re.search(r"[\u4e00-\u9fff]", action.help), (name, action.dest)


# ---------------------------------------------------------------- kills


_KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from generator.build import Build, BuildOptions

    data, output, at = sys.argv[1:4]

    def step(name):
        if name == at:
            os.kill(os.getpid(), signal.SIGKILL)

    Build(BuildOptions(Path(data), Path(output), jobs=1, full="--full" in sys.argv), step=step).run()
    """
)


def killed_build(data: Path, out: Path, at: str, *extra: str) -> None:
    proc = subprocess.run([sys.executable, "-c", _KILLER, str(data), str(out), at, *extra], cwd=ROOT,
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert proc.returncode == -9, (at, proc.stderr[-2000:])


@pytest.mark.parametrize("at", INCREMENTAL_STEPS + FULL_STEPS)
def test_a_kill_at_any_commit_step_leaves_old_or_new_and_the_next_build_repairs(tmp_path, sites, at):
    data, old, new = sites
    out = fresh_old_output(tmp_path, data, "killed")
    killed_build(data, out, at, *(["--full"] if at in FULL_STEPS else []))
    now = site_files(out)
    if (out / PENDING).exists():
        assert at.startswith("commit:")  # only a kill between moves leaves a mix, and marks it
    else:
        assert now in (old, new), f"a kill at {at} left neither the old nor the new site"
    assert build(data, out) == 0
    assert site_files(out) == new
    assert not (out / PENDING).exists()
    assert not Output(out).staging.exists() and not Output(out).old.exists()


def test_the_output_folder_exists_at_every_moment_of_a_swap(tmp_path, sites):
    data, _, new = sites
    out = fresh_old_output(tmp_path, data, "swap")
    seen: list[tuple[str, bool]] = []
    Build(BuildOptions(data, out, jobs=1, full=True), step=lambda name: seen.append((name, out.is_dir()))).run()
    # The atomic exchange: never "swap:moved-old", the fallback that renames twice.
    assert seen == [("swap:ready", True), ("swap:exchanged", True)]
    assert site_files(out) == new


# ---------------------------------------------------------------- OS errors


def failing(at: str, code: int = errno.ENOSPC):
    def step(name: str) -> None:
        if name == at:
            raise OSError(code, os.strerror(code), f"/srv/site/{name}")

    return step


@pytest.mark.parametrize("at", INCREMENTAL_STEPS + FULL_STEPS)
def test_an_os_error_at_any_commit_step_leaves_old_or_new(tmp_path, sites, at):
    data, old, new = sites
    out = fresh_old_output(tmp_path, data, "failed")
    with pytest.raises(OutputOSError) as exc:
        Build(BuildOptions(data, out, jobs=1, full=at in FULL_STEPS), step=failing(at)).run()
    assert "磁盘空间已满" in str(exc.value) and "/srv/site/" in str(exc.value)
    now = site_files(out)
    assert now in (old, new), f"an error at {at} left neither the old nor the new site"
    if at not in ("commit:done", "swap:exchanged"):  # before the switch: rolled back
        assert now == old
    assert not (out / PENDING).exists()
    assert build(data, out) == 0
    assert site_files(out) == new


def test_os_errors_exit_2_with_a_chinese_message(tmp_path, mini, capsys, monkeypatch):
    out = tmp_path / "output"
    assert build(mini, out) == 0
    before = site_files(out)
    edit(mini)

    def no_permission(self, *args, **kwargs):
        raise PermissionError(errno.EACCES, "Permission denied", str(out / "projects"))

    monkeypatch.setattr(Output, "commit", no_permission)
    assert build(mini, out) == 2
    err = capsys.readouterr().err
    assert "没有权限" in err and str(out / "projects") in err and "Traceback" not in err
    assert site_files(out) == before


def test_a_cache_path_that_is_a_file(tmp_path, mini, capsys, monkeypatch):
    out = tmp_path / "output"
    blocked = tmp_path / "cache-home"
    blocked.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("GONGSHI_CACHE_HOME", str(blocked))
    assert build(mini, out) == 2
    err = capsys.readouterr().err
    assert "却是一个文件" in err and "cache-home" in err and "Traceback" not in err
    assert not out.exists()


def _tmpfs(path: Path, size: str) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    proc = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(path)], capture_output=True,
                          check=False)  # fmt: skip
    return proc.returncode == 0


def test_a_full_disk_exits_2_and_keeps_the_previous_site(tmp_path, mini):
    """On a real, small file system (tmpfs, as root): the disk fills up while the new site
    is written; the build says so in Chinese, exits 2 and the live site is untouched."""
    disk = tmp_path / "disk"
    if not _tmpfs(disk, "3m"):
        if os.environ.get("CI") == "true":
            pytest.fail("cannot mount a tmpfs to fill up (the test runs as root in CI)")
        pytest.skip("mounting a tmpfs needs root")
    try:
        out = disk / "output"
        assert build(mini, out) == 0
        before = site_files(out)
        edit(mini)
        # Leave too little room for the new pages (they are staged beside the output).
        free = shutil.disk_usage(disk).free
        (disk / "filler").write_bytes(b"\0" * max(free - 20_000, 0))
        proc = subprocess.run(
            [sys.executable, "-m", "generator.cli", "build", "--data", str(mini), "--output", str(out), "--full",
             "--jobs", "1", "--reports", str(tmp_path / "reports")],
            capture_output=True, text=True, cwd=ROOT, check=False,
        )  # fmt: skip
        assert proc.returncode == 2, proc.stderr[-2000:]
        assert "磁盘空间已满" in proc.stderr and "Traceback" not in proc.stderr
        assert site_files(out) == before
        assert not Output(out).staging.exists()
    finally:
        # Lazily if still busy: a mount left behind would stop pytest removing the folder.
        if subprocess.run(["umount", str(disk)], capture_output=True, check=False).returncode:
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, check=False)


# ---------------------------------------------------------------- one build at a time


def test_a_second_build_waits_or_is_refused(tmp_path, mini, capsys):
    out = tmp_path / "output"
    assert build(mini, out) == 0
    with Output(out).lock():
        assert build(mini, out, "--wait", "0.3") == 2
    assert "另一个构建正在写入" in capsys.readouterr().err
    with Output(out).lock(), pytest.raises(OutputBusy):
        Build(BuildOptions(mini, out, wait=0)).run()


def test_two_builds_at_once_never_corrupt_the_output(tmp_path, mini):
    out = tmp_path / "output"
    assert build(mini, out) == 0
    edit(mini)
    cmd = [sys.executable, "-m", "generator.cli", "build", "--data", str(mini), "--output", str(out)]
    procs = [subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE) for _ in range(3)]
    codes = [p.wait(timeout=300) for p in procs]
    assert codes == [0, 0, 0]
    assert build(mini, tmp_path / "full", "--full") == 0
    assert site_files(out) == site_files(tmp_path / "full")
    assert build(mini, out) == 0  # and the record is right: nothing to do
    assert site_files(out) == site_files(tmp_path / "full")


# ---------------------------------------------------------------- the record is checked


def test_leftovers_are_cleaned(tmp_path, mini):
    out = tmp_path / "output"
    assert build(mini, out) == 0
    for leftover in (Output(out).staging, Output(out).old):
        (leftover / "x").mkdir(parents=True)
    assert build(mini, out) == 0  # nothing changed, and still cleaned
    assert not Output(out).staging.exists() and not Output(out).old.exists()


def test_files_changed_by_hand_are_rebuilt(tmp_path, mini, capsys):
    out = tmp_path / "output"
    assert build(mini, out) == 0
    full = site_files(out)
    (out / "projects/p1/index.html").write_text("edited by hand", encoding="utf-8")
    (out / "units/u1/index.html").unlink()
    (out / "downloads/projects.csv").write_bytes(b"x")
    (out / "theme/css/site.css").unlink()
    assert build(mini, out) == 0
    assert "输入没有变化" not in capsys.readouterr().out
    assert site_files(out) == full
    assert build(mini, out) == 0
    assert "输入没有变化" in capsys.readouterr().out


# ---------------------------------------------------------------- plain Pelican


def test_plain_pelican_builds_the_same_site(tmp_path, mini):
    """`pelican -s pelicanconf.py` (the plugin alone, no Build) writes the site gongshi builds,
    and updates it in place when the data changes."""
    conf = tmp_path / "pelicanconf.py"
    text = (ROOT / "pelicanconf.py").read_text(encoding="utf-8")
    conf.write_text(
        text.replace('PATH = "content"', f'PATH = "{ROOT / "content"}"')
        .replace('THEME = "theme"', f'THEME = "{ROOT / "theme"}"')
        .replace('GONGSHI_DATA = "data"', f'GONGSHI_DATA = "{mini}"'),
        encoding="utf-8",
    )

    def pelican(out: Path) -> None:
        proc = subprocess.run([sys.executable, "-m", "pelican", "-s", str(conf), "-o", str(out), "-q"], cwd=tmp_path,
                              capture_output=True, text=True, check=False)  # fmt: skip
        assert proc.returncode == 0, proc.stderr[-3000:]

    def published(root: Path) -> dict[str, bytes]:
        return {k: v for k, v in site_files(root).items() if not k.startswith(".gongshi/")}

    pelican(tmp_path / "plain")
    assert build(mini, tmp_path / "gongshi") == 0
    assert published(tmp_path / "plain") == published(tmp_path / "gongshi")
    edit(mini)
    pelican(tmp_path / "plain")
    assert build(mini, tmp_path / "gongshi") == 0
    assert published(tmp_path / "plain") == published(tmp_path / "gongshi")
