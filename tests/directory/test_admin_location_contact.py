"""Clinic contact in the admin's practitioner page: the same rules as the API (the
location's own clean()), with the phone stored in E.164."""

import pytest

from directory.validators import HTTPS_URL_MESSAGE, PHONE_MESSAGE
from tests.directory.test_admin import PRACTITIONERS_URL, _profile_form
from tests.factories import qualified_practitioner

pytestmark = pytest.mark.django_db


def _with_clinic(practitioner, **contact) -> dict:
    clinic = {
        "name": "Harbour Clinic",
        "city": "Vancouver",
        "country": "CA",
        "lat": "49.28",
        "lng": "-123.12",
        "hours": "[]",
    } | contact
    return (
        _profile_form(practitioner)
        | {"locations-TOTAL_FORMS": "1"}
        | {f"locations-0-{name}": value for name, value in clinic.items()}
    )


def test_contact_added_in_the_admin_is_stored_as_the_api_stores_it(admin_client):
    practitioner = qualified_practitioner()
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"
    data = _with_clinic(
        practitioner,
        phone="604.555.0111",
        website="https://harbour.example.org/",
        hours='[{"day": "fri", "opens": "09:00", "closes": "12:00"}]',
        wheelchair_accessible="true",
    )

    assert admin_client.post(url, data).status_code == 302

    location = practitioner.locations.get()
    assert (location.phone, location.website, location.wheelchair_accessible) == (
        "+16045550111",
        "https://harbour.example.org/",
        True,
    )
    assert location.hours == [{"day": "fri", "opens": "09:00", "closes": "12:00"}]


@pytest.mark.parametrize(
    ("contact", "field", "message"),
    [
        ({"phone": "12"}, "phone", PHONE_MESSAGE),
        ({"booking_url": "http://harbour.example.org/"}, "booking_url", HTTPS_URL_MESSAGE),
        (
            {"hours": '[{"day": "sun", "opens": "12:00", "closes": "08:00"}]'},
            "hours",
            "Sunday: closing time (08:00) must be after opening time (12:00).",
        ),
    ],
)
def test_bad_contact_in_the_admin_is_refused_beside_its_field(
    admin_client, contact, field, message
):
    practitioner = qualified_practitioner()
    url = f"{PRACTITIONERS_URL}{practitioner.pk}/change/"

    response = admin_client.post(url, _with_clinic(practitioner, **contact))

    assert response.status_code == 200
    inline = response.context["inline_admin_formsets"][0]
    assert inline.formset.forms[0].errors == {field: [message]}
    assert not practitioner.locations.exists()
