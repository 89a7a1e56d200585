"""POST /api/v1/auth/register/, /auth/login/, /auth/logout/ (SPEC §5)."""

from django.contrib.auth import logout as session_logout
from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import status
from rest_framework.exceptions import ValidationError
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import APIView

from directory.serializers.accounts import (
    AuthAccountSerializer,
    AuthLoginInputSerializer,
    AuthRegisterInputSerializer,
    AuthTokenSerializer,
)
from directory.services.accounts import InvalidCredentials, user_login, user_logout, user_register
from directory.throttling import LiveScopedRateThrottle


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
        responses={200: AuthTokenSerializer},
        auth=[],
    )
    def post(self, request: Request) -> Response:
        serializer = AuthLoginInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            instance, token = user_login(**serializer.validated_data)
        except InvalidCredentials as exc:
            raise ValidationError({api_settings.NON_FIELD_ERRORS_KEY: [str(exc)]}) from None
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


urlpatterns = [
    path("auth/register/", RegisterApi.as_view(), name="auth-register"),
    path("auth/login/", LoginApi.as_view(), name="auth-login"),
    path("auth/logout/", LogoutApi.as_view(), name="auth-logout"),
]
