"""axe-core finds no serious or critical accessibility violation on the main pages, at a
desktop and a phone width (SPEC §6: labels, keyboard, contrast, landmarks).

axe's script comes bundled with axe-playwright-python: nothing is fetched from the network.
"""

from collections.abc import Callable

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from directory.models import Condition
from directory.services.referrals import referral_accept, referral_complete, referral_create
from tests.factories import UserFactory, qualified_practitioner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

WIDTHS = (1280, 390)
BLOCKING_IMPACTS = ("serious", "critical")
AXE = Axe()


def blocking_violations(page: Page) -> list[str]:
    """axe's serious and critical violations on the page as shown, one line per element."""
    results = AXE.run(page)
    lines = []
    for violation in results.response["violations"]:
        if violation["impact"] not in BLOCKING_IMPACTS:
            continue
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            lines.append(
                f"{violation['id']} ({violation['impact']}) at {target}: {violation['help']}"
                f" — {violation['helpUrl']}"
            )
    return lines


def assert_accessible(page: Page) -> None:
    problems = []
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        problems += [f"[{width} px] {line}" for line in blocking_violations(page)]
    assert not problems, f"axe on {page.url}:\n" + "\n".join(problems)


@pytest.fixture
def referrals_in_every_open_state(vancouver_practitioners, verified_physician):
    """Referrals from the verified physician: one sent, one accepted (plus the completed ones
    the practitioners already have), so that the dashboards show their badges and buttons."""
    sciatica = Condition.objects.get(slug="sciatica")
    first, second, _third = vancouver_practitioners
    referral_create(
        physician=verified_physician,
        practitioner=first,
        condition=sciatica,
        reason="Sciatica for a year.",
        patient_reference="AX-1",
    )
    accepted = referral_create(
        physician=verified_physician,
        practitioner=second,
        condition=sciatica,
        reason="Sciatica after a fall.",
        patient_reference="AX-2",
    )
    referral_accept(referral=accepted, actor=second.user)
    return vancouver_practitioners, verified_physician


def search_page(page: Page, data, sign_in: Callable) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Find an IMS practitioner")).to_be_visible()


def results_page(page: Page, data, sign_in: Callable) -> None:
    page.goto("/")
    page.get_by_label("Condition", exact=True).fill("sciatica")
    page.get_by_label("City", exact=True).fill("Vancouver")
    page.get_by_label("I take blood thinners").check()
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_role("heading", name="Results for Sciatica")).to_be_visible()
    expect(page.get_by_role("alert")).to_be_visible()  # the caution banner is checked too


def profile_page(page: Page, data, sign_in: Callable) -> None:
    practitioners, _physician = data
    page.goto(f"/practitioners/{practitioners[0].pk}/")
    expect(page.get_by_role("heading", name="Avery Fraser", level=1)).to_be_visible()


def practitioner_dashboard(page: Page, data, sign_in: Callable) -> None:
    practitioners, _physician = data
    sign_in(page, practitioners[0].user.email)
    page.goto("/dashboard/")
    expect(page.get_by_text("1 new referral")).to_be_visible()


def physician_dashboard(page: Page, data, sign_in: Callable) -> None:
    _practitioners, physician = data
    sign_in(page, physician.user.email)
    page.goto("/dashboard/")
    expect(page.get_by_text("Sent – awaiting answer")).to_be_visible()


def search_with_errors(page: Page, data, sign_in: Callable) -> None:
    page.goto("/")
    page.get_by_label("Condition", exact=True).fill("stiff neck after skiing")
    page.get_by_label("City", exact=True).fill("Atlantis")
    page.get_by_role("button", name="Search", exact=True).click()
    expect(page.get_by_label("Condition", exact=True)).to_have_attribute("aria-invalid", "true")


def sign_in_page(page: Page, data, sign_in: Callable) -> None:
    page.goto("/signin/")


def sign_up_page(page: Page, data, sign_in: Callable) -> None:
    page.goto("/signup/")


def review_form(page: Page, data, sign_in: Callable) -> None:
    practitioners, _physician = data
    sign_in(page, UserFactory(name="Ines Moreno").email)
    page.goto(f"/practitioners/{practitioners[0].pk}/review/")
    expect(page.get_by_role("heading", name="Review Avery Fraser")).to_be_visible()


def referral_form(page: Page, data, sign_in: Callable) -> None:
    practitioners, physician = data
    sign_in(page, physician.user.email)
    page.goto(f"/referrals/new/?practitioner={practitioners[2].pk}")
    expect(page.get_by_role("heading", name="To Casey Singh")).to_be_visible()


def referral_inbox(page: Page, data, sign_in: Callable) -> None:
    practitioners, _physician = data
    sign_in(page, practitioners[1].user.email)
    page.goto("/dashboard/referrals/")
    expect(page.get_by_role("button", name="Mark completed referral AX-2")).to_be_visible()


def credential_form(page: Page, data, sign_in: Callable) -> None:
    practitioners, _physician = data
    sign_in(page, practitioners[0].user.email)
    page.goto("/dashboard/credentials/new/license/")
    expect(page.get_by_label("Evidence file")).to_be_visible()


# The five pages the issue names first, then the forms around them.
VISITS = [
    search_page,
    results_page,
    profile_page,
    practitioner_dashboard,
    physician_dashboard,
    search_with_errors,
    sign_in_page,
    sign_up_page,
    review_form,
    referral_form,
    referral_inbox,
    credential_form,
]


@pytest.mark.parametrize("visit", VISITS, ids=lambda visit: visit.__name__)
def test_page_has_no_serious_or_critical_axe_violations(
    page: Page, referrals_in_every_open_state, sign_in, visit
):
    visit(page, referrals_in_every_open_state, sign_in)
    assert_accessible(page)


def test_physician_dashboard_with_only_closed_referrals_has_no_axe_violations(
    page: Page, verified_physician, sign_in
):
    practitioner = qualified_practitioner(user__name="Quinn Harlow")
    referral = referral_create(
        physician=verified_physician,
        practitioner=practitioner,
        condition=Condition.objects.get(slug="sciatica"),
        reason="Sciatica for a year.",
        patient_reference="MC-2026-017",
    )
    referral_accept(referral=referral, actor=practitioner.user)
    referral_complete(referral=referral, actor=practitioner.user, outcome="improved")
    sign_in(page, verified_physician.user.email)
    page.goto("/dashboard/")
    expect(page.get_by_text("Completed: improved")).to_be_visible()
    assert_accessible(page)


def test_keyboard_user_skips_to_the_content_and_searches(page: Page, vancouver_practitioners):
    page.goto("/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then shown
    page.keyboard.press("Enter")
    expect(page.get_by_role("main")).to_be_focused()
    page.keyboard.press("Tab")
    expect(page.get_by_label("Condition", exact=True)).to_be_focused()
    page.keyboard.type("sciatica")
    page.keyboard.press("Tab")
    expect(page.get_by_label("City", exact=True)).to_be_focused()
    page.keyboard.type("Vancouver")
    page.keyboard.press("Enter")
    results = page.get_by_role("region", name="Results for Sciatica")
    expect(results.get_by_role("heading", level=3)).to_have_count(3)
