"""Dashboards (SPEC §6): "dashboard/" opens the signed-in user's own — practitioner,
physician, patient or moderator — and the credential pages, which practitioners and
physicians share. The practitioner's and the physician's sections live in their own
modules and are included below.
"""

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import include, path
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.models import Credential, CredentialKind, Role, User
from directory.rules import credential_status
from directory.selectors.credentials import credential_list_own
from directory.selectors.me import me_practitioner
from directory.selectors.reviews import review_list_by_author
from directory.services.credentials import (
    KIND_PHRASES,
    SUBSTANCE_FIELDS,
    credential_create,
    credential_update,
    credential_withdraw,
)
from directory.services.profiles import profile_update
from web.forms.dashboards import CredentialEditForm, CredentialForm, NotificationsForm
from web.views.dashboard_common import credential_holder_page, notifications_form, signed_in
from web.views.pages import run_service
from web.views.physician_dashboard import physician_home
from web.views.practitioner_dashboard import practitioner_home


@signed_in
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    user = request.user
    if me_practitioner(user=user) is not None:
        return practitioner_home(request, user.practitioner)
    if user.role == Role.PHYSICIAN and getattr(user, "physician", None) is not None:
        return physician_home(request, user.physician)
    notifications = notifications_form(user)
    if user.is_staff:
        return render(request, "web/dashboard_staff.html", {"notifications_form": notifications})
    context = {"reviews": review_list_by_author(author=user), "notifications_form": notifications}
    return render(request, "web/dashboard_patient.html", context)


@signed_in
@require_POST
def notifications_page(request: HttpRequest) -> HttpResponse:
    """Saves the "E-mail notifications" box of any dashboard, through the service that
    PATCH /api/v1/me/ calls."""
    form = NotificationsForm(request.POST)
    if form.is_valid() and run_service(
        form, profile_update, user=request.user, changes=form.validated_data
    ):
        if form.validated_data["email_notifications"]:
            messages.success(request, "E-mail notifications are on.")
        else:
            messages.success(
                request,
                "E-mail notifications are off. Account messages are still sent.",
            )
    else:
        messages.error(request, " ".join(form.non_field_errors()) or "Nothing was saved.")
    return redirect("web:dashboard")


# --- Credentials (practitioners and physicians) -------------------------------------------------


def _own_credential_or_404(user: User, credential_id: int) -> Credential:
    credential = credential_list_own(owner=user).filter(pk=credential_id).first()
    if credential is None:
        raise Http404("You have no credential with this number.")
    return credential


@credential_holder_page
@require_GET
def credentials_page(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    context = {
        "rows": [
            (credential, credential_status(credential, today=today))
            for credential in credential_list_own(owner=request.user)
        ],
        "kinds": [(kind, KIND_PHRASES[kind][0]) for kind in CredentialKind],
        "section": "credentials",
    }
    return render(request, "web/dashboard_credentials.html", context)


@credential_holder_page
@require_http_methods(["GET", "POST"])
def credential_new_page(request: HttpRequest, kind: str) -> HttpResponse:
    if kind not in CredentialKind.values:
        raise Http404("Credentials are a licence, an IMS certification or training.")
    if request.method == "POST":
        form = CredentialForm(request.POST, request.FILES, kind=kind)
        if form.is_valid() and run_service(
            form, credential_create, owner=request.user, **form.validated_data
        ):
            messages.success(request, "Credential added; a moderator will verify it.")
            return redirect("web:dashboard_credentials")
    else:
        form = CredentialForm(kind=kind)
    context = {
        "form": form,
        "kind_label": CredentialKind(kind).label,
        "phrase": KIND_PHRASES[kind][0],
        "section": "credentials",
    }
    return render(request, "web/dashboard_credential.html", context)


@credential_holder_page
@require_http_methods(["GET", "POST"])
def credential_page(request: HttpRequest, credential_id: int) -> HttpResponse:
    credential = _own_credential_or_404(request.user, credential_id)
    status = credential_status(credential, today=timezone.localdate())
    initial = {name: getattr(credential, name) for name in SUBSTANCE_FIELDS}
    if request.method == "POST":
        form = CredentialEditForm(
            request.POST, request.FILES, kind=credential.kind, initial=initial
        )
        reviewed = credential.status
        if form.is_valid() and _update(form, credential):
            if credential.status != reviewed:
                messages.success(request, "Saved. The change goes back to a moderator to verify.")
            else:
                messages.success(request, "Credential saved.")
            return redirect("web:dashboard_credentials")
    else:
        form = CredentialEditForm(kind=credential.kind, initial=initial)
    context = {
        "form": form,
        "credential": credential,
        "status": status,
        "kind_label": credential.get_kind_display(),
        "section": "credentials",
    }
    return render(request, "web/dashboard_credential.html", context)


def _update(form: CredentialEditForm, credential: Credential) -> bool:
    changes = dict(form.validated_data)
    evidence = changes.pop("evidence", None)
    return run_service(
        form, credential_update, credential=credential, changes=changes, evidence=evidence
    )


@credential_holder_page
@require_POST
def credential_withdraw_page(request: HttpRequest, credential_id: int) -> HttpResponse:
    credential_withdraw(credential=_own_credential_or_404(request.user, credential_id))
    messages.success(request, "Credential withdrawn: it no longer counts or shows anywhere.")
    return redirect("web:dashboard_credentials")


urlpatterns = [
    path("dashboard/", dashboard, name="dashboard"),
    path("dashboard/notifications/", notifications_page, name="dashboard_notifications"),
    path("dashboard/credentials/", credentials_page, name="dashboard_credentials"),
    path(
        "dashboard/credentials/new/<str:kind>/",
        credential_new_page,
        name="dashboard_credential_new",
    ),
    path(
        "dashboard/credentials/<int:credential_id>/",
        credential_page,
        name="dashboard_credential",
    ),
    path(
        "dashboard/credentials/<int:credential_id>/withdraw/",
        credential_withdraw_page,
        name="dashboard_credential_withdraw",
    ),
    path("", include("web.views.practitioner_dashboard")),
    path("", include("web.views.practitioner_reviews")),
    path("", include("web.views.referrals")),
    path("", include("web.views.physician_dashboard")),
]
