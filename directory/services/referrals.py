"""Writes to referrals: create (by a verified physician), the status machine, and the
moderators' audit log (SPEC §3).

    sent ──accept──▶ accepted ──complete(outcome)──▶ completed
     │ └─decline──▶ declined
     └──cancel───▶ cancelled

The practitioner accepts, declines and completes; the physician cancels while `sent`.
Every transition locks the referral row, so two parties acting at once (an accept racing a
cancel) cannot both succeed: the second sees the first's status and gets a 409.

Nothing here logs: a referral's reason and patient reference are health information.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from directory.exceptions import Conflict
from directory.models import (
    REFERRAL_OPEN_STATUSES,
    Condition,
    MessageKind,
    PhysicianProfile,
    PractitionerProfile,
    Referral,
    ReferralAuditLog,
    ReferralOutcome,
    ReferralStatus,
    User,
)
from directory.rules import (
    active_practitioner_q,
    qualified_q,
    verified_physician_q,
)
from directory.services.notifications import notify
from directory.services.stats import stats_referral_completed
from directory.validators import model_validate

PHYSICIAN = "physician"
PRACTITIONER = "practitioner"

UNVERIFIED_MESSAGE = (
    "Sending referrals needs a verified physician or nurse practitioner licence. Add your "
    "licence under your credentials (dashboard, or /api/v1/me/credentials/); you can refer "
    "once a moderator has verified it."
)

INACTIVE_MESSAGE = (
    "Practitioner {pk} is no longer active; referrals go to active practitioners only."
)
NOT_QUALIFIED_MESSAGE = (
    "Practitioner {pk} is not accepting referrals: their licence or IMS certification is "
    "not verified or not current. Referrals go to qualified practitioners only."
)

AUDIT_READ = "read"
AUDIT_LIST = "list"


@dataclass(frozen=True)
class Transition:
    party: str  # PHYSICIAN or PRACTITIONER: the only side that may take it
    source: str
    target: str


TRANSITIONS: dict[str, Transition] = {
    "accept": Transition(PRACTITIONER, ReferralStatus.SENT, ReferralStatus.ACCEPTED),
    "decline": Transition(PRACTITIONER, ReferralStatus.SENT, ReferralStatus.DECLINED),
    "complete": Transition(PRACTITIONER, ReferralStatus.ACCEPTED, ReferralStatus.COMPLETED),
    "cancel": Transition(PHYSICIAN, ReferralStatus.SENT, ReferralStatus.CANCELLED),
}

PARTY_PHRASES = {
    PHYSICIAN: "the physician who sent this referral",
    PRACTITIONER: "the practitioner it was sent to",
}


def referral_party(*, referral: Referral, user: User) -> str | None:
    """PHYSICIAN, PRACTITIONER, or None for anyone else (moderators included)."""
    if referral.physician.user_id == user.pk:
        return PHYSICIAN
    if referral.practitioner.user_id == user.pk:
        return PRACTITIONER
    return None


def referral_allowed_actions(*, referral: Referral, user: User) -> list[str]:
    """The transitions `user` may take on `referral` now, in TRANSITIONS order."""
    party = referral_party(referral=referral, user=user)
    return [
        action
        for action, transition in TRANSITIONS.items()
        if transition.party == party and transition.source == referral.status
    ]


def referral_check_party(*, referral: Referral, actor: User, action: str) -> None:
    """Raises PermissionDenied (a 403 that keeps its message) unless `actor` is the side
    that takes `action`. Anyone who may not even see the referral must have had a 404 from
    the selector before reaching here."""
    transition = TRANSITIONS[action]
    if referral_party(referral=referral, user=actor) != transition.party:
        raise PermissionDenied(f"Only {PARTY_PHRASES[transition.party]} may {action} it.")


def _conflict_message(status: str) -> str:
    allowed = [action for action, t in TRANSITIONS.items() if t.source == status]
    return f"Referral is {status}; allowed now: {', '.join(allowed) or 'none'}."


def _move(*, referral: Referral, actor: User, action: str, **changes) -> Referral:
    """Locks the row and moves it along `action`. Call inside transaction.atomic."""
    referral_check_party(referral=referral, actor=actor, action=action)
    transition = TRANSITIONS[action]
    locked = (
        Referral.objects.select_for_update(of=("self",))
        .select_related("physician__user", "practitioner__user", "condition")
        .get(pk=referral.pk)
    )
    if locked.status != transition.source:
        raise Conflict(_conflict_message(locked.status))
    locked.status = transition.target
    for name, value in changes.items():
        setattr(locked, name, value)
    locked.save(update_fields=["status", *changes, "updated_at"])
    # The other party hears of it: the practitioner's move tells the physician, and back.
    counterpart = (
        locked.physician.user if transition.party == PRACTITIONER else locked.practitioner.user
    )
    notify(
        kind=MessageKind.REFERRAL_STATUS,
        recipient=counterpart,
        params={"referral": locked.pk, "status": locked.status},
    )
    return locked


@transaction.atomic
def referral_accept(*, referral: Referral, actor: User) -> Referral:
    return _move(referral=referral, actor=actor, action="accept")


@transaction.atomic
def referral_decline(*, referral: Referral, actor: User) -> Referral:
    return _move(referral=referral, actor=actor, action="decline")


@transaction.atomic
def referral_cancel(*, referral: Referral, actor: User) -> Referral:
    return _move(referral=referral, actor=actor, action="cancel")


OUTCOME_MESSAGE = f"Give the outcome: one of {', '.join(ReferralOutcome.values)}."


@transaction.atomic
def referral_complete(*, referral: Referral, actor: User, outcome: str) -> Referral:
    """Completion counts towards the practitioner's figures in the same transaction."""
    if outcome not in ReferralOutcome.values:
        raise ValidationError({"outcome": [OUTCOME_MESSAGE]})
    locked = _move(
        referral=referral,
        actor=actor,
        action="complete",
        outcome=outcome,
        completed_at=timezone.now(),
    )
    stats_referral_completed(referral=locked)
    return locked


def referral_recipient_refusal(*, practitioner_id: int, today: date) -> str | None:
    """Why practitioner `practitioner_id` may not be sent a referral on `today`, or None when
    they may: referrals go to listed (active), qualified practitioners only — both rules
    from directory.rules. referral_create refuses with this message; the pages ask it
    before they offer "Refer a patient". One query."""
    return referral_recipient_refusals(practitioner_ids=[practitioner_id], today=today)[
        practitioner_id
    ]


def referral_recipient_refusals(
    *, practitioner_ids: Iterable[int], today: date
) -> dict[int, str | None]:
    """referral_recipient_refusal for many practitioners at once (a page of search results),
    keyed by id: one query however many."""
    ids = list(dict.fromkeys(practitioner_ids))
    standing = {
        pk: (listed, qualified)
        for pk, listed, qualified in PractitionerProfile.objects.filter(pk__in=ids)
        .annotate(listed=active_practitioner_q(), qualified=qualified_q(today=today))
        .values_list("pk", "listed", "qualified")
    }
    refusals: dict[int, str | None] = {}
    for pk in ids:
        listed, qualified = standing.get(pk, (False, False))
        if not listed:
            refusals[pk] = INACTIVE_MESSAGE.format(pk=pk)
        elif not qualified:
            refusals[pk] = NOT_QUALIFIED_MESSAGE.format(pk=pk)
        else:
            refusals[pk] = None
    return refusals


def _check_not_duplicate(*, physician: PhysicianProfile, **same) -> None:
    open_referral = (
        Referral.objects.filter(physician=physician, status__in=REFERRAL_OPEN_STATUSES, **same)
        .order_by("id")
        .first()
    )
    if open_referral is not None:
        raise Conflict(
            f"Referral {open_referral.pk} for this patient reference, practitioner and "
            f"condition is still {open_referral.status}; it was not sent again."
        )


@transaction.atomic
def referral_create(
    *,
    physician: PhysicianProfile,
    practitioner: PractitionerProfile,
    condition: Condition,
    reason: str,
    patient_reference: str,
    today: date | None = None,
) -> Referral:
    """A verified physician refers one patient, named only by their own reference code,
    to a listed, qualified practitioner (referral_recipient_refusal says why not)."""
    today = today or timezone.localdate()
    referral = Referral(
        physician=physician,
        practitioner=practitioner,
        condition=condition,
        reason=reason,
        patient_reference=patient_reference,
    )
    model_validate(referral)
    # Locking the physician's row serialises their submits, so a double click cannot slip
    # two referrals past the duplicate check below.
    verified = (
        PhysicianProfile.objects.select_for_update()
        .filter(pk=physician.pk)
        .filter(verified_physician_q(today=today))
        .first()
    )
    if verified is None:
        raise PermissionDenied(UNVERIFIED_MESSAGE)
    refusal = referral_recipient_refusal(practitioner_id=practitioner.pk, today=today)
    if refusal is not None:
        raise ValidationError({"practitioner": [refusal]})
    _check_not_duplicate(
        physician=physician,
        practitioner=practitioner,
        condition=condition,
        patient_reference=patient_reference,
    )
    referral.save(force_insert=True)
    notify(
        kind=MessageKind.REFERRAL_SENT,
        recipient=practitioner.user,
        params={"referral": referral.pk},
    )
    return referral


def referral_audit_record(*, actor: User, referrals: Iterable[Referral], action: str) -> None:
    """One row per referral a moderator was shown, in one INSERT; never the reason text."""
    ReferralAuditLog.objects.bulk_create(
        ReferralAuditLog(actor=actor, referral_id=referral.pk, action=action)
        for referral in referrals
    )
