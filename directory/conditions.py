"""Condition lookup by slug, name or synonym (SPEC §1)."""

from directory.models import Condition
from directory.text import normalize_term


class UnknownCondition(LookupError):
    def __init__(self, term: str, valid_slugs: list[str]):
        self.valid_slugs = valid_slugs
        super().__init__(
            f"Unknown condition {term.strip()!r}. Use one of: {', '.join(valid_slugs)} "
            "(or a name or synonym of one)."
        )


def condition_resolve(term: str) -> Condition:
    """One query: the taxonomy is a dozen rows, matched in Python so that accents fold alike
    on every database."""
    wanted = normalize_term(term)
    conditions = list(Condition.objects.all())
    for condition in conditions:
        keys = {condition.slug, condition.name, *condition.synonyms}
        if wanted in {normalize_term(key) for key in keys}:
            return condition
    raise UnknownCondition(term, sorted(c.slug for c in conditions))
