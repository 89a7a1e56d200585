"""Sign up, sign in and sign out with a session (SPEC §5: the pages use session login)."""

from django.contrib import messages
from django.contrib.auth import login, logout
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from directory.models import Role, User
from directory.services.accounts import user_register
from web.forms.accounts import SignInForm, SignUpForm
from web.views.pages import rate_limit_wait

TOO_MANY = "Too many attempts from here. Wait a minute, then try again."


def home_for(user: User) -> str:
    """Practitioners and physicians work from their dashboard; patients search."""
    if user.role in (Role.PRACTITIONER, Role.PHYSICIAN):
        return reverse("web:dashboard")
    return reverse("web:search")


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signup_page(request: HttpRequest) -> HttpResponse:
    form = SignUpForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limit_wait(request, "register") is not None:
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            try:
                user = user_register(**form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                login(request, user, backend="django.contrib.auth.backends.ModelBackend")
                messages.success(request, f"Welcome, {user.name}: your account is ready.")
                return HttpResponseRedirect(home_for(user))
    return render(request, "web/signup.html", {"form": form}, status=status)


@sensitive_post_parameters("password")
@require_http_methods(["GET", "POST"])
def signin_page(request: HttpRequest) -> HttpResponse:
    next_url = _safe_next(request, request.POST.get("next") or request.GET.get("next"))
    form = SignInForm(request.POST or None, request=request)
    status = 200
    if request.method == "POST":
        if rate_limit_wait(request, "login") is not None:
            form = SignInForm(request=request, initial={"email": request.POST.get("email")})
            status = 429
        elif form.is_valid():
            login(request, form.user)
            return HttpResponseRedirect(next_url or home_for(form.user))
    context = {
        "form": form,
        "next": next_url or "",
        "throttle_message": TOO_MANY if status == 429 else "",
    }
    return render(request, "web/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("web:search")


urlpatterns = [
    path("signup/", signup_page, name="signup"),
    path("signin/", signin_page, name="signin"),
    path("signout/", signout, name="signout"),
]
