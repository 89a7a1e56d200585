"""The one place every write that changes what matching or the public sees of a
practitioner ends: their match index rows are rewritten in the write's transaction, and
the cached public reads expire once it commits."""

from django.db import transaction
from django.utils import timezone

from directory.models import PractitionerProfile
from directory.public_cache import public_changed
from directory.services.match_index import match_index_refresh


def practitioner_changed(*, practitioner_id: int) -> None:
    match_index_refresh(practitioner_id=practitioner_id)
    PractitionerProfile.objects.filter(pk=practitioner_id).update(listing_changed_at=timezone.now())
    transaction.on_commit(public_changed)


def practitioner_changed_owner(*, user_id: int) -> None:
    """practitioner_changed for a user's practitioner profile, if they have one."""
    practitioner_id = (
        PractitionerProfile.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    )
    if practitioner_id is not None:
        practitioner_changed(practitioner_id=practitioner_id)
