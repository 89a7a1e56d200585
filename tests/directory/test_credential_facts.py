"""The credential facts kept on each practitioner's figures row: every credential service
keeps them, recompute rebuilds them, and the figures form of the qualified rule
(rules.qualified_figures_q) admits exactly who the credentials form (rules.qualified_q) does."""

import random
from datetime import date, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from directory.models import (
    Credential,
    CredentialKind,
    CredentialStatus,
    PractitionerProfile,
    PractitionerStats,
)
from directory.rules import (
    live_credential_sql,
    live_credentials,
    qualified_figures_q,
    qualified_q,
)
from directory.services.credentials import (
    credential_create,
    credential_reject,
    credential_update,
    credential_verify,
    credential_withdraw,
)
from directory.services.stats import (
    expected_stats,
    stats_credentials_changed,
    stats_credentials_rebuild,
    stats_recompute,
    stored_stats,
)
from directory.sqltext import date_param
from tests.factories import (
    CredentialFactory,
    ModeratorFactory,
    PhysicianFactory,
    PractitionerFactory,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)
KINDS = list(CredentialKind)
STATUSES = list(CredentialStatus)


def random_credentials(rnd: random.Random, owner, moderator) -> list[Credential]:
    rows = []
    for _ in range(rnd.randint(0, 5)):
        status = rnd.choice(STATUSES)
        reviewed = status != CredentialStatus.PENDING
        rows.append(
            Credential(
                owner=owner,
                kind=rnd.choice(KINDS),
                issuer="Issuer",
                issued_on=TODAY - timedelta(days=rnd.randint(4, 9000)),
                expires_on=rnd.choice([None, TODAY + timedelta(days=rnd.randint(-3, 3))]),
                status=status,
                reviewed_by=moderator if reviewed else None,
                reviewed_at=timezone.now() if reviewed else None,
                withdrawn_at=rnd.choice([None, None, timezone.now()]),
            )
        )
    # Past the services, so that any mix of states appears; the facts are then recomputed.
    return Credential.objects.bulk_create(rows)


def random_practitioners(seed: int, n: int = 40) -> list[PractitionerProfile]:
    rnd = random.Random(seed)
    moderator = ModeratorFactory()
    practitioners = [PractitionerFactory() for _ in range(n)]
    for practitioner in practitioners:
        random_credentials(rnd, practitioner.user, moderator)
        stats_credentials_changed(owner_id=practitioner.user_id)
    return practitioners


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_figures_form_of_the_rule_agrees_with_the_credentials_form(seed):
    random_practitioners(seed)
    profiles = PractitionerProfile.objects.all()
    for offset in range(-4, 5):
        today = TODAY + timedelta(days=offset)
        by_credentials = set(profiles.filter(qualified_q(today=today)).values_list("pk", flat=True))
        by_figures = set(
            profiles.filter(qualified_figures_q(today=today)).values_list("pk", flat=True)
        )
        assert by_figures == by_credentials


@pytest.mark.parametrize("seed", [8, 9])
def test_sql_form_of_live_credentials_agrees_with_the_queryset(seed):
    random_practitioners(seed)
    table = connection.ops.quote_name(Credential._meta.db_table)
    for offset in range(-4, 5):
        today = TODAY + timedelta(days=offset)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT k.id FROM {table} k WHERE {live_credential_sql('k')}",
                {"today": date_param(today)},
            )
            by_sql = {row[0] for row in cursor.fetchall()}
        by_queryset = set(live_credentials(today=today).values_list("pk", flat=True))
        assert by_sql == by_queryset


def test_recompute_rebuilds_the_facts():
    random_practitioners(7)
    expected = expected_stats()
    assert stored_stats() == expected
    PractitionerStats.objects.all().delete()
    stats_recompute()
    assert stored_stats() == expected
    PractitionerStats.objects.all().delete()
    stats_credentials_rebuild()
    assert stored_stats() == expected


def test_every_credential_service_keeps_the_facts():
    practitioner = PractitionerFactory()
    owner, moderator = practitioner.user, ModeratorFactory()
    licence = credential_create(
        owner=owner,
        kind=CredentialKind.LICENSE,
        issuer="College",
        number="1",
        profession="physiotherapist",
        jurisdiction="CA-BC",
        expires_on=date(2030, 1, 1),
    )
    ims = credential_create(
        owner=owner, kind=CredentialKind.IMS_CERTIFICATION, issuer="iSTOP", issued_on=TODAY
    )
    assert stored_stats() == expected_stats() == {}
    credential_verify(credential=licence, moderator=moderator)
    credential_verify(credential=ims, moderator=moderator)
    stats = PractitionerStats.objects.get(pk=practitioner.pk)
    assert (stats.licence_valid_until, stats.ims_valid_until, stats.ims_first_on) == (
        date(2030, 1, 1),
        date(9999, 12, 31),
        TODAY,
    )
    assert stored_stats() == expected_stats()
    credential_update(credential=licence, changes={"number": "2"})  # back to pending
    assert PractitionerStats.objects.get(pk=practitioner.pk).licence_valid_until is None
    credential_verify(credential=licence, moderator=moderator)
    credential_reject(credential=licence, moderator=moderator, note="Not on the register.")
    assert stored_stats() == expected_stats()
    credential_withdraw(credential=ims)
    assert stored_stats() == expected_stats() == {}


def test_a_physicians_credentials_leave_no_figures():
    physician = PhysicianFactory()
    CredentialFactory(owner=physician.user, verified=True, profession="physician")
    assert not PractitionerStats.objects.exists()
