"""Output shapes of the public directory (read-only; SPEC §5).

The serializer classes are the documented responses (the OpenAPI components); the list
and detail responses themselves are built by the plain functions at the end, which give
the same JSON at a fraction of the cost of DRF's nested fields (a test holds both to the
same field names, and the API tests pin whole bodies).

Names start with "Directory" because they become OpenAPI component names, which must not
clash with the owner-facing /me/ serializers of the same models.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.models import (
    Condition,
    Credential,
    CredentialStatus,
    Location,
    PractitionerProfile,
)
from directory.models.practitioners import languages_from_db
from directory.read_models import (
    PUBLIC_CREDENTIAL_FIELDS,
    practitioner_ratings,
    public_credential,
)
from directory.rules import EXPIRED
from directory.selectors.practitioners import PractitionerDetail, practitioner_experience
from directory.serializers.me import (
    CONTACT_TEXT_FIELDS,
    LOCATION_OUTPUT_FIELDS,
    ContactOutputMixin,
)

# The four states a reader can see; "expired" is computed by directory.rules, never stored.
CREDENTIAL_STATUS_SCHEMA = {"type": "string", "enum": [*CredentialStatus.values, EXPIRED]}


class DirectoryPractitionerSerializer(serializers.ModelSerializer):
    """One row of the directory list; reads the selector's annotations."""

    name = serializers.CharField(source="user.name", read_only=True)
    languages = serializers.ListField(
        child=serializers.CharField(), source="language_list", read_only=True
    )
    qualified = serializers.BooleanField(read_only=True)
    clinic = serializers.CharField(source="clinic_name", read_only=True, allow_null=True)
    city = serializers.CharField(source="clinic_city", read_only=True, allow_null=True)
    distance_km = serializers.SerializerMethodField()
    url = serializers.SerializerMethodField()

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "name",
            "profession",
            "languages",
            "accepting_new_patients",
            "qualified",
            "clinic",
            "city",
            "distance_km",
            "url",
        ]
        read_only_fields = fields

    def get_distance_km(self, practitioner: PractitionerProfile) -> float | None:
        distance = practitioner.distance_km
        return None if distance is None else round(distance, 1)

    def get_url(self, practitioner: PractitionerProfile) -> str:
        return reverse("practitioner-detail", kwargs={"practitioner_id": practitioner.pk})


class DirectoryCredentialSerializer(serializers.ModelSerializer):
    """A credential as the public sees it: never the evidence file or the moderator's note."""

    status = serializers.SerializerMethodField()
    verified_at = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = list(PUBLIC_CREDENTIAL_FIELDS)
        read_only_fields = fields

    @extend_schema_field(CREDENTIAL_STATUS_SCHEMA)
    def get_status(self, credential: Credential) -> str:
        return public_credential(credential, today=self.context["today"]).status

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_verified_at(self, credential: Credential) -> str | None:
        verified_at = public_credential(credential, today=self.context["today"]).verified_at
        return _json(verified_at)


class DirectoryExperienceSerializer(serializers.Serializer):
    """Experience by condition: the practitioner's own claim (years, patients: shown as
    self-reported) plus completed physician referrals for it (verified, SPEC §3). A
    condition known only from referrals has null years and patients."""

    condition = serializers.CharField()
    condition_name = serializers.CharField()
    years = serializers.IntegerField(allow_null=True)
    patients_treated = serializers.IntegerField(allow_null=True)
    self_reported = serializers.BooleanField()
    completed_referrals = serializers.IntegerField()


class DirectoryRatingsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    verified_count = serializers.IntegerField()
    overall = serializers.FloatField(allow_null=True)
    communication = serializers.FloatField(allow_null=True)
    comfort = serializers.FloatField(allow_null=True)
    would_recommend_share = serializers.FloatField(allow_null=True)


class DirectoryLocationSerializer(ContactOutputMixin, serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = LOCATION_OUTPUT_FIELDS
        read_only_fields = fields


class DirectoryPractitionerDetailSerializer(serializers.ModelSerializer):
    """A practitioner's public page. Needs `today` in the context for credential status."""

    name = serializers.CharField(source="user.name", read_only=True)
    languages = serializers.ListField(
        child=serializers.CharField(), source="language_list", read_only=True
    )
    qualified = serializers.BooleanField(read_only=True)
    credentials = DirectoryCredentialSerializer(
        source="user.public_credentials", many=True, read_only=True
    )
    experience = serializers.SerializerMethodField()
    locations = DirectoryLocationSerializer(many=True, read_only=True)
    ratings = serializers.SerializerMethodField()

    class Meta:
        model = PractitionerProfile
        fields = [
            "id",
            "name",
            "profession",
            "bio",
            "languages",
            "accepting_new_patients",
            "fee_per_session",
            "direct_billing",
            "qualified",
            "credentials",
            "experience",
            "locations",
            "ratings",
        ]
        read_only_fields = fields

    @extend_schema_field(DirectoryExperienceSerializer(many=True))
    def get_experience(self, practitioner: PractitionerProfile) -> list[dict]:
        return practitioner_experience(practitioner_id=practitioner.pk)

    @extend_schema_field(DirectoryRatingsSerializer)
    def get_ratings(self, practitioner: PractitionerProfile) -> dict:
        return practitioner_ratings(practitioner)


class DirectoryConditionSerializer(serializers.ModelSerializer):
    synonyms = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Condition
        fields = ["slug", "name", "synonyms"]
        read_only_fields = fields


# --- the responses, built directly -----------------------------------------------------

# DRF's own field renderings, so that dates, times and amounts read exactly as the
# documented serializers would write them.
_DATETIME = serializers.DateTimeField()
_FEE = DirectoryPractitionerDetailSerializer().fields["fee_per_session"]
_LOCATION_FIELDS = DirectoryLocationSerializer.Meta.fields


def practitioner_rows(rows: Iterable[dict]) -> list[dict]:
    """List rows (practitioner_list's values) as DirectoryPractitionerSerializer shows them."""
    url = _detail_url_format()
    return [
        {
            "id": row["id"],
            "name": row["name"],
            "profession": row["profession"],
            "languages": languages_from_db(row["languages"]),
            "accepting_new_patients": row["accepting_new_patients"],
            "qualified": bool(row["qualified"]),
            "clinic": row["clinic_name"],
            "city": row["clinic_city"],
            "distance_km": None if row["distance_km"] is None else round(row["distance_km"], 1),
            "url": url.format(row["id"]),
        }
        for row in rows
    ]


def _detail_url_format() -> str:
    # reverse() once per page, not once per row: it costs more than building the whole row.
    marker = 987654321
    url = reverse("practitioner-detail", kwargs={"practitioner_id": marker})
    return url.replace(str(marker), "{}")


def practitioner_detail(detail: PractitionerDetail, *, today) -> dict:
    """practitioner_detail_get's rows as DirectoryPractitionerDetailSerializer shows them."""
    practitioner = detail.practitioner
    fee = practitioner.fee_per_session
    return {
        "id": practitioner.pk,
        "name": practitioner.user.name,
        "profession": practitioner.profession,
        "bio": practitioner.bio,
        "languages": practitioner.language_list,
        "accepting_new_patients": practitioner.accepting_new_patients,
        "fee_per_session": None if fee is None else _FEE.to_representation(fee),
        "direct_billing": practitioner.direct_billing,
        "qualified": bool(practitioner.qualified),
        "credentials": [_credential(credential, today=today) for credential in detail.credentials],
        "experience": detail.experience,
        "locations": [location_body(location) for location in detail.locations],
        "ratings": practitioner_ratings(practitioner),
    }


def location_body(location: Location) -> dict:
    """One clinic as DirectoryLocationSerializer shows it: contact text not given is null."""
    body = {field: getattr(location, field) for field in _LOCATION_FIELDS}
    for field in CONTACT_TEXT_FIELDS:
        body[field] = body[field] or None
    return body


def _credential(credential: Credential, *, today) -> dict:
    public = public_credential(credential, today=today)
    return {name: _json(getattr(public, name)) for name in PUBLIC_CREDENTIAL_FIELDS}


def _json(value: object) -> object:
    """Dates and times as the documented serializer writes them (datetime before date: it
    is one)."""
    if isinstance(value, datetime):
        return _DATETIME.to_representation(value)
    if isinstance(value, date):
        return value.isoformat()
    return value
