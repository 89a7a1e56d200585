"""Condition lookup by slug, name or synonym (SPEC §1)."""

import uuid

from django.core.cache import cache

from directory.models import Condition
from directory.public_cache import public_changed
from directory.text import normalize_term


class UnknownCondition(LookupError):
    def __init__(self, term: str, valid_slugs: list[str]):
        self.valid_slugs = valid_slugs
        super().__init__(
            f"Unknown condition {term.strip()!r}. Use one of: {', '.join(valid_slugs)} "
            "(or a name or synonym of one)."
        )


# The taxonomy is a dozen rows that change about never (a moderator adds one in the admin):
# each process keeps its lookup table, and reloads it when the shared version key is gone —
# after CONDITIONS_MAX_AGE_SECONDS, or at once when conditions_changed() runs.
CONDITIONS_VERSION_KEY = "directory:conditions:version"
CONDITIONS_MAX_AGE_SECONDS = 300
_lookup: dict[str, object] = {}


def _by_term() -> tuple[dict[str, Condition], list[str]]:
    version = cache.get(CONDITIONS_VERSION_KEY)
    if version is None or _lookup.get("version") != version:
        by_term: dict[str, Condition] = {}
        conditions = list(Condition.objects.all())
        for condition in conditions:  # name order: the first condition to claim a term wins
            for key in (condition.slug, condition.name, *condition.synonyms):
                by_term.setdefault(normalize_term(key), condition)
        version = version or uuid.uuid4().hex
        cache.set(CONDITIONS_VERSION_KEY, version, CONDITIONS_MAX_AGE_SECONDS)
        _lookup.update(version=version, by_term=by_term, slugs=sorted(c.slug for c in conditions))
    return _lookup["by_term"], _lookup["slugs"]


def conditions_changed() -> None:
    """A condition was added or edited: every process reloads the taxonomy, and cached
    public reads (which name conditions) expire."""
    cache.delete(CONDITIONS_VERSION_KEY)
    public_changed()


def condition_resolve(term: str) -> Condition:
    """Matched in Python so that accents fold alike on every database; no query while the
    taxonomy is loaded."""
    by_term, slugs = _by_term()
    condition = by_term.get(normalize_term(term))
    if condition is None:
        raise UnknownCondition(term, slugs)
    return condition
