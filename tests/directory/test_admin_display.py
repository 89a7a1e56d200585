"""How the admin shows people and times (issue 12, item 10): a name beside every e-mail, every
time local with its zone, reviews searched by the author's name as shown and listed with
their text."""

import html
from datetime import UTC, datetime

import pytest
from django.test import Client

from directory.admin.display import local_time, person, shortened
from directory.models import (
    Credential,
    MessageKind,
    OutboundEmail,
    Referral,
    ReferralAuditLog,
    Review,
    Role,
    User,
)
from tests.directory.test_referrals import ReferralFactory
from tests.directory.test_reviews import make_review
from tests.factories import CredentialFactory, ModeratorFactory, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

# 20:30 UTC is 12:30 in Vancouver in winter (PST), and 19:00 UTC is 12:00 in summer (PDT).
WINTER = datetime(2026, 1, 15, 20, 30, tzinfo=UTC)
WINTER_LOCAL, WINTER_UTC = "2026-01-15 12:30 PST", "2026-01-15 20:30"
SUMMER = datetime(2026, 7, 1, 19, 0, tzinfo=UTC)
SUMMER_LOCAL, SUMMER_UTC = "2026-07-01 12:00 PDT", "2026-07-01 19:00"


@pytest.fixture(autouse=True)
def vancouver(settings):
    settings.TIME_ZONE = "America/Vancouver"


@pytest.fixture
def staff() -> Client:
    client = Client()
    client.force_login(ModeratorFactory(name="Mo Derator"))
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return html.unescape(response.content.decode())


def named(name: str, email: str, role: str = Role.PATIENT) -> User:
    return UserFactory(name=name, email=email, role=role)


def test_person_is_name_beside_email_or_the_email_alone():
    assert person(User(name="Dana Lee", email="dana@example.org")) == "Dana Lee <dana@example.org>"
    assert person(User(name=" ", email="dana@example.org")) == "dana@example.org"
    assert person(None) == "—"


def test_local_time_names_the_zone(settings):
    assert (local_time(WINTER), local_time(SUMMER), local_time(None)) == (
        WINTER_LOCAL,
        SUMMER_LOCAL,
        "—",
    )
    settings.TIME_ZONE = "America/Toronto"
    assert local_time(WINTER) == "2026-01-15 15:30 EST"


def test_shortened_keeps_short_text_and_cuts_long_text_at_80():
    assert shortened("  Very   helpful.\n") == "Very helpful."
    long = "word " * 30
    assert shortened(long) == ("word " * 16).strip()[:79].rstrip() + "…"
    assert len(shortened(long)) <= 80


def test_credentials_show_the_owner_by_name_and_local_times(staff):
    owner = PractitionerFactory(user=named("Dana Lee", "dana@example.org", Role.PRACTITIONER)).user
    credential = CredentialFactory(owner=owner)
    Credential.objects.filter(pk=credential.pk).update(created_at=WINTER, updated_at=SUMMER)

    listed = page(staff, "/admin/directory/credential/")
    opened = page(staff, f"/admin/directory/credential/{credential.pk}/change/")

    for shown in (listed, opened):
        assert "Dana Lee <dana@example.org>" in shown
        assert WINTER_LOCAL in shown and SUMMER_LOCAL in shown
        assert WINTER_UTC not in shown and SUMMER_UTC not in shown


@pytest.fixture
def reviews():
    pat = named("Pat Practitioner", "pat@example.org", Role.PRACTITIONER)
    practitioner = PractitionerFactory(user=pat)
    maria = make_review(
        practitioner,
        author=named("Maria Kowalski", "maria@example.org"),
        body="Explained every step before the needles and checked in after each one. " * 3,
    )
    other = make_review(practitioner, author=named("Mark Jones", "mark@example.org"), body="Fine.")
    Review.objects.filter(pk=maria.pk).update(created_at=WINTER, updated_at=SUMMER)
    return maria, other


def test_reviews_list_the_author_by_name_the_text_shortened_and_local_times(staff, reviews):
    maria, other = reviews

    listed = page(staff, "/admin/directory/review/")

    assert "Maria Kowalski <maria@example.org>" in listed
    assert "Mark Jones <mark@example.org>" in listed
    assert "Pat Practitioner" in listed
    assert shortened(maria.body) in listed and shortened(maria.body).endswith("…")
    assert maria.body.strip() not in listed
    assert ">Fine.<" in listed
    assert SUMMER_LOCAL in listed and SUMMER_UTC not in listed


def test_a_review_page_shows_people_and_local_times(staff, reviews):
    maria, _ = reviews

    opened = page(staff, f"/admin/directory/review/{maria.pk}/change/")

    assert "Maria Kowalski <maria@example.org>" in opened
    assert "Pat Practitioner <pat@example.org>" in opened
    assert WINTER_LOCAL in opened and SUMMER_LOCAL in opened
    assert WINTER_UTC not in opened and SUMMER_UTC not in opened


@pytest.mark.parametrize("term", ["Maria K.", "maria k", "Kowalski", "maria@example.org"])
def test_reviews_are_found_by_the_authors_name_as_shown(staff, reviews, term):
    maria, _ = reviews

    response = staff.get("/admin/directory/review/", {"q": term})

    assert [review.pk for review in response.context["cl"].result_list] == [maria.pk]


def test_referrals_show_both_parties_by_name_and_local_times(staff):
    referral = ReferralFactory(
        physician__user=named("Dr Ana Li", "ana@example.org", Role.PHYSICIAN),
        practitioner__user=named("Pat Practitioner", "pat@example.org", Role.PRACTITIONER),
    )
    Referral.objects.filter(pk=referral.pk).update(created_at=WINTER, updated_at=SUMMER)

    listed = page(staff, "/admin/directory/referral/")
    opened = page(staff, f"/admin/directory/referral/{referral.pk}/change/")

    for shown in (listed, opened):
        assert "Dr Ana Li <ana@example.org>" in shown
        assert "Pat Practitioner <pat@example.org>" in shown
        assert WINTER_LOCAL in shown and WINTER_UTC not in shown
    assert SUMMER_LOCAL in opened


def test_the_audit_log_shows_the_actor_by_name_and_local_times(staff):
    referral = ReferralFactory()
    row = ReferralAuditLog.objects.create(
        actor=named("Mo Two", "mo2@example.org"), referral=referral, action="read"
    )
    ReferralAuditLog.objects.filter(pk=row.pk).update(at=WINTER)

    listed = page(staff, "/admin/directory/referralauditlog/")

    assert "Mo Two <mo2@example.org>" in listed
    assert WINTER_LOCAL in listed and WINTER_UTC not in listed
    row.refresh_from_db()
    assert str(row) == f"mo2@example.org read referral #{referral.pk} at {WINTER_LOCAL}"


def test_the_outbox_shows_the_recipient_by_name_and_local_times(staff):
    recipient = named("Rae Cipient", "rae@example.org")
    email = OutboundEmail.objects.create(
        kind=MessageKind.REVIEW_NEW, recipient=recipient, params={"review": 1}, sent_at=SUMMER
    )
    OutboundEmail.objects.filter(pk=email.pk).update(created_at=WINTER)

    listed = page(staff, "/admin/directory/outboundemail/")
    opened = page(staff, f"/admin/directory/outboundemail/{email.pk}/change/")

    for shown in (listed, opened):
        assert "Rae Cipient <rae@example.org>" in shown
        assert WINTER_LOCAL in shown and SUMMER_LOCAL in shown
        assert WINTER_UTC not in shown and SUMMER_UTC not in shown


def test_users_list_name_beside_email_and_local_times(client):
    superuser = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(superuser)
    user = named("Dana Lee", "dana@example.org")
    User.objects.filter(pk=user.pk).update(date_joined=WINTER, last_login=SUMMER)

    listed = page(client, "/admin/directory/user/")
    opened = page(client, f"/admin/directory/user/{user.pk}/change/")

    row = listed.split("Dana Lee")[1].split("</tr>")[0]
    assert "dana@example.org" in row and WINTER_LOCAL in row
    assert WINTER_LOCAL in opened and SUMMER_LOCAL in opened
    assert WINTER_UTC not in opened and SUMMER_UTC not in opened
