"""bench_match's synthetic practitioners: generated in chunks and written in bulk.

On PostgreSQL each table is written with COPY (psycopg's cursor.copy), ids of users and
profiles reserved from their sequences beforehand, so 100,000 practitioners (about 1.2
million source rows) go in within a minute or so; elsewhere (SQLite) bulk_create in
batches of 1,000. Every address ends in "@<distribution>.bench.invalid", so a rerun finds
the data of its own distribution and never mixes two.
"""

import random
from collections.abc import Iterable
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, models
from django.utils import timezone

from directory.models import (
    Condition,
    ConditionExperience,
    ConditionReferralStats,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PractitionerProfile,
    PractitionerStats,
    Role,
    User,
)
from directory.models.match_index import FIGURE_COLUMNS
from matching.management.commands._bench_places import DISTRIBUTIONS, Distribution

DOMAIN = "bench.invalid"
MODERATOR_EMAIL = f"moderator@{DOMAIN}"
CHUNK = 10_000  # practitioners generated and written at a time
BULK_BATCH = 1_000
# The PractitionerStats figures the generator writes (the credential facts come after).
FIGURES = (*FIGURE_COLUMNS, "overall_sum", "completed_referrals")


def practitioner_domain(distribution: str) -> str:
    return f"{distribution}.{DOMAIN}"


def bench_practitioners(distribution: str) -> "models.QuerySet[PractitionerProfile]":
    return PractitionerProfile.objects.filter(
        user__email__endswith=f"@{practitioner_domain(distribution)}"
    )


def bench_counts() -> dict[str, int]:
    """Bench practitioners per distribution, and those of the command's first version."""
    counts = {name: bench_practitioners(name).count() for name in DISTRIBUTIONS}
    counts["an earlier bench_match"] = PractitionerProfile.objects.filter(
        user__email__endswith=f"@{DOMAIN}"
    ).count()
    return counts


def bench_wipe() -> int:
    """Delete every bench row (all distributions); returns the practitioners deleted."""
    # "bench.invalidx": the moderator of the command's first version.
    users = User.objects.filter(email__contains=DOMAIN)
    profiles = PractitionerProfile.objects.filter(user__in=users)
    deleted = profiles.count()
    Credential.objects.filter(owner__in=users).delete()
    profiles.delete()
    users.delete()
    return deleted


class Table:
    """Rows for one model, given as tuples of `fields`; every other column takes its
    model default (auto_now fields: now)."""

    def __init__(self, model: type[models.Model], fields: tuple[str, ...]) -> None:
        self.model, self.fields = model, fields
        self.rows: list[tuple] = []

    def add(self, *values) -> None:
        self.rows.append(values)

    def write(self) -> None:
        if connection.vendor == "postgresql":
            self._copy()
        else:
            self.model.objects.bulk_create(
                (self.model(**dict(zip(self.fields, row, strict=True))) for row in self.rows),
                batch_size=BULK_BATCH,
            )
        self.rows = []

    def _copy(self) -> None:
        meta, now = self.model._meta, timezone.now()
        given = [meta.get_field(name) for name in self.fields]
        rest = [f for f in meta.concrete_fields if f not in given and not f.primary_key]
        constants = tuple(
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in rest
        )
        columns = ", ".join(connection.ops.quote_name(f.column) for f in given + rest)
        sql = f"COPY {connection.ops.quote_name(meta.db_table)} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.copy(sql) as copy:
            for row in self.rows:
                copy.write_row(row + constants)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys, so that children can point at rows written by COPY."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {connection.ops.quote_name(table)}")
        start = cursor.fetchone()[0] + 1
    return list(range(start, start + count))


class BenchData:
    """Generates practitioners like the command always has: a licence and an IMS
    certification for 85 %, 0–2 trainings, 1–2 clinics, experience with 2–6 conditions
    (a fifth of them with completed referrals) and review/referral figures."""

    def __init__(
        self, distribution: Distribution, rnd: random.Random, *, max_clinics: int = 2
    ) -> None:
        self.distribution, self.rnd, self.max_clinics = distribution, rnd, max_clinics
        self.domain = practitioner_domain(distribution.name)
        self.today = date.today()
        self.conditions = list(Condition.objects.values_list("pk", flat=True))
        self.password = make_password(None)
        self.moderator, _ = User.objects.get_or_create(
            email=MODERATOR_EMAIL, defaults={"is_staff": True, "password": self.password}
        )
        self.reviewed_at = timezone.now()

    def build(self, start: int, end: int) -> list[int]:
        """Practitioners number start..end-1; returns their profile ids."""
        ids: list[int] = []
        for chunk_start in range(start, end, CHUNK):
            ids += self._chunk(range(chunk_start, min(chunk_start + CHUNK, end)))
        return ids

    def _chunk(self, numbers: range) -> list[int]:
        user_ids = reserve_ids(User, len(numbers))
        profile_ids = reserve_ids(PractitionerProfile, len(numbers))
        users = Table(User, ("id", "email", "name", "role", "password"))
        profiles = Table(
            PractitionerProfile, ("id", "user_id", "languages", "accepting_new_patients")
        )
        for number, user_id, profile_id in zip(numbers, user_ids, profile_ids, strict=True):
            users.add(
                user_id,
                f"p{number}@{self.domain}",
                f"Bench Practitioner {number}",
                Role.PRACTITIONER,
                self.password,
            )
            profiles.add(
                profile_id,
                user_id,
                self.rnd.choice([",en,", ",en,", ",en,fr,", ",fr,", ",en,zh,"]),
                self.rnd.random() < 0.8,
            )
        children = self._children(zip(user_ids, profile_ids, strict=True))
        for table in (users, profiles, *children):
            table.write()
        return profile_ids

    def _children(self, owners: Iterable[tuple[int, int]]) -> list[Table]:
        credentials = Table(
            Credential,
            (
                "owner_id", "kind", "issuer", "number", "profession", "jurisdiction",
                "issued_on", "expires_on", "title", "status", "reviewed_by_id", "reviewed_at",
            ),
        )  # fmt: skip
        locations = Table(Location, ("practitioner_id", "name", "city", "country", "lat", "lng"))
        experience = Table(
            ConditionExperience, ("practitioner_id", "condition_id", "years", "patients_treated")
        )
        condition_stats = Table(
            ConditionReferralStats, ("practitioner_id", "condition_id", "completed_referrals")
        )
        stats = Table(PractitionerStats, ("practitioner_id", *FIGURES))
        for user_id, profile_id in owners:
            metro = self.distribution.metro(self.rnd)
            for row in self._credentials(metro.region):
                credentials.add(user_id, *row, CredentialStatus.VERIFIED, self.moderator.pk,
                                self.reviewed_at)  # fmt: skip
            for j in range(min(self.rnd.choice([1, 1, 2]), self.max_clinics)):
                point = self.distribution.clinic(self.rnd, metro)
                name = f"Clinic {profile_id}-{j}"
                locations.add(profile_id, name, metro.name, "CA", point.lat, point.lng)
            for condition_id in self.rnd.sample(self.conditions, self.rnd.randint(2, 6)):
                years, patients = self.rnd.randint(0, 30), self.rnd.randint(0, 2000)
                experience.add(profile_id, condition_id, years, patients)
                if self.rnd.random() < 0.2:
                    condition_stats.add(profile_id, condition_id, self.rnd.randint(1, 8))
            stats.add(profile_id, *self._figures())
        return [credentials, locations, experience, condition_stats, stats]

    def _credentials(self, region: str) -> list[tuple]:
        """(kind, issuer, number, profession, jurisdiction, issued_on, expires_on, title)."""
        rows = []
        if self.rnd.random() < 0.85:
            expires = self.today + timedelta(days=self.rnd.randint(-30, 700))
            rows.append((CredentialKind.LICENSE, "College", "X", "physiotherapist", region,
                         None, expires, ""))  # fmt: skip
            issued = date(self.rnd.randint(1995, 2025), 6, 1)
            rows.append((CredentialKind.IMS_CERTIFICATION, "iSTOP", "", "", "", issued, None, ""))
        for _ in range(self.rnd.choice([0, 0, 1, 2])):
            rows.append((CredentialKind.TRAINING, "CPA", "", "", "", None, None, "Course"))
        return rows

    def _figures(self) -> tuple[int, ...]:
        """Review and referral figures, in the order of FIGURES."""
        rnd = self.rnd
        v, u = rnd.randint(0, 25), rnd.randint(0, 25)
        comm = [rnd.choice([3, 4, 4, 5, 5, 5]) for _ in range(u)]
        comf = [rnd.choice([2, 4, 4, 5, 5, 5]) for _ in range(u)]
        figures = {
            "reviews_verified": v,
            "reviews_unverified": u,
            "overall_sum": 4 * (v + u),
            "communication_verified_sum": sum(rnd.choice([3, 4, 5, 5]) for _ in range(v)),
            "communication_unverified_sum": sum(comm),
            "communication_unverified_excess": sum(max(r - 3, 0) for r in comm),
            "comfort_verified_sum": sum(rnd.choice([3, 4, 5, 5]) for _ in range(v)),
            "comfort_unverified_sum": sum(comf),
            "comfort_unverified_excess": sum(max(r - 3, 0) for r in comf),
            "recommend_verified": rnd.randint(0, v),
            "recommend_unverified": rnd.randint(0, u),
            "referring_physicians": rnd.randint(0, 6),
            "completed_referrals": rnd.randint(0, 12),
        }
        return tuple(figures[name] for name in FIGURES)
