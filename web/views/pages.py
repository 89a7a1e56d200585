"""What every page shares: the 403 page, the API's rate limits, and a service's refusal
turned into what the visitor reads (an error on the form, or a message).
"""

from collections.abc import Callable
from types import SimpleNamespace
from typing import TypeVar

from django import forms
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from directory.exceptions import Conflict
from directory.throttling import LiveScopedRateThrottle
from web.forms.dashboards import add_service_errors

Written = TypeVar("Written")


def forbidden(request: HttpRequest, message: str) -> HttpResponse:
    """A 403 page that says who the page is for, with the way back to one's own dashboard
    (every page that refuses has signed the visitor in first)."""
    return render(request, "web/forbidden.html", {"message": message}, status=403)


def rate_limit_wait(request: HttpRequest, scope: str) -> int | None:
    """None when within the API's allowance for `scope` (settings
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]: per user, or per address before signing in);
    otherwise the seconds to wait. The counters are the API's own, so switching between
    the page and the API gains nothing."""
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


def run_service(form: forms.Form, write: Callable[..., Written], /, **arguments) -> Written | None:
    """Calls `write(**arguments)` and returns what it wrote (a service returns the thing
    written, never None); a refusal becomes errors on `form`, next to the fields it names,
    and the result is None."""
    try:
        return write(**arguments)
    except ValidationError as error:
        add_service_errors(form, error)
    except (PermissionDenied, Conflict) as error:
        form.add_error(None, str(error))
    return None
