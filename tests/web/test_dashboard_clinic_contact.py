"""The clinic form's contact and opening hours: written through the location services,
refusals beside their field with the input kept, shown on the public profile."""

import pytest

from directory.models import Location
from directory.validators import HTTPS_URL_MESSAGE, PHONE_MESSAGE
from tests.factories import LocationFactory, PractitionerFactory
from tests.web.test_dashboard_practitioner import (
    assert_error_next_to,
    field_errors,
    signed_in,
    text,
)

pytestmark = pytest.mark.django_db

CLINIC = {"name": "Kits Physio", "address": "1 Main St", "city": "Vancouver", "country": "CA"}
CONTACT = {
    "phone": "604 555 0123",
    "website": "https://kits.example.org/",
    "booking_url": "https://kits.example.org/book",
    "wheelchair_accessible": "yes",
    "hours_mon_opens": "09:00",
    "hours_mon_closes": "17:00",
    "hours_sat_opens": "10:00",
    "hours_sat_closes": "14:00",
}


@pytest.fixture
def practitioner():
    return PractitionerFactory()


@pytest.fixture
def client(practitioner):
    return signed_in(practitioner.user)


def test_adding_a_clinic_with_contact_and_hours(client, practitioner):
    response = client.post("/dashboard/clinics/", CLINIC | CONTACT)

    assert response.status_code == 302
    clinic = Location.objects.get(practitioner=practitioner)
    assert (clinic.phone, clinic.website, clinic.booking_url) == (
        "+16045550123",
        "https://kits.example.org/",
        "https://kits.example.org/book",
    )
    assert clinic.hours == [
        {"day": "mon", "opens": "09:00", "closes": "17:00"},
        {"day": "sat", "opens": "10:00", "closes": "14:00"},
    ]
    assert clinic.wheelchair_accessible is True


def test_the_edit_form_shows_the_stored_contact_and_saves_a_change(client, practitioner):
    clinic = LocationFactory(
        practitioner=practitioner,
        phone="+16045550123",
        hours=[{"day": "tue", "opens": "08:30", "closes": "12:00"}],
        wheelchair_accessible=False,
    )
    page = text(client.get(f"/dashboard/clinics/{clinic.pk}/"))
    assert 'value="(604) 555-0123"' in page
    assert 'id="id_hours_tue_opens" value="08:30"' in page or 'value="08:30"' in page

    form = {
        "name": clinic.name,
        "city": clinic.city,
        "country": clinic.country,
        "lat": clinic.lat,
        "lng": clinic.lng,
        "phone": "(604) 555-0123",
        "wheelchair_accessible": "no",
        "hours_tue_opens": "08:30",
        "hours_tue_closes": "12:00",
        "hours_wed_opens": "13:00",
        "hours_wed_closes": "18:00",
    }
    response = client.post(f"/dashboard/clinics/{clinic.pk}/", form)

    assert response.status_code == 302
    clinic.refresh_from_db()
    assert clinic.phone == "+16045550123"
    assert clinic.hours == [
        {"day": "tue", "opens": "08:30", "closes": "12:00"},
        {"day": "wed", "opens": "13:00", "closes": "18:00"},
    ]


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"phone": "555"}, "phone", PHONE_MESSAGE),
        ({"website": "http://kits.example.org/"}, "website", HTTPS_URL_MESSAGE),
        ({"booking_url": "not a url"}, "booking_url", HTTPS_URL_MESSAGE),
        (
            {"hours_mon_opens": "17:00", "hours_mon_closes": "09:00"},
            "hours_mon_closes",
            "Monday: closing time (09:00) must be after opening time (17:00).",
        ),
        ({"hours_mon_opens": "9 o'clock"}, "hours_mon_opens", "Enter a valid time."),
    ],
)
def test_a_refusal_sits_beside_its_field_keeps_the_input_and_saves_nothing(
    client, changes, field, message
):
    response = client.post("/dashboard/clinics/", CLINIC | CONTACT | changes)

    assert response.status_code == 200
    assert field_errors(response, field) == [message]
    assert_error_next_to(response, f"id_{field}", message.split(" (")[0][:40])
    page = text(response)
    assert 'value="Kits Physio"' in page
    for value in changes.values():
        assert f'value="{value}"' in page
    assert not Location.objects.exists()


def test_the_profile_shows_contact_hours_and_access(client, practitioner):
    LocationFactory(
        practitioner=practitioner,
        name="Kits Physio",
        phone="+16045550123",
        website="https://kits.example.org/",
        booking_url="https://kits.example.org/book",
        hours=[{"day": "mon", "opens": "09:00", "closes": "17:00"}],
        wheelchair_accessible=True,
    )

    page = text(client.get(f"/practitioners/{practitioner.pk}/"))

    assert '<a href="tel:+16045550123">(604) 555-0123</a>' in page
    assert 'href="https://kits.example.org/"' in page
    assert 'href="https://kits.example.org/book"' in page
    assert "Book online" in page
    assert '<th scope="row">Monday</th><td>09:00–17:00</td>' in page
    assert "Wheelchair accessible" in page
