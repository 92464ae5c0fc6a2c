"""Rendered-once page chrome (top bar, navigation, footer).

The same header and footer surround every page; only the link prefix (page depth) and the
current navigation section vary. Rendering them once per variant instead of once per page
saves about a third of a project page's render time at city scale. The fragment templates'
sources are part of every page digest (see render.py), so editing them re-renders pages.
"""

from __future__ import annotations

from jinja2 import pass_context
from markupsafe import Markup

TEMPLATES = ("_chrome_top.html", "_chrome_footer.html", "_macros.html", "_search_box.html")


def _cache(environment) -> dict[tuple, object]:
    """Rendered fragments and macro modules, kept on the Jinja environment they come from
    (Pelican makes one per generator and build), so nothing outlives the build."""
    cache = environment.__dict__.get("gongshi_fragments")
    if cache is None:
        cache = environment.gongshi_fragments = {}
    return cache


def nav_states(nav, here: str | None) -> tuple[str, ...]:
    """aria-current per navigation link: "page" (this page), "true" (inside it) or ""."""
    states = []
    for link in nav:
        if here is not None and here == link.url:
            states.append("page")
        elif link.url and here and here.startswith(link.url):
            states.append("true")
        else:
            states.append("")
    return tuple(states)


@pass_context
def fragment(ctx, name: str, here: str | None = None) -> Markup:
    site, siteurl = ctx["site"], str(ctx["SITEURL"])
    states = nav_states(site.nav, here)
    key = (name, id(site), siteurl, states)
    cache = _cache(ctx.environment)
    html = cache.get(key)
    if not isinstance(html, Markup):
        template = ctx.environment.get_template(name)
        html = cache[key] = Markup(
            template.render(
                site=site, t=ctx["t"], SITEURL=siteurl, nav=tuple(zip(site.nav, states, strict=True))
            ).strip("\n")
        )
    return html


@pass_context
def macros(ctx):
    """The ``_macros.html`` module for this page's depth, built once per process.

    ``{% import ... with context %}`` builds a fresh module (every macro object) on each
    render; the macros only read ``t`` and ``SITEURL``, and a site has a handful of depths.
    """
    siteurl = str(ctx["SITEURL"])
    key = ("_macros.html", siteurl)
    cache = _cache(ctx.environment)
    module = cache.get(key)
    if module is None:
        template = ctx.environment.get_template("_macros.html")
        module = cache[key] = template.make_module({"t": ctx["t"], "SITEURL": siteurl})
    return module
