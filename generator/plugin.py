"""The Pelican plugin: ``PLUGINS = ["generator.plugin"]`` in a pelicanconf."""

from __future__ import annotations

from pathlib import Path

from pelican import signals

from .filters import FILTERS


def get_generators(pelican_object):
    from .render import GongshiGenerator

    return GongshiGenerator


def initialized(pelican_object):
    from .fragments import fragment, macros

    pelican_object.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)
    jinja_globals = pelican_object.settings.setdefault("JINJA_GLOBALS", {})
    jinja_globals["gongshi_fragment"] = fragment
    jinja_globals["gongshi_macros"] = macros


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
    """Read every output file for personal data before anything can be published."""
    from .privacy import allowed_for, leak, scan_output
    from .render import SCANNED, WALKED
    from .timing import phase

    with phase("privacy-scan"):
        # Data pages were scanned in memory by the renderer before they were written.
        WALKED.clear()
        seen: list[str] = []
        findings = scan_output(
            pelican_object.output_path, skip=SCANNED, seen=seen, allowed=allowed_for(pelican_object.settings)
        )
        WALKED[str(Path(pelican_object.output_path).resolve())] = seen
    if findings:
        raise leak(findings, pelican_object.settings)  # traced to the cells and lines they came from


def generator_init(generator):
    """Every generator's Jinja environment (data pages, news, pages): the fast output
    escape, and compiled templates kept between builds when the CLI gives a cache."""
    from .templating import install

    install(generator.env, generator.settings.get("GONGSHI_CACHE"))


def register():
    signals.generator_init.connect(generator_init)
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finalized)
    signals.content_object_init.connect(content_object_init)
