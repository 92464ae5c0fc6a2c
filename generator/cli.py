"""The ``gongshi`` command. Only this module prints problems and chooses exit codes.

Exit codes: 0 success, 1 the data has errors (or would publish personal data), 2 any other
failure — a busy output folder, a full disk, a missing permission — always with a Chinese
message and never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path

from generator.ingest import prepare as pipeline
from generator.output.reports import reconciliation
from generator.problems import CODES, GongshiError, PrivacyLeak, Problem, Report, ValidationFailed

EXIT_OK, EXIT_DATA, EXIT_USAGE = 0, 1, 2
REPO = Path(__file__).resolve().parent.parent


def _where_in_file(p: Problem) -> str:
    """A problem's place inside its file: row, column letter, header."""
    parts = []
    if p.row is not None:
        parts.append(f"第 {p.row} 行")
    if p.letter and p.column:
        parts.append(f"{p.letter} 列“{p.column}”")
    elif p.letter or p.column:
        parts.append(f"{p.letter} 列" if p.letter else f"“{p.column}”列")
    return "，".join(parts) or ("整个工作表" if p.file.endswith("]") else "整个文件")


def print_report(report: Report, stream=sys.stderr, limit: int = 0) -> None:
    """Problems grouped by file and sheet, the files with most errors first, errors before
    warnings inside each, every group headed by its counts."""
    groups: dict[str, list] = {}
    for p in report.sorted():
        groups.setdefault(p.file or "（站点设置）", []).append(p)
    order = sorted(groups, key=lambda f: (-sum(p.is_error for p in groups[f]), f))
    shown = 0
    hidden = 0
    for file in order:
        found = sorted(groups[file], key=lambda p: (not p.is_error, p.row or 0, p.letter, p.code))
        errors = sum(p.is_error for p in found)
        print(f"== {file}：{errors} 个错误，{len(found) - errors} 个警告 ==", file=stream)
        for p in found:
            if limit and shown >= limit:
                hidden += 1
                continue
            shown += 1
            level = "错误" if p.is_error else "警告"
            value = f"值“{p.value}”：" if p.value else ""
            print(f"  [{level}] {_where_in_file(p)}：{value}{p.message()}  ({p.code})", file=stream)
    if hidden:
        print(f"……另有 {hidden} 条未显示（完整列表见 --format json 或构建报告）", file=stream)
    problems = report.problems
    errors_total = sum(p.is_error for p in problems)
    counts = Counter(p.code for p in problems)
    summary = "，".join(f"{CODES[c].title} {n}" for c, n in counts.most_common())
    print(f"共 {errors_total} 个错误，{len(problems) - errors_total} 个警告。{summary}", file=stream)


def cmd_check(args) -> int:
    from generator.build import default_config, source_folders

    # The content pages too: check reports every privacy stop a build would make.
    config = Path(args.settings) if args.settings else default_config()
    report = pipeline.check(Path(args.data), content=source_folders(config)[0], progress=args.format != "json")
    if args.html:
        from generator.output.check_report import write

        write(report, Path(args.html))
        print(f"检查报告：{args.html}", file=sys.stderr if args.format == "json" else sys.stdout)
    if args.annotate:
        from generator.exports.annotate import annotate

        copies = annotate(Path(args.data), report, Path(args.annotate))
        for path in copies:
            print(f"批注副本：{path}", file=sys.stderr if args.format == "json" else sys.stdout)
    if args.format == "json":
        json.dump([p.as_dict() for p in report.sorted()], sys.stdout, ensure_ascii=False, indent=1)
        print()
    else:
        print_report(report, sys.stdout, args.limit)
    return EXIT_DATA if report.errors else EXIT_OK


def _write_check_report(report: Report, args) -> Path | None:
    """The HTML check report in the reports folder, when a build stops on data errors
    (a build that succeeds writes it with the build report)."""
    from generator.output.check_report import FILE_NAME, write

    folder = Path(args.reports) if args.reports else Path(args.output).resolve().parent / "reports"
    try:
        return write(report, folder / FILE_NAME)
    except OSError:
        return None  # the problems were printed; a report that cannot be written is no reason to fail twice


def cmd_build(args) -> int:
    from generator.build import Build, BuildOptions

    start = time.perf_counter()
    options = BuildOptions(
        data=Path(args.data),
        output=Path(args.output),
        config=Path(args.settings) if args.settings else None,
        reports=Path(args.reports) if args.reports else None,
        jobs=args.jobs,
        full=args.full,
        wait=args.wait,
    )
    try:
        result = Build(options, on_wait=lambda message: print(message, file=sys.stderr)).run()
    except ValidationFailed as exc:
        print_report(exc.report, sys.stderr, args.limit)
        page = _write_check_report(exc.report, args)
        print("数据有错误，未生成网站，原有输出保持不变。" + (f"检查报告：{page}" if page else ""), file=sys.stderr)
        return EXIT_DATA
    if result.prepared is None:
        print(f"输入没有变化，网站保持不变：{result.output}（{time.perf_counter() - start:.1f} 秒）")
        return EXIT_OK
    if result.prepared.report.warnings:
        print_report(result.prepared.report, sys.stderr, args.limit)
    print("清单  读入 = 发布 + 排除")
    for r in reconciliation(result.prepared.report):
        print(f"  {r['list']:<10} {r['read']:>7} = {r['published']:>7} + {r['excluded']}")
    print(f"网站已生成：{result.output}（{time.perf_counter() - start:.1f} 秒）")
    if args.timings:
        print("  " + "  ".join(f"{k} {v:.1f}s" for k, v in result.timings.phases.items()))
        print("  " + "  ".join(f"{k} {v}" for k, v in result.timings.counts.items()))
    return EXIT_OK


def cmd_serve(args) -> int:
    from generator.build import BuildOptions
    from generator.preview import serve

    options = BuildOptions(
        data=Path(args.data),
        output=Path(args.output),
        config=Path(args.settings) if args.settings else None,
        reports=Path(args.reports) if args.reports else None,
        jobs=args.jobs,
        full=args.full,
        wait=args.wait,
    )
    serve(options, args.bind, args.port, say=lambda message: print(message, flush=True), timings=args.timings)
    return EXIT_OK


def cmd_demo(args) -> int:
    from generator.tools.demo import PRESETS, generate

    factor = PRESETS.get(args.size) or float(args.size)
    counts = generate(Path(args.out), factor=factor, seed=args.seed, plant_pii=args.size == "demo")
    for name, n in counts.items():
        print(f"{name}: {n}")
    return EXIT_OK


def cmd_bench(args) -> int:
    from generator.tools.bench import run, table

    result = run(args.preset, args.runs, Path(args.workdir), jobs=args.jobs)
    print(table(result))
    print(f"JSON：{Path(args.workdir) / args.preset / 'results.json'}")
    return EXIT_OK


def cmd_template(args) -> int:
    from generator.exports.sheets import write_templates

    for path in write_templates(Path(args.out)):
        print(path)
    return EXIT_OK


def cmd_init(args) -> int:
    from generator.init import init

    for path in init(Path(args.directory), args.district):
        print(path)
    print(f"新门户已建立。下一步：把整改清单放进 {Path(args.directory) / 'data'}，填好 site.yaml，再运行 gongshi check")
    return EXIT_OK


def cmd_docs(args) -> int:
    from generator.exports.docs import update_readme

    changed = update_readme(Path(args.readme))
    print("README 已更新" if changed else "README 已是最新")
    return EXIT_OK


def cmd_publish(args) -> int:
    from generator.publish import PublishOptions, publish

    options = PublishOptions(data=Path(args.data), output=Path(args.output), target=args.target, keep=args.keep,
                             config=Path(args.settings) if args.settings else None, wait=args.wait, ssh=args.ssh,
                             endpoint_url=args.endpoint_url, full=args.full, jobs=args.jobs,
                             reports=Path(args.reports) if args.reports else None)  # fmt: skip
    try:
        done = publish(options, say=print)
    except ValidationFailed as exc:
        print_report(exc.report, sys.stderr, args.limit)
        print("数据有错误，未发布，线上网站保持不变。", file=sys.stderr)
        return EXIT_DATA
    if not done.unchanged:
        print(f"发布完成：{done.target} 现为版本 {done.release_id}（{done.files} 个文件）")
    return EXIT_OK


def cmd_rollback(args) -> int:
    from generator.publish import rollback

    before, now = rollback(args.target, Path(args.data), args.to, args.wait, args.ssh, args.endpoint_url)
    print(f"已回退：线上版本由 {before or '无'} 改为 {now}")
    return EXIT_OK


def cmd_verify(args) -> int:
    from generator.publish import verify

    verdict = verify(args.site)
    for problem in verdict.problems:
        print(problem)
    state = "一致" if verdict.ok else f"发现 {len(verdict.problems)} 处不一致"
    print(f"核对 {args.site}：版本 {verdict.release}，{verdict.checked} 个文件，"
          f"发布链 {verdict.chain} 次发布，{state}。")
    return EXIT_OK if verdict.ok else EXIT_DATA


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
            sp.add_argument(
                "--wait", type=float, default=600, metavar="秒", help="另一个构建正在写同一输出目录时最多等待的秒数"
            )

    c = sub.add_parser("check", help="只校验数据")
    common(c, output=False)
    c.add_argument(
        "--format", choices=("text", "json"), default="text", help="问题清单格式：text 供阅读（默认），json 供程序处理"
    )
    c.add_argument("--html", metavar="文件", help="另存一份 HTML 检查报告（可在手机上打开），如 检查报告.html")
    c.add_argument("--annotate", metavar="目录", help="把有问题的工作簿复制到这个目录，问题单元格标色并加批注")
    c.add_argument("--settings", help="Pelican 设置文件（默认 ./pelicanconf.py），用于检查新闻和页面中的个人信息")
    c.set_defaults(func=cmd_check)
    b = sub.add_parser("build", help="校验并生成网站")
    common(b)
    b.set_defaults(func=cmd_build)
    s = sub.add_parser("serve", help="生成并在本机预览；数据、页面或主题改动后自动重新生成并刷新浏览器")
    common(s)
    s.add_argument("--port", type=int, default=8000, help="端口（默认 8000；0 为任一空闲端口）")
    s.add_argument(
        "--bind", default="127.0.0.1", help="监听地址（默认 127.0.0.1 只允许本机打开；0.0.0.0 允许同一网络的手机打开）"
    )
    s.set_defaults(func=cmd_serve)
    d = sub.add_parser("demo", help="生成虚构的示例数据")
    d.add_argument("--size", default="demo", help="demo、city、province 或倍数")
    d.add_argument("--out", default="data", help="示例数据写到哪个目录（默认 data）")
    d.add_argument("--seed", type=int, default=2026, help="随机种子：同一种子生成同样的数据（默认 2026）")
    d.set_defaults(func=cmd_demo)
    bench = sub.add_parser("bench", help="构建性能基准：全量、无变化、1%% 变化")
    bench.add_argument("--preset", default="demo", help="demo、city、province 或倍数")
    bench.add_argument("--runs", type=int, default=3, help="每种情形运行几次，报告中位数（默认 3）")
    bench.add_argument("--jobs", type=int, help="并行进程数（默认为 CPU 核数）")
    bench.add_argument("--workdir", default="bench-out", help="存放生成的数据和网站的工作目录（默认 bench-out）")
    bench.set_defaults(func=cmd_bench)
    tp = sub.add_parser("template", help="生成各清单的 Excel 填报模板（含下拉选项和填写说明）")
    tp.add_argument("--out", default="templates", help="模板写到哪个目录（默认 templates）")
    tp.set_defaults(func=cmd_template)
    i = sub.add_parser("init", help="新建一个空的门户目录（站点设置、页面、Pelican 设置）")
    i.add_argument("directory", help="新目录（不存在或为空）")
    i.add_argument("--district", default="", help="区名称，如 青禾区（也可以之后在 site.yaml 中填写）")
    i.set_defaults(func=cmd_init)
    r = sub.add_parser("docs", help="按数据结构更新 README 中的数据格式说明")
    r.add_argument("--readme", default=str(REPO / "README.md"), help="要更新的 README 文件（默认本仓库的 README.md）")
    r.set_defaults(func=cmd_docs)
    remote = argparse.ArgumentParser(add_help=False)
    remote.add_argument("target", nargs="?", help="本机目录、用户@主机:/目录 或 s3://桶/前缀（默认取 site.yaml）")
    remote.add_argument("--ssh", help="远程目标使用的 ssh 命令，如 \"ssh -i ~/.ssh/deploy\"")
    remote.add_argument("--endpoint-url", help="S3 兼容对象存储的服务地址")
    pub = sub.add_parser("publish", parents=[remote], help="检查、生成、核验并原子地发布到目标，写入发布记录")
    common(pub)
    pub.add_argument("--keep", type=int, default=5, help="保留最近几个版本（默认 5）")
    pub.set_defaults(func=cmd_publish)
    rb = sub.add_parser("rollback", parents=[remote], help="线上网站退回上一个版本（或 --to 版本号）")
    rb.add_argument("--data", default="data", help="数据目录（读取 site.yaml 中的发布目标）")
    rb.add_argument("--to", help="退回到指定的保留版本")
    rb.add_argument(
        "--wait", type=float, default=600, metavar="秒", help="另一个发布正在进行时最多等待的秒数（默认 600）"
    )
    rb.set_defaults(func=cmd_rollback)
    ver = sub.add_parser("verify", help="按发布记录核对已发布的网站或镜像（网址或目录）")
    ver.add_argument("site", help="网址（http://…）或目录")
    ver.set_defaults(func=cmd_verify)
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
    except OSError as exc:  # anything the library did not translate: still no traceback
        from generator.output.folder import os_failure

        print(f"错误：{os_failure(exc)}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("已中断，原有网站保持不变。", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
