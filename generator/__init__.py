"""Gongshi: publish a district's 我为群众办实事 lists as a static oversight portal."""

__version__ = "0.1.0"
