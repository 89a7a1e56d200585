"""POST /api/v1/match/ in a patient's own words: "City, Province" places with the country
optional, close misspellings of a condition, patients' phrasings (issue 12, item 5)."""

import logging

import pytest

from directory.models import Condition
from tests.factories import LocationFactory, qualified_practitioner

URL = "/api/v1/match/"
EVEN = dict.fromkeys(["qualifications", "experience", "referrals", "communication", "comfort"], 0.2)
SAFE = {"level": "ok", "messages": []}
SLUGS = (
    "arthritis, back-pain, fibromyalgia, headache, joint-dysfunction, muscle-spasm, "
    "myofascial-pain, neck-pain, nerve-impingement, sciatica, shoulder-pain, tennis-elbow"
)
PLACE_HINT = (
    "Give a town or city of at least 15,000 people, as “City” or “City, Province”, e.g. "
    "“Vancouver, BC” (outside Canada, add the state or the country code)."
)


def practitioner_at(lat: float, lng: float, city: str):
    practitioner = qualified_practitioner()
    LocationFactory(practitioner=practitioner, lat=lat, lng=lng, city=city)
    return practitioner


def ids(response) -> list[int]:
    return [item["practitioner"]["id"] for item in response.json()["results"]]


def match(api_client, condition="sciatica", **body):
    return api_client.post(URL, {"condition": condition, **body}, format="json")


@pytest.fixture
def vancouver_and_montreal():
    return (
        practitioner_at(49.2827, -123.1207, "Vancouver"),
        practitioner_at(45.5017, -73.5673, "Montréal"),
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    "location",
    [
        {"city": "Vancouver, BC"},
        {"city": "Vancouver BC"},
        {"city": "vancouver, british columbia"},
        {"city": "  VANCOUVER ,  bc "},
        {"city": "Vancouver British Columbia"},
        {"city": "Vancouver"},
        {"city": "Vancouver, BC", "country": "ca"},
    ],
)
def test_a_city_with_or_without_its_province_and_without_a_country(
    api_client, vancouver_and_montreal, location
):
    in_vancouver, _ = vancouver_and_montreal

    response = match(api_client, location=location, radius_km=25)

    assert response.status_code == 200
    assert ids(response) == [in_vancouver.id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "city", ["Montréal, QC", "Montreal, Quebec", "MONTREAL, QUÉBEC", "montreal qc", "Montréal"]
)
def test_accents_and_case_do_not_matter(api_client, vancouver_and_montreal, city):
    _, in_montreal = vancouver_and_montreal

    response = match(api_client, location={"city": city}, radius_km=25)

    assert response.status_code == 200
    assert ids(response) == [in_montreal.id]


@pytest.mark.django_db
@pytest.mark.parametrize("city", ["Portland, OR", "Portland, Oregon", "portland oregon"])
def test_a_us_state_means_the_us_when_no_country_is_given(api_client, city):
    in_portland = practitioner_at(45.5152, -122.6784, "Portland")
    practitioner_at(43.6591, -70.2568, "Portland")  # Maine

    response = match(api_client, location={"city": city}, radius_km=25)

    assert response.status_code == 200
    assert ids(response) == [in_portland.id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            {"city": "Portland", "country": "US"},
            "Several places called “Portland” in US: Portland, ME; Portland, OR; Portland, TX. "
            "Add the province or state, e.g. “Portland, ME”.",
        ),
        (
            {"city": "Saint-Jean"},
            "Several places called “Saint-Jean” in CA: Saint John, NB; St. John's, NL. "
            "Add the province or state, e.g. “Saint John, NB”.",
        ),
    ],
)
def test_an_ambiguous_city_is_a_400_listing_the_candidates(api_client, location, message):
    response = match(api_client, location=location)

    assert response.status_code == 400
    assert response.json() == {"location": [message]}


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("location", "message"),
    [
        (
            {"city": "Vancuver"},
            "We could not find “Vancuver” in CA. Closest: Vancouver, BC; Downtown Vancouver, BC; "
            f"North Vancouver, BC. {PLACE_HINT}",
        ),
        ({"city": "Atlantis"}, f"We could not find “Atlantis” in CA. {PLACE_HINT}"),
        (
            {"city": "Vancouver, ON"},
            f"We could not find “Vancouver, ON” in CA. Closest: Vancouver, BC. {PLACE_HINT}",
        ),
        (
            {"city": "Vancouver, Narnia"},
            "We do not know the province or state “Narnia”. Use its two-letter code or its "
            "name, e.g. “Vancouver, BC” or “Vancouver, British Columbia”.",
        ),
        (
            {"city": "Vancouver, WA", "country": "CA"},
            "WA is not in CA: give US as the country, or leave the country out.",
        ),
    ],
)
def test_an_unknown_place_is_a_400_naming_the_closest(api_client, location, message):
    response = match(api_client, location=location)

    assert response.status_code == 400
    assert response.json() == {"location": [message]}


@pytest.mark.django_db
def test_a_country_without_a_city_is_a_400(api_client):
    response = match(api_client, location={"country": "CA"})

    assert response.status_code == 400
    assert response.json() == {
        "location": {
            "non_field_errors": [
                'Give either {"lat", "lng"} or {"city"} (with "country" if not CA).'
            ]
        }
    }


@pytest.mark.django_db
def test_a_close_misspelling_resolves_and_says_what_was_typed(api_client):
    response = match(api_client, condition=" siatica ")

    assert response.status_code == 200
    assert response.json() == {
        "condition": {"slug": "sciatica", "name": "Sciatica", "interpreted_from": "siatica"},
        "safety": SAFE,
        "weights": EVEN,
        "count": 0,
        "experienced_count": 0,
        "results": [],
    }


@pytest.mark.django_db
def test_an_exact_term_has_no_interpreted_from(api_client):
    response = match(api_client, condition="SCIATICA")

    assert response.status_code == 200
    assert response.json() == {
        "condition": {"slug": "sciatica", "name": "Sciatica"},
        "safety": SAFE,
        "weights": EVEN,
        "count": 0,
        "experienced_count": 0,
        "results": [],
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "slug"),
    [
        ("fibromyalga", "fibromyalgia"),
        ("migrane", "headache"),
        ("tenis elbow", "tennis-elbow"),
        ("back pian", "back-pain"),
        ("pain back", "back-pain"),
    ],
)
def test_other_misspellings_resolve(api_client, typed, slug):
    response = match(api_client, condition=typed)

    assert response.status_code == 200
    body = response.json()["condition"]
    assert (body["slug"], body["interpreted_from"]) == (slug, typed)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("typed", "closest"),
    [
        # As close to neck pain as to back pain: no clear winner.
        ("nack pain", " Closest: Back pain, Neck pain, Myofascial pain syndrome."),
        ("toothache", " Closest: Headaches and migraines."),
        ("xyzzy", ""),
    ],
)
def test_an_unrecognisable_condition_is_a_400_suggesting_the_closest(api_client, typed, closest):
    response = match(api_client, condition=typed)

    assert response.status_code == 400
    assert response.json() == {
        "condition": [
            f"Unknown condition '{typed}'.{closest} Use one of: {SLUGS} (or a name or synonym "
            "of one)."
        ]
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("phrase", "slug"),
    [
        ("sore back", "back-pain"),
        ("Backache", "back-pain"),
        ("pinched nerve", "nerve-impingement"),
        ("trapped nerve", "nerve-impingement"),
        ("stiff neck", "neck-pain"),
        ("tennis elbow", "tennis-elbow"),
        ("frozen shoulder", "shoulder-pain"),
        ("headaches", "headache"),
        ("muscle knots", "myofascial-pain"),
        ("charley horse", "muscle-spasm"),
        ("pain down the leg", "sciatica"),
    ],
)
def test_patients_phrasings_are_synonyms(api_client, phrase, slug):
    response = match(api_client, condition=phrase)

    assert response.status_code == 200
    condition = Condition.objects.get(slug=slug)
    assert response.json()["condition"] == {"slug": slug, "name": condition.name}


@pytest.mark.django_db
def test_neither_the_condition_nor_the_place_is_logged(api_client, caplog):
    caplog.set_level(logging.DEBUG)

    match(api_client, condition="siatica", location={"city": "Vancouver, BC"})
    match(api_client, condition="toothache", location={"city": "Vancouver, BC"})
    match(api_client, condition="siatica", location={"city": "Portland", "country": "US"})

    logged = " ".join(record.getMessage() for record in caplog.records)
    for secret in ("siatica", "toothache", "Vancouver", "Portland"):
        assert secret not in logged
