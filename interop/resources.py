# TEMPORARY: replaced by the FHIR helper's module at merge
"""A stand-in for the FHIR resource builder, with the interface the bulk export codes
against: simple but valid R4 resources, listed practitioners and verified credentials only.
The real module (the FHIR read API's) replaces this file whole."""

from collections.abc import Iterator
from datetime import date, datetime

from django.db.models import QuerySet

from directory.models import Credential, Location, PractitionerProfile
from directory.rules import active_practitioner_q, live_credentials

RESOURCE_TYPES = ("Practitioner", "PractitionerRole", "Location", "VerificationResult")


def _practitioners(*, since: datetime | None) -> QuerySet[PractitionerProfile]:
    listed = PractitionerProfile.objects.filter(active_practitioner_q())
    if since is not None:
        listed = listed.filter(listing_changed_at__gte=since)
    return listed


def _practitioner(profile: PractitionerProfile) -> dict:
    return {
        "resourceType": "Practitioner",
        "id": str(profile.pk),
        "active": True,
        "name": [{"text": profile.user.name}],
    }


def _role(location: Location) -> dict:
    return {
        "resourceType": "PractitionerRole",
        "id": f"{location.practitioner_id}-{location.pk}",
        "active": True,
        "practitioner": {"reference": f"Practitioner/{location.practitioner_id}"},
        "location": [{"reference": f"Location/{location.pk}"}],
    }


def _location(location: Location) -> dict:
    return {
        "resourceType": "Location",
        "id": str(location.pk),
        "name": location.name,
        "address": {"city": location.city, "country": location.country},
        "position": {"latitude": location.lat, "longitude": location.lng},
    }


def _verification(credential: Credential) -> dict:
    return {
        "resourceType": "VerificationResult",
        "id": str(credential.pk),
        "target": [{"reference": f"Practitioner/{credential.owner.practitioner.pk}"}],
        "status": "validated",
    }


def resources_iter(
    *, resource_type: str, since: datetime | None, today: date, chunk_size: int = 500
) -> Iterator[dict]:
    if resource_type not in RESOURCE_TYPES:
        raise ValueError(f"Unknown resource type {resource_type!r}")
    practitioners = _practitioners(since=since)
    if resource_type == "Practitioner":
        rows = practitioners.select_related("user").order_by("pk")
        return (_practitioner(row) for row in rows.iterator(chunk_size=chunk_size))
    if resource_type == "VerificationResult":
        rows = (
            live_credentials(today=today)
            .filter(owner__practitioner__in=practitioners)
            .select_related("owner__practitioner")
            .order_by("pk")
        )
        return (_verification(row) for row in rows.iterator(chunk_size=chunk_size))
    locations = Location.objects.filter(practitioner__in=practitioners).order_by("pk")
    build = _role if resource_type == "PractitionerRole" else _location
    return (build(row) for row in locations.iterator(chunk_size=chunk_size))
