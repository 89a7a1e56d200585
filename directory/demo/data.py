"""The demo's fixed tables: names, cities, streets, regulators, and the demo accounts.

Plans (directory.demo.plans) draw from these with seeded generators; changing a table
changes the demo everywhere, which is why the tables live apart from the drawing.
"""

from dataclasses import dataclass

from directory.models import Profession

SEED = 20_241_117
DEFAULT_PRACTITIONERS = 300
# Local demo only: documented in the README, shared by every demo account.
DEMO_PASSWORD = "ims-demo-local-only"
# A fixed salt keeps two seeds byte-identical; the password is public, so a random salt
# would protect nothing. 27 alphanumerics ≈ 160 bits, enough that Django never rehashes.
DEMO_SALT = "imsDemoLocalOnlyFixedSalt24"

PATIENT_EMAIL = "patient@demo.test"
PHYSICIAN_EMAIL = "physician@demo.test"
PRACTITIONER_EMAIL = "practitioner@demo.test"
MODERATOR_EMAIL = "moderator@demo.test"

# Reviewers: patient001@demo.test … patient150@demo.test. Reviews of one practitioner come
# from distinct patients (one review per patient per practitioner), so this also caps how
# many reviews one practitioner can have.
PATIENTS = 150
# The referring physicians besides physician@demo.test, by province: enough in BC (where a
# third of the practitioners work) that a practitioner can hear from four of them.
PHYSICIAN_REGIONS = ("BC", "BC", "BC", "ON", "ON", "AB", "AB", "QC", "QC", "SK", "MB", "NS")
# practitioner@demo.test's unused invitation, documented in the README. It must be a code
# the review API accepts: 12 characters of directory.services.invitations.CODE_ALPHABET
# (no 0/O, 1/I/L), grouped by four.
DEMO_INVITATION_CODE = "SEED-REVW-2468"

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
MOST_CITIES = (("en", 78), ("fr", 8), ("zh", 6), ("pa", 5), ("es", 3))
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
                 MOST_CITIES, 4.0),
        DemoCity("Calgary", "AB", ("T2P", "T2R", "T2S", "T2T", "T2N", "T3A", "T2E"),
                 ("Beltline", "Kensington", "Mission", "Inglewood", "Bridgeland", "Marda Loop"),
                 ("17 Ave SW", "Kensington Rd NW", "Macleod Trail SE", "4 St SW", "Centre St N"),
                 MOST_CITIES),
        DemoCity("Edmonton", "AB", ("T5J", "T5K", "T5N", "T6E", "T6G", "T5H"),
                 ("Old Strathcona", "Oliver", "Garneau", "Downtown", "Westmount"),
                 ("Whyte Ave", "Jasper Ave", "124 St NW", "109 St NW", "Stony Plain Rd"),
                 MOST_CITIES),
        DemoCity("Saskatoon", "SK", ("S7H", "S7K", "S7N", "S7J", "S7M"),
                 ("Nutana", "Downtown", "City Park", "Sutherland", "Riversdale"),
                 ("Broadway Ave", "8th St E", "2nd Ave N", "College Dr", "22nd St W"),
                 MOST_CITIES, 6.0),
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
                 MOST_CITIES, 4.0),
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
