"""GET /api/v1/practitioners/ — the public directory list (SPEC §5)."""

import math
from datetime import timedelta

import pytest
from django.utils import timezone

from directory.geo import EARTH_RADIUS_KM, Point, bounding_box, great_circle_km, haversine_km
from directory.models import Condition, Location, PractitionerProfile
from directory.serializers.directory import DirectoryPractitionerSerializer
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    # The factories set a password on every user (moderators included); the real hasher
    # would spend seconds on the query-budget tests' hundreds of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


URL = "/api/v1/practitioners/"
VANCOUVER = Point(49.2827, -123.1207)
BURNABY = Point(49.2488, -122.9805)
VICTORIA = Point(48.4284, -123.3656)  # ~95 km from Vancouver
NEAR_MESSAGE = "Use near=lat,lng with lat in -90..90 and lng in -180..180."
RADIUS_MESSAGE = "Use a number of kilometres greater than 0 and at most 500."
BOOLEAN_MESSAGE = "Use true or false."


def named(name: str, **kwargs) -> PractitionerProfile:
    return PractitionerFactory(user__name=name, **kwargs)


def clinic(practitioner: PractitionerProfile, point: Point, **kwargs):
    return LocationFactory(practitioner=practitioner, lat=point.lat, lng=point.lng, **kwargs)


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def km(a: Point, b: Point) -> float:
    return round(great_circle_km(a, b), 1)


# --- the row --------------------------------------------------------------------------


def test_list_row_shows_public_fields_and_first_clinic_without_near(api_client):
    practitioner = qualified_practitioner(
        user__name="Ada Gunn", languages=",en,fr,", accepting_new_patients=False
    )
    first = clinic(practitioner, BURNABY, name="Burnaby Spine", city="Burnaby")
    clinic(practitioner, VANCOUVER, name="Downtown IMS", city="Vancouver")

    response = api_client.get(URL)

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": practitioner.pk,
                "name": "Ada Gunn",
                "profession": "physiotherapist",
                "languages": ["en", "fr"],
                "accepting_new_patients": False,
                "qualified": True,
                "clinic": first.name,
                "city": "Burnaby",
                "distance_km": None,
                "url": f"/api/v1/practitioners/{practitioner.pk}/",
            }
        ],
    }


def test_list_row_without_clinic_has_null_clinic_and_city(api_client):
    practitioner = named("No Clinic", languages="")

    (row,) = api_client.get(URL).json()["results"]

    assert row == {
        "id": practitioner.pk,
        "name": "No Clinic",
        "profession": "physiotherapist",
        "languages": [],
        "accepting_new_patients": True,
        "qualified": False,
        "clinic": None,
        "city": None,
        "distance_km": None,
        "url": f"/api/v1/practitioners/{practitioner.pk}/",
    }


def test_near_row_shows_nearest_clinic_and_its_distance(api_client):
    practitioner = named("Two Clinics")
    clinic(practitioner, VICTORIA, name="Island IMS", city="Victoria")  # first by id, far
    clinic(practitioner, BURNABY, name="Burnaby Spine", city="Burnaby")

    response = api_client.get(URL, {"near": f"{VANCOUVER.lat},{VANCOUVER.lng}", "radius_km": 200})

    assert response.json()["results"] == [
        {
            "id": practitioner.pk,
            "name": "Two Clinics",
            "profession": "physiotherapist",
            "languages": ["en"],
            "accepting_new_patients": True,
            "qualified": False,
            "clinic": "Burnaby Spine",
            "city": "Burnaby",
            "distance_km": km(VANCOUVER, BURNABY),
            "url": f"/api/v1/practitioners/{practitioner.pk}/",
        }
    ]
    assert 10 < km(VANCOUVER, BURNABY) < 12


# --- who is listed --------------------------------------------------------------------


def test_deactivated_practitioner_is_not_listed(api_client):
    active = named("Active")
    named("Left The Practice", is_active=False)
    named("Account Closed", user__is_active=False)

    assert ids(api_client.get(URL)) == [active.pk]


def test_q_matches_practitioner_name_case_insensitively(api_client):
    match = named("Chan Gunn")
    named("Someone Else")

    assert ids(api_client.get(URL, {"q": "gUNN"})) == [match.pk]


def test_q_matches_any_clinic_name_once(api_client):
    match = named("Ada")
    clinic(match, VANCOUVER, name="Gunn IMS Clinic")
    clinic(match, BURNABY, name="Gunn IMS East")  # two matching clinics, one row
    other = named("Bea")
    clinic(other, VANCOUVER, name="Harbour Physio")

    response = api_client.get(URL, {"q": "gunn ims"})

    assert ids(response) == [match.pk]
    assert response.json()["count"] == 1


def test_condition_filter_accepts_slug_and_synonym(api_client):
    match = named("Sciatica Expert")
    ExperienceFactory(practitioner=match)  # sciatica
    other = named("Neck Only")
    ExperienceFactory(practitioner=other, condition=Condition.objects.get(slug="neck-pain"))

    assert ids(api_client.get(URL, {"condition": "sciatica"})) == [match.pk]
    assert ids(api_client.get(URL, {"condition": " Lumbar Radiculopathy "})) == [match.pk]


def test_unknown_condition_is_400_suggesting_the_closest_and_listing_valid_slugs(api_client):
    slugs = ", ".join(sorted(Condition.objects.values_list("slug", flat=True)))

    response = api_client.get(URL, {"condition": "toothache"})

    assert response.status_code == 400
    assert response.json() == {
        "condition": [
            "Unknown condition 'toothache'. Closest: Headaches and migraines. "
            f"Use one of: {slugs} (or a name or synonym of one)."
        ]
    }


def test_a_close_misspelling_of_a_condition_filters_by_it(api_client):
    match, other = named("Match"), named("Other")
    ExperienceFactory(practitioner=match, condition=Condition.objects.get(slug="sciatica"))
    ExperienceFactory(practitioner=other, condition=Condition.objects.get(slug="neck-pain"))

    assert ids(api_client.get(URL, {"condition": "siatica"})) == [match.pk]
    assert ids(api_client.get(URL, {"condition": "neck pian"})) == [other.pk]


def test_city_filter_is_case_insensitive_exact(api_client):
    match = named("In Town")
    clinic(match, VICTORIA, city="Victoria")
    clinic(match, VANCOUVER, city="Vancouver")
    other = named("Out Of Town")
    clinic(other, BURNABY, city="Burnaby")
    clinic(other, VANCOUVER, city="North Vancouver")  # contains, but is not, the city

    assert ids(api_client.get(URL, {"city": "vancouver"})) == [match.pk]


def test_language_filter_matches_whole_code(api_client):
    french = named("Francophone", languages=",en,fr,")
    named("Anglophone", languages=",en,")
    named("Frisian", languages=",fy,")

    assert ids(api_client.get(URL, {"language": "fr"})) == [french.pk]


@pytest.mark.parametrize("value", ["FR", "fra", "f", "f%", "1a"])
def test_language_must_be_two_lower_case_letters(api_client, value):
    response = api_client.get(URL, {"language": value})

    assert response.status_code == 400
    assert response.json() == {
        "language": ["Use a two-letter lower-case ISO 639-1 language code, e.g. en or fr."]
    }


def test_accepting_new_patients_filter(api_client):
    open_ = named("Open", accepting_new_patients=True)
    full = named("Full", accepting_new_patients=False)

    assert ids(api_client.get(URL, {"accepting_new_patients": "true"})) == [open_.pk]
    assert ids(api_client.get(URL, {"accepting_new_patients": "false"})) == [full.pk]


@pytest.mark.parametrize("param", ["accepting_new_patients", "qualified"])
@pytest.mark.parametrize("value", ["yes", "1", "maybe", "true\x00"])
def test_boolean_filters_accept_only_true_or_false(api_client, param, value):
    response = api_client.get(URL, {param: value})

    assert response.status_code == 400
    assert response.json() == {param: [BOOLEAN_MESSAGE]}


def test_qualified_filter_follows_the_qualified_rule(api_client):
    today = timezone.localdate()
    qualified = qualified_practitioner(user__name="A Qualified")
    expired = named("B Expired Licence")
    CredentialFactory(owner=expired.user, verified=True, expires_on=today - timedelta(days=1))
    CredentialFactory(owner=expired.user, verified=True, ims=True)
    pending_ims = named("C Pending IMS")
    CredentialFactory(owner=pending_ims.user, verified=True)
    CredentialFactory(owner=pending_ims.user, ims=True)  # pending
    bare = named("D Nothing")

    assert ids(api_client.get(URL, {"qualified": "true"})) == [qualified.pk]
    assert ids(api_client.get(URL, {"qualified": "false"})) == [
        expired.pk,
        pending_ims.pk,
        bare.pk,
    ]
    rows = api_client.get(URL).json()["results"]
    assert [row["qualified"] for row in rows] == [True, False, False, False]


# --- near and radius ------------------------------------------------------------------


def near(point: Point) -> str:
    return f"{point.lat},{point.lng}"


def test_near_orders_nearest_first_and_excludes_outside_default_radius(api_client):
    far = named("A Far")
    clinic(far, VICTORIA)  # ~95 km: outside the default 50 km
    nearer = named("B Burnaby")
    clinic(nearer, BURNABY)
    nearest = named("C Downtown")
    clinic(nearest, Point(VANCOUVER.lat + 0.001, VANCOUVER.lng))
    named("D No Clinic")

    response = api_client.get(URL, {"near": near(VANCOUVER)})

    assert ids(response) == [nearest.pk, nearer.pk]
    assert [row["distance_km"] for row in response.json()["results"]] == [
        0.1,
        km(VANCOUVER, BURNABY),
    ]


def test_radius_includes_just_inside_and_excludes_just_outside(api_client):
    center = Point(0.0, 0.0)
    step = math.degrees(10.0 / EARTH_RADIUS_KM)  # 10 km of latitude
    inside = named("Inside")
    clinic(inside, Point(step * 0.999, 0.0))  # 9.99 km
    outside = named("Outside")
    clinic(outside, Point(step * 1.001, 0.0))  # 10.01 km

    response = api_client.get(URL, {"near": near(center), "radius_km": "10"})

    assert ids(response) == [inside.pk]
    assert response.json()["results"][0]["distance_km"] == 10.0


def tangent_point(center: Point, radius_km: float, scale: float) -> Point:
    """The point of the circle furthest east of `center`, its longitude offset scaled."""
    angular = radius_km / EARTH_RADIUS_KM
    lat = math.degrees(math.asin(math.sin(math.radians(center.lat)) / math.cos(angular)))
    half_lng = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(center.lat))))
    return Point(lat, center.lng + half_lng * scale)


def test_bounding_box_keeps_a_clinic_just_inside_the_circle_far_from_the_equator(api_client):
    # At 60°N the circle's east edge is wider than radius / cos(lat): a naive box drops it.
    center = Point(60.0, 10.0)
    inside_point = tangent_point(center, 500, scale=0.9999)
    outside_point = tangent_point(center, 500, scale=1.0001)
    assert great_circle_km(center, inside_point) < 500 < great_circle_km(center, outside_point)
    assert inside_point.lng - center.lng > math.degrees(500 / EARTH_RADIUS_KM) / 0.5
    inside = named("Edge Inside")
    clinic(inside, inside_point)
    clinic(named("Edge Outside"), outside_point)

    response = api_client.get(URL, {"near": near(center), "radius_km": "500"})

    assert ids(response) == [inside.pk]
    assert response.json()["results"][0]["distance_km"] == km(center, inside_point)


@pytest.mark.parametrize("side", [1, -1])  # searching from either side of the line
def test_near_across_the_antimeridian(api_client, side):
    center = Point(-17.7, 179.9 * side)
    across = named("Across The Line")
    clinic(across, Point(-17.7, -179.9 * side))  # ~21 km
    same_side = named("Same Side")
    clinic(same_side, Point(-17.7, 179.6 * side))  # ~32 km
    clinic(named("Too Far"), Point(-17.7, -179.0 * side))  # ~95 km

    response = api_client.get(URL, {"near": near(center)})

    assert ids(response) == [across.pk, same_side.pk]
    assert response.json()["results"][0]["distance_km"] == km(center, Point(-17.7, -179.9 * side))


def test_near_a_pole_spans_every_longitude(api_client):
    across = named("Across The Pole")
    clinic(across, Point(89.9, 180.0))  # 0.2° of arc over the pole: ~22 km

    response = api_client.get(URL, {"near": "89.9,0", "radius_km": "30"})

    assert ids(response) == [across.pk]
    assert response.json()["results"][0]["distance_km"] == km(Point(89.9, 0), Point(89.9, 180))


def test_bounding_box_contains_the_circle():
    for center in [
        Point(0, 0), Point(60, 10), Point(-45, 170), Point(-45, -179), Point(10, 179.5),
        Point(89, 0), Point(-89.9, 5),
    ]:  # fmt: skip
        box = bounding_box(center, 300)
        for bearing in range(0, 360, 5):
            point = destination(center, 299.9, bearing)
            assert box.min_lat <= point.lat <= box.max_lat
            if box.min_lng <= box.max_lng:
                assert box.min_lng <= point.lng <= box.max_lng, (center, bearing)
            else:
                assert point.lng >= box.min_lng or point.lng <= box.max_lng, (center, bearing)


def test_sql_distance_agrees_with_the_python_reference():
    center = Point(49.2827, -123.1207)
    points = [
        center,
        BURNABY,
        VICTORIA,
        Point(-33.87, 151.21),
        Point(90, 0),
        Point(-90, 0),
        Point(0, 180),
        Point(-49.2827, 56.8793),
    ]  # fmt: skip  (the last: the antipode)
    practitioner = named("Everywhere")
    for point in points:
        clinic(practitioner, point)

    measured = Location.objects.annotate(d=haversine_km(center)).order_by("id")

    for location, point in zip(measured, points, strict=True):
        assert location.d == pytest.approx(great_circle_km(center, point), abs=1e-6)
    assert measured.last().d == pytest.approx(math.pi * EARTH_RADIUS_KM, abs=1e-6)


def destination(start: Point, distance_km: float, bearing_deg: float) -> Point:
    angular, bearing = distance_km / EARTH_RADIUS_KM, math.radians(bearing_deg)
    lat1, lng1 = math.radians(start.lat), math.radians(start.lng)
    lat2 = math.asin(
        math.sin(lat1) * math.cos(angular) + math.cos(lat1) * math.sin(angular) * math.cos(bearing)
    )
    lng2 = lng1 + math.atan2(
        math.sin(bearing) * math.sin(angular) * math.cos(lat1),
        math.cos(angular) - math.sin(lat1) * math.sin(lat2),
    )
    return Point(math.degrees(lat2), (math.degrees(lng2) + 540) % 360 - 180)


@pytest.mark.parametrize(
    "value",
    ["abc", "49.2", "49.2,", ",-123", "49.2,-123.1,5", "90.01,0", "-91,0", "0,180.5", "0,-181",
     "nan,0", "0,NaN", "inf,0", "0,-inf", "1e400,0", "49.2;-123.1", "49.2\x00,-123.1"],
)  # fmt: skip
def test_malformed_near_is_400(api_client, value):
    response = api_client.get(URL, {"near": value})

    assert response.status_code == 400
    assert response.json() == {"near": [NEAR_MESSAGE]}


@pytest.mark.parametrize("value", ["0", "501", "-5", "abc", "nan", "inf", "500.01", "5\x00"])
def test_radius_out_of_range_is_400(api_client, value):
    response = api_client.get(URL, {"near": near(VANCOUVER), "radius_km": value})

    assert response.status_code == 400
    assert response.json() == {"radius_km": [RADIUS_MESSAGE]}


def test_radius_of_500_is_allowed(api_client):
    far = named("Victoria")
    clinic(far, VICTORIA)

    assert ids(api_client.get(URL, {"near": near(VANCOUVER), "radius_km": "500"})) == [far.pk]


def test_radius_without_near_is_400(api_client):
    response = api_client.get(URL, {"radius_km": "10"})

    assert response.status_code == 400
    assert response.json() == {
        "radius_km": ["radius_km applies only with near=lat,lng; add near or drop radius_km."]
    }


# --- ordering -------------------------------------------------------------------------


def test_default_order_is_name_then_id_case_insensitively(api_client):
    bea_2 = named("Bea")
    ada = named("ada")
    bea_1 = named("Bea")
    carl = named("Carl")

    assert ids(api_client.get(URL)) == [ada.pk, bea_2.pk, bea_1.pk, carl.pk]
    assert ids(api_client.get(URL, {"ordering": "name"})) == [ada.pk, bea_2.pk, bea_1.pk, carl.pk]
    assert ids(api_client.get(URL, {"ordering": "-name"})) == [carl.pk, bea_2.pk, bea_1.pk, ada.pk]


def test_near_can_be_ordered_by_name_or_distance(api_client):
    zed = named("Zed")
    clinic(zed, Point(VANCOUVER.lat + 0.001, VANCOUVER.lng))
    amy = named("Amy")
    clinic(amy, BURNABY)
    params = {"near": near(VANCOUVER)}

    assert ids(api_client.get(URL, params)) == [zed.pk, amy.pk]
    assert ids(api_client.get(URL, {**params, "ordering": "distance"})) == [zed.pk, amy.pk]
    assert ids(api_client.get(URL, {**params, "ordering": "name"})) == [amy.pk, zed.pk]


def test_equal_distances_break_ties_by_id(api_client):
    first, second = named("Zoe"), named("Abe")
    clinic(first, BURNABY)
    clinic(second, BURNABY)

    assert ids(api_client.get(URL, {"near": near(VANCOUVER)})) == [first.pk, second.pk]


@pytest.mark.parametrize("value", ["distance_km", "id", "-distance", "name\x00"])
def test_unknown_ordering_is_400(api_client, value):
    response = api_client.get(URL, {"ordering": value})

    assert response.status_code == 400
    assert response.json() == {
        "ordering": ["Use one of: name, -name, distance (distance needs near=lat,lng)."]
    }


def test_distance_ordering_without_near_is_400(api_client):
    response = api_client.get(URL, {"ordering": "distance"})

    assert response.status_code == 400
    assert response.json() == {"ordering": ["ordering=distance needs near=lat,lng."]}


# --- text parameters ------------------------------------------------------------------


NUL_MESSAGE = "Null characters are not allowed."


@pytest.mark.parametrize(
    ("param", "messages"),
    [
        ("q", [NUL_MESSAGE]),
        ("condition", [NUL_MESSAGE]),
        ("city", [NUL_MESSAGE]),
        ("language", ["Use a two-letter lower-case ISO 639-1 language code, e.g. en or fr.",
                      NUL_MESSAGE]),
    ],
)  # fmt: skip
def test_nul_byte_in_text_parameter_is_400(api_client, param, messages):
    response = api_client.get(URL, {param: "gu\x00nn"})

    assert response.status_code == 400
    assert response.json() == {param: messages}


@pytest.mark.parametrize("param", ["q", "condition", "city"])
def test_overlong_text_parameter_is_400(api_client, param):
    response = api_client.get(URL, {param: "x" * 101})

    assert response.status_code == 400
    assert response.json() == {
        param: ["Ensure this value has at most 100 characters (it has 101)."]
    }


def test_q_with_like_wildcards_is_literal(api_client):
    named("100% Physio")
    named("Other")

    assert len(ids(api_client.get(URL, {"q": "%"}))) == 1
    assert ids(api_client.get(URL, {"q": "_"})) == []


def test_filters_combine(api_client):
    match = qualified_practitioner(user__name="Match", languages=",en,fr,")
    clinic(match, BURNABY, city="Burnaby")
    ExperienceFactory(practitioner=match)
    wrong_language = qualified_practitioner(user__name="Match Too", languages=",en,")
    clinic(wrong_language, BURNABY, city="Burnaby")
    ExperienceFactory(practitioner=wrong_language)

    response = api_client.get(
        URL,
        {
            "q": "match",
            "condition": "sciatica",
            "city": "burnaby",
            "near": near(VANCOUVER),
            "radius_km": "20",
            "language": "fr",
            "accepting_new_patients": "true",
            "qualified": "true",
        },
    )

    assert ids(response) == [match.pk]


# --- pagination -----------------------------------------------------------------------


def test_page_size_5_pages_with_next_and_previous(api_client):
    practitioners = [named(f"P{n:02d}") for n in range(12)]

    first = api_client.get(URL, {"page_size": 5}).json()
    second = api_client.get(URL, {"page_size": 5, "page": 2}).json()

    assert first["count"] == 12
    assert [row["id"] for row in first["results"]] == [p.pk for p in practitioners[:5]]
    assert first["previous"] is None
    assert first["next"] == "http://testserver/api/v1/practitioners/?page=2&page_size=5"
    assert [row["id"] for row in second["results"]] == [p.pk for p in practitioners[5:10]]
    assert second["previous"] == "http://testserver/api/v1/practitioners/?page_size=5"
    assert second["next"] == "http://testserver/api/v1/practitioners/?page=3&page_size=5"


def test_last_page_counts_from_its_own_rows(api_client, django_assert_num_queries):
    practitioners = [named(f"P{n:02d}") for n in range(12)]

    with django_assert_num_queries(1):  # the page only: it is short, so it holds the last rows
        last = api_client.get(URL, {"page_size": 5, "page": 3}).json()

    assert last == {
        "count": 12,
        "next": None,
        "previous": "http://testserver/api/v1/practitioners/?page=2&page_size=5",
        "results": last["results"],
    }
    assert [row["id"] for row in last["results"]] == [p.pk for p in practitioners[10:]]


def test_an_exactly_full_last_page_is_counted(api_client):
    for n in range(10):
        named(f"P{n:02d}")

    body = api_client.get(URL, {"page_size": 5, "page": 2}).json()

    assert (body["count"], body["next"], len(body["results"])) == (10, None, 5)


@pytest.mark.parametrize(
    ("params", "body"),
    [
        ({"page": "0"}, {"page": ["Must be a whole number, 1 or more."]}),
        ({"page": "x"}, {"page": ["Must be a whole number, 1 or more."]}),
        ({"page_size": "101"}, {"page_size": ["Must be a whole number from 1 to 100."]}),
        ({"page_size": "0"}, {"page_size": ["Must be a whole number from 1 to 100."]}),
    ],
)
def test_bad_page_parameters_are_400(api_client, params, body):
    named("Someone")

    response = api_client.get(URL, params)

    assert response.status_code == 400
    assert response.json() == body


def test_page_past_the_end_is_404_with_message(api_client):
    named("Only One")

    response = api_client.get(URL, {"page": "3"})

    assert response.status_code == 404
    assert response.json() == {"detail": "Page 3 does not exist; pages run from 1 to 1."}


# --- query budget ---------------------------------------------------------------------


def populate(count: int) -> None:
    """Practitioners with everything a row could be tempted to load one by one."""
    moderator = ModeratorFactory()
    for n in range(count):
        practitioner = named(f"P{n:03d}", languages=",en,fr,")
        CredentialFactory(owner=practitioner.user, verified=True, reviewed_by=moderator)
        CredentialFactory(owner=practitioner.user, verified=True, ims=True, reviewed_by=moderator)
        clinic(practitioner, VICTORIA)
        clinic(practitioner, Point(BURNABY.lat + n / 10000, BURNABY.lng))
        ExperienceFactory(practitioner=practitioner)


@pytest.mark.parametrize("params", [{}, {"near": "49.2827,-123.1207", "qualified": "true"}])
def test_list_costs_one_query_and_a_count_only_when_more_rows_follow(
    api_client, django_assert_num_queries, params
):
    populate(50)

    # page + count while rows follow the page; the page alone when it holds the last rows
    for page_size, queries in ((5, 2), (49, 2), (50, 1)):
        with django_assert_num_queries(queries):
            response = api_client.get(URL, {**params, "page_size": page_size})
        assert len(response.json()["results"]) == page_size
        assert response.json()["count"] == 50


@pytest.mark.parametrize("rows", [3, 30])
def test_list_costs_one_query_whatever_the_number_of_practitioners(
    api_client, django_assert_num_queries, rows
):
    populate(rows)

    with django_assert_num_queries(1):
        response = api_client.get(URL, {"page_size": 100, "near": "49.2827,-123.1207"})
    assert response.json()["count"] == rows


def test_condition_filter_adds_only_the_taxonomy_lookup(api_client, django_assert_num_queries):
    populate(5)

    with django_assert_num_queries(2):  # taxonomy + page
        response = api_client.get(URL, {"condition": "sciatica"})
    assert response.json()["count"] == 5


def test_rows_have_exactly_the_documented_fields(api_client):
    practitioner = qualified_practitioner()
    clinic(practitioner, VANCOUVER)

    for params in ({}, {"near": "49.2827,-123.1207"}):
        [row] = api_client.get(URL, params).json()["results"]
        assert set(row) == set(DirectoryPractitionerSerializer().fields)


def test_list_is_public_and_ignores_who_asks(api_client):
    practitioner = named("Public")
    UserFactory()

    assert ids(api_client.get(URL)) == [practitioner.pk]
