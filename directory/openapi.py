"""The OpenAPI schema's account of errors and limits, in one place (DEFAULT_SCHEMA_CLASS).

Every operation documents the error statuses it can answer with, derived from what its view
runs, so no view repeats them: 400 when it reads a body or query parameters; 401 when it
authenticates (a bad token is refused even where anyone may read); 403 when a permission past
"signed in" can refuse, or CSRF can on a session's write; 404 for an id in the path or a page
past the last; 413 and 415 for a body; 429 where a throttle applies; 503 when the database is
unreachable (config.errors); 414 for an address too long for gunicorn. A view still declares
what only it knows (a 409 from its service, a more precise description); an error it declares
without a body gets the shared error body.

Requests are described as the service parses them: strict input serializers (an unknown
field is a 400) say `additionalProperties: false`; form and multipart encodings are offered
only for flat bodies; an optional filter may be sent empty.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, force_instance
from drf_spectacular.utils import PolymorphicProxySerializer
from rest_framework import serializers
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import SAFE_METHODS, AllowAny, IsAuthenticated

from directory.serializers_base import StrictSerializerMixin

ERROR_DETAIL = {
    "type": "object",
    "description": 'What went wrong, in words: {"detail": "..."}.',
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}
VALIDATION_ERROR = {
    "type": "object",
    "description": (
        'Messages by field ({"email": ["Enter a valid email address."]}; a nested field nests '
        'the same way), "non_field_errors" for the request as a whole, or {"detail": "..."} '
        "when the body could not be read."
    ),
    "additionalProperties": {
        "anyOf": [{"type": "string"}, {"type": "array"}, {"type": "object"}],
    },
    "minProperties": 1,
}
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "minimum": 0},
}

# Answered by gunicorn (config/gunicorn.conf.py) before the request reaches the service.
URI_TOO_LONG = {
    "description": "The address with its query is longer than the server reads "
    "(limit_request_line bytes); answered by the HTTP server, as an HTML page.",
    "content": {"text/html": {"schema": {"type": "string"}}},
}

# status: (description, schema name, headers)
DEFAULT_ERRORS = {
    "400": ("The request is invalid; says what is allowed.", "ValidationError", None),
    "401": ("No valid credentials: the token is missing, unknown or expired.", "Error", None),
    "403": ("This account may not do this; says why.", "Error", None),
    "404": ("Nothing you may see has this id, or the page is past the last.", "Error", None),
    "413": ("The body is larger than the service accepts; says the limit.", "Error", None),
    "415": ("The body's Content-Type is not one of those documented.", "Error", None),
    "429": (
        "Too many requests of this kind; try again later.",
        "Error",
        {"Retry-After": RETRY_AFTER},
    ),
    "503": (
        "The database could not be reached; nothing was changed. Try again shortly.",
        "Error",
        {"Retry-After": {**RETRY_AFTER, "required": True}},
    ),
}


NESTED_FIELDS = (serializers.ListField, serializers.DictField, serializers.BaseSerializer)


def _flat(serializer) -> bool:
    serializer = force_instance(serializer)
    if isinstance(serializer, PolymorphicProxySerializer):
        parts = serializer.serializers
        return all(_flat(part) for part in (parts.values() if isinstance(parts, dict) else parts))
    if not isinstance(serializer, serializers.Serializer):
        return True
    writable = [field for field in serializer.fields.values() if not field.read_only]
    return not any(isinstance(field, NESTED_FIELDS) for field in writable)


class ErrorDocumentingAutoSchema(AutoSchema):
    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None:
            self._document_empty_query_values(operation)
            self._document_errors(operation)
        return operation

    def _get_request_body(self, direction="request"):
        body = super()._get_request_body(direction)
        multipart = (body or {}).get("content", {}).get("multipart/form-data")
        if multipart and not body.get("required"):
            # directory.parsers: a multipart body of no parts is a 400 (send no body instead).
            multipart["schema"] = {"allOf": [multipart["schema"]], "minProperties": 1}
        return body

    def _document_empty_query_values(self, operation: dict) -> None:
        """An optional filter given empty (`?status=`) is the same as absent; the page
        numbers are the exception (StrictPageNumberPagination refuses them)."""
        paginator = self._get_paginator()
        pages = {paginator.page_query_param, paginator.page_size_query_param} if paginator else ()
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "query" and not parameter.get("required"):
                if parameter["name"] not in pages:
                    parameter["allowEmptyValue"] = True

    def _map_serializer(self, serializer, direction, bypass_extensions=False):
        schema = super()._map_serializer(serializer, direction, bypass_extensions)
        if (
            direction == "request"
            and isinstance(serializer, StrictSerializerMixin)
            and schema.get("type") == "object"
        ):
            schema["additionalProperties"] = False
        return schema

    def map_parsers(self) -> list[str]:
        """Form and multipart bodies are flat (a name, its values): a body that nests, or
        holds a list that may be empty, is documented as JSON only."""
        media_types = super().map_parsers()
        if _flat(self.get_request_serializer()):
            return media_types
        return [media_type for media_type in media_types if media_type == "application/json"]

    def _get_filter_parameters(self) -> list[dict]:
        """django-filter's parameters, with the length limit each text filter enforces."""
        parameters = super()._get_filter_parameters()
        filterset = getattr(self.view, "filterset_class", None)
        for parameter in parameters:
            declared = filterset.base_filters.get(parameter["name"]) if filterset else None
            max_length = declared.extra.get("max_length") if declared else None
            if max_length and parameter["schema"].get("type") == "string":
                parameter["schema"]["maxLength"] = max_length
        return parameters

    def error_statuses(self, operation: dict) -> set[str]:
        """The error statuses this operation can answer with, judged from its view."""
        query = {p["name"] for p in operation.get("parameters", []) if p["in"] == "query"}
        body = "requestBody" in operation
        statuses = {"414", "503"}
        if body or query:
            statuses.add("400")
        if body:
            statuses |= {"413", "415"}
        if self.view.get_authenticators():
            statuses.add("401")
        if self._may_forbid():
            statuses.add("403")
        if "{" in self.path or "page" in query:
            statuses.add("404")
        if self.view.get_throttles():
            statuses.add("429")
        return statuses

    def _may_forbid(self) -> bool:
        """A permission past "signed in" can refuse, and so can CSRF on a session's write."""
        permissions = self.view.get_permissions()
        if any(not isinstance(p, (AllowAny, IsAuthenticated)) for p in permissions):
            return True
        sessions = any(isinstance(a, SessionAuthentication) for a in self.view.get_authenticators())
        return sessions and self.method not in SAFE_METHODS

    def _document_errors(self, operation: dict) -> None:
        responses = operation["responses"]
        for status in sorted(self.error_statuses(operation) | set(responses)):
            if status < "400":
                continue
            if status == "414":
                responses[status] = URI_TOO_LONG
                continue
            description, schema_name, headers = DEFAULT_ERRORS.get(status, ("", "Error", None))
            response = responses.setdefault(status, {"description": description})
            if "content" not in response:
                # A view's own description stays; the body is the shared one.
                response["content"] = {
                    "application/json": {"schema": self._error_schema(schema_name)}
                }
            if headers and "headers" not in response:
                response["headers"] = headers
        operation["responses"] = dict(sorted(responses.items()))

    def _error_schema(self, name: str) -> dict:
        schema = VALIDATION_ERROR if name == "ValidationError" else ERROR_DETAIL
        component = ResolvedComponent(
            name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
        )
        self.registry.register_on_missing(component)
        return component.ref
