"""The one place every write that changes what matching or the public sees of a
practitioner ends: their match index rows are rewritten in the write's transaction, and
the cached public reads expire once it commits."""

from collections.abc import Collection, Iterator

from django.db import transaction
from django.utils import timezone

from directory.models import PractitionerProfile
from directory.public_cache import public_changed
from directory.services.match_index import match_index_rebuild, match_index_refresh

# Ids per statement in bulk writes: well under every database's limit on parameters.
ID_CHUNK = 500


def id_chunks(ids: Collection[int]) -> Iterator[list[int]]:
    """Sorted ids in chunks of ID_CHUNK (sorted, so that rows are always locked in one order)."""
    ordered = sorted(ids)
    for start in range(0, len(ordered), ID_CHUNK):
        yield ordered[start : start + ID_CHUNK]


def practitioner_changed(*, practitioner_id: int) -> None:
    match_index_refresh(practitioner_id=practitioner_id)
    PractitionerProfile.objects.filter(pk=practitioner_id).update(listing_changed_at=timezone.now())
    transaction.on_commit(public_changed)


def practitioners_changed(*, practitioner_ids: Collection[int], reindex: bool = True) -> None:
    """practitioner_changed for many practitioners in one bulk write (the register import),
    in a few statements per ID_CHUNK practitioners rather than per practitioner. `reindex`
    False: only their public listing changed (a register's confirmation), not what matching
    reads."""
    if not practitioner_ids:
        return
    now = timezone.now()
    # No savepoint: the caller's write and this one stand or fall together.
    with transaction.atomic(savepoint=False):
        for chunk in id_chunks(set(practitioner_ids)):
            # As in match_index_refresh: the profile rows order concurrent refreshes.
            profiles = PractitionerProfile.objects.filter(pk__in=chunk)
            list(profiles.select_for_update().values_list("pk", flat=True))
            profiles.update(listing_changed_at=now)
        if reindex:
            match_index_rebuild(practitioner_ids)
    transaction.on_commit(public_changed)


def practitioner_changed_owner(*, user_id: int) -> None:
    """practitioner_changed for a user's practitioner profile, if they have one."""
    practitioner_id = (
        PractitionerProfile.objects.filter(user_id=user_id).values_list("pk", flat=True).first()
    )
    if practitioner_id is not None:
        practitioner_changed(practitioner_id=practitioner_id)
