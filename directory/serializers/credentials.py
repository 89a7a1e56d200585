"""Request/response shapes for /api/v1/me/credentials/ and /api/v1/moderation/credentials/.

Input serializers check types only; the per-kind rules are the credential service's.
"""

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.filters.credentials import CREDENTIAL_STATUS_VALUES
from directory.models import Credential, CredentialKind, CredentialStatus, Profession, User
from directory.models.credentials import SUBSTANCE_FIELDS
from directory.rules import credential_status
from directory.serializers_base import StrictSerializer, ruled


def _credential(field: serializers.Field, name: str) -> serializers.Field:
    return ruled(field, Credential, name)


class MyCredentialInputSerializer(StrictSerializer):
    """A credential as its owner writes it (JSON, or multipart with an `evidence` file).

    Licences need issuer, number, profession, jurisdiction and expires_on; IMS
    certifications need issuer and issued_on (the date awarded); training needs issuer
    and title. Fields of another kind are rejected."""

    kind = serializers.ChoiceField(choices=CredentialKind.choices)
    issuer = _credential(serializers.CharField(required=False, allow_blank=True), "issuer")
    number = _credential(serializers.CharField(required=False, allow_blank=True), "number")
    issued_on = serializers.DateField(required=False, allow_null=True)
    expires_on = serializers.DateField(required=False, allow_null=True)
    profession = serializers.ChoiceField(
        choices=Profession.choices, required=False, allow_blank=True, help_text="Licences only."
    )
    jurisdiction = _credential(
        serializers.CharField(
            required=False, allow_blank=True, help_text="Licences only. ISO 3166-2, e.g. CA-BC."
        ),
        "jurisdiction",
    )
    needling_authorized = serializers.BooleanField(required=False, help_text="Licences only.")
    title = _credential(
        serializers.CharField(required=False, allow_blank=True, help_text="Training only."),
        "title",
    )
    evidence = serializers.FileField(
        required=False, help_text="PDF, PNG or JPEG, at most 5 MB (multipart only)."
    )


class CredentialStatusField(serializers.Field):
    """pending | verified | rejected | expired, as directory.rules.credential_status says.

    Reads the whole credential; the serializer's context may carry `today` so that every
    row of one response is judged on the same day."""

    def __init__(self, **kwargs) -> None:
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, credential: Credential) -> str:
        today = self.context.get("today") or timezone.localdate()
        return credential_status(credential, today=today)


class CredentialStatusFieldSchema(OpenApiSerializerFieldExtension):
    """Publishes the four statuses as one named component. Left to drf-spectacular's enum
    naming, this set beside the other "status" fields (referrals, the stored three) would
    get a guessed, hashed name and a warning."""

    target_class = CredentialStatusField

    def get_name(self) -> str:
        return "CredentialReportedStatusEnum"

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "enum": CREDENTIAL_STATUS_VALUES}


class MyCredentialSerializer(serializers.ModelSerializer):
    """A credential as its owner sees it; `status` is directory.rules.credential_status."""

    evidence = serializers.SerializerMethodField(
        help_text="Where the owner or a moderator downloads the evidence file."
    )
    status = CredentialStatusField()
    verified_at = serializers.SerializerMethodField()

    class Meta:
        model = Credential
        fields = [
            "id",
            "kind",
            *SUBSTANCE_FIELDS,
            "evidence",
            "status",
            "verified_at",
            "note",
        ]
        read_only_fields = fields

    def get_evidence(self, credential: Credential) -> str | None:
        if not credential.evidence:
            return None
        return reverse("credential-evidence", args=[credential.pk])

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_verified_at(self, credential: Credential) -> str | None:
        if self.fields["status"].to_representation(credential) != CredentialStatus.VERIFIED:
            return None
        # Rendered like every other date-time field (in the site's time zone).
        return serializers.DateTimeField().to_representation(credential.reviewed_at)


class CredentialOwnerSerializer(serializers.ModelSerializer):
    class Meta:
        model = User
        fields = ["id", "name", "email", "role"]
        read_only_fields = fields


class ModerationCredentialSerializer(MyCredentialSerializer):
    """A credential in the moderation queue: the owner's view plus who submitted it, when."""

    owner = CredentialOwnerSerializer(read_only=True)
    submitted_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta(MyCredentialSerializer.Meta):
        fields = [*MyCredentialSerializer.Meta.fields, "owner", "submitted_at"]
        read_only_fields = fields


class CredentialVerifyInputSerializer(StrictSerializer):
    """Verifies a pending or rejected credential; the note is optional."""

    note = _credential(serializers.CharField(required=False, allow_blank=True, default=""), "note")


class CredentialRejectInputSerializer(StrictSerializer):
    """Rejects a pending or verified credential; the note tells the owner why."""

    note = _credential(
        serializers.CharField(
            help_text="Tells the owner why; required.",
            error_messages={
                "required": "A rejection needs a note telling the owner why.",
                "blank": "A rejection needs a note telling the owner why.",
            },
        ),
        "note",
    )
