from collections.abc import Mapping

from django.core.exceptions import ValidationError
from django.db.models import QuerySet

from directory.filters.credentials import CredentialModerationFilter
from directory.models import Credential, User


def credential_list_own(*, owner: User) -> QuerySet[Credential]:
    """The owner's credentials; withdrawn ones are gone from every list."""
    return Credential.objects.filter(owner=owner, withdrawn_at__isnull=True).order_by("id")


def credential_review_queryset() -> QuerySet[Credential]:
    """Credentials a moderator can act on: everything not withdrawn, oldest first so the
    queue is fair."""
    return (
        Credential.objects.filter(withdrawn_at__isnull=True)
        .select_related("owner")
        .order_by("created_at", "id")
    )


def credential_moderation_list(*, filters: Mapping[str, str]) -> QuerySet[Credential]:
    filterset = CredentialModerationFilter(data=filters, queryset=credential_review_queryset())
    if not filterset.is_valid():
        raise ValidationError({field: list(errors) for field, errors in filterset.errors.items()})
    return filterset.qs


def credential_evidence_get(*, viewer: User, credential_id: int) -> Credential | None:
    """The credential whose evidence `viewer` may download, or None.

    Owners see their own (not withdrawn); moderators see any, withdrawn included, since
    withdrawn credentials are kept for the record.
    """
    credentials = Credential.objects.exclude(evidence="")
    if not viewer.is_moderator:
        credentials = credentials.filter(owner=viewer, withdrawn_at__isnull=True)
    return credentials.filter(pk=credential_id).first()
