"""Request/response shapes for /api/v1/auth/."""

from rest_framework import serializers

from directory.models import Role, User
from directory.serializers_base import StrictSerializer

ROLE_CHOICE_MESSAGE = f'"{{input}}" is not a valid role; allowed: {", ".join(Role.values)}.'


class AuthRegisterInputSerializer(StrictSerializer):
    """A new account; practitioners and physicians get an empty profile to fill in."""

    email = serializers.EmailField(max_length=254)
    # Never trimmed: spaces are legitimate password characters.
    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )
    name = serializers.CharField(max_length=120)
    role = serializers.ChoiceField(
        choices=Role.choices, error_messages={"invalid_choice": ROLE_CHOICE_MESSAGE}
    )


class AuthAccountSerializer(serializers.ModelSerializer):
    """The account just created."""

    id = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        help_text="null when REQUIRE_EMAIL_CONFIRMATION is on: the answer is then the same "
        "whether or not the address already had an account, and the account exists once its "
        "owner follows the e-mailed link.",
    )

    class Meta:
        model = User
        fields = ["id", "email", "name", "role"]
        read_only_fields = fields


class AuthLoginInputSerializer(StrictSerializer):
    """E-mail (any case) and password."""

    email = serializers.EmailField(max_length=254)
    password = serializers.CharField(
        max_length=4096, trim_whitespace=False, style={"input_type": "password"}
    )


class AuthTokenSerializer(serializers.Serializer):
    """An API token; the raw value is never stored and is shown only here."""

    token = serializers.CharField(
        read_only=True, help_text="Send as `Authorization: Token <token>`; shown only once."
    )
    expires_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="When the token stops working."
    )


class AuthEmailInputSerializer(StrictSerializer):
    """The address of the account the link is for."""

    email = serializers.EmailField(max_length=254)


class AuthLinkInputSerializer(StrictSerializer):
    """`uid` and `token` from an e-mailed link (they are also printed in the message)."""

    uid = serializers.CharField(max_length=64)
    token = serializers.CharField(max_length=128)


class AuthPasswordResetConfirmInputSerializer(AuthLinkInputSerializer):
    """The reset link's `uid` and `token`, and the new password."""

    password = serializers.CharField(
        max_length=128, trim_whitespace=False, style={"input_type": "password"}
    )


class AuthAcceptedSerializer(serializers.Serializer):
    """Said whether or not an account uses the address, so it never tells which."""

    detail = serializers.CharField(read_only=True)
