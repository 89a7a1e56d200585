"""Reads of referrals. Only the two parties and moderators ever see one (SPEC §3); to
anyone else a referral does not exist, so these selectors return nothing rather than
raising "forbidden".

Every read loads the physician, the practitioner, both accounts and the condition in the
same query: a list page costs a count and one select whatever its size.
"""

from collections.abc import Mapping
from datetime import date

import django_filters
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet

from directory.models import (
    PhysicianProfile,
    PractitionerProfile,
    Referral,
    ReferralStatus,
    User,
)
from directory.rules import verified_physician_q

STATUS_CHOICE_MESSAGE = (
    f'"%(value)s" is not a referral status; allowed: {", ".join(ReferralStatus.values)}.'
)


class ReferralFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=ReferralStatus.choices,
        error_messages={"invalid_choice": STATUS_CHOICE_MESSAGE},
    )

    class Meta:
        model = Referral
        fields = ["status"]


def _referrals() -> QuerySet[Referral]:
    return Referral.objects.select_related(
        "physician__user", "practitioner__user", "condition"
    ).order_by("-created_at", "-id")


def referral_visible_qs(*, viewer: User) -> QuerySet[Referral]:
    """What `viewer` may read: moderators everything, anyone else the referrals they sent
    or received (a patient's account is party to none)."""
    if viewer.is_moderator:
        return _referrals()
    # On the referral's own indexed columns, so the database can OR two index scans.
    sent = PhysicianProfile.objects.filter(user=viewer).values("pk")
    received = PractitionerProfile.objects.filter(user=viewer).values("pk")
    return _referrals().filter(Q(physician__in=sent) | Q(practitioner__in=received))


def referral_list(*, viewer: User, filters: Mapping[str, str]) -> QuerySet[Referral]:
    """Newest first, narrowed by `?status=`. Raises django ValidationError on a bad filter."""
    filterset = ReferralFilterSet(data=filters, queryset=referral_visible_qs(viewer=viewer))
    if not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


def referral_get(*, viewer: User, referral_id: int) -> Referral | None:
    """The referral if `viewer` may read it, else None (whether or not it exists)."""
    return referral_visible_qs(viewer=viewer).filter(pk=referral_id).first()


def physician_is_verified(*, user: User, today: date) -> bool:
    """Whether `user` has a physician profile and a licence that makes them a verified
    referrer (directory.rules)."""
    return (
        PhysicianProfile.objects.filter(user=user)
        .filter(verified_physician_q(today=today))
        .exists()
    )
