"""The FHIR API's search parameters: what each resource type accepts (declared once, for
the parser and the CapabilityStatement alike) and the parser that turns a query string
into a Search, or into every problem with it at once (a 400 OperationOutcome).

Parsing only: no database. Which rows match is interop.selectors' job; the statement's
profiles and resource types are interop.resources'.
"""

import math
from dataclasses import dataclass, field

from django.http import QueryDict

from directory import geo
from directory.limits import (
    LAT_MAX,
    LAT_MIN,
    LNG_MAX,
    LNG_MIN,
    RADIUS_DEFAULT_KM,
    RADIUS_MAX_KM,
    SEARCH_TEXT_MAX,
)
from interop.resources import PROFILES, RESOURCE_TYPES

COUNT_DEFAULT = 20
COUNT_MAX = 100
OFFSET_MAX = 1_000_000
# Values of one comma-separated (OR) list.
VALUES_MAX = 100
ID_MAX = 64  # FHIR's id: 1..64 characters
FORMATS = ("json", "application/json", "application/fhir+json")
INCLUDES = {
    "PractitionerRole:practitioner": "practitioner",
    "PractitionerRole:practitioner:Practitioner": "practitioner",
    "PractitionerRole:location": "location",
    "PractitionerRole:location:Location": "location",
}


@dataclass(frozen=True)
class Param:
    name: str
    type: str  # FHIR's search parameter type
    documentation: str


_ID = Param("_id", "token", "Resource ids, comma-separated (any of them).")
SEARCH_PARAMS: dict[str, tuple[Param, ...]] = {
    "Practitioner": (
        _ID,
        Param(
            "name",
            "string",
            "A word of the practitioner's name starts with it (case-insensitive).",
        ),
    ),
    "PractitionerRole": (
        _ID,
        Param(
            "specialty",
            "token",
            "Condition codes from /fhir/CodeSystem/conditions (code or system|code), "
            "comma-separated: practitioners who report experience with any of them.",
        ),
        Param("practitioner", "reference", "Practitioner/<id> (or <id>), comma-separated."),
        Param("location", "reference", "Location/<id> (or <id>), comma-separated."),
        Param(
            "location.near",
            "special",
            "lat|lng|distance|km: roles whose clinic is within the distance (great-circle; "
            f"default {RADIUS_DEFAULT_KM:g} km, at most {RADIUS_MAX_KM:g}), nearest first.",
        ),
    ),
    "Location": (
        _ID,
        Param(
            "near",
            "special",
            "lat|lng|distance|km: clinics within the distance (great-circle; default "
            f"{RADIUS_DEFAULT_KM:g} km, at most {RADIUS_MAX_KM:g}), nearest first.",
        ),
        Param("address-city", "string", "City the clinic's city starts with (case-insensitive)."),
    ),
    "VerificationResult": (
        _ID,
        Param("target", "reference", "Practitioner/<id> (or <id>), comma-separated."),
    ),
}
# Accepted by every search: paging, and _format (only JSON is served).
COMMON_PARAMS = ("_count", "_offset", "_format")
SEARCH_INCLUDES = {
    "PractitionerRole": ("PractitionerRole:practitioner", "PractitionerRole:location")
}


@dataclass(frozen=True)
class Near:
    point: geo.Point
    radius_km: float


@dataclass(frozen=True)
class Search:
    resource_type: str
    count: int = COUNT_DEFAULT
    offset: int = 0
    ids: list[int] | None = None
    name: str | None = None
    specialties: list[str] | None = None
    practitioner_ids: list[int] | None = None
    location_ids: list[int] | None = None
    near: Near | None = None
    city: str | None = None
    includes: tuple[str, ...] = ()
    # The query as given, without _offset: what the Bundle's links repeat.
    query: list[tuple[str, str]] = field(default_factory=list)


class SearchError(Exception):
    """Every problem with a query: `unsupported` parameters and `invalid` values."""

    def __init__(self, *, unsupported: list[str], invalid: list[str]) -> None:
        super().__init__("; ".join(unsupported + invalid))
        self.unsupported = unsupported
        self.invalid = invalid


def supported_names(resource_type: str) -> list[str]:
    names = [param.name for param in SEARCH_PARAMS[resource_type]]
    if resource_type in SEARCH_INCLUDES:
        names.append("_include")
    return [*names, *COMMON_PARAMS]


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


NEAR_MESSAGE = (
    f"{{name}} must be lat|lng|distance|km with lat in {LAT_MIN:g}..{LAT_MAX:g}, lng in "
    f"{LNG_MIN:g}..{LNG_MAX:g} and a distance greater than 0 and at most {RADIUS_MAX_KM:g} "
    f"(kilometres; default {RADIUS_DEFAULT_KM:g}), e.g. 49.2827|-123.1207|25|km."
)


def parse_near(name: str, text: str) -> Near:
    parts = text.split("|")
    message = NEAR_MESSAGE.format(name=name)
    if not 2 <= len(parts) <= 4:
        raise ValueError(f"{message} Got {len(parts)} part(s).")
    if len(parts) == 4 and parts[3] not in ("km", ""):
        raise ValueError(f"{message} Unknown unit {parts[3]!r}: only km is supported.")
    lat, lng = _number(parts[0]), _number(parts[1])
    if lat is None or lng is None or not (LAT_MIN <= lat <= LAT_MAX and LNG_MIN <= lng <= LNG_MAX):
        raise ValueError(message)
    radius = RADIUS_DEFAULT_KM
    if len(parts) >= 3 and parts[2] != "":
        radius = _number(parts[2])
        if radius is None or not 0 < radius <= RADIUS_MAX_KM:
            raise ValueError(message)
    return Near(geo.Point(lat, lng), radius)


def _values(name: str, text: str) -> list[str]:
    values = [value.strip() for value in text.split(",")]
    if len(values) > VALUES_MAX:
        raise ValueError(f"{name} takes at most {VALUES_MAX} comma-separated values.")
    if any(not value for value in values):
        raise ValueError(f"{name} has an empty value; separate values with single commas.")
    return values


def parse_ids(name: str, text: str) -> list[int]:
    """Ids that cannot exist (not digits: ours are numbers) match nothing."""
    values = _values(name, text)
    if any(len(value) > ID_MAX for value in values):
        raise ValueError(f"{name}: an id has at most {ID_MAX} characters.")
    return [int(value) for value in values if value.isdigit() and len(value) <= 18]


def parse_references(name: str, text: str, resource_type: str) -> list[int]:
    ids = []
    for value in _values(name, text):
        kind, _, pk = value.rpartition("/")
        if kind not in ("", resource_type):
            raise ValueError(f"{name} takes {resource_type}/<id> or <id>; got {value!r}.")
        if not pk or len(pk) > ID_MAX:
            raise ValueError(f"{name} takes {resource_type}/<id> or <id>; got {value!r}.")
        if pk.isdigit() and len(pk) <= 18:
            ids.append(int(pk))
    return ids


def parse_tokens(name: str, text: str, system_url: str) -> list[str]:
    """Codes of our own system: `code` or `system|code`."""
    codes = []
    for value in _values(name, text):
        token_system, bar, code = value.rpartition("|")
        if bar and token_system != system_url:
            raise ValueError(f"{name}: use codes of {system_url} (code or system|code).")
        codes.append(code)
    return codes


def parse_text(name: str, text: str) -> str:
    if len(text) > SEARCH_TEXT_MAX:
        raise ValueError(f"{name} takes at most {SEARCH_TEXT_MAX} characters.")
    return text.strip()


def parse_int(name: str, text: str, low: int, high: int) -> int:
    if not text.isdigit() or not low <= int(text) <= high:
        raise ValueError(f"{name} must be a whole number from {low} to {high}.")
    return int(text)


def _field(name: str, text: str, *, resource_type: str, conditions_system: str) -> dict:
    """The Search fields one parameter sets; raises ValueError with what is allowed."""
    if name == "_count":
        return {"count": parse_int(name, text, 1, COUNT_MAX)}
    if name == "_offset":
        return {"offset": parse_int(name, text, 0, OFFSET_MAX)}
    if name == "_format":
        if text.replace(" ", "+") not in FORMATS:
            raise ValueError(f"_format: only JSON is served ({', '.join(FORMATS)}).")
        return {}
    if name == "_id":
        return {"ids": parse_ids(name, text)}
    if name == "name":
        return {"name": parse_text(name, text)}
    if name == "address-city":
        return {"city": parse_text(name, text)}
    if name in ("near", "location.near"):
        return {"near": parse_near(name, text)}
    if name == "specialty":
        return {"specialties": parse_tokens(name, text, conditions_system)}
    if name in ("practitioner", "target"):
        return {"practitioner_ids": parse_references(name, text, "Practitioner")}
    if name == "location":
        return {"location_ids": parse_references(name, text, "Location")}
    raise AssertionError(name)  # every supported name is handled above


def _includes(values: list[str]) -> tuple[tuple[str, ...], list[str]]:
    unknown = [value for value in values if value not in INCLUDES]
    allowed = ", ".join(SEARCH_INCLUDES["PractitionerRole"])
    errors = [f"_include {value!r} is not supported; use {allowed}." for value in unknown]
    return tuple(dict.fromkeys(INCLUDES[v] for v in values if v in INCLUDES)), errors


def search_parse(resource_type: str, query: QueryDict, *, conditions_system: str) -> Search:
    """The Search a query asks for. Raises SearchError naming every unsupported parameter
    and every invalid value, with what is allowed. An empty value counts as absent."""
    supported = supported_names(resource_type)
    unsupported = sorted(name for name in query if name not in supported)
    invalid: list[str] = []
    fields: dict = {}
    for name in (name for name in query if name in supported):
        values = [value for value in query.getlist(name) if value != ""]
        if any("\x00" in value for value in values):
            invalid.append(f"{name} contains a NUL character.")
        elif name == "_include":
            fields["includes"], errors = _includes(values)
            invalid += errors
        elif len(values) > 1:
            invalid.append(f"Give {name} once (separate alternatives with commas).")
        elif values:
            try:
                fields |= _field(
                    name,
                    values[0],
                    resource_type=resource_type,
                    conditions_system=conditions_system,
                )
            except ValueError as error:
                invalid.append(str(error))
    if unsupported:
        unsupported = [
            f"Unsupported search parameter(s) for {resource_type}: {', '.join(unsupported)}. "
            f"Supported: {', '.join(supported)}."
        ]
    if unsupported or invalid:
        raise SearchError(unsupported=unsupported, invalid=invalid)
    kept = [(name, value) for name, value in query.lists() if name != "_offset"]
    flat = [(name, value) for name, values in kept for value in values if value != ""]
    return Search(resource_type=resource_type, query=flat, **fields)


BULK_EXPORT_DEFINITION = "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export"


def capability_statement(*, base_url: str) -> dict:
    """GET /fhir/metadata: FHIR 4.0.1, JSON, each resource's reads, searches and includes."""
    common = [
        {"name": "_count", "type": "number", "documentation": f"Page size, 1..{COUNT_MAX}."},
        {
            "name": "_offset",
            "type": "number",
            "documentation": "Rows to skip (the Bundle's next/previous links carry it).",
        },
    ]
    resources = []
    for resource_type in RESOURCE_TYPES:
        resource = {
            "type": resource_type,
            "interaction": [{"code": "read"}, {"code": "search-type"}],
            "searchParam": [
                {"name": p.name, "type": p.type, "documentation": p.documentation}
                for p in SEARCH_PARAMS[resource_type]
            ]
            + common,
        }
        if resource_type in PROFILES:
            resource["supportedProfile"] = [PROFILES[resource_type]]
        if resource_type in SEARCH_INCLUDES:
            resource["searchInclude"] = list(SEARCH_INCLUDES[resource_type])
        resources.append(resource)
    resources.append({"type": "CodeSystem", "interaction": [{"code": "read"}], "searchParam": []})
    for resource in resources:
        if not resource["searchParam"]:
            del resource["searchParam"]
    return {
        "resourceType": "CapabilityStatement",
        "id": "ims-directory",
        "status": "active",
        "date": "2026-12-02",
        "publisher": "IMS Practitioner Directory",
        "kind": "instance",
        "software": {"name": "IMS Practitioner Directory"},
        "implementation": {
            "description": "Read-only provider directory of IMS practitioners",
            "url": base_url,
        },
        "fhirVersion": "4.0.1",
        "format": ["json", "application/fhir+json"],
        "rest": [
            {
                "mode": "server",
                "resource": resources,
                # GET /fhir/$export (interop.export_apis), README "FHIR bulk export".
                "operation": [{"name": "export", "definition": BULK_EXPORT_DEFINITION}],
            }
        ],
    }
