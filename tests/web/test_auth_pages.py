"""Sign up, sign in and sign out pages (session login, CSRF, safe redirects)."""

import pytest
from django.contrib.auth import SESSION_KEY
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from directory.models import PhysicianProfile, PractitionerProfile, Role, User
from directory.services.accounts import DUPLICATE_EMAIL, INVALID_CREDENTIALS
from tests.factories import PASSWORD, PractitionerFactory, UserFactory

pytestmark = pytest.mark.django_db

SIGNUP, SIGNIN, SIGNOUT = reverse("web:signup"), reverse("web:signin"), reverse("web:signout")
STRONG = "plum-orchard-velvet-91"


def signed_in_as(client) -> int | None:
    value = client.session.get(SESSION_KEY)
    return None if value is None else int(value)


def sign_up(client, **fields):
    data = {"name": "Ada Byron", "email": "ada@example.test", "password": STRONG, "role": "patient"}
    return client.post(SIGNUP, data | fields)


def test_the_sign_up_form_labels_every_field_and_groups_the_roles(client):
    page = client.get(SIGNUP).content.decode()
    assert "<legend>I am signing up as</legend>" in page
    for name in ("name", "email", "password"):
        assert f'for="id_{name}"' in page
    assert 'autocomplete="new-password"' in page
    assert 'name="csrfmiddlewaretoken"' in page


@pytest.mark.parametrize(
    ("role", "profile", "home"),
    [
        (Role.PATIENT, None, "/"),
        (Role.PHYSICIAN, PhysicianProfile, "/dashboard/"),
        (Role.PRACTITIONER, PractitionerProfile, "/dashboard/"),
    ],
)
def test_sign_up_creates_the_account_and_signs_in(client, role, profile, home):
    response = sign_up(client, role=role, email="Ada@Example.TEST")
    assert response.status_code == 302
    assert response["Location"] == home
    user = User.objects.get()
    assert (user.email, user.name, user.role) == ("ada@example.test", "Ada Byron", role)
    assert user.check_password(STRONG)
    assert signed_in_as(client) == user.pk
    for model in (PhysicianProfile, PractitionerProfile):
        assert model.objects.filter(user=user).exists() == (model is profile)


def test_a_duplicate_email_is_an_error_at_the_email_field(client):
    UserFactory(email="ada@example.test")
    response = sign_up(client, email="ADA@example.test")
    assert response.status_code == 200
    page = response.content.decode()
    error = page.split('id="id_email_error"')[1].split("</ul>")[0]
    assert DUPLICATE_EMAIL in error
    assert 'value="Ada Byron"' in page and 'value="ADA@example.test"' in page
    assert User.objects.count() == 1
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("short", "This password is too short."),
        ("password123", "This password is too common."),
        ("83749201938475", "This password is entirely numeric."),
        ("ada.byron.example", "The password is too similar to the"),
    ],
)
def test_a_weak_password_shows_the_validators_messages_at_the_password_field(
    client, password, message
):
    response = sign_up(client, password=password, email="ada.byron@example.test")
    page = response.content.decode()
    error = page.split('id="id_password_error"')[1].split("</ul>")[0]
    assert message in error
    assert 'aria-describedby="id_password_helptext id_password_error"' in page
    # A password is never sent back to the browser.
    assert password not in page.replace(message, "")
    assert not User.objects.exists()


def test_an_unknown_role_is_refused(client):
    response = sign_up(client, role="moderator")
    assert 'id="id_role_error"' in response.content.decode()
    assert not User.objects.exists()


def test_sign_in_with_the_right_password_starts_a_session(client):
    user = UserFactory(email="bo@example.test")
    response = client.post(SIGNIN, {"email": "BO@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) == user.pk


def test_practitioners_land_on_their_dashboard(client):
    practitioner = PractitionerFactory()
    response = client.post(SIGNIN, {"email": practitioner.user.email, "password": PASSWORD})
    assert response["Location"] == "/dashboard/"


@pytest.mark.parametrize("case", ["wrong_password", "unknown_email", "inactive"])
def test_a_failed_sign_in_never_says_whether_the_account_exists(client, case):
    user = UserFactory(email="bo@example.test", is_active=case != "inactive")
    email = "nobody@example.test" if case == "unknown_email" else user.email
    password = "wrong-password-here" if case == "wrong_password" else PASSWORD
    response = client.post(SIGNIN, {"email": email, "password": password})
    assert response.status_code == 200
    page = response.content.decode()
    assert INVALID_CREDENTIALS in page
    assert f'value="{email}"' in page
    assert signed_in_as(client) is None


@pytest.mark.parametrize(
    ("target", "landing"),
    [
        ("/practitioners/7/review/", "/practitioners/7/review/"),
        ("https://evil.example/steal", "/"),
        ("//evil.example/", "/"),
        ("javascript:alert(1)", "/"),
    ],
)
def test_sign_in_follows_next_only_within_the_site(client, target, landing):
    UserFactory(email="bo@example.test")
    page = client.get(SIGNIN, {"next": target}).content.decode()
    expected_hidden = landing == target
    assert ('name="next"' in page) == expected_hidden
    response = client.post(
        SIGNIN, {"email": "bo@example.test", "password": PASSWORD, "next": target}
    )
    assert response["Location"] == landing


def test_sign_in_is_rate_limited_with_the_api_login_throttle(client, settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"login": "2/min"}
    }
    user = UserFactory()
    for _ in range(2):
        client.post(SIGNIN, {"email": user.email, "password": "wrong-password-here"})
    response = client.post(SIGNIN, {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert signed_in_as(client) is None


def rates(settings, **scopes: str) -> None:
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] | scopes
    }


def test_sign_in_and_the_api_login_share_one_allowance(client, settings):
    rates(settings, login="2/min")
    user = UserFactory()
    api = APIClient()
    login = {"email": user.email, "password": "wrong-password-here"}
    assert api.post("/api/v1/auth/login/", login, format="json").status_code == 400
    assert client.post(SIGNIN, login).status_code == 200

    assert client.post(SIGNIN, {"email": user.email, "password": PASSWORD}).status_code == 429
    assert api.post("/api/v1/auth/login/", login, format="json").status_code == 429
    assert signed_in_as(client) is None


def test_sign_up_is_rate_limited_with_the_api_register_throttle(client, settings):
    rates(settings, register="1/hour")
    registration = {"name": "Bo", "email": "bo@example.test", "password": STRONG, "role": "patient"}
    response = APIClient().post("/api/v1/auth/register/", registration, format="json")
    assert response.status_code == 201

    response = sign_up(client)

    assert response.status_code == 429
    assert "Too many attempts" in response.content.decode()
    assert not User.objects.filter(email="ada@example.test").exists()
    assert signed_in_as(client) is None


def test_sign_out_is_post_only(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(SIGNOUT).status_code == 405
    assert signed_in_as(client) == user.pk
    response = client.post(SIGNOUT)
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert signed_in_as(client) is None
    assert "You are signed out." in client.get("/").content.decode()


def test_the_pages_need_the_csrf_token():
    UserFactory(email="bo@example.test")
    strict = Client(enforce_csrf_checks=True)
    assert (
        strict.post(SIGNIN, {"email": "bo@example.test", "password": PASSWORD}).status_code == 403
    )
    assert strict.post(SIGNUP, {"email": "x@example.test"}).status_code == 403
    assert strict.post(SIGNOUT).status_code == 403


def test_the_navigation_offers_sign_out_to_signed_in_users(client):
    client.force_login(UserFactory())
    page = client.get("/").content.decode()
    assert f'action="{SIGNOUT}"' in page and "My dashboard" in page
