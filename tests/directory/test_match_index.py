"""The match index is kept by every write that changes one of its inputs: after any random
history of writes through the services, the stored rows equal a rebuild's."""

import importlib
import random
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from directory.exceptions import Conflict
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialKind,
    Location,
    MatchEntry,
    PractitionerProfile,
    PractitionerStats,
    Profession,
    Review,
)
from directory.services.credentials import (
    credential_create,
    credential_reject,
    credential_update,
    credential_verify,
    credential_withdraw,
)
from directory.services.match_index import (
    ENTRY_COLUMNS,
    match_index_expected,
    match_index_rebuild,
    match_index_stored,
)
from directory.services.profiles import (
    experience_create,
    experience_delete,
    experience_update,
    location_create,
    location_delete,
    location_update,
    practitioner_set_active,
    profile_update,
)
from directory.services.referrals import referral_accept, referral_complete, referral_create
from directory.services.reviews import review_remove, review_submit
from tests.directory.test_referrals import verified_physician
from tests.factories import (
    CredentialFactory,
    LocationFactory,
    ModeratorFactory,
    PractitionerFactory,
    UserFactory,
    qualified_practitioner,
)

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 25)


class History:
    """Random writes through the services, over a few practitioners."""

    def __init__(self, rnd: random.Random) -> None:
        self.rnd = rnd
        self.practitioners = [PractitionerFactory() for _ in range(3)]
        self.moderator = ModeratorFactory()
        self.patients = [UserFactory() for _ in range(3)]
        self.physicians = [verified_physician() for _ in range(2)]
        self.conditions = list(Condition.objects.all()[:4])
        # Start qualified, with a clinic, so that the histories move real rows.
        for practitioner in self.practitioners:
            for kind in (CredentialKind.LICENSE, CredentialKind.IMS_CERTIFICATION):
                self.add_credential(owner=practitioner.user, kind=kind)
            self.add_clinic(practitioner)
        for credential in Credential.objects.filter(status="pending"):
            credential_verify(credential=credential, moderator=self.moderator)

    def practitioner(self):
        return self.rnd.choice(self.practitioners)

    def credential(self, **filters):
        owners = [p.user_id for p in self.practitioners]
        found = list(Credential.objects.filter(owner_id__in=owners, **filters))
        return self.rnd.choice(found) if found else None

    def add_credential(self, owner=None, kind=None) -> None:
        kind = kind or self.rnd.choice(list(CredentialKind))
        fields = {"issuer": "Body", "issued_on": TODAY - timedelta(days=self.rnd.randint(30, 9000))}
        if kind == CredentialKind.LICENSE:
            fields |= {
                "profession": Profession.PHYSIOTHERAPIST,
                "jurisdiction": "CA-BC",
                "number": "PT1",
                "expires_on": TODAY + timedelta(days=self.rnd.randint(1, 900)),
            }
        if kind == CredentialKind.TRAINING:
            fields["title"] = "Course"
        credential_create(owner=owner or self.practitioner().user, kind=kind, **fields)

    def verify(self) -> None:
        credential = self.credential(status="pending")
        if credential:
            credential_verify(credential=credential, moderator=self.moderator)

    def reject(self) -> None:
        credential = self.credential(status="verified")
        if credential:
            credential_reject(credential=credential, moderator=self.moderator, note="Not found.")

    def change_credential(self) -> None:
        credential = self.credential(withdrawn_at__isnull=True)
        if credential:
            credential_update(
                credential=credential,
                changes={"issuer": f"Body {self.rnd.randint(1, 9)}"},
                today=TODAY,
            )

    def withdraw(self) -> None:
        credential = self.credential(withdrawn_at__isnull=True)
        if credential:
            credential_withdraw(credential=credential)

    def add_clinic(self, practitioner=None) -> None:
        practitioner = practitioner or self.practitioner()
        if practitioner.locations.count() < 3:
            location_create(
                practitioner=practitioner,
                name="Clinic",
                city="Vancouver",
                country="CA",
                lat=49 + self.rnd.random(),
                lng=-123 + self.rnd.random(),
            )

    def move_or_close_clinic(self) -> None:
        location = Location.objects.filter(practitioner__in=self.practitioners).first()
        if location is None:
            return
        if self.rnd.random() < 0.5:
            location_update(location=location, changes={"lat": 48 + self.rnd.random()})
        else:
            location_delete(location=location)

    def experience(self) -> None:
        practitioner, condition = self.practitioner(), self.rnd.choice(self.conditions)
        existing = ConditionExperience.objects.filter(
            practitioner=practitioner, condition=condition
        ).first()
        if existing is None:
            experience_create(
                practitioner=practitioner,
                condition=condition,
                years=self.rnd.randint(0, 30),
                patients_treated=self.rnd.randint(0, 900),
            )
        elif self.rnd.random() < 0.5:
            experience_update(experience=existing, changes={"years": self.rnd.randint(0, 30)})
        else:
            experience_delete(experience=existing)

    def profile(self) -> None:
        practitioner = self.practitioner()
        changes = {
            "languages": self.rnd.choice([["en"], ["fr"], ["en", "zh"]]),
            "accepting_new_patients": self.rnd.random() < 0.5,
            # The match's filters: a fee (or none) and direct billing.
            "fee_per_session": self.rnd.choice([None, Decimal("80.00"), Decimal("125.50")]),
            "direct_billing": self.rnd.random() < 0.5,
        }
        profile_update(user=practitioner.user, changes=changes)

    def activation(self) -> None:
        practitioner = self.practitioner()
        practitioner_set_active(practitioner=practitioner, active=not practitioner.is_active)

    def review(self) -> None:
        practitioner = self.practitioner()
        if not practitioner.is_active:
            return
        review_submit(
            author=self.rnd.choice(self.patients),
            practitioner=practitioner,
            overall=self.rnd.randint(1, 5),
            communication=self.rnd.randint(1, 5),
            comfort=self.rnd.randint(1, 5),
            would_recommend=self.rnd.random() < 0.7,
        )

    def remove_review(self) -> None:
        review = Review.objects.filter(removed_at__isnull=True).first()
        if review:
            review_remove(review_id=review.pk, moderator=self.moderator, note="Abusive.")

    def referral(self) -> None:
        practitioner = self.practitioner()
        if not practitioner.is_active:
            return
        referral = referral_create(
            physician=self.rnd.choice(self.physicians),
            practitioner=practitioner,
            condition=self.rnd.choice(self.conditions),
            reason="Chronic pain",
            patient_reference=f"P-{self.rnd.randint(1, 10**6)}",
        )
        referral_accept(referral=referral, actor=practitioner.user)
        referral_complete(referral=referral, actor=practitioner.user, outcome="improved")

    def step(self) -> str:
        writes = [
            self.add_credential,
            self.add_credential,
            self.verify,
            self.verify,
            self.reject,
            self.change_credential,
            self.withdraw,
            self.add_clinic,
            self.move_or_close_clinic,
            self.experience,
            self.profile,
            self.activation,
            self.review,
            self.remove_review,
            self.referral,
        ]
        write = self.rnd.choice(writes)
        try:
            write()
        except (Conflict, ValidationError):
            # A refused write (a second review after a removal, …) must change nothing.
            return f"{write.__name__} (refused)"
        return write.__name__


@pytest.mark.parametrize("seed", range(6))
def test_after_any_history_of_writes_the_maintained_index_equals_a_rebuild(seed):
    history = History(random.Random(seed))
    steps, sizes = [], []
    for _ in range(45):
        steps.append(history.step())
        stored = match_index_stored()
        assert stored == match_index_expected(), steps
        sizes.append(len(stored))
    # The rows compared were real ones, and they changed along the way.
    assert max(sizes) > 0 and len(set(sizes)) > 1, (steps, sizes)


def test_rebuild_writes_a_row_per_clinic_and_condition_of_each_qualified_practitioner():
    two_clinics = qualified_practitioner()
    LocationFactory(practitioner=two_clinics)
    LocationFactory(practitioner=two_clinics)
    no_clinic = qualified_practitioner()
    PractitionerFactory()  # no credentials: never a candidate
    MatchEntry.objects.all().delete()
    conditions = Condition.objects.count()
    assert match_index_rebuild() == 3 * conditions
    first = two_clinics.locations.order_by("id").first()
    rows = MatchEntry.objects.values_list("practitioner_id", "location_id", "is_first")
    assert sorted(set(rows)) == sorted(
        {
            (two_clinics.pk, first.pk, True),
            (two_clinics.pk, two_clinics.locations.order_by("id").last().pk, False),
            (no_clinic.pk, None, True),
        }
    )


def test_rebuild_command_rebuilds_every_row(capsys):
    LocationFactory(practitioner=qualified_practitioner())
    expected = match_index_stored()
    MatchEntry.objects.all().delete()
    call_command("rebuild_match_index")
    assert match_index_stored() == expected
    assert f"Rebuilt the match index: {len(expected)} rows" in capsys.readouterr().out


def _index_definitions() -> dict:
    """The match index table's indexes and constraints as the database holds them: on
    PostgreSQL each index's whole definition (INCLUDE columns and WHERE clause too)."""
    table = MatchEntry._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s"
                " UNION ALL SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                " WHERE conrelid = %s::regclass",
                [table, table],
            )
            return dict(cursor.fetchall())
        return connection.introspection.get_constraints(cursor, table)


def test_a_full_rebuild_builds_every_index_and_constraint_again():
    """On PostgreSQL a full rebuild drops the foreign keys, the indexes and the unique
    constraint while it inserts and builds them again after: nothing of them may be lost."""
    LocationFactory(practitioner=qualified_practitioner())
    before = _index_definitions()
    declared = [*MatchEntry._meta.indexes, *MatchEntry._meta.constraints]
    assert {item.name for item in declared} <= set(before)
    expected = match_index_stored()
    assert match_index_rebuild() == len(expected)
    assert _index_definitions() == before
    assert match_index_stored() == expected
    # The unique constraint and the foreign keys are enforced again.
    row = MatchEntry.objects.first()
    row.pk = None
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
    row.practitioner_id = PractitionerProfile.objects.order_by("-pk").first().pk + 1
    with pytest.raises(IntegrityError), transaction.atomic():
        row.save()
        # Checked when the transaction commits (the keys are deferred), or here.
        connection.check_constraints(table_names=[MatchEntry._meta.db_table])


def test_the_migration_fills_fee_billing_and_experience_as_a_rebuild_would():
    """0010_matchentry_fee_billing adds the columns to rows written before it: its UPDATE
    leaves them as the index's own INSERT ... SELECT writes them."""
    fill = importlib.import_module("directory.migrations.0010_matchentry_fee_billing").FILL
    rnd = random.Random(7)
    for _ in range(6):
        practitioner = qualified_practitioner(
            fee_per_session=rnd.choice([None, Decimal("90.00")]),
            direct_billing=rnd.random() < 0.5,
        )
        if rnd.random() < 0.5:
            experience_create(
                practitioner=practitioner,
                condition=Condition.objects.get(slug="sciatica"),
                years=0,
                patients_treated=0,
            )
    expected = match_index_stored()
    assert {row[ENTRY_COLUMNS.index("experienced")] for row in expected} == {True, False}
    # As the migration's AddField leaves them.
    MatchEntry.objects.update(fee_per_session=None, direct_billing=False, experienced=False)
    with connection.cursor() as cursor:
        cursor.execute(fill)
    assert match_index_stored() == expected


def test_the_migration_fills_the_named_licence_as_the_services_would():
    """0015_stored_named_licence fills the figures' and the index rows' named licence for
    rows written before it, as stats_credentials_changed and a rebuild write them."""
    fill = importlib.import_module("directory.migrations.0015_stored_named_licence").FILL
    today = date.today()
    for jurisdictions in (["CA-BC"], ["CA-AB", "CA-ON"], ["CA-SK", "CA-MB", "CA-QC"]):
        practitioner = qualified_practitioner()
        LocationFactory(practitioner=practitioner)
        for n, jurisdiction in enumerate(jurisdictions):
            # The last is the newest and never expires: the one named.
            expires = None if n == len(jurisdictions) - 1 else today + timedelta(days=30 * n)
            CredentialFactory(
                owner=practitioner.user,
                verified=True,
                jurisdiction=jurisdiction,
                expires_on=expires,
            )
    stats_before = list(
        PractitionerStats.objects.order_by("pk").values_list(
            "licence_profession", "licence_jurisdiction"
        )
    )
    assert [j for _, j in stats_before] == ["CA-BC", "CA-ON", "CA-QC"]
    expected = match_index_stored()
    # As the migration's AddField leaves them.
    PractitionerStats.objects.update(licence_profession="", licence_jurisdiction="")
    MatchEntry.objects.update(licence_profession="", licence_jurisdiction="")
    with connection.cursor() as cursor:
        for statement in fill:
            cursor.execute(statement)
    assert (
        list(
            PractitionerStats.objects.order_by("pk").values_list(
                "licence_profession", "licence_jurisdiction"
            )
        )
        == stats_before
    )
    assert match_index_stored() == expected
