"""One digest of the code: every Python file of the ``generator`` package.

Page digests and the prepare cache both depend on the code that made them. Listing the
modules each depends on by hand drifted (one list left out ``slug.py``), and a module
added later is easily forgotten; hashing the whole package costs a millisecond."""

from __future__ import annotations

import hashlib
from pathlib import Path

from generator import __version__

PACKAGE = Path(__file__).resolve().parent


def code_digest(root: Path = PACKAGE) -> str:
    """A digest of every ``.py`` file below ``root``: its path and its bytes, in path order."""
    h = hashlib.blake2b(__version__.encode(), digest_size=16)
    for path in sorted(root.rglob("*.py"), key=lambda p: p.relative_to(root).as_posix()):
        h.update(path.relative_to(root).as_posix().encode() + b"\0")
        h.update(path.read_bytes())
        h.update(b"\0")
    return h.hexdigest()
