"""Where the media outputs of a page live: its embed, feed, share image and notice sheet.

Everything here is a function of a page's URL (and the site's base URL), so a template can
ask for a page's media links without the page kind carrying them, and the page digest
(which covers this code and the page's URL) stays right. A path exists for a URL only
when the build makes that output (see ``generator/exports/feeds.py`` and ``images.py``
and the embed and print page kinds).
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from generator.schema import AUTO_ALL_PROJECTS

if TYPE_CHECKING:
    from generator.model.dataset import Dataset

# Page URL prefix -> the folder of its media, for the scopes that have them.
SCOPES = ("subdistricts/", "communities/", "units/")
EMBED = "embed/"
PRINT = "print/"
FEEDS = "feeds/"
SHARE = "share/"
SITE_FEED = "feeds/all.xml"
SITE_IMAGE = "share/site.png"
RESIZE_SCRIPT = "theme/js/embed-resize.js"
# The published lists that have an embed (list_page.py's LIST_ROUTES, first pages only).
LISTS = ("lists/projects/", "lists/results/", "lists/demands/")


def _scope(url: str) -> tuple[str, str] | None:
    """("communities", slug) for ``communities/<slug>/``; None for any other URL."""
    for prefix in SCOPES:
        if url.startswith(prefix):
            rest = url[len(prefix) :]
            if rest.endswith("/") and rest.count("/") == 1:
                return prefix[:-1], rest[:-1]
    return None


def feed_path(url: str) -> str | None:
    """The Atom feed of the page at ``url`` (a subdistrict, community or unit); the
    portal's own feed for the home page."""
    if url == "":
        return SITE_FEED
    scope = _scope(url)
    return f"{FEEDS}{scope[0]}/{scope[1]}.xml" if scope else None


def feed_for_scope(kind: str, slug: str) -> str:
    return f"{FEEDS}{kind}/{slug}.xml"


def image_path(url: str) -> str:
    """The share image of the page at ``url``: its own (communities and projects that
    have one, see images.py) or the portal's."""
    for prefix in ("communities/", "projects/"):
        if url.startswith(prefix) and url.count("/") == 2 and url.endswith("/"):
            return f"{SHARE}{url[:-1]}.png"
    return SITE_IMAGE


def share_scope(setting: str, projects: int) -> str:
    """The ``share_images`` setting (schema.SHARE_IMAGES) with "auto" decided by the number
    of projects: a card for every project up to AUTO_ALL_PROJECTS (a district: a few
    seconds of drawing), else for communities only (a card per project does not fit a
    city's build budget; README, "Share images")."""
    if setting != "auto":
        return setting
    return "all" if projects <= AUTO_ALL_PROJECTS else "communities"


def dataset_share_scope(ds: Dataset) -> str:
    """:func:`share_scope` of a dataset's setting and projects: what the cards, the project
    pages and the pages' context digest all ask."""
    return share_scope(ds.settings.share_images, len(ds.projects))


def project_has_image(scope: str, light: str | None) -> bool:
    """Whether a project has a share image of its own under ``scope`` (:func:`share_scope`):
    every project, the red-light ones, or none."""
    return scope == "all" or (scope == "red" and light == "red")


def project_image(scope: str, project_url: str, light: str | None, community_url: str | None) -> str:
    """The share image a project page names (og:image): its own, its first community's,
    or the portal's."""
    if project_has_image(scope, light):
        return image_path(project_url)
    return image_path(community_url) if community_url else SITE_IMAGE


def embed_url(url: str) -> str | None:
    """The embed page of the page at ``url``: subdistricts, communities, units, and the
    first page of each published list."""
    if _scope(url) or url in LISTS:
        return EMBED + url
    return None


def print_url(url: str) -> str | None:
    """The printable notice sheet (公示栏) of a community page."""
    scope = _scope(url)
    return f"{PRINT}{url}" if scope and scope[0] == "communities" else None


def absolute(base_url: str, path: str) -> str:
    """``path`` (relative to the site root) on the site's address; "" without one."""
    return f"{base_url.rstrip('/')}/{path}" if base_url else ""


@dataclass(frozen=True, slots=True)
class MediaLinks:
    """A page's media, as paths relative to the site root (templates prefix SITEURL) and,
    when the site's address is set, as absolute URLs (for snippets, og: tags, QR codes)."""

    page: str  # the page itself
    page_abs: str
    feed: str | None
    feed_abs: str
    image: str
    image_abs: str
    embed: str | None
    embed_abs: str
    print: str | None
    script_abs: str  # embed-resize.js on the site's address ("" without one)

    def snippet(self, title: str) -> str:
        """The HTML a host page pastes to embed this page (plain text; escape it once to
        show it). Without the site's address the paths are root-relative, and the page
        says to replace them."""
        if self.embed is None:
            return ""
        src = self.embed_abs or "/" + self.embed
        script = self.script_abs or "/" + RESIZE_SCRIPT
        return (
            f'<iframe src="{escape(src)}" title="{escape(title)}" width="100%" height="640" '
            f'loading="lazy" style="border:0"></iframe>\n<script src="{escape(script)}" async></script>'
        )


def media_links(url: str | None, base_url: str) -> MediaLinks | None:
    """The media links of the data page at ``url`` (None: not a data page)."""
    if url is None:
        return None
    feed, image, embed = feed_path(url), image_path(url), embed_url(url)
    return MediaLinks(
        page=url,
        page_abs=absolute(base_url, url),
        feed=feed,
        feed_abs=absolute(base_url, feed) if feed else "",
        image=image,
        image_abs=absolute(base_url, image),
        embed=embed,
        embed_abs=absolute(base_url, embed) if embed else "",
        print=print_url(url),
        script_abs=absolute(base_url, RESIZE_SCRIPT),
    )


def gongshi_media(url: str | None, base_url: str = "") -> MediaLinks | None:
    """Jinja global: ``gongshi_media(page.url, site.base_url)``."""
    return media_links(url if isinstance(url, str) else None, base_url or "")
