"""What the dashboard pages share: who may open them, the 403 page, the API's rate limits,
and turning a service's refusal into a form error.

Each guard hands the view the profile it works on, looked up from the signed-in account
only, so another user's rows are never reachable by changing an id in the address.
"""

from collections.abc import Callable
from functools import wraps
from types import SimpleNamespace

from django import forms
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from directory.exceptions import Conflict
from directory.models import Role
from directory.selectors.me import me_practitioner
from directory.services.credentials import CREDENTIAL_HOLDER_ROLES
from directory.throttling import LiveScopedRateThrottle
from web.forms.dashboards import add_service_errors

PRACTITIONER_ONLY = (
    "This page is for IMS practitioners: it manages a practitioner's profile, clinics, "
    "experience, invitations and referrals."
)
PHYSICIAN_ONLY = "This page is for referring physicians: it sends and follows referrals."
CREDENTIAL_HOLDERS_ONLY = (
    "Credentials belong to practitioner and physician accounts; patient accounts have none."
)

View = Callable[..., HttpResponse]


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page that says who the page is for, with the way back to one's own dashboard."""
    return render(request, "web/dashboard_forbidden.html", {"message": message}, status=403)


def signed_in(view: View) -> View:
    """Anonymous visitors are sent to sign in and brought back afterwards."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("web:signin"))
        return view(request, *args, **kwargs)

    return wrapper


def practitioner_page(view: View) -> View:
    """Calls `view(request, practitioner, ...)` with the signed-in practitioner's profile."""

    @wraps(view)
    @signed_in
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        practitioner = me_practitioner(user=request.user)
        if practitioner is None:
            return forbidden(request, PRACTITIONER_ONLY)
        return view(request, practitioner, *args, **kwargs)

    return wrapper


def physician_page(view: View) -> View:
    """Calls `view(request, physician, ...)` with the signed-in physician's profile."""

    @wraps(view)
    @signed_in
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        physician = None
        if request.user.role == Role.PHYSICIAN:
            physician = getattr(request.user, "physician", None)
        if physician is None:
            return forbidden(request, PHYSICIAN_ONLY)
        return view(request, physician, *args, **kwargs)

    return wrapper


def credential_holder_page(view: View) -> View:
    @wraps(view)
    @signed_in
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if request.user.role not in CREDENTIAL_HOLDER_ROLES:
            return forbidden(request, CREDENTIAL_HOLDERS_ONLY)
        return view(request, *args, **kwargs)

    return wrapper


def rate_limit_wait(request: HttpRequest, scope: str) -> int | None:
    """None when within the API's per-user budget for `scope` (shared with the API, so
    switching between the two gains nothing); otherwise the seconds to wait."""
    throttle = LiveScopedRateThrottle()
    if throttle.allow_request(request, SimpleNamespace(throttle_scope=scope)):
        return None
    return int(throttle.wait() or 1)


def service_refusal(write: Callable[..., object], /, **arguments) -> str | None:
    """Calls `write(**arguments)`: None when it succeeded, else what the service said when it
    refused (it checks before writing and writes in one transaction, so nothing is left
    half-saved)."""
    try:
        write(**arguments)
    except ValidationError as error:
        return " ".join(error.messages)
    except (PermissionDenied, Conflict) as error:
        return str(error)
    return None


def run_service(form: forms.Form, write: Callable[..., object], /, **arguments) -> bool:
    """Calls `write(**arguments)`; a refusal becomes errors on `form`, next to the fields
    it names."""
    try:
        write(**arguments)
    except ValidationError as error:
        add_service_errors(form, error)
    except (PermissionDenied, Conflict) as error:
        form.add_error(None, str(error))
    else:
        return True
    return False
