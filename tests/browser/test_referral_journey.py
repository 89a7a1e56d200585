"""A verified physician refers a patient from a practitioner's profile; the practitioner
accepts and completes the referral; the physician follows it to its outcome (SPEC §3, §6)."""

import re

import pytest
from playwright.sync_api import Page, expect

from directory.models import Referral, ReferralOutcome, ReferralStatus
from tests.factories import ExperienceFactory, LocationFactory, qualified_practitioner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

REFERENCE = "MC-2026-017"
REASON = "Chronic L5 sciatica for eight months; physiotherapy helped only briefly."


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner(user__name="Quinn Harlow")
    LocationFactory(practitioner=practitioner, name="Harlow IMS")
    ExperienceFactory(practitioner=practitioner)
    return practitioner


def send_referral(page: Page, practitioner) -> None:
    page.goto(f"/practitioners/{practitioner.pk}/")
    expect(page.get_by_role("heading", name="Quinn Harlow", level=1)).to_be_visible()
    page.get_by_role("link", name="Refer a patient").click()
    expect(page.get_by_role("heading", name="Send a referral", level=1)).to_be_visible()
    expect(page.get_by_role("heading", name="To Quinn Harlow")).to_be_visible()
    page.get_by_label("Condition", exact=True).select_option(label="Sciatica")
    page.get_by_label("Reason for the referral").fill(REASON)
    page.get_by_label("Patient reference code").fill(REFERENCE)
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral sent to Quinn Harlow.")


def sent_referral_row(page: Page):
    table = page.get_by_role("table", name="Referrals you sent, newest first")
    return table.get_by_role("row", name=re.compile(rf"^{REFERENCE} "))


def accept_and_complete(page: Page) -> None:
    expect(page.get_by_text("1 new referral")).to_be_visible()
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name="Referrals").click()
    expect(page.get_by_role("heading", name="Referral inbox", level=1)).to_be_visible()
    card = page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=f"Sciatica · patient {REFERENCE}")
    )
    expect(card).to_contain_text(REASON)
    expect(card).to_contain_text("Morgan Reyes")
    card.get_by_role("button", name=f"Accept referral {REFERENCE}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {REFERENCE} is now accepted.")
    card.get_by_label("Outcome").select_option("improved")
    card.get_by_role("button", name=f"Mark completed referral {REFERENCE}").click()
    expect(page.get_by_role("status")).to_contain_text(f"Referral {REFERENCE} is now completed.")
    expect(card.get_by_text("Completed: improved")).to_be_visible()


def test_physician_refers_and_follows_the_referral_to_its_outcome(
    open_page, practitioner, verified_physician, sign_in, screenshot
):
    physician_page = open_page()
    sign_in(physician_page, verified_physician.user.email)
    expect(physician_page.get_by_text("Verified physician")).to_be_visible()
    send_referral(physician_page, practitioner)
    expect(sent_referral_row(physician_page)).to_contain_text("Sent – awaiting answer")

    practitioner_page = open_page()
    sign_in(practitioner_page, practitioner.user.email)
    accept_and_complete(practitioner_page)

    physician_page.reload()
    row = sent_referral_row(physician_page)
    expect(row).to_contain_text("Quinn Harlow")
    expect(row).to_contain_text("Completed: improved")
    screenshot(physician_page, "physician-dashboard")
    referral = Referral.objects.get(patient_reference=REFERENCE)
    assert (referral.status, referral.outcome) == (
        ReferralStatus.COMPLETED,
        ReferralOutcome.IMPROVED,
    )
    assert referral.physician == verified_physician
