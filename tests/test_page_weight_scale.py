"""Page weight does not grow with the district: a site four times the demo passes the
pre-publish check (every page under its budget, links resolved) like the demo does.

Lists that grow with the data must be paginated or capped. At city size (100× the demo)
the monthly reports once listed every project completed in the month (2–3 MB a page) and
the supervision page 30 groups in full (590 KB): publish rejected the city's site while
the demo passed. At ×4 each month completes more projects than its page shows, so the
month's own list pages are made and checked too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from generator.build import Build, BuildOptions
from generator.ingest import prepare as pipeline
from generator.output.folder import walk
from generator.privacy.mask import allowed_in, contact_values
from generator.publish.site import Budgets, check_site
from generator.site.oversight import MONTH_ITEMS
from generator.tools.demo import generate


@pytest.fixture(scope="module")
def larger(tmp_path_factory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("scale")
    data, out = root / "data", root / "out"
    generate(data, factor=4, seed=7, plant_pii=False)
    Build(BuildOptions(data=data, output=out, jobs=2)).run()
    return data, out


def test_a_larger_district_passes_the_publish_check(larger):
    data, out = larger
    ds = pipeline.prepare(data).dataset
    files = list(walk(out))
    check_site(out, files, ds.as_of.isoformat(), allowed=allowed_in(ds.settings, contact_values(ds)))
    # ... with the month lists paginated on pages of their own
    listed = [f for f in files if f.startswith("monthly/") and f.count("/") >= 3]
    assert listed, "no month had more than MONTH_ITEMS completed projects: raise the factor"
    biggest = max((out / f).stat().st_size for f in files if f.endswith(".html"))
    assert biggest < Budgets().page
    # A month page lists at most MONTH_ITEMS of each list, however many there were.
    for f in files:
        if f.startswith("monthly/") and f.count("/") == 2:
            doc = BeautifulSoup((out / f).read_text(encoding="utf-8"), "html.parser")
            for section in doc.select("section.block")[-2:]:
                assert len(section.select("tbody tr")) <= MONTH_ITEMS, f
