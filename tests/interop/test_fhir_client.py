"""A real FHIR client (SMART's fhirclient, whose R4 models refuse any element R4 does not
define) against the live test server over the demo directory: PractitionerRoles treating
sciatica within 25 km of Vancouver, with their Practitioners and Locations included, page
by page through the `next` links; each included resource read again on its own; and the
answer agrees with the directory API's for the same search."""

import pytest
import requests
from django.utils import timezone
from fhirclient.models.bundle import Bundle
from fhirclient.models.location import Location
from fhirclient.models.practitioner import Practitioner
from fhirclient.models.practitionerrole import PractitionerRole
from fhirclient.server import FHIRServer

from directory import geo
from tests.interop.fhir import VANCOUVER, fhir_valid, seed

# The live server answers from its own threads: the demo must be committed
# (transaction=True); serialized_rollback restores the conditions the flush removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

RADIUS_KM = 25
PAGE = 4


def _pages(server: FHIRServer) -> list[Bundle]:
    search = PractitionerRole.where(
        struct={
            "specialty": "sciatica",
            "location.near": f"{VANCOUVER[0]}|{VANCOUVER[1]}|{RADIUS_KM}|km",
            "_count": str(PAGE),
        }
    )
    search.include("practitioner").include("location")
    assert search.construct() == (
        "PractitionerRole?specialty=sciatica&location.near=49.2827%7C-123.1207%7C25%7Ckm"
        f"&_count={PAGE}&_include=PractitionerRole:practitioner"
        "&_include=PractitionerRole:location"
    )
    return list(search.perform_iter(server))


def _directory_answer(base_url: str) -> dict[int, float]:
    """The directory API's practitioners for the same search: id -> distance (km, to the
    nearest clinic, rounded to 0.1 as it shows it)."""
    response = requests.get(
        f"{base_url}/api/v1/practitioners/",
        params={
            "condition": "sciatica",
            "near": f"{VANCOUVER[0]},{VANCOUVER[1]}",
            "radius_km": RADIUS_KM,
            "qualified": "true",
            "page_size": 100,
        },
        timeout=30,
    )
    response.raise_for_status()
    body = response.json()
    assert body["next"] is None  # one page holds them all
    return {row["id"]: row["distance_km"] for row in body["results"]}


def test_fhirclient_search_pages_includes_and_reads_agree_with_the_directory(live_server):
    seed(timezone.localdate())
    server = FHIRServer(None, base_uri=f"{live_server.url}/fhir/")
    try:
        _check_search(server, live_server.url)
    finally:
        # Ends the kept-alive connection now, so that the live server's thread serving it
        # does not outlive the test.
        server.session.close()


def _check_search(server: FHIRServer, base_url: str) -> None:
    pages = _pages(server)
    assert len(pages) > 1  # followed at least one `next` link
    total = pages[0].total
    roles: list[PractitionerRole] = []
    included: dict[str, dict] = {}
    for bundle in pages:
        assert bundle.total == total
        fhir_valid(bundle.as_json())  # and the R4B models agree
        for entry in bundle.entry:
            if entry.search.mode == "match":
                assert isinstance(entry.resource, PractitionerRole)
                roles.append(entry.resource)
            else:
                assert entry.search.mode == "include"
                assert isinstance(entry.resource, Practitioner | Location)
                included[f"{entry.resource.resource_type}/{entry.resource.id}"] = (
                    entry.resource.as_json()
                )
    assert len(roles) == total > PAGE
    assert len({role.id for role in roles}) == total  # no role on two pages

    # Every role's practitioner and location came with its page; read each one again.
    references = {role.practitioner.reference for role in roles} | {
        role.location[0].reference for role in roles
    }
    assert references == set(included)
    for reference, resource in included.items():
        resource_type, id = reference.split("/")
        model = Practitioner if resource_type == "Practitioner" else Location
        assert model.read(id, server).as_json() == resource

    # Each role treats sciatica and its clinic is within 25 km, nearest first.
    distances = []
    for role in roles:
        assert "sciatica" in {coding.code for s in role.specialty for coding in s.coding}
        location = included[role.location[0].reference]
        position = geo.Point(location["position"]["latitude"], location["position"]["longitude"])
        distances.append(geo.great_circle_km(geo.Point(*VANCOUVER), position))
    assert max(distances) <= RADIUS_KM
    assert distances == sorted(distances)

    # The same practitioners as the directory API, each at the same nearest distance.
    nearest: dict[int, float] = {}
    for role, distance in zip(roles, distances, strict=True):
        practitioner_id = int(role.practitioner.reference.split("/")[1])
        nearest[practitioner_id] = min(distance, nearest.get(practitioner_id, distance))
    directory = _directory_answer(base_url)
    assert len(directory) > PAGE
    assert set(nearest) == set(directory)
    assert {pk: round(km, 1) for pk, km in nearest.items()} == directory
