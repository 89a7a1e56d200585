"""/api/v1/moderation/credentials/: the moderators' (staff) verification queue."""

from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.generics import GenericAPIView
from rest_framework.request import Request
from rest_framework.response import Response

from directory.filters.credentials import CREDENTIAL_STATUS_VALUES
from directory.models import Credential
from directory.permissions import IsModerator
from directory.selectors.credentials import credential_moderation_list, credential_review_queryset
from directory.serializers.credentials import (
    CredentialRejectInputSerializer,
    CredentialVerifyInputSerializer,
    ModerationCredentialSerializer,
)
from directory.services.credentials import credential_reject, credential_verify

TAGS = ["moderation"]
CONFLICT = OpenApiResponse(description="The credential's current status does not allow this.")


class _ModerationApi(GenericAPIView):
    permission_classes = [IsModerator]
    serializer_class = ModerationCredentialSerializer
    filter_backends: list = []

    def get_serializer_context(self) -> dict:
        return super().get_serializer_context() | {"today": timezone.localdate()}

    def _get_credential(self, credential_id: int) -> Credential:
        return get_object_or_404(credential_review_queryset(), pk=credential_id)


class ModerationCredentialListApi(_ModerationApi):
    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=CREDENTIAL_STATUS_VALUES,
                description="Only credentials with this status (as readers see it).",
            )
        ],
        responses=ModerationCredentialSerializer(many=True),
    )
    def get(self, request: Request) -> Response:
        credentials = credential_moderation_list(filters=request.query_params)
        page = self.paginate_queryset(credentials)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ModerationCredentialVerifyApi(_ModerationApi):
    @extend_schema(
        tags=TAGS,
        request=CredentialVerifyInputSerializer,
        responses={200: ModerationCredentialSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, credential_id: int) -> Response:
        credential = self._get_credential(credential_id)
        serializer = CredentialVerifyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential = credential_verify(
            credential=credential, moderator=request.user, note=serializer.validated_data["note"]
        )
        return Response(self.get_serializer(credential).data)


class ModerationCredentialRejectApi(_ModerationApi):
    @extend_schema(
        tags=TAGS,
        request=CredentialRejectInputSerializer,
        responses={200: ModerationCredentialSerializer, 409: CONFLICT},
    )
    def post(self, request: Request, credential_id: int) -> Response:
        credential = self._get_credential(credential_id)
        serializer = CredentialRejectInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential = credential_reject(
            credential=credential, moderator=request.user, note=serializer.validated_data["note"]
        )
        return Response(self.get_serializer(credential).data)


urlpatterns = [
    path(
        "moderation/credentials/",
        ModerationCredentialListApi.as_view(),
        name="moderation-credential-list",
    ),
    path(
        "moderation/credentials/<int:credential_id>/verify/",
        ModerationCredentialVerifyApi.as_view(),
        name="moderation-credential-verify",
    ),
    path(
        "moderation/credentials/<int:credential_id>/reject/",
        ModerationCredentialRejectApi.as_view(),
        name="moderation-credential-reject",
    ),
]
