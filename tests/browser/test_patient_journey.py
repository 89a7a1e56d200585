"""An anonymous patient searches, reads the ranked and explained results, answers a health
question, sees the safety banner and opens the best match's profile (SPEC §4, §6); the
results are a page of their own, so Back comes back to them (issue 12)."""

import re

import pytest
from playwright.sync_api import Page, expect

from matching import safety
from tests.browser.test_accessibility import assert_accessible
from tests.factories import LocationFactory, qualified_practitioner

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


RESULTS_URL = re.compile(r"/results/[A-Za-z0-9_-]{16}/$")


def result_cards(page: Page):
    return page.get_by_role("region", name="Results for Sciatica").get_by_role(
        "listitem", name=re.compile(r"^\d+\. ")
    )


def open_explanations(page: Page) -> None:
    """Each card's bars and reasons sit in a <details>: open them all, as a reader would."""
    summaries = page.locator(".result details > summary")
    for index in range(summaries.count()):
        summaries.nth(index).click()


def test_patient_finds_explained_results_a_safety_banner_and_a_profile(
    page: Page, vancouver_practitioners, screenshot
):
    search_sciatica_in_vancouver(page)

    expect(page.get_by_role("heading", name="Results for Sciatica", level=2)).to_be_visible()
    expect(page.get_by_role("status").filter(has_text="practitioners match")).to_have_text(
        "3 practitioners match; 3 report experience with sciatica."
    )
    expect(page).to_have_url(RESULTS_URL)
    assert "sciatica" not in page.url.lower() and "vancouver" not in page.url.lower()
    cards = result_cards(page)
    expect(cards).to_have_count(3)
    # Compact: the score shows, the explanation opens on demand.
    expect(cards.first.get_by_text(re.compile(r"^Match score \d\.\d\d of 1$"))).to_be_visible()
    expect(cards.first.get_by_text("Qualifications:", exact=True)).to_be_hidden()
    open_explanations(page)
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
    results_url = page.url

    page.get_by_role("link", name="Avery Fraser", exact=True).click()
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

    # Back: the same results, the banner and the ticked answer — a GET of the results page,
    # never the form sent again (so no "Confirm Form Resubmission").
    requests = []
    page.on("request", lambda request: requests.append((request.method, request.url)))
    page.go_back()
    expect(page).to_have_url(results_url)
    expect(page.get_by_role("alert")).to_contain_text(
        "IMS is not recommended for you at the moment"
    )
    expect(result_cards(page).get_by_role("heading", level=3)).to_have_text(
        ["1. Avery Fraser", "2. Blake Moreau", "3. Casey Singh"]
    )
    expect(page.get_by_label("I have a bleeding disorder")).to_be_checked()
    assert ("GET", results_url) in requests
    assert not [method for method, _url in requests if method != "GET"]
    page.reload()
    expect(result_cards(page)).to_have_count(3)
    assert_accessible(page)


def test_results_on_a_phone_are_compact_with_refine_search_and_back_works(
    page: Page, vancouver_practitioners, screenshot
):
    page.set_viewport_size({"width": 390, "height": 844})
    search_sciatica_in_vancouver(page)
    expect(page).to_have_url(RESULTS_URL)
    results_url = page.url
    cards = result_cards(page)
    expect(cards).to_have_count(3)
    # Three compact cards: far from the thousands of pixels the explanations would take.
    bottom = page.evaluate(
        "document.querySelector('.results').getBoundingClientRect().bottom + window.scrollY"
    )
    assert bottom < 1400, f"the three results end {bottom} px down at 390 px"
    overflow = page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    assert_accessible(page)
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "results-compact")

    # "Refine search" sits at the top and jumps to the form, which holds the search as sent.
    refine = page.get_by_role("link", name="Refine search")
    assert refine.bounding_box()["y"] < 400
    refine.click()
    expect(page).to_have_url(re.compile(r"#search-heading$"))
    expect(page.get_by_role("heading", name="Refine your search")).to_be_in_viewport()
    expect(page.get_by_label("Condition", exact=True)).to_have_value("sciatica")
    expect(page.get_by_label("City", exact=True)).to_have_value("Vancouver")

    # An explanation opens in place, without script.
    first = cards.first
    first.get_by_text("Why this rank").click()
    expect(first.get_by_text("Qualifications:", exact=True)).to_be_visible()

    first.get_by_role("link", name="Avery Fraser", exact=True).click()
    expect(page.get_by_role("heading", name="Avery Fraser", level=1)).to_be_visible()
    page.go_back()
    expect(page).to_have_url(re.compile(re.escape(results_url)))
    expect(result_cards(page)).to_have_count(3)
    assert_accessible(page)


def test_show_more_continues_the_ranking_on_the_next_page(
    page: Page, vancouver_practitioners, monkeypatch
):
    # Two a page, so three practitioners make two pages.
    from web.views import search as search_view

    monkeypatch.setattr(search_view, "PAGE_SIZE", 2)
    monkeypatch.setattr(search_view, "LAST_PAGE", 50)
    search_sciatica_in_vancouver(page)
    expect(page.get_by_role("status").filter(has_text="practitioners match")).to_have_text(
        "3 practitioners match; 3 report experience with sciatica. Showing 1–2."
    )
    expect(result_cards(page).get_by_role("heading", level=3)).to_have_text(
        ["1. Avery Fraser", "2. Blake Moreau"]
    )
    page.get_by_role("link", name="Show more: 3–3").click()
    expect(page).to_have_url(re.compile(r"/results/[A-Za-z0-9_-]{16}/\?page=2$"))
    expect(result_cards(page).get_by_role("heading", level=3)).to_have_text(["3. Casey Singh"])
    page.get_by_role("link", name="Previous: 1–2").click()
    expect(result_cards(page)).to_have_count(2)
    page.go_back()
    expect(result_cards(page).get_by_role("heading", level=3)).to_have_text(["3. Casey Singh"])


def test_the_experience_filter_keeps_only_those_who_report_experience(
    page: Page, vancouver_practitioners
):
    # A fourth qualified practitioner nearby, with no sciatica experience and no referrals.
    newcomer = qualified_practitioner(user__name="Dana Newcomb")
    LocationFactory(practitioner=newcomer, name="Newcomb Clinic", lat=49.2830, lng=-123.1180)

    search_sciatica_in_vancouver(page)
    count = page.get_by_role("status").filter(has_text="practitioners match")
    expect(count).to_have_text("4 practitioners match; 3 report experience with sciatica.")
    expect(result_cards(page).filter(has_text="Dana Newcomb")).to_have_count(1)

    page.get_by_role("button", name="Show only the 3 with experience").click()
    expect(page).to_have_url(RESULTS_URL)
    expect(count).to_have_text("3 practitioners match; 3 report experience with sciatica.")
    expect(result_cards(page)).to_have_count(3)
    expect(result_cards(page).filter(has_text="Dana Newcomb")).to_have_count(0)
    # The form holds the filter as applied, so refining keeps it.
    expect(
        page.get_by_label("Only practitioners with experience of this condition")
    ).to_be_checked()
    assert_accessible(page)


def test_a_verified_physician_refers_from_a_result_card(
    page: Page, vancouver_practitioners, verified_physician, sign_in
):
    sign_in(page, verified_physician.user.email)
    search_sciatica_in_vancouver(page)
    card = result_cards(page).nth(2)
    card.get_by_role("link", name="Refer a patient to Casey Singh").click()
    expect(page).to_have_url(
        re.compile(rf"/referrals/new/\?practitioner={vancouver_practitioners[2].pk}$")
    )
    expect(page.get_by_role("heading", name="To Casey Singh")).to_be_visible()

    # Sent from there, the referral has its own page, which prints without the site around it.
    page.get_by_label("Condition", exact=True).select_option(label="Sciatica")
    page.get_by_label("Reason for the referral").fill("Sciatica for a year, worse sitting.")
    page.get_by_label("Patient reference code").fill("MC-2026-101")
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral sent to Casey Singh.")
    page.get_by_role("link", name="MC-2026-101 – referral details").click()
    expect(page.get_by_role("heading", name="Referral MC-2026-101", level=1)).to_be_visible()
    page.emulate_media(media="print")
    expect(page.get_by_text("Sciatica for a year, worse sitting.")).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.locator("main button:visible, main .button:visible")).to_have_count(0)
    page.emulate_media(media="screen")
