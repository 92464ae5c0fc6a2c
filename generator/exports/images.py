"""Share images: a PNG card per community (and, as ``share_images`` in site.yaml says, per
red-light project or per project), and one for the portal, for forwarding into WeChat
(which shows images, not iframes).

A card shows figures that the page it belongs to already publishes (names, counts, rates,
status and light), the as-of date and a QR code to that page. Everything drawn is first
collected as text (:meth:`Card.texts`) and passes the same personal-data scan as the pages.

Cost: a city has ~3,500 communities and ~40,000 projects, and one card costs ~3 ms (QR
~1 ms with a fixed mask, text ~1 ms, PNG ~1 ms); see the README for what was measured and
why, by default (``auto``), a city's project pages share their community's card while a
district's each have their own (site/media.py share_scope). Cards are redrawn only when
what they show changes: each card's digest is a hash of its :class:`Card`, the font and
this code (:func:`card_digest`).

Reproducible bytes: Pillow writes no time chunk unless asked; text is drawn by FreeType
from the font file the ``noto-cjk-sans-otc`` package installs, never a system font.

The image is drawn in one 8-bit channel and stored as a palette PNG: values 0–127 are a
ramp from white to ink, 128–255 from the light's tint to the light's colour. Text drawn
with value 127 on 0 (or 255 on 128) is antialiased along its own ramp, so a card has
colour at a greyscale image's cost.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import segno
from PIL import Image, ImageDraw, ImageFont

from generator.model.aggregate import Aggregates, Figures, Rules
from generator.model.dataset import Dataset
from generator.schema import LIGHT, STATUS
from generator.site import media
from generator.site.views import url_for

WIDTH, HEIGHT = 500, 400
MARGIN = 24
QR_SCALE = 3
INK = (26, 26, 26)
WHITE = (255, 255, 255)
# The light's colour and its pale tint (badge background); "" is the portal's accent.
TONES = {
    "red": ((0xB0, 0x1E, 0x1E), (0xFB, 0xE6, 0xE6)),
    "yellow": ((0x8A, 0x5A, 0x00), (0xFF, 0xF1, 0xC7)),
    "green": ((0x1E, 0x6B, 0x34), (0xE3, 0xF4, 0xE7)),
    "": ((0x8A, 0x1C, 0x1C), (0xF6, 0xE8, 0xE8)),
}
# Ink levels on the first ramp (0 = white, 127 = ink).
TEXT, MUTED, RULE = 127, 80, 24
AREA_FIGURES = 190  # y of the big numbers (communities, the portal)
PROJECT_FIGURES = 216  # y of the first label/value line (projects)
_QR_ROOM = 150  # width kept free for the QR code beside the lines
COMPRESS = 1  # zlib level: 6 saves a fifth of the bytes for twice the time
# The Simplified Chinese face of the Noto Sans CJK collection.
FONT_INDEX = 2


def font_path() -> Path:
    """The CJK font file, from the package the install step brings (pyproject.toml)."""
    import noto_cjk_sans_otc

    return Path(str(noto_cjk_sans_otc.FONT_PATH))


@dataclass(frozen=True, slots=True)
class Figure:
    label: str
    value: str


@dataclass(frozen=True, slots=True)
class Card:
    """What one share image shows, as text; ``url`` is encoded in the QR code."""

    path: str  # relative to the site root
    url: str  # absolute page URL ("" without the site's address: no QR code)
    site: str
    title: str
    subtitle: str
    badge: str  # status and light, e.g. "推进中 · 红灯"
    tone: str  # red / yellow / green / ""
    note: str  # the light's reason, or the formula
    figures: tuple[Figure, ...]
    as_of: str
    footer: str

    def texts(self) -> list[str]:
        """Every string drawn on the card (the privacy scan reads these)."""
        return [
            self.site,
            self.title,
            self.subtitle,
            self.badge,
            self.note,
            *(f"{f.label} {f.value}" for f in self.figures),
            self.as_of,
            self.footer,
            self.url,
        ]


def _rate(numerator: int, denominator: int, minimum: int) -> str:
    if not denominator:
        return "—"
    if denominator < minimum:
        return "样本不足"
    return f"{numerator * 100 / denominator:.1f}%"


def _date_cn(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日" if d else "—"


def project_has_card(ds: Dataset, agg: Aggregates, pid: str) -> bool:
    """Whether a project gets a card of its own (the ``share_images`` setting)."""
    return media.project_has_image(media.dataset_share_scope(ds), agg.info[pid].light)


def cards(ds: Dataset, agg: Aggregates) -> list[Card]:
    """Every card: the portal's, each community's, and the projects' that have one."""
    s = ds.settings
    base = s.base_url.rstrip("/")
    as_of = f"数据截止 {_date_cn(ds.as_of)}"
    minimum = Rules.of(s).min_sample
    footer = "扫码查看详情" if base else "设置网址后显示二维码"

    def area_figures(f) -> tuple[Figure, ...]:
        return (
            Figure("实事项目", f"{f.projects:,}"),
            Figure(STATUS.label("completed"), f"{f.completed:,}"),
            Figure("满意率", _rate(f.satisfied, f.valid_ratings, minimum)),
            Figure(LIGHT.label("red"), f"{f.lights['red']:,}"),
        )

    def note(f) -> str:
        return f"办结率 {_rate(f.completed, f.completion_base, 0)} · 有效评价 {f.valid_ratings:,} 条"

    out = [
        Card(
            media.SITE_IMAGE,
            media.absolute(base, ""),
            s.name,
            s.district or s.name,
            "全区",
            "",
            "",
            note(agg.district),
            area_figures(agg.district),
            as_of,
            footer,
        )
    ]
    for a in sorted(ds.level("community"), key=lambda a: a.id):
        # A community with no projects or demands yet still has a page naming its card
        # (og:image, the media box): draw it with zero figures, as the page shows them.
        f = agg.communities.get(a.id) or Figures(satisfied_keys=ds.satisfied_keys)
        url = url_for("community", a.id)
        parent = ds.areas.get(a.parent)
        red = f.lights["red"]
        out.append(
            Card(
                media.image_path(url),
                media.absolute(base, url),
                s.name,
                a.name,
                parent.name if parent else "",
                f"{LIGHT.label('red')} {red} 项" if red else "",
                "red" if red else "",
                note(f),
                area_figures(f),
                as_of,
                footer,
            )
        )
    for pid in sorted(ds.projects):
        if not project_has_card(ds, agg, pid):
            continue
        p, info = ds.projects[pid], agg.info[pid]
        url = url_for("project", pid)
        lead = ds.units[p.lead_unit].name if p.lead_unit in ds.units else ""
        where = "、".join(ds.areas[c].name for c in p.communities if c in ds.areas)
        light = info.light or ""
        badge = STATUS.label(p.status) + (f" · {LIGHT.label(light)}" if light else "")
        out.append(
            Card(
                media.image_path(url),
                media.absolute(base, url),
                s.name,
                p.title,
                where,
                badge,
                light,
                info.light_reason,
                (
                    Figure("牵头单位", lead),
                    Figure("领办人", p.leader or "—"),
                    Figure("完成时限", _date_cn(p.deadline) if p.deadline else STATUS.label("ongoing")),
                    Figure("完成比例", f"{p.progress}%" if p.progress is not None else "—"),
                ),
                as_of,
                footer,
            )
        )
    return out


class Painter:
    """Draws cards; holds the fonts and, per layout, a template with the text every card
    of that layout shares (site, labels, as-of date), so a card draws only its own text."""

    def __init__(self) -> None:
        path = str(font_path())
        # The basic layout engine: no shaping is needed for Chinese, and it is the faster.
        self.fonts = {
            size: ImageFont.truetype(path, size, index=FONT_INDEX, layout_engine=ImageFont.Layout.BASIC)
            for size in (16, 18, 24, 28, 36)
        }
        self.templates: dict[tuple, Image.Image] = {}
        self.palettes = {tone: _palette(tone) for tone in TONES}

    @staticmethod
    def identity() -> str:
        """What the drawing depends on besides the card: the font file and image size."""
        path = font_path()
        return f"{path.name}:{path.stat().st_size}:{FONT_INDEX}:{WIDTH}x{HEIGHT}:{QR_SCALE}"

    def fit(self, text: str, size: int, width: int) -> str:
        """``text`` cut with an ellipsis to ``width`` pixels."""
        if len(text) * size <= width:  # no glyph of this font is wider than its size
            return text
        font = self.fonts[size]
        if font.getlength(text) <= width:
            return text
        while text and font.getlength(text + "…") > width:
            text = text[:-1]
        return text + "…"

    def shrink(self, text: str, sizes: tuple[int, ...], width: int) -> tuple[str, int]:
        """``text`` at the largest of ``sizes`` it fits in ``width`` pixels (a figure is
        never cut: "100.0%" or "样本不足" would read wrong), cut only at the smallest."""
        for size in sizes:
            if self.fonts[size].getlength(text) <= width:
                return text, size
        return self.fit(text, sizes[-1], width), sizes[-1]

    def wrap(self, text: str, size: int, width: int, lines: int) -> list[str]:
        """``text`` on at most ``lines`` lines of ``width`` pixels (CJK breaks anywhere)."""
        font, rest = self.fonts[size], text
        out: list[str] = []
        while rest and len(out) < lines - 1:
            # No glyph is wider than the font size: width // size characters always fit;
            # grow from there (Latin text is narrower), measuring a few times at most.
            n = min(len(rest), max(width // size, 1))
            while n < len(rest) and font.getlength(rest[: n + 1]) <= width:
                n += 1
            out.append(rest[:n])
            rest = rest[n:]
        if rest:
            out.append(self.fit(rest, size, width))
        return out

    def template(self, card: Card, row: bool) -> Image.Image:
        """The shared part of a card: top rule, site name, figure labels, footer."""
        key = (row, card.site, card.as_of, card.footer, tuple(f.label for f in card.figures), bool(card.url))
        im = self.templates.get(key)
        if im is None:
            im = Image.new("L", (WIDTH, HEIGHT), 0)
            d = ImageDraw.Draw(im)
            f = self.fonts
            inner = WIDTH - 2 * MARGIN
            d.text((MARGIN, 16), self.fit(card.site, 16, inner), font=f[16], fill=MUTED)
            if row:
                col = inner // max(len(card.figures), 1)
                for i, fig in enumerate(card.figures):
                    label = self.fit(fig.label, 16, col - 8)
                    d.text((MARGIN + i * col, AREA_FIGURES + 46), label, font=f[16], fill=MUTED)
            else:
                for i, fig in enumerate(card.figures):
                    d.text((MARGIN, PROJECT_FIGURES + i * 28 + 2), fig.label, font=f[16], fill=MUTED)
            right = WIDTH - MARGIN - (_QR_ROOM if card.url else 0)
            d.line((MARGIN, HEIGHT - 52, right, HEIGHT - 52), fill=RULE, width=1)
            d.text((MARGIN, HEIGHT - 44), card.as_of, font=f[16], fill=MUTED)
            d.text((MARGIN, HEIGHT - 24), card.footer, font=f[16], fill=MUTED)
            im = self.templates[key] = im
        return im.copy()

    def png(self, card: Card) -> bytes:
        row = all(_short(x.value) for x in card.figures)
        im = self.template(card, row)
        d = ImageDraw.Draw(im)
        f = self.fonts
        inner = WIDTH - 2 * MARGIN
        d.rectangle((0, 0, WIDTH, 5), fill=255 if card.tone else TEXT)
        if card.subtitle:
            d.text((MARGIN, 40), self.fit(card.subtitle, 18, inner), font=f[18], fill=MUTED)
        for n, line in enumerate(self.wrap(card.title, 28, inner, 2)):
            d.text((MARGIN, 66 + n * 38), line, font=f[28], fill=TEXT)
        if card.badge:
            text = self.fit(card.badge, 18, inner - 16)
            w = int(f[18].getlength(text))
            d.rectangle((MARGIN, 146, MARGIN + w + 16, 176), fill=128)
            d.text((MARGIN + 8, 149), text, font=f[18], fill=255)
        if row:
            col = inner // max(len(card.figures), 1)
            for i, fig in enumerate(card.figures):
                value, size = self.shrink(fig.value, (36, 28, 24), col - 8)
                # smaller figures keep the baseline of the others
                d.text((MARGIN + i * col, AREA_FIGURES + (36 - size)), value, font=f[size], fill=TEXT)
            if card.note:
                d.text((MARGIN, AREA_FIGURES + 76), self.fit(card.note, 16, inner), font=f[16], fill=MUTED)
        qr = self._qr(card.url)
        qr_top = HEIGHT - 8 - qr.height if qr is not None else HEIGHT
        if not row:
            if card.note:
                tone = 255 if card.tone else MUTED
                d.text((MARGIN, PROJECT_FIGURES - 30), self.fit(card.note, 16, inner), font=f[16], fill=tone)
            for i, fig in enumerate(card.figures):
                y = PROJECT_FIGURES + i * 28
                # lines above the QR code have the card's whole width (a lead unit or a
                # leader's title is long); those beside it stop short of it
                width = inner if y + 28 <= qr_top else inner - _QR_ROOM
                value = self.fit(fig.value, 18, width - 76)
                d.text((MARGIN + 76, y), value, font=f[18], fill=TEXT)
        if qr is not None:
            im.paste(qr, (WIDTH - MARGIN - qr.width + 6, qr_top))
        out = Image.frombytes("P", im.size, im.tobytes())
        out.putpalette(self.palettes[card.tone])
        buf = io.BytesIO()
        out.save(buf, "PNG", compress_level=COMPRESS)
        return buf.getvalue()

    @staticmethod
    def _qr(url: str) -> Image.Image | None:
        if not url:
            return None
        # A fixed mask: choosing the best of eight is most of segno's time, and any mask
        # reads fine on a phone screen (the tests decode every card's code).
        code = segno.make_qr(url, error="m", mask=0, boost_error=False)
        rows = [bytes(TEXT if dark else 0 for dark in row) for row in code.matrix]
        n = len(rows)
        small = Image.frombytes("L", (n, n), b"".join(rows))
        small = small.crop((-2, -2, n + 2, n + 2))  # a quiet zone of two modules (value 0)
        return small.resize(((n + 4) * QR_SCALE, (n + 4) * QR_SCALE), Image.Resampling.NEAREST)


def _short(value: str) -> bool:
    return len(value) <= 7


def _palette(tone: str) -> list[int]:
    colour, tint = TONES[tone]
    out: list[int] = []
    for i in range(128):
        out += [round(WHITE[c] + (INK[c] - WHITE[c]) * i / 127) for c in range(3)]
    for i in range(128):
        out += [round(tint[c] + (colour[c] - tint[c]) * i / 127) for c in range(3)]
    return out


def scan_cards(chosen: Iterable[Card], allowed: frozenset[str]) -> list[tuple[str, str, str]]:
    """Personal data in what the cards would show: [(image path, kind label, value)].
    Run before drawing: text inside a PNG is out of reach of the scan of the output."""
    from generator.privacy.mask import KIND_LABELS, scan_bytes

    return [
        (card.path, KIND_LABELS[kind], value)
        for card in chosen
        for kind, value in scan_bytes("\n".join(card.texts()).encode("utf-8"), allowed)
    ]


def card_digest(card: Card, identity: str, code: str) -> str:
    return hashlib.blake2b(f"{code}\0{identity}\0{card!r}".encode(), digest_size=16).hexdigest()


def draw(chosen: Iterable[Card]) -> dict[str, bytes]:
    """The PNG of each card."""
    painter = Painter()
    return {c.path: painter.png(c) for c in chosen}
