"""Writes to the signed-in user's profile, clinic locations and condition experience."""

from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from directory import limits
from directory.gazetteer import UnknownPlace, resolve_city
from directory.models import (
    Condition,
    ConditionExperience,
    Location,
    PractitionerProfile,
    User,
)
from directory.models.practitioners import languages_to_db
from directory.selectors.me import me_practitioner
from directory.services.changes import practitioner_changed
from directory.validators import model_validate

ACCOUNT_FIELDS = frozenset({"name", "email_notifications"})
PRACTITIONER_FIELDS = frozenset(
    {
        "profession",
        "bio",
        "languages",
        "accepting_new_patients",
        "fee_per_session",
        "direct_billing",
    }
)
# The writable fields of a clinic, in the order the API shows them.
LOCATION_FIELD_ORDER = (
    "name",
    "address",
    "city",
    "region",
    "postal_code",
    "country",
    "lat",
    "lng",
    "phone",
    "website",
    "booking_url",
    "hours",
    "wheelchair_accessible",
)
LOCATION_FIELDS = frozenset(LOCATION_FIELD_ORDER)
EXPERIENCE_FIELDS = frozenset({"condition", "years", "patients_treated"})


def _check_fields(changes: Mapping[str, Any], allowed: frozenset[str]) -> None:
    # The serializers reject these with 400; reaching here is a programming error.
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"Not writable here: {', '.join(sorted(unknown))}")


def profile_update(*, user: User, changes: Mapping[str, Any]) -> User:
    """Name and e-mail preference for every account; profile fields only for a user with a
    practitioner profile."""
    practitioner = me_practitioner(user=user)
    _check_fields(changes, ACCOUNT_FIELDS | (PRACTITIONER_FIELDS if practitioner else frozenset()))
    profile_changes = {k: v for k, v in changes.items() if k in PRACTITIONER_FIELDS}
    if "languages" in profile_changes:
        profile_changes["languages"] = languages_to_db(profile_changes["languages"])
    # Both rows are checked, on stand-ins, before either is touched: a refusal changes nothing.
    if "name" in changes:
        model_validate(User(name=changes["name"]), fields=["name"])
    if practitioner is not None and profile_changes:
        model_validate(PractitionerProfile(**profile_changes), fields=profile_changes)
    account_changes = {k: v for k, v in changes.items() if k in ACCOUNT_FIELDS}
    with transaction.atomic():
        if account_changes:
            for field, value in account_changes.items():
                setattr(user, field, value)
            user.save(update_fields=list(account_changes))
        if practitioner is not None and profile_changes:
            for field, value in profile_changes.items():
                setattr(practitioner, field, value)
            practitioner.save(update_fields=[*profile_changes, "updated_at"])
        if practitioner is not None and set(changes) - {"email_notifications"}:
            # The name shows in the directory and in every result card.
            practitioner_changed(practitioner_id=practitioner.pk)
    return user


def _check_coordinates_together(values: Mapping[str, Any]) -> None:
    for given, missing in (("lat", "lng"), ("lng", "lat")):
        if values.get(given) is not None and values.get(missing) is None:
            raise ValidationError(
                {
                    missing: [
                        "Give lat and lng together, or neither to look them up "
                        "from city and country."
                    ]
                }
            )


def _coordinates(*, city: str, country: str) -> tuple[float, float]:
    try:
        place = resolve_city(city, country)
    except UnknownPlace as exc:
        raise ValidationError({"city": [str(exc)]}) from None
    return place.lat, place.lng


def location_create(
    *,
    practitioner: PractitionerProfile,
    name: str,
    city: str,
    country: str,
    address: str = "",
    region: str = "",
    postal_code: str = "",
    lat: float | None = None,
    lng: float | None = None,
    phone: str = "",
    website: str = "",
    booking_url: str = "",
    hours: list[dict[str, str]] | None = None,
    wheelchair_accessible: bool | None = None,
) -> Location:
    """A clinic; without both lat and lng they come from the offline gazetteer. The phone
    is read in the clinic's country and stored in E.164 (Location.clean)."""
    _check_coordinates_together({"lat": lat, "lng": lng})
    location = Location(
        practitioner=practitioner,
        name=name,
        address=address,
        city=city,
        region=region,
        postal_code=postal_code,
        country=country,
        lat=lat,
        lng=lng,
        phone=phone,
        website=website,
        booking_url=booking_url,
        hours=hours or [],
        wheelchair_accessible=wheelchair_accessible,
    )
    model_validate(location, fields=LOCATION_FIELDS - {"lat", "lng"} if lat is None else None)
    if lat is None:
        location.lat, location.lng = _coordinates(city=city, country=country)
    with transaction.atomic():
        # Lock the profile so that two concurrent creates cannot both pass the limit.
        PractitionerProfile.objects.select_for_update().filter(pk=practitioner.pk).first()
        existing = Location.objects.filter(practitioner=practitioner).count()
        if existing >= limits.LOCATIONS_MAX:
            raise ValidationError(
                {
                    "non_field_errors": [
                        f"A practitioner can list at most {limits.LOCATIONS_MAX} "
                        "locations; delete one before adding another."
                    ]
                }
            )
        location.save(force_insert=True)
        practitioner_changed(practitioner_id=practitioner.pk)
    return location


def location_update(*, location: Location, changes: Mapping[str, Any]) -> Location:
    """Given lat/lng win; otherwise a new city or country moves the pin to the new city."""
    _check_fields(changes, LOCATION_FIELDS)
    _check_coordinates_together(changes)
    if not changes:
        return location
    for field, value in changes.items():
        setattr(location, field, value)
    model_validate(location, fields=changes)
    moved = "city" in changes or "country" in changes
    if moved and not ("lat" in changes and "lng" in changes):
        location.lat, location.lng = _coordinates(city=location.city, country=location.country)
    with transaction.atomic():
        location.save(update_fields=list({*changes, "lat", "lng"}))
        practitioner_changed(practitioner_id=location.practitioner_id)
    return location


def location_delete(*, location: Location) -> None:
    # Nothing but the match index points at a location; a removed clinic simply stops
    # counting for distance.
    with transaction.atomic():
        location.delete()
        practitioner_changed(practitioner_id=location.practitioner_id)


def _duplicate_experience(
    *, practitioner: PractitionerProfile, condition: Condition, exclude_id: int | None = None
) -> ValidationError | None:
    existing = ConditionExperience.objects.filter(practitioner=practitioner, condition=condition)
    if exclude_id is not None:
        existing = existing.exclude(pk=exclude_id)
    existing_id = existing.values_list("pk", flat=True).first()
    if existing_id is None:
        return None
    return ValidationError(
        {
            "condition": [
                f"Experience for {condition.slug} already exists; change it with "
                f"PATCH /api/v1/me/experience/{existing_id}/."
            ]
        }
    )


def _save_experience(experience: ConditionExperience, **save_kwargs: Any) -> None:
    """Save; the unique constraint backs the pre-check up when two writes race."""
    model_validate(experience, fields=save_kwargs.get("update_fields"))
    duplicate = _duplicate_experience(
        practitioner=experience.practitioner,
        condition=experience.condition,
        exclude_id=experience.pk,
    )
    if duplicate is not None:
        raise duplicate
    try:
        with transaction.atomic():
            experience.save(**save_kwargs)
    except IntegrityError:
        duplicate = _duplicate_experience(
            practitioner=experience.practitioner,
            condition=experience.condition,
            exclude_id=experience.pk,
        )
        if duplicate is None:
            raise
        raise duplicate from None


def experience_create(
    *,
    practitioner: PractitionerProfile,
    condition: Condition,
    years: int,
    patients_treated: int,
) -> ConditionExperience:
    experience = ConditionExperience(
        practitioner=practitioner,
        condition=condition,
        years=years,
        patients_treated=patients_treated,
    )
    with transaction.atomic():
        _save_experience(experience, force_insert=True)
        practitioner_changed(practitioner_id=practitioner.pk)
    return experience


def experience_update(
    *, experience: ConditionExperience, changes: Mapping[str, Any]
) -> ConditionExperience:
    _check_fields(changes, EXPERIENCE_FIELDS)
    if not changes:
        return experience
    for field, value in changes.items():
        setattr(experience, field, value)
    with transaction.atomic():
        _save_experience(experience, update_fields=list(changes))
        practitioner_changed(practitioner_id=experience.practitioner_id)
    return experience


@transaction.atomic
def experience_delete(*, experience: ConditionExperience) -> None:
    experience.delete()
    practitioner_changed(practitioner_id=experience.practitioner_id)


@transaction.atomic
def practitioner_set_active(*, practitioner: PractitionerProfile, active: bool) -> None:
    """Deactivate a practitioner who leaves (never deleted: reviews and referrals point at
    them), or bring them back; they vanish from, or return to, search at once."""
    practitioner.is_active = active
    practitioner.save(update_fields=["is_active", "updated_at"])
    practitioner_changed(practitioner_id=practitioner.pk)
