"""GET /api/v1/conditions/ — the condition taxonomy (SPEC §1, §5)."""

from pathlib import Path

import pytest

from directory.models import Condition

pytestmark = pytest.mark.django_db

URL = "/api/v1/conditions/"
# Seeded by 0002, then the patients' phrasings of 0010.
BACK_PAIN_SYNONYMS = (
    "low back pain",
    "lumbago",
    "lower back pain",
    "sore back",
    "backache",
    "back ache",
    "bad back",
    "back strain",
)


def test_conditions_are_public_and_ordered_by_name(api_client):
    response = api_client.get(URL, {"page_size": 100})

    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 12
    assert (body["next"], body["previous"]) == (None, None)
    assert [row["name"] for row in body["results"]] == [
        "Arthritis",
        "Back pain",
        "Fibromyalgia",
        "Headaches and migraines",
        "Joint dysfunction",
        "Muscle spasms",
        "Myofascial pain syndrome",
        "Neck pain",
        "Nerve impingement",
        "Sciatica",
        "Shoulder pain",
        "Tennis elbow",
    ]
    assert body["results"][1] == {
        "slug": "back-pain",
        "name": "Back pain",
        "synonyms": [*BACK_PAIN_SYNONYMS],
    }
    assert body["results"][2] == {
        "slug": "fibromyalgia",
        "name": "Fibromyalgia",
        "synonyms": ["fibro", "fibromyalgia syndrome"],
    }


def test_a_new_condition_is_listed_in_name_order(api_client):
    Condition.objects.create(slug="bursitis", name="Bursitis", synonyms=["hip bursitis"])

    rows = api_client.get(URL, {"page_size": 3}).json()["results"]

    assert rows == [
        {
            "slug": "arthritis",
            "name": "Arthritis",
            "synonyms": [
                "osteoarthritis",
                "joint arthritis",
                "wear and tear arthritis",
                "degenerative joint disease",
            ],
        },
        {"slug": "back-pain", "name": "Back pain", "synonyms": [*BACK_PAIN_SYNONYMS]},
        {"slug": "bursitis", "name": "Bursitis", "synonyms": ["hip bursitis"]},
    ]


def test_conditions_are_paginated(api_client):
    response = api_client.get(URL, {"page_size": 5, "page": 2})

    body = response.json()
    assert body["count"] == 12
    assert [row["slug"] for row in body["results"]] == [
        "muscle-spasm",
        "myofascial-pain",
        "neck-pain",
        "nerve-impingement",
        "sciatica",
    ]
    assert body["previous"] == "http://testserver/api/v1/conditions/?page_size=5"
    assert body["next"] == "http://testserver/api/v1/conditions/?page=3&page_size=5"


def test_conditions_page_past_the_end_is_404(api_client):
    response = api_client.get(URL, {"page": 4, "page_size": 5})

    assert response.status_code == 404
    assert response.json() == {"detail": "Page 4 does not exist; pages run from 1 to 3."}


def test_conditions_page_size_over_100_is_400(api_client):
    response = api_client.get(URL, {"page_size": 101})

    assert response.status_code == 400
    assert response.json() == {"page_size": ["Must be a whole number from 1 to 100."]}


def test_conditions_cost_two_queries(api_client, django_assert_num_queries):
    with django_assert_num_queries(2):  # count + page
        api_client.get(URL)


def test_the_readme_lists_every_conditions_synonyms():
    readme = Path(__file__).resolve().parents[2].joinpath("README.md").read_text()
    table = readme.split("| condition | synonyms (0002")[1].split("\n\n")[0]
    rows = [line.strip("|").split("|") for line in table.splitlines()[2:]]
    documented = {name.strip(): [s.strip() for s in synonyms.split(",")] for name, synonyms in rows}

    assert documented == {c.name: c.synonyms for c in Condition.objects.all()}
