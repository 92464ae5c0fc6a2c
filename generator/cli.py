"""The ``gongshi`` command. Only this module prints problems and chooses exit codes."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from collections import Counter
from pathlib import Path

from . import pipeline
from .problems import CODES, GongshiError, PrivacyLeak, Problem, Report, ValidationFailed
from .timing import COUNTS, PHASES, phase

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
REPO = Path(__file__).resolve().parent.parent


def format_problem(p: Problem) -> str:
    level = "错误" if p.is_error else "警告"
    value = f"值“{p.value}”：" if p.value else ""
    return f"[{level}] {p.location()}：{value}{p.message()}  ({p.code})"


def print_report(report: Report, stream=sys.stderr, limit: int = 0) -> None:
    problems = report.sorted()
    errors = [p for p in problems if p.is_error]
    warnings = [p for p in problems if not p.is_error]
    shown = errors + warnings
    if limit and len(shown) > limit:
        hidden = len(shown) - limit
        shown = shown[:limit]
    else:
        hidden = 0
    for p in shown:
        print(format_problem(p), file=stream)
    if hidden:
        print(f"……另有 {hidden} 条未显示（完整列表见 --format json 或构建报告）", file=stream)
    counts = Counter(p.code for p in problems)
    summary = "，".join(f"{CODES[c].title} {n}" for c, n in counts.most_common())
    print(f"共 {len(errors)} 个错误，{len(warnings)} 个警告。{summary}", file=stream)


def reconciliation(report: Report) -> list[dict[str, object]]:
    """Rows read = rows published + rows excluded, per list."""
    excluded = Counter(t for t, *_ in report.excluded)
    return [
        {
            "list": name,
            "read": report.rows_read[name],
            "published": report.rows_published[name],
            "excluded": excluded[name],
        }
        for name in report.rows_read
    ]


def write_reports(prepared: pipeline.Prepared, directory: Path) -> None:
    """The build report and redaction report: for staff, outside the published site."""
    directory.mkdir(parents=True, exist_ok=True)
    report = prepared.report
    doc = {
        "rows": reconciliation(report),
        "excluded": [{"list": t, "file": f, "row": r, "reason": why} for t, f, r, why in report.excluded],
        "problems": [p.as_dict() for p in report.sorted()],
    }
    (directory / "build-report.json").write_text(json.dumps(doc, ensure_ascii=False, indent=1), encoding="utf-8")
    lines = ["# 构建报告", "", "| 清单 | 读入行数 | 发布行数 | 排除行数 |", "|---|---:|---:|---:|"]
    lines += [f"| {r['list']} | {r['read']} | {r['published']} | {r['excluded']} |" for r in doc["rows"]]
    if report.excluded:
        lines += ["", "## 排除的行", ""] + [f"- {f} 第 {r} 行：{why}" for _, f, r, why in report.excluded]
    if report.problems:
        lines += ["", "## 问题", ""] + [f"- {format_problem(p)}" for p in report.sorted()]
    (directory / "build-report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    # The same formula-neutralising CSV writer as the published downloads: staff open it in Excel.
    from .export import csv_bytes

    rows = [[str(x) for x in row] for row in prepared.redactions]
    (directory / "redactions.csv").write_bytes(csv_bytes(["文件", "行", "列", "遮盖类型", "遮盖后文字"], rows))


def default_config() -> Path | None:
    """./pelicanconf.py when run from a project folder; else the package's own."""
    return Path("pelicanconf.py") if Path("pelicanconf.py").exists() else None


def pelican_settings(data: Path, output: Path, config: Path | None) -> dict:
    from pelican.settings import read_settings

    conf = config if config is not None else default_config()
    base = conf.resolve().parent if conf else REPO
    override = {
        "OUTPUT_PATH": str(output),
        "GONGSHI_DATA": str(data.resolve()),
    }
    settings = read_settings(str(conf) if conf else str(REPO / "pelicanconf.py"), override=override)
    for key in ("PATH", "THEME"):
        if not Path(settings[key]).is_absolute():
            settings[key] = str((base / settings[key]).resolve())
    return settings


def source_folders(config: Path | None) -> tuple[Path, Path]:
    """The content and theme folders a build reads, without importing Pelican (which
    costs more than the whole check when nothing changed)."""
    import runpy

    conf = config if config is not None else REPO / "pelicanconf.py"
    base = conf.resolve().parent if config is not None else REPO
    values = runpy.run_path(str(conf))
    if not {"PATH", "THEME"} <= values.keys():
        settings = pelican_settings(Path("data"), Path("output"), config)
        return Path(settings["PATH"]), Path(settings["THEME"])
    return tuple((base / values[key]).resolve() for key in ("PATH", "THEME"))  # type: ignore[return-value]


def input_fingerprint(data: Path, config: Path | None, seen: dict[str, tuple[int, str]] | None = None) -> str:
    """One digest of everything a build reads: data, content, theme, settings, code.

    ``seen`` receives each data file's size and SHA-256 (the key of its prepare cache
    entry), so the build does not read and hash every file a second time."""
    import hashlib
    from importlib.metadata import version

    h = hashlib.blake2b(digest_size=20)
    h.update(f"pelican {version('pelican')}".encode())
    roots = [data, *source_folders(config), Path(__file__).parent]
    if config is not None:
        roots.append(config)
    for root in roots:
        files = [root] if root.is_file() else sorted(p for p in root.rglob("*") if p.is_file())
        for f in files:
            if "__pycache__" in f.parts:
                continue
            raw = f.read_bytes()
            h.update(str(f.relative_to(root.parent)).encode() + b"\0")
            if root is data and seen is not None:
                digest = hashlib.sha256(raw).hexdigest()
                seen[str(f)] = (len(raw), digest)
                h.update(digest.encode())
            else:
                h.update(hashlib.blake2b(raw, digest_size=20).digest())
    return h.hexdigest()


BUILD_INFO = ".gongshi/build.json"
PENDING = ".gongshi/commit-pending"  # present while a commit runs; next build is then full


def build_site(
    data: Path,
    output: Path,
    config: Path | None = None,
    reports: Path | None = None,
    jobs: int | None = None,
    full: bool = False,
) -> pipeline.Prepared | None:
    """Validate, render what changed into a staging folder, then commit it.

    Nothing in ``output`` changes until every page is rendered and scanned; on any
    failure before that, the previous output stays exactly as it was. Returns None when
    no input changed since the build in ``output`` (nothing to do).
    """
    output = output.resolve()
    config = config if config is not None else default_config()
    staging = output.with_name(f".{output.name}.building")
    seen: dict[str, tuple[int, str]] = {}
    with phase("fingerprint"):
        fingerprint = input_fingerprint(data, config, seen)
    if not full and _previous_fingerprint(output) == fingerprint and not (output / PENDING).exists():
        return None
    from pelican import Pelican

    settings = pelican_settings(data, staging, config)
    # Per-file results of the last build, beside the output (never published). --full
    # starts from an empty cache, so a full build reads nothing from earlier builds.
    cache = output.with_name(f".{output.name}.cache")
    if full and cache.exists():
        shutil.rmtree(cache)
    # The prepared data lives until the process ends: frozen, the cycle collector never
    # walks its millions of objects again while pages are digested.
    with phase("prepare"):  # raises ValidationFailed before anything is written
        prepared = pipeline.prepare(data, cache_dir=cache, known=seen, freeze=True)
    pipeline.remember(data, prepared)
    if staging.exists():
        shutil.rmtree(staging)
    staging.mkdir(parents=True)
    # Incremental: only changed files are staged, then moved into the live folder.
    # Otherwise the staging folder receives the whole site and replaces the old one.
    incremental = not full and (output / BUILD_INFO).exists() and not (output / PENDING).exists()
    settings["GONGSHI_LIVE_OUTPUT"] = str(output if incremental else staging)
    settings["GONGSHI_FRESH_OUTPUT"] = not incremental  # the staging folder was just created
    settings["GONGSHI_CACHE"] = str(cache)
    if jobs:
        settings["GONGSHI_JOBS"] = jobs
    from .render import WALKED

    WALKED.clear()  # filled by this build's privacy scan, never by an earlier one
    try:
        with phase("pelican"):
            site = Pelican(settings)
            with phase("pelican run"):
                site.run()
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with phase("commit"):
        if incremental:
            commit(staging, output, fingerprint)
        else:
            replace(staging, output, fingerprint)
    with phase("reports"):
        write_reports(prepared, reports or output.parent / "reports")
    return prepared


def _staged_files(staging: Path) -> list[str]:
    """Relative paths (with /) of every file in the staging folder except .gongshi/."""
    from .render import WALKED

    walked = WALKED.pop(str(staging.resolve()), None)
    if walked is not None:  # the privacy scan has just listed this very folder
        return walked
    out = []
    for root, dirs, files in os.walk(staging):
        rel = Path(root).relative_to(staging)
        if rel.parts[:1] == (".gongshi",):
            dirs[:] = []
            continue
        out += [(rel / f).as_posix() for f in files]
    return out


def _manifest(staging: Path) -> dict:
    from .render import MANIFEST

    return json.loads((staging / MANIFEST).read_text(encoding="utf-8"))


def _others(manifest: dict, staged: list[str]) -> list[str]:
    """Every output file that is not a data page: Pelican's, the theme's, downloads."""
    from .render import file_for

    pages = {file_for(u) for u in manifest["pages"]}
    return sorted({f for f in staged if f not in pages} | set(manifest.get("files", ())))


def _write_build_info(folder: Path, fingerprint: str, others: list[str]) -> None:
    path = folder / BUILD_INFO
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps({"inputs": fingerprint, "others": others}, ensure_ascii=False), encoding="utf-8")
    os.replace(tmp, path)


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.stat().st_size == b.stat().st_size and a.read_bytes() == b.read_bytes()
    except FileNotFoundError:
        return False


def replace(staging: Path, output: Path, fingerprint: str) -> None:
    """Swap a complete new site in for the old one: two renames."""
    _write_build_info(staging, fingerprint, _others(_manifest(staging), _staged_files(staging)))
    old = output.with_name(f".{output.name}.old")
    if old.exists():
        shutil.rmtree(old)
    if output.exists():
        output.rename(old)
    staging.rename(output)
    shutil.rmtree(old, ignore_errors=True)


def commit(staging: Path, output: Path, fingerprint: str) -> None:
    """Move the staged (changed) files into the live site and delete what is gone.

    Only renames and deletions remain at this point. A marker file makes the next build
    a full one if this is ever interrupted, so a half-moved site cannot persist.
    """
    from .render import MANIFEST, read_manifest, remove_page, staged_files

    pending = output / PENDING
    pending.write_text(str(staging), encoding="utf-8")
    manifest = _manifest(staging)
    # Data pages and downloads: staged only when their bytes changed.
    for rel, src in staged_files(staging).items():
        dst = f"{output}/{rel}"
        try:
            os.replace(src, dst)
        except FileNotFoundError:  # a new page: its folder does not exist yet
            os.makedirs(os.path.dirname(dst), exist_ok=True)
            os.replace(src, dst)
        except (IsADirectoryError, NotADirectoryError):  # a page became a folder, or back
            raise GongshiError(f"无法更新 {rel}：请用 --full 重新生成") from None
    # Pelican's own pages and the theme, rewritten every build: moved when they differ.
    pelican = _staged_files(staging)
    for rel in pelican:
        dst = output / rel
        if dst.is_dir():
            raise GongshiError(f"无法更新 {rel}：请用 --full 重新生成")
        src = staging / rel
        if _same_file(src, dst):
            continue
        dst.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dst)
    others = _others(manifest, pelican)
    gone = set(read_manifest(output)) - set(manifest["pages"])
    for url in gone:
        remove_page(output, url)
    try:
        previous_others = json.loads((output / BUILD_INFO).read_text(encoding="utf-8")).get("others", [])
    except (FileNotFoundError, ValueError):
        previous_others = []
    for rel in set(previous_others) - set(others):
        (output / rel).unlink(missing_ok=True)
    os.replace(staging / MANIFEST, output / MANIFEST)
    _write_build_info(output, fingerprint, others)
    pending.unlink()
    shutil.rmtree(staging, ignore_errors=True)


def _previous_fingerprint(output: Path) -> str | None:
    try:
        return json.loads((output / BUILD_INFO).read_text(encoding="utf-8"))["inputs"]
    except (FileNotFoundError, ValueError, KeyError):
        return None


def cmd_check(args) -> int:
    # The content pages too: check reports every privacy stop a build would make.
    config = Path(args.settings) if args.settings else default_config()
    report = pipeline.check(Path(args.data), content=source_folders(config)[0])
    if args.format == "json":
        json.dump([p.as_dict() for p in report.sorted()], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(report, sys.stdout, args.limit)
    return EXIT_DATA if report.errors else EXIT_OK


def cmd_build(args) -> int:
    start = time.perf_counter()
    try:
        prepared = build_site(
            Path(args.data),
            Path(args.output),
            Path(args.settings) if args.settings else None,
            Path(args.reports) if args.reports else None,
            jobs=args.jobs,
            full=args.full,
        )
    except ValidationFailed as exc:
        print_report(exc.report, sys.stderr, args.limit)
        print("数据有错误，未生成网站，原有输出保持不变。", file=sys.stderr)
        return EXIT_DATA
    if prepared is None:
        print(f"输入没有变化，网站保持不变：{Path(args.output).resolve()}（{time.perf_counter() - start:.1f} 秒）")
        return EXIT_OK
    if prepared.report.warnings:
        print_report(prepared.report, sys.stderr, args.limit)
    rows = reconciliation(prepared.report)
    print("清单  读入 = 发布 + 排除")
    for r in rows:
        print(f"  {r['list']:<10} {r['read']:>7} = {r['published']:>7} + {r['excluded']}")
    print(f"网站已生成：{Path(args.output).resolve()}（{time.perf_counter() - start:.1f} 秒）")
    if args.timings:
        print("  " + "  ".join(f"{k} {v:.1f}s" for k, v in PHASES.items()))
        print("  " + "  ".join(f"{k} {v}" for k, v in COUNTS.items()))
    return EXIT_OK


def cmd_serve(args) -> int:
    code = cmd_build(args)
    if code != EXIT_OK:
        return code
    import functools
    import http.server  # only here: every build would pay for importing it

    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(Path(args.output).resolve()))
    with http.server.ThreadingHTTPServer((args.bind, args.port), handler) as httpd:
        print(f"预览地址：http://{args.bind}:{args.port}/ （按 Ctrl+C 停止）")
        try:
            httpd.serve_forever()
        except KeyboardInterrupt:
            pass
    return EXIT_OK


def cmd_demo(args) -> int:
    from .demo import PRESETS, generate

    factor = PRESETS.get(args.size) or float(args.size)
    counts = generate(Path(args.out), factor=factor, seed=args.seed, plant_pii=args.size == "demo")
    for name, n in counts.items():
        print(f"{name}: {n}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from .bench import run, table

    result = run(args.preset, args.runs, Path(args.workdir), jobs=args.jobs)
    print(table(result))
    print(f"JSON：{Path(args.workdir) / args.preset / 'results.json'}")
    return EXIT_OK


def cmd_template(args) -> int:
    from .sheets import write_templates

    for path in write_templates(Path(args.out)):
        print(path)
    return EXIT_OK


def cmd_docs(args) -> int:
    from .docs import update_readme

    changed = update_readme(Path(args.readme))
    print("README 已更新" if changed else "README 已是最新")
    return EXIT_OK


def parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="gongshi", description="把“我为群众办实事”清单发布成公示网站")
    sub = p.add_subparsers(dest="command", required=True)

    def common(sp, output=True):
        sp.add_argument("--data", default="data", help="数据目录（默认 data）")
        sp.add_argument("--limit", type=int, default=200, help="最多显示多少条问题（0 为全部）")
        if output:
            sp.add_argument("--output", default="output", help="输出目录（默认 output）")
            sp.add_argument("--settings", help="Pelican 设置文件（默认 ./pelicanconf.py）")
            sp.add_argument("--reports", help="构建报告目录（默认输出目录旁的 reports/）")
            sp.add_argument("--jobs", type=int, help="并行进程数（默认为 CPU 核数）")
            sp.add_argument("--full", action="store_true", help="不复用上次的结果，全部重新生成")
            sp.add_argument("--timings", action="store_true", help="显示各阶段耗时")

    c = sub.add_parser("check", help="只校验数据")
    common(c, output=False)
    c.add_argument("--settings", help="Pelican 设置文件（默认 ./pelicanconf.py），用于检查新闻和页面中的个人信息")
    c.add_argument("--format", choices=("text", "json"), default="text")
    c.set_defaults(func=cmd_check)
    b = sub.add_parser("build", help="校验并生成网站")
    common(b)
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="生成并在本机预览")
    common(s)
    s.add_argument("--port", type=int, default=8000)
    s.add_argument("--bind", default="127.0.0.1")
    s.set_defaults(func=cmd_serve)
    d = sub.add_parser("demo", help="生成虚构的示例数据")
    d.add_argument("--size", default="demo", help="demo、city、province 或倍数")
    d.add_argument("--out", default="data")
    d.add_argument("--seed", type=int, default=2026)
    d.set_defaults(func=cmd_demo)
    bench = sub.add_parser("bench", help="构建性能基准：全量、无变化、1% 变化")
    bench.add_argument("--preset", default="demo", help="demo、city、province 或倍数")
    bench.add_argument("--runs", type=int, default=3)
    bench.add_argument("--jobs", type=int)
    bench.add_argument("--workdir", default="bench-out")
    bench.set_defaults(func=cmd_bench)
    tp = sub.add_parser("template", help="生成各清单的 Excel 填报模板（含下拉选项和填写说明）")
    tp.add_argument("--out", default="templates")
    tp.set_defaults(func=cmd_template)
    r = sub.add_parser("docs", help="按数据结构更新 README 中的数据格式说明")
    r.add_argument("--readme", default=str(REPO / "README.md"))
    r.set_defaults(func=cmd_docs)
    return p


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        return args.func(args)
    except PrivacyLeak as exc:  # content put personal data on a page: fix the content
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_DATA
    except GongshiError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
