"""Clinic contact on /api/v1/me/locations/: phone (E.164), https web and booking addresses,
opening hours and wheelchair access; every bad input a 400 that says what is allowed, with
nothing written."""

import pytest

from directory.models import Location
from directory.validators import HOURS_SHAPE, HTTPS_URL_MESSAGE, PHONE_MESSAGE
from tests.conftest import client_for
from tests.factories import LocationFactory

LIST = "/api/v1/me/locations/"
HOURS = [
    {"day": "sat", "opens": "10:00", "closes": "14:00"},
    {"day": "mon", "opens": "13:00", "closes": "19:00"},
    {"day": "mon", "opens": "08:00", "closes": "12:00"},
]
HOURS_IN_WEEK_ORDER = [HOURS[2], HOURS[1], HOURS[0]]

pytestmark = pytest.mark.django_db


def _clinic(**overrides) -> dict:
    return {"name": "Kits Physio", "city": "Vancouver", "country": "CA", **overrides}


def _contact(**overrides) -> dict:
    return {
        "phone": None,
        "website": None,
        "booking_url": None,
        "hours": [],
        "wheelchair_accessible": None,
        **overrides,
    }


def _contact_of(body: dict) -> dict:
    return {name: body[name] for name in _contact()}


def test_create_with_contact_stores_e164_and_hours_in_week_order(practitioner):
    response = client_for(practitioner.user).post(
        LIST,
        _clinic(
            phone="(604) 555-0123",
            website="https://kits.example.org/",
            booking_url="https://kits.example.org/book",
            hours=HOURS,
            wheelchair_accessible=True,
        ),
        format="json",
    )

    assert response.status_code == 201, response.json()
    expected = _contact(
        phone="+16045550123",
        website="https://kits.example.org/",
        booking_url="https://kits.example.org/book",
        hours=HOURS_IN_WEEK_ORDER,
        wheelchair_accessible=True,
    )
    assert _contact_of(response.json()) == expected
    location = Location.objects.get()
    assert location.phone == "+16045550123"
    assert location.hours == HOURS_IN_WEEK_ORDER
    assert location.phone_national == "(604) 555-0123"
    assert client_for(practitioner.user).get(f"{LIST}{location.pk}/").json() == response.json()


def test_contact_is_optional_and_null_when_not_given(practitioner):
    response = client_for(practitioner.user).post(LIST, _clinic(), format="json")

    assert response.status_code == 201
    assert _contact_of(response.json()) == _contact()
    location = Location.objects.get()
    assert (location.phone, location.website, location.hours) == ("", "", [])
    assert location.wheelchair_accessible is None


def test_phone_is_read_in_the_clinics_country_unless_it_has_a_country_code(practitioner):
    client = client_for(practitioner.user)
    british = client.post(LIST, _clinic(city="London", country="GB", phone="020 7946 0018"))
    foreign = client.post(
        LIST, _clinic(name="Other", country="CA", phone="+44 20 7946 0018"), format="json"
    )

    assert british.json()["phone"] == "+442079460018"
    assert foreign.json()["phone"] == "+442079460018"


def test_patch_changes_only_the_contact_given_and_null_clears(practitioner):
    location = LocationFactory(
        practitioner=practitioner, phone="+16045550123", website="https://a.example.org/"
    )
    client = client_for(practitioner.user)

    response = client.patch(
        f"{LIST}{location.pk}/",
        {"website": None, "wheelchair_accessible": False, "hours": HOURS[:1]},
        format="json",
    )

    assert response.status_code == 200
    assert _contact_of(response.json()) == _contact(
        phone="+16045550123", hours=HOURS[:1], wheelchair_accessible=False
    )
    location.refresh_from_db()
    assert (location.website, location.wheelchair_accessible) == ("", False)


BAD_INPUT = [
    ({"phone": "555"}, {"phone": [PHONE_MESSAGE]}),
    ({"phone": "call us"}, {"phone": [PHONE_MESSAGE]}),
    ({"phone": "604-555-0123 ext. 4"}, {"phone": [PHONE_MESSAGE]}),
    ({"phone": 6045550123}, {"phone": ["Not a valid string."]}),
    ({"website": "http://kits.example.org/"}, {"website": [HTTPS_URL_MESSAGE]}),
    ({"website": "kits.example.org"}, {"website": [HTTPS_URL_MESSAGE]}),
    ({"booking_url": "https://"}, {"booking_url": [HTTPS_URL_MESSAGE]}),
    ({"booking_url": "javascript:alert(1)"}, {"booking_url": [HTTPS_URL_MESSAGE]}),
    (
        {"hours": [{"day": "mon", "opens": "17:00", "closes": "09:00"}]},
        {"hours": ["Monday: closing time (09:00) must be after opening time (17:00)."]},
    ),
    (
        {"hours": [{"day": "tue", "opens": "09:00", "closes": "09:00"}]},
        {"hours": ["Tuesday: closing time (09:00) must be after opening time (09:00)."]},
    ),
    (
        {"hours": [{"day": "monday", "opens": "09:00", "closes": "17:00"}]},
        {
            "hours": [
                "Entry 1: 'monday' is not a day; use one of mon, tue, wed, thu, fri, sat, sun."
            ]
        },
    ),
    (
        {"hours": [{"day": "wed", "opens": "9am", "closes": "17:00"}]},
        {
            "hours": [
                "Wednesday: opens must be a time as HH:MM on the 24-hour clock, e.g. 09:00 or "
                "17:30."
            ]
        },
    ),
    ({"hours": {"mon": "09:00-17:00"}}, {"hours": [HOURS_SHAPE]}),
    ({"hours": [["mon", "09:00", "17:00"]]}, {"hours": [f"Entry 1: {HOURS_SHAPE}"]}),
    (
        {"hours": [{"day": "mon", "opens": "09:00", "closes": "17:00", "note": "x"}]},
        {"hours": [f"Entry 1: {HOURS_SHAPE}"]},
    ),
    ({"hours": [HOURS[0]] * 15}, {"hours": [HOURS_SHAPE]}),
    (
        {
            "hours": [
                {"day": "fri", "opens": "09:00", "closes": "13:00"},
                {"day": "fri", "opens": "12:00", "closes": "17:00"},
            ]
        },
        {"hours": ["Friday: the opening hours overlap; give each span once."]},
    ),
    (
        {"wheelchair_accessible": "maybe"},
        {"wheelchair_accessible": ["Must be a valid boolean."]},
    ),
]


@pytest.mark.parametrize(("overrides", "error"), BAD_INPUT)
def test_bad_contact_on_create_is_a_400_and_writes_nothing(practitioner, overrides, error):
    response = client_for(practitioner.user).post(LIST, _clinic(**overrides), format="json")

    assert response.status_code == 400
    assert response.json() == error
    assert not Location.objects.exists()


@pytest.mark.parametrize(("overrides", "error"), BAD_INPUT)
def test_bad_contact_on_patch_is_a_400_and_changes_nothing(practitioner, overrides, error):
    location = LocationFactory(practitioner=practitioner, phone="+16045550123")
    before = Location.objects.values().get()

    response = client_for(practitioner.user).patch(
        f"{LIST}{location.pk}/", {"name": "Renamed", **overrides}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == error
    assert Location.objects.values().get() == before


def test_every_error_in_one_request_is_reported(practitioner):
    response = client_for(practitioner.user).post(
        LIST,
        _clinic(
            phone="12",
            hours=[
                {"day": "sun", "opens": "12:00", "closes": "11:00"},
                {"day": "xyz", "opens": "09:00", "closes": "10:00"},
            ],
        ),
        format="json",
    )

    assert response.status_code == 400
    assert response.json() == {
        "phone": [PHONE_MESSAGE],
        "hours": [
            "Sunday: closing time (11:00) must be after opening time (12:00).",
            "Entry 2: 'xyz' is not a day; use one of mon, tue, wed, thu, fri, sat, sun.",
        ],
    }
    assert not Location.objects.exists()
