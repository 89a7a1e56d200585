"""The seed_<aggregate> functions: each creates the rows missing by a natural key
(e-mail, clinic name, condition, credential number) and never updates one, so a second
run writes nothing. One bulk_create per aggregate keeps the seed fast."""

from collections.abc import Iterable
from datetime import datetime

from django.db import connection, models

from directory.demo.plans import AccountPlan, CredentialPlan, PractitionerPlan
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    User,
)
from directory.models.practitioners import languages_to_db

BATCH = 500


def create_missing(
    model: type[models.Model],
    candidates: Iterable[models.Model],
    key: tuple[str, ...],
    scope: models.Q,
    *,
    stamped: tuple[str, ...] = (),
) -> list[models.Model]:
    """bulk_create the candidates whose natural key is not in the database yet; returns them.

    `stamped` names auto_now/auto_now_add fields whose planned values should stick
    (bulk_create overwrites them with the current time; see _restamp).
    """
    existing = set(model._default_manager.filter(scope).values_list(*key))
    missing = [obj for obj in candidates if tuple(getattr(obj, f) for f in key) not in existing]
    planned = [[getattr(obj, name) for name in stamped] for obj in missing]
    model._default_manager.bulk_create(missing, batch_size=BATCH)
    if stamped and missing:
        _restamp(model, missing, stamped, planned)
    return missing


def _restamp(
    model: type[models.Model],
    rows: list[models.Model],
    names: tuple[str, ...],
    planned: list[list[datetime]],
) -> None:
    """Writes the planned timestamps over the ones bulk_create stamped.

    One parameterised UPDATE run with executemany: bulk_update builds a CASE expression per
    row and field, which took 1.8 s of the default seed when profiled; this takes a tenth of
    that. An UPDATE leaves auto_now alone, and the values go through each field's own
    database conversion (get_db_prep_save), as the ORM's would.
    """
    quote = connection.ops.quote_name
    fields = [model._meta.get_field(name) for name in names]
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in fields)
    pk_column = quote(model._meta.pk.column)
    sql = f"UPDATE {quote(model._meta.db_table)} SET {assignments} WHERE {pk_column} = %s"
    params = []
    for obj, values in zip(rows, planned, strict=True):
        prepared = []
        for field, value in zip(fields, values, strict=True):
            setattr(obj, field.attname, value)
            prepared.append(field.get_db_prep_save(value, connection))
        params.append([*prepared, obj.pk])
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def seed_users(accounts: list[AccountPlan], *, password: str) -> tuple[dict[str, User], int]:
    emails = [account.email for account in accounts]
    users = (
        User(
            email=account.email,
            name=account.name,
            role=account.role,
            is_staff=account.is_staff,
            is_superuser=account.is_staff,
            password=password,
            date_joined=account.date_joined,
        )
        for account in accounts
    )
    created = len(create_missing(User, users, ("email",), models.Q(email__in=emails)))
    return {user.email: user for user in User.objects.filter(email__in=emails)}, created


def seed_physicians(emails: list[str], users: dict[str, User]) -> int:
    ids = [users[email].pk for email in emails]
    profiles = (PhysicianProfile(user_id=user_id) for user_id in ids)
    return len(create_missing(PhysicianProfile, profiles, ("user_id",), models.Q(user_id__in=ids)))


def seed_practitioners(
    plans: list[PractitionerPlan], users: dict[str, User]
) -> tuple[dict[str, PractitionerProfile], int]:
    ids = [users[plan.account.email].pk for plan in plans]
    profiles = (
        PractitionerProfile(
            user_id=users[plan.account.email].pk,
            profession=plan.profession,
            bio=plan.bio,
            languages=languages_to_db(list(plan.languages)),
            accepting_new_patients=plan.accepting_new_patients,
            fee_per_session=plan.fee_per_session,
            direct_billing=plan.direct_billing,
            is_active=plan.is_active,
        )
        for plan in plans
    )
    scope = models.Q(user_id__in=ids)
    created = len(create_missing(PractitionerProfile, profiles, ("user_id",), scope))
    stored = PractitionerProfile.objects.filter(scope).select_related("user")
    return {profile.user.email: profile for profile in stored}, created


def seed_locations(plans: list[PractitionerPlan], profiles: dict[str, PractitionerProfile]) -> int:
    locations = (
        Location(
            practitioner=profiles[plan.account.email],
            country="CA",
            **(vars(clinic) | {"hours": list(clinic.hours)}),
        )
        for plan in plans
        for clinic in plan.clinics
    )
    scope = models.Q(practitioner__in=list(profiles.values()))
    return len(create_missing(Location, locations, ("practitioner_id", "name"), scope))


def seed_experience(plans: list[PractitionerPlan], profiles: dict[str, PractitionerProfile]) -> int:
    condition_ids = dict(Condition.objects.values_list("slug", "id"))
    rows = (
        ConditionExperience(
            practitioner=profiles[plan.account.email],
            condition_id=condition_ids[slug],
            years=years,
            patients_treated=patients,
        )
        for plan in plans
        for slug, years, patients in plan.experience
    )
    scope = models.Q(practitioner__in=list(profiles.values()))
    return len(
        create_missing(ConditionExperience, rows, ("practitioner_id", "condition_id"), scope)
    )


def seed_credentials(
    credentials: dict[str, tuple[CredentialPlan, ...]], users: dict[str, User], *, reviewer: User
) -> int:
    rows = (
        Credential(
            owner=users[email],
            # The database insists that a reviewed credential names who and when.
            reviewed_by=None if plan.status == CredentialStatus.PENDING else reviewer,
            **vars(plan),
        )
        for email, plans in credentials.items()
        for plan in plans
    )
    scope = models.Q(owner__in=[users[email] for email in credentials])
    return len(create_missing(Credential, rows, ("owner_id", "kind", "number"), scope))
