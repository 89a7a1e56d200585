"""A patient who forgot the password gets back in (issue 11): "Forgot your password?" on the
sign-in page, the link read from the message a real SMTP server received through the worker,
a new password, and sign-in with it."""

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.factories import PASSWORD, UserFactory
from tests.mail import link_in, run_worker

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NEW = "marble-heron-quilt-82"


def test_forgot_password_end_to_end(page, smtp_sink, settings, live_server):
    settings.SITE_URL = live_server.url
    user = UserFactory(email="priya@example.test", name="Priya Natarajan")

    page.goto("/signin/")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page.get_by_role("heading", name="Forgot your password?", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("E-mail address").fill("priya@example.test")
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_role("heading", name="Check your e-mail", level=1)).to_be_visible()

    run_worker()
    link = link_in(smtp_sink.only("priya@example.test"), "/password-reset/")
    assert link.startswith(live_server.url)

    page.goto(link)
    expect(page.get_by_role("heading", name="Choose a new password", level=1)).to_be_visible()
    assert_accessible(page)
    page.get_by_label("New password", exact=True).fill(NEW)
    page.get_by_label("The new password again").fill(NEW)
    page.get_by_role("button", name="Set my new password").click()

    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    page.get_by_label("E-mail address").fill("priya@example.test")
    page.get_by_label("Password").fill(NEW)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name="Sign out")).to_be_visible()
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not user.check_password(PASSWORD)
    # That the link then no longer works (a 400 page) is tested in
    # tests/directory/test_password_reset.py.
