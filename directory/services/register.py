"""Verification against a regulator's register (issue 13): `register_import` reads an extract
(directory.register_file), plans what each row means for the directory's licences of that
jurisdiction, and — unless it is a dry run — applies the plan in one transaction.

Only licences a moderator verified are acted on, matched by jurisdiction and registration
number (directory.register_file.register_number_key). For each:

- a name (or profession) that does not match the account's: `flagged` — register_flag is set
  for a moderator and nothing else changes;
- `active`: `confirmed` — the check date and "confirmed by the … register on …" are recorded —
  or `updated` when the register's expiry or needling authorization differs, which is then
  taken from the register (the register is what a moderator checks against, so the licence
  stays verified);
- `suspended`, `lapsed`, `cancelled` — and, with `complete`, a verified licence of a profession
  the file lists whose number the file does not name: `back_to_pending`
  (directory.services.credentials.credentials_unverify);
- nothing to do (already so): `unchanged`. A second run the same day reports only that.

A number the directory has no licence for is `not_found`, one whose licence is not verified
`not_verified`: nothing is done, and accounts are never created. Bad rows are `error` lines
and skipped; `strict` refuses the whole file when there is one.

The query budget does not grow per row: the jurisdiction's licences are read in one query,
the writes are one UPDATE per chunk of licences given the same new values (registers renew
on a few dates), and figures and the match index are rebuilt per chunk of owners. Only a
licence sent back to pending costs its own statements: the e-mail to its owner.
"""

import csv
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import partial
from typing import TextIO

from django.db import transaction
from django.utils import timezone

from directory.models import Credential, CredentialKind, CredentialStatus, PractitionerProfile
from directory.register_file import (
    RegisterFile,
    RegisterRow,
    RegisterStatus,
    register_file_parse,
    register_name_matches,
    register_number_key,
)
from directory.services.changes import id_chunks, practitioners_changed
from directory.services.credentials import credentials_unverify, jurisdiction_validate
from directory.services.stats import stats_credentials_changed_many

REPORT_COLUMNS = ("line", "registration_number", "name", "action", "detail", "credential_id")
# Wraps an iterable to show how far it has got: progress(items, description) -> items.
Progress = Callable[[Iterable, str], Iterable]
FLAG_NAME_SHOWN = 80  # characters of each name quoted in a flag
FLAG_MAX = Credential._meta.get_field("register_flag").max_length


class RegisterAction(StrEnum):
    CONFIRMED = "confirmed"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    BACK_TO_PENDING = "back_to_pending"
    FLAGGED = "flagged"
    NOT_FOUND = "not_found"
    NOT_VERIFIED = "not_verified"
    ERROR = "error"


@dataclass(frozen=True)
class ReportLine:
    line: int | None  # None: a licence absent from the file (`complete`)
    number: str
    name: str
    action: RegisterAction
    detail: str
    credential_id: int | None = None

    def text(self) -> str:
        where = f"line {self.line}" if self.line is not None else "not in file"
        who = f"{self.number} ({self.name})" if self.name else self.number
        return f"{where}: {who}: {self.action} — {self.detail}"


@dataclass
class RegisterReport:
    jurisdiction: str
    checked_on: date
    dry_run: bool
    lines: list[ReportLine] = field(default_factory=list)
    # Set when `strict` refused the file: nothing was planned or written.
    refused: bool = False

    def counts(self) -> dict[str, int]:
        counts = dict.fromkeys(RegisterAction, 0)
        for line in self.lines:
            counts[line.action] += 1
        return {str(action): n for action, n in counts.items()}

    def write_csv(self, stream: TextIO) -> None:
        """The report as CSV (`--report FILE`): one row per line, in the printed order."""
        writer = csv.writer(stream)
        writer.writerow(REPORT_COLUMNS)
        for line in self.lines:
            writer.writerow(
                [
                    "" if line.line is None else line.line,
                    line.number,
                    line.name,
                    line.action,
                    line.detail,
                    line.credential_id or "",
                ]
            )

    def summary(self) -> str:
        counts = ", ".join(f"{action} {n}" for action, n in self.counts().items())
        if self.refused:
            outcome = "refused (--strict): the file has bad rows; nothing written"
        elif self.dry_run:
            outcome = "dry run: nothing written"
        else:
            outcome = "applied"
        return f"{self.jurisdiction} register, {self.checked_on.isoformat()}: {counts}; {outcome}."


@dataclass
class _Plan:
    # New values (expires_on, needling_authorized, register_flag) → licences given them.
    confirm: dict[tuple, list[Credential]] = field(default_factory=lambda: defaultdict(list))
    flag: list[Credential] = field(default_factory=list)
    pending: dict[str, list[Credential]] = field(default_factory=lambda: defaultdict(list))
    # Owners whose credential facts (expiry, needling) change: figures and match index.
    facts_changed: set[int] = field(default_factory=set)
    # What a line back to pending says of its owner: a dry run notifies no one.
    notified: str = "owner notified"


def register_source_text(*, jurisdiction: str, checked_on: date) -> str:
    return f"confirmed by the {jurisdiction} register on {checked_on.isoformat()}"


def _flag_text(row: RegisterRow, licence: Credential, *, jurisdiction: str, today: date) -> str:
    """Why a moderator should look, or "" when the register's row is this licence holder's."""
    reasons = []
    if not register_name_matches(row.name, licence.owner.name):
        register_name, account_name = row.name[:FLAG_NAME_SHOWN], licence.owner.name
        reasons.append(
            f"lists the name “{register_name}”, the account's is “{account_name[:FLAG_NAME_SHOWN]}”"
        )
    if row.profession != licence.profession:
        reasons.append(f"lists a {row.profession}, the licence a {licence.profession}")
    if (
        row.status == RegisterStatus.ACTIVE
        and row.expires_on
        and licence.issued_on
        and row.expires_on < licence.issued_on
    ):
        reasons.append(f"gives an expiry ({row.expires_on}) before the licence was issued")
    if not reasons:
        return ""
    flag = f"The {jurisdiction} register checked on {today.isoformat()} " + "; ".join(reasons)
    return flag if len(flag) <= FLAG_MAX else flag[: FLAG_MAX - 1] + "…"


def _yes_no(value: bool) -> str:
    return "yes" if value else "no"


def _judge_active(
    row: RegisterRow, licence: Credential, plan: _Plan, source: str, today: date
) -> tuple[RegisterAction, str]:
    expires_on = row.expires_on or licence.expires_on
    needling = licence.needling_authorized
    if row.needling_authorized is not None:
        needling = row.needling_authorized
    changes = []
    if expires_on != licence.expires_on:
        changes.append(f"expires_on {licence.expires_on} → {expires_on}")
    if needling != licence.needling_authorized:
        changes.append(
            f"needling_authorized {_yes_no(licence.needling_authorized)} → {_yes_no(needling)}"
        )
    if not changes and (licence.register_checked_on, licence.register_source) == (today, source):
        if not licence.register_flag:
            return RegisterAction.UNCHANGED, f"{source}; expiry and needling agree"
    plan.confirm[(expires_on, needling)].append(licence)
    if changes:
        plan.facts_changed.add(licence.owner_id)
        return RegisterAction.UPDATED, f"{source}; " + ", ".join(changes)
    return RegisterAction.CONFIRMED, source


def _judge(
    row: RegisterRow, licence: Credential, plan: _Plan, *, jurisdiction: str, today: date
) -> tuple[RegisterAction, str]:
    """(action, detail) for one row and one licence with its number; adds to the plan."""
    inactive = row.status != RegisterStatus.ACTIVE
    if licence.status != CredentialStatus.VERIFIED:
        if inactive and licence.status == CredentialStatus.PENDING:
            return RegisterAction.UNCHANGED, f"listed as {row.status}; already pending"
        return RegisterAction.NOT_VERIFIED, f"the licence is {licence.status}; nothing done"
    flag = _flag_text(row, licence, jurisdiction=jurisdiction, today=today)
    if flag:
        if flag == licence.register_flag:
            return RegisterAction.UNCHANGED, f"already flagged: {flag}"
        licence.register_flag = flag
        plan.flag.append(licence)
        return RegisterAction.FLAGGED, f"{flag}; nothing else changed"
    if inactive:
        plan.pending[row.status].append(licence)
        return RegisterAction.BACK_TO_PENDING, f"listed as {row.status}; {plan.notified}"
    source = register_source_text(jurisdiction=jurisdiction, checked_on=today)
    return _judge_active(row, licence, plan, source, today)


def _licences(jurisdiction: str, *, lock: bool) -> dict[str, list[Credential]]:
    """The jurisdiction's licences by number key, in one query (locked when applying)."""
    licences = Credential.objects.filter(
        kind=CredentialKind.LICENSE, jurisdiction=jurisdiction, withdrawn_at__isnull=True
    ).select_related("owner")
    if lock:
        licences = licences.select_for_update(of=("self",))
    by_number: dict[str, list[Credential]] = defaultdict(list)
    for licence in licences.order_by("id"):
        by_number[register_number_key(licence.number)].append(licence)
    return by_number


def _plan(
    parsed: RegisterFile,
    by_number: dict[str, list[Credential]],
    *,
    jurisdiction: str,
    complete: bool,
    dry_run: bool,
    today: date,
    progress: Progress,
) -> tuple[_Plan, list[ReportLine]]:
    plan = _Plan(notified="owner would be notified" if dry_run else "owner notified")
    lines: list[ReportLine] = []
    for row in progress(parsed.rows, "Checking rows"):
        matches = by_number.get(register_number_key(row.number), [])
        if not matches:
            detail = f"no licence with this number in {jurisdiction}; nothing done"
            lines.append(
                ReportLine(row.line, row.number, row.name, RegisterAction.NOT_FOUND, detail)
            )
        for licence in matches:
            action, detail = _judge(row, licence, plan, jurisdiction=jurisdiction, today=today)
            lines.append(ReportLine(row.line, row.number, row.name, action, detail, licence.pk))
    if complete:
        lines += _absent(parsed, by_number, plan)
    return plan, lines


def _absent(parsed: RegisterFile, by_number, plan: _Plan) -> list[ReportLine]:
    """Verified licences of the professions the file lists whose number it does not name."""
    professions = {row.profession for row in parsed.rows}
    lines = []
    for key, licences in sorted(by_number.items()):
        if key in parsed.numbers:
            continue
        for licence in licences:
            if licence.status == CredentialStatus.VERIFIED and licence.profession in professions:
                plan.pending["absent"].append(licence)
                detail = f"not in the register file (--complete); {plan.notified}"
                lines.append(
                    ReportLine(
                        None,
                        licence.number,
                        licence.owner.name,
                        RegisterAction.BACK_TO_PENDING,
                        detail,
                        licence.pk,
                    )
                )
    return lines


def _apply(plan: _Plan, *, jurisdiction: str, today: date, progress: Progress) -> None:
    """The plan's writes, as steps a progress bar can count."""
    now = timezone.now()
    source = register_source_text(jurisdiction=jurisdiction, checked_on=today)
    steps: list[Callable[[], object]] = []
    for (expires_on, needling), licences in plan.confirm.items():
        for chunk in id_chunks([licence.pk for licence in licences]):
            steps.append(
                partial(
                    Credential.objects.filter(pk__in=chunk).update,
                    expires_on=expires_on,
                    needling_authorized=needling,
                    register_checked_on=today,
                    register_source=source,
                    register_flag="",
                    updated_at=now,
                )
            )
    for licence in plan.flag:
        licence.updated_at = now
    fields = ["register_flag", "updated_at"]
    steps.append(partial(Credential.objects.bulk_update, plan.flag, fields, batch_size=200))
    for register_status, licences in plan.pending.items():
        steps.append(
            partial(
                credentials_unverify,
                credentials=licences,
                register=jurisdiction,
                register_status=register_status,
                checked_on=today,
            )
        )
    steps.append(partial(stats_credentials_changed_many, owner_ids=plan.facts_changed))
    # A confirmation is public (the FHIR VerificationResult), not what matching reads.
    confirmed_owners = {licence.owner_id for group in plan.confirm.values() for licence in group}
    steps.append(partial(_listings_changed, confirmed_owners - plan.facts_changed))
    for step in progress(steps, "Writing"):
        step()


def _listings_changed(owner_ids: set[int]) -> None:
    ids = []
    for chunk in id_chunks(owner_ids):
        ids += PractitionerProfile.objects.filter(user_id__in=chunk).values_list("pk", flat=True)
    practitioners_changed(practitioner_ids=ids, reindex=False)


def _no_progress(items: Iterable, description: str) -> Iterable:
    return items


def register_import(
    *,
    content: bytes,
    jurisdiction: str,
    complete: bool = False,
    strict: bool = False,
    dry_run: bool = False,
    today: date | None = None,
    progress: Progress = _no_progress,
) -> RegisterReport:
    """Reads the extract and acts on it (module docstring); raises RegisterFileError when the
    file cannot be read at all, ValidationError for a jurisdiction that is not an ISO 3166-2
    code. `progress(items, description)` wraps the rows as they are judged, then the
    writes (a progress bar)."""
    jurisdiction = jurisdiction_validate(jurisdiction)
    today = today or timezone.localdate()
    parsed = register_file_parse(content)
    report = RegisterReport(jurisdiction=jurisdiction, checked_on=today, dry_run=dry_run)
    errors = [
        ReportLine(error.line, error.number, error.name, RegisterAction.ERROR, error.message)
        for error in parsed.errors
    ]
    if strict and errors:
        report.refused = True
        report.lines = errors
        return report
    with transaction.atomic():
        by_number = _licences(jurisdiction, lock=not dry_run)
        plan, lines = _plan(
            parsed,
            by_number,
            jurisdiction=jurisdiction,
            complete=complete,
            dry_run=dry_run,
            today=today,
            progress=progress,
        )
        if not dry_run:
            _apply(plan, jurisdiction=jurisdiction, today=today, progress=progress)
    report.lines = sorted(errors + lines, key=lambda line: (line.line is None, line.line or 0))
    return report
