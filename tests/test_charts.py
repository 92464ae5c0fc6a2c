"""The build-time SVG charts, parsed: text alternative, values as text, zero baseline,
patterns for greyscale, no script or inline style, data escaped."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from generator.site.charts import LIGHT_FILLS, Series, bar_chart, describe, grouped_bars, stacked_bars

NS = {"s": "http://www.w3.org/2000/svg"}


def parse(svg) -> ET.Element:
    return ET.fromstring(str(svg))


def texts(root: ET.Element) -> list[str]:
    return ["".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")]


def rects(root: ET.Element) -> list[ET.Element]:
    """Data marks: rects outside <defs> (patterns) and the legend (height = font size)."""
    defs = {id(r) for d in root.iter("{http://www.w3.org/2000/svg}defs") for r in d.iter()}
    return [r for r in root.iter("{http://www.w3.org/2000/svg}rect") if id(r) not in defs]


def check_accessible(root: ET.Element, chart_id: str, title: str) -> None:
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == f"{chart_id}-t {chart_id}-d"
    assert root.find("s:title", NS).text == title and root.find("s:title", NS).get("id") == f"{chart_id}-t"
    assert root.find("s:desc", NS).get("id") == f"{chart_id}-d" and root.find("s:desc", NS).text
    for el in root.iter():
        assert "style" not in el.attrib, "the CSP forbids inline styles"
        assert not el.tag.endswith("script")
    # every pattern id is prefixed with the chart's: two charts on one page never clash
    assert all(p.get("id").startswith(chart_id + "-") for p in root.iter("{http://www.w3.org/2000/svg}pattern"))


def test_bar_chart_values_zero_baseline_and_alt_text():
    items = [("满意", 25), ("基本满意", 5), ("不满意", 0)]
    root = parse(bar_chart("r1", "评价分布", describe(items), items))
    check_accessible(root, "r1", "评价分布")
    assert root.find("s:desc", NS).text == "满意 25，基本满意 5，不满意 0。"
    assert {"满意", "基本满意", "不满意", "25", "5", "0"} <= set(texts(root))
    bars = [r for r in rects(root)]
    widths = [float(r.get("width")) for r in bars]
    xs = {r.get("x") for r in bars}
    assert len(xs) == 1  # every bar starts on the same baseline
    assert widths[2] == 0 and abs(widths[0] / widths[1] - 5) < 0.01  # lengths proportional from zero
    fills = [r.get("fill") for r in bars]
    assert len(set(fills)) == 3 and all(f.startswith("url(#r1-p") for f in fills)


def test_patterns_differ_so_greyscale_reads():
    items = [("红灯", 3), ("黄灯", 2), ("绿灯", 9)]
    root = parse(bar_chart("l", "亮灯", "", items, fills=[LIGHT_FILLS[k] for k in ("red", "yellow", "green")]))
    marks = []
    for p in root.iter("{http://www.w3.org/2000/svg}pattern"):
        marks.append(tuple(ET.tostring(c) for c in list(p)[1:]))
    assert len(set(marks)) == 3  # three different textures, not only three colours


def test_grouped_bars_months():
    months = ["9月", "10月", "11月"]
    series = [Series("demands", "收集需求", (10, 0, 4)), Series("completed", "完成项目", (2, 5, 0))]
    root = parse(grouped_bars("m", "每月需求与完成", "…", months, series))
    check_accessible(root, "m", "每月需求与完成")
    t = texts(root)
    assert {"收集需求", "完成项目", "9月", "10月", "11月", "10", "4", "2", "5"} <= set(t)
    assert "0" in t  # the axis starts at zero and says so
    data = [r for r in rects(root) if r.get("stroke-width") is not None]
    heights = [float(r.get("height")) for r in data]
    bottoms = {round(float(r.get("y")) + float(r.get("height")), 1) for r in data}
    assert len(bottoms) == 1  # every bar stands on the zero line
    assert heights[0] == 150 and heights[2] == 0 and abs(heights[4] / heights[0] - 0.4) < 0.01


def test_stacked_bars_escape_names_and_counts():
    series = [Series(k, k, v, LIGHT_FILLS[k]) for k, v in (("red", (2, 0)), ("yellow", (1, 0)), ("green", (3, 4)))]
    root = parse(stacked_bars("u", "各单位亮灯", "…", ["区<住建>局", "区民政局"], series))
    check_accessible(root, "u", "各单位亮灯")
    t = texts(root)
    assert "区<住建>局区<住建>局" in t  # the name (its <title> and text), escaped in the markup, read back
    assert "2+1+3" in t and "4" in t


def test_empty_and_all_zero_charts_draw():
    assert parse(bar_chart("e", "空", "", []))
    root = parse(bar_chart("z", "零", "", [("a", 0)]))
    assert float(rects(root)[0].get("width")) == 0


def test_no_self_closed_elements_for_the_html_site_check():
    svg = str(grouped_bars("g", "t", "d", ["1月"], [Series("a", "a", (1,)), Series("b", "b", (0,))]))
    assert "/>" not in svg and "</rect>" in svg and "</path>" in svg
