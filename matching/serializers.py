from collections.abc import Callable

from rest_framework import serializers

from directory.limits import (
    LAT_MAX,
    LAT_MIN,
    LNG_MAX,
    LNG_MIN,
    MATCH_LIMIT_DEFAULT,
    MATCH_LIMIT_MAX,
    RADIUS_DEFAULT_KM,
    RADIUS_MAX_KM,
    SEARCH_TEXT_MAX,
)
from directory.serializers_base import StrictSerializer
from matching import constants as k


def per_criterion(field: Callable[[], serializers.Field]) -> type[serializers.Serializer]:
    """A base serializer with one field per criterion (matching.constants.CRITERIA, in its
    order), each built by `field()`: the criteria are listed once."""
    return type("PerCriterion", (serializers.Serializer,), {name: field() for name in k.CRITERIA})


def _priority() -> serializers.IntegerField:
    return serializers.IntegerField(min_value=0, max_value=k.MAX_PRIORITY, required=False)


class MatchLocationInputSerializer(StrictSerializer):
    # int(): the published schema writes the bounds as the whole numbers they are.
    lat = serializers.FloatField(min_value=int(LAT_MIN), max_value=int(LAT_MAX), required=False)
    lng = serializers.FloatField(min_value=int(LNG_MIN), max_value=int(LNG_MAX), required=False)
    city = serializers.CharField(
        max_length=SEARCH_TEXT_MAX,
        required=False,
        help_text='"City", "City, Province" or "City, State" (code or name), e.g. '
        '"Vancouver, BC"; case- and accent-insensitive (directory.gazetteer).',
    )
    country = serializers.RegexField(
        r"^[A-Za-z]{2}$",
        required=False,
        help_text="ISO country code of the city; CA when omitted (US when the city names a "
        "US state).",
        error_messages={"invalid": "Use a two-letter ISO country code, e.g. CA."},
    )

    def validate(self, attrs: dict) -> dict:
        has_point = "lat" in attrs or "lng" in attrs
        has_city = "city" in attrs or "country" in attrs
        point_ok = "lat" in attrs and "lng" in attrs
        city_ok = "city" in attrs
        if has_point == has_city or not (point_ok or city_ok):
            raise serializers.ValidationError(
                'Give either {"lat", "lng"} or {"city"} (with "country" if not CA).'
            )
        return attrs


class MatchPrioritiesInputSerializer(StrictSerializer, per_criterion(_priority)):
    def validate(self, attrs: dict) -> dict:
        given = {name: attrs.get(name, k.DEFAULT_PRIORITY) for name in k.CRITERIA}
        if not any(given.values()):
            raise serializers.ValidationError(
                f"At least one priority must be above 0 (each is 0–{k.MAX_PRIORITY}; missing "
                f"ones count as {k.DEFAULT_PRIORITY})."
            )
        return attrs


class MatchHealthInputSerializer(StrictSerializer):
    bleeding_disorder = serializers.BooleanField(required=False, default=False)
    anticoagulants = serializers.BooleanField(required=False, default=False)
    active_infection = serializers.BooleanField(required=False, default=False)


class MatchRequestSerializer(StrictSerializer):
    condition = serializers.CharField(
        max_length=SEARCH_TEXT_MAX,
        help_text="A condition's slug, name or synonym, or a close misspelling of one (the "
        "response's condition.interpreted_from then says so); unrecognisable text is a 400 "
        "that suggests the closest conditions.",
    )
    location = MatchLocationInputSerializer(required=False)
    radius_km = serializers.FloatField(required=False, default=RADIUS_DEFAULT_KM)
    languages = serializers.ListField(
        child=serializers.RegexField(
            r"^[a-z]{2}$",
            error_messages={"invalid": "Use two-letter ISO 639-1 codes such as en, fr."},
        ),
        required=False,
        max_length=10,
    )
    accepting_new_patients = serializers.BooleanField(required=False, allow_null=True, default=None)
    priorities = MatchPrioritiesInputSerializer(required=False)
    health = MatchHealthInputSerializer(required=False)
    limit = serializers.IntegerField(
        min_value=1, max_value=MATCH_LIMIT_MAX, required=False, default=MATCH_LIMIT_DEFAULT
    )

    def validate_radius_km(self, value: float) -> float:
        if not 0 < value <= RADIUS_MAX_KM:
            raise serializers.ValidationError(
                f"Must be more than 0 and at most {RADIUS_MAX_KM:g} km."
            )
        return value


class MatchCriterionSerializer(serializers.Serializer):
    score = serializers.FloatField()
    weight = serializers.FloatField()
    reasons = serializers.ListField(child=serializers.CharField())


class MatchCriteriaSerializer(per_criterion(MatchCriterionSerializer)):
    pass


class MatchPractitionerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    profession = serializers.CharField()
    clinic = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    accepting_new_patients = serializers.BooleanField()
    url = serializers.CharField()


class MatchResultItemSerializer(serializers.Serializer):
    rank = serializers.IntegerField()
    score = serializers.FloatField()
    distance_km = serializers.FloatField(allow_null=True)
    practitioner = MatchPractitionerSerializer()
    criteria = MatchCriteriaSerializer()


class MatchConditionSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    interpreted_from = serializers.CharField(
        required=False,
        help_text="Present only when the request's condition was a close misspelling: the "
        "text as typed, which was read as this condition.",
    )


class MatchSafetySerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=["ok", "caution", "not_recommended"])
    messages = serializers.ListField(child=serializers.CharField())


class MatchWeightsSerializer(per_criterion(serializers.FloatField)):
    pass


class MatchResponseSerializer(serializers.Serializer):
    condition = MatchConditionSerializer()
    safety = MatchSafetySerializer()
    weights = MatchWeightsSerializer()
    count = serializers.IntegerField()
    results = MatchResultItemSerializer(many=True)
