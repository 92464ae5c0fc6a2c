"""The Pelican plugin: ``PLUGINS = ["generator.plugin"]`` in a pelicanconf."""

from __future__ import annotations

from pelican import signals

from .filters import FILTERS


def get_generators(pelican_object):
    from .render import GongshiGenerator

    return GongshiGenerator


def initialized(pelican_object):
    pelican_object.settings.setdefault("JINJA_FILTERS", {}).update(FILTERS)


def finalized(pelican_object):
    """Read every output file for personal data before anything can be published."""
    from .privacy import scan_output
    from .problems import PrivacyLeak
    from .timing import phase

    with phase("privacy-scan"):
        # Files hard-linked from the previous build were scanned when they were written.
        findings = scan_output(pelican_object.output_path, only_new=True)
    if findings:
        raise PrivacyLeak(findings)


def register():
    signals.initialized.connect(initialized)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(finalized)
