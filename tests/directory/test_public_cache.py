"""The public directory's reads are cached, and every change through the services shows
at once: the cache expires when the change commits."""

import pytest

from directory.services.profiles import practitioner_set_active, profile_update
from directory.services.reviews import review_submit
from tests.factories import LocationFactory, UserFactory, qualified_practitioner

# on_commit callbacks run only in real transactions; serialized_rollback restores the seeded
# rows (conditions, content types) for the tests after, as the other transactional tests do.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

LIST = "/api/v1/practitioners/?qualified=true"


@pytest.fixture(autouse=True)
def _cache_on(settings):
    settings.DIRECTORY_CACHE_SECONDS = 60


def detail_url(practitioner) -> str:
    return f"/api/v1/practitioners/{practitioner.pk}/"


def test_a_repeated_read_is_served_from_the_cache(api_client, django_assert_num_queries):
    practitioner = qualified_practitioner(user__name="Ana Silva")
    LocationFactory(practitioner=practitioner)
    first = api_client.get(detail_url(practitioner))
    listed = api_client.get(LIST)
    with django_assert_num_queries(0):
        again = api_client.get(detail_url(practitioner))
        listed_again = api_client.get(LIST)
    assert (again.status_code, again.json()) == (200, first.json())
    assert (listed_again.status_code, listed_again.json()) == (200, listed.json())


def test_a_new_review_shows_in_the_ratings_at_once(api_client):
    practitioner = qualified_practitioner()
    assert api_client.get(detail_url(practitioner)).json()["ratings"]["count"] == 0
    review_submit(
        author=UserFactory(),
        practitioner=practitioner,
        overall=5,
        communication=4,
        comfort=5,
        would_recommend=True,
    )
    ratings = api_client.get(detail_url(practitioner)).json()["ratings"]
    assert (ratings["count"], ratings["overall"]) == (1, 5.0)


def test_a_renamed_practitioner_is_listed_by_the_new_name_at_once(api_client):
    practitioner = qualified_practitioner(user__name="Ana Silva")
    assert [row["name"] for row in api_client.get(LIST).json()["results"]] == ["Ana Silva"]
    profile_update(user=practitioner.user, changes={"name": "Ana Costa"})
    assert [row["name"] for row in api_client.get(LIST).json()["results"]] == ["Ana Costa"]
    assert api_client.get(detail_url(practitioner)).json()["name"] == "Ana Costa"


def test_a_deactivated_practitioner_is_gone_at_once(api_client):
    practitioner = qualified_practitioner()
    assert api_client.get(detail_url(practitioner)).status_code == 200
    practitioner_set_active(practitioner=practitioner, active=False)
    assert api_client.get(detail_url(practitioner)).status_code == 404
    assert api_client.get(LIST).json()["results"] == []


def test_bad_input_is_never_cached(api_client):
    bad = api_client.get("/api/v1/practitioners/?near=north")
    assert bad.status_code == 400
    assert api_client.get("/api/v1/practitioners/?near=north").json() == bad.json()
    assert api_client.get("/api/v1/practitioners/999999/").status_code == 404


def test_zero_seconds_turns_the_cache_off(api_client, settings, django_assert_num_queries):
    settings.DIRECTORY_CACHE_SECONDS = 0
    practitioner = qualified_practitioner()
    api_client.get(detail_url(practitioner))
    response = api_client.get(detail_url(practitioner))
    assert response.status_code == 200
    # Read from the database again: the detail's own queries, not none.
    with django_assert_num_queries(5):
        api_client.get(detail_url(practitioner))
