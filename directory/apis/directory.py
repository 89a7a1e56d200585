"""The public directory: GET /api/v1/practitioners/, /practitioners/{id}/, /conditions/
(SPEC §5). Anyone may read it; the selectors decide what is public."""

from django.db.models import QuerySet
from django.urls import path
from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics
from rest_framework.exceptions import NotFound
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response

from directory.filters.practitioners import PractitionerFilterSet
from directory.models import Condition, PractitionerProfile
from directory.pagination import CountWhenFullPagination
from directory.public_cache import public_cached
from directory.selectors.practitioners import practitioner_detail_get, practitioner_list
from directory.serializers.directory import (
    DirectoryConditionSerializer,
    DirectoryPractitionerDetailSerializer,
    DirectoryPractitionerSerializer,
    practitioner_detail,
    practitioner_rows,
)


class SelectorFilterBackend(DjangoFilterBackend):
    """Documents the view's `filterset_class` in the OpenAPI schema but filters nothing:
    the selector has already applied the FilterSet (it also needs the cleaned values to
    annotate and order), and applying it twice would double the work."""

    def filter_queryset(self, request: Request, queryset: QuerySet, view) -> QuerySet:
        return queryset


class PractitionerListApi(generics.ListAPIView):
    """The serializer documents the rows; practitioner_rows writes them (the same JSON)."""

    permission_classes = [AllowAny]
    serializer_class = DirectoryPractitionerSerializer
    pagination_class = CountWhenFullPagination
    filter_backends = [SelectorFilterBackend]
    filterset_class = PractitionerFilterSet
    queryset = PractitionerProfile.objects.none()  # for the schema; rows come from the selector

    @extend_schema(
        operation_id="practitioners_list",
        responses={
            200: DirectoryPractitionerSerializer(many=True),
            400: OpenApiResponse(description="A query parameter is invalid; says what is allowed."),
        },
    )
    def get(self, request: Request, *args, **kwargs) -> Response:
        # The body's links name the host; the date decides who is qualified.
        key = (
            "list",
            request.get_host(),
            timezone.localdate(),
            sorted(request.query_params.lists()),
        )
        return Response(public_cached(key, self._body))

    def _body(self) -> dict:
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(practitioner_rows(page)).data

    def get_queryset(self) -> QuerySet[PractitionerProfile]:
        return practitioner_list(filters=self.request.query_params, today=timezone.localdate())


class PractitionerDetailApi(generics.GenericAPIView):
    """The serializer documents the body; practitioner_detail writes it (the same JSON)."""

    permission_classes = [AllowAny]
    serializer_class = DirectoryPractitionerDetailSerializer
    queryset = PractitionerProfile.objects.none()  # for the schema; the row comes from the selector

    @extend_schema(
        operation_id="practitioners_retrieve",
        responses={
            200: DirectoryPractitionerDetailSerializer,
            404: OpenApiResponse(description="No active practitioner has this id."),
        },
    )
    def get(self, request: Request, practitioner_id: int) -> Response:
        today = timezone.localdate()

        def body() -> dict:
            try:
                detail = practitioner_detail_get(practitioner_id=practitioner_id, today=today)
            except PractitionerProfile.DoesNotExist:
                raise NotFound("No active practitioner has this id.") from None
            return practitioner_detail(detail, today=today)

        return Response(public_cached(("detail", practitioner_id, today), body))


class ConditionListApi(generics.ListAPIView):
    permission_classes = [AllowAny]
    serializer_class = DirectoryConditionSerializer
    filter_backends: list = []
    # The whole taxonomy, public; "id" keeps pages stable if two names ever tie.
    queryset = Condition.objects.order_by("name", "id")

    @extend_schema(operation_id="conditions_list")
    def get(self, request: Request, *args, **kwargs) -> Response:
        return super().get(request, *args, **kwargs)


urlpatterns = [
    path("practitioners/", PractitionerListApi.as_view(), name="practitioner-list"),
    path(
        "practitioners/<int:practitioner_id>/",
        PractitionerDetailApi.as_view(),
        name="practitioner-detail",
    ),
    path("conditions/", ConditionListApi.as_view(), name="condition-list"),
]
