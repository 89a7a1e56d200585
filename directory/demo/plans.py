"""Deterministic plans: what each demo account, practitioner and credential looks like.

Practitioner i comes from its own `random.Random` seeded with (SEED, i), so it is the same
on every machine and whatever the total; only dates move with `today`.
"""

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from math import cos, radians, sin, sqrt

from directory.demo.data import (
    CITIES,
    CITY_CYCLE,
    CLINIC_PATTERNS_EN,
    IMS_ISSUERS,
    NAMES,
    POSTAL_LETTERS,
    PRACTITIONER_EMAIL,
    REGULATORS,
    REJECTION_NOTE,
    SEED,
    TRAININGS,
    UNQUALIFIED_STANDINGS,
    DemoCity,
    NamePool,
)
from directory.gazetteer import resolve_city
from directory.models import CredentialKind, CredentialStatus, Profession, Role


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
    phone: str = ""
    website: str = ""
    booking_url: str = ""
    hours: tuple[dict[str, str], ...] = ()
    wheelchair_accessible: bool | None = None


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


def ascii_letters(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if ch.isascii() and ch.isalnum())


def day_between(rng: random.Random, year_from: int, year_to: int) -> date:
    return date(rng.randint(year_from, year_to), rng.randint(1, 12), rng.randint(1, 28))


def at(day: date) -> datetime:
    return datetime.combine(day, time(17, 0), tzinfo=UTC)


def moment_between(rng: random.Random, first: date, last: date) -> datetime:
    """A daytime moment on a day from `first` to `last` (the later one if they cross)."""
    day = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
    return datetime.combine(day, time(rng.randint(7, 20), rng.randint(0, 59)), tzinfo=UTC)


def latest_moment(today: date) -> datetime:
    """Nothing in the demo happens after this: noon UTC yesterday is in the past wherever
    `today` (the local date) is taken, from UTC-12 to UTC+12."""
    return datetime.combine(today - timedelta(days=1), time(12, 0), tzinfo=UTC)


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


# Each demo city's area code; the numbers are the fictional 555-01xx range (which the
# phonenumbers library accepts as valid North American numbers).
AREA_CODES = {
    "Vancouver": "604",
    "Victoria": "250",
    "Calgary": "403",
    "Edmonton": "780",
    "Saskatoon": "306",
    "Winnipeg": "204",
    "Toronto": "416",
    "Ottawa": "613",
    "Montréal": "514",
    "Halifax": "902",
}
WEEKDAY_CODES = ("mon", "tue", "wed", "thu", "fri")
OPENING_TIMES = (("08:00", "16:00"), ("09:00", "17:00"), ("10:00", "18:00"), ("07:30", "15:30"))


def _hours(rng: random.Random) -> tuple[dict[str, str], ...]:
    opens, closes = rng.choice(OPENING_TIMES)
    week = [{"day": day, "opens": opens, "closes": closes} for day in WEEKDAY_CODES]
    if rng.random() < 0.5:
        week.append({"day": "sat", "opens": "10:00", "closes": "14:00"})
    return tuple(week)


def _with_contact(clinics: tuple[ClinicPlan, ...], index: int) -> tuple[ClinicPlan, ...]:
    """Fictional contact for most clinics, from a generator of its own so that the rest of
    practitioner `index`'s plan is what it was before clinics had contact."""
    rng = random.Random(f"{SEED}:{index}:contact")
    planned = []
    for number, clinic in enumerate(clinics):
        if rng.random() < 0.1:  # a few clinics list no contact at all
            planned.append(clinic)
            continue
        slug = "-".join(ascii_letters(word).lower() for word in clinic.name.split())
        slug = "-".join(part for part in slug.split("-") if part)
        site = f"https://{slug}.example.org/"
        area = AREA_CODES.get(clinic.city, "604")
        planned.append(
            replace(
                clinic,
                phone=f"+1{area}5550{rng.randint(100, 199)}",
                website=site if rng.random() < 0.8 else "",
                booking_url=f"{site}book?clinic={index + 1}-{number + 1}"
                if rng.random() < 0.6
                else "",
                hours=_hours(rng) if rng.random() < 0.85 else (),
                wheelchair_accessible=rng.choice((True, True, False, None)),
            )
        )
    return tuple(planned)


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
    issued = day_between(rng, 1995, 2020)
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
        reviewed_at=at(max(reviewed, issued)),
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
    awarded = day_between(rng, max(2000, licensed_on.year + 1), 2024)
    pending = standing == "pending_ims"
    reviewed = None if pending else at(max(awarded, today - timedelta(days=rng.randint(3, 700))))
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
        trained_on = day_between(rng, awarded.year, 2025)
        credentials.append(
            CredentialPlan(
                kind=CredentialKind.TRAINING,
                issuer=issuer,
                number=f"TR-{index:05d}",
                title=title,
                issued_on=trained_on,
                status=CredentialStatus.VERIFIED,
                reviewed_at=at(max(trained_on, today - timedelta(days=rng.randint(3, 300)))),
            )
        )
    return credentials


def weighted(rng: random.Random, choices: tuple[tuple[str, int], ...]) -> str:
    names, weights = zip(*choices, strict=True)
    return rng.choices(names, weights=weights)[0]


def plan_practitioner(index: int, *, today: date, conditions: dict[str, str]) -> PractitionerPlan:
    """Practitioner `index` of the demo, from its own seeded generator."""
    rng = random.Random(f"{SEED}:{index}")
    city = CITIES[CITY_CYCLE[index % len(CITY_CYCLE)]]
    pool = NAMES[weighted(rng, city.backgrounds)]
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
            email=f"{ascii_letters(first)}.{ascii_letters(last)}.{index + 1:03d}@demo.test".lower(),
            name=f"Dr. {first} {last}" if physician else f"{first} {last}",
            role=Role.PRACTITIONER,
            date_joined=at(today - timedelta(days=rng.randint(30, 1500))),
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
        clinics=_with_contact(_clinics(rng, city), index),
        experience=experience,
        credentials=(licence, *others),
    )


def plan_demo_practitioner(*, today: date) -> PractitionerPlan:
    """practitioner@demo.test: qualified, in Vancouver, experienced with sciatica."""
    licensed_on, certified_on = date(2008, 6, 2), date(2012, 10, 15)
    return PractitionerPlan(
        account=AccountPlan(
            PRACTITIONER_EMAIL, "Alex Morgan", Role.PRACTITIONER, at(date(2023, 3, 1))
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
                phone="+16045550123",
                website="https://kitsilano-physio.example.org/",
                booking_url="https://kitsilano-physio.example.org/book",
                hours=(
                    *({"day": day, "opens": "08:00", "closes": "18:00"} for day in WEEKDAY_CODES),
                    {"day": "sat", "opens": "09:00", "closes": "13:00"},
                ),
                wheelchair_accessible=True,
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
                reviewed_at=at(today - timedelta(days=30)),
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
                reviewed_at=at(today - timedelta(days=30)),
            ),
        ),
    )
