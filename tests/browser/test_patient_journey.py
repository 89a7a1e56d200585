"""An anonymous patient searches, reads the ranked and explained results, answers a health
question, sees the safety banner and opens the best match's profile (SPEC §4, §6)."""

import re

import pytest
from playwright.sync_api import Page, expect

from matching import safety

# The live server writes in its own threads: the data must be committed (transaction=True);
# serialized_rollback restores the seeded conditions the flush between such tests removes.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CRITERIA = ("Qualifications", "Experience", "Referrals", "Communication", "Comfort")


def search_sciatica_in_vancouver(page: Page) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Find an IMS practitioner", level=1)).to_be_visible()
    page.get_by_label("Condition", exact=True).fill("sciatica")
    page.get_by_label("City", exact=True).fill("Vancouver")
    page.get_by_label("Country code").fill("CA")
    page.get_by_role("button", name="Search", exact=True).click()


def result_cards(page: Page):
    return page.get_by_role("region", name="Results for Sciatica").get_by_role(
        "listitem", name=re.compile(r"^\d+\. ")
    )


def test_patient_finds_explained_results_a_safety_banner_and_a_profile(
    page: Page, vancouver_practitioners, screenshot
):
    search_sciatica_in_vancouver(page)

    expect(page.get_by_role("heading", name="Results for Sciatica", level=2)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="practitioners match")).to_have_text(
        "3 practitioners match."
    )
    cards = result_cards(page)
    expect(cards).to_have_count(3)
    # The most experienced and most referred practitioner ranks first, and so on.
    expect(cards.get_by_role("heading", level=3)).to_have_text(
        ["1. Avery Fraser", "2. Blake Moreau", "3. Casey Singh"]
    )
    for index in range(3):
        card = cards.nth(index)
        for criterion in CRITERIA:
            expect(card.get_by_text(f"{criterion}:", exact=True)).to_be_visible()
        expect(card.get_by_text(re.compile(r"years? treating sciatica"))).to_be_visible()
        expect(card.get_by_text("Licensed physiotherapist (CA-BC), verified")).to_be_visible()
    first = cards.first
    expect(
        first.get_by_text("20 years treating sciatica, about 900 patients (self-reported)")
    ).to_be_visible()
    expect(first.get_by_text("5 completed physician referrals for sciatica")).to_be_visible()
    expect(first.get_by_text("Referred by 4 physicians")).to_be_visible()
    expect(first.get_by_text("100% of 6 reviewers would recommend")).to_be_visible()
    expect(cards.nth(1).get_by_text("67% of 3 reviewers would recommend")).to_be_visible()
    expect(cards.nth(2).get_by_text("No reviews yet", exact=True)).to_be_visible()
    expect(page.get_by_role("alert")).to_have_count(0)
    screenshot(page, "results")

    # The health answer travels with the next search only; the banner says why and what next.
    page.get_by_label("I have a bleeding disorder").check()
    page.get_by_role("button", name="Search", exact=True).click()
    banner = page.get_by_role("alert")
    expect(banner).to_contain_text("IMS is not recommended for you at the moment")
    expect(banner).to_contain_text(safety.BLEEDING_DISORDER)
    expect(banner).to_contain_text("The practitioners below are still listed")
    expect(result_cards(page)).to_have_count(3)
    screenshot(page, "results-not-recommended")

    page.get_by_role("link", name="Avery Fraser").click()
    expect(page).to_have_url(re.compile(rf"/practitioners/{vancouver_practitioners[0].pk}/$"))
    expect(page.get_by_role("heading", name="Avery Fraser", level=1)).to_be_visible()
    expect(page.get_by_text("Qualified: verified licence and IMS certification")).to_be_visible()
    experience = page.get_by_role("table", name="Experience by condition")
    expect(experience.get_by_role("row", name=re.compile(r"^Sciatica 20 years"))).to_be_visible()
    expect(page.get_by_role("region", name="Clinics")).to_contain_text("Fraser IMS Clinic")
    reviews = page.get_by_role("region", name="Reviews", exact=True).get_by_role("listitem")
    expect(reviews).to_have_count(6)
    expect(reviews.get_by_text("Verified", exact=True)).to_have_count(4)
    expect(reviews.get_by_text("Unverified", exact=True)).to_have_count(2)
    expect(
        page.get_by_role("heading", name="What to expect in an IMS session", level=2)
    ).to_be_visible()
    screenshot(page, "profile")
