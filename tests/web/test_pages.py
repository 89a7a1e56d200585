"""web.views.pages: the 403 page, the API's rate limits and a service's refusal on a form,
shared by every page."""

import pytest
from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import RequestFactory

from directory.exceptions import Conflict
from tests.factories import UserFactory
from web.views.pages import forbidden, rate_limit_wait, run_service, service_refusal

pytestmark = pytest.mark.django_db


class NameForm(forms.Form):
    name = forms.CharField()


def bound_form() -> NameForm:
    form = NameForm({"name": "Kits Physio"})
    assert form.is_valid()
    return form


def signed_in_request():
    request = RequestFactory().post("/")
    request.user = UserFactory()
    return request


def test_the_403_page_says_why_and_leads_back_to_the_dashboard():
    response = forbidden(signed_in_request(), "This page is for referring physicians.")

    assert response.status_code == 403
    page = response.content.decode()
    assert "This page is for referring physicians." in page
    assert 'href="/dashboard/"' in page and 'href="/"' in page


def test_rate_limit_wait_is_none_within_the_allowance_then_the_seconds_to_wait(settings):
    settings.REST_FRAMEWORK = settings.REST_FRAMEWORK | {
        "DEFAULT_THROTTLE_RATES": settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]
        | {"review_create": "2/hour"}
    }
    request = signed_in_request()

    waits = [rate_limit_wait(request, "review_create") for _ in range(3)]

    assert waits[:2] == [None, None]
    assert 3000 < waits[2] <= 3600


def test_run_service_returns_what_the_service_wrote():
    form = bound_form()

    assert run_service(form, lambda **names: names, name="Kits Physio") == {"name": "Kits Physio"}
    assert form.errors == {}


@pytest.mark.parametrize(
    ("refusal", "errors"),
    [
        (ValidationError({"name": ["Taken."]}), {"name": ["Taken."]}),
        (ValidationError({"city": ["Unknown city."]}), {"__all__": ["Unknown city."]}),
        (ValidationError("Not now."), {"__all__": ["Not now."]}),
        (PermissionDenied("Not yours."), {"__all__": ["Not yours."]}),
        (Conflict("Already sent."), {"__all__": ["Already sent."]}),
    ],
)
def test_run_service_puts_a_refusal_next_to_its_field_or_on_top(refusal, errors):
    form = bound_form()

    def refuse(**_names):
        raise refusal

    assert run_service(form, refuse, name="x") is None
    assert form.errors == errors


@pytest.mark.parametrize(
    ("refusal", "message"),
    [
        (ValidationError({"name": ["Taken.", "Too long."]}), "Taken. Too long."),
        (PermissionDenied("Not yours."), "Not yours."),
        (Conflict("Already sent."), "Already sent."),
    ],
)
def test_service_refusal_is_the_services_message(refusal, message):
    def refuse(**_names):
        raise refusal

    assert service_refusal(refuse, name="x") == message
    assert service_refusal(lambda **_names: None, name="x") is None
