"""The Pelican plugin: ``PLUGINS = ["generator.plugin"]`` in a pelicanconf."""

from __future__ import annotations

from pelican import signals

from .filters import FILTERS


def get_generators(pelican_object):
    from .render import GongshiGenerator

    return GongshiGenerator


def initialized(pelican_object):
    pelican_object.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)


def register():
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
