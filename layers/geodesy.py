"""Distances, bearings and range rings on the WGS84 ellipsoid (pyproj.Geod, never haversine).

All coordinates are ``(lon, lat)`` in degrees, GeoJSON order.  Distances between map features
are measured between *representative points* (see :func:`representative_point`), so they are
only as good as the features' locations: :func:`distance_table` says so in ``precision_note``.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString, MultiLineString, Point, Polygon, shape
from shapely.geometry.base import BaseGeometry

from .model import Feature

GEOD = Geod(ellps="WGS84")
KM_PER_NMI = 1.852
MAX_RING_KM = 5000.0
MAX_RADII = 12

LonLat = tuple[float, float]


# --- points -------------------------------------------------------------------------------

def _line_midpoint(line: LineString) -> LonLat:
    """The point halfway along a line, measured geodesically."""
    lons, lats = line.xy
    segs = [GEOD.inv(lons[i], lats[i], lons[i + 1], lats[i + 1]) for i in range(len(lons) - 1)]
    lengths = [s[2] for s in segs]
    half = sum(lengths) / 2
    for i, (az, _, length) in enumerate(segs):
        if half <= length or i == len(segs) - 1:
            lon, lat, _ = GEOD.fwd(lons[i], lats[i], az, min(half, length))
            return float(lon), float(lat)
        half -= length
    return float(lons[0]), float(lats[0])  # pragma: no cover - zero-length line


def _geometry_point(g: BaseGeometry) -> LonLat:
    if isinstance(g, Point):
        return float(g.x), float(g.y)
    if isinstance(g, LineString):
        return _line_midpoint(g)
    if isinstance(g, MultiLineString):
        longest = max(g.geoms, key=lambda part: GEOD.geometry_length(part))
        return _line_midpoint(longest)
    if isinstance(g, Polygon) or g.geom_type == "MultiPolygon":
        c = g.centroid
        if g.contains(c):
            return float(c.x), float(c.y)
    p = g.representative_point()
    return float(p.x), float(p.y)


def representative_point(geometry: dict[str, Any] | BaseGeometry) -> LonLat:
    """One ``(lon, lat)`` standing for a geometry.

    * Point → itself.
    * LineString → the point halfway along it (geodesic length); MultiLineString → the
      midpoint of its longest part.
    * Polygon / MultiPolygon → the centroid when it lies inside the shape, else shapely's
      ``representative_point`` (always inside).
    * MultiPoint and anything else → shapely's ``representative_point``.
    """
    g = geometry if isinstance(geometry, BaseGeometry) else shape(geometry)
    if g.is_empty:
        raise ValueError("cannot take a representative point of an empty geometry")
    return _geometry_point(g)


# --- distances ----------------------------------------------------------------------------

def distance_km(a: Sequence[float], b: Sequence[float]) -> float:
    """Geodesic distance in km between two ``(lon, lat)`` points on WGS84."""
    _, _, metres = GEOD.inv(a[0], a[1], b[0], b[1])
    return float(metres) / 1000.0


def azimuth_deg(a: Sequence[float], b: Sequence[float]) -> float:
    """Forward azimuth from ``a`` to ``b`` in degrees clockwise from north, 0 ≤ az < 360."""
    az, _, _ = GEOD.inv(a[0], a[1], b[0], b[1])
    return float(az) % 360.0


def km_to_nmi(km: float) -> float:
    return km / KM_PER_NMI


def nmi_to_km(nmi: float) -> float:
    return nmi * KM_PER_NMI


def format_precision_km(metres: float) -> str:
    """``±0.5 km``, ``±12 km``: one decimal below 10 km, whole kilometres above."""
    km = metres / 1000.0
    return f"±{km:.1f} km" if km < 10 else f"±{km:,.0f} km"


DISTANCE_COLUMNS = ["id", "name", "layer", "km", "nmi", "azimuth_deg", "precision_note"]


def distance_table(features: Iterable[Feature], origin_id: str) -> pd.DataFrame:
    """Distance and bearing from one feature to every other, nearest first.

    ``precision_note`` is the combined (summed, i.e. worst-case) ``precision_m`` of the
    origin and the other feature, since a distance between two approximate locations can be
    off by up to the sum of their uncertainties.
    """
    feats = list(features)
    origin = next((f for f in feats if f.id == origin_id), None)
    if origin is None:
        raise ValueError(f"no feature with id {origin_id!r} among the {len(feats)} given")
    o = representative_point(origin.geometry)
    rows = []
    for f in feats:
        if f.id == origin_id:
            continue
        p = representative_point(f.geometry)
        az, _, metres = GEOD.inv(o[0], o[1], p[0], p[1])
        km = float(metres) / 1000.0
        rows.append({
            "id": f.id,
            "name": f.props.name,
            "layer": f.props.layer,
            "km": km,
            "nmi": km_to_nmi(km),
            "azimuth_deg": float(az) % 360.0,
            "precision_note": format_precision_km(origin.props.precision_m + f.props.precision_m),
        })
    df = pd.DataFrame(rows, columns=DISTANCE_COLUMNS)
    return df.sort_values("km", kind="stable").reset_index(drop=True)


# --- range rings --------------------------------------------------------------------------

def _check_lonlat(center: Sequence[float]) -> LonLat:
    try:
        lon, lat = float(center[0]), float(center[1])
    except (TypeError, ValueError, IndexError):
        raise ValueError(f"centre must be (lon, lat) numbers, got {center!r}") from None
    if not (math.isfinite(lon) and math.isfinite(lat)) or not -90 <= lat <= 90:
        raise ValueError(f"centre ({lon}, {lat}) is not a valid (lon, lat)")
    return lon, lat


def range_ring(center: Sequence[float], radius_km: float, n: int = 128) -> Polygon:
    """A true geodesic circle: ``n`` points at ``radius_km`` from ``center`` on WGS84.

    Longitudes are unwrapped so a ring crossing the antimeridian stays one simple polygon
    (its longitudes may then exceed 180); rings enclosing a pole are returned as computed
    but are not meaningful polygons (irrelevant to this map's region).
    """
    lon, lat = _check_lonlat(center)
    try:
        r = float(radius_km)
    except (TypeError, ValueError):
        raise ValueError(f"radius must be a number of km, got {radius_km!r}") from None
    if not math.isfinite(r) or not 0 < r <= MAX_RING_KM:
        raise ValueError(f"radius must be more than 0 and at most {MAX_RING_KM:,.0f} km, got {radius_km!r}")
    if int(n) < 8:
        raise ValueError(f"a ring needs at least 8 points, got n={n}")
    n = int(n)
    az = np.linspace(0.0, 360.0, n, endpoint=False)
    lons, lats, _ = GEOD.fwd(np.full(n, lon), np.full(n, lat), az, np.full(n, r * 1000.0))
    lons = np.degrees(np.unwrap(np.radians(np.asarray(lons))))
    return Polygon(zip(lons.tolist(), np.asarray(lats).tolist()))


_SPLIT = re.compile(r"[,;\s]+")


def parse_radii(text: str, unit: Literal["km", "nmi"] = "km") -> list[float]:
    """``"50, 100 ,200"`` → radii in km (sorted, duplicates dropped).

    ``unit`` says what the numbers are in; ``nmi`` values are converted with 1 nmi = 1.852 km.
    Raises ``ValueError`` with a user-facing message on anything else.
    """
    if unit not in ("km", "nmi"):
        raise ValueError(f"unit must be 'km' or 'nmi', got {unit!r}")
    tokens = [t for t in _SPLIT.split(text or "") if t]
    if not tokens:
        raise ValueError("enter at least one radius, e.g. 50, 100, 200")
    factor = KM_PER_NMI if unit == "nmi" else 1.0
    out: list[float] = []
    for t in tokens:
        try:
            v = float(t)
        except ValueError:
            raise ValueError(f"{t[:20]!r} is not a number; enter radii like 50, 100, 200") from None
        if not math.isfinite(v) or v <= 0:
            raise ValueError(f"radius {t[:20]!r} must be a positive number")
        km = v * factor
        if km > MAX_RING_KM:
            limit = MAX_RING_KM / factor
            raise ValueError(f"radius {t[:20]} {unit} is too large; the limit is {limit:,.0f} {unit}")
        out.append(km)
    radii = sorted(set(out))
    if len(radii) > MAX_RADII:
        raise ValueError(f"at most {MAX_RADII} radii, got {len(radii)}")
    return radii
