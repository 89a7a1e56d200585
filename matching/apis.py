from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.conditions import UnknownCondition, condition_resolve
from directory.gazetteer import UnknownPlace, resolve_city
from directory.geo import Point
from matching import constants as k
from matching.safety import HealthAnswers
from matching.serializers import MatchRequestSerializer, MatchResponseSerializer
from matching.services import MatchRequest, MatchResult, match_run


def _location(data: dict | None) -> Point | None:
    if not data:
        return None
    if "lat" in data:
        return Point(data["lat"], data["lng"])
    try:
        place = resolve_city(data["city"], data["country"])
    except UnknownPlace as error:
        raise serializers.ValidationError({"location": [str(error)]}) from None
    return Point(place.lat, place.lng)


def _match_request(data: dict) -> MatchRequest:
    try:
        condition = condition_resolve(data["condition"])
    except UnknownCondition as error:
        raise serializers.ValidationError({"condition": [str(error)]}) from None
    return MatchRequest(
        condition=condition,
        today=timezone.localdate(),
        center=_location(data.get("location")),
        radius_km=data["radius_km"],
        languages=tuple(dict.fromkeys(data.get("languages", []))),
        accepting_new_patients=data["accepting_new_patients"],
        priorities=dict(data.get("priorities", {})),
        health=HealthAnswers(**data.get("health", {})),
        limit=data["limit"],
    )


def _body(result: MatchResult) -> dict:
    results = []
    for rank, (row, scored) in enumerate(result.results, start=1):
        distance = row.candidate.distance_km
        results.append(
            {
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
                },
                "criteria": {
                    name: {
                        "score": round(scored.criteria[name].score, 3),
                        "weight": round(result.weights[name], 3),
                        "reasons": list(scored.criteria[name].reasons),
                    }
                    for name in k.CRITERIA
                },
            }
        )
    return {
        "condition": {"slug": result.condition.slug, "name": result.condition.name},
        "safety": {"level": result.safety.level, "messages": list(result.safety.messages)},
        "weights": {name: round(w, 3) for name, w in result.weights.items()},
        "count": result.count,
        "results": results,
    }


class MatchApi(APIView):
    """Rank qualified practitioners for one patient's condition, explaining every rank.

    POST so that health answers never land in URLs or access logs. Nothing in the
    request is stored or logged.
    """

    permission_classes = [AllowAny]

    @extend_schema(request=MatchRequestSerializer, responses=MatchResponseSerializer)
    def post(self, request: Request) -> Response:
        serializer = MatchRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = match_run(request=_match_request(serializer.validated_data))
        return Response(_body(result))
