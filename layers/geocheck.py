"""Geometry checks for ``layers check`` and the app: what a feature's shape says about the data.

* :func:`coordinate_problem` (an **error**, the feature is dropped): every coordinate must be a
  JSON number (``"103.6"``, ``true`` are refused — ``bool`` is an ``int`` in Python), finite; every
  polygon ring closed (first position = last) with at least 4 positions (RFC 7946 §3.1.6).
* :func:`orientation_problem` (a **warning**): RFC 7946 wants exterior rings counter-clockwise
  and holes clockwise.  Parsers must still accept either, and the exports orient rings.

  These two are in :mod:`layers.geocheck_coords` (plain JSON, no shapely) and re-exported here.
* :func:`area_problems` (**warnings**, the feature is still drawn), for Polygon/MultiPolygon
  features only (a point's uncertainty disk is not an area):

  - a sea area (``surface: "sea"``) that is more than a sliver land, against the Natural Earth
    land of the offline basemap (``data/basemap/ne_land.geojson``);
  - an area that reaches into a country its name, summary, details and location note do not
    name (a feature that names no country at all is taken to be in the country holding most of
    its land: only the others are reported), against the Natural Earth admin-0 countries in
    ``data/basemap/ne_countries.geojson`` (:func:`build_countries_extract`; checks only, never
    sent to a browser).  When that file is absent the check is skipped with one warning line.

Areas are measured in an equal-area projection (EPSG:6933, WGS 84 / NSIDC EASE-Grid 2.0 Global).
The reference geometries are read and indexed once per file version (``lru_cache`` keyed by
path, mtime and size), so the checks take a few milliseconds per feature.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

# re-exported: the layer files' reader (layers/layerfile.py) imports them from here
from .geocheck_coords import coordinate_problem, orientation_problem
from .model import Feature, Problem

REPO = Path(__file__).resolve().parents[1]
LAND_PATH = REPO / "data" / "basemap" / "ne_land.geojson"
# Natural Earth admin-0 countries of the map region, simplified for these checks only (never sent
# to a browser); rebuilt by ``python -m layers basemap --from ../shared/data/naturalearth``
COUNTRIES_PATH = REPO / "data" / "basemap" / "ne_countries.geojson"
COUNTRIES_ENV = "GULFWATCH_NE_COUNTRIES"  # overrides COUNTRIES_PATH (a file of the same form)
COUNTRIES_SOURCE = "ne_10m_admin_0_countries.geojson"
COUNTRIES_TOLERANCE = 0.0005  # degrees (~55 m): areas of a few km² come out as at full resolution

EQUAL_AREA_CRS = "EPSG:6933"
MIN_KM2 = 1.0  # below this, land in a sea area / a country's land in an area is noise
SLIVER_SHARE = 0.02  # a sea area may be up to 2 % land (coastline simplification) ...
SLIVER_CAP_KM2 = 20.0  # ... but never hide more than 20 km² of land (a whole island) that way

# Other forms of a country's name that count as naming it (matched at the start of a word, case
# ignored, so "Cambodia" also matches "Cambodian").  Natural Earth's NAME / NAME_LONG / ADMIN
# properties are added to these.
COUNTRY_FORMS: dict[str, tuple[str, ...]] = {
    "Vietnam": ("Vietnam", "Viet Nam", "Vietnamese"),
    "Thailand": ("Thailand", "Thai"),
    "Cambodia": ("Cambodia", "Kampuchea"),
    "Laos": ("Laos", "Lao"),
    "Myanmar": ("Myanmar", "Burma", "Burmese"),
    "Malaysia": ("Malaysia",),
    "Indonesia": ("Indonesia",),
    "Singapore": ("Singapore",),
    "Brunei": ("Brunei",),
    "Philippines": ("Philippine", "Filipino"),
    "China": ("China", "Chinese"),
    "Spratly Is.": ("Spratly",),
    "Scarborough Reef": ("Scarborough",),
}
NAME_FIELDS = ("NAME", "NAME_LONG", "ADMIN")


# =========================================================================== reference geometries

@dataclass(frozen=True)
class _Country:
    name: str
    forms: tuple[str, ...]
    geom: Any  # shapely (Multi)Polygon, prepared


@dataclass(frozen=True)
class _Reference:
    parts: tuple[Any, ...]  # shapely polygons
    tree: Any  # shapely STRtree over parts


def _polygonal(g: Any) -> Any:
    """The polygon parts of ``g`` (a GeometryCollection in the countries file), made valid."""
    import shapely
    from shapely.geometry import MultiPolygon

    g = shapely.make_valid(g)
    polys = []
    for p in shapely.get_parts(g):
        if p.geom_type == "Polygon":
            polys.append(p)
        elif p.geom_type in ("MultiPolygon", "GeometryCollection"):
            polys += [q for q in shapely.get_parts(_polygonal(p)) if q.geom_type == "Polygon"]
    return MultiPolygon(polys) if len(polys) != 1 else polys[0]


def _read_features(path: str) -> list[dict[str, Any]]:
    doc = json.loads(Path(path).read_text(encoding="utf-8"))
    return [f for f in doc.get("features", []) if isinstance(f, dict) and f.get("geometry")]


@lru_cache(maxsize=4)
def _land(path: str, mtime_ns: int, size: int) -> _Reference:
    import shapely
    from shapely.geometry import shape

    parts = []
    for f in _read_features(path):
        parts += [p for p in shapely.get_parts(_polygonal(shape(f["geometry"]))) if not p.is_empty]
    for p in parts:
        shapely.prepare(p)
    return _Reference(tuple(parts), shapely.STRtree(parts))


@lru_cache(maxsize=4)
def _countries(path: str, mtime_ns: int, size: int) -> tuple[_Country, ...]:
    import shapely
    from shapely.geometry import shape

    out = []
    for f in _read_features(path):
        props = f.get("properties") or {}
        name = str(props.get("NAME") or props.get("ADMIN") or "?")
        forms = {str(props[k]) for k in NAME_FIELDS if props.get(k)} | set(COUNTRY_FORMS.get(name, ()))
        g = _polygonal(shape(f["geometry"]))
        shapely.prepare(g)
        out.append(_Country(name, tuple(sorted(forms)), g))
    return tuple(out)


def _stamp(path: Path) -> tuple[str, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return str(path), st.st_mtime_ns, st.st_size


@lru_cache(maxsize=1)
def _transformer() -> Any:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", EQUAL_AREA_CRS, always_xy=True)


def km2(geom: Any) -> float:
    """Area of a lon/lat shapely geometry in km², in an equal-area projection."""
    import numpy as np
    import shapely

    if geom.is_empty:
        return 0.0
    tr = _transformer()
    projected = shapely.transform(geom, lambda xy: np.column_stack(tr.transform(xy[:, 0], xy[:, 1])))
    return projected.area / 1e6


def _fmt_km2(v: float) -> str:
    return f"~{v:.1f} km²" if v < 10 else f"~{v:,.0f} km²"


def _fmt_share(v: float) -> str:
    return f"{v:.1%}" if v < 0.1 else f"{v:.0%}"


def _named(country: _Country, text: str) -> bool:
    return any(re.search(r"(?<!\w)" + re.escape(form), text, re.IGNORECASE) for form in country.forms)


def _land_in(geom: Any, land: _Reference) -> Any:
    import shapely

    hits = [land.parts[i] for i in land.tree.query(geom, predicate="intersects")]
    if not hits:
        return shapely.Polygon()
    return shapely.union_all([geom.intersection(p) for p in hits])


def _countries_in(geom: Any, countries: Iterable[_Country]) -> list[tuple[_Country, float]]:
    """Countries with more than MIN_KM2 of their land inside ``geom``, largest first."""
    out = []
    for c in countries:
        if c.geom.intersects(geom):
            a = km2(c.geom.intersection(geom))
            if a > MIN_KM2:
                out.append((c, a))
    return sorted(out, key=lambda t: -t[1])


# =========================================================================== the area checks

def area_problems(features: Iterable[Feature], land_path: Path | None = None,
                  countries_path: Path | None = None) -> list[Problem]:
    """Warnings for sea areas that are land and for areas reaching into unnamed countries."""
    from shapely.geometry import shape

    areas = [f for f in features if f.geometry.get("type") in ("Polygon", "MultiPolygon")]
    if not areas:
        return []
    problems: list[Problem] = []
    land_path = Path(land_path) if land_path is not None else LAND_PATH
    if countries_path is None:
        countries_path = Path(os.environ.get(COUNTRIES_ENV) or COUNTRIES_PATH)

    land: _Reference | None = None
    if any(f.props.surface == "sea" for f in areas):
        land = _load_reference(_land, land_path, "sea areas were not checked for land", problems)
    countries = _load_reference(_countries, Path(countries_path),
                                "areas were not checked against the countries they name", problems)

    for f in areas:
        try:
            geom = shape(f.geometry)
            found = [_sea_problem(f, geom, land, countries or ())
                     if f.props.surface == "sea" and land is not None else None,
                     _country_problem(f, geom, countries) if countries else None]
        except Exception as e:  # GEOS can still fail on odd valid shapes; never stop the app
            found = [Problem(file=f.file, feature=f.id, field="geometry", severity="warning",
                             message=f"geometry checks failed ({e.__class__.__name__}: {e})")]
        problems += [p for p in found if p is not None]
    return problems


def _load_reference(loader: Any, path: Path, what: str, problems: list[Problem]) -> Any:
    stamp = _stamp(path)
    where = str(path)
    if path.is_absolute() and path.resolve().is_relative_to(REPO.parent):
        where = os.path.relpath(path.resolve(), REPO)  # ../shared/data/naturalearth/…
    if stamp is None:
        problems.append(Problem(file=where, severity="warning",
                                message=f"Natural Earth file not found: {what}"))
        return None
    try:
        return loader(*stamp)
    except Exception as e:  # a broken reference file must not stop the app
        problems.append(Problem(file=where, severity="warning",
                                message=f"cannot read ({e.__class__.__name__}: {e}): {what}"))
        return None


def _sea_problem(f: Feature, geom: Any, land: _Reference,
                 countries: tuple[_Country, ...]) -> Problem | None:
    land_geom = _land_in(geom, land)
    land_km2 = km2(land_geom) if not land_geom.is_empty else 0.0
    area_km2 = km2(geom)
    limit = max(MIN_KM2, min(SLIVER_SHARE * area_km2, SLIVER_CAP_KM2))
    if land_km2 <= limit:
        return None
    where = ", ".join(f"{c.name} {_fmt_km2(a)}" for c, a in _countries_in(land_geom, countries))
    return Problem(file=f.file, feature=f.id, field="geometry", severity="warning",
                   message=f"sea area is {_fmt_share(land_km2 / area_km2)} land "
                           f"({_fmt_km2(land_km2)} of {_fmt_km2(area_km2)}{': ' + where if where else ''}); "
                           f"a sea area may hold at most {_fmt_km2(limit)} of land — cut the land "
                           f"out, or drop surface \"sea\"")


def _country_problem(f: Feature, geom: Any, countries: tuple[_Country, ...]) -> Problem | None:
    p = f.props
    text = "\n".join((p.name, p.summary, p.details, p.location_note))
    inside = _countries_in(geom, countries)
    if inside and not any(_named(c, text) for c, _ in inside):
        inside = inside[1:]  # names no country: the one it mostly lies in is its own
    unnamed = [(c, a) for c, a in inside if not _named(c, text)]
    if not unnamed:
        return None
    which = " and ".join(f"{c.name} ({_fmt_km2(a)} of its land)" for c, a in unnamed)
    return Problem(file=f.file, feature=f.id, field="geometry", severity="warning",
                   message=f"area reaches into {which}, "
                           f"{'a country' if len(unnamed) == 1 else 'countries'} the feature does "
                           f"not name in its name, summary, details or location_note")


def build_countries_extract(src_dir: Path, out_dir: Path) -> int:
    """Write ``ne_countries.geojson`` (NAME and a simplified MultiPolygon per country) from the
    Natural Earth admin-0 extract in ``src_dir``; returns its size in bytes."""
    import json

    from shapely.geometry import MultiPolygon, Polygon, mapping, shape

    def polygons(g: Any) -> list[Polygon]:
        if isinstance(g, Polygon):
            return [g]
        return [p for part in getattr(g, "geoms", ()) for p in polygons(part)]

    def rounded(c: Any) -> Any:
        if c and isinstance(c[0], (int, float)):
            return [round(float(x), 5) for x in c]
        return [rounded(x) for x in c]

    src = json.loads((Path(src_dir) / COUNTRIES_SOURCE).read_text(encoding="utf-8"))
    feats = []
    for f in src["features"]:
        g = mapping(MultiPolygon(polygons(shape(f["geometry"]))).simplify(COUNTRIES_TOLERANCE,
                                                                           preserve_topology=True))
        feats.append({"type": "Feature", "properties": {"NAME": f["properties"]["NAME"]},
                      "geometry": {"type": g["type"], "coordinates": rounded(g["coordinates"])}})
    doc = {"type": "FeatureCollection",
           "source": f"Natural Earth 1:10m admin-0 countries (public domain), simplified "
                     f"({COUNTRIES_TOLERANCE} degrees) for Gulf Watch's geometry checks",
           "features": feats}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    out = Path(out_dir) / COUNTRIES_PATH.name
    out.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


__all__ = [
    "COUNTRIES_ENV", "COUNTRIES_PATH", "COUNTRIES_SOURCE", "COUNTRIES_TOLERANCE", "COUNTRY_FORMS",
    "EQUAL_AREA_CRS", "LAND_PATH", "MIN_KM2", "NAME_FIELDS", "REPO", "SLIVER_CAP_KM2", "SLIVER_SHARE",
    "area_problems", "build_countries_extract", "km2",
    # layers/geocheck_coords.py
    "coordinate_problem", "orientation_problem",
]
