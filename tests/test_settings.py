"""Site settings: declared once on SiteSettings, parsed once into a typed frozen object;
unknown, repeated and ill-typed keys are reported with their lines; digests see every field."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from generator.exports import opendata
from generator.ingest import prepare as pipeline
from generator.ingest.load import read_settings
from generator.ingest.validate import check_settings
from generator.problems import Problem, Report
from generator.schema import SETTINGS, SiteSettings
from generator.site.digests import EntityHashes
from generator.site.views import ViewBuilder, url_for

MINIMAL = "name: 测试平台\ndistrict: 测试区\nas_of: 2026-06-30\n"


def parse(text: str) -> tuple[SiteSettings, list[Problem]]:
    raw = text.encode("utf-8")
    problems: list[Problem] = []
    values, lines = read_settings(raw, "data/site.yaml", problems)
    report = Report()
    settings = check_settings(values, "data/site.yaml", lines or {}, report)
    return settings, problems + report.problems


def test_defaults_and_types():
    settings, problems = parse(MINIMAL)
    assert problems == []
    assert settings == SiteSettings(name="测试平台", district="测试区", as_of=dt.date(2026, 6, 30))
    assert (settings.page_size, settings.light_due_days, settings.rating_scale, settings.base_url) == (
        50,
        15,
        "three",
        "",
    )
    for s in SETTINGS:
        if not s.required:
            assert getattr(settings, s.name) == s.default


def test_values_are_typed_and_chinese_names_accepted():
    settings, problems = parse(MINIMAL + "每页条数: 20\n评价等级: 五级\nsite_code: 123\n")
    assert problems == []
    assert settings.page_size == 20 and settings.rating_scale == "five" and settings.site_code == "123"


def test_settings_are_frozen():
    settings, _ = parse(MINIMAL)
    with pytest.raises(dataclasses.FrozenInstanceError):
        settings.page_size = 10  # type: ignore[misc]


def test_declarations_are_the_fields():
    assert [s.name for s in SETTINGS] == [f.name for f in dataclasses.fields(SiteSettings)]
    assert [s.name for s in SETTINGS if s.required] == ["name", "district", "as_of"]
    assert all(s.label for s in SETTINGS)


def test_unknown_key_is_reported_with_its_line():
    settings, problems = parse(MINIMAL + "theme: red\n")
    (p,) = problems
    assert (p.code, p.row, p.column, p.value) == ("invalid-settings", 4, "theme", "theme")
    assert "未知的设置项" in p.detail and "page_size" in p.detail  # says what is allowed
    assert settings.name == "测试平台"


@pytest.mark.parametrize(
    ("text", "second"),
    [
        (MINIMAL + "page_size: 20\nname: 另一个名称\n", "name"),  # PyYAML would silently keep the last one
        (MINIMAL + "page_size: 20\n门户名称: 另一个名称\n", "门户名称"),  # the same setting by its Chinese name
    ],
)
def test_duplicate_key_names_both_lines(text, second):
    _, problems = parse(text)
    (p,) = problems
    assert (p.code, p.row, p.column) == ("invalid-settings", 5, second)
    assert "第 1 行" in p.detail and "第 5 行" in p.detail and "只能写一次" in p.detail


@pytest.mark.parametrize(
    ("line", "name", "default"),
    [
        ("page_size: 二十", "page_size", 50),
        ("page_size: 0", "page_size", 50),
        ("warning_days: 2.5", "light_due_days", 15),  # the former name of the setting
        ("satisfaction_threshold: 120", "satisfaction_threshold", 80),
        ("满意率门槛: 0", "satisfaction_threshold", 80),
        ("light_red_points: 101", "light_red_points", 30),
        ("page_size: 100000", "page_size", 50),
        ("rating_scale: seven", "rating_scale", "three"),
        ("base_url: javascript:alert(1)", "base_url", ""),
    ],
)
def test_wrong_type_is_reported_and_default_kept(line, name, default):
    settings, problems = parse(MINIMAL + line + "\n")
    (p,) = problems
    assert (p.code, p.row, p.column) == ("invalid-settings", 4, name)
    assert getattr(settings, name) == default


def test_a_range_is_stated_in_the_problem():
    _, problems = parse(MINIMAL + "满意率门槛: 120\n")
    (p,) = problems
    assert "1 到 100 的整数" in p.detail and p.value == "120"


def test_the_former_name_of_the_due_window_still_sets_it():
    settings, problems = parse(MINIMAL + "临期天数: 20\n")
    assert problems == [] and settings.light_due_days == 20
    _, problems = parse(MINIMAL + "临期天数: 20\nlight_due_days: 10\n")
    assert [p.code for p in problems] == ["invalid-settings"] and "写了两次" in problems[0].detail


def test_the_yellow_band_lies_below_the_red_one():
    _, problems = parse(MINIMAL + "light_yellow_points: 40\nlight_red_points: 30\n")
    (p,) = problems
    assert (p.code, p.row, p.column, p.value) == ("invalid-settings", 4, "light_yellow_points", "40")
    assert "应小于红灯落后百分点（30）" in p.detail


def test_missing_or_invalid_required_setting():
    settings, problems = parse("name: 测试平台\nas_of: 昨天\n")
    found = {(p.row, p.column) for p in problems}
    assert found == {(None, "district"), (2, "as_of")}
    assert settings.as_of is None and settings.district == ""


def test_duplicate_setting_is_located_by_check(mini: Path):
    site = mini / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8") + "as_of: 2026-05-31\n", encoding="utf-8")
    found = {(Path(p.file).name, p.row, p.column, p.code) for p in pipeline.check(mini).errors}
    assert ("site.yaml", 12, "as_of", "invalid-settings") in found


def _other(value: object) -> object:
    if isinstance(value, bool):
        return not value
    if isinstance(value, int):
        return value + 1
    if isinstance(value, dt.date):
        return value + dt.timedelta(days=1)
    return "five" if value == "three" else f"{value}x"


def test_download_digests_change_with_every_setting(mini: Path):
    prepared = pipeline.prepare(mini, use_cache=False)
    ds = prepared.dataset
    hashes = EntityHashes(ViewBuilder(ds, prepared.aggregates))
    scopes = opendata.scopes(ds, prepared.aggregates, url_for)
    before = opendata.scope_digests(ds, scopes, hashes, "code")
    assert len(before) == len(scopes) > 1
    for f in dataclasses.fields(SiteSettings):
        changed = dataclasses.replace(ds.settings, **{f.name: _other(getattr(ds.settings, f.name))})
        after = opendata.scope_digests(dataclasses.replace(ds, settings=changed), scopes, hashes, "code")
        assert all(after[k] != before[k] for k in before), f.name
