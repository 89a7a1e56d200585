"""A practitioner adds their clinic's phone, web addresses, opening hours and wheelchair
access on the dashboard (a mistake is shown beside its day and the input kept), and a
patient sees them on the public profile: at 1280 and 390 px, with axe and no console
error (issue 12)."""

import re

import pytest
from playwright.sync_api import Page, expect

from directory.models import Location
from tests.browser.test_accessibility import assert_accessible
from tests.factories import LocationFactory, qualified_practitioner

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CLINIC = "Harbour Physio & IMS"


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner(user__name="Morgan Reid")
    LocationFactory(practitioner=practitioner, name=CLINIC, city="Vancouver", country="CA")
    return practitioner


def open_clinic_form(page: Page) -> None:
    page.goto("/dashboard/clinics/")
    page.get_by_role("link", name=f"Edit {CLINIC}").click()
    expect(page.get_by_role("heading", name=f"Edit {CLINIC}", level=1)).to_be_visible()


def test_practitioner_edits_clinic_contact_and_hours_and_patients_see_them(
    page: Page, open_page, sign_in, screenshot, practitioner
):
    sign_in(page, practitioner.user.email)
    open_clinic_form(page)
    page.get_by_label(re.compile(r"^Phone")).fill("604 555 0147")
    page.get_by_label("Website").fill("https://harbour.example.org/")
    page.get_by_label("Online booking address").fill("https://harbour.example.org/book")
    page.get_by_role("group", name="Wheelchair accessible").get_by_role("radio", name="Yes").check()
    page.get_by_label("Monday opens").fill("17:00")
    page.get_by_label("Monday closes").fill("09:00")
    page.get_by_label("Saturday opens").fill("10:00")
    page.get_by_label("Saturday closes").fill("14:00")
    page.get_by_role("button", name="Save clinic").click()

    # Refused beside Monday, everything typed still there, nothing saved.
    message = "Monday: closing time (09:00) must be after opening time (17:00)."
    monday_closes = page.get_by_label("Monday closes")
    expect(monday_closes).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_hours_mon_closes_error")).to_have_text(message)
    expect(page.get_by_label(re.compile(r"^Phone"))).to_have_value("604 555 0147")
    expect(page.get_by_label("Saturday opens")).to_have_value("10:00")
    assert Location.objects.get().phone == ""
    assert_accessible(page)
    screenshot(page, "clinic-contact-error")

    page.get_by_label("Monday opens").fill("09:00")
    page.get_by_label("Monday closes").fill("17:00")
    page.get_by_role("button", name="Save clinic").click()
    expect(page.get_by_role("status")).to_contain_text(f"Clinic “{CLINIC}” saved.")
    open_clinic_form(page)
    expect(page.get_by_label(re.compile(r"^Phone"))).to_have_value("(604) 555-0147")
    expect(page.get_by_label("Monday closes")).to_have_value("17:00")
    assert_accessible(page)
    screenshot(page, "clinic-contact-form")

    patient = open_page()
    patient.goto(f"/practitioners/{practitioner.pk}/")
    clinics = patient.get_by_role("region", name="Clinics")
    phone = clinics.get_by_role("link", name="(604) 555-0147")
    expect(phone).to_have_attribute("href", "tel:+16045550147")
    expect(clinics.get_by_role("link", name=re.compile("^Website"))).to_have_attribute(
        "href", "https://harbour.example.org/"
    )
    expect(clinics.get_by_role("link", name=re.compile("^Book online"))).to_have_attribute(
        "href", "https://harbour.example.org/book"
    )
    hours = clinics.get_by_role("table", name="Opening hours")
    expect(hours.get_by_role("row")).to_have_text(["Monday09:00–17:00", "Saturday10:00–14:00"])
    expect(hours.get_by_role("row", name="Monday 09:00–17:00")).to_be_visible()
    expect(clinics.get_by_text("Wheelchair accessible")).to_be_visible()
    assert_accessible(patient)
    screenshot(patient, "profile-clinic-contact")
