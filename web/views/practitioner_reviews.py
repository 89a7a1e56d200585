"""The practitioner's "Reviews" tab: the reviews of them, each with its one public reply
(or the form to write it) and a way to flag it for the moderators (SPEC §3, §6).

Replies and flags go through the services /reviews/{id}/reply/ and /flag/ call; a review is
looked up among the practitioner's own first, so another practitioner's review is a 404.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.views.decorators.http import require_GET, require_POST

from directory.exceptions import Conflict
from directory.models import PractitionerProfile, Review
from directory.selectors.reviews import review_author_public_name, review_list_received
from directory.services.reviews import review_flag, review_reply
from web.forms.reviews import ReviewFlagForm, ReviewReplyForm
from web.views.dashboard_common import practitioner_page

REVIEWS_PER_PAGE = 20


def _prefix(review: Review) -> str:
    # Each review's forms have their own field ids, so labels and errors point at the right one.
    return f"review-{review.pk}"


def _reviews(
    request: HttpRequest,
    practitioner: PractitionerProfile,
    bound: ReviewReplyForm | ReviewFlagForm | None = None,
    bound_id: int | None = None,
) -> HttpResponse:
    """The tab; `bound` is the form of review `bound_id` shown again with its errors."""
    reviews = review_list_received(practitioner=practitioner, viewer=request.user)
    page = Paginator(reviews, REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    rows = []
    for review in page:
        forms = {
            "reply_form": ReviewReplyForm(prefix=f"{_prefix(review)}-reply"),
            "flag_form": ReviewFlagForm(prefix=f"{_prefix(review)}-flag"),
        }
        if review.pk == bound_id:
            forms["reply_form" if isinstance(bound, ReviewReplyForm) else "flag_form"] = bound
        author = review_author_public_name(review.author.name)
        rows.append({"review": review, "author": author, **forms})
    context = {"rows": rows, "page": page, "section": "reviews"}
    return render(request, "web/dashboard_reviews.html", context)


def _own_review_or_404(request: HttpRequest, practitioner: PractitionerProfile, review_id: int):
    review = (
        review_list_received(practitioner=practitioner, viewer=request.user)
        .filter(pk=review_id)
        .first()
    )
    if review is None:
        raise Http404("None of your reviews has this number.")
    return review


def _back_to(review: Review) -> HttpResponse:
    return redirect(f"{reverse('web:dashboard_reviews')}#{_prefix(review)}")


@practitioner_page
@require_GET
def reviews_page(request: HttpRequest, practitioner: PractitionerProfile) -> HttpResponse:
    return _reviews(request, practitioner)


@practitioner_page
@require_POST
def review_reply_page(
    request: HttpRequest, practitioner: PractitionerProfile, review_id: int
) -> HttpResponse:
    review = _own_review_or_404(request, practitioner, review_id)
    form = ReviewReplyForm(request.POST, prefix=f"{_prefix(review)}-reply")
    if not form.is_valid():
        return _reviews(request, practitioner, bound=form, bound_id=review.pk)
    try:
        review_reply(review_id=review.pk, user=request.user, body=form.cleaned_data["body"])
    except ValidationError as error:
        # The review's rule names its field `reply`; on this form it is `body`.
        form.add_error("body", error.messages)
        return _reviews(request, practitioner, bound=form, bound_id=review.pk)
    except (PermissionDenied, Conflict, Http404) as refusal:
        messages.error(request, str(refusal))
        return _back_to(review)
    messages.success(request, "Your reply is published under the review.")
    return _back_to(review)


@practitioner_page
@require_POST
def review_flag_page(
    request: HttpRequest, practitioner: PractitionerProfile, review_id: int
) -> HttpResponse:
    review = _own_review_or_404(request, practitioner, review_id)
    form = ReviewFlagForm(request.POST, prefix=f"{_prefix(review)}-flag")
    if not form.is_valid():
        return _reviews(request, practitioner, bound=form, bound_id=review.pk)
    try:
        _flag, created = review_flag(
            review_id=review.pk, user=request.user, reason=form.cleaned_data["reason"]
        )
    except ValidationError as error:
        form.add_error("reason", error.messages)
        return _reviews(request, practitioner, bound=form, bound_id=review.pk)
    except Http404 as refusal:
        messages.error(request, str(refusal))
        return _back_to(review)
    if created:
        messages.success(request, "Review flagged: a moderator will look at it.")
    else:
        messages.success(request, "You had already flagged this review; a moderator will look.")
    return _back_to(review)


urlpatterns = [
    path("dashboard/reviews/", reviews_page, name="dashboard_reviews"),
    path(
        "dashboard/reviews/<int:review_id>/reply/",
        review_reply_page,
        name="dashboard_review_reply",
    ),
    path(
        "dashboard/reviews/<int:review_id>/flag/",
        review_flag_page,
        name="dashboard_review_flag",
    ),
]
