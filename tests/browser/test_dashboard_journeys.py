"""Issue 12's dashboard journeys: a practitioner chooses languages by name, replies to a
review and deletes a clinic through its confirmation; a physician finds a practitioner by
name, refers, and prints the referral's page; and at 390 px every dashboard action is on
screen without sideways scrolling, asserted by geometry."""

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Page, expect

from directory.models import Condition, Location, Referral, Review
from directory.services.referrals import referral_accept, referral_create
from directory.services.reviews import review_submit
from tests.browser.conftest import REVIEW_BODY, make_verified_physician
from tests.browser.test_accessibility import assert_accessible
from tests.factories import (
    ExperienceFactory,
    LocationFactory,
    ModeratorFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = {"width": 390, "height": 844}
REFERENCE = "MC-2026-044"
REASON = "Chronic L5 sciatica for eight months; physiotherapy helped only briefly."


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner(user__name="Quinn Harlow", languages=",en,")
    LocationFactory(practitioner=practitioner, name="Harlow IMS", city="Vancouver")
    LocationFactory(practitioner=practitioner, name="Harlow North Shore", city="Vancouver")
    ExperienceFactory(practitioner=practitioner)
    return practitioner


def write_review(practitioner, author_name: str = "Maria Kowalski") -> Review:
    return review_submit(
        author=UserFactory(name=author_name),
        practitioner=practitioner,
        overall=5,
        communication=5,
        comfort=4,
        would_recommend=True,
        body=REVIEW_BODY,
    )[0]


def dashboard_section(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name).click()


def test_practitioner_names_languages_replies_to_a_review_and_deletes_a_clinic(
    page, practitioner, sign_in
):
    review = write_review(practitioner)
    sign_in(page, practitioner.user.email)

    dashboard_section(page, "Profile")
    page.get_by_role("checkbox", name="Punjabi").check()
    page.get_by_label("Other languages").select_option(label="Cree")
    page.get_by_role("button", name="Save profile").click()
    expect(page.get_by_role("status")).to_contain_text("Your profile is saved.")
    expect(page.get_by_role("checkbox", name="English")).to_be_checked()
    expect(page.get_by_role("checkbox", name="Punjabi")).to_be_checked()
    practitioner.refresh_from_db()
    assert practitioner.languages == ",en,pa,cr,"

    dashboard_section(page, "Reviews")
    expect(page.get_by_role("heading", name="Your reviews", level=1)).to_be_visible()
    card = page.get_by_role("listitem").filter(has_text=REVIEW_BODY)
    expect(card).to_contain_text("Maria K.")
    card.get_by_label("Your public reply").fill("Thank you, Maria — glad the leg is better.")
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    card.get_by_role("button", name="Publish reply to Maria K.").click()
    expect(page.get_by_role("status")).to_contain_text("Your reply is published under the review.")
    expect(card).to_contain_text("Thank you, Maria — glad the leg is better.")
    expect(card.get_by_role("button", name=re.compile("Publish reply"))).to_have_count(0)
    card.get_by_text("Flag this review").click()
    card.get_by_label(re.compile("Why should a moderator look")).fill("Not a patient of mine.")
    card.get_by_role("button", name=re.compile("Flag for a moderator")).click()
    expect(page.get_by_role("status")).to_contain_text("Review flagged")
    review.refresh_from_db()
    assert review.reply == "Thank you, Maria — glad the leg is better."

    dashboard_section(page, "Clinics")
    page.get_by_role("link", name="Delete Harlow North Shore").click()
    expect(page.get_by_role("heading", name="Delete Harlow North Shore?", level=1)).to_be_visible()
    assert Location.objects.filter(name="Harlow North Shore").exists()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Delete clinic").click()
    expect(page.get_by_role("status")).to_contain_text("Clinic “Harlow North Shore” deleted.")
    expect(page.get_by_role("heading", name="Your clinics", level=1)).to_be_visible()
    assert list(Location.objects.values_list("name", flat=True)) == ["Harlow IMS"]


def test_physician_finds_the_practitioner_by_name_refers_and_prints_the_referral(
    page, practitioner, sign_in, screenshot
):
    physician = make_verified_physician("Morgan Reyes")
    sign_in(page, physician.user.email)

    page.get_by_role("link", name="Send a referral").first.click()
    expect(page.get_by_role("heading", name="Find the practitioner")).to_be_visible()
    page.get_by_label("Practitioner's name or clinic").fill("harlow")
    page.get_by_role("button", name="Search").click()
    result = page.get_by_role("listitem").filter(has_text="Quinn Harlow")
    expect(result).to_contain_text("Harlow IMS, Vancouver")
    result.get_by_role("link", name="Refer to Quinn Harlow").click()
    expect(page.get_by_role("heading", name="To Quinn Harlow")).to_be_visible()
    page.get_by_label("Condition", exact=True).select_option(label="Sciatica")
    page.get_by_label("Reason for the referral").fill(REASON)
    page.get_by_label("Patient reference code").fill(REFERENCE)
    page.get_by_role("button", name="Send referral").click()
    expect(page.get_by_role("status")).to_contain_text("Referral sent to Quinn Harlow.")

    page.get_by_role("link", name=f"{REFERENCE} – referral details").click()
    expect(page.get_by_role("heading", name=f"Referral {REFERENCE}", level=1)).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_role("button", name="Cancel referral")).to_be_visible()
    assert_accessible(page)
    page.set_viewport_size({"width": 1280, "height": 900})

    screenshot(page, "referral-page")
    page.emulate_media(media="print")
    expect(page.get_by_role("heading", name=f"Referral {REFERENCE}", level=1)).to_be_visible()
    expect(page.get_by_text(REASON)).to_be_visible()
    expect(page.get_by_role("navigation", name="Main")).to_be_hidden()
    expect(page.get_by_role("navigation", name="Dashboard")).to_be_hidden()
    expect(page.locator("main button:visible, main .button:visible")).to_have_count(0)
    page.emulate_media(media="screen")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    assert Referral.objects.get().patient_reference == REFERENCE


# --- 390 px: every action on screen ------------------------------------------------------------


@pytest.fixture
def dashboards(practitioner):
    """A practitioner, a physician and a patient, each with rows in every table."""
    physician = make_verified_physician("Morgan Reyes")
    sciatica = Condition.objects.get(slug="sciatica")
    for number in range(2):
        referral = referral_create(
            physician=physician,
            practitioner=practitioner,
            condition=sciatica,
            reason=REASON,
            patient_reference=f"MC-2026-LONG-REFERENCE-{number}",
        )
    referral_accept(referral=referral, actor=practitioner.user)
    patient = UserFactory(name="Maria Kowalski")
    review_submit(
        author=patient,
        practitioner=qualified_practitioner(user__name="Alexandria Montgomery-Fitzgerald"),
        overall=4,
        communication=4,
        comfort=4,
        would_recommend=True,
    )
    return practitioner, physician, patient


PRACTITIONER_PAGES = (
    "/dashboard/",
    "/dashboard/profile/",
    "/dashboard/clinics/",
    "/dashboard/experience/",
    "/dashboard/credentials/",
    "/dashboard/reviews/",
    "/dashboard/invitations/",
    "/dashboard/referrals/",
)
OFF_SCREEN_ACTIONS = """
() => [...document.querySelectorAll("main a, main button, main summary")]
  .filter((el) => el.getClientRects().length > 0 && !el.closest(".visually-hidden"))
  .map((el) => {
    const box = el.getBoundingClientRect();
    return {text: el.innerText.trim(), left: box.x, right: box.x + box.width};
  })
  .filter((box) => box.left < 0 || box.right > 390)
"""


def assert_fits_a_phone(page: Page, url: str) -> None:
    page.goto(url)
    width = page.evaluate("document.scrollingElement.scrollWidth")
    assert width <= PHONE["width"], f"{url} scrolls sideways: {width} px wide"
    actions = page.locator("main a:visible, main button:visible")
    assert actions.count() > 0
    for index in range(actions.count()):
        box = actions.nth(index).bounding_box()
        assert box is not None
        label = actions.nth(index).inner_text()
        assert box["x"] >= 0, f"{url}: “{label}” starts off screen at {box['x']}"
        assert box["x"] + box["width"] <= PHONE["width"], (
            f"{url}: “{label}” ends off screen at {box['x'] + box['width']}"
        )
    assert page.evaluate(OFF_SCREEN_ACTIONS) == []


def test_at_390_px_every_dashboard_action_is_on_screen(
    open_page: Callable[..., Page], dashboards, sign_in, screenshot
):
    practitioner, physician, patient = dashboards
    write_review(practitioner, author_name="Lee Tremblay")
    visits = (
        (practitioner.user.email, PRACTITIONER_PAGES),
        (physician.user.email, ("/dashboard/", "/dashboard/credentials/", "/referrals/new/")),
        (patient.email, ("/dashboard/",)),
        (ModeratorFactory().email, ("/dashboard/",)),
    )
    for email, urls in visits:
        page = open_page()
        page.set_viewport_size(PHONE)
        sign_in(page, email)
        for url in urls:
            assert_fits_a_phone(page, url)
        if email == practitioner.user.email:
            page.goto("/dashboard/clinics/")
            screenshot(page, "practitioner-clinics")
            page.set_viewport_size(PHONE)
    # The tables became cards: the clinic's Delete and the physician's Cancel are visible.
    page = open_page()
    page.set_viewport_size(PHONE)
    sign_in(page, physician.user.email)
    expect(page.get_by_role("button", name=re.compile("^Cancel referral"))).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^Details of referral")).first).to_be_visible()
    screenshot(page, "physician-sent-referrals")
    assert_accessible(page)
