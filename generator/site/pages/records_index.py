"""The 发布记录 page (declared with the release pages in ``records.py``)."""

from .records import RECORDS_KIND as KIND

__all__ = ["KIND"]
