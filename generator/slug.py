"""The one function that turns ids into URL path segments and file names."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

_UNSAFE = re.compile(r"[^\w-]+", re.UNICODE)


@lru_cache(maxsize=1 << 20)  # the same ids are linked from many pages
def slugify(value: str) -> str:
    """A stable, filesystem-safe path segment for an id.

    NFKC folds full-width and look-alike compatibility forms, casefold removes case, and
    anything but letters, digits, ``_`` and ``-`` becomes ``-``: the result cannot contain
    a path separator or ``..``, so a page can never land outside its folder. Two ids with
    the same slug are a validation error (``id-collision``), never a silent overwrite.
    """
    text = unicodedata.normalize("NFKC", str(value)).casefold()
    text = _UNSAFE.sub("-", text).strip("-_")
    return text or "-"
