"""The signed-in user's own things: /api/v1/me/, /me/locations/, /me/experience/ (SPEC §5)."""

from typing import TypeVar

from django.db.models import Model, QuerySet
from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import PolymorphicProxySerializer, extend_schema
from rest_framework import status
from rest_framework.exceptions import NotFound
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from directory.models import ConditionExperience, Location, Role, User
from directory.permissions import IsPractitioner
from directory.selectors.me import experience_list, location_list, me_get, me_practitioner
from directory.serializers.me import (
    MeAccountPatchSerializer,
    MeAccountSerializer,
    MeExperienceInputSerializer,
    MeExperienceSerializer,
    MeLocationInputSerializer,
    MeLocationSerializer,
    MePractitionerPatchSerializer,
    MePractitionerSerializer,
)
from directory.services.profiles import (
    experience_create,
    experience_delete,
    experience_update,
    location_create,
    location_delete,
    location_update,
    profile_update,
)

ME_RESPONSE = PolymorphicProxySerializer(
    component_name="Me",
    serializers={
        Role.PATIENT.value: MeAccountSerializer,
        Role.PHYSICIAN.value: MeAccountSerializer,
        Role.PRACTITIONER.value: MePractitionerSerializer,
    },
    resource_type_field_name="role",
)

T = TypeVar("T", bound=Model)


def _me_body(user: User) -> dict:
    user = me_get(user=user, today=timezone.localdate())
    if me_practitioner(user=user) is not None:
        return MePractitionerSerializer(user).data
    return MeAccountSerializer(user).data


class MeApi(APIView):
    @extend_schema(operation_id="me_retrieve", responses=ME_RESPONSE)
    def get(self, request: Request) -> Response:
        return Response(_me_body(request.user))

    @extend_schema(
        operation_id="me_partial_update",
        # The account's fields are a subset of the practitioner's: one schema, not a oneOf
        # that `{"name": ...}` would match twice.
        request=MePractitionerPatchSerializer,
        responses=ME_RESPONSE,
        description="Everyone may change `name` and `email_notifications`; practitioners also "
        "their profile fields "
        "(anyone else sending them gets a 400 naming the fields they may send).",
    )
    def patch(self, request: Request) -> Response:
        is_practitioner = me_practitioner(user=request.user) is not None
        serializer_class = (
            MePractitionerPatchSerializer if is_practitioner else MeAccountPatchSerializer
        )
        serializer = serializer_class(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        profile_update(user=request.user, changes=serializer.validated_data)
        return Response(_me_body(request.user))


def _one_or_404(rows: QuerySet[T], message: str) -> T:
    # Rows are looked up through the caller's own profile: someone else's id is simply absent.
    row = rows.first()
    if row is None:
        raise NotFound(message)
    return row


class PractitionerOnlyMixin:
    """Practitioners only; everything is looked up through the caller's own profile, so
    another practitioner's row is a 404 that never reveals it exists."""

    permission_classes = [IsAuthenticated, IsPractitioner]
    filter_backends: list = []


class MeLocationListApi(PractitionerOnlyMixin, GenericAPIView):
    serializer_class = MeLocationSerializer

    @extend_schema(operation_id="me_locations_list", responses=MeLocationSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(location_list(practitioner=request.user.practitioner))
        return self.get_paginated_response(MeLocationSerializer(page, many=True).data)

    @extend_schema(
        operation_id="me_locations_create",
        request=MeLocationInputSerializer,
        responses={201: MeLocationSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = MeLocationInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        location = location_create(
            practitioner=request.user.practitioner, **serializer.validated_data
        )
        return Response(MeLocationSerializer(location).data, status=status.HTTP_201_CREATED)


class MeLocationDetailApi(PractitionerOnlyMixin, APIView):
    def _location(self, request: Request, location_id: int) -> Location:
        location = location_list(practitioner=request.user.practitioner).filter(pk=location_id)
        return _one_or_404(location, "You have no location with this id.")

    @extend_schema(operation_id="me_locations_retrieve", responses=MeLocationSerializer)
    def get(self, request: Request, location_id: int) -> Response:
        return Response(MeLocationSerializer(self._location(request, location_id)).data)

    @extend_schema(
        operation_id="me_locations_partial_update",
        request=MeLocationInputSerializer,
        responses=MeLocationSerializer,
    )
    def patch(self, request: Request, location_id: int) -> Response:
        location = self._location(request, location_id)
        serializer = MeLocationInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        location = location_update(location=location, changes=serializer.validated_data)
        return Response(MeLocationSerializer(location).data)

    @extend_schema(operation_id="me_locations_destroy", responses={204: None})
    def delete(self, request: Request, location_id: int) -> Response:
        location_delete(location=self._location(request, location_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


class MeExperienceListApi(PractitionerOnlyMixin, GenericAPIView):
    serializer_class = MeExperienceSerializer

    @extend_schema(operation_id="me_experience_list", responses=MeExperienceSerializer(many=True))
    def get(self, request: Request) -> Response:
        page = self.paginate_queryset(experience_list(practitioner=request.user.practitioner))
        return self.get_paginated_response(MeExperienceSerializer(page, many=True).data)

    @extend_schema(
        operation_id="me_experience_create",
        request=MeExperienceInputSerializer,
        responses={201: MeExperienceSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = MeExperienceInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        experience = experience_create(
            practitioner=request.user.practitioner, **serializer.validated_data
        )
        return Response(MeExperienceSerializer(experience).data, status=status.HTTP_201_CREATED)


class MeExperienceDetailApi(PractitionerOnlyMixin, APIView):
    def _experience(self, request: Request, experience_id: int) -> ConditionExperience:
        experience = experience_list(practitioner=request.user.practitioner)
        return _one_or_404(
            experience.filter(pk=experience_id), "You have no experience entry with this id."
        )

    @extend_schema(operation_id="me_experience_retrieve", responses=MeExperienceSerializer)
    def get(self, request: Request, experience_id: int) -> Response:
        return Response(MeExperienceSerializer(self._experience(request, experience_id)).data)

    @extend_schema(
        operation_id="me_experience_partial_update",
        request=MeExperienceInputSerializer,
        responses=MeExperienceSerializer,
    )
    def patch(self, request: Request, experience_id: int) -> Response:
        experience = self._experience(request, experience_id)
        serializer = MeExperienceInputSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        experience = experience_update(experience=experience, changes=serializer.validated_data)
        return Response(MeExperienceSerializer(experience).data)

    @extend_schema(operation_id="me_experience_destroy", responses={204: None})
    def delete(self, request: Request, experience_id: int) -> Response:
        experience_delete(experience=self._experience(request, experience_id))
        return Response(status=status.HTTP_204_NO_CONTENT)


urlpatterns = [
    path("me/", MeApi.as_view(), name="me"),
    path("me/locations/", MeLocationListApi.as_view(), name="me-locations"),
    path(
        "me/locations/<int:location_id>/",
        MeLocationDetailApi.as_view(),
        name="me-location-detail",
    ),
    path("me/experience/", MeExperienceListApi.as_view(), name="me-experience"),
    path(
        "me/experience/<int:experience_id>/",
        MeExperienceDetailApi.as_view(),
        name="me-experience-detail",
    ),
]
