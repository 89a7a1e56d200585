"""The referring physician's dashboard: verification status, sent referrals (with Cancel
while they are still `sent`) and the "Send a referral" page (SPEC §3, §6).

Who may refer, and to whom, are the referral service's rules (a verified physician or nurse
practitioner licence; a listed, qualified practitioner — directory.rules); these pages only
say so, offer no practitioner the service would refuse, and show the service's refusal.
"""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from directory.models import (
    CredentialKind,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
    Referral,
    ReferralStatus,
)
from directory.rules import credential_status
from directory.selectors.credentials import credential_list_own
from directory.selectors.practitioners import practitioner_active_qs, practitioner_list
from directory.selectors.referrals import physician_is_verified, referral_get, referral_list
from directory.services.referrals import (
    referral_allowed_actions,
    referral_cancel,
    referral_create,
    referral_recipient_refusal,
)
from web.forms.dashboards import PractitionerFindForm, ReferralForm, add_service_errors
from web.views.dashboard_common import notifications_form, physician_page
from web.views.pages import rate_limit_wait, run_service, service_refusal

REFERRALS_PER_PAGE = 20
# The search for the practitioner shows at most this many; a longer list asks for more letters.
FOUND_MAX = 20


def _sent(request: HttpRequest) -> tuple[QuerySet[Referral], str, str | None]:
    """The referrals sent, narrowed by ?status= as GET /referrals/ is: the rows, the status
    shown ("" for all) and what is wrong with a status that is not one."""
    shown = request.GET.get("status", "")
    try:
        return referral_list(viewer=request.user, filters={"status": shown}), shown, None
    except ValidationError as error:
        refusal = " ".join(error.messages)
        return referral_list(viewer=request.user, filters={}), "", refusal


def physician_home(request: HttpRequest, physician: PhysicianProfile) -> HttpResponse:
    today = timezone.localdate()
    referrals, shown, refusal = _sent(request)
    page = Paginator(referrals, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    licences = [
        (credential, credential_status(credential, today=today))
        for credential in credential_list_own(owner=request.user).filter(
            kind=CredentialKind.LICENSE
        )
    ]
    context = {
        "notifications_form": notifications_form(request.user),
        "verified": physician_is_verified(user=request.user, today=today),
        "licences": licences,
        "page": page,
        "status_shown": shown,
        "status_refusal": refusal,
        "statuses": ReferralStatus.choices,
        "rows": [
            {
                "referral": referral,
                "actions": referral_allowed_actions(referral=referral, user=request.user),
            }
            for referral in page
        ],
    }
    status = 400 if refusal else 200
    return render(request, "web/dashboard_physician.html", context, status=status)


def _preselected(request: HttpRequest) -> tuple[PractitionerProfile | None, str | None]:
    """The practitioner named by ?practitioner=<id> when it is an active one, and why the
    referral service would refuse them (then they are not preselected)."""
    raw = request.GET.get("practitioner", "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 18:
        return None, None
    today = timezone.localdate()
    practitioner = practitioner_active_qs(today=today).filter(pk=int(raw)).first()
    if practitioner is None:
        return None, None
    refusal = referral_recipient_refusal(practitioner_id=practitioner.pk, today=today)
    return (None, refusal) if refusal else (practitioner, None)


def _send(request: HttpRequest, form: ReferralForm, physician: PhysicianProfile) -> int | None:
    """Sends the referral the form holds: None when sent, else the status code of the
    form shown again with its errors."""
    if not form.is_valid():
        return 200
    wait = rate_limit_wait(request, "referral_create")
    if wait is not None:
        form.add_error(None, f"You have sent many referrals lately; try again in {wait} seconds.")
        return 429
    if run_service(form, referral_create, physician=physician, **form.validated_data):
        return None
    return 200


def _find(request: HttpRequest) -> tuple[PractitionerFindForm, list[dict] | None]:
    """The ?q= search for the practitioner: listed, qualified ones whose name or clinic
    matches, by name, with the clinic's city (None before a search)."""
    form = PractitionerFindForm(request.GET if "q" in request.GET else None)
    if not form.is_bound or not form.is_valid():
        return form, None
    try:
        rows = practitioner_list(filters={"q": form.cleaned_data["q"], "qualified": "true"})
    except ValidationError as error:
        add_service_errors(form, error)
        return form, None
    found = [
        row | {"profession_label": Profession(row["profession"]).label} for row in rows[:FOUND_MAX]
    ]
    return form, found


@physician_page
@require_http_methods(["GET", "POST"])
def referral_new_page(request: HttpRequest, physician: PhysicianProfile) -> HttpResponse:
    practitioner, refusal = _preselected(request)
    initial = {"practitioner": practitioner.pk} if practitioner else {}
    if request.method == "POST":
        form = ReferralForm(request.POST)
        status = _send(request, form, physician)
        if status is None:
            to = form.validated_data["practitioner"]
            messages.success(request, f"Referral sent to {to.user.name or 'the practitioner'}.")
            return redirect("web:dashboard")
    else:
        form, status = ReferralForm(initial=initial), 200
    find_form, found = _find(request)
    if find_form.errors:
        status = 400
    context = {
        "form": form,
        "find_form": find_form,
        "found": found,
        "found_max": FOUND_MAX,
        "practitioner": practitioner,
        "asked_for": request.GET.get("practitioner"),
        "refusal": refusal,
        "verified": physician_is_verified(user=request.user, today=timezone.localdate()),
        "add_licence_url": reverse("web:dashboard_credential_new", args=[CredentialKind.LICENSE]),
    }
    return render(request, "web/referral_new.html", context, status=status)


@physician_page
@require_POST
def referral_cancel_page(
    request: HttpRequest, physician: PhysicianProfile, referral_id: int
) -> HttpResponse:
    referral = referral_get(viewer=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404("No referral you may see has this number.")
    refusal = service_refusal(referral_cancel, referral=referral, actor=request.user)
    if refusal is None:
        messages.success(request, f"Referral {referral.patient_reference} cancelled.")
    else:
        messages.error(request, refusal)
    return redirect("web:dashboard")


urlpatterns = [
    path("referrals/new/", referral_new_page, name="referral_new"),
    path(
        "dashboard/referrals/<int:referral_id>/cancel/",
        referral_cancel_page,
        name="dashboard_referral_cancel",
    ),
]
