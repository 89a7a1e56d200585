"""The match index stores dates, not verdicts: who is qualified, and their qualification
inputs, are those of the day the match runs, with no write in between."""

from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from directory.models import Condition, PractitionerProfile
from directory.rules import live_credentials, qualified_q
from directory.services.match_index import match_index_stored
from matching.candidates import CandidateFilters, Page, candidate_from_row, ranked_rows
from matching.scoring import SiteFigures, score_candidate, weights_from_priorities
from tests.directory.test_credential_facts import TODAY, random_practitioners
from tests.factories import CredentialFactory, LocationFactory, PractitionerFactory

URL = "/api/v1/match/"


def as_of(user_id: int, today: date) -> tuple[date | None, int]:
    """The first IMS date and the trainings that count on `today`, from the credentials."""
    live = live_credentials(today=today).filter(owner_id=user_id)
    first = (
        live.filter(kind="ims_certification", issued_on__isnull=False)
        .order_by("issued_on")
        .values_list("issued_on", flat=True)
        .first()
    )
    return first, live.filter(kind="training").count()


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [5, 6])
def test_gate_and_qualification_inputs_are_those_of_the_day_without_a_write(seed):
    """Credentials expiring around TODAY: each day the index admits exactly the qualified,
    and scores them with that day's first IMS date and trainings (the stored facts while
    they hold, the credentials once one of them expired)."""
    random_practitioners(seed)
    condition = Condition.objects.get(slug="sciatica")
    weights, site = weights_from_priorities({}), SiteFigures()
    stored = match_index_stored()
    for offset in range(-4, 5):
        today = TODAY + timedelta(days=offset)
        filters = CandidateFilters(condition=condition, today=today)
        rows = ranked_rows(filters, weights=weights, site=site, page=Page(limit=100)).rows
        qualified = PractitionerProfile.objects.filter(qualified_q(today=today))
        assert {row["practitioner_id"] for row in rows} == set(
            qualified.values_list("pk", flat=True)
        )
        for row in rows:
            candidate = candidate_from_row(row, ("physiotherapist", "CA-BC"))
            first, trainings = as_of(row["user_id"], today)
            assert (candidate.ims_certified_on, candidate.verified_trainings) == (first, trainings)
            reference = score_candidate(
                candidate, condition_name=condition.name, weights=weights, site=site, today=today
            )
            assert row["score"] == pytest.approx(reference.score, abs=1e-12)
    assert match_index_stored() == stored  # nothing was written


@pytest.mark.django_db
def test_a_licence_that_expires_tonight_is_gone_tomorrow_without_a_write(api_client):
    with time_machine.travel(date(2026, 12, 1), tick=False):
        today = timezone.localdate()
        practitioner = PractitionerFactory()
        CredentialFactory(owner=practitioner.user, verified=True, expires_on=today)
        CredentialFactory(owner=practitioner.user, verified=True, ims=True)
        LocationFactory(practitioner=practitioner)
        body = {"condition": "sciatica", "location": {"lat": 49.2827, "lng": -123.1207}}
        tonight = api_client.post(URL, body, format="json")
        assert tonight.status_code == 200
        assert [r["practitioner"]["id"] for r in tonight.json()["results"]] == [practitioner.id]
    with time_machine.travel(date(2026, 12, 2), tick=False):
        with CaptureQueriesContext(connection) as queries:
            tomorrow = api_client.post(URL, body, format="json")
        assert tomorrow.status_code == 200
        assert tomorrow.json()["count"] == 0
        assert tomorrow.json()["results"] == []
        # Only reads: no write took the practitioner out (the ranking starts WITH its CTEs).
        statements = [q["sql"].lstrip().upper() for q in queries.captured_queries]
        assert all(sql.startswith(("SELECT", "WITH")) for sql in statements)
        writes = ("INSERT ", "UPDATE ", "DELETE ", "TRUNCATE ")
        assert not any(word in sql for sql in statements for word in writes)
