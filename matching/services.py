"""match_run: one patient's request in, an explained ranking out."""

from dataclasses import dataclass, field

from directory.limits import MATCH_LIMIT_DEFAULT
from directory.models import Condition
from matching.candidates import CandidateFilters, CandidateRow, site_figures, top_candidates
from matching.safety import HealthAnswers, Safety, assess
from matching.scoring import CandidateScore, rank_key, score_candidate, weights_from_priorities


@dataclass(frozen=True)
class MatchRequest:
    filters: CandidateFilters
    priorities: dict[str, int] = field(default_factory=dict)
    health: HealthAnswers = field(default_factory=HealthAnswers)
    limit: int = MATCH_LIMIT_DEFAULT
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
    results: list[tuple[CandidateRow, CandidateScore]]
    interpreted_from: str | None = None


def match_run(*, request: MatchRequest) -> MatchResult:
    weights = weights_from_priorities(request.priorities)
    filters = request.filters
    site = site_figures()
    count, rows = top_candidates(filters, weights=weights, site=site, limit=request.limit)
    # The database chose the top rows; the pure functions (the reference) score and explain
    # them, and their order is the one shown.
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
        for row in rows
    ]
    scored.sort(key=lambda pair: rank_key(pair[1]))
    return MatchResult(
        request.condition,
        assess(request.health),
        weights,
        count,
        scored,
        interpreted_from=request.interpreted_from,
    )
