"""GET /api/v1/practitioners/: max_fee and direct_billing, the match's filters (issue 12)."""

from decimal import Decimal

import pytest

from tests.factories import PractitionerFactory

pytestmark = pytest.mark.django_db

URL = "/api/v1/practitioners/"
FEE_MESSAGE = "Use a number of dollars from 0 to 10000."
BOOLEAN_MESSAGE = "Use true or false."


def ids(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return sorted(row["id"] for row in response.json()["results"])


@pytest.fixture
def people() -> dict:
    return {
        "cheap": PractitionerFactory(fee_per_session=Decimal("60.00")),
        "exactly_100": PractitionerFactory(fee_per_session=Decimal("100.00")),
        "dear": PractitionerFactory(fee_per_session=Decimal("140.00"), direct_billing=True),
        "no_fee": PractitionerFactory(fee_per_session=None, direct_billing=True),
    }


@pytest.mark.parametrize(
    ("params", "listed"),
    [
        ({"max_fee": "100"}, ["cheap", "exactly_100"]),
        ({"max_fee": "99.99"}, ["cheap"]),
        ({"max_fee": "0"}, []),
        ({"max_fee": "10000"}, ["cheap", "exactly_100", "dear"]),
        ({"direct_billing": "true"}, ["dear", "no_fee"]),
        # false is no filter, as on the match: not "only those who do not bill directly".
        ({"direct_billing": "false"}, ["cheap", "exactly_100", "dear", "no_fee"]),
        ({"max_fee": "150", "direct_billing": "true"}, ["dear"]),
        ({}, ["cheap", "exactly_100", "dear", "no_fee"]),
    ],
)
def test_fee_and_billing_filters_keep_and_leave_out(api_client, people, params, listed):
    assert ids(api_client.get(URL, params)) == sorted(people[name].pk for name in listed)


@pytest.mark.parametrize(
    "value", ["-1", "-0.01", "cheap", "nan", "inf", "-inf", "10000.01", "1e9", "5\x00"]
)
def test_bad_max_fee_is_400_saying_what_is_allowed(api_client, value):
    response = api_client.get(URL, {"max_fee": value})

    assert response.status_code == 400
    assert response.json() == {"max_fee": [FEE_MESSAGE]}


@pytest.mark.parametrize("value", ["yes", "1", "maybe", "true\x00"])
def test_bad_direct_billing_is_400(api_client, value):
    response = api_client.get(URL, {"direct_billing": value})

    assert response.status_code == 400
    assert response.json() == {"direct_billing": [BOOLEAN_MESSAGE]}


def test_fee_filters_add_no_query(api_client, people, django_assert_num_queries):
    with django_assert_num_queries(1):
        response = api_client.get(URL, {"max_fee": "150", "direct_billing": "true"})
    assert response.json()["count"] == 1
