"""Reads for the signed-in user's own things under /api/v1/me/."""

from datetime import date

from django.db.models import BooleanField, ExpressionWrapper, QuerySet

from directory.models import ConditionExperience, Location, PractitionerProfile, Role, User
from directory.rules import qualified_q


def me_practitioner(*, user: User) -> PractitionerProfile | None:
    """The user's practitioner profile, or None for patients, physicians and moderators."""
    if user.role != Role.PRACTITIONER:
        return None
    return getattr(user, "practitioner", None)


def me_get(*, user: User, today: date) -> User:
    """The account with its practitioner profile and `qualified`, in one query."""
    users = User.objects.select_related("practitioner")
    if user.role == Role.PRACTITIONER:
        qualified = qualified_q(today=today, user_path="pk")
        users = users.annotate(qualified=ExpressionWrapper(qualified, output_field=BooleanField()))
    return users.get(pk=user.pk)


def location_list(*, practitioner: PractitionerProfile) -> QuerySet[Location]:
    return Location.objects.filter(practitioner=practitioner).order_by("id")


def experience_list(*, practitioner: PractitionerProfile) -> QuerySet[ConditionExperience]:
    # Ordered by condition name for reading; id keeps pages stable.
    return (
        ConditionExperience.objects.filter(practitioner=practitioner)
        .select_related("condition")
        .order_by("condition__name", "id")
    )
