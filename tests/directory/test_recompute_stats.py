"""manage.py recompute_stats: --check reports every drifted figure and fails; without it the
drift is reported, then repaired."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from directory.models import ConditionReferralStats, MatchEntry, PractitionerStats
from directory.services.stats import expected_stats, stats_drift, stored_stats
from tests.directory.test_referrals import ReferralFactory
from tests.directory.test_reviews import make_review
from tests.factories import qualified_practitioner

pytestmark = pytest.mark.django_db


@pytest.fixture
def practitioner():
    practitioner = qualified_practitioner()
    make_review(practitioner, overall=5)
    make_review(practitioner, overall=3)
    return practitioner


def _run(*args) -> str:
    out = StringIO()
    call_command("recompute_stats", *args, stdout=out)
    return out.getvalue()


def test_check_with_no_drift_says_so_and_writes_nothing(practitioner):
    before = stored_stats()

    assert _run("--check") == "No drift: every figure equals a recount of its source rows.\n"
    assert stored_stats() == before == expected_stats()


def test_check_prints_each_drifted_figure_and_fails_without_repairing(practitioner):
    PractitionerStats.objects.filter(practitioner=practitioner).update(reviews_unverified=7)
    MatchEntry.objects.filter(practitioner=practitioner).delete()
    rows = MatchEntry.objects.count()

    with pytest.raises(CommandError) as failed:
        _run("--check")

    assert str(failed.value) == f"{len(stats_drift())} figures differ from a recount."
    drift = stats_drift()
    assert f"practitioner {practitioner.pk} reviews_unverified: stored 7, recounted 2" in drift
    assert any(line.startswith("match index: 0 stale rows, ") for line in drift)
    assert PractitionerStats.objects.get(practitioner=practitioner).reviews_unverified == 7
    assert MatchEntry.objects.count() == rows


def test_check_reports_a_drifted_condition_count(practitioner):
    referral = ReferralFactory(practitioner=practitioner, completed=True)
    call_command("recompute_stats", stdout=StringIO())
    ConditionReferralStats.objects.all().delete()

    figures, index = stats_drift()
    assert figures == (
        f"practitioner {practitioner.pk} condition {referral.condition_id} "
        "completed_referrals: stored 0, recounted 1"
    )
    # The index copies the per-condition count, so its rows for that condition are stale.
    assert index.startswith("match index: ")


def test_recompute_reports_the_drift_then_repairs_it(practitioner):
    PractitionerStats.objects.filter(practitioner=practitioner).update(reviews_unverified=7)

    index_rows = MatchEntry.objects.filter(practitioner=practitioner).count()

    output = _run()

    # The index copies the figures, so the practitioner's rows were stale too.
    assert output == (
        f"drift: practitioner {practitioner.pk} reviews_unverified: stored 7, recounted 2\n"
        f"drift: match index: {index_rows} stale rows, {index_rows} missing rows\n"
        "Recomputed figures for 1 practitioners; 2 figures had drifted.\n"
    )
    assert stats_drift() == []
    assert stored_stats() == expected_stats()
