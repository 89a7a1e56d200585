"""The practitioner's dashboard: profile, clinics, experience, review invitations and the
referral inbox (SPEC §6). Credentials, shared with physicians, are in dashboards.py.

Every write goes through the same service as /api/v1/me/..., /me/invitations/ and
/referrals/{id}/...; rows are looked up through the practitioner's own profile, so another
practitioner's id is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Model, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from directory.models import REFERRAL_OPEN_STATUSES, PractitionerProfile, Referral, ReferralStatus
from directory.rules import credential_status
from directory.selectors.credentials import credential_list_own
from directory.selectors.me import experience_list, location_list, me_get
from directory.selectors.referrals import referral_get, referral_list
from directory.services.invitations import invitation_issue
from directory.services.profiles import (
    experience_create,
    experience_delete,
    experience_update,
    location_create,
    location_delete,
    location_update,
    profile_update,
)
from directory.services.referrals import (
    TRANSITIONS,
    referral_accept,
    referral_allowed_actions,
    referral_complete,
    referral_decline,
)
from web.forms.dashboards import (
    ClinicEditForm,
    ClinicForm,
    ExperienceEditForm,
    ExperienceForm,
    InvitationForm,
    ProfileForm,
    ReferralCompleteForm,
    add_service_errors,
)
from web.views.dashboard_common import notifications_form, practitioner_page
from web.views.pages import rate_limit_wait, run_service, service_refusal

REFERRALS_PER_PAGE = 20
INBOX_FILTERS = {
    "open": REFERRAL_OPEN_STATUSES,
    "closed": (ReferralStatus.DECLINED, ReferralStatus.COMPLETED, ReferralStatus.CANCELLED),
}


def _own_or_404(rows: QuerySet, pk: int, what: str) -> Model:
    row = rows.filter(pk=pk).first()
    if row is None:
        raise Http404(f"You have no {what} with this number.")
    return row


def practitioner_home(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    today = timezone.localdate()
    account = me_get(user=request.user, today=today)
    context = {
        "section": "home",
        "account": account,
        "credentials": [
            (credential, credential_status(credential, today=today))
            for credential in credential_list_own(owner=request.user)
        ],
        "clinic_count": location_list(practitioner=practitioner).count(),
        "experience_count": experience_list(practitioner=practitioner).count(),
        "notifications_form": notifications_form(request.user),
        "new_referrals": referral_list(
            viewer=request.user, filters={"status": ReferralStatus.SENT}
        ).count(),
    }
    return render(request, "web/dashboard_practitioner.html", context)


# --- Profile ---------------------------------------------------------------------------------


@practitioner_page
@require_http_methods(["GET", "POST"])
def profile_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid() and run_service(
            form, profile_update, user=request.user, changes=form.validated_data
        ):
            messages.success(request, "Your profile is saved.")
            return redirect("web:dashboard_profile")
    else:
        form = ProfileForm(
            initial={
                "name": request.user.name,
                "profession": practitioner.profession,
                "bio": practitioner.bio,
                **ProfileForm.initial_languages(practitioner.language_list),
                "accepting_new_patients": practitioner.accepting_new_patients,
                "fee_per_session": practitioner.fee_per_session,
                "direct_billing": practitioner.direct_billing,
            }
        )
    return render(request, "web/dashboard_profile.html", {"form": form, "section": "profile"})


# --- Clinics ---------------------------------------------------------------------------------


@practitioner_page
@require_http_methods(["GET", "POST"])
def clinics_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    form = ClinicForm(request.POST if request.method == "POST" else None)
    if form.is_bound and form.is_valid():
        if run_service(form, location_create, practitioner=practitioner, **form.validated_data):
            messages.success(request, f"Clinic “{form.validated_data['name']}” added.")
            return redirect("web:dashboard_clinics")
    context = {
        "form": form,
        "clinics": location_list(practitioner=practitioner),
        "section": "clinics",
    }
    return render(request, "web/dashboard_clinics.html", context)


@practitioner_page
@require_http_methods(["GET", "POST"])
def clinic_page(
    request: HttpRequest, practitioner: PractitionerProfile, location_id: int
) -> HttpResponse:
    location = _own_or_404(location_list(practitioner=practitioner), location_id, "clinic")
    initial = ClinicForm.initial_from(location)
    if request.method == "POST":
        form = ClinicEditForm(request.POST, initial=initial)
        if form.is_valid() and run_service(
            form, location_update, location=location, changes=form.validated_data
        ):
            messages.success(request, f"Clinic “{initial['name']}” saved.")
            return redirect("web:dashboard_clinics")
    else:
        form = ClinicEditForm(initial=initial)
    context = {"form": form, "clinic_name": initial["name"], "section": "clinics"}
    return render(request, "web/dashboard_clinic.html", context)


def _confirm(request: HttpRequest, section: str, question: str, *explanation: str, **kw):
    context = {"section": section, "question": question, "explanation": explanation, **kw}
    return render(request, "web/dashboard_confirm.html", context)


@practitioner_page
@require_http_methods(["GET", "POST"])
def clinic_delete(
    request: HttpRequest, practitioner: PractitionerProfile, location_id: int
) -> HttpResponse:
    """GET asks "Delete <clinic>?"; only the POST of that page deletes."""
    location = _own_or_404(location_list(practitioner=practitioner), location_id, "clinic")
    if request.method == "GET":
        return _confirm(
            request,
            "clinics",
            f"Delete {location.name}?",
            f"{location.name}, {location.city}, will no longer be shown to patients or used "
            "to measure how far you are from them. This cannot be undone.",
            confirm_label="Delete clinic",
            cancel_url=reverse("web:dashboard_clinics"),
        )
    location_delete(location=location)
    messages.success(request, f"Clinic “{location.name}” deleted.")
    return redirect("web:dashboard_clinics")


# --- Experience ------------------------------------------------------------------------------


@practitioner_page
@require_http_methods(["GET", "POST"])
def experience_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    rows = experience_list(practitioner=practitioner)
    recorded = frozenset(row.condition.slug for row in rows)
    form = ExperienceForm(request.POST if request.method == "POST" else None, recorded=recorded)
    if form.is_bound and form.is_valid():
        if run_service(form, experience_create, practitioner=practitioner, **form.validated_data):
            messages.success(request, f"Experience with {form.validated_data['condition']} added.")
            return redirect("web:dashboard_experience")
    context = {"form": form, "experience": rows, "section": "experience"}
    return render(request, "web/dashboard_experience.html", context)


@practitioner_page
@require_http_methods(["GET", "POST"])
def experience_edit_page(
    request: HttpRequest, practitioner: PractitionerProfile, experience_id: int
) -> HttpResponse:
    rows = experience_list(practitioner=practitioner)
    experience = _own_or_404(rows, experience_id, "experience entry")
    initial = {"years": experience.years, "patients_treated": experience.patients_treated}
    if request.method == "POST":
        form = ExperienceEditForm(request.POST, initial=initial)
        if form.is_valid() and run_service(
            form, experience_update, experience=experience, changes=form.validated_data
        ):
            messages.success(request, f"Experience with {experience.condition} saved.")
            return redirect("web:dashboard_experience")
    else:
        form = ExperienceEditForm(initial=initial)
    context = {"form": form, "experience": experience, "section": "experience"}
    return render(request, "web/dashboard_experience_edit.html", context)


@practitioner_page
@require_POST
def experience_delete_page(
    request: HttpRequest, practitioner: PractitionerProfile, experience_id: int
) -> HttpResponse:
    rows = experience_list(practitioner=practitioner)
    experience = _own_or_404(rows, experience_id, "experience entry")
    experience_delete(experience=experience)
    messages.success(request, f"Experience with {experience.condition} deleted.")
    return redirect("web:dashboard_experience")


# --- Review invitations ----------------------------------------------------------------------


@practitioner_page
@require_http_methods(["GET", "POST"])
def invitations_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    form = InvitationForm(request.POST if request.method == "POST" else None)
    context: dict = {"section": "invitations", "form": form}
    status = 200
    if form.is_bound and form.is_valid():
        wait = rate_limit_wait(request, "invitations")
        if wait is not None:
            context["refusal"] = f"You have issued many codes lately; try again in {wait} seconds."
            status = 429
        else:
            context |= _issue(form, practitioner)
    response = render(request, "web/dashboard_invitations.html", context, status=status)
    # The code is shown once: neither a cache nor the back button may keep a copy.
    response["Cache-Control"] = "no-store"
    return response


def _issue(form: InvitationForm, practitioner: PractitionerProfile) -> dict:
    email = form.validated_data["email"]
    try:
        invitation, code = invitation_issue(practitioner=practitioner, email=email)
    except PermissionDenied as refusal:
        return {"refusal": str(refusal)}
    except ValidationError as refusal:
        add_service_errors(form, refusal)
        return {}
    # A fresh, empty form: the address is not kept, not even in the page.
    return {
        "code": code,
        "expires_at": invitation.expires_at,
        "emailed": bool(email),
        "form": InvitationForm(),
    }


# --- Referral inbox --------------------------------------------------------------------------


def _inbox(
    request: HttpRequest, bound: ReferralCompleteForm | None = None, bound_id: int | None = None
) -> HttpResponse:
    shown = request.GET.get("show", "all")
    referrals = referral_list(viewer=request.user, filters={})
    if shown in INBOX_FILTERS:
        referrals = referrals.filter(status__in=INBOX_FILTERS[shown])
    page = Paginator(referrals, REFERRALS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for referral in page:
        actions = referral_allowed_actions(referral=referral, user=request.user)
        form = bound if referral.pk == bound_id else ReferralCompleteForm(prefix=_prefix(referral))
        rows.append({"referral": referral, "actions": actions, "complete_form": form})
    context = {"rows": rows, "page": page, "shown": shown, "section": "referrals"}
    return render(request, "web/dashboard_referrals.html", context)


def _prefix(referral: Referral) -> str:
    # Each row's form has its own field ids, so labels and errors point at the right one.
    return f"referral-{referral.pk}"


@practitioner_page
@require_GET
def referrals_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    return _inbox(request)


def _received_or_404(request: HttpRequest, referral_id: int) -> Referral:
    referral = referral_get(viewer=request.user, referral_id=referral_id)
    if referral is None:
        raise Http404("No referral you may see has this number.")
    return referral


# The transitions the practitioner takes; the service checks who may, and from which status.
TRANSITION_SERVICES = {
    "accept": referral_accept,
    "decline": referral_decline,
    "complete": referral_complete,
}


def _transition(request: HttpRequest, referral: Referral, action: str, **arguments) -> HttpResponse:
    service = TRANSITION_SERVICES[action]
    refusal = service_refusal(service, referral=referral, actor=request.user, **arguments)
    if refusal is None:
        status = TRANSITIONS[action].target
        messages.success(request, f"Referral {referral.patient_reference} is now {status}.")
    else:
        messages.error(request, refusal)
    return redirect("web:dashboard_referrals")


@practitioner_page
@require_POST
def referral_accept_page(request: HttpRequest, practitioner, referral_id: int) -> HttpResponse:
    return _transition(request, _received_or_404(request, referral_id), "accept")


@practitioner_page
@require_http_methods(["GET", "POST"])
def referral_decline_page(request: HttpRequest, practitioner, referral_id: int) -> HttpResponse:
    """GET asks "Decline referral <ref>?"; only the POST of that page declines."""
    referral = _received_or_404(request, referral_id)
    if request.method == "GET":
        return _confirm(
            request,
            "referrals",
            f"Decline referral {referral.patient_reference}?",
            f"{referral.physician.user.name or 'The referring physician'} is told that you "
            f"declined this referral for {referral.condition.name}, and may refer the patient "
            "to someone else. A declined referral cannot be accepted afterwards.",
            confirm_label="Decline referral",
            cancel_url=reverse("web:dashboard_referrals"),
        )
    return _transition(request, referral, "decline")


@practitioner_page
@require_POST
def referral_complete_page(request: HttpRequest, practitioner, referral_id: int) -> HttpResponse:
    referral = _received_or_404(request, referral_id)
    form = ReferralCompleteForm(request.POST, prefix=_prefix(referral))
    if not form.is_valid():
        # Shown again in the inbox, the error next to that referral's outcome select.
        return _inbox(request, bound=form, bound_id=referral.pk)
    return _transition(request, referral, "complete", **form.validated_data)


urlpatterns = [
    path("dashboard/profile/", profile_page, name="dashboard_profile"),
    path("dashboard/clinics/", clinics_page, name="dashboard_clinics"),
    path("dashboard/clinics/<int:location_id>/", clinic_page, name="dashboard_clinic"),
    path(
        "dashboard/clinics/<int:location_id>/delete/",
        clinic_delete,
        name="dashboard_clinic_delete",
    ),
    path("dashboard/experience/", experience_page, name="dashboard_experience"),
    path(
        "dashboard/experience/<int:experience_id>/",
        experience_edit_page,
        name="dashboard_experience_edit",
    ),
    path(
        "dashboard/experience/<int:experience_id>/delete/",
        experience_delete_page,
        name="dashboard_experience_delete",
    ),
    path("dashboard/invitations/", invitations_page, name="dashboard_invitations"),
    path("dashboard/referrals/", referrals_page, name="dashboard_referrals"),
    path(
        "dashboard/referrals/<int:referral_id>/accept/",
        referral_accept_page,
        name="dashboard_referral_accept",
    ),
    path(
        "dashboard/referrals/<int:referral_id>/decline/",
        referral_decline_page,
        name="dashboard_referral_decline",
    ),
    path(
        "dashboard/referrals/<int:referral_id>/complete/",
        referral_complete_page,
        name="dashboard_referral_complete",
    ),
]
