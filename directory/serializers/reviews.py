"""Review and invitation shapes (SPEC §5). Names start with "Review" because they become
OpenAPI component names."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from directory.conditions import UnknownCondition, condition_resolve
from directory.models import Condition, Review, ReviewFlag
from directory.selectors.reviews import review_author_public_name
from directory.serializers_base import StrictSerializer, ruled
from directory.services.invitations import (
    CODE_ALPHABET,
    CODE_LENGTH,
    MESSAGE_UNKNOWN,
    invitation_code_normalize,
)


class ReviewReplySerializer(serializers.Serializer):
    body = serializers.CharField(read_only=True)
    replied_at = serializers.DateTimeField(read_only=True)


class ReviewItemSerializer(serializers.ModelSerializer):
    """One review as the public sees it: the author's first name and last initial only."""

    author_name = serializers.SerializerMethodField()
    condition = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    condition_name = serializers.CharField(source="condition.name", read_only=True, allow_null=True)
    reply = serializers.SerializerMethodField()

    class Meta:
        model = Review
        fields = [
            "id",
            "author_name",
            "overall",
            "communication",
            "comfort",
            "would_recommend",
            "condition",
            "condition_name",
            "body",
            "verified",
            "created_at",
            "updated_at",
            "reply",
        ]
        read_only_fields = fields

    def get_author_name(self, review: Review) -> str:
        return review_author_public_name(review.author.name)

    @extend_schema_field(ReviewReplySerializer(allow_null=True))
    def get_reply(self, review: Review) -> dict | None:
        if review.replied_at is None:
            return None
        return ReviewReplySerializer({"body": review.reply, "replied_at": review.replied_at}).data


class ReviewModerationItemSerializer(ReviewItemSerializer):
    """A review in the moderators' queue: whose it is, how often flagged, whether removed."""

    practitioner = serializers.IntegerField(source="practitioner_id", read_only=True)
    flags = serializers.IntegerField(source="flag_count", read_only=True)

    class Meta(ReviewItemSerializer.Meta):
        fields = [*ReviewItemSerializer.Meta.fields, "practitioner", "flags", "removed_at"]
        read_only_fields = fields


class ReviewSubmitInputSerializer(StrictSerializer):
    overall = ruled(serializers.IntegerField(), Review, "overall")
    communication = ruled(serializers.IntegerField(), Review, "communication")
    comfort = ruled(serializers.IntegerField(), Review, "comfort")
    would_recommend = serializers.BooleanField()
    condition = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=100,
        help_text="A condition slug, name or synonym (see /api/v1/conditions/).",
    )
    body = ruled(
        serializers.CharField(required=False, allow_blank=True, default="", trim_whitespace=True),
        Review,
        "body",
    )
    invitation_code = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=40,
        help_text="The code the practitioner gave you, e.g. K7QX-3M9P-2AZD; makes the review "
        "verified. Case, dashes and spaces do not matter.",
    )

    def validate_condition(self, value: str | None) -> Condition | None:
        if not value or not value.strip():
            return None
        try:
            return condition_resolve(value)
        except UnknownCondition as exc:
            raise serializers.ValidationError(str(exc)) from None

    def validate_invitation_code(self, value: str | None) -> str | None:
        if not value or not value.strip():
            return None
        normalized = invitation_code_normalize(value)
        # A code that cannot exist is refused here without touching the database.
        if len(normalized) != CODE_LENGTH or not set(normalized) <= set(CODE_ALPHABET):
            raise serializers.ValidationError(MESSAGE_UNKNOWN)
        return normalized


class ReviewReplyInputSerializer(StrictSerializer):
    body = ruled(serializers.CharField(), Review, "reply")


class ReviewFlagInputSerializer(StrictSerializer):
    reason = ruled(
        serializers.CharField(required=False, allow_blank=True, default=""), ReviewFlag, "reason"
    )


class ReviewFlagResultSerializer(serializers.Serializer):
    review = serializers.IntegerField(read_only=True)
    flagged = serializers.BooleanField(read_only=True)


class ReviewRemoveInputSerializer(StrictSerializer):
    note = ruled(
        serializers.CharField(required=False, allow_blank=True, default=""),
        Review,
        "removal_note",
    )


class ReviewModerationQuerySerializer(serializers.Serializer):
    flagged = serializers.ChoiceField(
        choices=["true", "false"],
        required=False,
        help_text="true: only flagged reviews; false: only unflagged ones; absent: all.",
    )


class ReviewInvitationSerializer(serializers.Serializer):
    code = serializers.CharField(
        read_only=True, help_text="Shown once; give it to the patient. Only a hash is stored."
    )
    expires_at = serializers.DateTimeField(read_only=True)


@extend_schema_field({"type": "string", "format": "email", "maxLength": 254})
class ReviewInvitationEmailField(serializers.CharField):
    """Parsed as text; whether it is an address is the invitation service's rule."""


class ReviewInvitationInputSerializer(StrictSerializer):
    """An empty body or {} shows the code only; with `email`, it is also e-mailed there."""

    email = ReviewInvitationEmailField(
        required=False,
        allow_blank=True,
        help_text="Optional: the patient's e-mail address. The code is sent there once; "
        "the address is not stored.",
    )
