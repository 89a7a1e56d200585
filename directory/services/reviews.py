"""Review writes: submit (or replace), reply, flag, moderator removal (SPEC §3).

Every write that changes which live reviews exist, or what they say, moves the
practitioner's figures (directory.services.stats) in the same transaction, taking the
"before" facts from the review row it holds locked, so the figures stay exact under
concurrent writers.
"""

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone

from directory.exceptions import Conflict
from directory.models import (
    Condition,
    MessageKind,
    PractitionerProfile,
    Review,
    ReviewFlag,
    ReviewInvitation,
    Role,
    User,
)
from directory.rules import active_practitioner_q
from directory.selectors.reviews import NOT_FOUND_MESSAGE
from directory.services.invitations import invitation_redeem
from directory.services.notifications import notify
from directory.services.stats import ReviewFacts, stats_review_changed
from directory.validators import model_validate

REVIEW_AUTHOR_MESSAGE = (
    "Only patient accounts write reviews; physician, practitioner and moderator accounts cannot."
)
SELF_REVIEW_MESSAGE = "A practitioner cannot review themself."
REVIEW_NOT_FOUND_MESSAGE = "No review has this id."


def review_author_allowed(user: User) -> bool:
    """Reviews come from patients; staff are moderators and judge reviews, never write them."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.role == Role.PATIENT
        and not user.is_moderator
    )


def _reviewable(practitioner_id: int, author: User) -> int:
    """Re-read inside the transaction: a profile deactivated meanwhile takes no new review.
    Returns the practitioner's user id."""
    owner_id = (
        PractitionerProfile.objects.filter(active_practitioner_q(), pk=practitioner_id)
        .values_list("user_id", flat=True)
        .first()
    )
    if owner_id is None:
        raise Http404(NOT_FOUND_MESSAGE)
    if owner_id == author.pk:
        raise PermissionDenied(SELF_REVIEW_MESSAGE)
    return owner_id


def _submit_once(
    *, author: User, practitioner_id: int, ratings: dict, invitation_code: str | None
) -> tuple[Review, bool]:
    now = timezone.now()
    review = (
        Review.objects.select_for_update()
        .filter(author=author, practitioner_id=practitioner_id)
        .first()
    )
    if review is not None and review.removed_at is not None:
        raise Conflict(
            "A moderator removed your review of this practitioner; you cannot post another."
        )
    invitation: ReviewInvitation | None = None
    if invitation_code:
        invitation = invitation_redeem(
            practitioner_id=practitioner_id,
            code=invitation_code,
            now=now,
            keep_id=review.invitation_id if review is not None else None,
        )
    before = ReviewFacts.of(review) if review is not None else None
    created = review is None
    if created:
        review = Review(author=author, practitioner_id=practitioner_id)
    for name, value in ratings.items():
        setattr(review, name, value)
    # The reply answered the old text; it does not carry over to the new one.
    review.reply, review.replied_at = "", None
    # An already verified review needs no code, so it does not use one up.
    if invitation is not None and not review.verified:
        invitation.used_at = now
        invitation.save(update_fields=["used_at"])
        review.invitation, review.verified = invitation, True
    review.save()
    stats_review_changed(
        practitioner_id=practitioner_id, before=before, after=ReviewFacts.of(review)
    )
    return review, created


def review_submit(
    *,
    author: User,
    practitioner: PractitionerProfile,
    overall: int,
    communication: int,
    comfort: int,
    would_recommend: bool,
    condition: Condition | None = None,
    body: str = "",
    invitation_code: str | None = None,
) -> tuple[Review, bool]:
    """Writes `author`'s review of `practitioner`, replacing their earlier one; returns the
    review and whether it is new. Raises PermissionDenied, Http404, Conflict (removed by a
    moderator) or ValidationError (a rating, the invitation code), having written nothing."""
    if not review_author_allowed(author):
        raise PermissionDenied(REVIEW_AUTHOR_MESSAGE)
    ratings = {
        "overall": overall,
        "communication": communication,
        "comfort": comfort,
        "would_recommend": would_recommend,
        "condition": condition,
        "body": body,
    }
    # The review's own rules (the rating scale, the text's length), before any lookup.
    model_validate(Review(**ratings), fields=ratings)

    def attempt() -> tuple[Review, bool]:
        with transaction.atomic():
            owner_id = _reviewable(practitioner.pk, author)
            review, created = _submit_once(
                author=author,
                practitioner_id=practitioner.pk,
                ratings=ratings,
                invitation_code=invitation_code,
            )
            # A new review only: a replacement of the author's earlier one is not news.
            if created:
                notify(
                    kind=MessageKind.REVIEW_NEW,
                    recipient=User.objects.get(pk=owner_id),
                    params={"review": review.pk},
                )
            return review, created

    try:
        return attempt()
    except IntegrityError:
        # Two first submissions raced and the other one's row won the unique constraint;
        # ours becomes a replacement of it (select_for_update now finds and waits for it).
        # Any other IntegrityError fails again and propagates.
        return attempt()


def _visible_reviews():
    """Reviews anyone may see, reply to or flag: live ones of active practitioners."""
    return Review.objects.filter(
        active_practitioner_q(practitioner_path="practitioner"), removed_at__isnull=True
    )


def _locked_live_review(review_id: int) -> Review:
    # `of=("self",)`: PostgreSQL would otherwise also lock the joined practitioner rows.
    review = (
        _visible_reviews()
        .select_for_update(of=("self",))
        .filter(pk=review_id)
        .select_related("practitioner")
        .first()
    )
    if review is None:
        raise Http404(REVIEW_NOT_FOUND_MESSAGE)
    return review


@transaction.atomic
def review_reply(*, review_id: int, user: User, body: str) -> Review:
    """The reviewed practitioner's one public answer. The row lock makes two concurrent
    replies queue, so the second sees the first and gets a Conflict."""
    model_validate(Review(reply=body), fields=["reply"])
    review = _locked_live_review(review_id)
    if review.practitioner.user_id != user.pk:
        raise PermissionDenied("Only the reviewed practitioner may reply to this review.")
    if review.replied_at is not None:
        raise Conflict("You have already replied to this review; a review takes one reply.")
    review.reply, review.replied_at = body, timezone.now()
    # Leaves updated_at alone: a reply is not a change of the patient's review.
    review.save(update_fields=["reply", "replied_at"])
    return review


def review_flag(*, review_id: int, user: User, reason: str = "") -> tuple[ReviewFlag, bool]:
    """Flags a live review for the moderators; a second flag by the same user is the first
    one again (returns it, created False)."""
    model_validate(ReviewFlag(reason=reason), fields=["reason"])
    review = _visible_reviews().filter(pk=review_id).first()
    if review is None:
        raise Http404(REVIEW_NOT_FOUND_MESSAGE)
    existing = ReviewFlag.objects.filter(review=review, flagged_by=user).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            return ReviewFlag.objects.create(review=review, flagged_by=user, reason=reason), True
    except IntegrityError:
        # The same user's concurrent flag got there first.
        return ReviewFlag.objects.get(review=review, flagged_by=user), False


@transaction.atomic
def review_remove(*, review_id: int, moderator: User, note: str = "") -> Review:
    """Takes a review out of lists and figures; it is kept (nothing is hard-deleted)."""
    if not moderator.is_moderator:
        raise PermissionDenied("Only moderators (staff) may remove reviews.")
    model_validate(Review(removal_note=note), fields=["removal_note"])
    review = Review.objects.select_for_update().filter(pk=review_id).first()
    if review is None:
        raise Http404(REVIEW_NOT_FOUND_MESSAGE)
    if review.removed_at is not None:
        raise Conflict("This review has already been removed.")
    review.removed_at, review.removed_by = timezone.now(), moderator
    review.removal_note = note
    review.save(update_fields=["removed_at", "removed_by", "removal_note"])
    stats_review_changed(
        practitioner_id=review.practitioner_id, before=ReviewFacts.of(review), after=None
    )
    return review
