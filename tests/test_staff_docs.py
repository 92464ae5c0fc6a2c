"""The README's "For staff" walk-through works as written, on a fresh folder.

Every ``sh`` block of the section is run in order in an empty folder, with ``gongshi``
as this checkout's CLI: ``gongshi init`` → (the staff's workbook: the ledger fixture is
put into data/, as step 2 says) → ``check --html --annotate`` → ``serve`` (started, its
page fetched, stopped with Ctrl+C) → ``publish``. Paths under /srv are moved into the
temporary folder. The section's mapping example is read against the mapped fixture.
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

from support import ROOT

from generator.ingest.mapping import read_mapping
from generator.schema import TABLES_BY_NAME

STAFF = ROOT / "tests" / "fixtures" / "staff"


def _section() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    start = text.index("## For staff")
    return text[start : text.index("\n## ", start + 1)]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"```{language}\n(.*?)```", _section(), flags=re.S)


def _commands() -> list[list[str]]:
    out = []
    for block in _blocks("sh"):
        for line in block.splitlines():
            line = re.sub(r"\s+#.*$", "", line).strip()
            if line:
                out.append(shlex.split(line))
    return out


def test_the_staff_walk_through_runs_as_written(tmp_path):
    commands = _commands()
    assert [c[:2] for c in commands] == [
        ["gongshi", "init"], ["cd", "青禾区门户"], ["gongshi", "check"], ["gongshi", "serve"], ["gongshi", "publish"],
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    cwd = tmp_path
    for command in commands:
        if command[0] == "cd":
            cwd = cwd / command[1]
            # Step 2: the staff's own workbook goes into data/ as it is.
            shutil.copy(STAFF / "ledger" / "整改清单.xlsx", cwd / "data" / "整改清单.xlsx")
            continue
        assert command[0] == "gongshi"
        args = [str(tmp_path) + a if a.startswith("/srv/") else a for a in command[1:]]
        cli = [sys.executable, "-m", "generator.cli", *args]
        if args[0] == "serve":
            _serve([*cli, "--port", "0"], cwd, env)
            continue
        done = subprocess.run(cli, cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (command, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr
    portal = tmp_path / "青禾区门户"
    assert (portal / "检查报告.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (portal / "批注" / "整改清单.xlsx").is_file()
    live = tmp_path / "srv" / "gongshi" / "current"
    assert "楼道灯改造" in (live / "downloads" / "projects.csv").read_text(encoding="utf-8-sig")
    assert (live / "index.html").is_file() and (live / "release.json").is_file()


def _serve(cli: list[str], cwd: Path, env: dict[str, str]) -> None:
    proc = subprocess.Popen(cli, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = next((line for line in proc.stdout if line.startswith("预览地址：")), "")
        assert line, proc.stderr.read() if proc.stderr else ""
        url = line.split("：", 1)[1].split()[0]
        with urllib.request.urlopen(url, timeout=60) as response:
            assert "青禾区" in response.read().decode("utf-8")
        proc.send_signal(signal.SIGINT)
        _, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0 and "Traceback" not in stderr
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_the_mapping_example_reads_the_mapped_workbook(tmp_path):
    (example,) = _blocks("yaml")
    mapping = read_mapping(example.encode("utf-8"), "data/整改台账.mapping.yaml", None)
    assert not mapping.problems
    assert mapping.table is TABLES_BY_NAME["projects"] and mapping.header_row == 4
    assert mapping.skip_sheets == {"汇总"} and mapping.values["status"]
    # Beside the fixture's workbook, it reads the workbook without an error.
    from generator.ingest import prepare as pipeline

    data = tmp_path / "data"
    shutil.copytree(STAFF / "mapped", data)
    (data / "整改台账.mapping.yaml").write_text(example, encoding="utf-8")
    report = pipeline.check(data)
    assert not report.errors
    assert {p.status for p in pipeline.prepare(data).dataset.projects.values()} == {
        "completed", "in_progress", "not_started",
    }  # fmt: skip
