"""/api/v1/me/locations/ and /{id}/: a practitioner's own clinic locations."""

import pytest

from directory.gazetteer import UnknownPlace, resolve_city
from directory.limits import LOCATIONS_MAX as MAX_LOCATIONS_PER_PRACTITIONER
from directory.models import Location
from tests.conftest import client_for
from tests.factories import LocationFactory, PhysicianFactory, PractitionerFactory

LIST = "/api/v1/me/locations/"
PRACTITIONERS_ONLY = {"detail": "Only practitioner accounts have this."}
NOT_FOUND = {"detail": "You have no location with this id."}
PAIR = "Give lat and lng together, or neither to look them up from city and country."

pytestmark = pytest.mark.django_db


def detail(location_id: int) -> str:
    return f"{LIST}{location_id}/"


def _body(location: Location, **overrides) -> dict:
    return {
        "id": location.id,
        "name": location.name,
        "address": location.address,
        "city": location.city,
        "region": location.region,
        "postal_code": location.postal_code,
        "country": location.country,
        "lat": location.lat,
        "lng": location.lng,
        "phone": location.phone or None,
        "website": location.website or None,
        "booking_url": location.booking_url or None,
        "hours": location.hours,
        "wheelchair_accessible": location.wheelchair_accessible,
        **overrides,
    }


def _clinic(**overrides) -> dict:
    return {
        "name": "Kits Physio",
        "address": "2100 W 4th Ave",
        "city": "Vancouver",
        "region": "BC",
        "postal_code": "V6K 1N7",
        "country": "CA",
        **overrides,
    }


# --- create -------------------------------------------------------------------------------


def test_create_with_coordinates_keeps_them(practitioner):
    response = client_for(practitioner.user).post(
        LIST, _clinic(lat=49.268, lng=-123.155), format="json"
    )

    assert response.status_code == 201
    location = Location.objects.get()
    assert location.practitioner == practitioner
    assert response.json() == _body(location) | _clinic(lat=49.268, lng=-123.155)


def test_create_without_coordinates_looks_the_city_up(practitioner):
    response = client_for(practitioner.user).post(LIST, _clinic(), format="json")

    assert response.status_code == 201
    location = Location.objects.get()
    assert response.json() == _body(location) | _clinic()
    assert (location.lat, location.lng) == pytest.approx((49.28, -123.12), abs=0.05)


def test_city_lookup_ignores_accents_and_case(practitioner):
    client = client_for(practitioner.user)

    plain = client.post(LIST, _clinic(city="montreal", region="QC", country="ca"), format="json")
    accented = client.post(LIST, _clinic(city="Montréal", region="QC"), format="json")

    assert plain.status_code == accented.status_code == 201
    assert plain.json()["country"] == "CA"
    assert (plain.json()["lat"], plain.json()["lng"]) == (
        accented.json()["lat"],
        accented.json()["lng"],
    )
    assert (plain.json()["lat"], plain.json()["lng"]) == pytest.approx((45.5, -73.58), abs=0.05)


def test_optional_fields_default_to_blank(practitioner):
    body = {"name": "Home visits", "city": "Victoria", "country": "CA"}

    response = client_for(practitioner.user).post(LIST, body, format="json")

    assert response.status_code == 201
    location = Location.objects.get()
    assert response.json() == _body(location) | body | {
        "address": "",
        "region": "",
        "postal_code": "",
    }


def test_a_town_the_gazetteer_lacks_is_fine_with_coordinates(practitioner):
    body = _clinic(city="Gibsons", lat=49.4, lng=-123.5)

    response = client_for(practitioner.user).post(LIST, body, format="json")

    assert response.status_code == 201
    assert response.json() == _body(Location.objects.get()) | body


def test_unknown_city_is_a_400_and_writes_nothing(practitioner):
    with pytest.raises(UnknownPlace) as expected:
        resolve_city("Atlantis", "CA")

    response = client_for(practitioner.user).post(LIST, _clinic(city="Atlantis"), format="json")

    assert response.status_code == 400
    assert response.json() == {"city": [str(expected.value)]}
    assert not Location.objects.exists()


@pytest.mark.parametrize(
    "overrides, error",
    [
        ({"lat": 90.5, "lng": 0}, {"lat": ["Latitude must be from -90 to 90."]}),
        ({"lat": -91, "lng": 0}, {"lat": ["Latitude must be from -90 to 90."]}),
        ({"lat": 0, "lng": 180.01}, {"lng": ["Longitude must be from -180 to 180."]}),
        ({"lat": 0, "lng": -181}, {"lng": ["Longitude must be from -180 to 180."]}),
        ({"lat": "nan", "lng": 0}, {"lat": ["A valid number is required."]}),
        ({"lat": 49.2}, {"lng": [PAIR]}),
        ({"lng": -123.1}, {"lat": [PAIR]}),
        (
            {"country": "ZZ"},
            {
                "country": [
                    "'ZZ' is not an ISO 3166-1 alpha-2 country code; "
                    "use two letters such as CA, US or GB."
                ]
            },
        ),
        (
            {"country": "CAN"},
            {
                "country": [
                    "'CAN' is not an ISO 3166-1 alpha-2 country code; "
                    "use two letters such as CA, US or GB."
                ]
            },
        ),
        ({"name": ""}, {"name": ["This field may not be blank."]}),
        ({"city": "Van\x00couver"}, {"city": ["Null characters are not allowed."]}),
        (
            {"practitioner": 1},
            {
                "practitioner": [
                    "Unknown field. Allowed fields: address, booking_url, city, country, hours, "
                    "lat, lng, name, phone, postal_code, region, website, wheelchair_accessible."
                ]
            },
        ),
    ],
)
def test_invalid_location_is_a_400_and_writes_nothing(practitioner, overrides, error):
    response = client_for(practitioner.user).post(LIST, _clinic(**overrides), format="json")

    assert response.status_code == 400
    assert response.json() == error
    assert not Location.objects.exists()


def test_a_practitioner_lists_at_most_twenty_locations(practitioner):
    LocationFactory.create_batch(MAX_LOCATIONS_PER_PRACTITIONER, practitioner=practitioner)

    response = client_for(practitioner.user).post(LIST, _clinic(), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "non_field_errors": [
            "A practitioner can list at most 20 locations; delete one before adding another."
        ]
    }
    assert practitioner.locations.count() == MAX_LOCATIONS_PER_PRACTITIONER


# --- read ---------------------------------------------------------------------------------


def test_list_shows_only_the_callers_locations(practitioner):
    mine = LocationFactory.create_batch(2, practitioner=practitioner)
    LocationFactory()

    response = client_for(practitioner.user).get(LIST)

    assert response.status_code == 200
    assert response.json() == {
        "count": 2,
        "next": None,
        "previous": None,
        "results": [_body(location) for location in mine],
    }


def test_detail_returns_the_location(practitioner):
    location = LocationFactory(practitioner=practitioner)

    response = client_for(practitioner.user).get(detail(location.id))

    assert response.status_code == 200
    assert response.json() == _body(location)


@pytest.mark.parametrize("rows", [1, 6])
def test_list_query_count_does_not_grow_with_rows(practitioner, rows, django_assert_num_queries):
    LocationFactory.create_batch(rows, practitioner=practitioner)
    client = client_for(practitioner.user)

    # One COUNT for the paginator, one SELECT for the page.
    with django_assert_num_queries(2):
        response = client.get(LIST)

    assert len(response.json()["results"]) == rows


# --- update -------------------------------------------------------------------------------


def test_patch_name_keeps_the_coordinates(practitioner):
    location = LocationFactory(practitioner=practitioner, lat=49.1, lng=-123.0)

    response = client_for(practitioner.user).patch(
        detail(location.id), {"name": "Renamed"}, format="json"
    )

    assert response.status_code == 200
    assert response.json() == _body(location) | {"name": "Renamed", "lat": 49.1, "lng": -123.0}
    location.refresh_from_db()
    assert (location.name, location.lat, location.lng) == ("Renamed", 49.1, -123.0)


def test_patch_city_moves_the_pin_to_the_new_city(practitioner):
    location = LocationFactory(practitioner=practitioner)

    response = client_for(practitioner.user).patch(
        detail(location.id), {"city": "Toronto", "region": "ON"}, format="json"
    )

    assert response.status_code == 200
    location.refresh_from_db()
    assert (location.lat, location.lng) == pytest.approx((43.7, -79.4), abs=0.05)
    assert response.json() == _body(location) | {"city": "Toronto", "region": "ON"}


def test_patch_country_alone_re_resolves_the_city(practitioner):
    location = LocationFactory(practitioner=practitioner, city="London", country="GB")

    response = client_for(practitioner.user).patch(
        detail(location.id), {"country": "ca"}, format="json"
    )

    assert response.status_code == 200
    location.refresh_from_db()
    assert location.country == "CA"
    assert (location.lat, location.lng) == pytest.approx((42.98, -81.23), abs=0.05)


def test_patch_city_with_coordinates_keeps_the_given_ones(practitioner):
    location = LocationFactory(practitioner=practitioner)
    changes = {"city": "Toronto", "lat": 43.65, "lng": -79.38}

    response = client_for(practitioner.user).patch(detail(location.id), changes, format="json")

    assert response.status_code == 200
    assert response.json() == _body(location) | changes


@pytest.mark.parametrize(
    "changes, error",
    [
        ({"city": "Atlantis"}, "city"),
        ({"lat": 10}, "lng"),
        ({"lat": 100, "lng": 0}, "lat"),
        ({"country": ""}, "country"),
        ({"id": 5}, "id"),
    ],
)
def test_invalid_patch_is_a_400_and_changes_nothing(practitioner, changes, error):
    location = LocationFactory(practitioner=practitioner)
    before = Location.objects.values().get(pk=location.pk)

    response = client_for(practitioner.user).patch(detail(location.id), changes, format="json")

    assert response.status_code == 400
    assert list(response.json()) == [error]
    assert Location.objects.values().get(pk=location.pk) == before


def test_delete_removes_the_location(practitioner):
    location = LocationFactory(practitioner=practitioner)

    response = client_for(practitioner.user).delete(detail(location.id))

    assert response.status_code == 204
    assert not Location.objects.filter(pk=location.pk).exists()


# --- permissions --------------------------------------------------------------------------


@pytest.mark.parametrize("method", ["get", "patch", "delete"])
def test_another_practitioners_location_is_not_found(practitioner, method):
    theirs = LocationFactory()
    before = Location.objects.values().get(pk=theirs.pk)

    response = getattr(client_for(practitioner.user), method)(
        detail(theirs.id), {"name": "Hijacked"}, format="json"
    )

    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert Location.objects.values().get(pk=theirs.pk) == before


def test_an_id_beyond_any_integer_is_not_found(practitioner):
    response = client_for(practitioner.user).get(detail(2**70))

    assert response.status_code == 404
    assert response.json() == NOT_FOUND


@pytest.mark.parametrize("who", ["patient", "moderator", "physician"])
def test_non_practitioners_are_forbidden(who, patient, moderator):
    user = {"patient": patient, "moderator": moderator, "physician": PhysicianFactory().user}[who]
    location = LocationFactory()
    client = client_for(user)

    responses = [
        client.get(LIST),
        client.post(LIST, _clinic(), format="json"),
        client.get(detail(location.id)),
        client.patch(detail(location.id), {"name": "X"}, format="json"),
        client.delete(detail(location.id)),
    ]

    assert [r.status_code for r in responses] == [403] * 5
    assert all(r.json() == PRACTITIONERS_ONLY for r in responses)
    assert Location.objects.count() == 1


def test_anonymous_callers_must_sign_in(api_client):
    location = LocationFactory()

    responses = [
        api_client.get(LIST),
        api_client.post(LIST, _clinic(), format="json"),
        api_client.get(detail(location.id)),
        api_client.patch(detail(location.id), {"name": "X"}, format="json"),
        api_client.delete(detail(location.id)),
    ]

    assert [r.status_code for r in responses] == [401] * 5
    assert Location.objects.count() == 1


def test_owner_and_another_practitioner_each_see_their_own(practitioner):
    other = PractitionerFactory()
    mine = LocationFactory(practitioner=practitioner)
    theirs = LocationFactory(practitioner=other)

    assert [r["id"] for r in client_for(practitioner.user).get(LIST).json()["results"]] == [mine.id]
    assert [r["id"] for r in client_for(other.user).get(LIST).json()["results"]] == [theirs.id]
