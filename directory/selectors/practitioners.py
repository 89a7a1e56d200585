"""Reads of the public directory: active practitioners only (SPEC §3: a practitioner who
leaves is deactivated and vanishes from search).

Everything a list row shows is computed in the database — `qualified` from
directory.rules, the distance to the nearest clinic, that clinic's name and city — so a
page costs a count and one select whatever the page size or the number of practitioners.
"""

from collections.abc import Mapping
from datetime import date

from django.core.exceptions import ValidationError
from django.db.models import (
    BooleanField,
    ExpressionWrapper,
    FloatField,
    OrderBy,
    OuterRef,
    Prefetch,
    QuerySet,
    Subquery,
    Value,
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
from directory.rules import qualified_q


def practitioner_active_qs(*, today: date) -> QuerySet[PractitionerProfile]:
    """Active profiles of active accounts, each annotated with `qualified`."""
    return (
        PractitionerProfile.objects.filter(is_active=True, user__is_active=True)
        .select_related("user")
        .annotate(
            qualified=ExpressionWrapper(qualified_q(today=today), output_field=BooleanField())
        )
    )


def practitioner_list(
    *, filters: Mapping[str, str], today: date | None = None
) -> QuerySet[PractitionerProfile]:
    """Active practitioners narrowed by the directory's query parameters, ordered.

    Rows carry `qualified`, `clinic_name`, `clinic_city` and `distance_km` (None without
    `near`). Raises django ValidationError ({"param": ["message"]}) on a bad parameter.
    """
    today = today or timezone.localdate()
    filterset = PractitionerFilterSet(data=filters, queryset=practitioner_active_qs(today=today))
    if not filterset.is_valid():
        raise ValidationError(_messages(filterset.errors))
    near: geo.Point | None = filterset.form.cleaned_data.get("near")
    ordering: str | None = filterset.form.cleaned_data.get("ordering")
    # The bio (up to 5,000 characters) is shown only on the detail page.
    practitioners = _with_clinic(filterset.qs.defer("bio"), near=near)
    return practitioners.order_by(*_order_by(ordering or ("distance" if near else "name")))


def practitioner_get(*, practitioner_id: int, today: date | None = None) -> PractitionerProfile:
    """One active practitioner with public credentials, experience and clinics prefetched
    (five queries however many of each). Raises PractitionerProfile.DoesNotExist."""
    today = today or timezone.localdate()
    credentials = Credential.objects.filter(withdrawn_at__isnull=True).order_by("id")
    experience = ConditionExperience.objects.select_related("condition").order_by(
        "condition__name", "id"
    )
    referrals = ConditionReferralStats.objects.filter(completed_referrals__gt=0).select_related(
        "condition"
    )
    return (
        practitioner_active_qs(today=today)
        .select_related("stats")
        .prefetch_related(
            Prefetch("user__credentials", queryset=credentials, to_attr="public_credentials"),
            Prefetch("experience", queryset=experience),
            Prefetch("locations", queryset=Location.objects.order_by("id")),
            Prefetch("condition_stats", queryset=referrals),
        )
        .get(pk=practitioner_id)
    )


def _with_clinic(
    practitioners: QuerySet[PractitionerProfile], *, near: geo.Point | None
) -> QuerySet[PractitionerProfile]:
    """Annotate the clinic a row shows: the nearest one with `near`, else the first by id."""
    if near is None:
        clinics = Location.objects.filter(practitioner=OuterRef("pk")).order_by("id")
        distance = Value(None, output_field=FloatField())
    else:
        clinics = (
            Location.objects.filter(practitioner=OuterRef("pk"))
            .annotate(distance_km=geo.haversine_km(near))
            .order_by("distance_km", "id")
        )
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
