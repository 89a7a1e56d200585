"""The demo's people other than practitioners: the moderator, the patients who review and
the physicians who refer, each drawn from its own seeded generator."""

import random
from dataclasses import dataclass
from datetime import date, timedelta

from directory.demo.data import (
    MODERATOR_EMAIL,
    MOST_CITIES,
    NAMES,
    PATIENT_EMAIL,
    PATIENTS,
    PHYSICIAN_EMAIL,
    PHYSICIAN_REGIONS,
    REGULATORS,
    SEED,
)
from directory.demo.plans import (
    AccountPlan,
    CredentialPlan,
    ascii_letters,
    at,
    day_between,
    weighted,
)
from directory.models import CredentialKind, CredentialStatus, Profession, Role


def plan_accounts() -> list[AccountPlan]:
    """The moderator and the patient a reviewer signs in as (physician@demo.test is the
    first of plan_physicians, practitioner@demo.test is plan_demo_practitioner)."""
    joined = at(date(2023, 1, 15))
    return [
        AccountPlan(MODERATOR_EMAIL, "Morgan Moderator", Role.PATIENT, joined, is_staff=True),
        AccountPlan(PATIENT_EMAIL, "Pat Patient", Role.PATIENT, joined),
    ]


def plan_patients(*, today: date) -> list[AccountPlan]:
    """The reviewers: patient001@demo.test … patient150@demo.test, each from its own
    generator. They joined over two years ago, before any review they write."""
    patients = []
    for number in range(1, PATIENTS + 1):
        rng = random.Random(f"{SEED}:patient:{number}")
        pool = NAMES[weighted(rng, MOST_CITIES)]
        patients.append(
            AccountPlan(
                email=f"patient{number:03d}@demo.test",
                name=f"{rng.choice(pool.first)} {rng.choice(pool.last)}",
                role=Role.PATIENT,
                date_joined=at(today - timedelta(days=rng.randint(760, 1500))),
            )
        )
    return patients


@dataclass(frozen=True)
class PhysicianPlan:
    account: AccountPlan
    region: str  # province code, as in DemoCity.region
    licence: CredentialPlan


def _physician_licence(
    number: str, region: str, *, issued_on: date, expires_on: date, reviewed_on: date
) -> CredentialPlan:
    return CredentialPlan(
        kind=CredentialKind.LICENSE,
        issuer=REGULATORS[Profession.PHYSICIAN][region],
        number=number,
        issued_on=issued_on,
        expires_on=expires_on,
        status=CredentialStatus.VERIFIED,
        reviewed_at=at(reviewed_on),
        profession=Profession.PHYSICIAN,
        jurisdiction=f"CA-{region}",
        needling_authorized=True,
    )


def plan_physicians(*, today: date) -> list[PhysicianPlan]:
    """physician@demo.test, then one verified referring physician per PHYSICIAN_REGIONS."""
    physicians = [
        PhysicianPlan(
            AccountPlan(
                PHYSICIAN_EMAIL, "Dr. Riley Physician", Role.PHYSICIAN, at(date(2023, 1, 15))
            ),
            "BC",
            _physician_licence(
                "MD-DEMO-1",
                "BC",
                issued_on=date(2005, 7, 1),
                expires_on=today + timedelta(days=365),
                reviewed_on=today - timedelta(days=30),
            ),
        )
    ]
    first_names = set()
    for n, region in enumerate(PHYSICIAN_REGIONS):
        rng = random.Random(f"{SEED}:physician:{n}")
        pool = NAMES["fr"] if region == "QC" else NAMES[weighted(rng, MOST_CITIES)]
        # Thirteen doctors, four of them named Ryan, would look like a bug: no repeats.
        first = rng.choice([name for name in pool.first if name not in first_names])
        first_names.add(first)
        last = rng.choice(pool.last)
        licence = _physician_licence(
            f"MD-DEMO-{n + 2}",
            region,
            issued_on=day_between(rng, 1990, 2018),
            expires_on=today + timedelta(days=rng.randint(90, 900)),
            reviewed_on=today - timedelta(days=rng.randint(10, 400)),
        )
        handle = f"{ascii_letters(first)}.{ascii_letters(last)}".lower()
        account = AccountPlan(
            email=f"dr.{handle}.{n + 1:02d}@demo.test",
            name=f"Dr. {first} {last}",
            role=Role.PHYSICIAN,
            date_joined=at(today - timedelta(days=rng.randint(420, 1500))),
        )
        physicians.append(PhysicianPlan(account, region, licence))
    return physicians
