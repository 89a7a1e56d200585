from collections.abc import Callable

from rest_framework import serializers

from directory.limits import (
    FEE_MAX,
    LAT_MAX,
    LAT_MIN,
    LNG_MAX,
    LNG_MIN,
    MATCH_LIMIT_DEFAULT,
    MATCH_LIMIT_MAX,
    MATCH_OFFSET_MAX,
    RADIUS_DEFAULT_KM,
    RADIUS_MAX_KM,
    SEARCH_TEXT_MAX,
)
from directory.serializers_base import StrictSerializer
from matching import constants as k

OFFSET_MESSAGE = f"Use a whole number from 0 to {MATCH_OFFSET_MAX}."
SORT_MESSAGE = f"Use one of: {', '.join(k.SORTS)} (distance needs a location)."
SORT_NEEDS_LOCATION = "sort=distance needs a location."
MAX_FEE_MESSAGE = f"Use a number of dollars from 0 to {FEE_MAX}."


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
    offset = serializers.IntegerField(
        min_value=0,
        max_value=MATCH_OFFSET_MAX,
        required=False,
        default=0,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), OFFSET_MESSAGE),
        help_text="0-based: the results are ranks offset + 1 to offset + limit.",
    )
    sort = serializers.ChoiceField(
        choices=k.SORTS,
        required=False,
        default=k.SORT_BEST,
        error_messages={"invalid_choice": SORT_MESSAGE},
        help_text="best: highest score first (ties by distance, then id); distance: nearest "
        "clinic first (ties by score, then id), needs a location.",
    )
    # Filters: they exclude, never score.
    max_fee = serializers.FloatField(
        min_value=0,
        max_value=int(FEE_MAX),
        required=False,
        error_messages=dict.fromkeys(("invalid", "min_value", "max_value"), MAX_FEE_MESSAGE),
        help_text="Only practitioners whose fee per session is at most this; those who give "
        "no fee are left out.",
    )
    direct_billing = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only practitioners who bill insurers directly; false: no filter.",
    )
    experience_required = serializers.BooleanField(
        required=False,
        default=False,
        help_text="true: only practitioners who report experience with the condition or have "
        "completed physician referrals for it.",
    )

    def validate(self, attrs: dict) -> dict:
        if attrs["sort"] == k.SORT_DISTANCE and "location" not in attrs:
            raise serializers.ValidationError({"sort": [SORT_NEEDS_LOCATION]})
        return attrs

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


class MatchContactSerializer(serializers.Serializer):
    phone = serializers.CharField(allow_null=True, help_text="E.164, e.g. +16045550123.")
    website = serializers.CharField(allow_null=True)
    booking_url = serializers.CharField(allow_null=True)


class MatchPractitionerSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    profession = serializers.CharField()
    clinic = serializers.CharField(allow_null=True)
    city = serializers.CharField(allow_null=True)
    languages = serializers.ListField(child=serializers.CharField())
    accepting_new_patients = serializers.BooleanField()
    url = serializers.CharField()
    fee_per_session = serializers.DecimalField(
        max_digits=7, decimal_places=2, allow_null=True, help_text="Null: not given."
    )
    direct_billing = serializers.BooleanField(help_text="Bills insurers directly.")
    contact = MatchContactSerializer(
        help_text="The contact of the clinic named in `clinic`; null where not given."
    )


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
    experienced_count = serializers.IntegerField(
        help_text="How many of the `count` candidates report experience with the condition "
        "or have completed physician referrals for it."
    )
    results = MatchResultItemSerializer(many=True)
