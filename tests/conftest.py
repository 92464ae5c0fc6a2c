from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI, require


@pytest.fixture(scope="session", autouse=True)
def _cache_home(tmp_path_factory: pytest.TempPathFactory):
    """Builds keep their cache in the user's cache folder: the tests use a folder of their
    own (inherited by the builds they start in subprocesses), not the real ~/.cache."""
    import os

    home = tmp_path_factory.mktemp("gongshi-cache")
    before = os.environ.get("GONGSHI_CACHE_HOME")
    os.environ["GONGSHI_CACHE_HOME"] = str(home)
    yield home
    if before is None:
        os.environ.pop("GONGSHI_CACHE_HOME", None)
    else:
        os.environ["GONGSHI_CACHE_HOME"] = before


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small hand-made dataset, in a folder named data/."""
    dest = tmp_path / "data"
    shutil.copytree(MINI, dest)
    return dest


@pytest.fixture(scope="session")
def playwright_driver():
    """One Playwright driver for the whole session, started on first use. A second
    ``sync_playwright()`` while one runs fails ("Sync API inside the asyncio loop"), so the
    browser suite (tests/browser) and the media tests launch their chromium from this one.
    Skipped when the package is missing, except under CI=true, where that fails."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "the Python package playwright is not installed (pip install -e .[test])")
        raise
    driver = sync_playwright().start()
    yield driver
    driver.stop()
