"""The match index: narrow per-clinic, per-condition rows that matching ranks from.

Work in progress (issue 8): maintained in the transaction of every write that changes an
input, rebuilt by `manage.py rebuild_match_index`.
"""

from collections.abc import Iterable


def match_index_rebuild(practitioner_ids: Iterable[int] | None = None) -> int:
    """Rebuild the index rows of these practitioners (default: all); returns rows written."""
    return 0
