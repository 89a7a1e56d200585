"""A practitioner gives a patient an invitation code; the patient's review written with it
shows on the profile as verified (SPEC §3, §6)."""

import re

import pytest
from playwright.sync_api import Page, expect

from directory.models import Review
from tests.factories import LocationFactory, UserFactory, qualified_practitioner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BODY = "Clear about what IMS would feel like; the twitching made sense once explained."


def create_invitation_code(page: Page) -> str:
    page.get_by_role("navigation", name="Dashboard").get_by_role(
        "link", name="Review invitations"
    ).click()
    page.get_by_role("button", name="Create an invitation code").click()
    code_box = page.get_by_label("Invitation code (select it and copy)")
    expect(code_box).to_have_attribute("readonly", "")
    code = code_box.input_value()
    assert re.fullmatch(r"[A-Z0-9]{4}(-[A-Z0-9]{4})+", code), code
    return code


def rate(page: Page, question: str, answer: str) -> None:
    page.get_by_role("group", name=question).get_by_label(answer, exact=True).check()


def write_review(page: Page, practitioner, code: str) -> None:
    page.goto(f"/practitioners/{practitioner.pk}/")
    page.get_by_role("link", name="Write a review").click()
    expect(page.get_by_role("heading", name="Review Jamie Okoro", level=1)).to_be_visible()
    rate(page, "Overall", "5 – excellent")
    rate(page, "Communication", "5 – excellent")
    rate(page, "Comfort", "4 – very good")
    rate(page, "Would you recommend them to a friend?", "Yes")
    page.get_by_label("Condition treated (optional)").select_option(label="Sciatica")
    page.get_by_label("Your review (optional)").fill(BODY)
    page.get_by_label("Invitation code (optional)").fill(code)
    page.get_by_role("button", name="Publish my review").click()


def test_patient_review_with_an_invitation_code_shows_as_verified(open_page, sign_in):
    practitioner = qualified_practitioner(user__name="Jamie Okoro")
    LocationFactory(practitioner=practitioner)
    patient = UserFactory(name="Priya Natarajan")

    practitioner_page = open_page()
    sign_in(practitioner_page, practitioner.user.email)
    code = create_invitation_code(practitioner_page)

    patient_page = open_page()
    sign_in(patient_page, patient.email)
    write_review(patient_page, practitioner, code)

    expect(patient_page).to_have_url(re.compile(rf"/practitioners/{practitioner.pk}/#reviews$"))
    expect(patient_page.get_by_role("status")).to_contain_text(
        "Thank you: your review is published and marked as verified."
    )
    reviews = patient_page.get_by_role("region", name="Reviews", exact=True)
    review = reviews.get_by_role("listitem").filter(has_text=BODY)
    expect(review).to_have_count(1)
    expect(review.get_by_text("Priya N.", exact=True)).to_be_visible()
    expect(review.get_by_text("Verified", exact=True)).to_be_visible()
    expect(review).to_contain_text("treated for Sciatica")
    expect(review).to_contain_text("Overall 5/5 · Communication 5/5 · Comfort 4/5")
    stored = Review.objects.get(author=patient)
    assert (stored.verified, stored.practitioner_id) == (True, practitioner.pk)
