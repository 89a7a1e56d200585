"""POST /api/v1/match/: gates, filters, priorities, safety, explanations and bad input."""

import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from directory.models import Condition, PractitionerStats
from directory.services.match_index import match_index_refresh
from directory.services.stats import stats_credentials_changed
from matching import presenters, safety
from matching.constants import CRITERIA
from matching.serializers import (
    MatchCriteriaSerializer,
    MatchPrioritiesInputSerializer,
    MatchWeightsSerializer,
)
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    qualified_practitioner,
)

URL = "/api/v1/match/"
VANCOUVER = {"lat": 49.2827, "lng": -123.1207}


def practitioner_at(lat=49.2827, lng=-123.1207, *, city="Vancouver", **kwargs):
    practitioner = qualified_practitioner(**kwargs)
    LocationFactory(practitioner=practitioner, lat=lat, lng=lng, city=city)
    return practitioner


def ids(response) -> list[int]:
    return [item["practitioner"]["id"] for item in response.json()["results"]]


def reviews(practitioner, ratings: list[int], *, verified: bool):
    """Figures as the review services maintain them: `ratings` for both dimensions."""
    n, total = len(ratings), sum(ratings)
    excess = sum(max(r - 3, 0) for r in ratings)
    kind = "verified" if verified else "unverified"
    fields = {
        f"reviews_{kind}": n,
        "overall_sum": total,
        f"communication_{kind}_sum": total,
        f"comfort_{kind}_sum": total,
        f"recommend_{kind}": n,
    }
    if not verified:
        fields |= {"communication_unverified_excess": excess, "comfort_unverified_excess": excess}
    PractitionerStats.objects.update_or_create(practitioner=practitioner, defaults=fields)
    match_index_refresh(practitioner_id=practitioner.pk)


@pytest.mark.django_db
def test_whole_response_for_one_practitioner(api_client):
    practitioner = practitioner_at()
    practitioner.user.name = "Dana Lee"
    practitioner.user.save()
    practitioner.fee_per_session, practitioner.direct_billing = Decimal("95.5"), True
    practitioner.save()
    practitioner.locations.update(phone="+16045550123", booking_url="https://dana.example.org/book")
    ims = practitioner.user.credentials.get(kind="ims_certification")
    today = timezone.localdate()
    ims.issued_on = today.replace(year=today.year - 5, day=1)
    ims.save()
    stats_credentials_changed(owner_id=practitioner.user_id)  # past the services
    ExperienceFactory(practitioner=practitioner, years=5, patients_treated=150)
    response = api_client.post(
        URL, {"condition": "Sciatica", "location": VANCOUVER, "radius_km": 25}, format="json"
    )
    assert response.status_code == 200
    clinic = practitioner.locations.get()
    w = 0.2
    qualifications = 0.5 + 0.3 * 0.5
    experience = 0.4 * 0.5 + 0.3 * 0.5
    referrals = 0.4 * 0.8
    rating = (4.0 - 1) / 4
    assert response.json() == {
        "condition": {"slug": "sciatica", "name": "Sciatica"},
        "safety": {"level": "ok", "messages": []},
        "weights": dict.fromkeys(
            ["qualifications", "experience", "referrals", "communication", "comfort"], w
        ),
        "count": 1,
        "experienced_count": 1,
        "results": [
            {
                "rank": 1,
                "score": round(w * (qualifications + experience + referrals + 2 * rating), 3),
                "distance_km": 0.0,
                "practitioner": {
                    "id": practitioner.id,
                    "name": "Dana Lee",
                    "profession": "physiotherapist",
                    "clinic": clinic.name,
                    "city": "Vancouver",
                    "languages": ["en"],
                    "accepting_new_patients": True,
                    "url": f"/api/v1/practitioners/{practitioner.id}/",
                    "fee_per_session": "95.50",
                    "direct_billing": True,
                    "contact": {
                        "phone": "+16045550123",
                        "website": None,
                        "booking_url": "https://dana.example.org/book",
                    },
                },
                "criteria": {
                    "qualifications": {
                        "score": round(qualifications, 3),
                        "weight": w,
                        "reasons": [
                            "Licensed physiotherapist (CA-BC), verified",
                            f"IMS certified since {today.year - 5}",
                        ],
                    },
                    "experience": {
                        "score": round(experience, 3),
                        "weight": w,
                        "reasons": [
                            "5 years treating sciatica, about 150 patients (self-reported)"
                        ],
                    },
                    "referrals": {
                        "score": round(referrals, 3),
                        "weight": w,
                        "reasons": ["No completed physician referrals yet", "No reviews yet"],
                    },
                    "communication": {
                        "score": rating,
                        "weight": w,
                        "reasons": ["No reviews yet: scored at the site-wide average"],
                    },
                    "comfort": {
                        "score": rating,
                        "weight": w,
                        "reasons": ["No reviews yet: scored at the site-wide average"],
                    },
                },
            }
        ],
    }


@pytest.mark.django_db
def test_unqualified_practitioners_are_never_returned(api_client):
    keep = practitioner_at()
    expired = practitioner_at()
    expired.user.credentials.filter(kind="license").update(
        expires_on=timezone.localdate() - timedelta(days=1)
    )
    pending = practitioner_at()
    pending.user.credentials.filter(kind="ims_certification").update(status="pending")
    rejected = practitioner_at()
    rejected.user.credentials.filter(kind="license").update(status="rejected")
    uncertified = practitioner_at()
    uncertified.user.credentials.filter(kind="ims_certification").delete()
    withdrawn = practitioner_at()
    withdrawn.user.credentials.filter(kind="license").update(withdrawn_at=timezone.now())
    # Past the services: keep the maintained credential facts as they would.
    for practitioner in (expired, pending, rejected, uncertified, withdrawn):
        stats_credentials_changed(owner_id=practitioner.user_id)
    practitioner_at(is_active=False)
    response = api_client.post(URL, {"condition": "sciatica"}, format="json")
    assert response.status_code == 200
    assert ids(response) == [keep.id]
    assert response.json()["count"] == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "included", "excluded"),
    [
        ({"location": VANCOUVER, "radius_km": 10}, "near", "far"),
        ({"location": {"city": "vancouver", "country": "ca"}, "radius_km": 10}, "near", "far"),
        ({"languages": ["fr"]}, "far", "near"),
        ({"accepting_new_patients": True}, "near", "far"),
    ],
)
def test_filters_include_and_exclude(api_client, body, included, excluded):
    people = {
        "near": practitioner_at(),
        "far": practitioner_at(
            49.8880, -119.4960, city="Kelowna", languages=",fr,en,", accepting_new_patients=False
        ),
    }
    response = api_client.post(URL, {"condition": "sciatica", **body}, format="json")
    assert response.status_code == 200
    assert people[included].id in ids(response)
    assert people[excluded].id not in ids(response)


@pytest.mark.django_db
def test_results_within_radius_carry_the_distance_to_the_nearest_clinic(api_client):
    practitioner = practitioner_at(49.30, -123.12)
    LocationFactory(practitioner=practitioner, lat=49.2827, lng=-123.1207)
    response = api_client.post(URL, {"condition": "sciatica", "location": VANCOUVER}, format="json")
    assert response.json()["results"][0]["distance_km"] == 0.0


@pytest.mark.django_db
def test_experience_only_priorities_put_the_most_experienced_first(api_client):
    novice, veteran = practitioner_at(), practitioner_at()
    ExperienceFactory(practitioner=novice, years=1, patients_treated=10)
    ExperienceFactory(practitioner=veteran, years=20, patients_treated=1500)
    reviews(novice, [5] * 40, verified=True)
    only_experience = {
        "qualifications": 0,
        "experience": 1,
        "referrals": 0,
        "communication": 0,
        "comfort": 0,
    }
    only_comfort = {**only_experience, "experience": 0, "comfort": 1}
    first = api_client.post(
        URL, {"condition": "sciatica", "priorities": only_experience}, format="json"
    )
    second = api_client.post(
        URL, {"condition": "sciatica", "priorities": only_comfort}, format="json"
    )
    assert ids(first) == [veteran.id, novice.id]
    assert ids(second) == [novice.id, veteran.id]
    assert first.json()["weights"] == {**only_experience, "experience": 1.0}


@pytest.mark.django_db
def test_one_five_star_review_ranks_below_thirty_averaging_four_point_eight(api_client):
    lone, many = practitioner_at(), practitioner_at()
    reviews(lone, [5], verified=True)
    reviews(many, [5] * 24 + [4] * 6, verified=True)
    response = api_client.post(
        URL,
        {
            "condition": "sciatica",
            "priorities": {
                "qualifications": 0,
                "experience": 0,
                "referrals": 0,
                "communication": 1,
                "comfort": 0,
            },
        },
        format="json",
    )
    assert ids(response) == [many.id, lone.id]
    assert response.json()["results"][0]["criteria"]["communication"]["reasons"] == [
        "4.8/5 from 30 reviews (30 verified)"
    ]


@pytest.mark.django_db
def test_verified_reviews_weigh_at_least_as_much_as_unverified(api_client):
    verified, unverified = practitioner_at(), practitioner_at()
    reviews(verified, [5, 5, 4], verified=True)
    reviews(unverified, [5, 5, 4], verified=False)
    response = api_client.post(URL, {"condition": "sciatica"}, format="json")
    results = response.json()["results"]
    assert ids(response) == [verified.id, unverified.id]
    assert results[0]["score"] >= results[1]["score"]


@pytest.mark.django_db
def test_three_referring_physicians_raise_the_referrals_score(api_client):
    referred, other = practitioner_at(), practitioner_at()
    # The credential facts row exists already (the factories keep it): set the figures.
    PractitionerStats.objects.filter(practitioner=referred).update(
        referring_physicians=3, completed_referrals=3
    )
    match_index_refresh(practitioner_id=referred.pk)
    response = api_client.post(URL, {"condition": "sciatica"}, format="json")
    by_id = {item["practitioner"]["id"]: item for item in response.json()["results"]}
    assert (
        by_id[referred.id]["criteria"]["referrals"]["score"]
        > (by_id[other.id]["criteria"]["referrals"]["score"])
    )
    assert by_id[referred.id]["criteria"]["referrals"]["reasons"][0] == "Referred by 3 physicians"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("health", "level", "messages"),
    [
        ({}, "ok", []),
        ({"anticoagulants": True}, "caution", [safety.ANTICOAGULANTS]),
        ({"bleeding_disorder": True}, "not_recommended", [safety.BLEEDING_DISORDER]),
        ({"active_infection": True}, "not_recommended", [safety.ACTIVE_INFECTION]),
        (
            {"bleeding_disorder": True, "anticoagulants": True, "active_infection": True},
            "not_recommended",
            [safety.BLEEDING_DISORDER, safety.ACTIVE_INFECTION, safety.ANTICOAGULANTS],
        ),
    ],
)
def test_safety_levels_and_results_still_returned(api_client, health, level, messages):
    practitioner = practitioner_at()
    response = api_client.post(URL, {"condition": "sciatica", "health": health}, format="json")
    assert response.status_code == 200
    assert response.json()["safety"] == {"level": level, "messages": messages}
    assert ids(response) == [practitioner.id]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("term", "slug"),
    [
        ("sciatica", "sciatica"),
        ("  LUMBAGO ", "back-pain"),
        ("Lateral Épicondylitis", "tennis-elbow"),
        ("Headaches and migraines", "headache"),
    ],
)
def test_synonyms_resolve(api_client, term, slug):
    response = api_client.post(URL, {"condition": term}, format="json")
    assert response.status_code == 200
    assert response.json()["condition"]["slug"] == slug


BAD = [
    ({"condition": "gout"}, "condition"),
    ({}, "condition"),
    ({"condition": "sciatica", "location": {"city": "Atlantis", "country": "CA"}}, "location"),
    ({"condition": "sciatica", "location": {"lat": 91, "lng": 0}}, "location"),
    ({"condition": "sciatica", "location": {"lat": 10, "lng": 181}}, "location"),
    ({"condition": "sciatica", "location": {"lat": 10}}, "location"),
    (
        {"condition": "sciatica", "location": {"lat": 1, "lng": 2, "city": "X", "country": "CA"}},
        "location",
    ),
    ({"condition": "sciatica", "location": "Vancouver"}, "location"),
    (
        {
            "condition": "sciatica",
            "priorities": dict.fromkeys(
                ["qualifications", "experience", "referrals", "communication", "comfort"], 0
            ),
        },
        "priorities",
    ),
    ({"condition": "sciatica", "priorities": {"comfort": 6}}, "priorities"),
    ({"condition": "sciatica", "priorities": {"comfort": -1}}, "priorities"),
    ({"condition": "sciatica", "priorities": {"price": 1}}, "priorities"),
    ({"condition": "sciatica", "radius_km": 0}, "radius_km"),
    ({"condition": "sciatica", "radius_km": 501}, "radius_km"),
    ({"condition": "sciatica", "radius_km": "far"}, "radius_km"),
    ({"condition": "sciatica", "limit": 0}, "limit"),
    ({"condition": "sciatica", "limit": 101}, "limit"),
    ({"condition": "sciatica", "languages": "en"}, "languages"),
    ({"condition": "sciatica", "languages": ["english"]}, "languages"),
    ({"condition": "sciatica", "health": {"bleeding_disorder": "maybe"}}, "health"),
    ({"condition": "sciatica", "health": {"diabetes": True}}, "health"),
    ({"condition": "sciatica", "sort": "price"}, "sort"),
    ({"condition": "sciatica", "sort": "distance"}, "sort"),
    ({"condition": "sciatica", "offset": -1}, "offset"),
    ({"condition": "sciatica", "offset": 1001}, "offset"),
    ({"condition": "sciatica", "max_fee": -5}, "max_fee"),
    ({"condition": "sciatica", "max_fee": "cheap"}, "max_fee"),
    ({"condition": "sciatica", "direct_billing": "maybe"}, "direct_billing"),
    ({"condition": "sciatica", "experience_required": "maybe"}, "experience_required"),
    ({"condition": "scia\x00tica"}, "condition"),
    ({"condition": 12}, "condition"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("body", "field"), BAD)
def test_bad_input_is_a_400_that_names_the_field(api_client, body, field):
    response = api_client.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert all(response.json()[field])


@pytest.mark.django_db
@pytest.mark.parametrize(
    "raw", [b"{not json", b"[1, 2]", b'{"condition": "sciatica", "limit": NaN}', b"null"]
)
def test_malformed_json_is_a_400(api_client, raw):
    response = api_client.post(URL, raw, content_type="application/json")
    assert response.status_code == 400


@pytest.mark.django_db
def test_unknown_condition_lists_the_valid_slugs(api_client):
    response = api_client.post(URL, {"condition": "gout"}, format="json")
    message = response.json()["condition"][0]
    assert all(c.slug in message for c in Condition.objects.all())


@pytest.mark.django_db
def test_health_answers_never_reach_the_logs(api_client, caplog):
    practitioner_at()
    caplog.set_level(logging.DEBUG)
    for body in (
        {
            "condition": "sciatica",
            "health": {"bleeding_disorder": True, "anticoagulants": True, "active_infection": True},
        },
        {"condition": "sciatica", "health": {"bleeding_disorder": "yes-please"}},
        {"condition": "gout", "health": {"anticoagulants": True}},
    ):
        api_client.post(URL, body, format="json")
    logged = "\n".join(
        f"{record.getMessage()} {record.args!r} {getattr(record, 'request', '')!r}"
        for record in caplog.records
    ).lower()
    for word in ("bleeding", "anticoagulant", "infection", "yes-please", "health"):
        assert word not in logged


@pytest.mark.django_db
def test_query_count_is_the_same_for_limit_1_and_100_and_10_or_500_candidates(
    api_client, django_assert_num_queries
):
    def many(n):
        for _ in range(n):
            p = practitioner_at()
            ExperienceFactory(practitioner=p)
            CredentialFactory(owner=p.user, verified=True, training=True)

    # One query: the ranking (top-k with its count, names, clinics and licences). On a cold
    # cache two more load the taxonomy and the site-wide priors (kept for minutes).
    many(10)
    body = {"condition": "sciatica", "location": VANCOUVER}
    with django_assert_num_queries(3):
        small = api_client.post(URL, {**body, "limit": 1}, format="json")
    with django_assert_num_queries(1):
        api_client.post(URL, {**body, "limit": 100}, format="json")
    assert small.json()["count"] == 10
    many(490)
    cache.clear()
    with django_assert_num_queries(3):
        big = api_client.post(URL, {**body, "limit": 100}, format="json")
    with django_assert_num_queries(1):
        api_client.post(URL, {"condition": "sciatica", "limit": 100}, format="json")
    assert big.json()["count"] == 500
    # Every filter, a page deep in the ranking and the other order: still one query (each
    # new shape's statement is written once, in Python, and cached).
    deep = {
        **body,
        "limit": 100,
        "offset": 400,
        "sort": "distance",
        "max_fee": 500,
        "direct_billing": True,
        "experience_required": True,
        "languages": ["en", "fr"],
        "accepting_new_patients": True,
    }
    with django_assert_num_queries(1):
        filtered = api_client.post(URL, deep, format="json")
    assert (filtered.json()["count"], filtered.json()["results"]) == (0, [])
    with django_assert_num_queries(1):
        paged = api_client.post(URL, {**body, "offset": 480, "sort": "distance"}, format="json")
    assert [item["rank"] for item in paged.json()["results"]] == list(range(481, 501))
    with django_assert_num_queries(1):
        api_client.post(URL, {"condition": "sciatica", "experience_required": True}, format="json")


def test_the_match_serializers_have_one_field_per_criterion_in_order():
    for serializer in (
        MatchPrioritiesInputSerializer(),
        MatchCriteriaSerializer(),
        MatchWeightsSerializer(),
    ):
        assert list(serializer.fields) == list(CRITERIA)


@pytest.mark.django_db
def test_radius_over_the_maximum_names_the_maximum(api_client):
    response = api_client.post(URL, {"condition": "sciatica", "radius_km": 500.5}, format="json")

    assert response.status_code == 400
    assert response.json() == {"radius_km": ["Must be more than 0 and at most 500 km."]}


@pytest.mark.django_db
def test_each_request_is_validated_on_its_own_by_the_threads_kept_serializer(api_client):
    """matching.presenters keeps one request serializer per thread: nothing a validation
    leaves (errors, data) reaches the next request."""
    practitioner_at()
    practitioner_at(lat=49.29)

    first = api_client.post(URL, {"condition": "sciatica", "offset": -1}, format="json")
    second = api_client.post(URL, {"condition": "sciatica", "sort": "price"}, format="json")
    third = api_client.post(
        URL, {"condition": "sciatica", "location": VANCOUVER, "limit": 1}, format="json"
    )
    fourth = api_client.post(URL, {"condition": "sciatica", "location": VANCOUVER}, format="json")

    assert (first.status_code, list(first.json())) == (400, ["offset"])
    assert (second.status_code, list(second.json())) == (400, ["sort"])
    assert (third.status_code, len(third.json()["results"])) == (200, 1)
    assert (fourth.status_code, len(fourth.json()["results"])) == (200, 2)


def test_threads_validate_with_serializers_of_their_own():
    both_validated = threading.Barrier(2, timeout=10)

    def serializer_of_this_thread(limit: int):
        serializer = presenters._request_serializer({"condition": "sciatica", "limit": limit})
        serializer.is_valid(raise_exception=True)
        both_validated.wait()  # two threads at once, each with its own validation
        return serializer, serializer.validated_data["limit"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        (one, one_limit), (other, other_limit) = pool.map(serializer_of_this_thread, [3, 7])
    assert (one_limit, other_limit) == (3, 7)
    assert one is not other


@pytest.mark.django_db
def test_the_reasons_name_the_licence_valid_longest_then_the_newest(api_client):
    """Of a practitioner's live licences the reasons name the one without an expiry (else
    the latest expiry), the newest of those; expired, withdrawn and unverified ones never."""
    practitioner = practitioner_at()  # its licence (CA-BC) expires in a year
    today = timezone.localdate()
    owner = practitioner.user

    def licence(jurisdiction, **kwargs):
        CredentialFactory(owner=owner, jurisdiction=jurisdiction, **kwargs)

    def named() -> str:
        stats_credentials_changed(owner_id=owner.pk)
        body = {"condition": "sciatica", "location": VANCOUVER}
        response = api_client.post(URL, body, format="json")
        assert response.status_code == 200
        return response.json()["results"][0]["criteria"]["qualifications"]["reasons"][0]

    assert named() == "Licensed physiotherapist (CA-BC), verified"
    licence("CA-AB", verified=True, expires_on=today + timedelta(days=800))
    licence("CA-SK", verified=True, expires_on=today - timedelta(days=1))  # expired
    assert named() == "Licensed physiotherapist (CA-AB), verified"
    licence("CA-ON", verified=True, expires_on=None)
    licence("CA-MB", verified=True, expires_on=None)  # newer, same validity
    licence("CA-QC", expires_on=None)  # pending
    assert named() == "Licensed physiotherapist (CA-MB), verified"
    licence("CA-NS", verified=True, expires_on=None, withdrawn_at=timezone.now())
    assert named() == "Licensed physiotherapist (CA-MB), verified"
