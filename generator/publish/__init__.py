"""Publishing: verified, atomic, locked and reversible deploys with a public record.

``gongshi publish`` (run.py) checks the data, builds, verifies the built site (site.py),
writes the release record (record.py) and deploys it to a target (targets.py): a local
folder, a remote host over rsync/SSH, or S3-compatible object storage.
"""

from .record import Verdict, verify_site
from .run import Published, PublishOptions, publish, publish_settings, rollback, verify
from .site import Budgets, SiteRejected, check_site
from .targets import PublishBusy, PublishError, open_target

__all__ = [
    "Budgets",
    "PublishBusy",
    "PublishError",
    "PublishOptions",
    "Published",
    "SiteRejected",
    "Verdict",
    "check_site",
    "open_target",
    "publish",
    "publish_settings",
    "rollback",
    "verify",
    "verify_site",
]
