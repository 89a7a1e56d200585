"""Request/response shapes for /api/v1/referrals/ (SPEC §5).

Input serializers check types and formats only; who may refer, to whom, and which
transition is allowed are the referral service's rules.
"""

import re

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory import limits
from directory.conditions import UnknownCondition, condition_resolve
from directory.models import (
    Condition,
    PractitionerProfile,
    Referral,
    ReferralOutcome,
    ReferralStatus,
)
from directory.serializers_base import StrictSerializer, ruled
from directory.services.referrals import (
    OUTCOME_MESSAGE,
    TRANSITIONS,
    referral_allowed_actions,
)
from directory.validators import PATIENT_REFERENCE_MESSAGE, validate_patient_reference


class PractitionerIdField(serializers.PrimaryKeyRelatedField):
    """A whole number only: DRF would hand 1.5 or "٣" to the ORM, which turns them into
    the ids 1 and 3."""

    def to_internal_value(self, data):
        if isinstance(data, str) and re.fullmatch(r"[0-9]{1,19}", data):
            data = int(data)  # form posts send text
        if type(data) is not int:
            self.fail("incorrect_type", data_type=type(data).__name__)
        return super().to_internal_value(data)


class ReferralCreateInputSerializer(StrictSerializer):
    """A new referral. The physician is the signed-in user; status and outcome are never
    written by the caller (unknown fields are refused)."""

    practitioner = PractitionerIdField(
        # Deactivated practitioners are found here and refused by the service, which says so.
        queryset=PractitionerProfile.objects.select_related("user"),
        error_messages={
            "does_not_exist": "No practitioner has id {pk_value}.",
            "incorrect_type": "Give the practitioner's id (a whole number).",
        },
    )
    condition = serializers.CharField(
        max_length=100, help_text="A condition slug, name or synonym (see /api/v1/conditions/)."
    )
    reason = ruled(
        serializers.CharField(
            help_text=f"Why you refer the patient, at most {limits.REFERRAL_REASON_MAX:,} "
            "characters.",
            error_messages={"blank": "Give a short reason for the referral."},
        ),
        Referral,
        "reason",
    )
    # Only the pattern: it bounds the length too, so a long code gets the one message.
    patient_reference = serializers.CharField(
        validators=[validate_patient_reference],
        help_text=f"Your own code for the patient (not a name): 1-{limits.PATIENT_REFERENCE_MAX}"
        " of A-Z a-z 0-9 - _ .",
        error_messages={"blank": PATIENT_REFERENCE_MESSAGE},
    )

    def validate_condition(self, term: str) -> Condition:
        try:
            return condition_resolve(term)
        except UnknownCondition as exc:
            raise serializers.ValidationError(str(exc)) from None


class ReferralCompleteInputSerializer(StrictSerializer):
    """How the patient did."""

    outcome = serializers.ChoiceField(
        choices=ReferralOutcome.choices,
        error_messages={
            "required": OUTCOME_MESSAGE,
            "invalid_choice": OUTCOME_MESSAGE,
            "null": OUTCOME_MESSAGE,
        },
    )


class ReferralNoInputSerializer(StrictSerializer):
    """accept, decline and cancel take nothing: an empty body or {}."""

    def to_internal_value(self, data):
        if hasattr(data, "keys") and data.keys():
            message = "Unknown field. This action takes no fields; send an empty body or {}."
            raise serializers.ValidationError({key: [message] for key in data.keys()})
        return super().to_internal_value(data)


class ReferralStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ReferralStatus.choices, **kwargs)


class ReferralStatusFieldSchema(OpenApiSerializerFieldExtension):
    """Publishes the status as its own ReferralStatusEnum component. Left to
    drf-spectacular's enum naming, a second choice set for fields named "status" (beside the
    credentials') makes it guess a hashed name and warn."""

    target_class = ReferralStatusField

    def get_name(self) -> str:
        return "ReferralStatusEnum"

    def map_serializer_field(self, auto_schema, direction) -> dict:
        return {"type": "string", "enum": ReferralStatus.values}


class ReferralPartySerializer(serializers.Serializer):
    """The physician's or the practitioner's profile id and name."""

    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(source="user.name", read_only=True)


class ReferralSerializer(serializers.ModelSerializer):
    physician = ReferralPartySerializer(read_only=True)
    practitioner = ReferralPartySerializer(read_only=True)
    condition = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    condition_name = serializers.CharField(source="condition.name", read_only=True)
    status = ReferralStatusField(read_only=True)
    outcome = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField(
        help_text="What the requesting user may do with this referral now."
    )

    class Meta:
        model = Referral
        fields = [
            "id",
            "physician",
            "practitioner",
            "condition",
            "condition_name",
            "reason",
            "patient_reference",
            "status",
            "outcome",
            "created_at",
            "updated_at",
            "completed_at",
            "allowed_actions",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=ReferralOutcome.choices, allow_null=True))
    def get_outcome(self, referral: Referral) -> str | None:
        return referral.outcome or None

    @extend_schema_field(
        serializers.ListField(child=serializers.ChoiceField(choices=[*TRANSITIONS]))
    )
    def get_allowed_actions(self, referral: Referral) -> list[str]:
        return referral_allowed_actions(referral=referral, user=self.context["request"].user)
