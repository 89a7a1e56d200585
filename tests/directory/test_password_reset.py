"""Password reset (issue 11): POST /api/v1/auth/password-reset/ and /confirm/, and the pages
behind "Forgot your password?". Messages go through the worker to a real SMTP server."""

import pytest
from django.core.cache import cache
from django.test import Client
from knox.models import AuthToken
from rest_framework.test import APIClient

from directory.models import MessageKind, OutboundEmail, User
from directory.services.accounts import user_login
from directory.tokens import password_reset_tokens, uid_encode
from tests.factories import PASSWORD, UserFactory
from tests.mail import html_of, link_credentials, link_in, run_worker

RESET = "/api/v1/auth/password-reset/"
CONFIRM = "/api/v1/auth/password-reset/confirm/"
LOGIN = "/api/v1/auth/login/"
ME = "/api/v1/me/"
NEW = "marble-heron-quilt-82"
SENT = {
    "detail": "If an account uses this address, a link to choose a new password is on its way. "
    "It works once, within 24 hours."
}
DEAD_LINK = {
    "token": [
        "This link is invalid or has expired: it works once, for 24 hours. Ask for a new one."
    ]
}


@pytest.fixture(autouse=True)
def _fresh_throttles():
    cache.clear()
    yield
    cache.clear()


def _ask(email: str):
    return APIClient().post(RESET, {"email": email}, format="json")


def _confirm(**body):
    return APIClient().post(CONFIRM, body, format="json")


def _token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_reset_through_the_worker_sets_the_new_password_and_revokes_every_token(smtp_sink):
    user = UserFactory(email="ana@example.test")
    _, old_token = user_login(email="ana@example.test", password=PASSWORD)
    session = Client()
    session.force_login(user)

    response = _ask("ANA@example.test ")
    assert (response.status_code, response.json()) == (202, SENT)
    assert smtp_sink.received == []  # the worker sends, not the request
    run_worker()

    message = smtp_sink.only("ana@example.test")
    assert message["Subject"] == "Reset your password"
    link = link_in(message, "/password-reset/")
    credentials = link_credentials(message)
    assert link.endswith(f"/password-reset/{credentials['uid']}/{credentials['token']}/")
    assert link in html_of(message)

    response = _confirm(**credentials, password=NEW)
    assert response.status_code == 204
    assert response.content == b""
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert not AuthToken.objects.filter(user=user).exists()
    assert _token_client(old_token).get(ME).status_code == 401
    assert session.get("/dashboard/").status_code == 302  # the old session is over
    assert _ask_login("ana@example.test", PASSWORD).status_code == 400
    assert _ask_login("ana@example.test", NEW).status_code == 200

    # The link worked once: the token hashed the old password.
    again = _confirm(**credentials, password="another-fine-phrase-19")
    assert (again.status_code, again.json()) == (400, DEAD_LINK)
    user.refresh_from_db()
    assert user.check_password(NEW)
    row = OutboundEmail.objects.get()
    assert (row.kind, row.recipient, row.attempts) == (MessageKind.PASSWORD_RESET, user, 1)
    assert row.sent_at is not None


def _ask_login(email: str, password: str):
    return APIClient().post(LOGIN, {"email": email, "password": password}, format="json")


@pytest.mark.django_db
@pytest.mark.parametrize("email", ["nobody@example.test", "gone@example.test"])
def test_an_address_without_an_active_account_gets_the_same_answer_and_no_mail(email):
    UserFactory(email="gone@example.test", is_active=False)

    response = _ask(email)

    assert (response.status_code, response.json()) == (202, SENT)
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body, errors",
    [
        ({"email": "not-an-address"}, {"email": ["Enter a valid email address."]}),
        ({}, {"email": ["This field is required."]}),
    ],
)
def test_a_malformed_request_is_a_400_and_sends_nothing(body, errors):
    UserFactory(email="ana@example.test")

    response = APIClient().post(RESET, body, format="json")

    assert (response.status_code, response.json()) == (400, errors)
    assert not OutboundEmail.objects.exists()


@pytest.mark.django_db
def test_resets_are_throttled_per_client(settings):
    rates = settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {**rates, "password_reset": "2/hour"},
    }
    UserFactory(email="ana@example.test")

    statuses = [_ask("ana@example.test").status_code for _ in range(3)]

    assert statuses == [202, 202, 429]
    assert OutboundEmail.objects.count() == 2


@pytest.mark.django_db
def test_confirm_refuses_a_weak_password_and_changes_nothing():
    user = UserFactory(email="ana@example.test")

    _, api_token = user_login(email="ana@example.test", password=PASSWORD)
    user.refresh_from_db()  # signing in ends older reset links: the link comes after
    uid, token = uid_encode(user), password_reset_tokens.make_token(user)

    response = _confirm(uid=uid, token=token, password="password")

    assert (response.status_code, response.json()) == (
        400,
        {"password": ["This password is too common."]},
    )
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert _token_client(api_token).get(ME).status_code == 200
    # The link still works for a better password.
    assert _confirm(uid=uid, token=token, password=NEW).status_code == 204


@pytest.mark.django_db
@pytest.mark.parametrize(
    "uid, token",
    [
        ("bm9ib2R5", "abc-123"),  # an id that is no account
        ("!!!", "abc-123"),  # not base64 at all
        (None, "tampered"),  # the right account, a wrong token
    ],
)
def test_confirm_refuses_a_dead_link(uid, token):
    user = UserFactory()

    response = _confirm(uid=uid or uid_encode(user), token=token, password=NEW)

    assert (response.status_code, response.json()) == (400, DEAD_LINK)
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


@pytest.mark.django_db
def test_an_expired_link_is_refused(time_machine):

    time_machine.move_to("2026-03-02 09:00Z", tick=False)
    user = UserFactory()
    uid, token = uid_encode(user), password_reset_tokens.make_token(user)
    time_machine.shift(24 * 3600 + 1)

    response = _confirm(uid=uid, token=token, password=NEW)

    assert (response.status_code, response.json()) == (400, DEAD_LINK)


# --- the pages --------------------------------------------------------------------------------


def test_forgot_password_pages_end_to_end(smtp_sink):
    user = UserFactory(email="ana@example.test")
    browser = Client()

    signin = browser.get("/signin/")
    assert b'href="/password-reset/"' in signin.content
    assert b"Forgot your password?" in signin.content

    response = browser.post("/password-reset/", {"email": "ana@example.test"})
    assert (response.status_code, response["Location"]) == (302, "/password-reset/sent/")
    sent = browser.get("/password-reset/sent/")
    assert b"If an account uses that address" in sent.content
    run_worker()
    link = link_in(smtp_sink.only("ana@example.test"), "/password-reset/")
    path = link.split("://", 1)[1].split("/", 1)[1]

    form = browser.get(f"/{path}")
    assert form.status_code == 200
    assert b"Choose a new password" in form.content

    differ = browser.post(f"/{path}", {"password": NEW, "password_again": NEW + "x"})
    assert differ.status_code == 200
    assert b"The two passwords differ" in differ.content
    weak = browser.post(f"/{path}", {"password": "password", "password_again": "password"})
    assert weak.status_code == 200
    assert b"too common" in weak.content
    user.refresh_from_db()
    assert user.check_password(PASSWORD)

    done = browser.post(f"/{path}", {"password": NEW, "password_again": NEW}, follow=True)
    assert done.redirect_chain == [("/signin/", 302)]
    assert b"Your password is changed" in done.content
    user.refresh_from_db()
    assert user.check_password(NEW)

    dead = browser.get(f"/{path}")
    assert dead.status_code == 400
    assert b"This link no longer works" in dead.content


@pytest.mark.django_db
def test_the_reset_page_answers_the_same_for_an_unknown_address_and_checks_the_form():
    browser = Client()

    unknown = browser.post("/password-reset/", {"email": "nobody@example.test"})
    malformed = browser.post("/password-reset/", {"email": "nope"})

    assert (unknown.status_code, unknown["Location"]) == (302, "/password-reset/sent/")
    assert malformed.status_code == 200
    assert b"Enter a valid email address." in malformed.content
    assert not OutboundEmail.objects.exists()
    assert User.objects.count() == 0
