"""Reads of the public directory: active practitioners only (SPEC §3: a practitioner who
leaves is deactivated and vanishes from search).

Everything a list row shows is computed in the database — `qualified` from
directory.rules, the distance to the nearest clinic, that clinic's name and city — so a
page costs one select (and a count when it is full) whatever the page size or the number
of practitioners. `qualified` reads the maintained figures row (rules.qualified_figures_q):
one join instead of two credential probes per row.

The public API reads plain rows (`values`) rather than model instances: the directory is
the service's busiest read, and building and compiling fewer, simpler queries is most of
what a request costs.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    Case,
    F,
    FloatField,
    OrderBy,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Lower
from django.utils import timezone

from directory import geo
from directory.filters.practitioners import PractitionerFilterSet
from directory.models import (
    ConditionExperience,
    ConditionReferralStats,
    Credential,
    Location,
    PractitionerProfile,
)
from directory.rules import active_practitioner_q, clinics_nearest_first, qualified_figures_q

# What a list row shows (the serializer adds the URL and rounds the distance).
LIST_ROW_FIELDS = (
    "id",
    "profession",
    "languages",
    "accepting_new_patients",
    "qualified",
    "clinic_name",
    "clinic_city",
    "distance_km",
)


def practitioner_active_qs(*, today: date) -> QuerySet[PractitionerProfile]:
    """Active profiles of active accounts, each annotated with `qualified`."""
    return (
        PractitionerProfile.objects.filter(active_practitioner_q())
        .select_related("user")
        .annotate(qualified=_qualified(today=today))
    )


def _qualified(*, today: date) -> Case:
    # A practitioner without a figures row (no credential written yet) joins NULLs: not
    # qualified, and never a null in the response.
    return Case(
        When(qualified_figures_q(today=today), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def practitioner_list(
    *, filters: Mapping[str, str], today: date | None = None
) -> QuerySet[PractitionerProfile]:
    """Active practitioners narrowed by the directory's query parameters, ordered.

    Rows are dicts of LIST_ROW_FIELDS and `name`; `distance_km` is None without `near`.
    Raises django ValidationError ({"param": ["message"]}) on a bad parameter.
    """
    today = today or timezone.localdate()
    filterset = PractitionerFilterSet(data=filters, queryset=practitioner_active_qs(today=today))
    if not filterset.is_valid():
        raise ValidationError(_messages(filterset.errors))
    near: geo.Point | None = filterset.form.cleaned_data.get("near")
    ordering: str | None = filterset.form.cleaned_data.get("ordering")
    practitioners = _with_clinic(filterset.qs, near=near)
    return practitioners.order_by(*_order_by(ordering or ("distance" if near else "name"))).values(
        *LIST_ROW_FIELDS, name=F("user__name")
    )


def practitioner_get(*, practitioner_id: int, today: date | None = None) -> PractitionerProfile:
    """One active practitioner with figures, public credentials and clinics (the profile
    page; three queries however many of each). Raises PractitionerProfile.DoesNotExist."""
    today = today or timezone.localdate()
    return (
        practitioner_active_qs(today=today)
        .select_related("stats")
        .prefetch_related(
            Prefetch(
                "user__credentials", queryset=_public_credentials(), to_attr="public_credentials"
            ),
            Prefetch("locations", queryset=clinics_nearest_first()),
        )
        .get(pk=practitioner_id)
    )


@dataclass(frozen=True)
class PractitionerDetail:
    """What GET /practitioners/{id}/ shows: the profile (with its account, figures and
    `qualified`), its public credentials, its experience rows and its clinics."""

    practitioner: PractitionerProfile
    credentials: list[Credential]
    experience: list[dict]
    locations: list[Location]


def practitioner_detail_get(
    *, practitioner_id: int, today: date | None = None
) -> PractitionerDetail:
    """The public page of one active practitioner in five plain queries, however many rows:
    no prefetch machinery, which cost more than the queries themselves.
    Raises PractitionerProfile.DoesNotExist."""
    today = today or timezone.localdate()
    practitioner = (
        practitioner_active_qs(today=today).select_related("stats").get(pk=practitioner_id)
    )
    return PractitionerDetail(
        practitioner=practitioner,
        credentials=list(_public_credentials().filter(owner_id=practitioner.user_id)),
        experience=practitioner_experience(practitioner_id=practitioner.pk),
        locations=list(clinics_nearest_first().filter(practitioner_id=practitioner.pk)),
    )


def practitioner_experience(*, practitioner_id: int) -> list[dict]:
    """Experience by condition: the practitioner's own claim (years, patients: shown as
    self-reported) plus completed physician referrals for it (verified, SPEC §3); then the
    conditions known only from referrals, with null years and patients. Two queries."""
    condition = {"slug": F("condition__slug"), "name": F("condition__name")}
    counted = {
        row["condition_id"]: row
        for row in ConditionReferralStats.objects.filter(
            practitioner_id=practitioner_id, completed_referrals__gt=0
        ).values("condition_id", "completed_referrals", **condition)
    }
    claimed = (
        ConditionExperience.objects.filter(practitioner_id=practitioner_id)
        .order_by("condition__name", "id")
        .values("condition_id", "years", "patients_treated", **condition)
    )
    rows = [
        _experience_row(claim=claim, referrals=counted.pop(claim["condition_id"], None))
        for claim in claimed
    ]
    for referrals in sorted(counted.values(), key=lambda row: row["name"]):
        rows.append(_experience_row(claim=None, referrals=referrals))
    return rows


def _experience_row(*, claim: dict | None, referrals: dict | None) -> dict:
    condition = claim or referrals
    return {
        "condition": condition["slug"],
        "condition_name": condition["name"],
        "years": claim["years"] if claim else None,
        "patients_treated": claim["patients_treated"] if claim else None,
        "self_reported": claim is not None,
        "completed_referrals": referrals["completed_referrals"] if referrals else 0,
    }


def _public_credentials() -> QuerySet[Credential]:
    # Withdrawn credentials vanish from the public page; the others show with their status.
    return Credential.objects.filter(withdrawn_at__isnull=True).order_by("id")


def _with_clinic(
    practitioners: QuerySet[PractitionerProfile], *, near: geo.Point | None
) -> QuerySet[PractitionerProfile]:
    """Annotate the clinic a row shows: the nearest one with `near`, else the first."""
    clinics = clinics_nearest_first(near).filter(practitioner=OuterRef("pk"))
    if near is None:
        distance = Value(None, output_field=FloatField())
    else:
        distance = Subquery(clinics.values("distance_km")[:1], output_field=FloatField())
    return practitioners.annotate(
        distance_km=distance,
        clinic_name=Subquery(clinics.values("name")[:1]),
        clinic_city=Subquery(clinics.values("city")[:1]),
    )


def _order_by(ordering: str) -> list[OrderBy | str]:
    # id last: equal names or distances still page in a stable order.
    if ordering == "distance":
        return ["distance_km", "id"]
    name = Lower("user__name")
    return [name.desc() if ordering == "-name" else name.asc(), "id"]


def _messages(errors: Mapping[str, list]) -> dict[str, list[str]]:
    return {field: [str(message) for message in messages] for field, messages in errors.items()}
