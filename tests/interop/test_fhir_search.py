"""GET /fhir/...: reads, searches (each parameter with a row that matches and one that does
not), Bundle paging and _include, the CapabilityStatement, errors as OperationOutcomes,
and a query count that does not grow with the page."""

import logging

import pytest
from django.utils import timezone

from directory import geo
from directory.models import Condition
from interop.params import SEARCH_PARAMS
from interop.resources import RESOURCE_TYPES, resource_by_id
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    PractitionerFactory,
    qualified_practitioner,
)
from tests.interop.fhir import fhir_valid

pytestmark = pytest.mark.django_db

FHIR_JSON = "application/fhir+json"
VANCOUVER = geo.Point(49.2827, -123.1207)
NEAR = "49.2827|-123.1207|25|km"


def get(client, url: str, status: int = 200) -> dict:
    response = client.get(url)
    assert response.status_code == status, response.content
    assert response["Content-Type"] == FHIR_JSON
    return fhir_valid(response.json())


def outcome(*issues: tuple[str, str]) -> dict:
    return {
        "resourceType": "OperationOutcome",
        "issue": [
            {"severity": "error", "code": code, "diagnostics": diagnostics}
            for code, diagnostics in issues
        ],
    }


def ids(bundle: dict, mode: str = "match", resource_type: str | None = None) -> list[str]:
    return [
        entry["resource"]["id"]
        for entry in bundle["entry"]
        if entry["search"]["mode"] == mode
        and resource_type in (None, entry["resource"]["resourceType"])
    ]


@pytest.fixture
def directory():
    """Two qualified practitioners in Vancouver (one treats sciatica, with two clinics: one
    downtown, one in Burnaby ~10 km east) and one in Victoria (~95 km away), and one
    practitioner who is not qualified."""
    sciatica = Condition.objects.get(slug="sciatica")
    ada = qualified_practitioner(user__name="Ada Gunn")
    ExperienceFactory(practitioner=ada, condition=sciatica)
    ada_downtown = LocationFactory(
        practitioner=ada, name="Downtown IMS", lat=49.2830, lng=-123.1210
    )
    ada_burnaby = LocationFactory(
        practitioner=ada, name="Burnaby IMS", city="Burnaby", lat=49.2488, lng=-122.9805
    )
    bo = qualified_practitioner(user__name="Bo Chen")
    ExperienceFactory(practitioner=bo, condition=Condition.objects.get(slug="back-pain"))
    bo_kits = LocationFactory(practitioner=bo, name="Kits Physio", lat=49.2684, lng=-123.1588)
    cy = qualified_practitioner(user__name="Cy Adams")
    ExperienceFactory(practitioner=cy, condition=sciatica)
    cy_victoria = LocationFactory(
        practitioner=cy, name="Victoria IMS", city="Victoria", lat=48.4284, lng=-123.3656
    )
    pending = PractitionerFactory(user__name="Ada Pending")
    CredentialFactory(owner=pending.user)
    ExperienceFactory(practitioner=pending, condition=sciatica)
    LocationFactory(practitioner=pending, name="Pending IMS")
    return {
        "ada": ada,
        "bo": bo,
        "cy": cy,
        "ada_downtown": ada_downtown,
        "ada_burnaby": ada_burnaby,
        "bo_kits": bo_kits,
        "cy_victoria": cy_victoria,
    }


def test_metadata_is_a_capability_statement_listing_resources_and_search_parameters(client):
    statement = fhir_valid(get(client, "/fhir/metadata"))
    assert statement["fhirVersion"] == "4.0.1"
    assert statement["format"] == ["json", "application/fhir+json"]
    assert statement["implementation"]["url"] == "http://testserver/fhir"
    resources = {r["type"]: r for r in statement["rest"][0]["resource"]}
    assert list(resources) == [*RESOURCE_TYPES, "CodeSystem"]
    for resource_type in RESOURCE_TYPES:
        assert [p["name"] for p in resources[resource_type]["searchParam"]] == [
            *(p.name for p in SEARCH_PARAMS[resource_type]),
            "_count",
            "_offset",
        ]
        assert resources[resource_type]["interaction"] == [
            {"code": "read"},
            {"code": "search-type"},
        ]
    assert resources["PractitionerRole"]["searchInclude"] == [
        "PractitionerRole:practitioner",
        "PractitionerRole:location",
    ]
    assert statement["rest"][0]["operation"] == [
        {
            "name": "export",
            "definition": "http://hl7.org/fhir/uv/bulkdata/OperationDefinition/export",
        }
    ]


def test_read_answers_the_resource_or_a_404_outcome(client, directory):
    ada = directory["ada"]
    today = timezone.localdate()
    assert get(client, f"/fhir/Practitioner/{ada.pk}") == resource_by_id(
        "Practitioner", str(ada.pk), today
    )
    assert get(client, "/fhir/Location/999999", status=404) == outcome(
        ("not-found", "No published Location has id '999999'.")
    )
    assert get(client, "/fhir/CodeSystem/conditions")["concept"][0]["code"] == "arthritis"
    assert get(client, "/fhir/CodeSystem/icd-10", status=404) == outcome(
        (
            "not-found",
            "No CodeSystem has id 'icd-10'; the code systems are conditions, professions, "
            "validation-process, qualification-kinds.",
        )
    )


@pytest.mark.parametrize(
    "path", ["/fhir/Patient", "/fhir/Practitioner/1/_history", "/fhir/", "/fhir/Location/a%20b"]
)
def test_unknown_addresses_under_fhir_are_404_outcomes(client, path):
    assert get(client, path, status=404) == outcome(
        (
            "not-found",
            "Not found. The FHIR API's resources and searches are listed in its "
            "CapabilityStatement at /fhir/metadata.",
        )
    )


def test_writes_are_refused_with_405(client):
    response = client.post("/fhir/Practitioner", data={}, content_type=FHIR_JSON)
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"
    assert response.json() == outcome(("not-supported", "The FHIR API is read-only: use GET."))


def test_practitioner_name_and_id_searches(client, directory):
    ada, bo, cy = directory["ada"], directory["bo"], directory["cy"]
    # Ada Gunn and Cy Adams; not Ada Pending, who is not qualified.
    assert ids(get(client, "/fhir/Practitioner?name=ada")) == [str(ada.pk), str(cy.pk)]
    assert ids(get(client, "/fhir/Practitioner?name=GUNN")) == [str(ada.pk)]
    # FHIR's string search matches the start of a name part, not any text inside one.
    assert ids(get(client, "/fhir/Practitioner?name=unn")) == []
    assert ids(get(client, "/fhir/Practitioner?name=ada%20gu")) == [str(ada.pk)]
    assert ids(get(client, "/fhir/Practitioner?name=zed")) == []
    assert ids(get(client, f"/fhir/Practitioner?_id={cy.pk},{bo.pk},nope")) == [
        str(bo.pk),
        str(cy.pk),
    ]
    assert ids(get(client, "/fhir/Practitioner")) == [str(p.pk) for p in (ada, bo, cy)]


def test_role_specialty_searches_take_a_code_or_our_system_and_code(client, directory, settings):
    roles = [str(directory[k].pk) for k in ("ada_downtown", "ada_burnaby", "cy_victoria")]
    assert ids(get(client, "/fhir/PractitionerRole?specialty=sciatica")) == roles
    system = f"{settings.SITE_URL}/fhir/CodeSystem/conditions"
    assert ids(get(client, f"/fhir/PractitionerRole?specialty={system}|back-pain")) == [
        str(directory["bo_kits"].pk)
    ]
    assert ids(get(client, "/fhir/PractitionerRole?specialty=fibromyalgia")) == []
    assert ids(get(client, "/fhir/PractitionerRole?specialty=back-pain,sciatica")) == sorted(
        [*roles, str(directory["bo_kits"].pk)], key=int
    )


def test_role_practitioner_and_location_searches(client, directory):
    ada, burnaby = directory["ada"], directory["ada_burnaby"]
    both = [str(directory["ada_downtown"].pk), str(burnaby.pk)]
    assert ids(get(client, f"/fhir/PractitionerRole?practitioner=Practitioner/{ada.pk}")) == both
    assert ids(get(client, f"/fhir/PractitionerRole?practitioner={ada.pk}")) == both
    assert ids(get(client, f"/fhir/PractitionerRole?location=Location/{burnaby.pk}")) == [
        str(burnaby.pk)
    ]
    other = directory["bo_kits"].pk
    assert ids(get(client, f"/fhir/PractitionerRole?location={other}&_id={burnaby.pk}")) == []


def test_role_location_near_keeps_clinics_within_the_distance_nearest_first(client, directory):
    found = ids(get(client, f"/fhir/PractitionerRole?specialty=sciatica&location.near={NEAR}"))
    # Ada's two clinics (0 and ~10 km); Cy's Victoria clinic is ~95 km away.
    assert found == [str(directory["ada_downtown"].pk), str(directory["ada_burnaby"].pk)]
    near_5 = ids(get(client, "/fhir/PractitionerRole?location.near=49.2827|-123.1207|5"))
    assert near_5 == [str(directory["ada_downtown"].pk), str(directory["bo_kits"].pk)]


def test_location_near_is_ordered_by_great_circle_distance_which_each_entry_gives(
    client, directory
):
    bundle = get(client, "/fhir/Location?near=49.2827|-123.1207|150|km")
    clinics = [directory[k] for k in ("ada_downtown", "bo_kits", "ada_burnaby", "cy_victoria")]
    assert ids(bundle) == [str(clinic.pk) for clinic in clinics]
    distances = [entry["search"]["extension"][0]["valueDistance"] for entry in bundle["entry"]]
    assert distances == [
        {
            "value": round(geo.great_circle_km(VANCOUVER, geo.Point(c.lat, c.lng)), 3),
            "unit": "km",
            "system": "http://unitsofmeasure.org",
            "code": "km",
        }
        for c in clinics
    ]
    assert ids(get(client, "/fhir/Location?near=49.2827|-123.1207")) == ids(bundle)[:3]


def test_location_address_city_starts_with_the_text(client, directory):
    assert ids(get(client, "/fhir/Location?address-city=vict")) == [
        str(directory["cy_victoria"].pk)
    ]
    assert ids(get(client, "/fhir/Location?address-city=toronto")) == []


def test_verification_result_target_search(client, directory):
    bo = directory["bo"]
    found = ids(get(client, f"/fhir/VerificationResult?target=Practitioner/{bo.pk}"))
    assert found == [str(c.pk) for c in bo.user.credentials.order_by("pk")]
    assert len(found) == 2


def test_pages_link_next_and_previous_until_every_match_is_read_once(client, directory):
    first = get(client, "/fhir/PractitionerRole?_count=2")
    assert first["total"] == 4
    assert first["link"] == [
        {"relation": "self", "url": "http://testserver/fhir/PractitionerRole?_count=2"},
        {
            "relation": "next",
            "url": "http://testserver/fhir/PractitionerRole?_count=2&_offset=2",
        },
    ]
    second = get(client, first["link"][1]["url"])
    assert second["link"] == [
        {
            "relation": "self",
            "url": "http://testserver/fhir/PractitionerRole?_count=2&_offset=2",
        },
        {"relation": "previous", "url": "http://testserver/fhir/PractitionerRole?_count=2"},
    ]
    every = ids(first) + ids(second)
    assert every == sorted(every, key=int) and len(set(every)) == 4


def test_include_adds_each_referenced_practitioner_and_location_once(client, directory):
    bundle = get(
        client,
        "/fhir/PractitionerRole?specialty=sciatica&_include=PractitionerRole:practitioner"
        "&_include=PractitionerRole:location",
    )
    ada, cy = directory["ada"], directory["cy"]
    assert ids(bundle, "include", "Practitioner") == [str(ada.pk), str(cy.pk)]
    assert ids(bundle, "include", "Location") == ids(bundle)
    assert bundle["entry"][-1]["fullUrl"] == (
        f"http://testserver/fhir/Location/{directory['cy_victoria'].pk}"
    )
    only_practitioners = get(
        client, "/fhir/PractitionerRole?specialty=sciatica&_include=PractitionerRole:practitioner"
    )
    assert ids(only_practitioners, "include", "Location") == []


@pytest.mark.parametrize(
    "query, issues",
    [
        (
            "Location?near=49.2|-123.1|5|mi",
            [("invalid", "UNIT")],
        ),
        ("Location?near=49.2", [("invalid", "ARITY1")]),
        ("Location?near=1|2|3|km|x", [("invalid", "ARITY5")]),
        ("Location?near=91|-123.1", [("invalid", "NEAR")]),
        ("Location?near=49|-181", [("invalid", "NEAR")]),
        ("Location?near=49|-123|0", [("invalid", "NEAR")]),
        ("Location?near=49|-123|501", [("invalid", "NEAR")]),
        ("Location?near=nan|-123", [("invalid", "NEAR")]),
        ("Practitioner?_count=0", [("invalid", "_count must be a whole number from 1 to 100.")]),
        ("Practitioner?_count=101", [("invalid", "_count must be a whole number from 1 to 100.")]),
        (
            "Practitioner?_offset=-1",
            [("invalid", "_offset must be a whole number from 0 to 1000000.")],
        ),
        (
            "Practitioner?_format=xml",
            [
                (
                    "invalid",
                    "_format: only JSON is served (json, application/json, application/fhir+json).",
                )
            ],
        ),
        (
            "Practitioner?name=a&name=b",
            [("invalid", "Give name once (separate alternatives with commas).")],
        ),
        ("Practitioner?name=" + "a" * 101, [("invalid", "name takes at most 100 characters.")]),
        ("Practitioner?name=a%00b", [("invalid", "name contains a NUL character.")]),
        (
            "PractitionerRole?practitioner=Location/3",
            [("invalid", "practitioner takes Practitioner/<id> or <id>; got 'Location/3'.")],
        ),
        (
            "PractitionerRole?specialty=http://snomed.info/sct|23056005",
            [
                (
                    "invalid",
                    "specialty: use codes of http://127.0.0.1:8000/fhir/CodeSystem/conditions "
                    "(code or system|code).",
                )
            ],
        ),
        (
            "PractitionerRole?_include=PractitionerRole:organization",
            [
                (
                    "invalid",
                    "_include 'PractitionerRole:organization' is not supported; use "
                    "PractitionerRole:practitioner, PractitionerRole:location.",
                )
            ],
        ),
        (
            "Practitioner?family=Gunn&name:exact=Ada&_sort=name",
            [
                (
                    "not-supported",
                    "Unsupported search parameter(s) for Practitioner: _sort, family, "
                    "name:exact. Supported: _id, name, _count, _offset, _format.",
                )
            ],
        ),
        (
            "Location?_include=PractitionerRole:location&_count=x",
            [
                (
                    "not-supported",
                    "Unsupported search parameter(s) for Location: _include. Supported: _id, "
                    "near, address-city, _count, _offset, _format.",
                ),
                ("invalid", "_count must be a whole number from 1 to 100."),
            ],
        ),
    ],
)
def test_bad_parameters_are_400_outcomes_saying_what_is_allowed(client, query, issues):
    near = (
        "near must be lat|lng|distance|km with lat in -90..90, lng in -180..180 and a distance "
        "greater than 0 and at most 500 (kilometres; default 50), e.g. 49.2827|-123.1207|25|km."
    )
    messages = {
        "NEAR": near,
        "UNIT": f"{near} Unknown unit 'mi': only km is supported.",
        "ARITY1": f"{near} Got 1 part(s).",
        "ARITY5": f"{near} Got 5 part(s).",
    }
    expected = [(code, messages.get(text, text)) for code, text in issues]
    assert get(client, f"/fhir/{query}", status=400) == outcome(*expected)


def test_an_unknown_specialty_code_is_a_400_listing_the_codes(client, caplog):
    caplog.set_level(logging.INFO)
    assert get(client, "/fhir/PractitionerRole?specialty=sciatica,lumbago", status=400) == (
        outcome(
            (
                "invalid",
                "Unknown specialty code(s): lumbago. The codes (/fhir/CodeSystem/conditions) "
                "are: arthritis, back-pain, fibromyalgia, headache, joint-dysfunction, "
                "muscle-spasm, myofascial-pain, neck-pain, nerve-impingement, sciatica, "
                "shoulder-pain, tennis-elbow.",
            )
        )
    )
    # A condition searched for is never written to the log (the path only).
    assert "lumbago" not in caplog.text and "sciatica" not in caplog.text


def test_empty_values_count_as_absent(client, directory):
    assert ids(get(client, "/fhir/Practitioner?name=&_count=")) == ids(
        get(client, "/fhir/Practitioner")
    )


# A count, the page's ids, then the page's resources and each include's.
@pytest.mark.parametrize("page_size", [1, 4])
def test_a_search_costs_the_same_queries_whatever_the_page_size(
    client, directory, page_size, django_assert_num_queries
):
    for _ in range(3):
        practitioner = qualified_practitioner()
        ExperienceFactory(practitioner=practitioner)
        LocationFactory(practitioner=practitioner)
    query = (
        f"/fhir/PractitionerRole?specialty=sciatica&location.near={NEAR}&_count={page_size}"
        "&_include=PractitionerRole:practitioner&_include=PractitionerRole:location"
    )
    # conditions + count + ids + roles (2) + practitioners (2) + locations (1)
    with django_assert_num_queries(8):
        bundle = get(client, query)
    assert len(ids(bundle)) == page_size
    with django_assert_num_queries(4):  # count + ids + practitioners and their credentials
        assert len(ids(get(client, f"/fhir/Practitioner?_count={page_size}"))) == page_size
    with django_assert_num_queries(3):  # count + ids + locations
        get(client, f"/fhir/Location?near={NEAR}&_count={page_size}")
    with django_assert_num_queries(3):
        get(client, f"/fhir/VerificationResult?_count={page_size}")
