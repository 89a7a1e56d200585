"""What the FHIR API and the bulk export publish, read with the directory's own rules.

Published = listed (directory.rules.active_practitioner_q) AND qualified as of today
(rules.qualified_figures_q, the figure the directory's `qualified` reads): a provider
directory names the practitioners a patient may be sent to. Of their credentials only the
live licences and IMS certifications (rules.live_credentials: verified, not withdrawn, not
expired) are published; pending, rejected, expired and withdrawn ones never are.

Searches return querysets in a stable order (so that pages never overlap); the rows each
resource is built from are read by the *_rows functions, one query per kind of row
whatever the number of rows, for interop.resources.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.db.models import F, Q, QuerySet

from directory import geo
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialKind,
    Location,
    PractitionerProfile,
)
from directory.models.credentials import SUBSTANCE_FIELDS
from directory.rules import (
    active_practitioner_q,
    clinics_nearest_first,
    live_credentials,
    qualified_figures_q,
    treats_condition_q,
    within_radius_q,
)
from directory.services.profiles import LOCATION_FIELD_ORDER

# The credentials a Practitioner's `qualification` and a VerificationResult publish.
PUBLISHED_KINDS = (CredentialKind.LICENSE, CredentialKind.IMS_CERTIFICATION)


def published_q(*, today: date, practitioner_path: str = "") -> Q:
    """A listed, qualified practitioner, on PractitionerProfile ("") or through
    `practitioner_path` ("practitioner" on Location, "owner__practitioner" on Credential)."""
    prefix = f"{practitioner_path}__" if practitioner_path else ""
    return active_practitioner_q(practitioner_path=practitioner_path) & qualified_figures_q(
        today=today, stats_path=f"{prefix}stats"
    )


def practitioners_published(
    *, today: date, since: datetime | None = None
) -> QuerySet[PractitionerProfile]:
    """Every published practitioner by id; with `since`, those whose listing changed then
    or later (PractitionerProfile.listing_changed_at, kept by practitioner_changed)."""
    practitioners = PractitionerProfile.objects.filter(published_q(today=today))
    if since is not None:
        practitioners = practitioners.filter(listing_changed_at__gte=since)
    return practitioners.order_by("id")


def practitioner_search(
    *, today: date, ids: list[int] | None = None, name: str | None = None
) -> QuerySet[PractitionerProfile]:
    """Published practitioners by id; `ids` keeps those, `name` those with a word of their
    name starting with it (FHIR's default string match, case-insensitive: "ada" finds Ada
    Gunn and Cy Adams, "unn" nobody)."""
    practitioners = practitioners_published(today=today)
    if ids is not None:
        practitioners = practitioners.filter(pk__in=ids)
    if name:
        practitioners = practitioners.filter(
            Q(user__name__istartswith=name) | Q(user__name__icontains=f" {name}")
        )
    return practitioners


def locations_published(*, today: date, near: geo.Point | None = None) -> QuerySet[Location]:
    """The clinics of published practitioners, in the directory's clinic order
    (rules.clinics_nearest_first: nearest first with `near`, annotated `distance_km`)."""
    return clinics_nearest_first(near).filter(
        published_q(today=today, practitioner_path="practitioner")
    )


def location_search(
    *,
    today: date,
    ids: list[int] | None = None,
    practitioner_ids: list[int] | None = None,
    conditions: Iterable[Condition] | None = None,
    city: str | None = None,
    near: geo.Point | None = None,
    radius_km: float | None = None,
) -> QuerySet[Location]:
    """Published clinics (a PractitionerRole is one, with its practitioner): `ids`,
    `practitioner_ids`, a practitioner who treats any of `conditions`, a `city` that
    starts with the text (case-insensitive), within `radius_km` of `near` by the same
    great-circle distance and (lat, lng) index as the directory and the match
    (rules.within_radius_q); nearest first with `near`, else by id."""
    locations = locations_published(today=today, near=near)
    if ids is not None:
        locations = locations.filter(pk__in=ids)
    if practitioner_ids is not None:
        locations = locations.filter(practitioner_id__in=practitioner_ids)
    if conditions is not None:
        locations = locations.filter(
            treats_condition_q(conditions, practitioner_path="practitioner")
        )
    if city:
        locations = locations.filter(city__istartswith=city)
    if near is not None and radius_km is not None:
        locations = locations.filter(within_radius_q(near, radius_km))
    return locations


def credentials_published(*, today: date) -> QuerySet[Credential]:
    """Live licences and IMS certifications of published practitioners, by id."""
    return (
        live_credentials(today=today)
        .filter(kind__in=PUBLISHED_KINDS)
        .filter(published_q(today=today, practitioner_path="owner__practitioner"))
        .order_by("id")
    )


def credential_search(
    *, today: date, ids: list[int] | None = None, practitioner_ids: list[int] | None = None
) -> QuerySet[Credential]:
    credentials = credentials_published(today=today)
    if ids is not None:
        credentials = credentials.filter(pk__in=ids)
    if practitioner_ids is not None:
        credentials = credentials.filter(owner__practitioner__in=practitioner_ids)
    return credentials


def conditions_by_slug(slugs: Iterable[str]) -> dict[str, Condition]:
    return {condition.slug: condition for condition in Condition.objects.filter(slug__in=slugs)}


def condition_list() -> list[Condition]:
    return list(Condition.objects.order_by("name", "id"))


# The rows resources are built from: plain values, one query each.

PRACTITIONER_FIELDS = ("id", "user_id", "profession", "languages", "accepting_new_patients")
# A clinic's fields as the service lists them, and a credential's substance (what its owner
# states), with the ids and the review facts a VerificationResult adds.
LOCATION_FIELDS = ("id", "practitioner_id", *LOCATION_FIELD_ORDER)
CREDENTIAL_FIELDS = (
    "id",
    "owner_id",
    "kind",
    *SUBSTANCE_FIELDS,
    "reviewed_at",
    "register_checked_on",
    "register_source",
)


def practitioner_rows(practitioners: QuerySet[PractitionerProfile]) -> list[dict]:
    return list(
        practitioners.values(
            *PRACTITIONER_FIELDS, name=F("user__name"), changed_at=F("listing_changed_at")
        )
    )


def location_rows(locations: QuerySet[Location]) -> list[dict]:
    """Each clinic with what its PractitionerRole says of the practitioner."""
    return list(
        locations.values(
            *LOCATION_FIELDS,
            practitioner_name=F("practitioner__user__name"),
            profession=F("practitioner__profession"),
            accepting_new_patients=F("practitioner__accepting_new_patients"),
            changed_at=F("practitioner__listing_changed_at"),
        )
    )


def credential_rows(credentials: QuerySet[Credential]) -> list[dict]:
    """Each credential with its practitioner's id, name and listing date."""
    return list(
        credentials.values(
            *CREDENTIAL_FIELDS,
            practitioner_id=F("owner__practitioner__id"),
            practitioner_name=F("owner__name"),
            changed_at=F("owner__practitioner__listing_changed_at"),
        )
    )


def condition_rows(*, practitioner_ids: Iterable[int]) -> list[dict]:
    """The conditions each practitioner reports experience with (the directory's
    `condition` filter, rules.treats_condition_q), by name."""
    return list(
        ConditionExperience.objects.filter(practitioner_id__in=list(practitioner_ids))
        .order_by("condition__name", "condition_id")
        .values("practitioner_id", slug=F("condition__slug"), name=F("condition__name"))
    )
