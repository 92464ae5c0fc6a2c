"""Benchmark the live preview: from saving a data file to the reloaded page.

    PYTHONPATH=. python3 scripts/bench_preview.py --preset demo --runs 7
    PYTHONPATH=. python3 scripts/bench_preview.py --preset city --runs 3   # minutes; once

Starts ``gongshi serve`` on demo data of the preset's size (generated once into the work
folder), listens to the preview's build events as a page does, then repeatedly changes
one project's title in projects.csv and times, from the moment the file is saved, until
the build event has arrived and the page fetched again shows the new title — what staff
wait for between saving in Excel and seeing the page. Prints each time and the median
(targets: demo ≤ 1 s, city ≤ 5 s).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import queue
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.site.views import url_for  # noqa: E402
from generator.tools.demo import PRESETS, generate  # noqa: E402

TARGETS = {"demo": 1.0, "city": 5.0}


def read_csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"), newline="")))


def write_csv_rows(path: Path, rows: list[list[str]]) -> None:
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(rows)
    path.write_text(buf.getvalue(), encoding="utf-8")


def _peak_rss(pid: int) -> int | None:
    """The serving process's peak resident memory in bytes (Linux), or None."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


def _events(url: str, arrivals: queue.Queue) -> None:
    with urllib.request.urlopen(url, timeout=3600) as stream:
        for line in stream:
            if line.startswith(b"data: "):
                arrivals.put((time.perf_counter(), int(line.split()[1])))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="demo", choices=sorted(PRESETS))
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--workdir", default="bench-preview")
    args = parser.parse_args()
    work = Path(args.workdir).resolve() / args.preset
    data = work / "data"
    if not (data / "projects.csv").exists():
        shutil.rmtree(work, ignore_errors=True)
        print(f"生成 {args.preset} 数据……", flush=True)
        generate(data, factor=PRESETS[args.preset], seed=2026, plant_pii=False)
    projects = data / "projects.csv"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    command = [sys.executable, "-m", "generator.cli", "serve", "--data", "data", "--output", "out", "--port", "0"]
    command += ["--timings"]
    start = time.perf_counter()
    proc = subprocess.Popen(command, cwd=work, env=env, stdout=subprocess.PIPE, text=True)
    times: list[float] = []
    peak: int | None = None
    try:
        assert proc.stdout is not None
        for line in proc.stdout:
            if line.startswith("预览地址："):
                break
        else:
            print("serve 没有启动", file=sys.stderr)
            return 2
        base = line.split("：", 1)[1].split()[0].rstrip("/")
        print(f"启动并首次生成：{time.perf_counter() - start:.1f} 秒", flush=True)
        # The server's lines (each build's time per phase) go on to ours.
        threading.Thread(target=lambda: [print("  serve: " + line, end="", flush=True)
                                         for line in iter(proc.stdout.readline, "")], daemon=True).start()  # type: ignore[union-attr]  # fmt: skip
        arrivals: queue.Queue = queue.Queue()
        threading.Thread(target=_events, args=(base + "/__gongshi/events?v=-1", arrivals), daemon=True).start()
        _, version = arrivals.get(timeout=60)
        header, *rows = read_csv_rows(projects)
        ident, title = rows[0][0], rows[0][1]
        page = f"{base}/{url_for('project', ident).lstrip('/')}"
        for run in range(1, args.runs + 1):
            new = f"{title}（第{run}次修改）"
            rows[0][1] = new
            write_csv_rows(projects, [header, *rows])
            saved = time.perf_counter()
            # Each build's end reloads the page (as in the browser) until it shows the change.
            body = ""
            while new not in body:
                _, got = arrivals.get(timeout=600)
                if got <= version:
                    continue
                version = got
                with urllib.request.urlopen(page, timeout=60) as response:
                    body = response.read().decode("utf-8")
            seconds = time.perf_counter() - saved
            times.append(seconds)
            print(f"第 {run} 次：保存 → 页面刷新 {seconds:.2f} 秒", flush=True)
            time.sleep(0.5)  # staff do not save twice in the same instant
        rows[0][1] = title
        write_csv_rows(projects, [header, *rows])
        peak = _peak_rss(proc.pid)
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
    median = statistics.median(times)
    target = TARGETS.get(args.preset)
    verdict = "" if target is None else (f"（目标 ≤ {target:g} 秒：{'达到' if median <= target else '未达到'}）")
    memory = f"，预览进程内存峰值 {peak / 1024**3:.2f} GB" if peak else ""
    print(f"{args.preset}：中位数 {median:.2f} 秒，{len(times)} 次{verdict}{memory}")
    result = {"preset": args.preset, "seconds": times, "median": median, "peak_rss": peak}
    (work / "preview-results.json").write_text(json.dumps(result))
    return 0 if target is None or median <= target else 1


if __name__ == "__main__":
    sys.exit(main())
