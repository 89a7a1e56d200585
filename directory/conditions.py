"""Condition lookup by slug, name or synonym (SPEC §1), and by a close misspelling of one.

A patient's words are matched in two steps. First exactly, on the normalised text (case,
accents and surrounding spaces ignored). Failing that, by similarity: every slug, name and
synonym is scored against the text with rapidfuzz's `token_sort_ratio` (0–100: the
normalised Indel similarity of the words in sorted order, so "pain back" is "back pain" and
"siatica" is 93 against "sciatica"), each condition keeping its best term's score. The best
condition is taken when

    best ≥ CONDITION_MATCH_MIN_SCORE  and  best − runner-up ≥ CONDITION_MATCH_MARGIN

(85 allows about one slip in seven letters; a margin of 5 refuses "nack pain", which is as
close to neck pain as to back pain). Otherwise the text is unknown, and the message names up
to CONDITION_SUGGESTIONS conditions scoring at least CONDITION_SUGGESTION_MIN_SCORE.
"""

import uuid
from dataclasses import dataclass

from django.core.cache import cache
from rapidfuzz import fuzz, process

from directory.models import Condition
from directory.public_cache import public_changed
from directory.text import normalize_term

CONDITION_MATCH_MIN_SCORE = 85.0
CONDITION_MATCH_MARGIN = 5.0
CONDITION_SUGGESTION_MIN_SCORE = 55.0
CONDITION_SUGGESTIONS = 3


class UnknownCondition(LookupError):
    def __init__(self, term: str, valid_slugs: list[str], suggestions: list[str] = ()):
        self.valid_slugs = valid_slugs
        self.suggestions = list(suggestions)
        closest = f" Closest: {', '.join(self.suggestions)}." if self.suggestions else ""
        super().__init__(
            f"Unknown condition {term.strip()!r}.{closest} Use one of: {', '.join(valid_slugs)} "
            "(or a name or synonym of one)."
        )


@dataclass(frozen=True)
class ConditionMatch:
    condition: Condition
    # What the patient typed, when it was read as a close spelling of the condition; None
    # when it named the condition exactly.
    interpreted_from: str | None = None


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
    """Exactly a slug, name or synonym (what a practitioner or physician records). Matched in
    Python so that accents fold alike on every database; no query while the taxonomy is
    loaded. Unknown text raises UnknownCondition naming the closest conditions."""
    by_term, slugs = _by_term()
    condition = by_term.get(normalize_term(term))
    if condition is None:
        ranked = _closest(normalize_term(term), by_term)
        raise UnknownCondition(term, slugs, _suggestions(ranked))
    return condition


def condition_interpret(term: str) -> ConditionMatch:
    """A patient's words (a search): exactly as condition_resolve, or else a close spelling
    with a clear winner (see the module's docstring)."""
    by_term, slugs = _by_term()
    key = normalize_term(term)
    condition = by_term.get(key)
    if condition is not None:
        return ConditionMatch(condition)
    ranked = _closest(key, by_term)
    if ranked and ranked[0][1] >= CONDITION_MATCH_MIN_SCORE:
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        if ranked[0][1] - runner_up >= CONDITION_MATCH_MARGIN:
            return ConditionMatch(ranked[0][0], interpreted_from=term.strip())
    raise UnknownCondition(term, slugs, _suggestions(ranked))


def _closest(key: str, by_term: dict[str, Condition]) -> list[tuple[Condition, float]]:
    """Each condition with its best term's score, best first (ties by name)."""
    best: dict[int, tuple[Condition, float]] = {}
    if not key:
        return []
    for term, score, _ in process.extract(
        key, list(by_term), scorer=fuzz.token_sort_ratio, processor=None, limit=None
    ):
        condition = by_term[term]
        if score > best.get(condition.pk, (condition, -1.0))[1]:
            best[condition.pk] = (condition, score)
    return sorted(best.values(), key=lambda pair: (-pair[1], pair[0].name))


def _suggestions(ranked: list[tuple[Condition, float]]) -> list[str]:
    close = [c.name for c, score in ranked if score >= CONDITION_SUGGESTION_MIN_SCORE]
    return close[:CONDITION_SUGGESTIONS]
