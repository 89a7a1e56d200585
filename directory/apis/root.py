"""GET /api/v1/: where the API describes itself."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class ApiRootApi(APIView):
    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(
        operation_id="api_root",
        description="Links to the OpenAPI schema and its browsable documentation.",
        responses=inline_serializer(
            "ApiRoot",
            {"schema": serializers.CharField(), "docs": serializers.CharField()},
        ),
    )
    def get(self, request: Request) -> Response:
        return Response({"schema": reverse("schema"), "docs": reverse("docs")})
