"""The one module that turns directory rows into FHIR R4 resources (plain JSON dicts), for
the read API and the bulk export alike.

Rows come from interop.selectors, which publish with the directory's own rules (listed,
qualified practitioners; live licences and IMS certifications only). Each `*_resources`
function reads the rows for a set of resources in a fixed number of queries (one per kind
of row), so a page, an include or an export chunk costs the same queries whatever its size.

Profiles and extensions follow Da Vinci PDex Plan-Net 1.2 (Practitioner, PractitionerRole,
Location; `newpatients` and `accessibility`); our own code systems live under
CANONICAL_BASE (SITE_URL + /fhir), where /fhir/CodeSystem/<id> serves them.
"""

from collections.abc import Callable, Iterator
from datetime import date, datetime

from babel import Locale
from django.conf import settings
from django.db.models import QuerySet

from directory.models import CredentialKind, Profession
from directory.models.practitioners import languages_from_db
from interop import selectors

RESOURCE_TYPES = ("Practitioner", "PractitionerRole", "Location", "VerificationResult")

PLANNET = "http://hl7.org/fhir/us/davinci-pdex-plan-net"
PROFILES = {
    "Practitioner": f"{PLANNET}/StructureDefinition/plannet-Practitioner",
    "PractitionerRole": f"{PLANNET}/StructureDefinition/plannet-PractitionerRole",
    "Location": f"{PLANNET}/StructureDefinition/plannet-Location",
}
NEWPATIENTS_URL = f"{PLANNET}/StructureDefinition/newpatients"
ACCEPTING_PATIENTS_SYSTEM = f"{PLANNET}/CodeSystem/AcceptingPatientsCS"
ACCESSIBILITY_URL = f"{PLANNET}/StructureDefinition/accessibility"
ACCESSIBILITY_SYSTEM = f"{PLANNET}/CodeSystem/AccessibilityCS"
LANGUAGE_SYSTEM = "urn:ietf:bcp:47"
SNOMED = "http://snomed.info/sct"
VALIDATION_TYPE_SYSTEM = "http://terminology.hl7.org/CodeSystem/validation-type"

# SNOMED CT codings only where the concept is certain (checked against HL7's own examples);
# every condition has its code in our CodeSystem.
SNOMED_CODES = {"fibromyalgia": ("203082005", "Fibromyalgia (disorder)")}

# Accepting new patients -> newpt; not accepting -> existptonly (the practitioner still
# treats their own patients, which "nopt" would deny).
ACCEPTING = {True: ("newpt", "Accepting"), False: ("existptonly", "Accepting existing patients")}


def canonical_base() -> str:
    """Where our own code systems and identifier systems are named: SITE_URL + /fhir."""
    return f"{settings.SITE_URL.rstrip('/')}/fhir"


def system(name: str) -> str:
    return f"{canonical_base()}/CodeSystem/{name}"


def licence_system(jurisdiction: str) -> str:
    """Registration numbers are unique per jurisdiction's regulator (e.g. CA-BC)."""
    return f"{canonical_base()}/sid/licence/{jurisdiction}"


def needling_extension_url() -> str:
    return f"{canonical_base()}/StructureDefinition/needling-authorized"


# Our code systems other than conditions (which the database holds): code -> display.
VALIDATION_PROCESSES = {
    "moderator-review": "Moderator review of the evidence document",
    "register-import": "Confirmed by the regulator's register",
}
QUALIFICATION_KINDS = {"ims-certification": "IMS certification"}
STATIC_CODE_SYSTEMS = {
    "professions": ("Professions", dict(Profession.choices)),
    "validation-process": ("Validation processes", VALIDATION_PROCESSES),
    "qualification-kinds": ("Qualification kinds", QUALIFICATION_KINDS),
}


def _meta(resource_type: str, changed_at: datetime) -> dict:
    meta = {"lastUpdated": changed_at.isoformat()}
    if resource_type in PROFILES:
        meta["profile"] = [PROFILES[resource_type]]
    return meta


def _coding(system_url: str, code: str, display: str) -> dict:
    return {"system": system_url, "code": code, "display": display}


def _profession(code: str) -> dict:
    display = dict(Profession.choices).get(code, code)
    return {"coding": [_coding(system("professions"), code, display)], "text": display}


def _reference(resource_type: str, pk: int, display: str) -> dict:
    reference = {"reference": f"{resource_type}/{pk}"}
    return reference | {"display": display} if display else reference


def _spans(hours: list[dict], opens: str, closes: str) -> list[dict]:
    """A clinic's opening hours (directory.validators.hours_normalize: days mon..sun, as
    FHIR's daysOfWeek, clock HH:MM) under the element names of `opens` and `closes`; FHIR's
    time is HH:MM:SS."""
    return [
        {"daysOfWeek": [span["day"]], opens: f"{span['opens']}:00", closes: f"{span['closes']}:00"}
        for span in hours
    ]


# Practitioner


def _qualification(credential: dict) -> dict:
    qualification = {"id": f"credential-{credential['id']}"}
    if credential["kind"] == CredentialKind.LICENSE:
        if credential["number"]:
            qualification["identifier"] = [
                {
                    "system": licence_system(credential["jurisdiction"]),
                    "value": credential["number"],
                }
            ]
        qualification["code"] = _profession(credential["profession"])
        qualification["extension"] = [
            {"url": needling_extension_url(), "valueBoolean": credential["needling_authorized"]}
        ]
    else:
        qualification["code"] = {
            "coding": [
                _coding(system("qualification-kinds"), "ims-certification", "IMS certification")
            ],
            "text": "IMS certification",
        }
    period = {}
    if credential["issued_on"]:
        period["start"] = credential["issued_on"].isoformat()
    if credential["expires_on"]:
        period["end"] = credential["expires_on"].isoformat()
    if period:
        qualification["period"] = period
    qualification["issuer"] = {"display": credential["issuer"]}
    return qualification


def _language(code: str) -> dict:
    display = Locale("en").languages.get(code)
    coding = {"system": LANGUAGE_SYSTEM, "code": code}
    return {"coding": [coding | {"display": display} if display else coding]}


def practitioner_resource(row: dict, credentials: list[dict]) -> dict:
    resource = {
        "resourceType": "Practitioner",
        "id": str(row["id"]),
        "meta": _meta("Practitioner", row["changed_at"]),
        "active": True,
        "name": [{"text": row["name"]}],
        "qualification": [_qualification(credential) for credential in credentials],
    }
    languages = languages_from_db(row["languages"])
    if languages:
        resource["communication"] = [_language(code) for code in languages]
    if not resource["qualification"]:
        del resource["qualification"]
    return resource


def practitioner_resources(practitioners: QuerySet, *, today: date) -> list[dict]:
    """Two queries: the practitioners, and their published credentials."""
    rows = selectors.practitioner_rows(practitioners)
    by_owner: dict[int, list[dict]] = {row["user_id"]: [] for row in rows}
    credentials = selectors.credentials_published(today=today).filter(owner_id__in=list(by_owner))
    for credential in selectors.credential_rows(credentials):
        by_owner[credential["owner_id"]].append(credential)
    return [practitioner_resource(row, by_owner[row["user_id"]]) for row in rows]


# Location and PractitionerRole: one clinic each (a clinic belongs to one practitioner)


def _telecom(clinic: dict) -> list[dict]:
    telecom = []
    if clinic["phone"]:
        telecom.append({"system": "phone", "value": clinic["phone"], "use": "work"})
    for url in (clinic["website"], clinic["booking_url"]):
        if url:
            telecom.append({"system": "url", "value": url, "use": "work"})
    return telecom


def location_resource(clinic: dict) -> dict:
    address = {
        "use": "work",
        "type": "physical",
        "city": clinic["city"],
        "country": clinic["country"],
    }
    if clinic["address"]:
        address["line"] = [clinic["address"]]
    if clinic["region"]:
        address["state"] = clinic["region"]
    if clinic["postal_code"]:
        address["postalCode"] = clinic["postal_code"]
    resource = {
        "resourceType": "Location",
        "id": str(clinic["id"]),
        "meta": _meta("Location", clinic["changed_at"]),
        "status": "active",
        "name": clinic["name"],
        "mode": "instance",
        "address": address,
        "position": {"longitude": clinic["lng"], "latitude": clinic["lat"]},
    }
    if telecom := _telecom(clinic):
        resource["telecom"] = telecom
    if clinic["hours"]:
        resource["hoursOfOperation"] = _spans(clinic["hours"], "openingTime", "closingTime")
    if clinic["wheelchair_accessible"]:
        # Plan-Net's code for access for persons with disabilities; "not accessible" and
        # "not stated" have no code, so they carry no extension.
        accessible = _coding(ACCESSIBILITY_SYSTEM, "handiaccess", "handicap accessible")
        resource["extension"] = [
            {"url": ACCESSIBILITY_URL, "valueCodeableConcept": {"coding": [accessible]}}
        ]
    return resource


def _specialty(condition: dict) -> dict:
    codings = [_coding(system("conditions"), condition["slug"], condition["name"])]
    if condition["slug"] in SNOMED_CODES:
        codings.append(_coding(SNOMED, *SNOMED_CODES[condition["slug"]]))
    return {"coding": codings, "text": condition["name"]}


def _newpatients(accepting: bool) -> dict:
    code, display = ACCEPTING[bool(accepting)]
    return {
        "url": NEWPATIENTS_URL,
        "extension": [
            {
                "url": "acceptingPatients",
                "valueCodeableConcept": {
                    "coding": [_coding(ACCEPTING_PATIENTS_SYSTEM, code, display)]
                },
            }
        ],
    }


def role_resource(clinic: dict, conditions: list[dict]) -> dict:
    resource = {
        "resourceType": "PractitionerRole",
        "id": str(clinic["id"]),
        "meta": _meta("PractitionerRole", clinic["changed_at"]),
        "extension": [_newpatients(clinic["accepting_new_patients"])],
        "active": True,
        "practitioner": _reference(
            "Practitioner", clinic["practitioner_id"], clinic["practitioner_name"]
        ),
        "location": [_reference("Location", clinic["id"], clinic["name"])],
        "code": [_profession(clinic["profession"])],
    }
    if conditions:
        resource["specialty"] = [_specialty(condition) for condition in conditions]
    if telecom := _telecom(clinic):
        resource["telecom"] = telecom
    if clinic["hours"]:
        resource["availableTime"] = _spans(
            clinic["hours"], "availableStartTime", "availableEndTime"
        )
    return resource


def location_resources(locations: QuerySet, *, today: date) -> list[dict]:
    """One query."""
    return [location_resource(clinic) for clinic in selectors.location_rows(locations)]


def role_resources(locations: QuerySet, *, today: date) -> list[dict]:
    """Two queries: the clinics with their practitioners, and the practitioners' conditions."""
    clinics = selectors.location_rows(locations)
    by_practitioner: dict[int, list[dict]] = {clinic["practitioner_id"]: [] for clinic in clinics}
    for condition in selectors.condition_rows(practitioner_ids=by_practitioner):
        by_practitioner[condition["practitioner_id"]].append(condition)
    return [role_resource(clinic, by_practitioner[clinic["practitioner_id"]]) for clinic in clinics]


# VerificationResult: one per published credential


def _status_date(credential: dict) -> str | None:
    """When it was last confirmed: the moderator's decision, or a later register check."""
    reviewed, checked = credential["reviewed_at"], credential["register_checked_on"]
    if checked is not None and (reviewed is None or checked >= reviewed.date()):
        return checked.isoformat()
    return reviewed.isoformat() if reviewed is not None else None


def verification_resource(credential: dict) -> dict:
    processes = ["moderator-review"]
    if credential["register_checked_on"]:
        processes.append("register-import")
        register = credential["register_source"] or "the regulator's register"
        validation_type = {
            "coding": [_coding(VALIDATION_TYPE_SYSTEM, "primary", "Primary Source")],
            "text": f"Confirmed by {register}",
        }
    else:
        validation_type = {"text": "Evidence document reviewed by a moderator"}
    kind = dict(CredentialKind.choices)[credential["kind"]]
    resource = {
        "resourceType": "VerificationResult",
        "id": str(credential["id"]),
        "meta": _meta("VerificationResult", credential["changed_at"]),
        "target": [
            _reference(
                "Practitioner",
                credential["practitioner_id"],
                f"{kind} of {credential['practitioner_name']}",
            )
        ],
        "targetLocation": [
            f"Practitioner.qualification.where(id = 'credential-{credential['id']}')"
        ],
        "status": "validated",
        "validationType": validation_type,
        "validationProcess": [
            {
                "coding": [_coding(system("validation-process"), code, VALIDATION_PROCESSES[code])],
                "text": VALIDATION_PROCESSES[code],
            }
            for code in processes
        ],
    }
    if status_date := _status_date(credential):
        resource["statusDate"] = status_date
        resource["lastPerformed"] = status_date
    return resource


def verification_resources(credentials: QuerySet, *, today: date) -> list[dict]:
    """One query."""
    return [verification_resource(row) for row in selectors.credential_rows(credentials)]


# What each resource type is built from, for reads, searches and the export.

Builder = Callable[..., list[dict]]
BUILDERS: dict[str, Builder] = {
    "Practitioner": practitioner_resources,
    "PractitionerRole": role_resources,
    "Location": location_resources,
    "VerificationResult": verification_resources,
}


def _rows_for_practitioners(resource_type: str, practitioner_ids: list[int], *, today: date):
    """The published rows of `resource_type` belonging to these practitioners."""
    if resource_type == "Practitioner":
        return selectors.practitioner_search(today=today, ids=practitioner_ids)
    if resource_type == "VerificationResult":
        return selectors.credential_search(today=today, practitioner_ids=practitioner_ids)
    return selectors.location_search(today=today, practitioner_ids=practitioner_ids)


def resources_iter(
    *, resource_type: str, since: datetime | None, today: date, chunk_size: int = 500
) -> Iterator[dict]:
    """Every published resource of `resource_type` (with `since`, of the practitioners whose
    listing changed then or later), `chunk_size` practitioners at a time: memory is bounded
    by a chunk, and each chunk costs the same few queries whatever it holds."""
    if resource_type not in BUILDERS:
        raise ValueError(f"resource_type must be one of {', '.join(RESOURCE_TYPES)}")
    practitioners = selectors.practitioners_published(today=today, since=since)
    after = 0
    while True:
        chunk = list(practitioners.filter(pk__gt=after).values_list("pk", flat=True)[:chunk_size])
        if not chunk:
            return
        rows = _rows_for_practitioners(resource_type, chunk, today=today)
        yield from BUILDERS[resource_type](rows, today=today)
        after = chunk[-1]


def search_rows(resource_type: str, ids: list[int], *, today: date) -> QuerySet:
    """The published rows of `resource_type` with these ids (a clinic for a role)."""
    if resource_type == "Practitioner":
        return selectors.practitioner_search(today=today, ids=ids)
    if resource_type == "VerificationResult":
        return selectors.credential_search(today=today, ids=ids)
    return selectors.location_search(today=today, ids=ids)


def resources_by_ids(resource_type: str, ids: list[int], *, today: date) -> list[dict]:
    """The published resources with these ids, in the order of `ids` (unknown ids are
    left out). A fixed number of queries, whatever the number of ids."""
    built = BUILDERS[resource_type](search_rows(resource_type, ids, today=today), today=today)
    by_id = {resource["id"]: resource for resource in built}
    return [by_id[str(pk)] for pk in ids if str(pk) in by_id]


def resource_by_id(resource_type: str, id: str, today: date) -> dict | None:
    """One published resource, or None (unknown type, malformed or unknown id)."""
    if resource_type not in BUILDERS or not id.isdigit() or len(id) > 18:
        return None
    found = resources_by_ids(resource_type, [int(id)], today=today)
    return found[0] if found else None
