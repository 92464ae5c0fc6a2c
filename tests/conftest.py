from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from support import MINI


@pytest.fixture
def mini(tmp_path: Path) -> Path:
    """A writable copy of the small hand-made dataset, in a folder named data/."""
    dest = tmp_path / "data"
    shutil.copytree(MINI, dest)
    return dest
