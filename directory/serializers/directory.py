"""Output shapes of the public directory (read-only; SPEC §5).

Names start with "Directory" because they become OpenAPI component names, which must not
clash with the owner-facing /me/ serializers of the same models.
"""

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
from directory.rules import EXPIRED, credential_status

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
        fields = [
            "id",
            "kind",
            "issuer",
            "number",
            "profession",
            "jurisdiction",
            "needling_authorized",
            "title",
            "issued_on",
            "expires_on",
            "status",
            "verified_at",
        ]
        read_only_fields = fields

    @extend_schema_field(CREDENTIAL_STATUS_SCHEMA)
    def get_status(self, credential: Credential) -> str:
        return credential_status(credential, today=self.context["today"])

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_verified_at(self, credential: Credential) -> str | None:
        if credential.status != CredentialStatus.VERIFIED:
            return None
        return serializers.DateTimeField().to_representation(credential.reviewed_at)


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


def experience_rows(practitioner: PractitionerProfile) -> list[dict]:
    referrals = {row.condition_id: row for row in practitioner.condition_stats.all()}
    rows = []
    for experience in practitioner.experience.all():
        counted = referrals.pop(experience.condition_id, None)
        rows.append(
            {
                "condition": experience.condition.slug,
                "condition_name": experience.condition.name,
                "years": experience.years,
                "patients_treated": experience.patients_treated,
                "self_reported": True,
                "completed_referrals": counted.completed_referrals if counted else 0,
            }
        )
    for counted in sorted(referrals.values(), key=lambda row: row.condition.name):
        rows.append(
            {
                "condition": counted.condition.slug,
                "condition_name": counted.condition.name,
                "years": None,
                "patients_treated": None,
                "self_reported": False,
                "completed_referrals": counted.completed_referrals,
            }
        )
    return rows


class DirectoryRatingsSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    verified_count = serializers.IntegerField()
    overall = serializers.FloatField(allow_null=True)
    communication = serializers.FloatField(allow_null=True)
    comfort = serializers.FloatField(allow_null=True)
    would_recommend_share = serializers.FloatField(allow_null=True)


def ratings(practitioner: PractitionerProfile) -> dict:
    """Plain averages of the live reviews, from the maintained figures."""
    stats = getattr(practitioner, "stats", None)
    count = stats.reviews_verified + stats.reviews_unverified if stats else 0
    if not count:
        return dict.fromkeys(["overall", "communication", "comfort", "would_recommend_share"]) | {
            "count": 0,
            "verified_count": 0,
        }

    def mean(total: int) -> float:
        return round(total / count, 2)

    return {
        "count": count,
        "verified_count": stats.reviews_verified,
        "overall": mean(stats.overall_sum),
        "communication": mean(
            stats.communication_verified_sum + stats.communication_unverified_sum
        ),
        "comfort": mean(stats.comfort_verified_sum + stats.comfort_unverified_sum),
        "would_recommend_share": mean(stats.recommend_verified + stats.recommend_unverified),
    }


class DirectoryLocationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Location
        fields = ["id", "name", "address", "city", "region", "postal_code", "country", "lat", "lng"]
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
        return experience_rows(practitioner)

    @extend_schema_field(DirectoryRatingsSerializer)
    def get_ratings(self, practitioner: PractitionerProfile) -> dict:
        return ratings(practitioner)


class DirectoryConditionSerializer(serializers.ModelSerializer):
    synonyms = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Condition
        fields = ["slug", "name", "synonyms"]
        read_only_fields = fields
