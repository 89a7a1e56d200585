"""Each match result's practitioner carries the fee, direct billing and the contact of the
clinic the result names (the nearest within the radius), nulls where not given."""

from decimal import Decimal

import pytest

from tests.factories import ExperienceFactory, LocationFactory, qualified_practitioner

URL = "/api/v1/match/"


def _practitioner(name: str, **profile):
    practitioner = qualified_practitioner(**profile)
    practitioner.user.name = name
    practitioner.user.save()
    ExperienceFactory(practitioner=practitioner)
    return practitioner


@pytest.mark.django_db
def test_the_contact_is_the_named_clinics_and_missing_values_are_null(api_client):
    billing = _practitioner("Dana Lee", fee_per_session=Decimal("110"), direct_billing=True)
    LocationFactory(
        practitioner=billing,
        name="Far Clinic",
        lat=49.30,
        lng=-123.00,
        phone="+16045550100",
        website="https://far.example.org/",
        booking_url="https://far.example.org/book",
    )
    LocationFactory(
        practitioner=billing,
        name="Near Clinic",
        lat=49.2827,
        lng=-123.1207,
        phone="+16045550101",
    )
    silent = _practitioner("Sam Roe")
    LocationFactory(practitioner=silent, name="Quiet Clinic", lat=49.2827, lng=-123.1207)

    response = api_client.post(
        URL,
        {"condition": "sciatica", "location": {"lat": 49.2827, "lng": -123.1207}},
        format="json",
    )

    assert response.status_code == 200
    practitioners = {
        item["practitioner"]["name"]: {
            key: item["practitioner"][key]
            for key in ("clinic", "fee_per_session", "direct_billing", "contact")
        }
        for item in response.json()["results"]
    }
    assert practitioners == {
        "Dana Lee": {
            "clinic": "Near Clinic",
            "fee_per_session": "110.00",
            "direct_billing": True,
            "contact": {"phone": "+16045550101", "website": None, "booking_url": None},
        },
        "Sam Roe": {
            "clinic": "Quiet Clinic",
            "fee_per_session": None,
            "direct_billing": False,
            "contact": {"phone": None, "website": None, "booking_url": None},
        },
    }
