"""Who may open the dashboard pages (their 403 page and the other shared helpers are in
web.views.pages).

Each guard hands the view the profile it works on, looked up from the signed-in account
only, so another user's rows are never reachable by changing an id in the address.
"""

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from directory.models import Role, User
from directory.selectors.me import me_practitioner
from directory.services.credentials import CREDENTIAL_HOLDER_ROLES
from web.forms.dashboards import NotificationsForm
from web.views.pages import forbidden

PRACTITIONER_ONLY = (
    "This page is for IMS practitioners: it manages a practitioner's profile, clinics, "
    "experience, invitations and referrals."
)
PHYSICIAN_ONLY = "This page is for referring physicians: it sends and follows referrals."
CREDENTIAL_HOLDERS_ONLY = (
    "Credentials belong to practitioner and physician accounts; patient accounts have none."
)

View = Callable[..., HttpResponse]


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


def notifications_form(user: User) -> NotificationsForm:
    """The "E-mail notifications" box every dashboard's home shows (dashboards.notifications_page
    saves it)."""
    return NotificationsForm(initial={"email_notifications": user.email_notifications})
