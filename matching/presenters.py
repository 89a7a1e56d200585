"""One way in and one way out of matching, shared by POST /api/v1/match/ and the search page.

`match_request_parse` validates a request shaped like the API's JSON body (the API's own
serializer) and resolves its condition and place; `match_body` turns a MatchResult into the
API's response body, which the search page renders. Neither is written twice.
"""

import threading
from collections.abc import Mapping
from datetime import date

from django.utils import timezone
from rest_framework import serializers

from directory.conditions import UnknownCondition, condition_interpret
from directory.gazetteer import UnknownPlace, place_resolve
from directory.geo import Point
from matching import constants as k
from matching.candidates import CandidateFilters
from matching.safety import HealthAnswers
from matching.serializers import MatchRequestSerializer
from matching.services import MatchRequest, MatchResult


def _location(data: Mapping | None) -> Point | None:
    if not data:
        return None
    if "lat" in data:
        return Point(data["lat"], data["lng"])
    try:
        place = place_resolve(data["city"], country=data.get("country"))
    except UnknownPlace as error:
        raise serializers.ValidationError({"location": [str(error)]}) from None
    return Point(place.lat, place.lng)


def match_request_build(data: Mapping, *, today: date | None = None) -> MatchRequest:
    """A MatchRequest from MatchRequestSerializer's validated data. Raises rest_framework
    ValidationError on "condition" or "location" when either cannot be resolved."""
    try:
        condition = condition_interpret(data["condition"])
    except UnknownCondition as error:
        raise serializers.ValidationError({"condition": [str(error)]}) from None
    filters = CandidateFilters(
        condition=condition.condition,
        today=today or timezone.localdate(),
        center=_location(data.get("location")),
        radius_km=data["radius_km"],
        languages=tuple(dict.fromkeys(data.get("languages", []))),
        accepting_new_patients=data["accepting_new_patients"],
        max_fee=data.get("max_fee"),
        direct_billing=data["direct_billing"],
        experience_required=data["experience_required"],
    )
    return MatchRequest(
        filters=filters,
        priorities=dict(data.get("priorities", {})),
        health=HealthAnswers(**data.get("health", {})),
        limit=data["limit"],
        offset=data["offset"],
        sort=data["sort"],
        interpreted_from=condition.interpreted_from,
    )


def match_request_parse(payload: object, *, today: date | None = None) -> MatchRequest:
    """Validate an API-shaped body and build the MatchRequest. Raises rest_framework
    ValidationError with the API's field-error shape ({"field": ["message"]}, nested for
    location, priorities and health)."""
    serializer = _request_serializer(payload)
    serializer.is_valid(raise_exception=True)
    return match_request_build(serializer.validated_data, today=today)


_per_thread = threading.local()


def _request_serializer(payload: object) -> MatchRequestSerializer:
    """The request serializer, given `payload` to validate. DRF builds a serializer's fields
    anew for every instance (each of its ~60 fields re-constructed from its arguments, about
    a sixth of a match's Python time at demo size); the fields keep no state between two
    validations, so each thread keeps one serializer and resets what a validation leaves."""
    serializer = getattr(_per_thread, "match_request", None)
    if serializer is None:
        serializer = _per_thread.match_request = MatchRequestSerializer()
    for left in ("_validated_data", "_errors", "_data"):
        serializer.__dict__.pop(left, None)
    serializer.initial_data = payload
    return serializer


def _result_item(rank: int, row, scored, weights: Mapping[str, float]) -> dict:
    """One result card; `weights` already rounded for display."""
    distance = row.candidate.distance_km
    return {
        "rank": rank,
        "score": round(scored.score, 3),
        "distance_km": round(distance, 1) if distance is not None else None,
        "practitioner": {
            "id": row.candidate.id,
            "name": row.name,
            "profession": row.profession,
            "clinic": row.clinic,
            "city": row.city,
            "languages": row.languages,
            "accepting_new_patients": row.accepting_new_patients,
            "url": f"/api/v1/practitioners/{row.candidate.id}/",
            "fee_per_session": None
            if row.fee_per_session is None
            else f"{row.fee_per_session:.2f}",
            "direct_billing": row.direct_billing,
            "contact": {
                "phone": row.phone or None,
                "website": row.website or None,
                "booking_url": row.booking_url or None,
            },
        },
        "criteria": {
            name: {
                "score": round(scored.criteria[name].score, 3),
                "weight": weights[name],
                "reasons": list(scored.criteria[name].reasons),
            }
            for name in k.CRITERIA
        },
    }


def match_body(result: MatchResult) -> dict:
    """The response body of POST /api/v1/match/ (SPEC §4)."""
    weights = {name: round(w, 3) for name, w in result.weights.items()}
    condition = {"slug": result.condition.slug, "name": result.condition.name}
    if result.interpreted_from is not None:
        condition["interpreted_from"] = result.interpreted_from
    return {
        "condition": condition,
        "safety": {"level": result.safety.level, "messages": list(result.safety.messages)},
        "weights": weights,
        "count": result.count,
        "experienced_count": result.experienced_count,
        "results": [
            _result_item(rank, row, scored, weights)
            for rank, (row, scored) in enumerate(result.results, start=result.offset + 1)
        ],
    }
