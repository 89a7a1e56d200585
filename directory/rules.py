"""The spec's credential rules, each with one home (SPEC §3).

Every caller — directory, matching, pages, admin — asks these functions; none
restates the rule. The rule is written once as a database expression so that lists
and the ranking gate in SQL; `credential_status` is the same clock rule for one row.
"""

from datetime import date

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When

from directory.models import Credential, CredentialKind, CredentialStatus, Profession

EXPIRED = "expired"

# Professions whose licence makes a user a verified referring physician.
REFERRING_PROFESSIONS = (Profession.PHYSICIAN, Profession.NURSE_PRACTITIONER)


def credential_status(credential: Credential, *, today: date) -> str:
    """pending | verified | rejected | expired — a credential past its expiry date (in
    practice a licence) is expired whatever its verification says."""
    if credential.expires_on is not None and credential.expires_on < today:
        return EXPIRED
    return credential.status


def credential_status_expression(*, today: date) -> Case:
    """credential_status as SQL, so that lists can filter on it; a test checks that both
    agree on every kind x stored status x expiry."""
    return Case(
        When(Q(expires_on__lt=today), then=Value(EXPIRED)),
        default=F("status"),
        output_field=CharField(),
    )


def live_credentials(*, today: date) -> QuerySet[Credential]:
    """Credentials that count as of `today`: verified, not withdrawn, not expired."""
    return Credential.objects.filter(
        withdrawn_at__isnull=True, status=CredentialStatus.VERIFIED
    ).exclude(expires_on__lt=today)


def live_credential_sql(alias: str) -> str:
    """live_credentials as SQL text, for queries written as SQL (the ranking): a credential
    row aliased `alias` that counts as of the named parameter %(today)s. A test checks that
    both forms select the same credentials."""
    return (
        f"{alias}.status = '{CredentialStatus.VERIFIED.value}' AND {alias}.withdrawn_at IS NULL"
        f" AND ({alias}.expires_on IS NULL OR {alias}.expires_on >= %(today)s)"
    )


def _has_valid_license(owner_ref: OuterRef, *, today: date, professions=None) -> Exists:
    licences = live_credentials(today=today).filter(owner=owner_ref, kind=CredentialKind.LICENSE)
    if professions is not None:
        licences = licences.filter(profession__in=professions)
    return Exists(licences)


def practitioner_listed_q(*, profile_path: str = "") -> Q:
    """A listed (active) practitioner: their profile and their account are both active
    (SPEC §3: a practitioner who leaves is deactivated and vanishes from search).

    `profile_path` is the path from the queried model to the PractitionerProfile (""
    on PractitionerProfile itself, "practitioner" on Referral or Location)."""
    prefix = f"{profile_path}__" if profile_path else ""
    return Q(**{f"{prefix}is_active": True, f"{prefix}user__is_active": True})


def qualified_q(*, today: date, user_path: str = "user") -> Q:
    """Qualified = a verified, unexpired licence AND a verified IMS certification.

    `user_path` is the path from the queried model to the practitioner's User
    ("user" on PractitionerProfile, "practitioner__user" on Location, ...).
    """
    ref = OuterRef(user_path)
    certified = Exists(
        live_credentials(today=today).filter(owner=ref, kind=CredentialKind.IMS_CERTIFICATION)
    )
    return Q(_has_valid_license(ref, today=today)) & Q(certified)


def qualified_figures_q(*, today: date, stats_path: str = "stats") -> Q:
    """qualified_q read from the practitioner's maintained figures (PractitionerStats, kept
    by directory.services.stats.stats_credentials_changed): the latest expiry among the
    verified, live licences and among the IMS certifications (no expiry = 9999-12-31) is
    today or later. One row instead of two EXISTS probes; a test checks both forms agree.

    `stats_path` is the path from the queried model to PractitionerStats ("stats" on
    PractitionerProfile)."""
    return Q(
        **{f"{stats_path}__licence_valid_until__gte": today},
        **{f"{stats_path}__ims_valid_until__gte": today},
    )


def verified_physician_q(*, today: date, user_path: str = "user") -> Q:
    """A referring physician is verified by a verified, unexpired physician or NP licence."""
    return Q(
        _has_valid_license(OuterRef(user_path), today=today, professions=REFERRING_PROFESSIONS)
    )
