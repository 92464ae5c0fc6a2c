"""A mapping file beside a workbook: which column is which, which word means which value.

For templates the built-in headings and words (schema.py aliases and synonyms, ledger.py)
do not cover, staff write ``<file name>.mapping.yaml`` beside the data file — for
``整改台账.xlsx`` that is ``整改台账.mapping.yaml`` — with any of::

    清单: 整改清单              # which list the file is (when its name does not say)
    表头行: 3                   # the header's row as Excel shows it (else found automatically)
    跳过工作表: [汇总, 旧表]     # sheets not to read
    列:                         # our heading: the standard heading (or its column name)
      事项: 项目名称
    取值:                       # per column, our word: a standard value
      推进状态:
        推进中(已批复): 进行中

English keys (``list``, ``header_row``, ``skip_sheets``, ``columns``, ``values``) work too.
The mapping is checked itself: an unknown key, column or value is a located problem naming
the mapping file and its line. It joins the per-file cache key (a changed mapping re-reads
the workbook); it lives in data/, so the build's input fingerprint covers it already.
"""

from __future__ import annotations

import dataclasses
import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from generator.problems import Problem
from generator.schema import ENUM, TABLES, Column, Table, norm, table_for_name

SUFFIX = ".mapping.yaml"
SUFFIXES = (".mapping.yaml", ".mapping.yml")
MAX_MAPPING_BYTES = 256 * 1024

# Each top-level key in its Chinese and English spellings.
_KEYS = {
    "list": ("清单", "list"),
    "header_row": ("表头行", "header_row"),
    "skip_sheets": ("跳过工作表", "skip_sheets"),
    "columns": ("列", "columns"),
    "values": ("取值", "值", "values"),
}
_KEY_OF = {norm(s): k for k, spellings in _KEYS.items() for s in spellings}


def is_mapping(path: Path) -> bool:
    return path.name.lower().endswith(SUFFIXES)


def mapping_for(path: Path) -> Path | None:
    """The mapping file beside a data file, if there is one."""
    for suffix in SUFFIXES:
        candidate = path.with_name(path.stem + suffix)
        if candidate.is_file():
            return candidate
    return None


def data_stem(mapping: Path) -> str:
    """The stem of the data file a mapping file belongs to (整改台账.mapping.yaml -> 整改台账)."""
    name = mapping.name
    for suffix in SUFFIXES:
        if name.lower().endswith(suffix):
            return name[: -len(suffix)]
    return mapping.stem


@dataclass(frozen=True)
class MappedTable(Table):
    """A list's schema with a mapping's headings: they win over the built-in spellings."""

    headings: tuple[tuple[str, str], ...] = ()  # (heading as staff write it, column name)
    header_row: int | None = None  # the header's row as Excel shows it (None: found automatically)

    def header_lookup(self) -> dict[str, str]:
        lookup = super().header_lookup()
        lookup.update({norm(h): c for h, c in self.headings})
        return lookup


@dataclass
class Mapping:
    """A mapping file as read: what it says and its problems (with its file and lines)."""

    file: str
    digest: str
    table: Table | None = None
    header_row: int | None = None
    skip_sheets: frozenset[str] = frozenset()
    headings: dict[str, str] = field(default_factory=dict)  # heading -> column name
    heading_lines: dict[str, int] = field(default_factory=dict)
    values: dict[str, dict[str, str]] = field(default_factory=dict)  # column name -> norm(word) -> value
    problems: list[Problem] = field(default_factory=list)

    def schema(self, table: Table) -> Table:
        """``table`` with this mapping's headings (the table itself when there are none)."""
        if not self.headings and self.header_row is None:
            return table
        base = {f.name: getattr(table, f.name) for f in dataclasses.fields(Table)}
        return MappedTable(**base, headings=tuple(self.headings.items()), header_row=self.header_row)

    def unused_headings(self, seen: set[str], where: str) -> list[Problem]:
        """A warning for each mapped heading no header row of the file has."""
        keys = {"".join(norm(s).split()) for s in seen}
        return [
            Problem("mapping-unused", self.file, self.heading_lines.get(h), h,
                    detail=f"{where}的表头中没有“{h}”列，这一行映射没有用上")
            for h in self.headings
            if "".join(norm(h).split()) not in keys
        ]  # fmt: skip

    def apply_values(self, part) -> None:
        """Replace the words this mapping names in a part's columns (once per distinct cell)."""
        for column, words in self.values.items():
            col = part.cols.get(column)
            if col is None or not words:
                continue
            uniques = col.uniques.copy()
            for i, cell in enumerate(uniques.tolist()):
                target = words.get(norm(cell))
                if target is not None:
                    uniques[i] = target
            part.cols[column] = type(col)(col.codes, uniques)


def _problem(m: Mapping, line: int | None, detail: str, column: str = "", value: str = "", error: bool = True) -> None:
    code = "mapping-invalid" if error else "mapping-unused"
    m.problems.append(Problem(code, m.file, line, column, value, detail))


def _line(node: yaml.Node) -> int:
    return node.start_mark.line + 1


def _scalar(node: yaml.Node) -> str | None:
    return str(node.value).strip() if isinstance(node, yaml.ScalarNode) else None


def _column(table: Table | None, spelling: str) -> Column | None:
    """The schema column a standard heading or column name means."""
    tables = (table,) if table is not None else TABLES
    for t in tables:
        name = t.header_lookup().get(norm(spelling))
        if name is not None:
            return t.column(name)
    return None


def read_mapping(raw: bytes, file: str, table: Table | None) -> Mapping:
    """A mapping file read and checked against the list it is for (``table``: the list the
    data file's name stands for; the mapping's own 清单 key wins)."""
    m = Mapping(file, hashlib.sha256(raw).hexdigest())
    if len(raw) > MAX_MAPPING_BYTES:
        _problem(m, None, f"映射文件超过 {MAX_MAPPING_BYTES // 1024} KB")
        return m
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        _problem(m, None, "不是 UTF-8 编码的文本")
        return m
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        _problem(m, mark.line + 1 if mark else None, f"YAML 格式错误：{getattr(exc, 'problem', exc)}")
        return m
    if root is None:
        return m
    if not isinstance(root, yaml.MappingNode):
        _problem(m, _line(root), "应为“键: 值”的形式，如“列:”下写“我们的列名: 标准列名”")
        return m
    sections: dict[str, yaml.Node] = {}
    for key_node, value_node in root.value:
        key = _scalar(key_node) or ""
        name = _KEY_OF.get(norm(key))
        if name is None:
            allowed = "、".join(s[0] for s in _KEYS.values())
            _problem(m, _line(key_node), f"不认识的设置“{key}”，可用：{allowed}", value=key)
            continue
        sections[name] = value_node
    if "list" in sections:
        written = _scalar(sections["list"]) or ""
        found = table_for_name(written)
        if found is None:
            names = "、".join(t.label for t in TABLES)
            _problem(m, _line(sections["list"]), f"“{written}”不是清单名称，可用：{names}", value=written)
        else:
            m.table = found
    table = m.table or table
    if "header_row" in sections:
        written = _scalar(sections["header_row"]) or ""
        if written.isdigit() and int(written) >= 1:
            m.header_row = int(written)
        else:
            _problem(m, _line(sections["header_row"]), "表头行应为行号，如 3", value=written)
    if "skip_sheets" in sections:
        node = sections["skip_sheets"]
        items = node.value if isinstance(node, yaml.SequenceNode) else [node]
        sheet_names = [_scalar(n) for n in items]
        if any(n is None for n in sheet_names):
            _problem(m, _line(node), "跳过工作表应为工作表名的列表，如 [汇总, 旧表]")
        m.skip_sheets = frozenset(n for n in sheet_names if n)
    if table is None and ("columns" in sections or "values" in sections):
        _problem(m, 1, "文件名不是清单名称，请加一行“清单: 整改清单”（或其他清单名称）说明这是哪份清单")
        return m
    if "columns" in sections:
        _read_headings(m, sections["columns"], table)
    if "values" in sections:
        _read_values(m, sections["values"], table)
    return m


def _pairs(m: Mapping, node: yaml.Node, what: str) -> list[tuple[yaml.Node, yaml.Node]]:
    if not isinstance(node, yaml.MappingNode):
        _problem(m, _line(node), f"“{what}”下应写成“名称: 值”的形式，每行一项")
        return []
    return node.value


def _read_headings(m: Mapping, node: yaml.Node, table: Table | None) -> None:
    for heading_node, target_node in _pairs(m, node, "列"):
        heading, target = _scalar(heading_node), _scalar(target_node)
        if not heading or target is None:
            _problem(m, _line(heading_node), "每一行应为“我们的列名: 标准列名”")
            continue
        col = _column(table, target)
        if col is None or col.derived:
            known = "、".join(c.label for c in table.columns) if table is not None else ""
            _problem(m, _line(target_node), f"“{target}”不是{table.label if table else ''}的列，可用：{known}",
                     column=heading, value=target)  # fmt: skip
            continue
        if heading in m.headings:
            _problem(m, _line(heading_node), f"“{heading}”映射了两次", column=heading)
            continue
        m.headings[heading] = col.name
        m.heading_lines[heading] = _line(heading_node)


def _read_values(m: Mapping, node: yaml.Node, table: Table | None) -> None:
    mapped = {norm(h): c for h, c in m.headings.items()}
    for column_node, words_node in _pairs(m, node, "取值"):
        written = _scalar(column_node) or ""
        name = mapped.get(norm(written))
        col = table.column(name) if name and table is not None else _column(table, written)
        if col is None:
            _problem(m, _line(column_node), f"“{written}”不是{table.label if table else ''}的列，也不在“列”中",
                     column=written)  # fmt: skip
            continue
        lookup = col.enum.lookup() if col.type == ENUM and col.enum is not None else None
        words: dict[str, str] = {}
        for word_node, target_node in _pairs(m, words_node, written):
            word, target = _scalar(word_node), _scalar(target_node)
            if word is None or target is None:
                _problem(m, _line(word_node), "每一行应为“我们写的词: 标准取值”", column=written)
                continue
            if lookup is not None and norm(target) not in lookup:
                allowed = "、".join(col.enum.labels()) if col.enum is not None else ""
                _problem(m, _line(target_node), f"“{target}”不是“{col.label}”的取值，可选：{allowed}",
                         column=written, value=target)  # fmt: skip
                continue
            words[norm(word)] = target
        if words:
            m.values.setdefault(col.name, {}).update(words)
