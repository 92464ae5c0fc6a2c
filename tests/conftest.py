from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI


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
