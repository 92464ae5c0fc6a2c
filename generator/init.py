"""``gongshi init DIR``: a new, empty portal a district fills with its own lists.

What it writes: ``data/site.yaml`` with a Chinese comment for every setting (generated from
the settings declaration in schema.py, so a new setting is offered without edits here),
an empty ``data/`` otherwise, ``content/pages`` with an about page and a feedback page to
complete, an empty ``content/news`` (no demo articles), and a ``pelicanconf.py`` that uses
the theme installed with Gongshi.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from generator.problems import GongshiError
from generator.schema import DATE, ENUM, INTEGER, SETTINGS, Setting

REPO = Path(__file__).resolve().parent.parent


class InitError(GongshiError):
    """The folder cannot become a new portal (it holds files already)."""


def _yaml_value(value: object) -> str:
    if value is None or value == "":
        return '""'
    if isinstance(value, (int, dt.date)):
        return str(value)
    return json.dumps(str(value), ensure_ascii=False)  # quoted: 0000000001 stays text


def _setting_lines(s: Setting, value: object) -> list[str]:
    need = "必填" if s.required else "可不填"
    about = [f"# {s.label}（{need}）" + (f"：{s.description}" if s.description else "")]
    if s.type == ENUM and s.enum is not None:
        about.append("#   可选：" + "、".join(f"{c.key}（{c.label}）" for c in s.enum.choices))
    elif s.type == DATE:
        about.append("#   日期，如 2026-06-30")
    elif s.type == INTEGER:
        about.append(f"#   {s.integer_range}")
    return [*about, f"{s.name}: {_yaml_value(value)}", ""]


def site_yaml(district: str = "", today: dt.date | None = None) -> str:
    """site.yaml for a new portal, every setting with its Chinese explanation."""
    values: dict[str, object] = {
        "district": district,
        "name": f"{district}我为群众办实事公示平台" if district else "",
        "as_of": today or dt.date.today(),
    }
    lines = [
        "# 站点设置：每一项上方的注释说明它的含义。改完后运行 gongshi check 检查。",
        "# 必填项留空时，gongshi check 会指出要填什么。",
        "",
    ]
    for s in SETTINGS:
        lines += _setting_lines(s, values.get(s.name, s.default))
    return "\n".join(lines)


ABOUT = """Title: 关于本平台
Slug: about

本平台公开本区“我为群众办实事”工作的清单：需求清单、整改清单和结果清单。

（请在 content/pages/about.md 中写明主办单位、数据多久更新一次、数字怎么算。）
"""

FEEDBACK = """Title: 如何反映需求和评价
Slug: feedback

（请在 content/pages/feedback.md 中写明居民反映需求、评价项目的渠道，如社区电话、意见箱、议事会时间。
每个页面底部的“我要反映 / 评价”都链接到本页。）

## 反映需求

（向谁反映、怎样登记、需求编号怎样查询。社区电话和网格员写在区域名录的“社区办公电话”“网格员”
“网格员电话”列，单位电话写在责任单位名录的“服务电话”列，会显示在社区和项目页面上。）

## 对项目有意见或要投诉

（受理部门、电话、地址和受理时间写在 site.yaml 的 office、hotline、office_address、office_hours；
这里写明投诉受理后多少天内转办、答复，不满意时怎样督办。）

## 评价办理结果

（评价怎样收集：入户回访、议事会、线上问卷；满意率怎样计算；满意率低于门槛时怎样整改、复评。）
"""


def pelicanconf() -> str:
    """The repository's Pelican settings, with the theme taken from where Gongshi is installed."""
    text = (REPO / "pelicanconf.py").read_text(encoding="utf-8")
    theme = 'THEME = "theme"\n'
    if theme not in text:
        raise InitError("pelicanconf.py 的 THEME 设置已改变，无法生成新门户的设置文件")
    head = (
        '"""Pelican settings of this portal, written by `gongshi init`; `gongshi build` reads this file."""\n\n'
        "import pathlib\n\nimport generator\n\n"
    )
    text = text.replace(theme, 'THEME = str(pathlib.Path(generator.__file__).resolve().parent.parent / "theme")\n')
    # No author until the portal names one: an empty AUTHOR makes Pelican warn on every build.
    text = text.replace('AUTHOR = "青禾区委办公室"\n', '# AUTHOR = "主办单位名称"  # 新闻的默认署名（可不填）\n')
    body = text.split('"""', 2)[2].lstrip("\n") if text.startswith('"""') else text
    return head + body


def init(directory: Path, district: str = "", today: dt.date | None = None) -> list[Path]:
    """Create a new portal in ``directory`` (new or empty); the files written."""
    directory = Path(directory)
    if directory.exists() and (not directory.is_dir() or any(directory.iterdir())):
        raise InitError(f"“{directory}”已存在且不是空目录；请换一个新目录名，以免覆盖已有文件")
    files = {
        directory / "data" / "site.yaml": site_yaml(district, today),
        directory / "content" / "pages" / "about.md": ABOUT,
        directory / "content" / "pages" / "feedback.md": FEEDBACK,
        directory / "pelicanconf.py": pelicanconf(),
    }
    (directory / "content" / "news").mkdir(parents=True, exist_ok=True)
    for path, text in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return list(files)
