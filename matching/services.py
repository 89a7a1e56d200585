"""match_run: one patient's request in, an explained ranking out."""

from dataclasses import dataclass, field

from directory.limits import MATCH_LIMIT_DEFAULT
from directory.models import Condition
from matching import constants as k
from matching.candidates import (
    CandidateFilters,
    CandidateRow,
    Page,
    site_figures,
    top_candidates,
)
from matching.safety import HealthAnswers, Safety, assess
from matching.scoring import (
    CandidateScore,
    distance_key,
    rank_key,
    score_candidate,
    weights_from_priorities,
)


@dataclass(frozen=True)
class MatchRequest:
    filters: CandidateFilters
    priorities: dict[str, int] = field(default_factory=dict)
    health: HealthAnswers = field(default_factory=HealthAnswers)
    limit: int = MATCH_LIMIT_DEFAULT
    # 0-based: the results are ranks offset + 1 … offset + limit.
    offset: int = 0
    sort: str = k.SORT_BEST
    # The patient's text when the condition was read as a close spelling of it.
    interpreted_from: str | None = None

    @property
    def condition(self) -> Condition:
        return self.filters.condition


@dataclass(frozen=True)
class MatchResult:
    condition: Condition
    safety: Safety
    weights: dict[str, float]
    count: int
    # How many of the `count` candidates are experienced with the condition.
    experienced_count: int
    results: list[tuple[CandidateRow, CandidateScore]]
    # The first result's rank is offset + 1.
    offset: int = 0
    interpreted_from: str | None = None


def match_run(*, request: MatchRequest) -> MatchResult:
    weights = weights_from_priorities(request.priorities)
    filters = request.filters
    site = site_figures()
    page = Page(limit=request.limit, offset=request.offset, sort=request.sort)
    found = top_candidates(filters, weights=weights, site=site, page=page)
    # The database chose the page; the pure functions (the reference) score and explain its
    # rows, and their order is the one shown.
    scored = [
        (
            row,
            score_candidate(
                row.candidate,
                condition_name=request.condition.name,
                weights=weights,
                site=site,
                today=filters.today,
            ),
        )
        for row in found.rows
    ]
    order = distance_key if request.sort == k.SORT_DISTANCE else rank_key
    scored.sort(key=lambda pair: order(pair[1]))
    return MatchResult(
        request.condition,
        assess(request.health),
        weights,
        found.count,
        found.experienced_count,
        scored,
        offset=request.offset,
        interpreted_from=request.interpreted_from,
    )
