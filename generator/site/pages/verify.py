"""Check page kinds' declarations against what their views really read.

A page is skipped on a rebuild when the hashes of what its kind declares it reads did not
change, so a view that reads something its ``reads`` leaves out would leave that page
stale. :func:`undeclared_reads` builds every page with a :class:`RecordingBuilder`: each
call of an entity accessor (``ViewBuilder.ENTITY_READS``) is recorded as one read, and
the dataset's tables are wrapped so that a view reading them directly, outside the
accessors and index helpers, is recorded too. Every recorded read must be declared.
:func:`bulk_mismatches` checks that a kind's ``bulk_reads`` digests its pages exactly as
its ``reads`` do.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from generator.model.aggregate import Aggregates
from generator.model.dataset import Dataset
from generator.site.digests import EntityHashes
from generator.site.views import ViewBuilder

from . import PageKinds, Spec

# The tables of entity content; which ids a page shows comes from the index helpers.
DATASET_TABLES = ("areas", "units", "demands", "projects", "progress", "results", "ratings", "comments")
AGGREGATE_TABLES = ("info", "subdistricts", "communities", "units")
EVERYTHING = "*"  # the key of a read of a whole table (iterated)


class _Log:
    def __init__(self) -> None:
        self.depth = 0  # > 0 while an accessor or index helper runs: its own reads are its
        self.entities: list[tuple[str, Any]] = []
        self.tables: list[tuple[str, Any]] = []

    def clear(self) -> None:
        self.entities.clear()
        self.tables.clear()

    def table(self, name: str, key: Any) -> None:
        if self.depth == 0:
            self.tables.append((name, key))


class _GuardedDict(dict):
    def __init__(self, data: dict, name: str, log: _Log):
        super().__init__(data)
        self._name, self._log = name, log

    def __getitem__(self, key):
        self._log.table(self._name, key)
        return super().__getitem__(key)

    def get(self, key, default=None):
        self._log.table(self._name, key)
        return super().get(key, default)

    def __contains__(self, key) -> bool:
        self._log.table(self._name, key)
        return super().__contains__(key)

    def __iter__(self):
        self._log.table(self._name, EVERYTHING)
        return super().__iter__()

    def values(self):
        self._log.table(self._name, EVERYTHING)
        return super().values()

    def items(self):
        self._log.table(self._name, EVERYTHING)
        return super().items()


class _GuardedList(list):
    def __init__(self, data: list, name: str, log: _Log):
        super().__init__(data)
        self._name, self._log = name, log

    def __getitem__(self, key):
        self._log.table(self._name, key)
        return super().__getitem__(key)

    def __iter__(self):
        self._log.table(self._name, EVERYTHING)
        return super().__iter__()


def _guard(value: Any, name: str, log: _Log) -> Any:
    return _GuardedList(value, name, log) if isinstance(value, list) else _GuardedDict(value, name, log)


class RecordingBuilder(ViewBuilder):
    """A ViewBuilder that records what the views read (slow: for tests and checks)."""

    def __init__(self, ds: Dataset, agg: Aggregates):
        super().__init__(ds, agg)
        log = self.log = _Log()
        self.ds = dataclasses.replace(ds, **{t: _guard(getattr(ds, t), t, log) for t in DATASET_TABLES})
        self.agg = dataclasses.replace(
            agg, **{t: _guard(getattr(agg, t), f"aggregates.{t}", log) for t in AGGREGATE_TABLES}
        )
        for name, kind in self.ENTITY_READS.items():
            setattr(self, name, self._wrap(getattr(self, name), kind))
        for name in self.INDEXES:
            setattr(self, name, self._wrap(getattr(self, name), None))

    def _wrap(self, method: Callable, kind: str | None) -> Callable:
        log = self.log

        def call(*args, **kwargs):
            if kind is not None and log.depth == 0:
                log.entities.append((kind, args[0] if args else None))
            log.depth += 1
            try:
                return method(*args, **kwargs)
            finally:
                log.depth -= 1

        return call


def undeclared_reads(kinds: PageKinds, ds: Dataset, agg: Aggregates) -> list[tuple[Spec, str, Any]]:
    """Every read a view made that its kind does not declare: (page, entity kind or
    ``table <name>`` for a direct read of the dataset, key). Kinds without ``reads`` are
    digested from their view-model and not checked."""
    b = RecordingBuilder(ds, agg)
    found: list[tuple[Spec, str, Any]] = []
    for spec in kinds.specs(b):
        kind = kinds[spec[0]]
        if kind.reads is None:
            continue
        b.log.clear()
        kinds.build(b, spec)
        entities, tables = list(b.log.entities), list(b.log.tables)
        declared = {(group, key) for group, keys in kind.reads(b, spec[1]) for key in keys}
        found += [(spec, group, key) for group, key in dict.fromkeys(entities) if (group, key) not in declared]
        found += [(spec, f"table {name}", key) for name, key in dict.fromkeys(tables)]
    return found


def bulk_mismatches(kinds: PageKinds, builder: ViewBuilder) -> list[Spec]:
    """The pages whose ``bulk_reads`` digest differs from the digest of their ``reads``."""
    hashes = EntityHashes(builder)
    wrong: list[Spec] = []
    for kind in kinds:
        if kind.bulk_reads is None or kind.reads is None:
            continue
        pages = [tuple(args) for args in kind.pages(builder)]
        bulk = kind.bulk_reads(hashes, builder, pages)
        single = hashes.digest_pages(kind.reads(builder, args) for args in pages)
        wrong += [(kind.name, pages[n]) for n in np.flatnonzero(bulk != single).tolist()]
    return wrong
