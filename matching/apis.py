from drf_spectacular.utils import extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.presenters import match_body, match_request_parse
from matching.serializers import MatchRequestSerializer, MatchResponseSerializer
from matching.services import match_run


class MatchApi(APIView):
    """Rank qualified practitioners for one patient's condition, explaining every rank.

    POST so that health answers never land in URLs or access logs. Nothing in the
    request is stored or logged.
    """

    permission_classes = [AllowAny]
    # Anonymous by design: nothing in a match depends on who asks, so no sign-in is read.
    authentication_classes: list = []

    @extend_schema(request=MatchRequestSerializer, responses=MatchResponseSerializer)
    def post(self, request: Request) -> Response:
        result = match_run(request=match_request_parse(request.data))
        return Response(match_body(result))
