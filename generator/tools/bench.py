"""The build benchmark: full build, rebuild with nothing changed, rebuild after a 1% change.

``gongshi bench --preset demo|city|province --runs 3`` generates the preset once (cached
under the work folder), then times each scenario in a fresh child process so wall time,
CPU time and peak memory belong to that build alone. Prints a table and writes JSON.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from generator.ingest.load import decode

# Runs one build in a child and reports its own resource use as JSON on the last line.
_CHILD = r"""
import json, resource, sys, time
from pathlib import Path
from generator.build import Build, BuildOptions
extra = sys.argv[3:]
jobs = int(extra[extra.index("--jobs") + 1]) if "--jobs" in extra else None
start = time.perf_counter()
result = Build(BuildOptions(Path(sys.argv[1]), Path(sys.argv[2]), jobs=jobs, full="--full" in extra)).run()
wall = time.perf_counter() - start
me = resource.getrusage(resource.RUSAGE_SELF)
kids = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"code": 0, "wall": wall,
    "cpu": me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime,
    "rss_main_mb": me.ru_maxrss / 1024, "rss_worker_mb": kids.ru_maxrss / 1024,
    "phases": result.timings.phases, "counts": result.timings.counts}))
"""


def change_one_percent(data: Path, seed: int, fraction: float = 0.01) -> int:
    """Change ``fraction`` of the project rows, each with the edit a weekly update makes
    to a project in its state: an open project gets a new status word and progress, a
    completed one a new resident rating.

    Only edits that stay valid: progress moves within 1-99, the status word switches
    between the words for "in progress" (and "slow"), and ratings go to completed
    projects only. Returns the number of projects touched.
    """
    rng = random.Random(seed)
    path = data / "projects.csv"
    text, encoding = decode(path.read_bytes()) or ("", "utf-8")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    header = rows[0]
    status, progress, ident = header.index("状态"), header.index("完成比例"), header.index("编号")
    moving = {"按序时推进": "正常推进", "正常推进": "推进缓慢", "推进缓慢": "按序时推进", "滞后": "正常推进"}
    done = ("已完成", "提前完成", "已销号")
    editable = [r for r in rows[1:] if r[status] in moving or r[status] in done]
    n = max(1, int((len(rows) - 1) * fraction))
    rated = []
    for r in rng.sample(editable, min(n, len(editable))):
        if r[status] in done:
            rated.append(r[ident])
            continue
        r[status] = moving[r[status]]
        value = int(r[progress] or 0)
        r[progress] = str(min(99, max(1, value + rng.choice((-5, 5, 10)))))
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n" if "\r\n" in text[:2000] else "\n").writerows(rows)
    path.write_text(out.getvalue(), encoding=encoding)

    fb = data / "feedback.csv"
    ftext, fenc = decode(fb.read_bytes()) or ("", "utf-8")
    fheader = next(csv.reader(io.StringIO(ftext)))
    new = []
    for pid in rated:
        row = dict.fromkeys(fheader, "")
        row.update(
            {
                "项目编号": pid,
                "评价日期": "2026-11-14",
                "评价": rng.choice(("满意", "满意", "基本满意")),
                "意见公开": "否",
            }
        )
        new.append([row[h] for h in fheader])
    buf = io.StringIO(newline="")
    csv.writer(buf, lineterminator="\n").writerows(new)
    sep = "" if ftext.endswith("\n") else "\n"
    fb.write_text(ftext + sep + buf.getvalue(), encoding=fenc if fenc != "utf-8-sig" else "utf-8")
    return min(n, len(editable))


def _run(data: Path, output: Path, extra: list[str]) -> dict:
    # Let the previous run's writes reach the disk first: each run pays for its own I/O.
    os.sync()
    proc = subprocess.run(
        [sys.executable, "-c", _CHILD, str(data), str(output), *extra],
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"build failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    result = json.loads(lines[-1])
    if result["code"] != 0:
        raise RuntimeError(f"build exited {result['code']}:\n{proc.stderr[-4000:]}")
    return result


def _size(output: Path) -> tuple[int, int, int, int]:
    """Pages, total bytes, largest page, home page."""
    sizes = [p.stat().st_size for p in output.rglob("*.html")]
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return len(sizes), size, max(sizes, default=0), (output / "index.html").stat().st_size


def _median(results: list[dict]) -> dict:
    return {
        "wall_s": round(statistics.median(r["wall"] for r in results), 2),
        "cpu_s": round(statistics.median(r["cpu"] for r in results), 2),
        "peak_rss_mb": round(max(max(r["rss_main_mb"], r["rss_worker_mb"]) for r in results), 1),
        "phases_s": {
            k: round(statistics.median(r["phases"].get(k, 0.0) for r in results), 2) for k in results[0]["phases"]
        },
        "counts": {
            k: statistics.median(r.get("counts", {}).get(k, 0) for r in results) for k in results[0].get("counts", {})
        },
        "runs": len(results),
    }


def run(preset: str, runs: int, workdir: Path, seed: int = 2026, jobs: int | None = None) -> dict:
    from generator.tools.demo import PRESETS, generate

    factor = PRESETS.get(preset) or float(preset)
    base = workdir / preset
    data = base / "data"
    stamp = base / "generated.json"
    if not (stamp.exists() and json.loads(stamp.read_text())["seed"] == seed):
        shutil.rmtree(base, ignore_errors=True)
        data.mkdir(parents=True)
        t = time.perf_counter()
        counts = generate(data, factor=factor, seed=seed, plant_pii=False)
        stamp.write_text(json.dumps({"seed": seed, "counts": counts, "seconds": time.perf_counter() - t}))
        print(f"生成 {preset} 数据：{counts}（{time.perf_counter() - t:.0f} 秒）", file=sys.stderr)
    extra = ["--jobs", str(jobs)] if jobs else []
    output = base / "output"
    # Staff edit the files in place and rebuild: every scenario uses one working copy.
    work = base / "data-work"
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(data, work)
    scenarios: dict[str, list[dict]] = {"full": [], "unchanged": [], "changed_1pct": []}
    # The scenarios take turns, so a machine whose speed drifts during the benchmark
    # slows all three alike and the shares of the full build stay meaningful.
    for i in range(runs):
        shutil.rmtree(output, ignore_errors=True)
        scenarios["full"].append(_run(work, output, ["--full", *extra]))
        print(f"full build {i + 1}: {scenarios['full'][-1]['wall']:.1f}s", file=sys.stderr)
        if i == 0:
            pages, size, largest, home = _size(output)
        scenarios["unchanged"].append(_run(work, output, extra))
        print(f"unchanged rebuild {i + 1}: {scenarios['unchanged'][-1]['wall']:.1f}s", file=sys.stderr)
        change_one_percent(work, seed + i)
        scenarios["changed_1pct"].append(_run(work, output, extra))
        print(f"1% change rebuild {i + 1}: {scenarios['changed_1pct'][-1]['wall']:.1f}s", file=sys.stderr)
    result = {
        "preset": preset,
        "factor": factor,
        "counts": json.loads(stamp.read_text())["counts"],
        "pages": pages,
        "output_mb": round(size / 1024 / 1024, 1),
        "largest_page_kb": round(largest / 1024, 1),
        "home_page_kb": round(home / 1024, 1),
        "scenarios": {k: _median(v) for k, v in scenarios.items()},
    }
    full = result["scenarios"]["full"]["wall_s"]
    for k in ("unchanged", "changed_1pct"):
        result["scenarios"][k]["share_of_full"] = round(result["scenarios"][k]["wall_s"] / full, 3) if full else None
    (base / "results.json").write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return result


def table(result: dict) -> str:
    lines = [
        f"preset {result['preset']} (×{result['factor']:g}): {result['pages']} pages, {result['output_mb']} MB, "
        f"largest page {result['largest_page_kb']} KB, home {result['home_page_kb']} KB",
        "| scenario | wall (median) | CPU | peak RSS | share of full | pages rendered | MB written | phases |",
        "|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for name, s in result["scenarios"].items():
        share = f"{s['share_of_full']:.0%}" if s.get("share_of_full") is not None else ""
        phases = ", ".join(f"{k} {v:.1f}" for k, v in s["phases_s"].items() if v >= 0.05)
        counts = s.get("counts", {})
        lines.append(
            f"| {name} | {s['wall_s']:.1f} s | {s['cpu_s']:.1f} s | {s['peak_rss_mb']:.0f} MB | {share} "
            f"| {counts.get('pages rendered', 0):g} | {counts.get('MB written', 0):g} | {phases} |"
        )
    return "\n".join(lines)
