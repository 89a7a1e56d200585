"""The search page reads a patient's own words as POST /api/v1/match/ does (issue 12, item 5):
the same places and conditions, the same messages beside the field, the input kept."""

import html as html_lib

import pytest
from django.urls import reverse

from tests.factories import LocationFactory, qualified_practitioner

URL = reverse("web:search")


def search(client, **fields):
    """The POST, then the results page it redirects to (or the form again, with its errors)."""
    data = {"condition": "sciatica", "city": "Vancouver", "country": "", "radius_km": 25}
    response = client.post(URL, data | fields)
    if response.status_code == 303:
        return client.get(response["Location"])
    return response


def page_of(response) -> str:
    return html_lib.unescape(response.content.decode())


@pytest.fixture
def in_vancouver():
    practitioner = qualified_practitioner()
    LocationFactory(practitioner=practitioner, lat=49.2827, lng=-123.1207, city="Vancouver")
    return practitioner


@pytest.mark.django_db
@pytest.mark.parametrize("city", ["Vancouver, BC", "Vancouver BC", "vancouver, british columbia"])
def test_city_and_province_in_the_city_box(client, in_vancouver, city):
    response = search(client, city=city)

    assert response.status_code == 200
    assert [c["practitioner"]["id"] for c in response.context["cards"]] == [in_vancouver.id]


@pytest.mark.django_db
def test_the_country_box_starts_at_canada(client):
    page = page_of(client.get(URL))

    assert 'name="country" value="CA"' in page


@pytest.mark.django_db
def test_an_ambiguous_city_is_shown_beside_the_city_with_the_candidates(client):
    response = search(client, city="Portland", country="US", condition="siatica")

    page = page_of(response)
    assert response.context.get("body") is None
    error = page.split('id="id_city_error"')[1].split("</ul>")[0]
    assert (
        "Several places called “Portland” in US: Portland, ME; Portland, OR; Portland, TX. "
        "Add the province or state, e.g. “Portland, ME”." in error
    )
    assert 'value="Portland"' in page and 'value="siatica"' in page


@pytest.mark.django_db
def test_an_unknown_city_names_the_closest_beside_the_city(client):
    response = search(client, city="Vancuver")

    error = page_of(response).split('id="id_city_error"')[1].split("</ul>")[0]
    assert "We could not find “Vancuver” in CA. Closest: Vancouver, BC;" in error
    assert 'value="Vancuver"' in page_of(response)


@pytest.mark.django_db
def test_a_misspelled_condition_finds_results_and_says_how_it_was_read(client, in_vancouver):
    response = search(client, condition="siatica")

    page = page_of(response)
    assert response.context["body"]["condition"] == {
        "slug": "sciatica",
        "name": "Sciatica",
        "interpreted_from": "siatica",
    }
    assert "Results for Sciatica" in page
    assert '<p class="interpreted">We read “siatica” as Sciatica.</p>' in page
    assert [c["practitioner"]["id"] for c in response.context["cards"]] == [in_vancouver.id]


@pytest.mark.django_db
def test_an_unrecognisable_condition_suggests_the_closest_beside_the_field(client):
    response = search(client, condition="toothache", city="Vancouver, BC")

    page = page_of(response)
    assert response.context.get("body") is None
    error = page.split('id="id_condition_error"')[1].split("</ul>")[0]
    assert "Unknown condition 'toothache'. Closest: Headaches and migraines. Use one of:" in error
    assert 'value="toothache"' in page and 'value="Vancouver, BC"' in page
