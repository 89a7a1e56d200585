"""REQUIRE_EMAIL_CONFIRMATION (issue 11): registration e-mails a link, sign-in waits for it,
an address that already has an account is answered like a new one and its owner is told.
Messages go through the worker to a real SMTP server."""

import pytest
from django.core.cache import cache
from django.test import Client
from rest_framework.test import APIClient

from directory.models import MessageKind, OutboundEmail, PractitionerProfile, User
from directory.services.accounts import EMAIL_NOT_CONFIRMED
from directory.tokens import email_confirmation_tokens, uid_encode
from tests.factories import PASSWORD, UserFactory
from tests.mail import link_credentials, link_in, run_worker

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
CONFIRM = "/api/v1/auth/confirm-email/"
RESEND = "/api/v1/auth/confirm-email/resend/"
STRONG = "tawny-owl-violin-47"
DEAD_LINK = {
    "token": [
        "This link is invalid or has expired: it works once, for 24 hours. Ask for a new one."
    ]
}
RESENT = {
    "detail": "If an account at this address awaits confirmation, a new link is on its way. "
    "It works once, within 24 hours."
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def confirming(settings):
    settings.REQUIRE_EMAIL_CONFIRMATION = True


def _register(email="ana@example.test", role="practitioner", name="Ana Lopez"):
    body = {"email": email, "password": STRONG, "name": name, "role": role}
    return APIClient().post(REGISTER, body, format="json")


def _login(email="ana@example.test", password=STRONG):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


def test_registration_waits_for_the_link_then_signs_in(smtp_sink, confirming):
    response = _register()

    assert (response.status_code, response.json()) == (
        201,
        {"id": None, "email": "ana@example.test", "name": "Ana Lopez", "role": "practitioner"},
    )
    user = User.objects.get()
    assert user.email_confirmation_pending
    assert PractitionerProfile.objects.filter(user=user).exists()
    refused = _login()
    assert (refused.status_code, refused.json()) == (403, {"detail": EMAIL_NOT_CONFIRMED})
    # A wrong password is still the plain 400: the 403 is said only to the owner.
    assert _login(password="wrong-password-here").status_code == 400

    run_worker()
    message = smtp_sink.only("ana@example.test")
    assert message["Subject"] == "Confirm your e-mail address"
    link = link_in(message, "/confirm-email/")
    credentials = link_credentials(message)
    assert link.endswith(f"/confirm-email/{credentials['uid']}/{credentials['token']}/")

    confirmed = APIClient().post(CONFIRM, credentials, format="json")
    assert (confirmed.status_code, confirmed.content) == (204, b"")
    user.refresh_from_db()
    assert not user.email_confirmation_pending
    assert _login().status_code == 200

    twice = APIClient().post(CONFIRM, credentials, format="json")
    assert (twice.status_code, twice.json()) == (400, DEAD_LINK)


def test_an_address_with_an_account_is_answered_like_a_new_one_and_its_owner_told(
    smtp_sink, confirming
):
    owner = UserFactory(email="ana@example.test", name="Ana Lopez", role="patient")

    response = _register(email="Ana@Example.test", role="patient")

    assert (response.status_code, response.json()) == (
        201,
        {"id": None, "email": "ana@example.test", "name": "Ana Lopez", "role": "patient"},
    )
    assert User.objects.get() == owner
    owner.refresh_from_db()
    assert owner.check_password(PASSWORD)  # nothing about the account changed
    assert not owner.email_confirmation_pending
    run_worker()
    message = smtp_sink.only("ana@example.test")
    assert message["Subject"] == "You already have an account"
    assert link_in(message, "/signin/")
    assert link_in(message, "/password-reset/")
    assert OutboundEmail.objects.get().kind == MessageKind.ACCOUNT_EXISTS


@pytest.mark.django_db
def test_without_the_setting_registration_signs_in_at_once_and_sends_nothing(settings):
    settings.REQUIRE_EMAIL_CONFIRMATION = False

    response = _register()

    assert response.status_code == 201
    assert response.json()["id"] == User.objects.get().pk
    assert not User.objects.get().email_confirmation_pending
    assert _login().status_code == 200
    assert not OutboundEmail.objects.exists()
    duplicate = _register()
    assert duplicate.status_code == 400


@pytest.mark.django_db
def test_turning_the_setting_off_lets_a_pending_account_sign_in(settings):
    UserFactory(email="ana@example.test", email_confirmation_pending=True)
    settings.REQUIRE_EMAIL_CONFIRMATION = True
    assert _login(password=PASSWORD).status_code == 403

    settings.REQUIRE_EMAIL_CONFIRMATION = False

    assert _login(password=PASSWORD).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        {"uid": "bm9ib2R5", "token": "abc-123"},
        {"uid": "%%%", "token": "abc-123"},
        {"uid": "OWN", "token": "tampered"},
    ],
)
def test_a_dead_confirmation_link_is_a_400(confirming, body):
    user = UserFactory(email_confirmation_pending=True)
    if body["uid"] == "OWN":
        body = {**body, "uid": uid_encode(user)}

    response = APIClient().post(CONFIRM, body, format="json")

    assert (response.status_code, response.json()) == (400, DEAD_LINK)
    user.refresh_from_db()
    assert user.email_confirmation_pending


@pytest.mark.django_db
def test_a_confirmation_link_dies_when_the_address_changes(confirming):
    user = UserFactory(email="ana@example.test", email_confirmation_pending=True)
    token = email_confirmation_tokens.make_token(user)
    User.objects.filter(pk=user.pk).update(email="ana.lopez@example.test")

    response = APIClient().post(CONFIRM, {"uid": uid_encode(user), "token": token}, format="json")

    assert (response.status_code, response.json()) == (400, DEAD_LINK)


def test_resend_mails_a_new_link_only_to_a_pending_account(smtp_sink, confirming):
    UserFactory(email="ana@example.test", email_confirmation_pending=True)
    UserFactory(email="ben@example.test")  # confirmed already

    answers = [
        APIClient().post(RESEND, {"email": email}, format="json")
        for email in ("ana@example.test", "ben@example.test", "nobody@example.test")
    ]

    assert [(a.status_code, a.json()) for a in answers] == [(202, RESENT)] * 3
    run_worker()
    assert [m["To"] for m in smtp_sink.received] == ["ana@example.test"]
    assert smtp_sink.received[0]["Subject"] == "Confirm your e-mail address"


@pytest.mark.django_db
def test_resend_is_throttled_and_checks_the_address(settings, confirming):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "confirmation_resend": "2/hour"},
    }
    UserFactory(email="ana@example.test", email_confirmation_pending=True)

    malformed = APIClient().post(RESEND, {"email": "ana"}, format="json")
    statuses = [
        APIClient().post(RESEND, {"email": "ana@example.test"}, format="json").status_code
        for _ in range(3)
    ]

    assert (malformed.status_code, malformed.json()) == (
        400,
        {"email": ["Enter a valid email address."]},
    )
    # The malformed request counted too: two requests per hour, whatever they hold.
    assert statuses == [202, 429, 429]
    assert OutboundEmail.objects.count() == 1


# --- the pages --------------------------------------------------------------------------------


def test_sign_up_page_waits_for_the_link_then_the_sign_in_page_lets_in(smtp_sink, confirming):
    browser = Client()
    body = {"name": "Ana Lopez", "email": "ana@example.test", "password": STRONG}

    signup = browser.post("/signup/", {**body, "role": "patient"}, follow=True)
    assert signup.redirect_chain == [("/confirm-email/sent/", 302)]
    assert b"Check your e-mail" in signup.content
    assert "_auth_user_id" not in browser.session

    refused = browser.post("/signin/", {"email": "ana@example.test", "password": STRONG})
    assert refused.status_code == 200
    assert EMAIL_NOT_CONFIRMED.encode() in refused.content.replace(b"&#x27;", b"'")
    assert b'href="/confirm-email/resend/"' in refused.content

    run_worker()
    path = "/" + link_in(smtp_sink.only("ana@example.test"), "/confirm-email/").split("/", 3)[3]
    page = browser.get(path)
    assert page.status_code == 200
    assert b"Confirm my address" in page.content
    assert User.objects.get().email_confirmation_pending  # a GET confirms nothing

    done = browser.post(path, follow=True)
    assert done.redirect_chain == [("/signin/", 302)]
    assert b"Your e-mail address is confirmed" in done.content
    assert not User.objects.get().email_confirmation_pending
    signed_in = browser.post("/signin/", {"email": "ana@example.test", "password": STRONG})
    assert (signed_in.status_code, signed_in["Location"]) == (302, "/")

    dead = browser.post(path)
    assert dead.status_code == 400
    assert b"This link no longer works" in dead.content


@pytest.mark.django_db
def test_the_resend_page_answers_the_same_for_any_address(confirming):
    UserFactory(email="ana@example.test", email_confirmation_pending=True)
    browser = Client()

    known = browser.post("/confirm-email/resend/", {"email": "ana@example.test"})
    unknown = browser.post("/confirm-email/resend/", {"email": "nobody@example.test"})

    assert (known.status_code, known["Location"]) == (302, "/confirm-email/sent/")
    assert (unknown.status_code, unknown["Location"]) == (302, "/confirm-email/sent/")
    assert OutboundEmail.objects.filter(kind=MessageKind.EMAIL_CONFIRMATION).count() == 1
