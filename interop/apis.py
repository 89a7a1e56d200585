"""The read-only FHIR R4 API under /fhir/ (issue 13): reads, searches with Bundle paging and
_include, the CapabilityStatement and our CodeSystems. Public, like the directory.

The views parse (interop.params), ask the selectors for the matching rows and hand them to
interop.resources, which builds every resource; they hold no rule of their own. A search
costs the same few queries whatever the page size: a count, the page's ids, the page's
resources and each _include's resources (tests pin it).
"""

from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from django.utils import timezone
from django.views import View

from interop import codesystems, resources, selectors
from interop.outcome import fhir_response, operation_outcome, outcome_response
from interop.params import Search, SearchError, capability_statement, search_parse

LOCATION_DISTANCE_URL = "http://hl7.org/fhir/StructureDefinition/location-distance"


def fhir_base(request: HttpRequest) -> str:
    """The API's absolute base URL, as the client reached it (for fullUrl and links)."""
    return request.build_absolute_uri(reverse("fhir-metadata")).removesuffix("/metadata")


class FhirView(View):
    """GET (and HEAD) only: the API is read-only."""

    http_method_names = ["get", "head"]

    def http_method_not_allowed(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        return outcome_response(
            status=405,
            code="not-supported",
            diagnostics="The FHIR API is read-only: use GET.",
            headers={"Allow": "GET, HEAD"},
        )


class MetadataApi(FhirView):
    def get(self, request: HttpRequest) -> JsonResponse:
        return fhir_response(capability_statement(base_url=fhir_base(request)))


class CodeSystemApi(FhirView):
    def get(self, request: HttpRequest, name: str) -> JsonResponse:
        code_system = codesystems.code_system_resource(name)
        if code_system is None:
            return outcome_response(
                status=404,
                code="not-found",
                diagnostics=f"No CodeSystem has id {name!r}; the code systems are "
                f"{', '.join(codesystems.CODE_SYSTEMS)}.",
            )
        return fhir_response(code_system)


class ReadApi(FhirView):
    resource_type = ""

    def get(self, request: HttpRequest, id: str) -> JsonResponse:
        found = resources.resource_by_id(self.resource_type, id, timezone.localdate())
        if found is None:
            return outcome_response(
                status=404,
                code="not-found",
                diagnostics=f"No published {self.resource_type} has id {id!r}.",
            )
        return fhir_response(found)


class SearchApi(FhirView):
    resource_type = ""

    def get(self, request: HttpRequest) -> JsonResponse:
        try:
            search = search_parse(
                self.resource_type, request.GET, conditions_system=resources.system("conditions")
            )
        except SearchError as error:
            return _bad_search(error)
        today = timezone.localdate()
        try:
            rows = _matching_rows(search, today=today)
        except SearchError as error:
            return _bad_search(error)
        return fhir_response(_bundle(request, search, rows, today=today))


def _bad_search(error: SearchError) -> JsonResponse:
    issues = []
    if error.unsupported:
        issues += operation_outcome(code="not-supported", diagnostics=error.unsupported)["issue"]
    if error.invalid:
        issues += operation_outcome(code="invalid", diagnostics=error.invalid)["issue"]
    return fhir_response({"resourceType": "OperationOutcome", "issue": issues}, status=400)


def _matching_rows(search: Search, *, today) -> QuerySet:
    """The selector's rows for the search. Raises SearchError for an unknown code."""
    if search.resource_type == "Practitioner":
        return selectors.practitioner_search(today=today, ids=search.ids, name=search.name)
    if search.resource_type == "VerificationResult":
        return selectors.credential_search(
            today=today, ids=search.ids, practitioner_ids=search.practitioner_ids
        )
    conditions = None
    if search.specialties is not None:
        conditions = selectors.conditions_by_slug(search.specialties)
        unknown = [code for code in search.specialties if code not in conditions]
        if unknown:
            known = ", ".join(condition.slug for condition in selectors.condition_list())
            message = (
                f"Unknown specialty code(s): {', '.join(unknown)}. The codes "
                f"(/fhir/CodeSystem/conditions) are: {known}."
            )
            raise SearchError(unsupported=[], invalid=[message])
        conditions = list(conditions.values())
    ids = search.ids
    if search.location_ids is not None:  # a role's id is its clinic's
        ids = search.location_ids if ids is None else sorted(set(ids) & set(search.location_ids))
    near = search.near
    return selectors.location_search(
        today=today,
        ids=ids,
        practitioner_ids=search.practitioner_ids,
        conditions=conditions,
        city=search.city,
        near=near.point if near else None,
        radius_km=near.radius_km if near else None,
    )


def _bundle(request: HttpRequest, search: Search, rows, *, today) -> dict:
    total = rows.count()
    window = rows[search.offset : search.offset + search.count]
    if search.resource_type == "Location" and search.near is not None:
        page = list(window.values_list("pk", "distance_km"))
    else:
        page = [(pk, None) for pk in window.values_list("pk", flat=True)]
    base = fhir_base(request)
    matches = resources.resources_by_ids(search.resource_type, [pk for pk, _ in page], today=today)
    distances = dict(page)
    entries = [_entry(base, resource, distances.get(int(resource["id"]))) for resource in matches]
    for included in _included(search, matches, today=today):
        entries.append({**_entry(base, included, None), "search": {"mode": "include"}})
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": _links(base, search, total),
        "entry": entries,
    }


def _entry(base: str, resource: dict, distance_km: float | None) -> dict:
    search = {"mode": "match"}
    if distance_km is not None:
        distance = {
            "value": round(distance_km, 3),
            "unit": "km",
            "system": "http://unitsofmeasure.org",
            "code": "km",
        }
        search["extension"] = [{"url": LOCATION_DISTANCE_URL, "valueDistance": distance}]
    return {
        "fullUrl": f"{base}/{resource['resourceType']}/{resource['id']}",
        "resource": resource,
        "search": search,
    }


def _included(search: Search, roles: list[dict], *, today) -> list[dict]:
    """The Practitioners and Locations the page's roles point at, each once."""
    included = []
    if "practitioner" in search.includes:
        ids = [int(role["practitioner"]["reference"].split("/")[1]) for role in roles]
        included += resources.resources_by_ids("Practitioner", sorted(set(ids)), today=today)
    if "location" in search.includes:
        ids = [int(role["location"][0]["reference"].split("/")[1]) for role in roles]
        included += resources.resources_by_ids("Location", ids, today=today)
    return included


def _links(base: str, search: Search, total: int) -> list[dict]:
    def url(offset: int) -> str:
        query = search.query + ([("_offset", str(offset))] if offset else [])
        return f"{base}/{search.resource_type}" + (f"?{urlencode(query)}" if query else "")

    links = [{"relation": "self", "url": url(search.offset)}]
    if search.offset + search.count < total:
        links.append({"relation": "next", "url": url(search.offset + search.count)})
    if search.offset > 0:
        links.append({"relation": "previous", "url": url(max(0, search.offset - search.count))})
    return links
