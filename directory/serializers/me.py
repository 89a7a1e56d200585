"""Request/response shapes for /api/v1/me/ and its locations and experience."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory import limits
from directory.conditions import UnknownCondition, condition_resolve
from directory.models import (
    Condition,
    ConditionExperience,
    Location,
    PractitionerProfile,
    Profession,
    Role,
    User,
)
from directory.serializers_base import StrictSerializer, ruled
from directory.services.profiles import LOCATION_FIELD_ORDER
from directory.validators import WEEKDAYS, validate_country, validate_languages

# One role per shape, so that /me/'s schema is told apart by `role` (apis.me.ME_RESPONSE).
ACCOUNT_ROLES = [(role.value, role.label) for role in (Role.PATIENT, Role.PHYSICIAN)]
PRACTITIONER_ROLES = [(Role.PRACTITIONER.value, Role.PRACTITIONER.label)]


EMAIL_NOTIFICATIONS_HELP = (
    "E-mails about new referrals, referral status changes and new reviews. Account "
    "messages (password reset, credential decisions and expiry reminders) are always sent."
)


def _choice_message(choices: list[str]) -> str:
    return f'"{{input}}" is not allowed; use one of: {", ".join(choices)}.'


@extend_schema_field(
    {
        "type": "array",
        "items": {"type": "string", "minLength": 2, "maxLength": 2},
        "minItems": limits.LANGUAGES_MIN,
        "maxItems": limits.LANGUAGES_MAX,
    }
)
class LanguagesField(serializers.ListField):
    """A list of codes, lower-cased; the rule is directory.validators.validate_languages."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            f"{limits.LANGUAGES_MIN} to {limits.LANGUAGES_MAX} distinct ISO 639-1 two-letter "
            'codes, e.g. ["en", "fr"].',
        )
        super().__init__(child=serializers.CharField(), validators=[validate_languages], **kwargs)

    def to_internal_value(self, data) -> list[str]:
        return [code.lower() for code in super().to_internal_value(data)]


class MeAccountSerializer(serializers.ModelSerializer):
    """The signed-in account (patients, physicians, moderators)."""

    role = serializers.ChoiceField(choices=ACCOUNT_ROLES, read_only=True)
    is_moderator = serializers.BooleanField(read_only=True)

    class Meta:
        model = User
        fields = ["id", "email", "name", "role", "is_moderator", "email_notifications"]
        read_only_fields = fields
        extra_kwargs = {"email_notifications": {"help_text": EMAIL_NOTIFICATIONS_HELP}}


class MePractitionerSerializer(MeAccountSerializer):
    """The signed-in practitioner: account and public profile, flat."""

    role = serializers.ChoiceField(choices=PRACTITIONER_ROLES, read_only=True)
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
    """PATCH /me/ for patients, physicians and moderators: the name and whether to get
    notification e-mails."""

    # Declared read-only so that a write to them says so (and is never applied).
    id = serializers.IntegerField(read_only=True)
    email = serializers.EmailField(read_only=True)
    role = serializers.CharField(read_only=True)
    is_moderator = serializers.BooleanField(read_only=True)
    name = ruled(serializers.CharField(), User, "name")
    email_notifications = serializers.BooleanField(help_text=EMAIL_NOTIFICATIONS_HELP)


class MePractitionerPatchSerializer(MeAccountPatchSerializer):
    """PATCH /me/ for practitioners: the name and the public profile."""

    qualified = serializers.BooleanField(read_only=True)
    profession = serializers.ChoiceField(
        choices=Profession.choices,
        error_messages={"invalid_choice": _choice_message(Profession.values)},
    )
    bio = ruled(serializers.CharField(allow_blank=True), PractitionerProfile, "bio")
    languages = LanguagesField()
    accepting_new_patients = serializers.BooleanField()
    fee_per_session = ruled(
        serializers.DecimalField(max_digits=7, decimal_places=2, allow_null=True),
        PractitionerProfile,
        "fee_per_session",
    )
    direct_billing = serializers.BooleanField()


class CountryField(serializers.CharField):
    """Upper-cased; the rule is directory.validators.validate_country (ISO 3166-1 alpha-2)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("help_text", "ISO 3166-1 alpha-2 country code, e.g. CA.")
        super().__init__(validators=[validate_country], **kwargs)

    def to_internal_value(self, data) -> str:
        return super().to_internal_value(data).upper()


class OptionalTextField(serializers.CharField):
    """Text that may be left out: null and "" both mean "none" (stored as "")."""

    def __init__(self, **kwargs):
        super().__init__(required=False, allow_blank=True, allow_null=True, **kwargs)

    def validate_empty_values(self, data):
        if data is None:
            return True, ""
        return super().validate_empty_values(data)


@extend_schema_field(
    {
        "type": "array",
        "maxItems": limits.HOURS_ENTRIES_MAX,
        "items": {
            "type": "object",
            "properties": {
                "day": {"type": "string", "enum": list(WEEKDAYS)},
                "opens": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
                "closes": {"type": "string", "pattern": "^([01][0-9]|2[0-3]):[0-5][0-9]$"},
            },
            "required": ["day", "opens", "closes"],
            "additionalProperties": False,
        },
    }
)
class HoursField(serializers.JSONField):
    """Opening hours as given; the rule (shape, days, times, closes after opens) is
    directory.validators.hours_normalize, run by the location services."""

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            'e.g. [{"day": "mon", "opens": "09:00", "closes": "17:00"}]; 24-hour clock, closes '
            "after opens; two spans a day at most in practice. An empty list removes them.",
        )
        super().__init__(**kwargs)


CONTACT_TEXT_FIELDS = ("phone", "website", "booking_url")


class ContactOutputMixin(serializers.Serializer):
    """The clinic's contact as the API returns it: null where not given."""

    phone = serializers.SerializerMethodField(help_text="E.164, e.g. +16045550123.")
    website = serializers.SerializerMethodField()
    booking_url = serializers.SerializerMethodField()
    hours = HoursField(read_only=True)
    wheelchair_accessible = serializers.BooleanField(
        read_only=True, allow_null=True, help_text="Null: not stated."
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_phone(self, location: Location) -> str | None:
        return location.phone or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_website(self, location: Location) -> str | None:
        return location.website or None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_booking_url(self, location: Location) -> str | None:
        return location.booking_url or None


LOCATION_OUTPUT_FIELDS = ["id", *LOCATION_FIELD_ORDER]


class MeLocationSerializer(ContactOutputMixin, serializers.ModelSerializer):
    """One of the practitioner's clinics."""

    class Meta:
        model = Location
        fields = LOCATION_OUTPUT_FIELDS
        read_only_fields = fields


def _location(field: serializers.Field, name: str) -> serializers.Field:
    return ruled(field, Location, name)


class MeLocationInputSerializer(StrictSerializer):
    """A clinic; lat/lng are looked up from city and country when both are absent."""

    name = _location(serializers.CharField(), "name")
    address = _location(serializers.CharField(allow_blank=True, required=False), "address")
    city = _location(serializers.CharField(), "city")
    region = _location(serializers.CharField(allow_blank=True, required=False), "region")
    postal_code = _location(serializers.CharField(allow_blank=True, required=False), "postal_code")
    country = CountryField()
    lat = _location(
        serializers.FloatField(
            required=False,
            help_text="With lng; when both are absent they are looked up from city and country.",
        ),
        "lat",
    )
    lng = _location(serializers.FloatField(required=False, help_text="With lat."), "lng")
    phone = OptionalTextField(
        max_length=limits.PHONE_INPUT_MAX,
        help_text="The clinic's phone, e.g. 604-555-0123 (read in the clinic's country) or "
        "+1 604 555 0123; returned in E.164. Null or empty removes it.",
    )
    website = _location(
        OptionalTextField(help_text="https:// address; null or empty removes it."), "website"
    )
    booking_url = _location(
        OptionalTextField(
            help_text="https:// address for online booking; null or empty removes it."
        ),
        "booking_url",
    )
    hours = HoursField(required=False)
    wheelchair_accessible = serializers.BooleanField(
        required=False, allow_null=True, help_text="Null: not stated."
    )


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
    years = ruled(serializers.IntegerField(), ConditionExperience, "years")
    patients_treated = ruled(serializers.IntegerField(), ConditionExperience, "patients_treated")


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
