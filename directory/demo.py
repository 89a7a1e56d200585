"""Demo data for local development: deterministic, idempotent and fast.

Deterministic: every value comes from a `random.Random` seeded with (SEED, index), so
practitioner i is the same on every machine and whatever the total; only dates move with
`today` (licence expiry, review and join dates stay relative to it).

Idempotent: each aggregate has its own `seed_<aggregate>` function that creates the rows
missing by a natural key (e-mail, clinic name, condition, credential number) and never
updates one, so a second run writes nothing. Reviews and referrals will come the same way:
a field on `PractitionerPlan` and one more `seed_<aggregate>` call in `seed_demo`.

Fast: `bulk_create` per aggregate, and the shared password is hashed once.
"""

import random
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import cos, radians, sin, sqrt

from django.contrib.auth.hashers import make_password
from django.db import models, transaction

from directory.gazetteer import resolve_city
from directory.models import (
    Condition,
    ConditionExperience,
    Credential,
    CredentialKind,
    CredentialStatus,
    Location,
    PhysicianProfile,
    PractitionerProfile,
    Profession,
    Role,
    User,
)
from directory.models.practitioners import languages_to_db
from directory.rules import qualified_q

SEED = 20_241_117
DEFAULT_PRACTITIONERS = 300
# Local demo only: documented in the README, shared by every demo account.
DEMO_PASSWORD = "ims-demo-local-only"
# A fixed salt keeps two seeds byte-identical; the password is public, so a random salt
# would protect nothing. 27 alphanumerics ≈ 160 bits, enough that Django never rehashes.
_DEMO_SALT = "imsDemoLocalOnlyFixedSalt24"

PATIENT_EMAIL = "patient@demo.test"
PHYSICIAN_EMAIL = "physician@demo.test"
PRACTITIONER_EMAIL = "practitioner@demo.test"
MODERATOR_EMAIL = "moderator@demo.test"

IMS_ISSUERS = (
    "Institute for the Study and Treatment of Pain (iSTOP)",
    "Institute for the Study and Treatment of Pain (iSTOP)",
    "Institute for the Study and Treatment of Pain (iSTOP)",
    "Gunn IMS Certification Program, iSTOP Vancouver",
)
TRAININGS = (
    ("Institute for the Study and Treatment of Pain (iSTOP)", "IMS clinical residency"),
    ("Canadian Physiotherapy Association", "Neuropathic pain assessment"),
    ("Canadian Pain Society", "Chronic pain management in primary care"),
    ("Canadian Academy of Manipulative Physiotherapy", "Advanced spinal anatomy for needling"),
)
REGULATORS = {
    Profession.PHYSIOTHERAPIST: {
        "BC": "College of Health and Care Professionals of BC",
        "AB": "Physiotherapy Alberta College + Association",
        "SK": "Saskatchewan College of Physical Therapists",
        "MB": "College of Physiotherapists of Manitoba",
        "ON": "College of Physiotherapists of Ontario",
        "QC": "Ordre professionnel de la physiothérapie du Québec",
        "NS": "Nova Scotia College of Physiotherapists",
    },
    Profession.PHYSICIAN: {
        "BC": "College of Physicians and Surgeons of British Columbia",
        "AB": "College of Physicians & Surgeons of Alberta",
        "SK": "College of Physicians and Surgeons of Saskatchewan",
        "MB": "College of Physicians & Surgeons of Manitoba",
        "ON": "College of Physicians and Surgeons of Ontario",
        "QC": "Collège des médecins du Québec",
        "NS": "College of Physicians & Surgeons of Nova Scotia",
    },
}


@dataclass(frozen=True)
class NamePool:
    first: tuple[str, ...]
    last: tuple[str, ...]
    languages: tuple[str, ...]


@dataclass(frozen=True)
class DemoCity:
    name: str
    region: str  # province code; the licence jurisdiction is CA-<region>
    fsas: tuple[str, ...]  # real forward sortation areas of the city
    neighbourhoods: tuple[str, ...]
    streets: tuple[str, ...]
    backgrounds: tuple[tuple[str, int], ...]  # (name pool, weight)
    scatter_km: float = 9.0
    clinic_patterns: tuple[str, ...] = ()


# Data tables stay compact: one item per line would triple the file and hide the data.
# fmt: off
NAMES = {
    "en": NamePool(
        ("Emma", "Liam", "Olivia", "Noah", "Ava", "James", "Chloe", "Ethan", "Hannah", "Ryan",
         "Megan", "Daniel", "Sarah", "Owen", "Laura", "Graham", "Fiona", "Colin"),
        ("Smith", "Brown", "Wilson", "MacDonald", "Campbell", "Taylor", "Anderson", "Thompson",
         "Stewart", "Murray", "Fraser", "Reid", "Morrison", "Clarke", "Bennett", "Hughes"),
        ("en",)),
    "fr": NamePool(
        ("Léa", "Gabriel", "Chloé", "Félix", "Camille", "Olivier", "Juliette", "Mathieu",
         "Émilie", "Louis", "Maude", "Étienne"),
        ("Tremblay", "Gagnon", "Roy", "Côté", "Bouchard", "Gauthier", "Morin", "Lavoie",
         "Fortin", "Gagné", "Pelletier", "Bélanger"),
        ("en", "fr")),
    "zh": NamePool(
        ("Wei", "Mei", "Jian", "Hui", "Kevin", "Grace", "Ling", "Jason", "Xin", "Vivian"),
        ("Chen", "Wong", "Li", "Zhang", "Liu", "Lam", "Huang", "Chan", "Lin", "Wu"),
        ("en", "zh")),
    "pa": NamePool(
        ("Harpreet", "Gurpreet", "Manpreet", "Jaspreet", "Amrit", "Navdeep", "Simran", "Arjun"),
        ("Singh", "Kaur", "Gill", "Sandhu", "Dhillon", "Sidhu", "Grewal", "Brar"),
        ("en", "pa")),
    "es": NamePool(
        ("Sofía", "Mateo", "Lucía", "Diego", "Valentina", "Carlos", "Camila", "Andrés"),
        ("García", "Rodríguez", "Martínez", "López", "Hernández", "Ramírez", "Torres"),
        ("en", "es")),
    "tl": NamePool(
        ("Maria", "Jose", "Angelica", "Mark", "Kristine", "Paolo"),
        ("Santos", "Reyes", "Cruz", "Bautista", "Dela Cruz", "Mendoza"),
        ("en", "tl")),
}

CLINIC_PATTERNS_EN = (
    "{hood} Physiotherapy & IMS", "{hood} Pain Clinic", "{hood} Sports Medicine",
    "{hood} Integrative Pain Centre", "{hood} Physio + Wellness", "IMS Clinic {hood}",
)
CLINIC_PATTERNS_FR = (
    "Clinique de physiothérapie {hood}", "Centre IMS {hood}", "Physio {hood}",
    "Clinique de la douleur {hood}",
)
POSTAL_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"  # Canada Post never uses D, F, I, O, Q, U.
_MOST_CITIES = (("en", 78), ("fr", 8), ("zh", 6), ("pa", 5), ("es", 3))
CITIES = {
    city.name: city
    for city in (
        DemoCity("Vancouver", "BC", ("V5K", "V5L", "V5N", "V5T", "V5Y", "V5Z", "V6B", "V6E",
                 "V6H", "V6J", "V6K", "V6M", "V6N", "V6P", "V6R"),
                 ("Kitsilano", "Mount Pleasant", "Fairview", "Kerrisdale", "Commercial Drive",
                  "Yaletown", "West End", "Dunbar", "Marpole", "Hastings-Sunrise"),
                 ("W Broadway", "Main St", "Granville St", "Commercial Dr", "W 4th Ave",
                  "Kingsway", "Davie St", "Cambie St", "Robson St", "Fraser St"),
                 (("en", 55), ("zh", 20), ("pa", 12), ("fr", 5), ("es", 5), ("tl", 3)), 8.0),
        DemoCity("Victoria", "BC", ("V8R", "V8S", "V8T", "V8V", "V8W", "V9A"),
                 ("James Bay", "Fernwood", "Oak Bay", "Cook Street Village", "Fairfield"),
                 ("Fort St", "Yates St", "Douglas St", "Cook St", "Oak Bay Ave"),
                 _MOST_CITIES, 4.0),
        DemoCity("Calgary", "AB", ("T2P", "T2R", "T2S", "T2T", "T2N", "T3A", "T2E"),
                 ("Beltline", "Kensington", "Mission", "Inglewood", "Bridgeland", "Marda Loop"),
                 ("17 Ave SW", "Kensington Rd NW", "Macleod Trail SE", "4 St SW", "Centre St N"),
                 _MOST_CITIES),
        DemoCity("Edmonton", "AB", ("T5J", "T5K", "T5N", "T6E", "T6G", "T5H"),
                 ("Old Strathcona", "Oliver", "Garneau", "Downtown", "Westmount"),
                 ("Whyte Ave", "Jasper Ave", "124 St NW", "109 St NW", "Stony Plain Rd"),
                 _MOST_CITIES),
        DemoCity("Saskatoon", "SK", ("S7H", "S7K", "S7N", "S7J", "S7M"),
                 ("Nutana", "Downtown", "City Park", "Sutherland", "Riversdale"),
                 ("Broadway Ave", "8th St E", "2nd Ave N", "College Dr", "22nd St W"),
                 _MOST_CITIES, 6.0),
        DemoCity("Winnipeg", "MB", ("R3C", "R3L", "R3M", "R3G", "R2H", "R3N"),
                 ("Osborne Village", "Corydon", "Exchange District", "St. Boniface", "Wolseley"),
                 ("Portage Ave", "Corydon Ave", "Osborne St", "Pembina Hwy", "St Mary's Rd"),
                 (("en", 70), ("tl", 12), ("fr", 10), ("pa", 8))),
        DemoCity("Toronto", "ON", ("M4M", "M4W", "M5R", "M5S", "M5T", "M5V", "M6G", "M6K",
                 "M6R", "M4G", "M4K"),
                 ("The Annex", "Leslieville", "Liberty Village", "Yorkville", "Danforth",
                  "Roncesvalles", "Leaside", "Little Italy"),
                 ("Queen St W", "Bloor St W", "Yonge St", "College St", "Danforth Ave",
                  "Spadina Ave", "King St E", "Eglinton Ave W"),
                 (("en", 60), ("zh", 15), ("pa", 10), ("es", 8), ("fr", 4), ("tl", 3))),
        DemoCity("Ottawa", "ON", ("K1P", "K1R", "K1S", "K1N", "K1Y", "K2P"),
                 ("The Glebe", "Centretown", "Westboro", "Byward Market", "Sandy Hill"),
                 ("Bank St", "Elgin St", "Wellington St W", "Rideau St", "Somerset St W"),
                 (("en", 60), ("fr", 35), ("zh", 5))),
        DemoCity("Montréal", "QC", ("H2J", "H2T", "H2V", "H2W", "H2X", "H3A", "H3Z", "H4G"),
                 ("Plateau-Mont-Royal", "Outremont", "Rosemont", "Verdun", "Villeray",
                  "Hochelaga"),
                 ("rue Saint-Denis", "boulevard Saint-Laurent", "avenue du Mont-Royal Est",
                  "rue Sherbrooke Ouest", "avenue Laurier Ouest", "rue Wellington"),
                 (("fr", 75), ("en", 13), ("es", 7), ("zh", 5)), 8.0, CLINIC_PATTERNS_FR),
        DemoCity("Halifax", "NS", ("B3H", "B3J", "B3K", "B3L"),
                 ("South End", "North End", "West End", "Downtown", "Clayton Park"),
                 ("Spring Garden Rd", "Quinpool Rd", "Barrington St", "Robie St", "Agricola St"),
                 _MOST_CITIES, 4.0),
    )
}
# Practitioner i practises in CITY_CYCLE[i % 18]: a third in Vancouver so its search is
# rich, and every city appears within any 18 consecutive practitioners.
CITY_CYCLE = (
    "Vancouver", "Toronto", "Calgary", "Vancouver", "Montréal", "Victoria",
    "Vancouver", "Edmonton", "Ottawa", "Vancouver", "Toronto", "Saskatoon",
    "Vancouver", "Winnipeg", "Montréal", "Vancouver", "Halifax", "Calgary",
)
# fmt: on
# Every fourth practitioner falls short of "qualified" in one of four ways, in turn.
UNQUALIFIED_STANDINGS = ("pending_ims", "expired_licence", "rejected_licence", "no_ims")
REJECTION_NOTE = "Registration number not found on the regulator's public register."


@dataclass(frozen=True)
class AccountPlan:
    email: str
    name: str
    role: str
    date_joined: datetime
    is_staff: bool = False


@dataclass(frozen=True)
class ClinicPlan:
    name: str
    address: str
    city: str
    region: str
    postal_code: str
    lat: float
    lng: float


@dataclass(frozen=True)
class CredentialPlan:
    kind: str
    issuer: str
    number: str
    issued_on: date
    status: str
    reviewed_at: datetime | None = None
    expires_on: date | None = None
    profession: str = ""
    jurisdiction: str = ""
    needling_authorized: bool = False
    title: str = ""
    note: str = ""


@dataclass(frozen=True)
class PractitionerPlan:
    account: AccountPlan
    profession: str
    bio: str
    languages: tuple[str, ...]
    accepting_new_patients: bool
    fee_per_session: Decimal
    direct_billing: bool
    is_active: bool
    clinics: tuple[ClinicPlan, ...]
    experience: tuple[tuple[str, int, int], ...]  # (condition slug, years, patients)
    credentials: tuple[CredentialPlan, ...] = field(default=())


def _ascii(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def _day(rng: random.Random, year_from: int, year_to: int) -> date:
    return date(rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 28))


def _at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def _scatter(rng: random.Random, lat: float, lng: float, km: float) -> tuple[float, float]:
    # sqrt keeps the points uniform over the disc instead of bunched at the centre.
    distance, bearing = km * sqrt(rng.random()), rng.uniform(0, 360)
    dlat = distance * cos(radians(bearing)) / 111.32
    dlng = distance * sin(radians(bearing)) / (111.32 * cos(radians(lat)))
    return round(lat + dlat, 6), round(lng + dlng, 6)


def _clinics(rng: random.Random, city: DemoCity) -> tuple[ClinicPlan, ...]:
    centre = resolve_city(city.name, "CA")
    hoods = rng.sample(city.neighbourhoods, 2 if rng.random() < 0.3 else 1)
    clinics = []
    for hood in hoods:
        postal = f"{rng.choice(city.fsas)} {rng.randint(0, 9)}"
        postal += f"{rng.choice(POSTAL_LETTERS)}{rng.randint(0, 9)}"
        lat, lng = _scatter(rng, centre.lat, centre.lng, city.scatter_km)
        clinics.append(
            ClinicPlan(
                name=rng.choice(city.clinic_patterns or CLINIC_PATTERNS_EN).format(hood=hood),
                address=f"{rng.randint(100, 4999)} {rng.choice(city.streets)}",
                city=city.name,
                region=city.region,
                postal_code=postal,
                lat=lat,
                lng=lng,
            )
        )
    return tuple(clinics)


def _languages(pool: NamePool, city: DemoCity) -> tuple[str, ...]:
    codes = ("fr", "en", *pool.languages) if city.region == "QC" else pool.languages
    return tuple(dict.fromkeys(codes))


def _experience(
    rng: random.Random, slugs: list[str], *, licensed_on: date
) -> tuple[tuple[str, int, int], ...]:
    # Nobody treats a condition for longer than they have been licensed (as of 2025, a
    # fixed year so the data does not drift with the clock).
    max_years = min(30, 2025 - licensed_on.year)
    chosen = rng.sample(slugs, rng.randint(2, 6))
    rows = []
    for slug in sorted(chosen):
        years = rng.randint(1, max_years)
        rows.append((slug, years, min(2000, max(10, years * rng.randint(8, 90)))))
    return tuple(rows)


def _licence(
    rng: random.Random, *, profession: str, city: DemoCity, standing: str, today: date, index: int
) -> CredentialPlan:
    issued = _day(rng, 1995, 2020)
    expires = today + timedelta(days=rng.randint(30, 700))
    reviewed = today - timedelta(days=rng.randint(3, 700))
    if standing == "expired_licence":
        expires = today - timedelta(days=rng.randint(15, 300))
        reviewed = expires - timedelta(days=rng.randint(30, 300))
    rejected = standing == "rejected_licence"
    return CredentialPlan(
        kind=CredentialKind.LICENSE,
        issuer=REGULATORS[profession][city.region],
        number=f"{'PT' if profession == Profession.PHYSIOTHERAPIST else 'MD'}{index:05d}",
        issued_on=issued,
        expires_on=expires,
        status=CredentialStatus.REJECTED if rejected else CredentialStatus.VERIFIED,
        reviewed_at=_at(max(reviewed, issued)),
        profession=profession,
        jurisdiction=f"CA-{city.region}",
        needling_authorized=True,
        note=REJECTION_NOTE if rejected else "",
    )


def _ims_and_training(
    rng: random.Random, *, standing: str, licensed_on: date, today: date, index: int
) -> list[CredentialPlan]:
    if standing == "no_ims":
        return []
    awarded = _day(rng, max(2000, licensed_on.year + 1), 2024)
    pending = standing == "pending_ims"
    reviewed = None if pending else _at(max(awarded, today - timedelta(days=rng.randint(3, 700))))
    credentials = [
        CredentialPlan(
            kind=CredentialKind.IMS_CERTIFICATION,
            issuer=rng.choice(IMS_ISSUERS),
            number=f"IMS-{index:05d}",
            issued_on=awarded,
            status=CredentialStatus.PENDING if pending else CredentialStatus.VERIFIED,
            reviewed_at=reviewed,
        )
    ]
    if standing == "qualified" and rng.random() < 0.4:
        issuer, title = rng.choice(TRAININGS)
        trained_on = _day(rng, awarded.year, 2025)
        credentials.append(
            CredentialPlan(
                kind=CredentialKind.TRAINING,
                issuer=issuer,
                number=f"TR-{index:05d}",
                title=title,
                issued_on=trained_on,
                status=CredentialStatus.VERIFIED,
                reviewed_at=_at(max(trained_on, today - timedelta(days=rng.randint(3, 300)))),
            )
        )
    return credentials


def _weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights=weights)[0]


def plan_practitioner(index: int, *, today: date, conditions: dict[str, str]) -> PractitionerPlan:
    """Practitioner `index` of the demo, from its own seeded generator."""
    rng = random.Random(f"{SEED}:{index}")
    city = CITIES[CITY_CYCLE[index % len(CITY_CYCLE)]]
    pool = NAMES[_weighted(rng, city.backgrounds)]
    first, last = rng.choice(pool.first), rng.choice(pool.last)
    physician = rng.random() < 0.15
    profession = Profession.PHYSICIAN if physician else Profession.PHYSIOTHERAPIST
    standing = UNQUALIFIED_STANDINGS[index // 4 % 4] if index % 4 == 3 else "qualified"
    licence = _licence(
        rng, profession=profession, city=city, standing=standing, today=today, index=index
    )
    others = _ims_and_training(
        rng, standing=standing, licensed_on=licence.issued_on, today=today, index=index
    )
    experience = _experience(rng, sorted(conditions), licensed_on=licence.issued_on)
    interests = " and ".join(conditions[slug].lower() for slug, _, _ in experience[:2])
    return PractitionerPlan(
        account=AccountPlan(
            email=f"{_ascii(first)}.{_ascii(last)}.{index + 1:03d}@demo.test".lower(),
            name=f"Dr. {first} {last}" if physician else f"{first} {last}",
            role=Role.PRACTITIONER,
            date_joined=_at(today - timedelta(days=rng.randint(30, 1500))),
        ),
        profession=profession,
        bio=(
            f"{profession.label} in {city.name} treating chronic pain with Gunn IMS. "
            f"Special interest in {interests}."
        ),
        languages=_languages(pool, city),
        accepting_new_patients=rng.random() < 0.8,
        fee_per_session=Decimal(rng.randrange(90, 185, 5)),
        direct_billing=rng.random() < 0.6,
        # A few have left the directory: kept for their history, hidden from search.
        is_active=index % 41 != 17,
        clinics=_clinics(rng, city),
        experience=experience,
        credentials=(licence, *others),
    )


def plan_demo_practitioner(*, today: date) -> PractitionerPlan:
    """practitioner@demo.test: qualified, in Vancouver, experienced with sciatica."""
    licensed_on, certified_on = date(2008, 6, 2), date(2012, 10, 15)
    return PractitionerPlan(
        account=AccountPlan(
            PRACTITIONER_EMAIL, "Alex Morgan", Role.PRACTITIONER, _at(date(2023, 3, 1))
        ),
        profession=Profession.PHYSIOTHERAPIST,
        bio="Physiotherapist in Kitsilano; Gunn IMS for back pain and sciatica since 2012.",
        languages=("en", "fr"),
        accepting_new_patients=True,
        fee_per_session=Decimal("120.00"),
        direct_billing=True,
        is_active=True,
        clinics=(
            ClinicPlan(
                "Kitsilano Physiotherapy & IMS (demo)",
                "2150 W Broadway",
                "Vancouver",
                "BC",
                "V6K 2E9",
                49.2641,
                -123.1586,
            ),
        ),
        experience=(("back-pain", 12, 800), ("neck-pain", 8, 300), ("sciatica", 10, 450)),
        credentials=(
            CredentialPlan(
                kind=CredentialKind.LICENSE,
                issuer=REGULATORS[Profession.PHYSIOTHERAPIST]["BC"],
                number="PT-DEMO-1",
                issued_on=licensed_on,
                expires_on=today + timedelta(days=365),
                status=CredentialStatus.VERIFIED,
                reviewed_at=_at(today - timedelta(days=30)),
                profession=Profession.PHYSIOTHERAPIST,
                jurisdiction="CA-BC",
                needling_authorized=True,
            ),
            CredentialPlan(
                kind=CredentialKind.IMS_CERTIFICATION,
                issuer=IMS_ISSUERS[0],
                number="IMS-DEMO-1",
                issued_on=certified_on,
                status=CredentialStatus.VERIFIED,
                reviewed_at=_at(today - timedelta(days=30)),
            ),
        ),
    )


def plan_accounts() -> list[AccountPlan]:
    """The accounts a reviewer signs in as, one per role plus a moderator."""
    joined = _at(date(2023, 1, 15))
    return [
        AccountPlan(MODERATOR_EMAIL, "Morgan Moderator", Role.PATIENT, joined, is_staff=True),
        AccountPlan(PATIENT_EMAIL, "Pat Patient", Role.PATIENT, joined),
        AccountPlan(PHYSICIAN_EMAIL, "Dr. Riley Physician", Role.PHYSICIAN, joined),
    ]


def plan_physician_licence(*, today: date) -> CredentialPlan:
    return CredentialPlan(
        kind=CredentialKind.LICENSE,
        issuer=REGULATORS[Profession.PHYSICIAN]["BC"],
        number="MD-DEMO-1",
        issued_on=date(2005, 7, 1),
        expires_on=today + timedelta(days=365),
        status=CredentialStatus.VERIFIED,
        reviewed_at=_at(today - timedelta(days=30)),
        profession=Profession.PHYSICIAN,
        jurisdiction="CA-BC",
        needling_authorized=True,
    )


def _create_missing(
    model: type[models.Model],
    candidates: Iterable[models.Model],
    key: tuple[str, ...],
    scope: models.Q,
) -> int:
    """bulk_create the candidates whose natural key is not in the database yet."""
    existing = set(model._default_manager.filter(scope).values_list(*key))
    missing = [obj for obj in candidates if tuple(getattr(obj, f) for f in key) not in existing]
    model._default_manager.bulk_create(missing, batch_size=500)
    return len(missing)


def seed_users(accounts: list[AccountPlan], *, password: str) -> tuple[dict[str, User], int]:
    emails = [account.email for account in accounts]
    users = (
        User(
            email=account.email,
            name=account.name,
            role=account.role,
            is_staff=account.is_staff,
            is_superuser=account.is_staff,
            password=password,
            date_joined=account.date_joined,
        )
        for account in accounts
    )
    created = _create_missing(User, users, ("email",), models.Q(email__in=emails))
    return {user.email: user for user in User.objects.filter(email__in=emails)}, created


def seed_physicians(emails: list[str], users: dict[str, User]) -> int:
    ids = [users[email].pk for email in emails]
    profiles = (PhysicianProfile(user_id=user_id) for user_id in ids)
    return _create_missing(PhysicianProfile, profiles, ("user_id",), models.Q(user_id__in=ids))


def seed_practitioners(
    plans: list[PractitionerPlan], users: dict[str, User]
) -> tuple[dict[str, PractitionerProfile], int]:
    ids = [users[plan.account.email].pk for plan in plans]
    profiles = (
        PractitionerProfile(
            user_id=users[plan.account.email].pk,
            profession=plan.profession,
            bio=plan.bio,
            languages=languages_to_db(list(plan.languages)),
            accepting_new_patients=plan.accepting_new_patients,
            fee_per_session=plan.fee_per_session,
            direct_billing=plan.direct_billing,
            is_active=plan.is_active,
        )
        for plan in plans
    )
    scope = models.Q(user_id__in=ids)
    created = _create_missing(PractitionerProfile, profiles, ("user_id",), scope)
    stored = PractitionerProfile.objects.filter(scope).select_related("user")
    return {profile.user.email: profile for profile in stored}, created


def seed_locations(plans: list[PractitionerPlan], profiles: dict[str, PractitionerProfile]) -> int:
    locations = (
        Location(practitioner=profiles[plan.account.email], country="CA", **vars(clinic))
        for plan in plans
        for clinic in plan.clinics
    )
    scope = models.Q(practitioner__in=list(profiles.values()))
    return _create_missing(Location, locations, ("practitioner_id", "name"), scope)


def seed_experience(plans: list[PractitionerPlan], profiles: dict[str, PractitionerProfile]) -> int:
    condition_ids = dict(Condition.objects.values_list("slug", "id"))
    rows = (
        ConditionExperience(
            practitioner=profiles[plan.account.email],
            condition_id=condition_ids[slug],
            years=years,
            patients_treated=patients,
        )
        for plan in plans
        for slug, years, patients in plan.experience
    )
    scope = models.Q(practitioner__in=list(profiles.values()))
    return _create_missing(ConditionExperience, rows, ("practitioner_id", "condition_id"), scope)


def seed_credentials(
    credentials: dict[str, tuple[CredentialPlan, ...]], users: dict[str, User], *, reviewer: User
) -> int:
    rows = (
        Credential(
            owner=users[email],
            # The database insists that a reviewed credential names who and when.
            reviewed_by=None if plan.status == CredentialStatus.PENDING else reviewer,
            **vars(plan),
        )
        for email, plans in credentials.items()
        for plan in plans
    )
    scope = models.Q(owner__in=[users[email] for email in credentials])
    return _create_missing(Credential, rows, ("owner_id", "kind", "number"), scope)


def seed_demo(*, practitioners: int = DEFAULT_PRACTITIONERS, today: date) -> dict[str, int]:
    """Create whatever demo rows are missing, in one transaction; returns rows created."""
    conditions = dict(Condition.objects.values_list("slug", "name"))
    plans = [plan_demo_practitioner(today=today)] + [
        plan_practitioner(index, today=today, conditions=conditions)
        for index in range(practitioners)
    ]
    accounts = plan_accounts() + [plan.account for plan in plans]
    credentials = {plan.account.email: plan.credentials for plan in plans}
    credentials[PHYSICIAN_EMAIL] = (plan_physician_licence(today=today),)
    # Hashing is deliberately slow (~0.3 s): once for all, never once per user.
    password = make_password(DEMO_PASSWORD, salt=_DEMO_SALT)
    created: dict[str, int] = {}
    with transaction.atomic():
        users, created["users"] = seed_users(accounts, password=password)
        created["physician profiles"] = seed_physicians([PHYSICIAN_EMAIL], users)
        profiles, created["practitioner profiles"] = seed_practitioners(plans, users)
        created["locations"] = seed_locations(plans, profiles)
        created["experience"] = seed_experience(plans, profiles)
        created["credentials"] = seed_credentials(
            credentials, users, reviewer=users[MODERATOR_EMAIL]
        )
    return created


def demo_totals(*, today: date) -> dict[str, int]:
    """What the database now holds, for the command's summary."""
    practitioners = PractitionerProfile.objects.all()
    totals = {
        "users": User.objects.count(),
        "practitioners": practitioners.count(),
        "practitioners deactivated": practitioners.filter(is_active=False).count(),
        "practitioners qualified": practitioners.filter(qualified_q(today=today)).count(),
        "cities": Location.objects.values("city").distinct().count(),
        "clinic locations": Location.objects.count(),
        "condition experience rows": ConditionExperience.objects.count(),
    }
    for status in CredentialStatus:
        count = Credential.objects.filter(status=status).count()
        totals[f"credentials {status.value}"] = count
    return totals
