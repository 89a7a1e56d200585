"""/api/v1/referrals/: physicians refer patients to practitioners (SPEC §3, §5).

Only the two parties and moderators see a referral; to anyone else it does not exist
(404). Every referral a moderator is shown — in a list or alone — is written to the audit
log. Nothing here logs a referral's content.
"""

from collections.abc import Callable

from django.http import Http404
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from directory.models import Referral, ReferralStatus, Role
from directory.selectors.referrals import physician_is_verified, referral_get, referral_list
from directory.serializers.referrals import (
    ReferralCompleteInputSerializer,
    ReferralCreateInputSerializer,
    ReferralNoInputSerializer,
    ReferralSerializer,
)
from directory.serializers_base import StrictSerializer
from directory.services.referrals import (
    AUDIT_LIST,
    AUDIT_READ,
    UNVERIFIED_MESSAGE,
    referral_accept,
    referral_audit_record,
    referral_cancel,
    referral_check_party,
    referral_complete,
    referral_create,
    referral_decline,
)
from directory.throttling import LiveScopedRateThrottle

TAGS = ["referrals"]
NOT_FOUND = "No referral you may see has this id."


class ReadsReferrals(BasePermission):
    message = "Referrals are shown to the physicians and practitioners they concern only."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return user.is_moderator or user.role in (Role.PHYSICIAN, Role.PRACTITIONER)


class IsVerifiedPhysician(BasePermission):
    """Checked before the body so that an unverified physician learns what is missing
    first; referral_create checks again under its lock."""

    message = "Only physician accounts send referrals."

    def has_permission(self, request, view) -> bool:
        if request.user.role != Role.PHYSICIAN:
            return False
        if not physician_is_verified(user=request.user, today=timezone.localdate()):
            self.message = UNVERIFIED_MESSAGE
            return False
        return True


class ReferralListApi(GenericAPIView):
    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []
    throttle_scope = "referral_create"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [IsAuthenticated(), IsVerifiedPhysician()]
        return [IsAuthenticated(), ReadsReferrals()]

    def get_throttles(self) -> list:
        return [LiveScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=TAGS,
        parameters=[
            OpenApiParameter("status", str, enum=ReferralStatus.values, description="Only these.")
        ],
        responses={
            200: ReferralSerializer(many=True),
            400: OpenApiResponse(description="A query parameter is invalid; says what is allowed."),
        },
        description="Physicians see what they sent, practitioners what they received, "
        "moderators everything (each row shown is audit-logged). Newest first.",
    )
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(
            referral_list(viewer=request.user, filters=request.query_params)
        )
        if request.user.is_moderator:
            referral_audit_record(actor=request.user, referrals=page, action=AUDIT_LIST)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        request=ReferralCreateInputSerializer,
        responses={
            201: ReferralSerializer,
            400: OpenApiResponse(
                description="A field is invalid, or the practitioner is not active and "
                "qualified (a verified, current licence and IMS certification); says why."
            ),
            403: OpenApiResponse(description="Not a physician with a verified licence."),
            409: OpenApiResponse(description="The same referral is still open; names its id."),
        },
    )
    def post(self, request: Request) -> Response:
        serializer = ReferralCreateInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = referral_create(physician=request.user.physician, **serializer.validated_data)
        return Response(self.get_serializer(referral).data, status=status.HTTP_201_CREATED)


def _visible_or_404(request: Request, referral_id: int) -> Referral:
    referral = referral_get(viewer=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404(NOT_FOUND)
    return referral


class ReferralDetailApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()

    @extend_schema(
        tags=TAGS,
        responses={200: ReferralSerializer, 404: OpenApiResponse(description=NOT_FOUND)},
        description="The two parties and moderators only; a moderator's read is audit-logged.",
    )
    def get(self, request: Request, referral_id: int) -> Response:
        referral = _visible_or_404(request, referral_id)
        if request.user.is_moderator:
            referral_audit_record(actor=request.user, referrals=[referral], action=AUDIT_READ)
        return Response(self.get_serializer(referral).data)


TRANSITION_RESPONSES = {
    200: ReferralSerializer,
    400: OpenApiResponse(description="The body is invalid; says what is allowed."),
    403: OpenApiResponse(description="The other party takes this action."),
    404: OpenApiResponse(description=NOT_FOUND),
    409: OpenApiResponse(description="Not allowed from the current status; says what is."),
}


class _ReferralTransitionApi(GenericAPIView):
    permission_classes = [IsAuthenticated]
    serializer_class = ReferralSerializer
    queryset = Referral.objects.none()
    action_name: str
    input_serializer_class: type[StrictSerializer] = ReferralNoInputSerializer

    def _transition(
        self, request: Request, referral_id: int, service: Callable[..., Referral]
    ) -> Response:
        referral = _visible_or_404(request, referral_id)
        # The wrong side hears so before any complaint about the body.
        referral_check_party(referral=referral, actor=request.user, action=self.action_name)
        serializer = self.input_serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        referral = service(referral=referral, actor=request.user, **serializer.validated_data)
        return Response(self.get_serializer(referral).data)


class ReferralAcceptApi(_ReferralTransitionApi):
    action_name = "accept"

    @extend_schema(tags=TAGS, request=None, responses=TRANSITION_RESPONSES)
    def post(self, request: Request, referral_id: int) -> Response:
        """The practitioner accepts a sent referral."""
        return self._transition(request, referral_id, referral_accept)


class ReferralDeclineApi(_ReferralTransitionApi):
    action_name = "decline"

    @extend_schema(tags=TAGS, request=None, responses=TRANSITION_RESPONSES)
    def post(self, request: Request, referral_id: int) -> Response:
        """The practitioner declines a sent referral."""
        return self._transition(request, referral_id, referral_decline)


class ReferralCompleteApi(_ReferralTransitionApi):
    action_name = "complete"
    input_serializer_class = ReferralCompleteInputSerializer

    @extend_schema(
        tags=TAGS, request=ReferralCompleteInputSerializer, responses=TRANSITION_RESPONSES
    )
    def post(self, request: Request, referral_id: int) -> Response:
        """The practitioner completes an accepted referral with its outcome."""
        return self._transition(request, referral_id, referral_complete)


class ReferralCancelApi(_ReferralTransitionApi):
    action_name = "cancel"

    @extend_schema(tags=TAGS, request=None, responses=TRANSITION_RESPONSES)
    def post(self, request: Request, referral_id: int) -> Response:
        """The physician cancels a referral while it is still sent."""
        return self._transition(request, referral_id, referral_cancel)


urlpatterns = [
    path("referrals/", ReferralListApi.as_view(), name="referral-list"),
    path("referrals/<int:referral_id>/", ReferralDetailApi.as_view(), name="referral-detail"),
    *(
        path(f"referrals/<int:referral_id>/{view.action_name}/", view.as_view(), name=name)
        for view, name in [
            (ReferralAcceptApi, "referral-accept"),
            (ReferralDeclineApi, "referral-decline"),
            (ReferralCompleteApi, "referral-complete"),
            (ReferralCancelApi, "referral-cancel"),
        ]
    ),
]
