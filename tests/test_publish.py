"""publish.sh switches releases atomically and never publishes a failed build."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from support import ROOT, set_cell


def publish(target: Path, data: Path, out: Path, *extra: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.run(
        ["bash", str(ROOT / "publish.sh"), str(target), "--data", str(data), "--output", str(out), *extra],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )


def test_publish_switch_failure_and_rollback(tmp_path, mini):
    target, out = tmp_path / "www", tmp_path / "output"
    first = publish(target, mini, out)
    assert first.returncode == 0, first.stderr
    live = (target / "current").resolve()
    assert (target / "current" / "index.html").is_file()
    assert not (target / "current" / ".gongshi").exists()

    set_cell(mini / "projects.csv", 2, "项目名称", "新的名称")
    second = publish(target, mini, out)
    assert second.returncode == 0, second.stderr
    assert (target / "current").resolve() != live
    assert "新的名称" in (target / "current/projects/p1/index.html").read_text(encoding="utf-8")

    set_cell(mini / "projects.csv", 2, "状态", "差不多了")  # broken data
    before = (target / "current").resolve()
    failed = publish(target, mini, out)
    assert failed.returncode == 1
    assert (target / "current").resolve() == before
    assert not [p for p in (target / "releases").iterdir() if p.name.startswith(".")]

    back = publish(target, mini, out, "--rollback")
    assert back.returncode == 0, back.stderr
    assert (target / "current").resolve() == live
