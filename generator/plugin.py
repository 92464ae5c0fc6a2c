"""The Pelican plugin: ``PLUGINS = ["generator.plugin"]`` in a pelicanconf."""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from generator.schema import LABELS
from generator.site.filters import FILTERS


def get_generators(pelican_object):
    """The data-page generator; bound to the build's context when a Build runs Pelican."""
    from generator.site.render import GongshiGenerator

    context = getattr(pelican_object, "gongshi", None)
    if context is None:
        return GongshiGenerator
    return type("BoundGongshiGenerator", (GongshiGenerator,), {"render_context": context})


def initialized(pelican_object):
    from generator.site.fragments import fragment, macros
    from generator.site.media import gongshi_media

    pelican_object.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)
    jinja_globals = pelican_object.settings.setdefault("JINJA_GLOBALS", {})
    jinja_globals["gongshi_fragment"] = fragment
    jinja_globals["gongshi_macros"] = macros
    jinja_globals["gongshi_media"] = gongshi_media  # a page's feed, share image, embed, notice sheet
    jinja_globals["labels"] = LABELS  # column, value and setting labels: schema.py is their one source


# What Markdown pages and news may contain after rendering; everything else is removed.
ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "code",
    "dd",
    "del",
    "details",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "li",
    "ol",
    "p",
    "pre",
    "s",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "time": {"datetime"},
    "*": {"id"},
}


def sanitise(html: str) -> str:
    import nh3

    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


def content_object_init(instance):
    """Sanitise every Markdown page and news article: staff text, not code."""
    if getattr(instance, "_content", None):
        instance._content = sanitise(instance._content)


def finalized(pelican_object):
    """Run by plain Pelican: read every output file for personal data. (A Build scans the
    staging folder itself, skipping the pages it scanned while rendering them.)"""
    if getattr(pelican_object, "gongshi", None) is not None:
        return
    from generator.ingest.prepare import site_settings
    from generator.privacy.mask import allowed_in, leak, scan_output

    settings = pelican_object.settings
    data = Path(settings["GONGSHI_DATA"])
    contacts = settings.get("GONGSHI_ALLOWED_CONTACTS", ())  # set by the data-page generator
    findings = scan_output(pelican_object.output_path, allowed=allowed_in(site_settings(data), contacts))
    if findings:
        raise leak(findings, data, content=Path(settings["PATH"]))  # traced to the cells and lines they came from


def generator_init(generator):
    """Every generator's Jinja environment (data pages, news, pages): the fast output escape."""
    from generator.site.templating import install

    install(generator.env)


def register():
    signals.generator_init.connect(generator_init)
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finalized)
    signals.content_object_init.connect(content_object_init)
