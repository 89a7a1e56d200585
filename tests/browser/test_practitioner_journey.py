"""A practitioner signs up and fills in their listing; a moderator verifies their credentials
in the Django admin; patients then find them when they search (SPEC §2, §3, §6)."""

import re
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from directory.models import Credential, CredentialStatus
from tests.factories import PASSWORD, ModeratorFactory

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NAME = "Robin Castellanos"
EMAIL = "robin.castellanos@example.test"
# Passes Django's password validators (length, not common, not numeric, unlike the e-mail).
NEW_PASSWORD = "Needle-Pine-Harbour-77"
TINY_PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def dashboard_section(page: Page, name: str) -> None:
    page.get_by_role("navigation", name="Dashboard").get_by_role("link", name=name).click()


def sign_up_as_practitioner(page: Page) -> None:
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign up").click()
    expect(page.get_by_role("heading", name="Sign up", level=1)).to_be_visible()
    page.get_by_role("radio", name=re.compile(r"^IMS practitioner")).check()
    page.get_by_label("Your name").fill(NAME)
    page.get_by_label("E-mail address").fill(EMAIL)
    page.get_by_label("Password").fill(NEW_PASSWORD)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("heading", name="Your dashboard", level=1)).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text(f"Welcome, {NAME}")
    expect(page.get_by_text("Not yet qualified")).to_be_visible()


def add_clinic(page: Page) -> None:
    dashboard_section(page, "Clinics")
    expect(page.get_by_role("heading", name="Your clinics", level=1)).to_be_visible()
    page.get_by_label("Clinic name").fill("Castellanos Physio & IMS")
    page.get_by_label("Street address").fill("555 W 12th Ave")
    page.get_by_label("City", exact=True).fill("Vancouver")
    page.get_by_label("Province, state or region").fill("BC")
    page.get_by_label("Postal code").fill("V5Z 3X7")
    page.get_by_label("Country").select_option("CA")
    page.get_by_role("button", name="Add clinic").click()
    expect(page.get_by_role("status")).to_contain_text("Clinic “Castellanos Physio & IMS” added.")
    clinics = page.get_by_role("table", name="Your clinics")
    expect(clinics.get_by_role("row", name=re.compile("Castellanos Physio"))).to_contain_text(
        "Vancouver, BC (CA)"
    )


def add_experience(page: Page) -> None:
    dashboard_section(page, "Experience")
    page.get_by_label("Condition", exact=True).select_option(label="Sciatica")
    page.get_by_label("Years treating it").fill("6")
    page.get_by_label("Patients treated for it (about)").fill("250")
    page.get_by_role("button", name="Add experience").click()
    expect(page.get_by_role("status")).to_contain_text("Experience with Sciatica added.")
    table = page.get_by_role("table", name="Your experience by condition")
    expect(table.get_by_role("row", name=re.compile(r"^Sciatica 6 250 "))).to_be_visible()


def add_licence(page: Page, evidence) -> None:
    dashboard_section(page, "Credentials")
    page.get_by_role("link", name="Add a licence").click()
    expect(page.get_by_role("heading", name="Add a licence", level=1)).to_be_visible()
    page.get_by_label("Profession").select_option(label="Physiotherapist")
    page.get_by_label("Regulator (licensing college or board)").fill(
        "College of Physical Therapists of British Columbia"
    )
    page.get_by_label("Jurisdiction").fill("CA-BC")
    page.get_by_label("Registration or certificate number").fill("PT-20431")
    page.get_by_label("Issued on").fill("2014-06-01")
    expires = date.today() + timedelta(days=400)
    page.get_by_label("Expires on").fill(expires.isoformat())
    page.get_by_label("This licence authorises me to practise dry needling or IMS").check()
    page.get_by_label("Evidence file").set_input_files(evidence)
    page.get_by_role("button", name="Add credential").click()
    expect(page.get_by_role("status")).to_contain_text("Credential added")


def add_ims_certification(page: Page, evidence) -> None:
    page.get_by_role("link", name="Add an IMS certification").click()
    expect(page.get_by_role("heading", name="Add an IMS certification", level=1)).to_be_visible()
    page.get_by_label("Certifying body").fill(
        "Institute for the Study and Treatment of Pain (iSTOP)"
    )
    page.get_by_label("Date awarded").fill("2016-03-12")
    page.get_by_label("Evidence file").set_input_files(evidence)
    page.get_by_role("button", name="Add credential").click()
    expect(page.get_by_role("status")).to_contain_text("Credential added")
    credentials = page.get_by_role("table", name="Your credentials")
    expect(credentials.get_by_text("Waiting for verification")).to_have_count(2)


def moderator_verifies_credentials_of(page: Page, email: str) -> None:
    moderator = ModeratorFactory()
    page.goto("/admin/login/?next=/admin/directory/credential/")
    page.get_by_label(re.compile("mail", re.IGNORECASE)).fill(moderator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Pending", exact=True).click()
    page.get_by_role("textbox", name="Search").fill(email)
    page.get_by_role("button", name="Search").click()
    page.get_by_role("checkbox", name="Select all objects on this page for an action").check()
    page.get_by_label("Action:").select_option(label="Verify selected credentials")
    page.get_by_label("Note to the owner").fill("Checked against the regulator's register.")
    page.get_by_role("button", name="Go").click()
    expect(page.get_by_text("Verified 2 credential(s).")).to_be_visible()


def test_practitioner_signs_up_is_verified_and_patients_find_them(open_page, tmp_path, screenshot):
    evidence = tmp_path / "evidence.pdf"
    evidence.write_bytes(TINY_PDF)
    practitioner = open_page()
    sign_up_as_practitioner(practitioner)
    add_clinic(practitioner)
    add_experience(practitioner)
    add_licence(practitioner, evidence)
    add_ims_certification(practitioner, evidence)

    moderator_verifies_credentials_of(open_page(), EMAIL)
    statuses = Credential.objects.filter(owner__email=EMAIL).values_list("status", flat=True)
    assert sorted(statuses) == [CredentialStatus.VERIFIED] * 2

    practitioner.reload()
    dashboard_section(practitioner, "Overview")
    expect(practitioner.get_by_text("Qualified", exact=True)).to_be_visible()
    screenshot(practitioner, "practitioner-dashboard")

    patient = open_page()
    patient.goto("/")
    patient.get_by_label("Condition", exact=True).fill("sciatica")
    patient.get_by_label("City", exact=True).fill("Vancouver")
    patient.get_by_label("Country code").fill("CA")
    patient.get_by_role("button", name="Search", exact=True).click()
    results = patient.get_by_role("region", name="Results for Sciatica")
    expect(results.get_by_role("heading", level=3)).to_have_text([f"1. {NAME}"])
    results.get_by_text("Why this rank").click()  # the explanation opens on demand
    expect(results.get_by_text("6 years treating sciatica, about 250 patients")).to_be_visible()


def test_admin_pages_load_without_a_missing_favicon(open_page):
    # The browser's own favicon request comes whenever it likes, so this test looks at what
    # would cause it: an admin page that names no icon.
    page = open_page()
    moderator = ModeratorFactory()
    page.goto("/admin/login/")
    page.get_by_label(re.compile("mail", re.IGNORECASE)).fill(moderator.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("link", name="Credentials")).to_be_visible()
    # Either fix works: the page names its icon, or /favicon.ico answers.
    declares_icon = page.locator("link[rel~='icon']").count() > 0
    assert declares_icon or page.request.get("/favicon.ico").ok
