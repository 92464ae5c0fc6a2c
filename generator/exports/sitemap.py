"""sitemap.xml and robots.txt: how search engines and the government site's crawler find
every page.

A page's ``lastmod`` is a date from the data (the latest report, result or rating of what
the page shows, never after the as-of date), not the build's time: rebuilding unchanged
data gives the same bytes. URLs are absolute when the site URL is set (a sub-path
included); without it the sitemap lists paths relative to the site root and robots.txt
names no sitemap (the protocol wants absolute URLs there).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from xml.sax.saxutils import escape

SITEMAP = "sitemap.xml"
ROBOTS = "robots.txt"
LIMIT = 50_000  # URLs per sitemap file (sitemaps.org)
_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


def _loc(base_url: str, rel: str) -> str:
    return escape(f"{base_url}/{rel}" if base_url else (rel or "./"))


def _urlset(entries: Sequence[tuple[str, dt.date | None]], base_url: str) -> bytes:
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', f'<urlset xmlns="{_NS}">']
    for rel, lastmod in entries:
        mod = f"<lastmod>{lastmod.isoformat()}</lastmod>" if lastmod else ""
        lines.append(f"<url><loc>{_loc(base_url, rel)}</loc>{mod}</url>")
    lines.append("</urlset>\n")
    return "\n".join(lines).encode("utf-8")


def sitemap_files(entries: Iterable[tuple[str, dt.date | None]], base_url: str, limit: int = LIMIT) -> dict[str, bytes]:
    """sitemap.xml for every page (``entries``: relative URL, lastmod); above ``limit``
    pages, sitemap.xml is an index of sitemap-1.xml, sitemap-2.xml ..."""
    ordered = sorted(dict(entries).items())
    if len(ordered) <= limit:
        return {SITEMAP: _urlset(ordered, base_url)}
    files: dict[str, bytes] = {}
    index = ['<?xml version="1.0" encoding="UTF-8"?>', f'<sitemapindex xmlns="{_NS}">']
    for n, start in enumerate(range(0, len(ordered), limit), start=1):
        part = ordered[start : start + limit]
        name = f"sitemap-{n}.xml"
        files[name] = _urlset(part, base_url)
        newest = max((d for _, d in part if d), default=None)
        mod = f"<lastmod>{newest.isoformat()}</lastmod>" if newest else ""
        index.append(f"<sitemap><loc>{_loc(base_url, name)}</loc>{mod}</sitemap>")
    index.append("</sitemapindex>\n")
    files[SITEMAP] = "\n".join(index).encode("utf-8")
    return files


def robots(base_url: str) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if base_url:
        lines.append(f"Sitemap: {base_url}/{SITEMAP}")
    return ("\n".join(lines) + "\n").encode("utf-8")


def project_dates(ds) -> dict[str, dt.date]:
    """Per project, the latest date its data gives (start, reports, result, ratings),
    never after the as-of date; the as-of date when it gives none."""
    as_of = ds.as_of
    out = {}
    for pid, p in ds.projects.items():
        dates = [p.start] if p.start else []
        log = ds.progress.get(pid)
        if log:
            dates.append(log[-1].date)
        r = ds.results.get(pid)
        if r is not None:
            dates += [d for d in (r.completed, r.signed_off, r.reopened, r.fixed) if d]
        rated = ds.rating_log.get(pid)
        if rated:
            dates.append(rated[-1][0])
        dates = [d for d in dates if isinstance(d, dt.date) and d <= as_of]
        out[pid] = max(dates) if dates else as_of
    return out


def page_dates(builder, specs: Sequence[tuple[str, tuple]], urls: Sequence[str]) -> dict[str, dt.date]:
    """lastmod of each data page: a project's page its project's date; a community's,
    subdistrict's or unit's the latest of its projects and demands; other pages (overviews
    of everything) the as-of date."""
    ds, agg = builder.ds, builder.agg
    as_of = ds.as_of
    projects = project_dates(ds)
    demand_date = [d.received if d.received and d.received <= as_of else None for d in ds.demands]

    def latest(pids: Iterable[str], demands: Iterable[int] = ()) -> dt.date:
        dates = [projects[p] for p in pids if p in projects] + [d for n in demands if (d := demand_date[n])]
        return max(dates) if dates else as_of

    out = {}
    for (kind, args), url in zip(specs, urls, strict=True):
        if kind == "project":
            out[url] = projects.get(args[0], as_of)
        elif kind == "community":
            out[url] = latest(agg.community_projects.get(args[0], ()), agg.community_demands.get(args[0], ()))
        elif kind == "subdistrict":
            children = [c for c in ds.areas[args[0]].children]
            demands = [n for c in children for n in agg.community_demands.get(c, ())]
            out[url] = latest(agg.subdistrict_projects.get(args[0], ()), demands)
        elif kind == "unit":
            out[url] = latest(agg.unit_projects.get(args[0], ()))
        else:
            out[url] = as_of
    return out
