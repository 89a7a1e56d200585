"""interop.resources: what each FHIR resource says, that only published rows (listed,
qualified practitioners; live licences and IMS certifications) are, that every resource
validates against the R4B models over the demo directory, and the export's iterator
(`since`, chunks, a query count that does not grow per row)."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from directory.models import (
    Condition,
    Credential,
    CredentialKind,
    Location,
    PractitionerProfile,
)
from directory.read_models import public_credential
from directory.selectors.practitioners import practitioner_list
from interop.codesystems import code_system_resource
from interop.resources import RESOURCE_TYPES, resource_by_id, resources_iter
from tests.factories import (
    CredentialFactory,
    ExperienceFactory,
    LocationFactory,
    PractitionerFactory,
    qualified_practitioner,
)
from tests.interop.fhir import fhir_valid, seed

pytestmark = pytest.mark.django_db

SITE = "https://ims.example.org"
PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
REVIEWED_AT = datetime(2025, 3, 1, 17, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _published(resource_type: str, today: date) -> list[dict]:
    return list(resources_iter(resource_type=resource_type, since=None, today=today))


@pytest.fixture
def clinic_practitioner():
    """A qualified physiotherapist with one clinic (contact, hours, step-free) treating
    sciatica and fibromyalgia, and credentials in every state that must stay unpublished."""
    today = timezone.localdate()
    practitioner = PractitionerFactory(
        user__name="Ada Gunn", languages=",en,fr,", accepting_new_patients=False
    )
    owner = practitioner.user
    licence = CredentialFactory(
        owner=owner,
        verified=True,
        reviewed_at=REVIEWED_AT,
        number="PT-1234",
        issued_on=date(2015, 1, 1),
        expires_on=today + timedelta(days=200),
    )
    ims = CredentialFactory(
        owner=owner,
        verified=True,
        ims=True,
        reviewed_at=REVIEWED_AT,
        number="",
        issued_on=date(2012, 10, 15),
    )
    # Never published: pending, rejected, expired, withdrawn, and a verified training.
    CredentialFactory(owner=owner, number="PENDING-1")
    CredentialFactory(owner=owner, rejected=True, number="REJECTED-1")
    CredentialFactory(
        owner=owner,
        verified=True,
        number="EXPIRED-1",
        issued_on=date(2010, 1, 1),
        expires_on=today - timedelta(days=1),
    )
    CredentialFactory(owner=owner, verified=True, number="WITHDRAWN-1", withdrawn_at=timezone.now())
    CredentialFactory(owner=owner, verified=True, training=True)
    clinic = LocationFactory(
        practitioner=practitioner,
        name="Kits IMS",
        address="2186 W 4th Ave",
        postal_code="V6K 1N7",
        lat=49.2684,
        lng=-123.1588,
        phone="+16045550123",
        website="https://kits.example.org/",
        booking_url="https://kits.example.org/book",
        hours=[
            {"day": "mon", "opens": "09:00", "closes": "17:00"},
            {"day": "sat", "opens": "10:00", "closes": "14:00"},
        ],
        wheelchair_accessible=True,
    )
    ExperienceFactory(practitioner=practitioner, condition=Condition.objects.get(slug="sciatica"))
    ExperienceFactory(
        practitioner=practitioner, condition=Condition.objects.get(slug="fibromyalgia")
    )
    practitioner.refresh_from_db()
    return practitioner, licence, ims, clinic


def test_practitioner_publishes_name_languages_and_live_qualifications_only(clinic_practitioner):
    practitioner, licence, ims, _ = clinic_practitioner
    today = timezone.localdate()
    resource = resource_by_id("Practitioner", str(practitioner.pk), today)
    assert fhir_valid(resource) == {
        "resourceType": "Practitioner",
        "id": str(practitioner.pk),
        "meta": {
            "lastUpdated": practitioner.listing_changed_at.isoformat(),
            "profile": [f"{PLANNET}/StructureDefinition/plannet-Practitioner"],
        },
        "active": True,
        "name": [{"text": "Ada Gunn"}],
        "qualification": [
            {
                "id": f"credential-{licence.pk}",
                "identifier": [{"system": f"{SITE}/fhir/sid/licence/CA-BC", "value": "PT-1234"}],
                "code": {
                    "coding": [
                        {
                            "system": f"{SITE}/fhir/CodeSystem/professions",
                            "code": "physiotherapist",
                            "display": "Physiotherapist",
                        }
                    ],
                    "text": "Physiotherapist",
                },
                "extension": [
                    {
                        "url": f"{SITE}/fhir/StructureDefinition/needling-authorized",
                        "valueBoolean": True,
                    }
                ],
                "period": {"start": "2015-01-01", "end": licence.expires_on.isoformat()},
                "issuer": {"display": "College of Physical Therapists of British Columbia"},
            },
            {
                "id": f"credential-{ims.pk}",
                "code": {
                    "coding": [
                        {
                            "system": f"{SITE}/fhir/CodeSystem/qualification-kinds",
                            "code": "ims-certification",
                            "display": "IMS certification",
                        }
                    ],
                    "text": "IMS certification",
                },
                "period": {"start": "2012-10-15"},
                "issuer": {"display": "Institute for the Study and Treatment of Pain (iSTOP)"},
            },
        ],
        "communication": [
            {"coding": [{"system": "urn:ietf:bcp:47", "code": "en", "display": "English"}]},
            {"coding": [{"system": "urn:ietf:bcp:47", "code": "fr", "display": "French"}]},
        ],
    }


def test_role_publishes_practitioner_clinic_conditions_newpatients_contact_and_hours(
    clinic_practitioner,
):
    practitioner, _, _, clinic = clinic_practitioner
    resource = resource_by_id("PractitionerRole", str(clinic.pk), timezone.localdate())
    telecom = [
        {"system": "phone", "value": "+16045550123", "use": "work"},
        {"system": "url", "value": "https://kits.example.org/", "use": "work"},
        {"system": "url", "value": "https://kits.example.org/book", "use": "work"},
    ]
    assert fhir_valid(resource) == {
        "resourceType": "PractitionerRole",
        "id": str(clinic.pk),
        "meta": {
            "lastUpdated": practitioner.listing_changed_at.isoformat(),
            "profile": [f"{PLANNET}/StructureDefinition/plannet-PractitionerRole"],
        },
        # Not accepting new patients: still treating their own (Plan-Net's existptonly).
        "extension": [
            {
                "url": f"{PLANNET}/StructureDefinition/newpatients",
                "extension": [
                    {
                        "url": "acceptingPatients",
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": f"{PLANNET}/CodeSystem/AcceptingPatientsCS",
                                    "code": "existptonly",
                                    "display": "Accepting existing patients",
                                }
                            ]
                        },
                    }
                ],
            }
        ],
        "active": True,
        "practitioner": {"reference": f"Practitioner/{practitioner.pk}", "display": "Ada Gunn"},
        "location": [{"reference": f"Location/{clinic.pk}", "display": "Kits IMS"}],
        "code": [
            {
                "coding": [
                    {
                        "system": f"{SITE}/fhir/CodeSystem/professions",
                        "code": "physiotherapist",
                        "display": "Physiotherapist",
                    }
                ],
                "text": "Physiotherapist",
            }
        ],
        "specialty": [
            {
                "coding": [
                    {
                        "system": f"{SITE}/fhir/CodeSystem/conditions",
                        "code": "fibromyalgia",
                        "display": "Fibromyalgia",
                    },
                    {
                        "system": "http://snomed.info/sct",
                        "code": "203082005",
                        "display": "Fibromyalgia (disorder)",
                    },
                ],
                "text": "Fibromyalgia",
            },
            {
                "coding": [
                    {
                        "system": f"{SITE}/fhir/CodeSystem/conditions",
                        "code": "sciatica",
                        "display": "Sciatica",
                    }
                ],
                "text": "Sciatica",
            },
        ],
        "telecom": telecom,
        "availableTime": [
            {
                "daysOfWeek": ["mon"],
                "availableStartTime": "09:00:00",
                "availableEndTime": "17:00:00",
            },
            {
                "daysOfWeek": ["sat"],
                "availableStartTime": "10:00:00",
                "availableEndTime": "14:00:00",
            },
        ],
    }


def test_location_publishes_address_position_contact_hours_and_accessibility(
    clinic_practitioner,
):
    practitioner, _, _, clinic = clinic_practitioner
    resource = resource_by_id("Location", str(clinic.pk), timezone.localdate())
    assert fhir_valid(resource) == {
        "resourceType": "Location",
        "id": str(clinic.pk),
        "meta": {
            "lastUpdated": practitioner.listing_changed_at.isoformat(),
            "profile": [f"{PLANNET}/StructureDefinition/plannet-Location"],
        },
        "status": "active",
        "name": "Kits IMS",
        "mode": "instance",
        "address": {
            "use": "work",
            "type": "physical",
            "city": "Vancouver",
            "country": "CA",
            "line": ["2186 W 4th Ave"],
            "state": "BC",
            "postalCode": "V6K 1N7",
        },
        "position": {"longitude": -123.1588, "latitude": 49.2684},
        "telecom": [
            {"system": "phone", "value": "+16045550123", "use": "work"},
            {"system": "url", "value": "https://kits.example.org/", "use": "work"},
            {"system": "url", "value": "https://kits.example.org/book", "use": "work"},
        ],
        "hoursOfOperation": [
            {"daysOfWeek": ["mon"], "openingTime": "09:00:00", "closingTime": "17:00:00"},
            {"daysOfWeek": ["sat"], "openingTime": "10:00:00", "closingTime": "14:00:00"},
        ],
        "extension": [
            {
                "url": f"{PLANNET}/StructureDefinition/accessibility",
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": f"{PLANNET}/CodeSystem/AccessibilityCS",
                            "code": "handiaccess",
                            "display": "handicap accessible",
                        }
                    ]
                },
            }
        ],
    }


def test_a_clinic_without_contact_hours_or_stated_access_says_only_what_is_known():
    practitioner = qualified_practitioner(accepting_new_patients=True)
    clinic = LocationFactory(
        practitioner=practitioner, address="", region="", postal_code="", hours=[]
    )
    today = timezone.localdate()
    location = fhir_valid(resource_by_id("Location", str(clinic.pk), today))
    assert location["address"] == {
        "use": "work",
        "type": "physical",
        "city": "Vancouver",
        "country": "CA",
    }
    assert {"telecom", "hoursOfOperation", "extension"}.isdisjoint(location)
    role = fhir_valid(resource_by_id("PractitionerRole", str(clinic.pk), today))
    assert {"telecom", "availableTime", "specialty"}.isdisjoint(role)
    assert role["extension"][0]["extension"][0]["valueCodeableConcept"]["coding"][0]["code"] == (
        "newpt"
    )


def test_verification_result_per_live_credential_names_target_process_and_date(
    clinic_practitioner,
):
    practitioner, licence, ims, _ = clinic_practitioner
    today = timezone.localdate()
    moderator_review = {
        "coding": [
            {
                "system": f"{SITE}/fhir/CodeSystem/validation-process",
                "code": "moderator-review",
                "display": "Moderator review of the evidence document",
            }
        ],
        "text": "Moderator review of the evidence document",
    }
    assert fhir_valid(resource_by_id("VerificationResult", str(ims.pk), today)) == {
        "resourceType": "VerificationResult",
        "id": str(ims.pk),
        "meta": {"lastUpdated": practitioner.listing_changed_at.isoformat()},
        "target": [
            {
                "reference": f"Practitioner/{practitioner.pk}",
                "display": "IMS certification of Ada Gunn",
            }
        ],
        "targetLocation": [f"Practitioner.qualification.where(id = 'credential-{ims.pk}')"],
        "status": "validated",
        "validationType": {"text": "Evidence document reviewed by a moderator"},
        "validationProcess": [moderator_review],
        "statusDate": REVIEWED_AT.isoformat(),
        "lastPerformed": REVIEWED_AT.isoformat(),
    }
    # A licence a regulator's register confirmed since: primary source, and that date.
    checked_on = date(2025, 6, 30)
    Credential.objects.filter(pk=licence.pk).update(
        register_checked_on=checked_on, register_source="CHCPBC roster"
    )
    resource = fhir_valid(resource_by_id("VerificationResult", str(licence.pk), today))
    assert resource["validationType"] == {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/validation-type",
                "code": "primary",
                "display": "Primary Source",
            }
        ],
        "text": "Confirmed by CHCPBC roster",
    }
    assert [process["coding"][0]["code"] for process in resource["validationProcess"]] == [
        "moderator-review",
        "register-import",
    ]
    assert (resource["statusDate"], resource["lastPerformed"]) == ("2025-06-30", "2025-06-30")


def test_unpublished_credentials_have_no_verification_result(clinic_practitioner):
    practitioner, licence, ims, _ = clinic_practitioner
    today = timezone.localdate()
    published = {resource["id"] for resource in _published("VerificationResult", today)}
    assert published == {str(licence.pk), str(ims.pk)}
    for credential in Credential.objects.exclude(pk__in=[licence.pk, ims.pk]):
        assert resource_by_id("VerificationResult", str(credential.pk), today) is None


@pytest.mark.parametrize("unlisted", ["deactivated", "account_closed", "not_qualified"])
def test_unlisted_or_unqualified_practitioners_publish_nothing(unlisted):
    today = timezone.localdate()
    if unlisted == "not_qualified":  # a verified licence, but the IMS certification pending
        practitioner = PractitionerFactory()
        CredentialFactory(owner=practitioner.user, verified=True)
        CredentialFactory(owner=practitioner.user, ims=True)
    else:
        practitioner = qualified_practitioner()
    clinic = LocationFactory(practitioner=practitioner)
    if unlisted == "deactivated":
        PractitionerProfile.objects.filter(pk=practitioner.pk).update(is_active=False)
    elif unlisted == "account_closed":
        type(practitioner.user).objects.filter(pk=practitioner.user_id).update(is_active=False)
    credential = Credential.objects.filter(owner=practitioner.user).first()
    for resource_type, pk in (
        ("Practitioner", practitioner.pk),
        ("PractitionerRole", clinic.pk),
        ("Location", clinic.pk),
        ("VerificationResult", credential.pk),
    ):
        assert resource_by_id(resource_type, str(pk), today) is None
        assert _published(resource_type, today) == []


@pytest.mark.parametrize("id", ["abc", "0", "-1", "1.5", "9" * 18, "9" * 30])
def test_malformed_or_unknown_ids_read_as_none(id):
    qualified_practitioner()
    assert resource_by_id("Practitioner", id, timezone.localdate()) is None


def _api_pages(client, resource_type: str) -> list[dict]:
    """Every resource a search of `resource_type` answers, page by page through `next`,
    each Bundle validated whole."""
    found, url = [], f"/fhir/{resource_type}?_count=100"
    while url:
        bundle = fhir_valid(client.get(url).json())
        found += [entry["resource"] for entry in bundle["entry"]]
        url = next((link["url"] for link in bundle["link"] if link["relation"] == "next"), None)
    return found


def test_every_resource_over_the_demo_validates_and_publishes_what_the_directory_qualifies(
    client,
):
    today = timezone.localdate()
    seed(today)
    published = {
        resource_type: _published(resource_type, today) for resource_type in RESOURCE_TYPES
    }
    for resource_type, resources in published.items():
        for resource in resources:
            fhir_valid(resource)
        # The API answers the same resources, and a read each one.
        assert _api_pages(client, resource_type) == resources
    for resource in published["Practitioner"][:5] + published["VerificationResult"][:5]:
        read = client.get(f"/fhir/{resource['resourceType']}/{resource['id']}").json()
        assert fhir_valid(read) == resource
    qualified = {row["id"] for row in practitioner_list(filters={"qualified": "true"}, today=today)}
    assert 0 < len(qualified) < PractitionerProfile.objects.count()
    assert {int(r["id"]) for r in published["Practitioner"]} == qualified
    clinics = set(Location.objects.filter(practitioner__in=qualified).values_list("pk", flat=True))
    assert {int(r["id"]) for r in published["Location"]} == clinics
    assert {int(r["id"]) for r in published["PractitionerRole"]} == clinics
    # Read through the directory's own public view of each credential.
    live = {
        credential.pk
        for credential in Credential.objects.filter(
            owner__practitioner__in=qualified,
            kind__in=(CredentialKind.LICENSE, CredentialKind.IMS_CERTIFICATION),
            withdrawn_at__isnull=True,
        )
        if public_credential(credential, today=today).status == "verified"
    }
    assert {int(r["id"]) for r in published["VerificationResult"]} == live
    qualifications = {
        int(q["id"].removeprefix("credential-"))
        for r in published["Practitioner"]
        for q in r.get("qualification", [])
    }
    assert qualifications == live


def test_since_keeps_the_practitioners_whose_listing_changed_then_or_later():
    today = timezone.localdate()
    earlier, changed = qualified_practitioner(), qualified_practitioner()
    clinic = LocationFactory(practitioner=changed)
    LocationFactory(practitioner=earlier)
    since = datetime(2030, 1, 1, tzinfo=UTC)
    PractitionerProfile.objects.filter(pk=earlier.pk).update(
        listing_changed_at=since - timedelta(seconds=1)
    )
    PractitionerProfile.objects.filter(pk=changed.pk).update(listing_changed_at=since)

    def ids(resource_type: str) -> list[str]:
        found = resources_iter(resource_type=resource_type, since=since, today=today)
        return [resource["id"] for resource in found]

    assert ids("Practitioner") == [str(changed.pk)]
    assert ids("PractitionerRole") == ids("Location") == [str(clinic.pk)]
    assert ids("VerificationResult") == [
        str(pk)
        for pk in Credential.objects.filter(owner=changed.user)
        .order_by("pk")
        .values_list("pk", flat=True)
    ]


# Queries per chunk of practitioners: their ids, then each builder's fixed reads.
QUERIES_PER_CHUNK = {
    "Practitioner": 1 + 2,
    "PractitionerRole": 1 + 2,
    "Location": 1 + 1,
    "VerificationResult": 1 + 1,
}


@pytest.mark.parametrize("resource_type", RESOURCE_TYPES)
def test_export_iterates_in_chunks_with_a_fixed_query_count_per_chunk(
    resource_type, django_assert_num_queries
):
    today = timezone.localdate()
    for _ in range(5):
        practitioner = qualified_practitioner()
        LocationFactory.create_batch(2, practitioner=practitioner)
        ExperienceFactory(practitioner=practitioner)
    all_at_once = _published(resource_type, today)
    # Five practitioners two at a time: three chunks, and one query that finds no more.
    with django_assert_num_queries(3 * QUERIES_PER_CHUNK[resource_type] + 1):
        chunked = list(
            resources_iter(resource_type=resource_type, since=None, today=today, chunk_size=2)
        )
    assert chunked == all_at_once
    assert len(chunked) == {"Practitioner": 5, "VerificationResult": 10}.get(resource_type, 10)


def test_resources_iter_refuses_an_unknown_type():
    with pytest.raises(ValueError, match="Practitioner, PractitionerRole, Location"):
        list(resources_iter(resource_type="Patient", since=None, today=timezone.localdate()))


def test_conditions_code_system_lists_every_slug_with_its_synonyms():
    code_system = fhir_valid(code_system_resource("conditions"))
    conditions = Condition.objects.order_by("name", "id")
    assert code_system["url"] == f"{SITE}/fhir/CodeSystem/conditions"
    assert code_system["count"] == conditions.count() == 12
    assert code_system["concept"] == [
        {"code": condition.slug, "display": condition.name}
        | (
            {"designation": [{"language": "en", "value": s} for s in condition.synonyms]}
            if condition.synonyms
            else {}
        )
        for condition in conditions
    ]
    assert code_system_resource("nope") is None
