"""POST /api/v1/auth/register/, /auth/login/, /auth/logout/, password reset and e-mail
confirmation (SPEC §5, issue 11)."""

from django.contrib.auth import logout as session_logout
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from directory.serializers.accounts import (
    AuthAcceptedSerializer,
    AuthAccountSerializer,
    AuthEmailInputSerializer,
    AuthLinkInputSerializer,
    AuthLoginInputSerializer,
    AuthPasswordResetConfirmInputSerializer,
    AuthRegisterInputSerializer,
    AuthTokenSerializer,
)
from directory.services.accounts import (
    EmailNotConfirmed,
    InvalidCredentials,
    email_confirm,
    email_confirmation_resend,
    password_reset_confirm,
    password_reset_request,
    user_login,
    user_logout,
    user_register,
)
from directory.throttling import LiveScopedRateThrottle
from directory.tokens import link_hours


class RegisterApi(APIView):
    # Registration neither needs nor trusts whatever credentials the caller sends.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "register"

    @extend_schema(
        operation_id="auth_register",
        request=AuthRegisterInputSerializer,
        responses={201: AuthAccountSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthRegisterInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = user_register(**serializer.validated_data)
        return Response(AuthAccountSerializer(user).data, status=status.HTTP_201_CREATED)


class LoginApi(APIView):
    # A sign-in is decided by the e-mail and password alone, never by a header.
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "login"

    @extend_schema(
        operation_id="auth_login",
        request=AuthLoginInputSerializer,
        responses={
            200: AuthTokenSerializer,
            403: OpenApiResponse(
                description="The password is right but the e-mail address awaits confirmation "
                "(REQUIRE_EMAIL_CONFIRMATION)."
            ),
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            instance, token = user_login(**serializer.validated_data)
        except InvalidCredentials as exc:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]}) from None
        except EmailNotConfirmed as exc:
            raise PermissionDenied(str(exc)) from None
        body = AuthTokenSerializer({"token": token, "expires_at": instance.expiry}).data
        return Response(body)


class LogoutApi(APIView):
    @extend_schema(
        operation_id="auth_logout",
        request=None,
        responses={204: OpenApiResponse(description="Signed out; the token no longer works.")},
    )
    def post(self, request: Request) -> Response:
        if isinstance(request.auth, AuthToken):
            user_logout(token=request.auth)
        else:
            # Signed in with a session (the HTML pages): end the session instead.
            session_logout(request._request)
        return Response(status=status.HTTP_204_NO_CONTENT)


PASSWORD_RESET_SENT = (
    "If an account uses this address, a link to choose a new password is on its way. "
    "It works once, within {hours} hours."
)
CONFIRMATION_SENT = (
    "If an account at this address awaits confirmation, a new link is on its way. "
    "It works once, within {hours} hours."
)


def _accepted(message: str) -> Response:
    body = AuthAcceptedSerializer({"detail": message.format(hours=link_hours())}).data
    return Response(body, status=status.HTTP_202_ACCEPTED)


class _AnonymousApi(APIView):
    # Decided by the e-mailed link or the address alone, never by a header.
    authentication_classes: list = []
    permission_classes = [AllowAny]


class PasswordResetApi(_AnonymousApi):
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "password_reset"

    @extend_schema(
        operation_id="auth_password_reset",
        request=AuthEmailInputSerializer,
        responses={202: AuthAcceptedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthEmailInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_request(**serializer.validated_data)
        return _accepted(PASSWORD_RESET_SENT)


class PasswordResetConfirmApi(_AnonymousApi):
    @extend_schema(
        operation_id="auth_password_reset_confirm",
        request=AuthPasswordResetConfirmInputSerializer,
        responses={
            204: OpenApiResponse(
                description="The new password is set; every API token and session of the "
                "account is revoked."
            )
        },
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthPasswordResetConfirmInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        password_reset_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConfirmEmailApi(_AnonymousApi):
    @extend_schema(
        operation_id="auth_confirm_email",
        request=AuthLinkInputSerializer,
        responses={204: OpenApiResponse(description="Confirmed; the account can sign in.")},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthLinkInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_confirm(**serializer.validated_data)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConfirmEmailResendApi(_AnonymousApi):
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "confirmation_resend"

    @extend_schema(
        operation_id="auth_confirm_email_resend",
        request=AuthEmailInputSerializer,
        responses={202: AuthAcceptedSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthEmailInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        email_confirmation_resend(**serializer.validated_data)
        return _accepted(CONFIRMATION_SENT)


urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path("auth/login/", LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", LogoutApi.as_view(), name="auth-logout"),
    path("auth/password-reset/", PasswordResetApi.as_view(), name="auth-password-reset"),
    path(
        "auth/password-reset/confirm/",
        PasswordResetConfirmApi.as_view(),
        name="auth-password-reset-confirm",
    ),
    path("auth/confirm-email/", ConfirmEmailApi.as_view(), name="auth-confirm-email"),
    path(
        "auth/confirm-email/resend/",
        ConfirmEmailResendApi.as_view(),
        name="auth-confirm-email-resend",
    ),
]
