"""The listing rules' forms agree: active practitioner (directory.rules)."""

import pytest
from django.db import connection

from directory.models import PractitionerProfile, User
from directory.rules import active_practitioner_q, active_practitioner_sql, practitioner_is_active
from directory.sqltext import table_sql
from tests.factories import PractitionerFactory

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
