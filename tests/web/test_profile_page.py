"""The practitioner profile page: badges, credentials, experience, clinics, ratings, reviews,
what to expect, and who may review or refer."""

import html
import re
from dataclasses import asdict
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from directory.models import Condition, ConditionReferralStats, Profession
from directory.services.invitations import invitation_issue
from directory.services.referrals import NOT_QUALIFIED_MESSAGE
from directory.services.reviews import review_remove, review_reply, review_submit
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db


def url(practitioner) -> str:
    return reverse("web:practitioner", args=[practitioner.pk])


def page_of(client, practitioner, **query) -> str:
    response = client.get(url(practitioner), query)
    assert response.status_code == 200
    return response.content.decode()


def verified_physician(**kwargs):
    physician = PhysicianFactory(**kwargs)
    CredentialFactory(owner=physician.user, verified=True, profession=Profession.PHYSICIAN)
    return physician


def review(practitioner, *, name="Maria Kowalski", code=None, **fields):
    author = UserFactory(name=name)
    ratings = {"overall": 5, "communication": 4, "comfort": 3, "would_recommend": True}
    written, _ = review_submit(
        author=author, practitioner=practitioner, invitation_code=code, **(ratings | fields)
    )
    return written


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner(bio="Gunn IMS since 2010.")
    practitioner.user.name = "Dana Lee"
    practitioner.user.save()
    return practitioner


def test_a_qualified_practitioner_shows_the_badge_and_every_section(client, practitioner):
    page = page_of(client, practitioner)
    assert '<h1 id="profile-name">Dana Lee</h1>' in page
    assert "Qualified: verified licence and IMS certification" in page
    assert "Not verified" not in page
    assert "Gunn IMS since 2010." in page
    for heading in (
        "Credentials",
        "Experience by condition",
        "Clinics",
        "Ratings",
        "Reviews",
        "What to expect in an IMS session",
    ):
        assert f">{heading}</h2>" in page
    for step in (
        "history and a physical exam",
        "Fine needles",
        "“twitch”",
        "15–30 minutes",
        "24–48 hours",
        "Home exercises and stretches",
    ):
        assert step in page


def test_an_unqualified_practitioner_is_marked_not_verified(client):
    practitioner = PractitionerFactory()
    CredentialFactory(owner=practitioner.user, verified=True)
    page = page_of(client, practitioner)
    assert '<span class="badge badge-warn">Not verified</span>' in page
    assert "Qualified:" not in page


def test_credentials_show_their_status_but_never_evidence_or_note(client, practitioner):
    today = timezone.localdate()
    CredentialFactory(owner=practitioner.user, number="PENDING-1")
    CredentialFactory(owner=practitioner.user, rejected=True, number="REJECTED-1")
    CredentialFactory(
        owner=practitioner.user, verified=True, number="OLD-1", expires_on=today - timedelta(1)
    )
    CredentialFactory(owner=practitioner.user, number="GONE-1", withdrawn_at=timezone.now())
    page = page_of(client, practitioner)
    statuses = re.findall(r'<span class="badge ([\w-]+)">(\w+)</span></p>', page)
    assert sorted(statuses) == sorted(
        [
            ("badge", "Verified"),
            ("badge", "Verified"),
            ("badge-muted", "Pending"),
            ("badge-danger", "Rejected"),
            ("badge-warn", "Expired"),
        ]
    )
    assert "No. PENDING-1" in page and "No. REJECTED-1" in page
    assert f"Expired {(today - timedelta(1)):%-d %B %Y}" in page
    assert "GONE-1" not in page
    assert "Number not on the regulator's register." not in page
    assert "evidence" not in page.lower()


def test_a_licence_shows_its_profession_jurisdiction_dates_and_needling(client):
    practitioner = PractitionerFactory()
    CredentialFactory(
        owner=practitioner.user,
        verified=True,
        number="PT-77",
        issued_on=date(2016, 3, 4),
        expires_on=date(2099, 12, 31),
    )
    CredentialFactory(owner=practitioner.user, training=True, title="Gunn IMS, module 1")
    page = page_of(client, practitioner)
    section = page.split('id="credentials-heading"')[1].split("</section>")[0]
    assert "<strong>Professional licence</strong>" in section
    assert "Physiotherapist (CA-BC) · College of Physical Therapists" in section
    assert "· No. PT-77" in section
    assert "Issued 4 March 2016" in section and "Expires 31 December 2099" in section
    assert "Authorised to practise needling" in section
    assert "<strong>Gunn IMS, module 1</strong>" in section


def test_the_page_shows_what_the_api_publishes(client, practitioner, api_client):
    """The page and GET /api/v1/practitioners/{id}/ read the same public credentials,
    experience and ratings (directory.read_models and the selectors)."""
    CredentialFactory(owner=practitioner.user, rejected=True)
    CredentialFactory(owner=practitioner.user, training=True, title="Dry needling")
    CredentialFactory(owner=practitioner.user, number="GONE-1", withdrawn_at=timezone.now())
    ExperienceFactory(practitioner=practitioner, years=8, patients_treated=400)
    review(practitioner, code=invitation_issue(practitioner=practitioner)[1])
    review(practitioner, name="Sam Ortiz", overall=2, would_recommend=False)
    body = api_client.get(f"/api/v1/practitioners/{practitioner.pk}/").json()

    context = client.get(url(practitioner)).context
    shown = [asdict(card["credential"]) for card in context["credentials"]]

    def as_json(value):
        return value.isoformat() if isinstance(value, date) else value

    assert len(shown) == 4
    assert [{k: as_json(v) for k, v in row.items() if k != "verified_at"} for row in shown] == [
        {k: v for k, v in row.items() if k != "verified_at"} for row in body["credentials"]
    ]
    assert [row["verified_at"] is None for row in shown] == [
        row["verified_at"] is None for row in body["credentials"]
    ]
    assert context["experience"] == body["experience"]
    assert context["ratings"] == body["ratings"]


def test_experience_is_marked_self_reported_and_referrals_verified(client, practitioner):
    ExperienceFactory(practitioner=practitioner, years=8, patients_treated=400)
    neck = Condition.objects.get(slug="neck-pain")
    ConditionReferralStats.objects.create(
        practitioner=practitioner, condition=neck, completed_referrals=3
    )
    page = page_of(client, practitioner)
    section = page.split('id="experience-heading"')[1].split("</section>")[0]
    assert section.count("self-reported") >= 2
    assert "verified by physician referrals" in section
    rows = re.findall(
        r'<th scope="row">([^<]+)</th>\s*<td>([^<]+)</td>\s*<td>([^<]+)</td>'
        r"\s*<td>([^<]+)</td>",
        section,
    )
    assert rows == [("Sciatica", "8 years", "about 400", "0"), ("Neck pain", "—", "—", "3")]


def test_clinics_show_their_addresses(client, practitioner):
    LocationFactory(
        practitioner=practitioner,
        name="Kits Physio",
        address="2020 W 4th Ave",
        city="Vancouver",
        region="BC",
        postal_code="V6J 1M9",
    )
    page = page_of(client, practitioner)
    assert "<strong>Kits Physio</strong>" in page
    assert "2020 W 4th Ave<br>Vancouver, BC V6J 1M9<br>CA" in page


def test_ratings_and_reviews_with_verified_badges_and_replies(client, practitioner):
    invitation, code = invitation_issue(practitioner=practitioner)
    verified = review(practitioner, code=code, body="Explained everything.")
    review(practitioner, name="Sam Ortiz", overall=3, would_recommend=False, body="Rushed.")
    review_reply(review_id=verified.pk, user=practitioner.user, body="Thank you, Maria!")
    removed = review(practitioner, name="Troll Person", body="Spam spam.")
    review_remove(review_id=removed.pk, moderator=ModeratorFactory())
    page = page_of(client, practitioner)
    assert "<dt>Reviews</dt><dd>2 (1 verified)</dd>" in page
    assert "<dt>Overall</dt><dd>4.0 / 5</dd>" in page
    assert "<dt>Would recommend</dt><dd>50 %</dd>" in page
    assert "Maria K." in page and "Sam O." in page and "Kowalski" not in page
    assert "Spam spam." not in page
    maria = page.split("<strong>Maria K.</strong>")[1].split("</li>")[0]
    assert '<span class="badge">Verified</span>' in maria
    assert "Reply from Dana Lee" in maria and "Thank you, Maria!" in maria
    sam = page.split("<strong>Sam O.</strong>")[1].split("</li>")[0]
    assert '<span class="badge badge-muted">Unverified</span>' in sam
    assert "Would not recommend" in sam
    # Newest first.
    assert page.index("Sam O.") < page.index("Maria K.")


def test_reviews_are_paginated(client, practitioner):
    for n in range(12):
        review(practitioner, name=f"Patient{n:02d} Person", body=f"Review number {n}.")
    first, second = page_of(client, practitioner), page_of(client, practitioner, page=2)
    assert first.count('class="card review"') == 10 and second.count('class="card review"') == 2
    assert "Review number 11." in first and "Review number 0." in second
    assert 'href="?page=2#reviews"' in first
    assert "Page 2 of 2" in second
    # A page past the end or not a number shows the nearest page instead of an error.
    assert "Page 2 of 2" in page_of(client, practitioner, page=99)
    assert "Page 1 of 2" in page_of(client, practitioner, page="x")


@pytest.mark.parametrize("deactivate", ["profile", "account"])
def test_a_deactivated_practitioner_is_a_404_page(client, practitioner, deactivate):
    if deactivate == "profile":
        practitioner.is_active = False
        practitioner.save()
    else:
        practitioner.user.is_active = False
        practitioner.user.save()
    response = client.get(url(practitioner))
    assert response.status_code == 404
    assert "Practitioner not found" in response.content.decode()
    assert "Dana Lee" not in response.content.decode()


def test_an_unknown_practitioner_is_a_404_page(client):
    response = client.get(reverse("web:practitioner", args=[999_999]))
    assert response.status_code == 404


def test_patients_see_write_a_review_anonymous_users_a_sign_in_link(client, practitioner):
    review_url = reverse("web:review", args=[practitioner.pk])
    anonymous = page_of(client, practitioner)
    assert f'href="/signin/?next={review_url}"' in anonymous
    assert "Refer a patient" not in anonymous
    client.force_login(UserFactory())
    patient = page_of(client, practitioner)
    assert f'<a class="button" href="{review_url}">Write a review</a>' in patient
    assert "Refer a patient" not in patient


def test_only_verified_physicians_see_refer_a_patient(client, practitioner):
    refer = f'href="{reverse("web:referral_new")}?practitioner={practitioner.pk}"'
    client.force_login(verified_physician().user)
    page = page_of(client, practitioner)
    assert refer in page and "Refer a patient" in page
    assert "not accepting referrals" not in page
    assert "Write a review" not in page
    for other in (PhysicianFactory().user, practitioner.user, ModeratorFactory()):
        client.force_login(other)
        page = page_of(client, practitioner)
        assert "Refer a patient" not in page
        assert "Write a review" not in page


def test_a_physician_with_an_expired_licence_cannot_refer(client, practitioner):
    physician = PhysicianFactory()
    CredentialFactory(
        owner=physician.user,
        verified=True,
        profession=Profession.PHYSICIAN,
        expires_on=timezone.localdate() - timedelta(days=1),
    )
    client.force_login(physician.user)
    assert "Refer a patient" not in page_of(client, practitioner)


def _pending_ims_practitioner():
    practitioner = PractitionerFactory(user__name="Robin Vale")
    CredentialFactory(owner=practitioner.user, verified=True)
    CredentialFactory(owner=practitioner.user, ims=True)  # pending
    return practitioner


def _expired_licence_practitioner():
    practitioner = PractitionerFactory(user__name="Robin Vale")
    yesterday = timezone.localdate() - timedelta(days=1)
    CredentialFactory(owner=practitioner.user, verified=True, expires_on=yesterday)
    CredentialFactory(owner=practitioner.user, verified=True, ims=True)
    return practitioner


@pytest.mark.parametrize(
    "make_practitioner", [_pending_ims_practitioner, _expired_licence_practitioner]
)
def test_no_refer_a_patient_for_a_practitioner_who_is_not_qualified(client, make_practitioner):
    unqualified = make_practitioner()
    client.force_login(verified_physician().user)

    page = page_of(client, unqualified)

    assert "Not verified" in page
    assert "Refer a patient" not in page
    assert reverse("web:referral_new") not in page
    assert NOT_QUALIFIED_MESSAGE.format(pk=unqualified.pk) in html.unescape(page)


def test_the_profile_costs_a_fixed_number_of_queries(
    client, practitioner, django_assert_num_queries
):
    for n in range(5):
        review(practitioner, name=f"Patient{n} Person")
        ExperienceFactory(practitioner=practitioner, condition=Condition.objects.order_by("id")[n])
        LocationFactory(practitioner=practitioner)
    # The profile and its four prefetches, then the review count and page: 7 however many.
    with django_assert_num_queries(7):
        client.get(url(practitioner))
