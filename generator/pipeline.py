"""load → validate → redact → model → aggregate, as one call the CLI and the plugin share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .aggregate import Aggregates, aggregate
from .load import FILE, ROW, load
from .model import Dataset, build
from .privacy import redact
from .problems import Problem, Report, ValidationFailed
from .schema import TABLES, feedback_table
from .timing import phase
from .validate import validate


@dataclass
class Prepared:
    dataset: Dataset
    aggregates: Aggregates
    report: Report
    redactions: list[tuple[str, int, str, str, str]]  # file, row, column, kinds, masked text


def check(data_dir: Path) -> Report:
    """Validate only; never raises for bad data."""
    try:
        return prepare(data_dir).report
    except ValidationFailed as exc:
        return exc.report


def prepare(data_dir: Path) -> Prepared:
    """Everything before rendering. Raises ValidationFailed if the data has errors."""
    data_dir = Path(data_dir)
    with phase("load"):
        loaded = load(data_dir)
    with phase("validate"):
        validated = validate(loaded)
    report = validated.report
    if report.errors:
        raise ValidationFailed(report)
    scale = validated.settings.get("rating_scale") or "three"
    tables = {}
    redactions = []
    with phase("redact"):
        _redact_all(loaded, validated, scale, tables, redactions, report)
    with phase("model"):
        dataset = build(validated.settings, tables)
    with phase("aggregate"):
        aggregates = aggregate(dataset)
    return Prepared(dataset, aggregates, report, redactions)


def _redact_all(loaded, validated, scale, tables, redactions, report) -> None:
    for t in TABLES:
        table = feedback_table(scale) if t.name == "feedback" else t
        frame = validated.tables[t.name]
        public, log = redact(table, frame)
        for idx, column, kinds, masked in log:
            file, row = frame.at[idx, FILE], int(frame.at[idx, ROW])
            header = loaded.tables[t.name].header(file, column) if t.name in loaded.tables else column
            redactions.append((file, row, header, kinds, masked))
            report.add(Problem("pii-masked", file, row, header, "", kinds))
        tables[t.name] = public


_cache: dict[Path, Prepared] = {}


def prepared_for(data_dir: Path) -> Prepared:
    """Prepare once per process: the CLI validates before Pelican's plugin asks again."""
    key = Path(data_dir).resolve()
    if key not in _cache:
        _cache[key] = prepare(key)
    return _cache[key]


def remember(data_dir: Path, prepared: Prepared) -> None:
    _cache[Path(data_dir).resolve()] = prepared


def forget() -> None:
    _cache.clear()
