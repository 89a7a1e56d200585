"""The listing rules' forms agree (directory.rules): active practitioner, clinic within a
radius, nearest clinic. tests/matching/test_candidates.py checks that the directory and the
match show the same clinic at the same distance."""

import random

import pytest
from django.db import connection

from directory.geo import Point, bounding_box, bounding_box_sql, great_circle_km, haversine_sql
from directory.models import Location, PractitionerProfile, User
from directory.rules import (
    active_practitioner_q,
    active_practitioner_sql,
    clinic_order_sql,
    clinics_nearest_first,
    practitioner_is_active,
    within_radius_params,
    within_radius_q,
    within_radius_sql,
)
from directory.sqltext import table_sql
from tests.factories import LocationFactory, PractitionerFactory

pytestmark = pytest.mark.django_db

FLAGS = [(True, True), (True, False), (False, True), (False, False)]


def _practitioners() -> dict[int, tuple[bool, bool]]:
    """One practitioner per (profile active, account active)."""
    return {
        PractitionerFactory(is_active=profile, user__is_active=account).pk: (profile, account)
        for profile, account in FLAGS
    }


def test_only_an_active_profile_of_an_active_account_is_active():
    practitioners = _practitioners()
    active = set(PractitionerProfile.objects.filter(active_practitioner_q()).values_list("pk"))
    assert active == {(pk,) for pk, flags in practitioners.items() if flags == (True, True)}


def test_the_python_and_sql_forms_agree_with_the_queryset():
    _practitioners()
    by_q = set(
        PractitionerProfile.objects.filter(active_practitioner_q()).values_list("pk", flat=True)
    )
    by_python = {
        p.pk
        for p in PractitionerProfile.objects.select_related("user")
        if practitioner_is_active(p)
    }
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT p.id FROM {table_sql(PractitionerProfile)} p"
            f" JOIN {table_sql(User)} u ON u.id = p.user_id"
            f" WHERE {active_practitioner_sql(profile='p', user='u')}"
        )
        by_sql = {row[0] for row in cursor.fetchall()}
    assert len(by_q) == 1
    assert by_q == by_python == by_sql


def test_the_path_reaches_the_practitioner_from_a_related_model():
    practitioners = _practitioners()
    users = User.objects.filter(active_practitioner_q(practitioner_path="practitioner"))
    assert set(users.values_list("practitioner__pk", flat=True)) == {
        pk for pk, flags in practitioners.items() if flags == (True, True)
    }


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_within_radius_sql_selects_the_clinics_the_queryset_does(seed):
    rnd = random.Random(seed)
    center = Point(rnd.uniform(-60, 60), rnd.uniform(-179, 179))
    if seed == 3:
        center = Point(-17.7, 179.95)  # a box that wraps the antimeridian
    radius = rnd.choice([5.0, 50.0, 500.0])
    box = bounding_box(center, radius)
    for _ in range(40):
        # Points around the circle's edge, inside and outside it.
        lat = center.lat + rnd.uniform(-1.3, 1.3) * (box.max_lat - center.lat)
        lng = ((center.lng + rnd.uniform(-1.3, 1.3) * radius / 50 + 180) % 360) - 180
        LocationFactory(lat=lat, lng=lng)
    by_q = set(
        Location.objects.filter(within_radius_q(center, radius)).values_list("pk", flat=True)
    )
    with connection.cursor() as cursor:
        where = [
            bounding_box_sql(lat="l.lat", lng="l.lng", wraps=box.wraps),
            within_radius_sql(distance=haversine_sql(lat="l.lat", lng="l.lng")),
        ]
        cursor.execute(
            f"SELECT l.id FROM {table_sql(Location)} l WHERE {' AND '.join(where)}",
            within_radius_params(center, radius),
        )
        by_sql = {row[0] for row in cursor.fetchall()}
    assert by_sql == by_q
    assert 0 < len(by_q) < 40
    assert all(
        great_circle_km(center, Point(lat, lng)) <= radius
        for lat, lng in Location.objects.filter(pk__in=by_q).values_list("lat", "lng")
    )


def test_the_nearest_clinic_comes_first_and_ties_go_to_the_first_added():
    practitioner = PractitionerFactory()
    far, tied_first, tied_second = (
        LocationFactory(practitioner=practitioner, lat=lat, lng=0.0) for lat in (2.0, 1.0, 1.0)
    )
    nearest_first = clinics_nearest_first(Point(0.0, 0.0)).filter(practitioner=practitioner)
    assert list(nearest_first) == [tied_first, tied_second, far]
    assert list(clinics_nearest_first().filter(practitioner=practitioner)) == [
        far,
        tied_first,
        tied_second,
    ]
    assert clinic_order_sql(distance="d", location_id="l.id") == "d, l.id"
    assert clinic_order_sql(distance=None, location_id="l.id") == "l.id"
