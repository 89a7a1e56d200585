"""Writes to credentials: create, update, withdraw (by the owner); verify, reject (by a
moderator); back to pending when a regulator's register no longer lists a licence as active
(credentials_unverify, by the register import).

The per-kind rules (SPEC §3) live here so that every path in — the API, the admin, the
pages — applies the same ones. Rule violations raise Django's ValidationError keyed by
field, which the API's exception handler turns into a 400 of DRF's shape.
"""

import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files import File
from django.db import transaction
from django.utils import timezone

from directory.evidence import evidence_check, evidence_staged
from directory.exceptions import Conflict
from directory.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    MessageKind,
    Role,
    User,
)
from directory.models.credentials import SUBSTANCE_FIELDS
from directory.services.changes import id_chunks
from directory.services.notifications import notify
from directory.services.stats import stats_credentials_changed, stats_credentials_changed_many
from directory.validators import model_validate

# Only these accounts hold credentials: practitioners, and physicians whose licence makes
# them verified referrers.
CREDENTIAL_HOLDER_ROLES = (Role.PRACTITIONER, Role.PHYSICIAN)


REQUIRED_FIELDS = {
    CredentialKind.LICENSE: ("issuer", "number", "profession", "jurisdiction", "expires_on"),
    # An IMS certification's issued_on is the date it was awarded.
    CredentialKind.IMS_CERTIFICATION: ("issuer", "issued_on"),
    CredentialKind.TRAINING: ("issuer", "title"),
}

# Fields that belong to one kind only; the others are shared by every kind.
KIND_ONLY_FIELDS = {
    "profession": CredentialKind.LICENSE,
    "jurisdiction": CredentialKind.LICENSE,
    "needling_authorized": CredentialKind.LICENSE,
    "title": CredentialKind.TRAINING,
}

KIND_PHRASES = {
    CredentialKind.LICENSE: ("a licence", "licences"),
    CredentialKind.IMS_CERTIFICATION: ("an IMS certification", "IMS certifications"),
    CredentialKind.TRAINING: ("a training credential", "training credentials"),
}

JURISDICTION_RE = re.compile(r"^[A-Z]{2}-[A-Z0-9]{1,3}$")
JURISDICTION_HELP = "Use an ISO 3166-2 code: country, hyphen, region, e.g. CA-BC or US-WA."
EARLIEST_YEAR = 1950
LATEST_YEAR = 2100


def _is_blank(value: Any) -> bool:
    # False counts as blank: an unticked "needling authorised" box on a training form
    # says nothing about the kind.
    return value is None or value == "" or value is False


def _normalize(values: dict[str, Any]) -> dict[str, Any]:
    if isinstance(values.get("jurisdiction"), str):
        values["jurisdiction"] = values["jurisdiction"].strip().upper()
    return values


def _kind_errors(values: Mapping[str, Any]) -> dict[str, list[str]]:
    kind = values["kind"]
    phrase = KIND_PHRASES[kind][0]
    errors: dict[str, list[str]] = {}
    for field in REQUIRED_FIELDS[kind]:
        if _is_blank(values.get(field)):
            errors[field] = [f"Required for {phrase}."]
    for field, owner_kind in KIND_ONLY_FIELDS.items():
        if owner_kind != kind and not _is_blank(values.get(field)):
            errors[field] = [
                f"Only {KIND_PHRASES[owner_kind][1]} have this field; this is {phrase}."
            ]
    return errors


def _date_errors(values: Mapping[str, Any], *, today: date) -> dict[str, list[str]]:
    issued_on, expires_on = values.get("issued_on"), values.get("expires_on")
    errors: dict[str, list[str]] = {}
    for field, value in (("issued_on", issued_on), ("expires_on", expires_on)):
        if value is not None and not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
            errors[field] = [f"Must be a date from {EARLIEST_YEAR} to {LATEST_YEAR}."]
    if "issued_on" not in errors and issued_on is not None and issued_on > today:
        errors["issued_on"] = ["Cannot be in the future."]
    if not errors and issued_on and expires_on and expires_on < issued_on:
        errors["expires_on"] = [f"Must be on or after issued_on ({issued_on.isoformat()})."]
    return errors


def jurisdiction_validate(jurisdiction: str) -> str:
    """A licence's jurisdiction, normalised (upper case); raises ValidationError."""
    jurisdiction = jurisdiction.strip().upper()
    if not JURISDICTION_RE.match(jurisdiction):
        raise ValidationError({"jurisdiction": [JURISDICTION_HELP]})
    return jurisdiction


def credential_validate(values: dict[str, Any], *, today: date) -> dict[str, Any]:
    """The whole credential as it would be saved, normalised; raises ValidationError."""
    values = _normalize(dict(values))
    errors = _kind_errors(values) | _date_errors(values, today=today)
    jurisdiction = values.get("jurisdiction")
    if jurisdiction and "jurisdiction" not in errors and not JURISDICTION_RE.match(jurisdiction):
        errors["jurisdiction"] = [JURISDICTION_HELP]
    if errors:
        raise ValidationError(errors)
    return values


def _evidence(credential: Credential, evidence: File | None) -> AbstractContextManager:
    """Wraps the write: a new file reaches its place only if the write commits."""
    if evidence is None:
        return nullcontext()
    return evidence_staged(credential, evidence, evidence_check(evidence))


def credential_create(
    *,
    owner: User,
    kind: str,
    issuer: str = "",
    number: str = "",
    issued_on: date | None = None,
    expires_on: date | None = None,
    profession: str = "",
    jurisdiction: str = "",
    needling_authorized: bool = False,
    title: str = "",
    evidence: File | None = None,
    today: date | None = None,
) -> Credential:
    values = credential_validate(
        {
            "kind": kind,
            "issuer": issuer,
            "number": number,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "profession": profession,
            "jurisdiction": jurisdiction,
            "needling_authorized": needling_authorized,
            "title": title,
        },
        today=today or timezone.localdate(),
    )
    credential = Credential(owner=owner, **values)
    model_validate(credential)
    with _evidence(credential, evidence), transaction.atomic():
        credential.save()
        stats_credentials_changed(owner_id=credential.owner_id)
    return credential


def _reset_review(credential: Credential) -> None:
    # The review judged content that no longer exists.
    credential.status = CredentialStatus.PENDING
    credential.reviewed_by = None
    credential.reviewed_at = None
    credential.note = ""


def credential_update(
    *,
    credential: Credential,
    changes: Mapping[str, Any],
    evidence: File | None = None,
    today: date | None = None,
) -> Credential:
    """Applies the owner's changes. A real change of substance (a field whose value differs,
    or a new evidence file) sends a reviewed credential back to pending; identical values
    change nothing."""
    if "kind" in changes and changes["kind"] != credential.kind:
        raise ValidationError(
            {"kind": ["The kind cannot be changed; withdraw this credential and add a new one."]}
        )
    current = {field: getattr(credential, field) for field in ("kind", *SUBSTANCE_FIELDS)}
    merged = credential_validate(
        current | {k: v for k, v in changes.items() if k != "kind"},
        today=today or timezone.localdate(),
    )
    changed = {f: merged[f] for f in SUBSTANCE_FIELDS if merged[f] != current[f]}
    if not changed and evidence is None:
        return credential
    for field, value in changed.items():
        setattr(credential, field, value)
    model_validate(credential, fields=changed)
    if credential.status != CredentialStatus.PENDING:
        _reset_review(credential)
    with _evidence(credential, evidence), transaction.atomic():
        replaced = _evidence_held(credential) if evidence is not None else ""
        credential.save()
        # A verified credential went back to pending, or its dates moved.
        stats_credentials_changed(owner_id=credential.owner_id)
        if replaced:
            # Replaced evidence is referenced by nothing; a private document is not left behind.
            storage = credential.evidence.storage
            transaction.on_commit(lambda: storage.delete(replaced))
    return credential


def _evidence_held(credential: Credential) -> str:
    """The evidence the row holds now, locked until the write commits. Not the caller's
    copy: a replacement that committed since it was read left its own file there, which
    would otherwise be orphaned (two uploads at once, or a retry after a timeout)."""
    return (
        Credential.objects.select_for_update()
        .filter(pk=credential.pk)
        .values_list("evidence", flat=True)
        .get()
    )


def credential_withdraw(*, credential: Credential) -> Credential:
    """Soft delete: kept for the record, shown nowhere, counts for nothing (directory.rules)."""
    if credential.withdrawn_at is None:
        credential.withdrawn_at = timezone.now()
        with transaction.atomic():
            credential.save(update_fields=["withdrawn_at", "updated_at"])
            stats_credentials_changed(owner_id=credential.owner_id)
    return credential


def _review(
    *,
    credential: Credential,
    moderator: User,
    note: str,
    to_status: str,
    from_statuses: tuple[str, ...],
) -> Credential:
    model_validate(Credential(note=note), fields=["note"])
    with transaction.atomic():
        # Locked so that two moderators acting at once cannot both move the same credential.
        locked = Credential.objects.select_for_update().get(pk=credential.pk)
        if locked.withdrawn_at is not None:
            raise Conflict("This credential was withdrawn by its owner; it cannot be reviewed.")
        if locked.status not in from_statuses:
            allowed = " or ".join(from_statuses)
            raise Conflict(
                f"This credential is {locked.status}; only a {allowed} credential can be "
                f"{to_status}."
            )
        locked.status = to_status
        locked.reviewed_by = moderator
        locked.reviewed_at = timezone.now()
        locked.note = note
        locked.save(update_fields=["status", "reviewed_by", "reviewed_at", "note", "updated_at"])
        stats_credentials_changed(owner_id=locked.owner_id)
        # The message reads the note from the credential when it is sent.
        notify(
            kind=MessageKind.CREDENTIAL_DECISION,
            recipient=locked.owner,
            params={"credential": locked.pk, "status": to_status},
        )
    return locked


def credential_verify(*, credential: Credential, moderator: User, note: str = "") -> Credential:
    return _review(
        credential=credential,
        moderator=moderator,
        note=note.strip(),
        to_status=CredentialStatus.VERIFIED,
        from_statuses=(CredentialStatus.PENDING, CredentialStatus.REJECTED),
    )


def credential_reject(*, credential: Credential, moderator: User, note: str) -> Credential:
    """A rejection always says why, so that the owner can put it right."""
    if not note.strip():
        raise ValidationError({"note": ["A rejection needs a note telling the owner why."]})
    return _review(
        credential=credential,
        moderator=moderator,
        note=note.strip(),
        to_status=CredentialStatus.REJECTED,
        from_statuses=(CredentialStatus.PENDING, CredentialStatus.VERIFIED),
    )


def register_pending_note(*, register: str, register_status: str, checked_on: date) -> str:
    """The note a licence carries when a register check sent it back to pending."""
    if register_status == "absent":
        listed = "no longer listed"
    else:
        listed = f"listed as {register_status}"
    return (
        f"{listed.capitalize()} on the {register} register checked on {checked_on.isoformat()} "
        "(register import); back to pending until a moderator verifies it again."
    )


def credentials_unverify(
    *,
    credentials: Sequence[Credential],
    register: str,
    register_status: str,
    checked_on: date,
) -> list[int]:
    """A regulator's register no longer lists these verified licences as active
    (`register_status`: suspended, lapsed, cancelled, or "absent" from a complete extract).
    Each goes back to pending — the moderator's verification no longer holds — with a note
    naming the register and the date, its owner leaves matching in this transaction, and
    is told by e-mail. A credential that is no longer verified, or was withdrawn, since the
    caller read it is left alone. Returns the ids moved."""
    note = register_pending_note(
        register=register, register_status=register_status, checked_on=checked_on
    )
    model_validate(Credential(note=note), fields=["note"])
    by_id = {credential.pk: credential for credential in credentials}
    moved: list[int] = []
    with transaction.atomic(savepoint=False):
        for chunk in id_chunks(by_id):
            verified = Credential.objects.filter(
                pk__in=chunk, status=CredentialStatus.VERIFIED, withdrawn_at__isnull=True
            )
            ids = list(verified.select_for_update().values_list("pk", flat=True))
            Credential.objects.filter(pk__in=ids).update(
                status=CredentialStatus.PENDING,
                reviewed_by=None,
                reviewed_at=None,
                note=note,
                updated_at=timezone.now(),
            )
            moved += ids
        stats_credentials_changed_many(owner_ids={by_id[pk].owner_id for pk in moved})
        params = {"register": register, "register_status": register_status}
        for pk in moved:
            notify(
                kind=MessageKind.CREDENTIAL_REGISTER_PENDING,
                recipient=by_id[pk].owner,
                params=params | {"credential": pk, "checked_on": checked_on.isoformat()},
            )
    return moved
