"""Reviews (SPEC §3, §5): POST /me/invitations/, GET/POST /practitioners/{id}/reviews/,
POST /reviews/{id}/reply/ and /flag/, and the moderators' GET /moderation/reviews/ and
POST /moderation/reviews/{id}/remove/. Paths are relative to /api/v1/."""

from django.urls import path
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import AllowAny, BasePermission, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.models import Review
from directory.permissions import IsModerator, IsPractitioner
from directory.selectors.reviews import (
    review_get,
    review_list_moderation,
    review_list_public,
    review_moderation_get,
    review_practitioner_get,
)
from directory.serializers.reviews import (
    ReviewFlagInputSerializer,
    ReviewFlagResultSerializer,
    ReviewInvitationInputSerializer,
    ReviewInvitationSerializer,
    ReviewItemSerializer,
    ReviewModerationItemSerializer,
    ReviewModerationQuerySerializer,
    ReviewRemoveInputSerializer,
    ReviewReplyInputSerializer,
    ReviewSubmitInputSerializer,
)
from directory.services.invitations import invitation_issue
from directory.services.reviews import (
    REVIEW_AUTHOR_MESSAGE,
    review_author_allowed,
    review_flag,
    review_remove,
    review_reply,
    review_submit,
)
from directory.throttling import LiveScopedRateThrottle

TAGS = ["reviews"]
MODERATION_TAGS = ["moderation"]


def _problem(description: str) -> OpenApiResponse:
    return OpenApiResponse(description=description)


class WritesReviews(BasePermission):
    message = REVIEW_AUTHOR_MESSAGE

    def has_permission(self, request, view) -> bool:
        return review_author_allowed(request.user)


class InvitationCreateApi(APIView):
    permission_classes = [IsAuthenticated, IsPractitioner]
    throttle_classes = [LiveScopedRateThrottle]
    throttle_scope = "invitations"

    @extend_schema(
        tags=TAGS,
        operation_id="me_invitations_create",
        request=ReviewInvitationInputSerializer,
        responses={
            201: ReviewInvitationSerializer,
            400: _problem("An unknown field, or `email` is not an e-mail address."),
            403: _problem("Not a practitioner account."),
        },
        description="Issues a single-use review invitation code, valid "
        "INVITATION_TTL_DAYS days. The code is shown only in this response and, with "
        "`email`, e-mailed once to that address, which is not stored.",
    )
    def post(self, request: Request) -> Response:
        serializer = ReviewInvitationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        invitation, code = invitation_issue(
            practitioner=request.user.practitioner, email=serializer.validated_data.get("email")
        )
        body = ReviewInvitationSerializer({"code": code, "expires_at": invitation.expires_at})
        return Response(body.data, status=status.HTTP_201_CREATED)


class PractitionerReviewListApi(GenericAPIView):
    serializer_class = ReviewItemSerializer
    queryset = Review.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []
    throttle_scope = "review_create"

    def get_permissions(self) -> list[BasePermission]:
        if self.request.method == "POST":
            return [IsAuthenticated(), WritesReviews()]
        return [AllowAny()]

    def get_throttles(self) -> list:
        # Reading is free; only writing a review is rate-limited.
        return [LiveScopedRateThrottle()] if self.request.method == "POST" else []

    @extend_schema(
        tags=TAGS,
        operation_id="practitioners_reviews_list",
        responses={
            200: ReviewItemSerializer(many=True),
            404: _problem("No active practitioner has this id."),
        },
        description="Live reviews of an active practitioner, newest first.",
    )
    def get(self, request: Request, practitioner_id: int) -> Response:
        practitioner = review_practitioner_get(practitioner_id=practitioner_id)
        page = self.paginate_queryset(review_list_public(practitioner=practitioner))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        tags=TAGS,
        operation_id="practitioners_reviews_create",
        request=ReviewSubmitInputSerializer,
        responses={
            201: ReviewItemSerializer,
            200: OpenApiResponse(
                ReviewItemSerializer, description="Your earlier review was replaced by this one."
            ),
            400: _problem("A field is invalid; says what is allowed."),
            403: _problem("Not a patient account, or a practitioner reviewing themself."),
            404: _problem("No active practitioner has this id."),
            409: _problem("A moderator removed your review of this practitioner."),
        },
        description="One review per patient per practitioner: a second submission replaces "
        "the first (200) and clears the practitioner's reply to it.",
    )
    def post(self, request: Request, practitioner_id: int) -> Response:
        practitioner = review_practitioner_get(practitioner_id=practitioner_id)
        serializer = ReviewSubmitInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review, created = review_submit(
            author=request.user, practitioner=practitioner, **serializer.validated_data
        )
        code = status.HTTP_201_CREATED if created else status.HTTP_200_OK
        return Response(ReviewItemSerializer(review).data, status=code)


class ReviewReplyApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reviews_reply",
        request=ReviewReplyInputSerializer,
        responses={
            200: ReviewItemSerializer,
            403: _problem("Only the reviewed practitioner may reply."),
            404: _problem("No review has this id."),
            409: _problem("Already replied."),
        },
    )
    def post(self, request: Request, review_id: int) -> Response:
        serializer = ReviewReplyInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_reply(review_id=review_id, user=request.user, **serializer.validated_data)
        return Response(ReviewItemSerializer(review_get(review_id=review_id)).data)


class ReviewFlagApi(APIView):
    @extend_schema(
        tags=TAGS,
        operation_id="reviews_flag",
        request=ReviewFlagInputSerializer,
        responses={
            201: ReviewFlagResultSerializer,
            200: OpenApiResponse(
                ReviewFlagResultSerializer, description="You had already flagged this review."
            ),
            404: _problem("No review has this id."),
        },
    )
    def post(self, request: Request, review_id: int) -> Response:
        serializer = ReviewFlagInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        _flag, created = review_flag(
            review_id=review_id, user=request.user, **serializer.validated_data
        )
        body = ReviewFlagResultSerializer({"review": review_id, "flagged": True}).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ModerationReviewListApi(GenericAPIView):
    permission_classes = [IsModerator]
    serializer_class = ReviewModerationItemSerializer
    queryset = Review.objects.none()  # for the schema; rows come from the selector
    filter_backends: list = []

    @extend_schema(
        tags=MODERATION_TAGS,
        operation_id="moderation_reviews_list",
        parameters=[ReviewModerationQuerySerializer],
        responses={200: ReviewModerationItemSerializer(many=True)},
        description="Every review, removed ones included, most flagged first.",
    )
    def get(self, request: Request) -> Response:
        query = ReviewModerationQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        flagged = query.validated_data.get("flagged")
        reviews = review_list_moderation(flagged=None if flagged is None else flagged == "true")
        page = self.paginate_queryset(reviews)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


class ModerationReviewRemoveApi(APIView):
    permission_classes = [IsModerator]

    @extend_schema(
        tags=MODERATION_TAGS,
        operation_id="moderation_reviews_remove",
        request=ReviewRemoveInputSerializer,
        responses={
            200: ReviewModerationItemSerializer,
            404: _problem("No review has this id."),
            409: _problem("Already removed."),
        },
    )
    def post(self, request: Request, review_id: int) -> Response:
        serializer = ReviewRemoveInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        review_remove(review_id=review_id, moderator=request.user, **serializer.validated_data)
        review = review_moderation_get(review_id=review_id)
        return Response(ReviewModerationItemSerializer(review).data)


urlpatterns = [
    path("me/invitations/", InvitationCreateApi.as_view(), name="me-invitation-create"),
    path(
        "practitioners/<int:practitioner_id>/reviews/",
        PractitionerReviewListApi.as_view(),
        name="practitioner-review-list",
    ),
    path("reviews/<int:review_id>/reply/", ReviewReplyApi.as_view(), name="review-reply"),
    path("reviews/<int:review_id>/flag/", ReviewFlagApi.as_view(), name="review-flag"),
    path(
        "moderation/reviews/",
        ModerationReviewListApi.as_view(),
        name="moderation-review-list",
    ),
    path(
        "moderation/reviews/<int:review_id>/remove/",
        ModerationReviewRemoveApi.as_view(),
        name="moderation-review-remove",
    ),
]
