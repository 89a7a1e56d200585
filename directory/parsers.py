"""Request body parsers with a bound on nesting.

A body such as 950 nested arrays is 1.9 KB, but Python's JSON decoder recurses once per level
and its RecursionError is no ValueError, so DRF would let it escape as a 500. No request of
this API nests deeper than a few levels; anything past MAX_NESTING is refused with a 400 that
says so. Form and multipart bodies are flat (key → values) and cannot nest.

A multipart body with no parts at all is refused too: it is what a client's encoder makes
of a body it could not encode (a list, a bare string), and read as "no fields" it would pass
wherever every field is optional.
"""

from rest_framework.exceptions import ParseError
from rest_framework.parsers import DataAndFiles, JSONParser, MultiPartParser

MAX_NESTING = 64
NESTING_MESSAGE = (
    f"JSON parse error - the body nests arrays and objects more than {MAX_NESTING} levels "
    "deep; send a flatter body."
)


def nesting_depth(data) -> int:
    """Levels of arrays and objects; walked without recursion, so any depth is safe."""
    deepest = 0
    pending = [(data, 1)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict):
            children = value.values()
        elif isinstance(value, list):
            children = value
        else:
            continue
        deepest = max(deepest, depth)
        if depth > MAX_NESTING:
            break
        pending.extend((child, depth + 1) for child in children)
    return deepest


class BoundedJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(NESTING_MESSAGE) from None
        if nesting_depth(data) > MAX_NESTING:
            raise ParseError(NESTING_MESSAGE)
        return data


EMPTY_MULTIPART_MESSAGE = (
    "Multipart form parse error - the body has no parts; send the fields, or no body at all."
)


class NonEmptyMultiPartParser(MultiPartParser):
    def parse(self, stream, media_type=None, parser_context=None) -> DataAndFiles:
        parsed = super().parse(stream, media_type, parser_context)
        if not parsed.data and not parsed.files:
            raise ParseError(EMPTY_MULTIPART_MESSAGE)
        return parsed
