"""Review reads: a practitioner's public reviews, a patient's own, and the moderators' queue.

Each list costs a count and one select whatever its page size: the author, the condition
and (for moderators) the flag count come with the rows.
"""

from django.db.models import Count, Exists, OuterRef, QuerySet
from django.http import Http404

from directory.models import PractitionerProfile, Review, ReviewFlag, User
from directory.rules import active_practitioner_q

NOT_FOUND_MESSAGE = "No active practitioner has this id."


def review_author_public_name(full_name: str) -> str:
    """First name and last initial ("Maria Kowalski" → "Maria K."): enough to tell reviewers
    apart, too little to identify a patient. Never the e-mail address."""
    parts = full_name.split()
    if not parts:
        return "Anonymous patient"
    if len(parts) == 1:
        return parts[0]
    return f"{parts[0]} {parts[-1][0].upper()}."


def review_practitioner_get(*, practitioner_id: int) -> PractitionerProfile:
    """The active practitioner whose reviews are read or written; Http404 otherwise."""
    practitioner = (
        PractitionerProfile.objects.filter(active_practitioner_q(), pk=practitioner_id)
        .select_related("user")
        .first()
    )
    if practitioner is None:
        raise Http404(NOT_FOUND_MESSAGE)
    return practitioner


def review_list_public(*, practitioner: PractitionerProfile) -> QuerySet[Review]:
    """Live reviews of `practitioner`, newest first (a replaced review counts as new)."""
    return (
        Review.objects.filter(practitioner=practitioner, removed_at__isnull=True)
        .select_related("author", "condition")
        .order_by("-updated_at", "-id")
    )


def review_list_received(*, practitioner: PractitionerProfile, viewer: User) -> QuerySet[Review]:
    """The practitioner's own reviews as their dashboard lists them: the live ones, newest
    first, each with `flagged`, whether `viewer` has flagged it."""
    flags = ReviewFlag.objects.filter(review=OuterRef("pk"), flagged_by=viewer)
    return review_list_public(practitioner=practitioner).annotate(flagged=Exists(flags))


def review_get(*, review_id: int) -> Review:
    """One review with what its list item shows (for responses after a write)."""
    return Review.objects.select_related("author", "condition").get(pk=review_id)


def review_list_moderation(*, flagged: bool | None = None) -> QuerySet[Review]:
    """Every review, removed ones too, with `flag_count`; most flagged first."""
    reviews = Review.objects.select_related("author", "condition").annotate(
        flag_count=Count("flags")
    )
    if flagged is True:
        reviews = reviews.filter(flag_count__gt=0)
    elif flagged is False:
        reviews = reviews.filter(flag_count=0)
    return reviews.order_by("-flag_count", "-updated_at", "-id")


def review_moderation_get(*, review_id: int) -> Review:
    return review_list_moderation().get(pk=review_id)


def review_list_by_author(*, author: User) -> QuerySet[Review]:
    """The patient's own reviews, removed ones too: they should learn that a moderator took
    one down."""
    return (
        Review.objects.filter(author=author)
        .select_related("practitioner__user", "condition")
        .order_by("-updated_at", "-id")
    )


def review_get_own(*, author: User, practitioner: PractitionerProfile) -> Review | None:
    """The patient's own review of this practitioner, live or removed (one row at most)."""
    return Review.objects.filter(author=author, practitioner=practitioner).first()
