"""`manage.py seed_demo`: counts, variety, demo accounts, idempotence and determinism."""

import re
from io import StringIO
from math import asin, cos, radians, sin, sqrt
from unittest import mock

import pytest
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from directory.models import (
    ConditionExperience,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Role,
    User,
)
from directory.rules import qualified_q, verified_physician_q
from tests.factories import PractitionerFactory

DEMO_PASSWORD = "ims-demo-local-only"  # the README's documented password, restated on purpose
SMALL = 40
DEMO_ACCOUNTS = 4  # patient, physician, practitioner, moderator

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    # seed_demo refuses to run with DEBUG off (its superuser's password is public).
    settings.DEBUG = True


def _seed(*args: str, practitioners: int | None = SMALL) -> str:
    out = StringIO()
    options = {} if practitioners is None else {"practitioners": practitioners}
    call_command("seed_demo", *args, stdout=out, **options)
    return out.getvalue()


def _snapshot(*, with_timestamps: bool = False) -> dict[str, list]:
    """Every seeded row as comparable values: no ids (sequences differ between runs)."""
    stamps = ("created_at", "updated_at") if with_timestamps else ()
    return {
        "users": sorted(
            User.objects.values_list(
                "email",
                "name",
                "role",
                "is_staff",
                "is_superuser",
                "is_active",
                "password",
                "date_joined",
            )
        ),
        "physicians": sorted(PhysicianProfile.objects.values_list("user__email", flat=True)),
        "practitioners": sorted(
            PractitionerProfile.objects.values_list(
                "user__email",
                "profession",
                "bio",
                "languages",
                "accepting_new_patients",
                "fee_per_session",
                "direct_billing",
                "is_active",
                *stamps,
            )
        ),
        "locations": sorted(
            Location.objects.values_list(
                "practitioner__user__email",
                "name",
                "address",
                "city",
                "region",
                "postal_code",
                "country",
                "lat",
                "lng",
            )
        ),
        "experience": sorted(
            ConditionExperience.objects.values_list(
                "practitioner__user__email", "condition__slug", "years", "patients_treated"
            )
        ),
        "credentials": sorted(
            Credential.objects.values_list(
                "owner__email",
                "kind",
                "number",
                "issuer",
                "issued_on",
                "expires_on",
                "profession",
                "jurisdiction",
                "needling_authorized",
                "title",
                "status",
                "reviewed_by__email",
                "reviewed_at",
                "note",
                *stamps,
            )
        ),
    }


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dlat, dlng = radians(lat2 - lat1), radians(lng2 - lng1)
    h = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlng / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def test_seed_creates_the_requested_practitioners_plus_one_account_per_role():
    _seed()

    assert User.objects.count() == SMALL + DEMO_ACCOUNTS
    assert PractitionerProfile.objects.count() == SMALL + 1
    assert PhysicianProfile.objects.count() == 1
    shapes = PractitionerProfile.objects.annotate(
        clinics=Count("locations", distinct=True), conditions=Count("experience", distinct=True)
    )
    assert {p.clinics for p in shapes} <= {1, 2}
    assert {p.conditions for p in shapes} <= {2, 3, 4, 5, 6}
    assert PractitionerProfile.objects.filter(is_active=False).exists()


def test_seed_rows_stay_within_their_documented_ranges():
    _seed()

    experience = ConditionExperience.objects.all()
    assert all(1 <= row.years <= 30 and 10 <= row.patients_treated <= 2000 for row in experience)
    assert experience.values("condition").distinct().count() == 12
    assert set(Location.objects.values_list("country", flat=True)) == {"CA"}
    postal_letter = {"Vancouver": "V", "Victoria": "V", "Calgary": "T", "Edmonton": "T",
                     "Saskatoon": "S", "Winnipeg": "R", "Toronto": "M", "Ottawa": "K",
                     "Montréal": "H", "Halifax": "B"}  # fmt: skip
    for location in Location.objects.all():
        assert re.fullmatch(r"[A-Z]\d[A-Z] \d[A-Z]\d", location.postal_code)
        assert location.postal_code[0] == postal_letter[location.city]
    montreal = PractitionerProfile.objects.filter(locations__city="Montréal")
    assert montreal.exists()
    assert all("fr" in profile.language_list for profile in montreal)


def test_seed_spreads_practitioners_over_at_least_eight_cities():
    _seed()

    cities = set(Location.objects.values_list("city", flat=True))

    assert len(cities) >= 8
    assert {"Vancouver", "Toronto", "Montréal"} <= cities


def test_seed_mixes_qualified_practitioners_with_each_way_of_falling_short():
    _seed()
    today = timezone.localdate()
    qualified = PractitionerProfile.objects.filter(qualified_q(today=today))
    unqualified_users = PractitionerProfile.objects.exclude(qualified_q(today=today)).values("user")
    theirs = Credential.objects.filter(owner__in=unqualified_users)

    assert 0.6 * (SMALL + 1) <= qualified.count() <= 0.9 * (SMALL + 1)
    assert theirs.filter(
        kind=CredentialKind.IMS_CERTIFICATION, status=CredentialStatus.PENDING
    ).exists()
    assert theirs.filter(
        kind=CredentialKind.LICENSE, status=CredentialStatus.VERIFIED, expires_on__lt=today
    ).exists()
    assert (
        theirs.filter(kind=CredentialKind.LICENSE, status=CredentialStatus.REJECTED)
        .exclude(note="")
        .exists()
    )
    assert (
        PractitionerProfile.objects.exclude(
            user__credentials__kind=CredentialKind.IMS_CERTIFICATION
        ).count()
        > 0
    )
    reviewed = Credential.objects.exclude(status=CredentialStatus.PENDING)
    assert set(reviewed.values_list("reviewed_by__email", flat=True)) == {"moderator@demo.test"}


def test_demo_accounts_have_their_roles_and_sign_in_with_the_documented_password():
    _seed()
    today = timezone.localdate()

    patient = authenticate(email="patient@demo.test", password=DEMO_PASSWORD)
    physician = authenticate(email="physician@demo.test", password=DEMO_PASSWORD)
    practitioner = authenticate(email="practitioner@demo.test", password=DEMO_PASSWORD)
    moderator = authenticate(email="moderator@demo.test", password=DEMO_PASSWORD)

    assert patient.role == Role.PATIENT and not patient.is_staff
    assert physician.role == Role.PHYSICIAN
    assert PhysicianProfile.objects.filter(user=physician).exists()
    assert User.objects.filter(verified_physician_q(today=today, user_path="pk"), pk=physician.pk)
    assert physician.credentials.get().jurisdiction == "CA-BC"
    assert practitioner.role == Role.PRACTITIONER
    assert PractitionerProfile.objects.filter(qualified_q(today=today), user=practitioner)
    assert practitioner.practitioner.locations.get().city == "Vancouver"
    assert practitioner.practitioner.experience.filter(condition__slug="sciatica").exists()
    assert moderator.is_staff and moderator.is_superuser and moderator.is_moderator


def test_demo_password_is_hashed_once_for_all_accounts():
    with mock.patch("directory.demo.make_password", wraps=make_password) as hasher:
        _seed()

    hasher.assert_called_once()
    assert User.objects.values("password").distinct().count() == 1


def test_second_run_creates_nothing_and_changes_nothing():
    _seed()
    before = _snapshot(with_timestamps=True)

    output = _seed()

    assert _snapshot(with_timestamps=True) == before
    assert output.startswith(
        "Created: 0 users, 0 physician profiles, 0 practitioner profiles, 0 locations, "
        "0 experience, 0 credentials"
    )


class _Rollback(Exception):
    pass


def _fresh_seed_snapshot() -> dict[str, list]:
    """Seed an empty database, snapshot it, and roll the seed back."""
    try:
        with transaction.atomic():
            _seed()
            snapshot = _snapshot()
            raise _Rollback
    except _Rollback:
        pass
    return snapshot


def test_two_fresh_runs_yield_identical_data():
    first = _fresh_seed_snapshot()
    assert not User.objects.exists()

    second = _fresh_seed_snapshot()

    assert second == first
    assert len(first["locations"]) > SMALL


def test_if_empty_skips_when_practitioners_exist():
    PractitionerFactory()

    output = _seed("--if-empty")

    assert "skipped" in output
    assert not User.objects.filter(email__endswith="@demo.test").exists()


def test_if_empty_seeds_an_empty_database():
    _seed("--if-empty")

    assert PractitionerProfile.objects.count() == SMALL + 1


def test_seed_refuses_to_run_with_debug_off(settings):
    settings.DEBUG = False

    with pytest.raises(CommandError, match="local development only"):
        _seed()
    assert not User.objects.exists()


@pytest.mark.parametrize("size", [0, -1, 10_001])
def test_seed_rejects_a_practitioner_count_out_of_range(size):
    with pytest.raises(CommandError, match="between 1 and 10000"):
        _seed(practitioners=size)


def test_default_seed_offers_qualified_vancouver_practitioners_for_sciatica_nearby():
    _seed(practitioners=None)
    today = timezone.localdate()
    candidates = PractitionerProfile.objects.filter(
        qualified_q(today=today), is_active=True, experience__condition__slug="sciatica"
    ).prefetch_related("locations")

    nearby = [
        profile
        for profile in candidates
        if any(
            location.city == "Vancouver"
            and _km(49.2827, -123.1207, location.lat, location.lng) <= 25
            for location in profile.locations.all()
        )
    ]

    assert PractitionerProfile.objects.count() == 301
    vancouver = PractitionerProfile.objects.filter(locations__city="Vancouver").distinct()
    assert 90 <= vancouver.count() <= 120
    assert len(nearby) >= 10
