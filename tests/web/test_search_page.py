"""The search page (home): the form, ranked and explained results, safety, errors, privacy."""

import logging
import re

import pytest
from django.urls import reverse

from matching import safety
from tests.factories import ExperienceFactory, LocationFactory, qualified_practitioner

URL = reverse("web:search")
CRITERIA = ("Qualifications", "Experience", "Referrals", "Communication", "Comfort")
HEALTH = ("bleeding_disorder", "anticoagulants", "active_infection")


def practitioner_at(lat=49.2827, lng=-123.1207, *, city="Vancouver", name="Dana Lee", **kwargs):
    practitioner = qualified_practitioner(**kwargs)
    practitioner.user.name = name
    practitioner.user.save()
    LocationFactory(practitioner=practitioner, lat=lat, lng=lng, city=city, name=f"{name} IMS")
    return practitioner


def search(client, **fields):
    data = {"condition": "sciatica", "city": "Vancouver", "country": "CA", "radius_km": 25}
    return client.post(URL, data | fields)


def html(response) -> str:
    return response.content.decode()


@pytest.mark.django_db
def test_get_renders_an_empty_post_form_with_every_field(client):
    response = client.get(URL)
    assert response.status_code == 200
    page = html(response)
    assert re.search(r'<form method="post" action="/" class="search-form">', page)
    assert 'name="csrfmiddlewaretoken"' in page
    for name in ("condition", "city", "country", "lat", "lng", "radius_km", "language"):
        assert f'name="{name}"' in page
    for name in ("accepting_new_patients", *HEALTH, *(c.lower() for c in CRITERIA)):
        assert f'name="{name}"' in page
    # Every visible input has a label; the condition offers names and synonyms.
    for name in ("condition", "city", "country", "radius_km", "language", *HEALTH):
        assert f'for="id_{name}"' in page
    assert '<datalist id="condition-options">' in page
    assert '<option value="Sciatica">' in page and '<option value="lumbago">' in page
    assert "IMS uses fine needles; these conditions change whether it is" in page
    assert '<option value="50" selected>50 km</option>' in page
    assert 'value="CA"' in page
    assert response.context.get("body") is None


@pytest.mark.django_db
def test_get_prefills_search_fields_but_never_health_answers(client):
    response = client.get(
        URL,
        {
            "condition": "sciatica",
            "city": "Vancouver",
            "radius_km": "10",
            "language": "fr",
            "bleeding_disorder": "on",
            "anticoagulants": "on",
        },
    )
    page = html(response)
    assert 'value="sciatica"' in page
    assert 'value="Vancouver"' in page
    assert '<option value="10" selected>10 km</option>' in page
    assert '<option value="fr" selected>French</option>' in page
    assert not re.search(r"<input[^>]*checked", page)
    assert response.context.get("body") is None


@pytest.mark.django_db
def test_get_ignores_prefill_values_that_are_not_choices(client):
    page = html(client.get(URL, {"radius_km": "7", "language": "xx"}))
    assert '<option value="50" selected>50 km</option>' in page
    assert '<option value="" selected>Any language</option>' in page


@pytest.mark.django_db
def test_sciatica_in_vancouver_shows_ranked_cards_with_reasons_per_criterion(client):
    veteran = practitioner_at(name="Vera Veteran")
    ExperienceFactory(practitioner=veteran, years=20, patients_treated=1500)
    novice = practitioner_at(49.30, -123.10, name="Nico Novice")
    practitioner_at(49.8880, -119.4960, city="Kelowna", name="Far Away")
    response = search(client, experience=3)
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    assert "no-store" in response["Cache-Control"]
    page = html(response)
    assert "2 practitioners match." in page
    assert "Far Away" not in page
    cards = response.context["cards"]
    assert [card["practitioner"]["id"] for card in cards] == [veteran.id, novice.id]
    assert page.index("Vera Veteran") < page.index("Nico Novice")
    assert f'href="/practitioners/{veteran.id}/"' in page
    distance = cards[0]["distance_km"]
    assert f"Physiotherapist · Vera Veteran IMS, Vancouver · {distance} km away" in page
    for criterion in CRITERIA:
        assert page.count(f'<span class="criterion-name">{criterion}:</span>') == 2
    assert "20 years treating sciatica, about 1,500 patients (self-reported)" in page
    assert "Licensed physiotherapist (CA-BC), verified" in page
    # Experience weighs 3 of 7: the text equivalent of each bar names score and weight.
    experience = cards[0]["criteria"]["experience"]
    assert f"{experience['score']:.2f} of 1, weight 43&nbsp;%" in page
    assert page.count("<meter ") == 10
    assert "banner" not in page.split('class="results-section"')[1].split("</section>")[0]


@pytest.mark.django_db
def test_a_synonym_finds_its_condition(client):
    practitioner_at()
    response = search(client, condition="  Lumbago ")
    assert response.status_code == 200
    assert "Results for Back pain" in html(response)
    assert response.context["body"]["condition"]["slug"] == "back-pain"


@pytest.mark.django_db
def test_unknown_condition_is_a_field_error_listing_names_and_the_input_is_kept(client):
    response = search(client, condition="gout", city="Victoria", radius_km=100)
    assert response.status_code == 200
    page = html(response)
    assert 'id="id_condition_error"' in page
    # The API's own message (POST /api/v1/match/).
    assert "Unknown condition &#x27;gout&#x27;. Use one of: arthritis, back-pain," in page
    assert 'aria-invalid="true"' in page
    assert 'aria-describedby="id_condition_helptext id_condition_error"' in page
    assert 'value="gout"' in page and 'value="Victoria"' in page
    assert '<option value="100" selected>100 km</option>' in page
    assert response.context.get("body") is None


@pytest.mark.django_db
def test_unknown_city_is_a_field_error(client):
    response = search(client, city="Atlantis")
    page = html(response)
    assert 'id="id_city_error"' in page
    assert "We could not find “Atlantis” in CA." in page
    assert 'value="Atlantis"' in page
    assert response.context.get("body") is None


@pytest.mark.django_db
def test_a_city_without_a_country_is_in_canada(client):
    practitioner_at()
    response = search(client, country="")
    assert response.context["body"]["count"] == 1
    assert 'id="id_country_error"' not in html(response)


@pytest.mark.django_db
def test_my_location_searches_around_the_point_and_wins_over_the_city(client):
    near = practitioner_at(name="Near Me")
    practitioner_at(43.6532, -79.3832, city="Toronto", name="In Toronto")
    response = search(client, city="Toronto", lat="49.283", lng="-123.121", radius_km=10)
    assert [c["practitioner"]["id"] for c in response.context["cards"]] == [near.id]
    assert "Searching near your current location." in html(response)


@pytest.mark.django_db
def test_a_broken_position_is_ignored_and_the_city_used(client):
    practitioner_at()
    response = search(client, lat="north", lng="-123.1")
    assert response.context["body"]["count"] == 1
    assert "Searching near your current location." not in html(response)


@pytest.mark.django_db
def test_all_priorities_zero_is_an_error_shown_with_the_form(client):
    zero = {name.lower(): 0 for name in CRITERIA}
    page = html(search(client, **zero))
    assert "At least one priority must be above 0" in page
    assert 'id="search-errors"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("answers", "level", "messages"),
    [
        ({"anticoagulants": "on"}, "caution", [safety.ANTICOAGULANTS]),
        ({"bleeding_disorder": "on"}, "not_recommended", [safety.BLEEDING_DISORDER]),
        ({"active_infection": "on"}, "not_recommended", [safety.ACTIVE_INFECTION]),
    ],
)
def test_a_health_answer_shows_the_banner_and_results_stay(client, answers, level, messages):
    practitioner = practitioner_at()
    response = search(client, **answers)
    page = html(response)
    assert f'<div class="banner banner-{level}" role="alert">' in page
    for message in messages:
        assert message in page
    assert [c["practitioner"]["id"] for c in response.context["cards"]] == [practitioner.id]
    # The answer stays ticked on the page that shows the results.
    assert re.search(rf'name="{next(iter(answers))}"[^>]*checked', page)


@pytest.mark.django_db
def test_no_answer_no_banner(client):
    practitioner_at()
    assert 'role="alert"' not in html(search(client))


@pytest.mark.django_db
def test_nothing_matching_shows_advice_for_each_filter_in_use(client):
    practitioner_at(accepting_new_patients=False)
    response = search(client, radius_km=5, language="pa", accepting_new_patients="on")
    page = html(response)
    assert "0 practitioners match." in page
    assert "No qualified practitioner matches this search." in page
    assert "Widen the distance: you searched within 5 km." in page
    assert "Drop the language filter" in page
    assert "Untick “Only practitioners accepting new patients”." in page


@pytest.mark.django_db
def test_health_answers_never_appear_in_any_url_the_page_produces(client):
    practitioner_at()
    answers = dict.fromkeys(HEALTH, "on")
    for response in (search(client, **answers), search(client, condition="gout", **answers)):
        assert response.status_code == 200  # rendered in place, never a redirect
        page = html(response)
        urls = re.findall(r'(?:href|action|src)="([^"]*)"', page)
        assert urls
        for url in urls:
            for word in (*HEALTH, "bleeding", "anticoag", "infection", "health"):
                assert word not in url
        forms = re.findall(r"<form [^>]*>", page)
        search_form = next(form for form in forms if "search-form" in form)
        assert 'method="post"' in search_form and 'action="/"' in search_form


@pytest.mark.django_db
def test_the_search_needs_the_csrf_token(client):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    assert strict.post(URL, {"condition": "sciatica"}).status_code == 403
    assert client.get(URL).status_code == 200


@pytest.mark.django_db
def test_other_methods_are_refused(client):
    assert client.put(URL).status_code == 405


@pytest.mark.django_db
def test_nul_bytes_are_a_field_error_not_a_500(client):
    response = search(client, condition="scia\x00tica", city="Van\x00couver")
    assert response.status_code == 200
    assert 'id="id_condition_error"' in html(response)


@pytest.mark.django_db
def test_a_position_out_of_range_asks_for_a_city_and_is_forgotten(client):
    response = search(client, city="", lat="91", lng="0")
    page = html(response)
    assert "We could not use your location; type a city instead." in page
    assert re.search(r'<input type="hidden" name="lat"[^>]*>', page)
    assert 'name="lat" value="91"' not in page
    assert "Searching near your current location." not in page


@pytest.mark.django_db
def test_health_answers_never_reach_the_logs(client, caplog):
    practitioner_at()
    caplog.set_level(logging.DEBUG)
    search(client, **dict.fromkeys(HEALTH, "on"))
    search(client, condition="gout", **dict.fromkeys(HEALTH, "on"))
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    ).lower()
    for word in ("bleeding", "anticoagulant", "infection", "health"):
        assert word not in logged
