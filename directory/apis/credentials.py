"""/api/v1/me/credentials/ (the owner's own) and /api/v1/credentials/{id}/evidence/."""

import logging

from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.evidence import ALLOWED_EVIDENCE_TYPES
from directory.models import Credential
from directory.selectors.credentials import credential_evidence_get, credential_list_own
from directory.serializers.credentials import MyCredentialInputSerializer, MyCredentialSerializer
from directory.services.credentials import (
    CREDENTIAL_HOLDER_ROLES,
    credential_create,
    credential_update,
    credential_withdraw,
)

TAGS = ["credentials"]
logger = logging.getLogger(__name__)


class HoldsCredentials(BasePermission):
    message = "Only practitioner and physician accounts hold credentials."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(user and user.is_authenticated and user.role in CREDENTIAL_HOLDER_ROLES)


class _OwnCredentialApi(GenericAPIView):
    permission_classes = [IsAuthenticated, HoldsCredentials]
    filter_backends: list = []

    def get_serializer_context(self) -> dict:
        # One clock reading per response: every row's status is judged on the same day.
        return super().get_serializer_context() | {"today": timezone.localdate()}

    def _output(self, credential: Credential, status_code: int = status.HTTP_200_OK) -> Response:
        return Response(self.get_serializer(credential).data, status=status_code)


class MyCredentialListApi(_OwnCredentialApi):
    serializer_class = MyCredentialSerializer

    @extend_schema(tags=TAGS, responses=MyCredentialSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(credential_list_own(owner=request.user))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=MyCredentialInputSerializer,
        responses={201: MyCredentialSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = MyCredentialInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        credential = credential_create(owner=request.user, **serializer.validated_data)
        return self._output(credential, status.HTTP_201_CREATED)


class MyCredentialDetailApi(_OwnCredentialApi):
    serializer_class = MyCredentialSerializer

    def _get_own(self, credential_id: int) -> Credential:
        return get_object_or_404(credential_list_own(owner=self.request.user), pk=credential_id)

    @extend_schema(tags=TAGS, responses=MyCredentialSerializer)
    def get(self, request: Request, credential_id: int) -> Response:
        return self._output(self._get_own(credential_id))

    @extend_schema(tags=TAGS, request=MyCredentialInputSerializer, responses=MyCredentialSerializer)
    def patch(self, request: Request, credential_id: int) -> Response:
        credential = self._get_own(credential_id)
        serializer = MyCredentialInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        evidence = changes.pop("evidence", None)
        credential = credential_update(credential=credential, changes=changes, evidence=evidence)
        return self._output(credential)

    @extend_schema(tags=TAGS, responses={204: None})
    def delete(self, request: Request, credential_id: int) -> Response:
        credential_withdraw(credential=self._get_own(credential_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class IgnoreAcceptHeader(BaseContentNegotiation):
    """The file is what it is: an `Accept: application/pdf` must not turn into a 406.
    Errors still render as JSON."""

    def select_renderer(self, request, renderers, format_suffix=None):
        return renderers[0], renderers[0].media_type

    def select_parser(self, request, parsers):
        return parsers[0]


class CredentialEvidenceApi(APIView):
    permission_classes = [IsAuthenticated]
    content_negotiation_class = IgnoreAcceptHeader

    @extend_schema(
        tags=TAGS,
        responses={
            (200, content_type): OpenApiResponse(OpenApiTypes.BINARY, description="The file.")
            for content_type in ALLOWED_EVIDENCE_TYPES
        },
        description="Downloads a credential's evidence file: its owner and moderators only.",
    )
    def get(self, request: Request, credential_id: int) -> FileResponse:
        credential = credential_evidence_get(viewer=request.user, credential_id=credential_id)
        if credential is None:
            raise Http404("No evidence file you may download has this id.")
        try:
            file = credential.evidence.open("rb")
        except FileNotFoundError:
            logger.error("Evidence file of credential %s is missing from storage", credential.pk)
            raise Http404("The evidence file is missing; the owner must upload it again.") from None
        extension = credential.evidence.name.rsplit(".", 1)[-1]
        response = FileResponse(
            file,
            as_attachment=True,
            filename=f"credential-{credential.pk}-evidence.{extension}",
            content_type=credential.evidence_content_type,
        )
        response["X-Content-Type-Options"] = "nosniff"
        # Private documents: never kept by a shared cache.
        response["Cache-Control"] = "private, no-store"
        return response


urlpatterns = [
    path("me/credentials/", MyCredentialListApi.as_view(), name="me-credential-list"),
    path(
        "me/credentials/<int:credential_id>/",
        MyCredentialDetailApi.as_view(),
        name="me-credential-detail",
    ),
    path(
        "credentials/<int:credential_id>/evidence/",
        CredentialEvidenceApi.as_view(),
        name="credential-evidence",
    ),
]
