"""Great-circle distance as database expressions (SPEC §4, §5: distance is to the nearest clinic).

The distance is the haversine formula on a sphere of the mean Earth radius:

    a = sin²((φ2 − φ1) / 2) + cos φ1 · cos φ2 · sin²((λ2 − λ1) / 2)
    d = 2 · R · asin(min(1, √a))          R = 6371.0088 km (IUGG mean radius)

It is written with SQL math functions that PostgreSQL has and Django registers on SQLite
(one expression node, `Haversine`, for the ORM's sake), so the database filters and sorts by
distance and no row is loaded into Python to measure it. A bounding box around the
search circle comes first: it is a plain range test that the (lat, lng) index can
answer, and the haversine then runs only on the rows inside the box.

The directory and the matching engine both build on these functions.
"""

import math
import re
from dataclasses import dataclass

from django.db.models import Expression, F, FloatField, Func, Q

from directory.sqltext import as_float, float_sql, least

EARTH_RADIUS_KM = 6371.0088
# Widens the box by about a millimetre so that float rounding never drops a clinic that
# lies exactly on the circle.
BOX_MARGIN_DEG = 1e-8


@dataclass(frozen=True)
class Point:
    lat: float
    lng: float


@dataclass(frozen=True)
class BoundingBox:
    """Latitude/longitude ranges that contain a search circle.

    When the circle crosses the antimeridian, `min_lng > max_lng` and the longitude range
    wraps: it is [min_lng, 180] together with [-180, max_lng].
    """

    min_lat: float
    max_lat: float
    min_lng: float
    max_lng: float

    def q(self, *, lat_field: str = "lat", lng_field: str = "lng") -> Q:
        lat_q = Q(**{f"{lat_field}__gte": self.min_lat, f"{lat_field}__lte": self.max_lat})
        if self.min_lng <= self.max_lng:
            lng_q = Q(**{f"{lng_field}__gte": self.min_lng, f"{lng_field}__lte": self.max_lng})
        else:
            lng_q = Q(**{f"{lng_field}__gte": self.min_lng}) | Q(
                **{f"{lng_field}__lte": self.max_lng}
            )
        return lat_q & lng_q

    @property
    def wraps(self) -> bool:
        return self.min_lng > self.max_lng

    def params(self) -> dict[str, float]:
        """The parameters of bounding_box_sql."""
        return {
            "box_min_lat": self.min_lat,
            "box_max_lat": self.max_lat,
            "box_min_lng": self.min_lng,
            "box_max_lng": self.max_lng,
        }


def bounding_box_sql(*, lat: str, lng: str, wraps: bool) -> str:
    """BoundingBox.q() as SQL text over the columns `lat`, `lng`, with the parameters of
    BoundingBox.params(); `wraps` as the box's (the text is the same for every box that
    wraps, or does not)."""

    def bound(name: str) -> str:
        return as_float(f"%(box_{name})s")

    lat_sql = f"{lat} >= {bound('min_lat')} AND {lat} <= {bound('max_lat')}"
    join = "OR" if wraps else "AND"
    lng_sql = f"{lng} >= {bound('min_lng')} {join} {lng} <= {bound('max_lng')}"
    return f"{lat_sql} AND ({lng_sql})"


def bounding_box(center: Point, radius_km: float) -> BoundingBox:
    """The smallest lat/lng box holding every point within `radius_km` of `center`.

    The longitude half-width is asin(sin δ / cos φ) (the meridians tangent to the circle),
    not δ / cos φ, which is too narrow away from the equator and would drop clinics near
    the circle's east and west edges. A circle that reaches a pole spans every longitude.
    """
    angular = radius_km / EARTH_RADIUS_KM
    half_lat = math.degrees(angular) + BOX_MARGIN_DEG
    min_lat, max_lat = center.lat - half_lat, center.lat + half_lat
    if min_lat <= -90 or max_lat >= 90 or angular >= math.pi / 2:
        return BoundingBox(max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0)
    half_lng = math.degrees(math.asin(math.sin(angular) / math.cos(math.radians(center.lat))))
    half_lng += BOX_MARGIN_DEG
    if half_lng >= 180:
        return BoundingBox(min_lat, max_lat, -180.0, 180.0)
    min_lng, max_lng = center.lng - half_lng, center.lng + half_lng
    if min_lng < -180:
        min_lng += 360
    elif max_lng > 180:
        max_lng -= 360
    return BoundingBox(min_lat, max_lat, min_lng, max_lng)


def haversine_km(center: Point, *, lat_field: str = "lat", lng_field: str = "lng") -> Expression:
    """Distance in km from `center` to the row's (lat_field, lng_field), as an SQL expression."""
    return Haversine(center, lat_field=lat_field, lng_field=lng_field)


class Haversine(Func):
    """The formula above as one expression node, written by haversine_sql (the text the
    ranking's SQL uses too): the ORM resolves and compiles one node instead of some thirty
    nested math functions every time a query uses it, which alone was a millisecond of a
    directory request.
    """

    output_field = FloatField()

    def __init__(self, center: Point, *, lat_field: str = "lat", lng_field: str = "lng"):
        super().__init__(F(lat_field), F(lng_field), center=center)

    def as_sql(self, compiler, connection, **extra_context):
        lat, lat_params = compiler.compile(self.source_expressions[0])
        lng, lng_params = compiler.compile(self.source_expressions[1])
        assert not lat_params and not lng_params, "columns take no parameters"
        # The one text of the formula (haversine_sql), its named parameters made positional.
        named = haversine_params(self.extra["center"])
        params: list[float] = []

        def positional(match: re.Match) -> str:
            params.append(named[match.group(1)])
            return "%s"

        return re.sub(r"%\((\w+)\)s", positional, haversine_sql(lat=lat, lng=lng)), params


def great_circle_km(a: Point, b: Point) -> float:
    """The same formula in Python: the reference the SQL expression is tested against."""
    lat1, lat2 = math.radians(a.lat), math.radians(b.lat)
    half_dlat = (lat2 - lat1) / 2
    half_dlng = math.radians(b.lng - a.lng) / 2
    h = math.sin(half_dlat) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin(half_dlng) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h)))


def haversine_sql(*, lat: str, lng: str) -> str:
    """haversine_km as SQL text, for queries written as SQL (the ranking): the distance in
    km from the centre given by haversine_params to the row's columns `lat`, `lng`, with the
    same operations in the same order (a test checks it against great_circle_km)."""
    lat2 = f"RADIANS({lat})"
    two = float_sql(2.0)
    half_dlat = f"(({lat2} - {as_float('%(center_lat_rad)s')}) / {two})"
    half_dlng = f"((RADIANS({lng}) - {as_float('%(center_lng_rad)s')}) / {two})"
    a = (
        f"(POWER(SIN({half_dlat}), {two})"
        f" + {as_float('%(center_cos_lat)s')} * COS({lat2}) * POWER(SIN({half_dlng}), {two}))"
    )
    return f"({float_sql(2 * EARTH_RADIUS_KM)} * ASIN({least(f'SQRT({a})', float_sql(1.0))}))"


def haversine_params(center: Point) -> dict[str, float]:
    lat1 = math.radians(center.lat)
    return {
        "center_lat_rad": lat1,
        "center_lng_rad": math.radians(center.lng),
        "center_cos_lat": math.cos(lat1),
    }
