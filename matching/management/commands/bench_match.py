"""Benchmark POST /api/v1/match/ in-process on a synthetic data set.

    manage.py bench_match --practitioners 10000 --requests 300

Builds (or reuses) N synthetic practitioners with credentials, clinics, experience and
review/referral figures — 30 % of them in Vancouver so that one city holds thousands of
candidates — then runs varied match requests through the real view and prints latency
percentiles and queries per request. Figures are printed, never asserted.
"""

import random
import statistics
import time
from datetime import date, timedelta

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand, CommandParser
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIRequestFactory

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
from directory.services.match_index import match_index_rebuild
from directory.services.stats import stats_credentials_rebuild
from matching.apis import MatchApi

DOMAIN = "bench.invalid"
CITIES = [
    ("Vancouver", "CA-BC", 49.2827, -123.1207, 0.30),
    ("Toronto", "CA-ON", 43.6532, -79.3832, 0.20),
    ("Montréal", "CA-QC", 45.5017, -73.5673, 0.12),
    ("Calgary", "CA-AB", 51.0447, -114.0719, 0.10),
    ("Edmonton", "CA-AB", 53.5461, -113.4938, 0.08),
    ("Ottawa", "CA-ON", 45.4215, -75.6972, 0.07),
    ("Winnipeg", "CA-MB", 49.8951, -97.1384, 0.05),
    ("Halifax", "CA-NS", 44.6488, -63.5752, 0.04),
    ("Victoria", "CA-BC", 48.4284, -123.3656, 0.04),
]


def _city(rnd: random.Random):
    return rnd.choices(CITIES, weights=[c[4] for c in CITIES])[0]


class Command(BaseCommand):
    help = "Benchmark the match endpoint on N synthetic practitioners (figures printed)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--practitioners", type=int, default=10_000)
        parser.add_argument("--requests", type=int, default=300)
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, practitioners: int, requests: int, seed: int, **options) -> None:
        existing = User.objects.filter(email__endswith=f"@{DOMAIN}").count()
        if existing < practitioners:
            started = time.perf_counter()
            self._build(existing, practitioners, random.Random(seed + existing))
            took = time.perf_counter() - started
            self.stdout.write(f"built {practitioners - existing} practitioners in {took:.1f} s")
            if connection.vendor == "postgresql":
                # Fresh planner statistics, as autovacuum would have them in production.
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
        self._run(requests, random.Random(seed))

    @transaction.atomic
    def _build(self, start: int, end: int, rnd: random.Random) -> None:
        password = make_password(None)
        moderator, _ = User.objects.get_or_create(
            email=f"moderator@{DOMAIN}x", defaults={"is_staff": True, "password": password}
        )
        conditions = list(Condition.objects.all())
        today = date.today()
        for batch_start in range(start, end, 1000):
            size = min(1000, end - batch_start)
            users = User.objects.bulk_create(
                User(
                    email=f"p{batch_start + i}@{DOMAIN}",
                    name=f"Bench Practitioner {batch_start + i}",
                    role=Role.PRACTITIONER,
                    password=password,
                )
                for i in range(size)
            )
            profiles = PractitionerProfile.objects.bulk_create(
                PractitionerProfile(
                    user=user,
                    languages=rnd.choice([",en,", ",en,", ",en,fr,", ",fr,", ",en,zh,"]),
                    accepting_new_patients=rnd.random() < 0.8,
                )
                for user in users
            )
            self._children(profiles, conditions, moderator, today, rnd)

    def _children(self, profiles, conditions, moderator, today, rnd) -> None:
        credentials, locations, experience, stats, condition_stats = [], [], [], [], []
        verified = {"status": CredentialStatus.VERIFIED, "reviewed_by": moderator}
        for profile in profiles:
            name, region, lat, lng, _ = _city(rnd)
            verified["reviewed_at"] = profile.created_at
            if rnd.random() < 0.85:
                credentials.append(
                    Credential(
                        owner_id=profile.user_id,
                        kind=CredentialKind.LICENSE,
                        issuer="College",
                        number="X",
                        profession="physiotherapist",
                        jurisdiction=region,
                        expires_on=today + timedelta(days=rnd.randint(-30, 700)),
                        **verified,
                    )
                )
                credentials.append(
                    Credential(
                        owner_id=profile.user_id,
                        kind=CredentialKind.IMS_CERTIFICATION,
                        issuer="iSTOP",
                        issued_on=date(rnd.randint(1995, 2025), 6, 1),
                        **verified,
                    )
                )
            for _ in range(rnd.choice([0, 0, 1, 2])):
                credentials.append(
                    Credential(
                        owner_id=profile.user_id,
                        kind=CredentialKind.TRAINING,
                        issuer="CPA",
                        title="Course",
                        **verified,
                    )
                )
            for j in range(rnd.choice([1, 1, 2])):
                locations.append(
                    Location(
                        practitioner=profile,
                        name=f"Clinic {profile.id}-{j}",
                        city=name,
                        country="CA",
                        lat=lat + rnd.uniform(-0.15, 0.15),
                        lng=lng + rnd.uniform(-0.2, 0.2),
                    )
                )
            for condition in rnd.sample(conditions, rnd.randint(2, 6)):
                experience.append(
                    ConditionExperience(
                        practitioner=profile,
                        condition=condition,
                        years=rnd.randint(0, 30),
                        patients_treated=rnd.randint(0, 2000),
                    )
                )
                if rnd.random() < 0.2:
                    condition_stats.append(
                        ConditionReferralStats(
                            practitioner=profile,
                            condition=condition,
                            completed_referrals=rnd.randint(1, 8),
                        )
                    )
            stats.append(self._stats(profile, rnd))
        Credential.objects.bulk_create(credentials)
        Location.objects.bulk_create(locations)
        ConditionExperience.objects.bulk_create(experience)
        PractitionerStats.objects.bulk_create(stats)
        ConditionReferralStats.objects.bulk_create(condition_stats)
        # The credentials went in past the services: derive their facts (the gate's input).
        stats_credentials_rebuild([profile.pk for profile in profiles])
        match_index_rebuild([profile.pk for profile in profiles])

    @staticmethod
    def _stats(profile, rnd: random.Random) -> PractitionerStats:
        v, u = rnd.randint(0, 25), rnd.randint(0, 25)
        comm = [rnd.choice([3, 4, 4, 5, 5, 5]) for _ in range(u)]
        comf = [rnd.choice([2, 4, 4, 5, 5, 5]) for _ in range(u)]
        return PractitionerStats(
            practitioner=profile,
            reviews_verified=v,
            reviews_unverified=u,
            overall_sum=4 * (v + u),
            communication_verified_sum=sum(rnd.choice([3, 4, 5, 5]) for _ in range(v)),
            communication_unverified_sum=sum(comm),
            communication_unverified_excess=sum(max(r - 3, 0) for r in comm),
            comfort_verified_sum=sum(rnd.choice([3, 4, 5, 5]) for _ in range(v)),
            comfort_unverified_sum=sum(comf),
            comfort_unverified_excess=sum(max(r - 3, 0) for r in comf),
            recommend_verified=rnd.randint(0, v),
            recommend_unverified=rnd.randint(0, u),
            referring_physicians=rnd.randint(0, 6),
            completed_referrals=rnd.randint(0, 12),
        )

    def _body(self, rnd: random.Random, slugs: list[str]) -> dict:
        _, _, lat, lng, _ = _city(rnd)
        body = {
            "condition": rnd.choice(slugs),
            "location": {
                "lat": lat + rnd.uniform(-0.05, 0.05),
                "lng": lng + rnd.uniform(-0.05, 0.05),
            },
            "radius_km": rnd.choice([10, 25, 50, 100]),
            "priorities": {"experience": rnd.randint(0, 5), "comfort": rnd.randint(1, 5)},
            "limit": rnd.choice([20, 20, 20, 100]),
        }
        if rnd.random() < 0.2:
            body["languages"] = ["fr"]
        if rnd.random() < 0.3:
            body["accepting_new_patients"] = True
        return body

    def _run(self, requests: int, rnd: random.Random) -> None:
        factory = APIRequestFactory()
        view = MatchApi.as_view()
        slugs = list(Condition.objects.values_list("slug", flat=True))
        timings, queries, counts = [], [], []
        for i in range(requests + 5):
            request = factory.post("/api/v1/match/", self._body(rnd, slugs), format="json")
            with CaptureQueriesContext(connection) as captured:
                started = time.perf_counter()
                response = view(request)
                elapsed = (time.perf_counter() - started) * 1000
            if response.status_code != 200:
                raise SystemExit(f"match answered {response.status_code}: {response.data}")
            if i >= 5:  # the first few warm caches (gazetteer, connection)
                timings.append(elapsed)
                queries.append(len(captured))
                counts.append(response.data["count"])
        self._report(timings, queries, counts)

    def _report(self, timings: list[float], queries: list[int], counts: list[int]) -> None:
        cuts = statistics.quantiles(timings, n=100)
        total = PractitionerProfile.objects.count()
        self.stdout.write(
            f"database: {connection.vendor}; practitioners: {total}; requests: {len(timings)}\n"
            f"candidates per request: median {statistics.median(counts):.0f}, max {max(counts)}\n"
            f"latency ms: p50 {cuts[49]:.1f}  p95 {cuts[94]:.1f}  p99 {cuts[98]:.1f}  "
            f"max {max(timings):.1f}\n"
            f"queries per request: min {min(queries)}, max {max(queries)}"
        )
