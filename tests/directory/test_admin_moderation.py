"""Moderation in the Django admin: flagged reviews and their removal through the review
service; referrals read-only, never listing the reason, every read audit-logged."""

import pytest
from django.test import Client

from directory.models import Referral, ReferralAuditLog, Review, User
from directory.services.reviews import review_flag
from directory.services.stats import expected_stats, stored_stats
from tests.conftest import client_for
from tests.directory.test_referrals import REASON, ReferralFactory
from tests.directory.test_reviews import make_review
from tests.factories import ModeratorFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

REVIEWS_URL = "/admin/directory/review/"
REFERRALS_URL = "/admin/directory/referral/"
AUDIT_URL = "/admin/directory/referralauditlog/"


@pytest.fixture
def moderator():
    # A plain staff user, not a superuser: moderators need no further Django permissions.
    return ModeratorFactory()


@pytest.fixture
def staff(moderator) -> Client:
    client = Client()
    client.force_login(moderator)
    return client


def flag(review: Review, times: int) -> None:
    for _ in range(times):
        review_flag(review_id=review.pk, user=UserFactory(), reason="Rude")


def remove(client: Client, reviews: list[Review], note: str = ""):
    return client.post(
        REVIEWS_URL,
        {"action": "remove_selected", "_selected_action": [r.pk for r in reviews], "note": note},
        follow=True,
    )


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


# --- Reviews -----------------------------------------------------------------------------------


@pytest.fixture
def reviews() -> dict[str, Review]:
    practitioner = PractitionerFactory()
    quiet = make_review(practitioner, overall=5)
    once = make_review(practitioner, overall=2)
    thrice = make_review(PractitionerFactory(), overall=1, body="Spam")
    flag(once, 1)
    flag(thrice, 3)
    return {"quiet": quiet, "once": once, "thrice": thrice}


def test_flagged_filter_lists_flagged_reviews_most_flagged_first(staff, reviews):
    response = staff.get(REVIEWS_URL, {"flagged": "yes"})

    assert response.status_code == 200
    listed = list(response.context["cl"].result_list)
    assert listed == [reviews["thrice"], reviews["once"]]
    assert [review.flag_count for review in listed] == [3, 1]
    unflagged = staff.get(REVIEWS_URL, {"flagged": "no"}).context["cl"].result_list
    assert list(unflagged) == [reviews["quiet"]]


def test_remove_action_removes_through_the_service(staff, moderator, reviews):
    response = remove(staff, [reviews["thrice"], reviews["once"]], note="Abusive")

    assert messages_of(response) == ["Removed 2 review(s)."]
    for name in ("thrice", "once"):
        review = Review.objects.get(pk=reviews[name].pk)
        assert review.removed_at is not None
        assert (review.removed_by, review.removal_note) == (moderator, "Abusive")
    assert Review.objects.get(pk=reviews["quiet"].pk).removed_at is None
    assert stored_stats() == expected_stats()


def test_removing_an_already_removed_review_is_skipped_with_a_warning(staff, reviews):
    remove(staff, [reviews["once"]])
    removed_at = Review.objects.get(pk=reviews["once"].pk).removed_at

    response = remove(staff, [reviews["once"]], note="Again")

    assert messages_of(response) == [
        f"Skipped {reviews['once']}: This review has already been removed."
    ]
    review = Review.objects.get(pk=reviews["once"].pk)
    assert (review.removed_at, review.removal_note) == (removed_at, "")
    assert stored_stats() == expected_stats()


def test_a_removal_note_too_long_removes_nothing_and_says_why(staff, reviews):
    response = remove(staff, [reviews["once"]], note="x" * 1001)

    assert messages_of(response) == [
        "Ensure this value has at most 1000 characters (it has 1001): type it in "
        "“Removal note”, then choose the action again. Nothing was removed."
    ]
    assert Review.objects.get(pk=reviews["once"].pk).removed_at is None


def test_review_page_is_read_only_and_shows_the_flags(staff, reviews):
    url = f"{REVIEWS_URL}{reviews['thrice'].pk}/change/"

    response = staff.get(url)
    attempt = staff.post(url, {"body": "Edited"})

    assert response.status_code == 200
    assert 'name="_save"' not in response.content.decode()
    assert response.content.decode().count("Rude") == 3
    assert attempt.status_code == 403
    assert Review.objects.get(pk=reviews["thrice"].pk).body == "Spam"


def test_reviews_are_never_added_or_deleted_in_the_admin(staff, reviews):
    assert staff.get(f"{REVIEWS_URL}add/").status_code == 403
    assert staff.get(f"{REVIEWS_URL}{reviews['once'].pk}/delete/").status_code == 403


# --- Referrals ---------------------------------------------------------------------------------


@pytest.fixture
def referral() -> Referral:
    return ReferralFactory(patient_reference="MC-2024-017")


def test_reading_a_referral_writes_an_audit_row_without_the_reason(staff, moderator, referral):
    response = staff.get(f"{REFERRALS_URL}{referral.pk}/change/")

    assert response.status_code == 200
    assert REASON in response.content.decode()
    reads = ReferralAuditLog.objects.filter(action="read")
    assert list(reads.values("actor", "referral", "action")) == [
        {"actor": moderator.pk, "referral": referral.pk, "action": "read"}
    ]
    for row in ReferralAuditLog.objects.values():
        assert REASON not in str(row) and "MC-2024-017" not in str(row)


def test_each_read_is_logged_again(staff, referral):
    staff.get(f"{REFERRALS_URL}{referral.pk}/change/")
    staff.get(f"{REFERRALS_URL}{referral.pk}/change/")

    assert ReferralAuditLog.objects.filter(action="read", referral=referral).count() == 2


def test_referral_changelist_never_shows_the_reason_and_logs_the_rows_shown(
    staff, moderator, referral
):
    other = ReferralFactory()

    response = staff.get(REFERRALS_URL)

    page = response.content.decode()
    assert response.status_code == 200
    assert f"Referral #{referral.pk}" in page
    assert REASON not in page
    assert "MC-2024-017" not in page
    listed = ReferralAuditLog.objects.filter(action="list", actor=moderator)
    assert sorted(listed.values_list("referral", flat=True)) == sorted([referral.pk, other.pk])


def test_referrals_cannot_be_changed_added_or_deleted(staff, referral):
    attempt = staff.post(f"{REFERRALS_URL}{referral.pk}/change/", {"reason": "Changed"})

    assert attempt.status_code == 403
    assert staff.get(f"{REFERRALS_URL}add/").status_code == 403
    assert staff.get(f"{REFERRALS_URL}{referral.pk}/delete/").status_code == 403
    referral.refresh_from_db()
    assert referral.reason == REASON


def test_a_missing_referral_logs_nothing(staff):
    response = staff.get(f"{REFERRALS_URL}999999/change/")

    assert response.status_code == 302
    assert not ReferralAuditLog.objects.exists()


def test_non_staff_never_reach_referrals_and_nothing_is_logged(referral):
    client = Client()
    client.force_login(referral.physician.user)

    response = client.get(f"{REFERRALS_URL}{referral.pk}/change/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    assert not ReferralAuditLog.objects.exists()


def test_audit_log_is_read_only(staff, referral):
    staff.get(f"{REFERRALS_URL}{referral.pk}/change/")
    entry = ReferralAuditLog.objects.get()

    listing = staff.get(AUDIT_URL)

    assert listing.status_code == 200
    assert f"Referral #{referral.pk}" in listing.content.decode()
    assert staff.get(f"{AUDIT_URL}add/").status_code == 403
    assert staff.get(f"{AUDIT_URL}{entry.pk}/delete/").status_code == 403
    assert staff.post(f"{AUDIT_URL}{entry.pk}/change/", {"action": "x"}).status_code == 403


# --- Who is a moderator ------------------------------------------------------------------------

MODERATION_PAGES = [
    "/admin/directory/credential/",
    REVIEWS_URL,
    REFERRALS_URL,
    AUDIT_URL,
]
MODERATION_APIS = ["/api/v1/moderation/credentials/", "/api/v1/moderation/reviews/"]


def test_the_admin_and_the_api_ask_user_is_moderator(staff, monkeypatch):
    for url in [*MODERATION_PAGES, *MODERATION_APIS]:
        assert staff.get(url).status_code == 200, url

    monkeypatch.setattr(User, "is_moderator", property(lambda user: False))

    for url in MODERATION_PAGES:
        assert staff.get(url).status_code == 403, url
    for url in MODERATION_APIS:
        assert staff.get(url).status_code == 403, url


def test_the_api_lets_in_whoever_user_is_moderator_names(monkeypatch):
    patient = UserFactory()
    monkeypatch.setattr(User, "is_moderator", property(lambda user: user.pk == patient.pk))

    for url in MODERATION_APIS:
        assert client_for(patient).get(url).status_code == 200, url
        assert client_for(UserFactory()).get(url).status_code == 403, url
