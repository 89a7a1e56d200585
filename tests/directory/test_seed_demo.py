"""`manage.py seed_demo`: counts, variety, demo accounts, reviews, referrals, figures,
idempotence and determinism."""

import re
from datetime import UTC, date, datetime
from io import StringIO
from math import asin, cos, radians, sin, sqrt
from unittest import mock

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth import authenticate
from django.contrib.auth.hashers import make_password
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.utils import timezone
from rest_framework.fields import DateTimeField

from directory.models import (
    ConditionExperience,
    ConditionReferralStats,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    PractitionerStats,
    Referral,
    ReferralOutcome,
    ReferralStatus,
    Review,
    ReviewInvitation,
    Role,
    User,
)
from directory.rules import active_practitioner_q, qualified_q, verified_physician_q
from directory.services.invitations import invitation_code_hash
from directory.services.referrals import referral_recipient_refusal
from directory.services.stats import (
    STAT_FIELDS,
    expected_condition_stats,
    expected_stats,
    stored_condition_stats,
    stored_stats,
)
from directory.validators import model_validate
from tests.conftest import client_for
from tests.factories import PractitionerFactory, UserFactory

# The README's documented password and invitation code, restated on purpose.
DEMO_PASSWORD = "ims-demo-local-only"
DEMO_CODE = "SEED-REVW-2468"
SMALL = 40
DEMO_ACCOUNTS = 4  # patient, physician, practitioner, moderator
PATIENTS = 150  # patient001@demo.test … patient150@demo.test
PHYSICIANS = 13  # physician@demo.test and twelve more

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
        **_activity_snapshot(),
    }


def _activity_snapshot() -> dict[str, list]:
    """Reviews, invitations, referrals and figures, keyed by e-mail instead of ids. Their
    timestamps are planned (relative to today), so they belong in every comparison."""
    return {
        "invitations": sorted(
            ReviewInvitation.objects.values_list(
                "practitioner__user__email", "code_hash", "created_at", "expires_at", "used_at"
            )
        ),
        "reviews": sorted(
            Review.objects.values_list(
                "author__email",
                "practitioner__user__email",
                "overall",
                "communication",
                "comfort",
                "would_recommend",
                "condition__slug",
                "body",
                "verified",
                "invitation__code_hash",
                "reply",
                "replied_at",
                "removed_at",
                "removed_by__email",
                "removal_note",
                "created_at",
                "updated_at",
            ),
            key=repr,  # condition__slug may be None
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "physician__user__email",
                "practitioner__user__email",
                "patient_reference",
                "condition__slug",
                "reason",
                "status",
                "outcome",
                "created_at",
                "updated_at",
                "completed_at",
            ),
            key=repr,
        ),
        "figures": sorted(
            PractitionerStats.objects.values_list("practitioner__user__email", *STAT_FIELDS)
        ),
        "condition figures": sorted(
            ConditionReferralStats.objects.values_list(
                "practitioner__user__email", "condition__slug", "completed_referrals"
            )
        ),
    }


def _km(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    dlat, dlng = radians(lat2 - lat1), radians(lng2 - lng1)
    h = sin(dlat / 2) ** 2 + cos(radians(lat1)) * cos(radians(lat2)) * sin(dlng / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(h))


def test_seed_creates_the_requested_practitioners_plus_one_account_per_role():
    _seed()

    assert User.objects.count() == SMALL + DEMO_ACCOUNTS + PATIENTS + PHYSICIANS - 1
    assert PractitionerProfile.objects.count() == SMALL + 1
    assert PhysicianProfile.objects.count() == PHYSICIANS
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


def test_most_clinics_have_fictional_contact_that_passes_the_location_rules():
    _seed()

    clinics = list(Location.objects.all())
    with_phone = [clinic for clinic in clinics if clinic.phone]
    assert len(with_phone) >= 0.8 * len(clinics)
    assert sum(bool(clinic.hours) for clinic in clinics) >= 0.6 * len(clinics)
    assert any(clinic.booking_url for clinic in clinics)
    assert {clinic.wheelchair_accessible for clinic in clinics} == {True, False, None}
    for clinic in clinics:
        # The fictional 555-01xx range only, and every row as the services would accept it.
        assert not clinic.phone or re.fullmatch(r"\+1\d{3}5550[1]\d\d", clinic.phone)
        for url in (clinic.website, clinic.booking_url):
            assert not url or re.match(r"https://[a-z0-9-]+\.example\.org/", url)
        model_validate(clinic)
    assert PractitionerProfile.objects.filter(fee_per_session__isnull=False).count() >= (
        0.8 * PractitionerProfile.objects.count()
    )
    assert PractitionerProfile.objects.filter(direct_billing=True).exists()


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
    with mock.patch("directory.demo.load.make_password", wraps=make_password) as hasher:
        _seed()

    hasher.assert_called_once()
    assert User.objects.values("password").distinct().count() == 1


def _row_ids() -> dict[str, list[int]]:
    models = (Review, ReviewInvitation, Referral, ConditionReferralStats, PractitionerStats)
    return {model.__name__: sorted(model.objects.values_list("pk", flat=True)) for model in models}


def test_second_run_creates_nothing_and_changes_nothing():
    _seed()
    before, ids = _snapshot(with_timestamps=True), _row_ids()

    output = _seed()

    assert _snapshot(with_timestamps=True) == before
    # The figures were not rebuilt either (a rebuild recreates the condition rows).
    assert _row_ids() == ids
    assert output.startswith(
        "Created: 0 users, 0 physician profiles, 0 practitioner profiles, 0 locations, "
        "0 experience, 0 credentials, 0 review invitations, 0 reviews, 0 referrals\n"
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
    assert len(first["reviews"]) > SMALL and len(first["referrals"]) > SMALL


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


def _reviewable() -> set[int]:
    """Qualified, active practitioners: the only ones the demo reviews or refers to."""
    today = timezone.localdate()
    qualified = PractitionerProfile.objects.filter(
        qualified_q(today=today), active_practitioner_q()
    )
    return set(qualified.values_list("pk", flat=True))


def _experience_pairs() -> set[tuple[int, int]]:
    return set(ConditionExperience.objects.values_list("practitioner_id", "condition_id"))


def test_reviews_come_from_demo_patients_in_believable_proportions():
    _seed()
    reviews = Review.objects.all()
    total = reviews.count()
    per_practitioner = list(
        reviews.values("practitioner").annotate(n=Count("id")).values_list("n", flat=True)
    )

    assert 150 <= total <= 20 * SMALL
    assert set(reviews.values_list("practitioner", flat=True)) <= _reviewable()
    assert set(reviews.values_list("author__role", "author__is_staff").distinct()) == {
        (Role.PATIENT, False)
    }
    assert max(per_practitioner) <= 40
    assert sum(n <= 25 for n in per_practitioner) >= 0.9 * len(per_practitioner)
    assert reviews.filter(overall__gte=4).count() >= 0.7 * total
    assert reviews.filter(overall__in=[2, 3]).count() >= 0.05 * total
    assert reviews.filter(would_recommend=True).count() >= 0.7 * total
    assert not reviews.filter(overall__lte=2, would_recommend=True).exists()
    assert reviews.filter(condition__isnull=False).count() >= 0.7 * total
    with_condition = reviews.filter(condition__isnull=False)
    assert set(with_condition.values_list("practitioner", "condition")) <= _experience_pairs()
    assert 0.25 * total <= reviews.filter(verified=True).count() <= 0.55 * total
    assert 0.15 * total <= reviews.exclude(reply="").count() <= 0.45 * total
    assert reviews.exclude(body="").count() >= 0.8 * total


def test_verified_reviews_each_used_up_their_own_invitation():
    _seed()
    verified = Review.objects.filter(verified=True).select_related("invitation")

    assert verified.exists()
    for review in verified:
        invitation = review.invitation
        assert invitation.practitioner_id == review.practitioner_id
        assert invitation.created_at < invitation.used_at == review.created_at
        assert review.created_at < invitation.expires_at
    assert not Review.objects.filter(verified=False, invitation__isnull=False).exists()
    unused = ReviewInvitation.objects.filter(used_at__isnull=True)
    assert unused.count() == 1
    assert ReviewInvitation.objects.count() == verified.count() + 1


def test_replies_and_removals_follow_their_reviews():
    _seed()
    now = timezone.now()
    replied = Review.objects.exclude(reply="")
    removed = Review.objects.filter(removed_at__isnull=False)

    assert not Review.objects.filter(reply="", replied_at__isnull=False).exists()
    assert all(r.created_at <= r.replied_at <= now for r in replied)
    assert 1 <= removed.count() <= 3
    assert set(removed.values_list("removed_by__email", flat=True)) == {"moderator@demo.test"}
    assert all(r.created_at <= r.removed_at <= now and r.removal_note for r in removed)
    assert not removed.filter(verified=True).exists()
    assert all(r.created_at == r.updated_at <= now for r in Review.objects.all())
    reviews = Review.objects.all()
    assert not reviews.filter(created_at__lte=F("practitioner__user__date_joined")).exists()
    assert not reviews.filter(created_at__lte=F("author__date_joined")).exists()


def test_referrals_come_in_every_status_and_completed_ones_have_outcomes():
    _seed()
    referrals = Referral.objects.all()
    completed = referrals.filter(status=ReferralStatus.COMPLETED)
    today = timezone.localdate()
    physicians = User.objects.filter(verified_physician_q(today=today, user_path="pk"))

    assert set(referrals.values_list("status", flat=True)) == set(ReferralStatus.values)
    assert completed.count() >= 0.3 * referrals.count()
    assert set(completed.values_list("outcome", flat=True)) == set(ReferralOutcome.values)
    assert completed.filter(outcome=ReferralOutcome.IMPROVED).count() > 0.5 * completed.count()
    assert all(r.completed_at == r.updated_at for r in completed)
    assert not referrals.exclude(status=ReferralStatus.COMPLETED).exclude(outcome="").exists()
    assert not completed.filter(completed_at__isnull=True).exists()
    assert set(referrals.values_list("practitioner", flat=True)) <= _reviewable()
    assert set(referrals.values_list("practitioner", "condition")) <= _experience_pairs()
    referring = set(referrals.values_list("physician__user", flat=True))
    assert len(referring) >= 10
    assert referring <= set(physicians.values_list("pk", flat=True))
    assert all(re.fullmatch(r"PR-\d{4}", r.patient_reference) for r in referrals)
    assert all(r.created_at <= r.updated_at <= timezone.now() for r in referrals)
    for party in ("physician__user", "practitioner__user"):
        assert not referrals.filter(created_at__lte=F(f"{party}__date_joined")).exists()


def test_every_referral_went_to_a_practitioner_the_referral_service_accepts():
    _seed()
    today = timezone.localdate()
    referrals = list(Referral.objects.values_list("pk", "practitioner_id", "created_at"))

    refused = {
        pk: (when, refusal)
        for pk, practitioner_id, created_at in referrals
        for when in (created_at.date(), today)
        if (refusal := referral_recipient_refusal(practitioner_id=practitioner_id, today=when))
    }

    assert len(referrals) > SMALL
    assert refused == {}


def test_referral_reasons_name_nobody():
    _seed()
    surnames = {name.split()[-1] for name in User.objects.values_list("name", flat=True)}

    for reason in Referral.objects.values_list("reason", flat=True):
        assert 20 <= len(reason) <= 200
        assert not set(re.findall(r"\w+", reason)) & surnames, reason


def test_several_practitioners_hear_from_several_physicians():
    _seed()
    generated = PractitionerProfile.objects.exclude(user__email="practitioner@demo.test")
    referring = generated.annotate(
        physicians=Count(
            "referrals__physician",
            filter=Q(referrals__status=ReferralStatus.COMPLETED),
            distinct=True,
        )
    ).values_list("physicians", flat=True)

    assert sum(n >= 2 for n in referring) >= 5
    assert max(referring) >= 3
    assert max(referring) <= PHYSICIANS


def test_demo_accounts_have_reviews_and_referrals_to_act_on():
    _seed()
    practitioner = PractitionerProfile.objects.get(user__email="practitioner@demo.test")
    from_demo_physician = practitioner.referrals.filter(
        physician__user__email="physician@demo.test"
    )
    completed = practitioner.referrals.filter(status=ReferralStatus.COMPLETED)
    own_review = Review.objects.get(author__email="patient@demo.test")

    assert from_demo_physician.filter(status=ReferralStatus.SENT).exists()
    assert from_demo_physician.filter(status=ReferralStatus.ACCEPTED).exists()
    assert from_demo_physician.filter(status=ReferralStatus.COMPLETED).exists()
    assert completed.values("physician").distinct().count() >= 3
    assert own_review.practitioner == practitioner
    assert (own_review.verified, own_review.reply, own_review.removed_at) == (False, "", None)
    assert practitioner.reviews.filter(verified=True).exists()
    assert practitioner.reviews.exclude(reply="").exists()
    invitation = practitioner.invitations.get(used_at__isnull=True)
    assert invitation.code_hash == invitation_code_hash(DEMO_CODE)
    assert invitation.expires_at > timezone.now()


def test_figures_match_the_seeded_reviews_and_referrals():
    _seed()

    assert stored_stats() == expected_stats()
    assert stored_condition_stats() == expected_condition_stats()
    assert len(stored_stats()) > SMALL / 2
    assert stored_condition_stats()


def test_figures_stay_exact_when_a_larger_seed_follows_a_smaller_one():
    _seed(practitioners=10)
    first_reviews = Review.objects.count()

    output = _seed()

    assert Review.objects.count() > first_reviews
    assert ", 0 users," not in output
    assert stored_stats() == expected_stats()
    assert stored_condition_stats() == expected_condition_stats()


def test_documented_invitation_code_verifies_a_new_patients_review_through_the_api():
    _seed()
    practitioner = PractitionerProfile.objects.get(user__email="practitioner@demo.test")
    invitation = practitioner.invitations.get(used_at__isnull=True)
    patient = UserFactory(name="Nora Quinn")
    body = {
        "overall": 5,
        "communication": 4,
        "comfort": 4,
        "would_recommend": True,
        "condition": "sciatica",
        "body": "Walking without pain again.",
        "invitation_code": DEMO_CODE,
    }

    response = client_for(patient).post(
        f"/api/v1/practitioners/{practitioner.pk}/reviews/", body, format="json"
    )

    assert response.status_code == 201, response.content
    review = Review.objects.get(author=patient)
    stamp = DateTimeField().to_representation
    assert response.json() == {
        "id": review.pk,
        "author_name": "Nora Q.",
        "overall": 5,
        "communication": 4,
        "comfort": 4,
        "would_recommend": True,
        "condition": "sciatica",
        "condition_name": "Sciatica",
        "body": "Walking without pain again.",
        "verified": True,
        "created_at": stamp(review.created_at),
        "updated_at": stamp(review.updated_at),
        "reply": None,
    }
    invitation.refresh_from_db()
    assert review.invitation == invitation and invitation.used_at is not None
    assert stored_stats() == expected_stats()


def test_readme_documents_the_demo_invitation_code():
    readme = (django_settings.BASE_DIR / "README.md").read_text()

    assert DEMO_CODE in readme


def test_nothing_is_dated_after_the_seed_even_just_after_midnight_east_of_utc(settings):
    # The seed plans from the local date; at 00:00:30 in UTC+12 the UTC date is still the
    # day before, so a timestamp on "yesterday" in UTC could lie in the future.
    settings.TIME_ZONE = "Etc/GMT-12"  # POSIX sign: this is UTC+12
    now = datetime(2030, 2, 28, 12, 0, 30, tzinfo=UTC)
    with time_machine.travel(now, tick=False):
        assert timezone.localdate() == date(2030, 3, 1)
        # 100 rather than SMALL: enough open referrals that some fall on "yesterday".
        _seed(practitioners=100)

    stamps = {
        Review: ("created_at", "updated_at", "replied_at", "removed_at"),
        ReviewInvitation: ("created_at", "used_at"),
        Referral: ("created_at", "updated_at", "completed_at"),
        User: ("date_joined",),
        Credential: ("reviewed_at",),
    }
    for model, fields in stamps.items():
        for field in fields:
            assert not model.objects.filter(**{f"{field}__gt": now}).exists(), (model, field)
