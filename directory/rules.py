"""The spec's listing and credential rules, each with one home (SPEC §3).

Every caller — directory, matching, pages, admin — asks these functions; none
restates the rule. A rule is written once as a database expression so that lists
and the ranking gate in SQL; where a query is SQL text (the match index, the ranking) or
one loaded row is judged, a twin here says the same, and a test checks that both agree
(`credential_status` is the clock rule for one row, `live_credential_sql` its SQL text).
"""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from django.db.models import Case, CharField, Exists, F, OuterRef, Q, QuerySet, Value, When
from django.db.models.lookups import LessThanOrEqual

from directory import geo
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PractitionerProfile,
    Profession,
)
from directory.sqltext import as_float

EXPIRED = "expired"


# Professions whose licence makes a user a verified referring physician.
REFERRING_PROFESSIONS = (Profession.PHYSICIAN, Profession.NURSE_PRACTITIONER)


def active_practitioner_q(*, practitioner_path: str = "") -> Q:
    """Active (listed) = the profile is active AND its account is active: a practitioner
    who leaves is deactivated and vanishes from search (SPEC §3), and so does one whose
    account is closed. Only the active are listed, matched, reviewed, referred to, counted
    in the site-wide figures and may issue review invitations.

    `practitioner_path` is the path from the queried model to the PractitionerProfile
    ("" on PractitionerProfile itself, "practitioner" on Review or PractitionerStats).
    """
    prefix = f"{practitioner_path}__" if practitioner_path else ""
    return Q(**{f"{prefix}is_active": True, f"{prefix}user__is_active": True})


def practitioner_is_active(practitioner: PractitionerProfile) -> bool:
    """active_practitioner_q for one loaded profile (it reads `practitioner.user`); a test
    checks that both agree."""
    return practitioner.is_active and practitioner.user.is_active


def active_practitioner_sql(*, profile: str, user: str) -> str:
    """active_practitioner_q as SQL text, for queries written as SQL (the match index): the
    profile row aliased `profile` and its account row aliased `user`. A test checks that
    both forms select the same practitioners."""
    return f"{profile}.is_active AND {user}.is_active"


def fee_within_q(max_fee: Decimal | float) -> Q:
    """A practitioner whose fee per session is at most `max_fee`; one who gave no fee is
    left out (nothing says they fit the budget). On PractitionerProfile."""
    return Q(fee_per_session__lte=max_fee)


def fee_within_sql(*, fee: str, max_fee: str) -> str:
    """fee_within_q as SQL text (the ranking over the match index): NULL compares false."""
    return f"{fee} <= {as_float(max_fee)}"


def experienced_sql(*, experience_years: str, condition_referrals: str) -> str:
    """Experienced with a condition = reports experience with it (a ConditionExperience row,
    whatever its figures: the directory's `condition` filter) or has completed physician
    referrals for it. Over the match index's source columns (x.years is never NULL on a
    row that exists)."""
    return f"({experience_years} IS NOT NULL OR {condition_referrals} > 0)"


def treats_condition_q(conditions: Iterable[Condition], *, practitioner_path: str = "") -> Q:
    """A practitioner who reports experience with any of `conditions` (a ConditionExperience
    row): the directory's `condition` filter and the FHIR PractitionerRole's `specialty`.
    An EXISTS, so a practitioner is never repeated. `practitioner_path` as in
    active_practitioner_q ("practitioner" on Location)."""
    reference = OuterRef(practitioner_path or "pk")
    return Q(
        Exists(ConditionExperience.objects.filter(practitioner=reference, condition__in=conditions))
    )


def is_experienced(*, experience_years: int | None, condition_referrals: int) -> bool:
    """experienced_sql for one candidate's loaded figures."""
    return experience_years is not None or condition_referrals > 0


def within_radius_q(center: geo.Point, radius_km: float) -> Q:
    """A clinic (Location) within `radius_km` of `center`: its great-circle distance
    (geo.haversine_km) is at most the radius. The bounding box is only there so that the
    (lat, lng) index answers first; it holds every clinic the distance keeps."""
    distance = geo.haversine_km(center)
    return geo.bounding_box(center, radius_km).q() & Q(LessThanOrEqual(distance, radius_km))


def within_radius_sql(*, distance: str) -> str:
    """within_radius_q's test as SQL text, on `distance` (geo.haversine_sql, or a column
    that holds it) and the parameter %(radius_km)s of within_radius_params; a query adds
    geo.bounding_box_sql where an index should answer first. A test checks that both forms
    select the same clinics."""
    return f"{distance} <= {as_float('%(radius_km)s')}"


def within_radius_params(center: geo.Point, radius_km: float) -> dict[str, float]:
    """The parameters of within_radius_sql, geo.haversine_sql and geo.bounding_box_sql."""
    return {
        **geo.bounding_box(center, radius_km).params(),
        **geo.haversine_params(center),
        "radius_km": float(radius_km),
    }


def clinics_nearest_first(near: geo.Point | None = None) -> QuerySet[Location]:
    """Clinics in the order a practitioner's are shown, the first being "their clinic"
    (SPEC §5: distance is to the nearest): nearest first with `near` (annotated
    `distance_km`), else in the order they were added; ties by id. Filter it to one
    practitioner's clinics."""
    if near is None:
        return Location.objects.order_by("id")
    return Location.objects.annotate(distance_km=geo.haversine_km(near)).order_by(
        "distance_km", "id"
    )


def clinic_order_sql(*, distance: str | None, location_id: str) -> str:
    """clinics_nearest_first's order as SQL text (an ORDER BY list) over `distance` (None
    without a centre) and `location_id`. A test checks that the directory and the match
    show the same clinic at the same distance."""
    return f"{distance}, {location_id}" if distance is not None else location_id


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


# A credential without an expiry date is valid for ever: its validity (the credential
# facts' licence_valid_until and ims_valid_until) sorts after every real date.
NO_EXPIRY = date(9999, 12, 31)


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
