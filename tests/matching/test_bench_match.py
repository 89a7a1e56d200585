from io import StringIO

import pytest
from django.core.management import call_command

from directory.models import PractitionerProfile


@pytest.mark.django_db
def test_bench_match_builds_reuses_and_prints_figures():
    out = StringIO()
    call_command("bench_match", practitioners=30, requests=20, stdout=out)
    call_command("bench_match", practitioners=30, requests=20, stdout=out)
    text = out.getvalue()
    assert PractitionerProfile.objects.count() == 30  # the second run reused the data set
    assert text.count("built 30 practitioners") == 1
    assert "latency ms: p50" in text
    assert "queries per request: min" in text and "min 1" in text
