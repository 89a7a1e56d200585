"""directory.renderers.FastJSONRenderer writes the bytes DRF's JSONRenderer writes."""

import uuid
from datetime import UTC, date, datetime, time
from decimal import Decimal

from django.utils.translation import gettext_lazy
from rest_framework.renderers import JSONRenderer
from rest_framework.settings import api_settings
from rest_framework.utils.serializer_helpers import ReturnDict, ReturnList

from directory.renderers import FastJSONRenderer

DATA = {
    "text": 'Dr. Zoë Ng — 東京 \u2028 line \u2029 para "quoted" \\ back',
    "numbers": [0, -7, 2**62, 0.1, 2.5, -123.456, 1.0],
    "flags": [True, False, None],
    "when": datetime(2026, 12, 2, 15, 30, 0, 123456, tzinfo=UTC),
    "day": date(2026, 12, 2),
    "at": time(9, 30),
    "fee": Decimal("85.50"),
    "id": uuid.UUID("12345678-1234-5678-1234-567812345678"),
    "lazy": gettext_lazy("Not found."),
    "nested": ReturnDict({"rows": ReturnList([{"a": 1}], serializer=None)}, serializer=None),
    "tuple": (1, "two"),
    "empty": {},
    7: "an integer key",
}


def test_it_is_the_api_default():
    assert api_settings.DEFAULT_RENDERER_CLASSES == [FastJSONRenderer]


def test_it_writes_the_bytes_drf_writes():
    fast = FastJSONRenderer().render(DATA, "application/json", {})
    assert fast == JSONRenderer().render(DATA, "application/json", {})
    assert b'"when":"2026-12-02T15:30:00.123456Z"' in fast  # DRF's spelling, not orjson's
    assert b"\\u2028 line \\u2029" in fast


def test_an_indented_body_and_what_orjson_cannot_encode_are_drfs():
    indented = FastJSONRenderer().render({"a": [1]}, "application/json; indent=2", {})
    assert indented == b'{\n  "a": [\n    1\n  ]\n}'
    huge = {"n": 2**70}
    assert (
        FastJSONRenderer().render(huge)
        == JSONRenderer().render(huge)
        == b'{"n":' + str(2**70).encode() + b"}"
    )


def test_nothing_renders_as_an_empty_body():
    assert FastJSONRenderer().render(None) == b""
