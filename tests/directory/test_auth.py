"""POST /api/v1/auth/register/, /auth/login/, /auth/logout/ and token behaviour."""

from datetime import datetime, timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import AuthToken
from rest_framework.test import APIClient

from directory.models import PhysicianProfile, PractitionerProfile, User
from directory.services.accounts import DUPLICATE_EMAIL, INVALID_CREDENTIALS
from tests.factories import PASSWORD, UserFactory

REGISTER = "/api/v1/auth/register/"
LOGIN = "/api/v1/auth/login/"
LOGOUT = "/api/v1/auth/logout/"
ME = "/api/v1/me/"
STRONG = "tawny-owl-violin-47"

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_throttles():
    # Throttle counters live in the cache; without this, earlier tests use up the budget.
    cache.clear()
    yield
    cache.clear()


def _registration(**overrides) -> dict:
    return {
        "email": "ana@example.test",
        "password": STRONG,
        "name": "Ana Lopez",
        "role": "patient",
        **overrides,
    }


def _login(client: APIClient, email: str, password: str = PASSWORD):
    return client.post(LOGIN, {"email": email, "password": password}, format="json")


def _token_client(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


# --- register -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, practitioner_rows, physician_rows",
    [("patient", 0, 0), ("physician", 0, 1), ("practitioner", 1, 0)],
)
def test_register_creates_account_and_the_profile_its_role_needs(
    api_client, role, practitioner_rows, physician_rows
):
    response = api_client.post(REGISTER, _registration(role=role), format="json")

    assert response.status_code == 201
    user = User.objects.get()
    assert response.json() == {
        "id": user.id,
        "email": "ana@example.test",
        "name": "Ana Lopez",
        "role": role,
    }
    assert user.check_password(STRONG)
    assert not user.is_staff
    assert PractitionerProfile.objects.filter(user=user).count() == practitioner_rows
    assert PhysicianProfile.objects.filter(user=user).count() == physician_rows


def test_registered_account_can_sign_in_at_once(api_client):
    api_client.post(REGISTER, _registration(), format="json")

    assert _login(api_client, "ana@example.test", STRONG).status_code == 200


def test_register_lower_cases_the_email(api_client):
    response = api_client.post(REGISTER, _registration(email="Ana@Example.TEST"), format="json")

    assert response.status_code == 201
    assert response.json()["email"] == "ana@example.test"
    assert User.objects.get().email == "ana@example.test"


def test_register_rejects_an_email_that_exists_in_any_case(api_client):
    UserFactory(email="ana@example.test")

    response = api_client.post(REGISTER, _registration(email="ANA@example.Test"), format="json")

    assert response.status_code == 400
    assert response.json() == {"email": [DUPLICATE_EMAIL]}
    assert User.objects.count() == 1


def test_register_rejects_an_email_stored_in_mixed_case_before_normalisation(api_client):
    # Accounts made before e-mails were lower-cased (or by hand) must still block a twin.
    legacy = UserFactory()
    User.objects.filter(pk=legacy.pk).update(email="Ana@Example.TEST")

    response = api_client.post(REGISTER, _registration(), format="json")

    assert response.status_code == 400
    assert response.json() == {"email": [DUPLICATE_EMAIL]}
    assert User.objects.count() == 1


@pytest.mark.parametrize(
    "password, messages",
    [
        ("12345678", ["This password is too common.", "This password is entirely numeric."]),
        ("x7#", ["This password is too short. It must contain at least 8 characters."]),
        ("ana@example.test", ["The password is too similar to the email."]),
    ],
)
def test_register_applies_django_password_validators(api_client, password, messages):
    response = api_client.post(REGISTER, _registration(password=password), format="json")

    assert response.status_code == 400
    assert response.json() == {"password": messages}
    assert not User.objects.exists()


def test_register_rejects_an_unknown_role_listing_allowed_ones(api_client):
    response = api_client.post(REGISTER, _registration(role="admin"), format="json")

    assert response.status_code == 400
    assert response.json() == {
        "role": ['"admin" is not a valid role; allowed: patient, physician, practitioner.']
    }
    assert not User.objects.exists()


@pytest.mark.parametrize("field", ["is_staff", "is_superuser", "id"])
def test_register_rejects_unknown_fields_and_creates_nothing(api_client, field):
    response = api_client.post(REGISTER, _registration(**{field: True}), format="json")

    assert response.status_code == 400
    assert response.json() == {
        field: ["Unknown field. Allowed fields: email, name, password, role."]
    }
    assert not User.objects.exists()


def test_register_rejects_malformed_json(api_client):
    response = api_client.post(
        REGISTER, data='{"email": "ana@example.test",', content_type="application/json"
    )

    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")
    assert not User.objects.exists()


def test_register_rejects_nul_bytes(api_client):
    response = api_client.post(REGISTER, _registration(name="Ana\x00Lopez"), format="json")

    assert response.status_code == 400
    assert response.json() == {"name": ["Null characters are not allowed."]}
    assert not User.objects.exists()


def test_register_keeps_spaces_in_passwords(api_client):
    api_client.post(REGISTER, _registration(password=f"  {STRONG}  "), format="json")

    assert _login(api_client, "ana@example.test", f"  {STRONG}  ").status_code == 200
    assert _login(api_client, "ana@example.test", STRONG).status_code == 400


# --- login --------------------------------------------------------------------------------


def test_login_returns_a_token_that_signs_requests_in(api_client, patient, settings):
    response = _login(api_client, patient.email)

    assert response.status_code == 200
    body = response.json()
    row = AuthToken.objects.get(user=patient)
    assert body == {
        "token": body["token"],
        "expires_at": body["expires_at"],
    }
    assert datetime.fromisoformat(body["expires_at"]) == row.expiry
    assert abs(row.expiry - (timezone.now() + settings.REST_KNOX["TOKEN_TTL"])) < timedelta(
        minutes=1
    )
    me = _token_client(body["token"]).get(ME)
    assert me.status_code == 200
    assert me.json()["email"] == patient.email


def test_login_accepts_the_email_in_any_case(api_client, patient):
    assert _login(api_client, patient.email.upper()).status_code == 200


def test_login_ignores_whatever_authorization_header_comes_with_it(api_client, patient):
    api_client.credentials(HTTP_AUTHORIZATION="Token not-a-real-token")

    assert _login(api_client, patient.email).status_code == 200


@pytest.mark.parametrize(
    "email, password, active",
    [
        ("known", "wrong-password-123", True),
        ("nobody@example.test", PASSWORD, True),
        ("known", PASSWORD, False),
    ],
    ids=["wrong password", "unknown email", "inactive account"],
)
def test_login_failures_all_say_the_same_thing(api_client, email, password, active):
    user = UserFactory(is_active=active)

    response = _login(api_client, user.email if email == "known" else email, password)

    assert response.status_code == 400
    assert response.json() == {"non_field_errors": [INVALID_CREDENTIALS]}
    assert not AuthToken.objects.exists()


def test_login_rejects_unknown_fields(api_client, patient):
    response = api_client.post(
        LOGIN, {"email": patient.email, "password": PASSWORD, "remember": True}, format="json"
    )

    assert response.status_code == 400
    assert response.json() == {"remember": ["Unknown field. Allowed fields: email, password."]}


def test_token_is_stored_hashed(api_client, patient):
    token = _login(api_client, patient.email).json()["token"]

    row = AuthToken.objects.get(user=patient)
    assert row.digest == hash_token(token)
    # Only a 15-character lookup prefix is stored in the clear, never the token.
    assert row.token_key == token[:15]
    assert len(token) > 15
    assert token not in {row.digest, row.token_key}


def test_token_stops_working_after_token_ttl(api_client, patient, settings):
    ttl = settings.REST_KNOX["TOKEN_TTL"]
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        token = _login(api_client, patient.email).json()["token"]
    client = _token_client(token)

    with time_machine.travel(start + ttl - timedelta(minutes=1), tick=False):
        assert client.get(ME).status_code == 200
    with time_machine.travel(start + ttl + timedelta(seconds=1), tick=False):
        assert client.get(ME).status_code == 401


def test_login_beyond_the_token_limit_revokes_the_oldest_token(api_client, patient, settings):
    settings.REST_KNOX = {**settings.REST_KNOX, "TOKEN_LIMIT_PER_USER": 2}
    start = timezone.now()
    tokens = []
    for minute in range(3):
        with time_machine.travel(start + timedelta(minutes=minute), tick=False):
            tokens.append(_login(api_client, patient.email).json()["token"])

    assert AuthToken.objects.filter(user=patient).count() == 2
    assert _token_client(tokens[0]).get(ME).status_code == 401
    assert _token_client(tokens[1]).get(ME).status_code == 200
    assert _token_client(tokens[2]).get(ME).status_code == 200


# --- logout -------------------------------------------------------------------------------


def test_logout_revokes_only_the_token_used(api_client, patient):
    used = _login(api_client, patient.email).json()["token"]
    other = _login(api_client, patient.email).json()["token"]
    client = _token_client(used)

    response = client.post(LOGOUT)

    assert response.status_code == 204
    assert client.get(ME).status_code == 401
    assert not AuthToken.objects.filter(digest=hash_token(used)).exists()
    assert _token_client(other).get(ME).status_code == 200


def test_logout_ends_a_session_sign_in(patient):
    client = APIClient()
    client.force_login(patient)
    assert client.get(ME).status_code == 200

    assert client.post(LOGOUT).status_code == 204
    assert client.get(ME).status_code == 401


def test_logout_needs_a_signed_in_user(api_client):
    response = api_client.post(LOGOUT)

    assert response.status_code == 401
    assert response.json() == {"detail": "Authentication credentials were not provided."}


def test_logged_out_or_unknown_token_gets_401():
    response = _token_client("0" * 64).get(ME)

    assert response.status_code == 401
    assert response.json() == {"detail": "Invalid token."}


# --- throttles ----------------------------------------------------------------------------


@pytest.fixture
def rates(settings):
    def set_rates(**scopes: str) -> None:
        throttle_rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], **scopes}
        settings.REST_FRAMEWORK = {
            **settings.REST_FRAMEWORK,
            "DEFAULT_THROTTLE_RATES": throttle_rates,
        }
        cache.clear()

    return set_rates


def test_login_is_throttled_failed_attempts_included(api_client, patient, rates):
    rates(login="2/min")

    assert _login(api_client, patient.email, "wrong-password-123").status_code == 400
    assert _login(api_client, patient.email).status_code == 200
    response = _login(api_client, patient.email)

    assert response.status_code == 429
    assert response.json()["detail"].startswith("Request was throttled.")
    assert AuthToken.objects.count() == 1


def test_register_is_throttled(api_client, rates):
    rates(register="1/hour")

    assert api_client.post(REGISTER, _registration(), format="json").status_code == 201
    response = api_client.post(REGISTER, _registration(email="bo@example.test"), format="json")

    assert response.status_code == 429
    assert User.objects.count() == 1
