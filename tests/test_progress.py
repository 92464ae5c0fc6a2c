"""Progress of long steps: a bar on a terminal, plain lines in logs, nothing for quick steps."""

from __future__ import annotations

import io
import json

from generator import cli
from generator.ingest import prepare as pipeline
from generator.progress import Progress


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _run(stream, total=100, delay=0.0, **kw) -> str:
    with Progress("生成页面", total, stream=stream, delay=delay, **kw) as bar:
        for _ in range(total):
            bar.advance(1)
    return stream.getvalue()


def test_a_terminal_gets_one_bar_redrawn_in_place():
    out = _run(Terminal())
    assert out.startswith("\r生成页面 [") and "100% 100/100" in out
    assert out.count("\n") == 1 and out.endswith("秒\x1b[K\n")


def test_a_log_gets_a_plain_line_each_quarter():
    out = _run(io.StringIO())
    assert out.splitlines() == [f"生成页面：{n}/100（{n}%）" for n in (25, 50, 75, 100)]
    assert "\r" not in out and "█" not in out


def test_quick_steps_and_quiet_runs_show_nothing():
    assert _run(Terminal(), delay=60) == ""
    assert _run(io.StringIO(), enabled=False) == ""


def test_bytes_are_shown_in_megabytes():
    out = _run(io.StringIO(), total=4 * 1048576, unit="MB")
    assert out.splitlines()[-1] == "生成页面：4.0/4.0 MB（100%）"


def test_reading_data_shows_progress_but_never_in_json(mini, monkeypatch, capsys):
    seen: list[tuple[str, bool]] = []

    class Recorded(Progress):
        def __init__(self, label, total, **kw):
            super().__init__(label, total, **{**kw, "delay": 0.0})
            seen.append((label, self.enabled))

    monkeypatch.setattr(pipeline, "Progress", Recorded)
    pipeline.prepare(mini)
    assert ("读取数据", True) in seen
    assert "读取数据：" in capsys.readouterr().err
    seen.clear()
    assert cli.main(["check", "--data", str(mini), "--format", "json"]) == 0
    captured = capsys.readouterr()
    assert ("读取数据", False) in seen and "读取数据" not in captured.err
    assert isinstance(json.loads(captured.out), list)
