"""A practitioner's public page, and the page where a patient reviews them (SPEC §3, §6).

Both read through the directory's selectors and write through review_submit, exactly like
GET /api/v1/practitioners/{id}/ and POST /api/v1/practitioners/{id}/reviews/.
"""

from datetime import date

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from directory.models import (
    Credential,
    CredentialKind,
    PractitionerProfile,
    Profession,
    Review,
    Role,
    User,
)
from directory.read_models import practitioner_ratings, public_credential
from directory.selectors.practitioners import practitioner_experience, practitioner_get
from directory.selectors.referrals import physician_is_verified
from directory.selectors.reviews import (
    review_author_public_name,
    review_get_own,
    review_list_public,
    review_practitioner_get,
)
from directory.services.referrals import referral_recipient_refusal
from directory.services.reviews import REVIEW_AUTHOR_MESSAGE, review_author_allowed, review_submit
from web.forms.reviews import ReviewForm
from web.forms.search import LANGUAGE_CHOICES
from web.views.pages import forbidden, rate_limit_wait, run_service

REVIEWS_PER_PAGE = 10
REVIEW_FIELDS = ("overall", "communication", "comfort", "would_recommend", "condition", "body")
PROFESSIONS = dict(Profession.choices)
KINDS = dict(CredentialKind.choices)
LANGUAGES = dict(LANGUAGE_CHOICES)
STATUS_BADGE = {
    "verified": "badge",
    "pending": "badge-muted",
    "expired": "badge-warn",
    "rejected": "badge-danger",
}


def _credential(credential: Credential, *, today: date) -> dict:
    """The public credential (directory.read_models, as the API shows it) with its labels."""
    public = public_credential(credential, today=today)
    return {
        "credential": public,
        "kind_label": KINDS.get(public.kind, public.kind),
        "profession_label": PROFESSIONS.get(public.profession, public.profession),
        "badge": STATUS_BADGE.get(public.status, "badge-muted"),
    }


def _review_items(page: Page) -> list[dict]:
    return [
        {"review": review, "author": review_author_public_name(review.author.name)}
        for review in page.object_list
    ]


def _viewer(user: User, practitioner: PractitionerProfile, *, today: date) -> dict:
    """What the signed-in visitor may do here: review (patients), refer (verified
    physicians, to a practitioner the referral service accepts — else they hear why)."""
    refers = (
        user.is_authenticated
        and user.role == Role.PHYSICIAN
        and physician_is_verified(user=user, today=today)
    )
    refusal = (
        referral_recipient_refusal(practitioner_id=practitioner.pk, today=today) if refers else None
    )
    return {
        "can_review": review_author_allowed(user),
        "can_refer": refers and refusal is None,
        "referral_refusal": refusal,
    }


def _not_found(request: HttpRequest) -> HttpResponse:
    return render(request, "web/profile.html", {"not_found": True}, status=404)


@require_http_methods(["GET", "HEAD"])
def practitioner_page(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    today = timezone.localdate()
    try:
        practitioner = practitioner_get(practitioner_id=practitioner_id, today=today)
    except PractitionerProfile.DoesNotExist:
        return _not_found(request)
    reviews = Paginator(review_list_public(practitioner=practitioner), REVIEWS_PER_PAGE)
    page = reviews.get_page(request.GET.get("page"))
    context = {
        "practitioner": practitioner,
        "profession": PROFESSIONS.get(practitioner.profession, practitioner.profession),
        "language_names": [LANGUAGES.get(c, c.upper()) for c in practitioner.language_list],
        "credentials": [_credential(c, today=today) for c in practitioner.user.public_credentials],
        "experience": practitioner_experience(practitioner_id=practitioner.pk),
        "ratings": practitioner_ratings(practitioner),
        "reviews_page": page,
        "reviews": _review_items(page),
        **_viewer(request.user, practitioner, today=today),
    }
    return render(request, "web/profile.html", context)


def _review(form: ReviewForm) -> dict:
    """review_submit's arguments from the form (the service decides the rest)."""
    data = form.cleaned_data
    return {
        **{name: data[name] for name in REVIEW_FIELDS},
        "invitation_code": data["invitation_code"].strip() or None,
    }


def _published(request: HttpRequest, review: Review) -> HttpResponse:
    verified = " and marked as verified" if review.verified else ""
    messages.success(request, f"Thank you: your review is published{verified}.")
    url = reverse("web:practitioner", args=[review.practitioner_id])
    return HttpResponseRedirect(f"{url}#reviews")


@require_http_methods(["GET", "POST"])
def review_page(request: HttpRequest, practitioner_id: int) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("web:signin"))
    try:
        practitioner = review_practitioner_get(practitioner_id=practitioner_id)
    except Http404:
        return _not_found(request)
    if not review_author_allowed(request.user):
        return forbidden(request, REVIEW_AUTHOR_MESSAGE)
    existing = review_get_own(author=request.user, practitioner=practitioner)
    form = ReviewForm(request.POST or None, initial=ReviewForm.initial_from(existing))
    status = 200
    if request.method == "POST" and form.is_valid():
        # The API's per-user allowance: writing through the page does not double it.
        if rate_limit_wait(request, "review_create") is not None:
            form.add_error(None, "You have submitted many reviews lately; try again later.")
            status = 429
        else:
            submitted = run_service(
                form,
                review_submit,
                author=request.user,
                practitioner=practitioner,
                **_review(form),
            )
            if submitted is not None:
                return _published(request, submitted[0])
    context = {
        "form": form,
        "practitioner": practitioner,
        "existing": existing,
        "removed": existing is not None and existing.removed_at is not None,
    }
    return render(request, "web/review_form.html", context, status=status)


urlpatterns = [
    path("practitioners/<int:practitioner_id>/", practitioner_page, name="practitioner"),
    path("practitioners/<int:practitioner_id>/review/", review_page, name="review"),
]
