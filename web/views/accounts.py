"""Sign up, sign in and sign out with a session (SPEC §5: the pages use session login);
forgotten passwords and e-mail confirmation (issue 11)."""

from django.conf import settings
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
from directory.services.accounts import (
    email_confirm,
    email_confirmation_resend,
    password_reset_confirm,
    password_reset_request,
    user_register,
)
from directory.tokens import link_hours, password_reset_user
from web.forms.accounts import EmailForm, NewPasswordForm, SignInForm, SignUpForm
from web.forms.dashboards import add_service_errors
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
                if settings.REQUIRE_EMAIL_CONFIRMATION:
                    # Said the same whether or not the address had an account already.
                    return redirect("web:confirm_email_sent")
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
        "require_confirmation": settings.REQUIRE_EMAIL_CONFIRMATION,
        "throttle_message": TOO_MANY if status == 429 else "",
    }
    return render(request, "web/signin.html", context, status=status)


@require_POST
def signout(request: HttpRequest) -> HttpResponse:
    logout(request)
    messages.success(request, "You are signed out.")
    return redirect("web:search")


def _ask_for_link(
    request: HttpRequest, *, scope: str, send, template: str, sent: str
) -> HttpResponse:
    """A form that e-mails a link to an address: the same answer whether or not an account
    uses it, and the API's rate limit for `scope`."""
    form = EmailForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        if rate_limit_wait(request, scope) is not None:
            form.add_error(None, TOO_MANY)
            status = 429
        else:
            send(**form.cleaned_data)
            return redirect(sent)
    return render(request, template, {"form": form}, status=status)


@require_http_methods(["GET", "POST"])
def password_reset_page(request: HttpRequest) -> HttpResponse:
    return _ask_for_link(
        request,
        scope="password_reset",
        send=password_reset_request,
        template="web/password_reset.html",
        sent="web:password_reset_sent",
    )


def password_reset_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/link_sent.html", {"hours": link_hours(), "purpose": "reset"})


@sensitive_post_parameters("password", "password_again")
@require_http_methods(["GET", "POST"])
def password_reset_confirm_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """The new-password form behind an e-mailed link. The link is checked before the form is
    shown, so nobody types a new password into a dead link."""
    if password_reset_user(uidb64, token) is None:
        context = {"hours": link_hours(), "purpose": "reset"}
        return render(request, "web/link_invalid.html", context, status=400)
    form = NewPasswordForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            password_reset_confirm(uid=uidb64, token=token, password=form.cleaned_data["password"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            logout(request)
            messages.success(request, "Your password is changed. Sign in with the new one.")
            return redirect("web:signin")
    return render(request, "web/password_reset_confirm.html", {"form": form})


@require_http_methods(["GET", "POST"])
def confirm_email_page(request: HttpRequest, uidb64: str, token: str) -> HttpResponse:
    """GET shows a button and POST confirms: a mail scanner that opens the link confirms
    nothing."""
    if request.method == "POST":
        try:
            email_confirm(uid=uidb64, token=token)
        except ValidationError:
            context = {"hours": link_hours(), "purpose": "confirm"}
            return render(request, "web/link_invalid.html", context, status=400)
        messages.success(request, "Your e-mail address is confirmed. You can sign in now.")
        return redirect("web:signin")
    return render(request, "web/confirm_email.html", {})


@require_http_methods(["GET", "POST"])
def confirm_email_resend_page(request: HttpRequest) -> HttpResponse:
    return _ask_for_link(
        request,
        scope="confirmation_resend",
        send=email_confirmation_resend,
        template="web/confirm_email_resend.html",
        sent="web:confirm_email_sent",
    )


def confirm_email_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "web/link_sent.html", {"hours": link_hours(), "purpose": "confirm"})


urlpatterns = [
    path("signup/", signup_page, name="signup"),
    path("signin/", signin_page, name="signin"),
    path("signout/", signout, name="signout"),
    path("password-reset/", password_reset_page, name="password_reset"),
    path("password-reset/sent/", password_reset_sent, name="password_reset_sent"),
    path(
        "password-reset/<str:uidb64>/<str:token>/",
        password_reset_confirm_page,
        name="password_reset_confirm",
    ),
    path("confirm-email/resend/", confirm_email_resend_page, name="confirm_email_resend"),
    path("confirm-email/sent/", confirm_email_sent, name="confirm_email_sent"),
    path("confirm-email/<str:uidb64>/<str:token>/", confirm_email_page, name="confirm_email"),
]
