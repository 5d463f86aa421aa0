"""The reader of a layer file, ``data/features/<layer>.geojson``: a GeoJSON FeatureCollection
in WGS 84 whose features become :class:`~layers.model.Feature`, each checked on its own (its
properties, its geometry and where it lies); a feature that fails is reported and skipped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .datafile import (
    _error,
    _FileProblems,
    _items,
    _kind,
    _label,
    _pydantic_problems,
    _read_json,
    _rel,
    _walk_problem,
    clean_text,
)
from .geocheck import coordinate_problem, orientation_problem
from .model import REGION_BOUNDS, Feature, FeatureProps, Problem

GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def _check_geometry(geom: Any) -> str | None:
    if not isinstance(geom, dict):
        return f"unsupported or missing geometry type: the geometry is {_kind(geom)}"
    gtype = geom.get("type")
    if not isinstance(gtype, str) or gtype not in GEOMETRY_TYPES:
        shown = repr(clean_text(gtype, 40)) if isinstance(gtype, str) else _kind(gtype)
        return f"unsupported or missing geometry type {shown}"
    bad = coordinate_problem(geom)  # strings/booleans as coordinates, open or short rings
    if bad:
        return bad
    from shapely.geometry import box, shape  # here: the app's data comes from the disk cache

    try:
        g = shape(geom)
    except Exception as e:  # shapely raises several types for malformed coordinates
        return f"malformed coordinates ({_error(e)})"
    if g.is_empty:
        return "empty geometry"
    if not g.is_valid:
        from shapely.validation import explain_validity
        return f"invalid geometry: {explain_validity(g)}"
    minx, miny, maxx, maxy = g.bounds
    if not box(*REGION_BOUNDS).contains(g):
        hint = ""
        if REGION_BOUNDS[1] <= minx <= REGION_BOUNDS[3] and REGION_BOUNDS[0] <= miny <= REGION_BOUNDS[2]:
            hint = " (are lon and lat swapped? GeoJSON wants [lon, lat])"
        return (f"outside the map region lon 97–118, lat 0–17.5: bounds "
                f"({minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}){hint}")
    return None


WGS84_NAMES = ("CRS84", "EPSG::4326", "EPSG:4326")


def _crs_problem(crs: Any) -> str | None:
    """Why a (pre-RFC 7946) ``crs`` member does not say WGS 84, or None when it does."""
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if isinstance(name, str):
        if any(s in name for s in WGS84_NAMES):
            return None
        return f"coordinates must be WGS84 (EPSG:4326), file declares {clean_text(name)!r}"
    if not isinstance(crs, dict):
        found = f"crs is {_kind(crs)}"
    elif not isinstance(props, dict):
        found = f"crs.properties is {_kind(props)}"
    else:
        found = f"crs.properties.name is {_kind(name)}"
    return (f"coordinates must be WGS84 (EPSG:4326), and {found}: write "
            f'{{"type": "name", "properties": {{"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}} or leave crs out')


def load_layer(path: Path, layer: str, root: Path, problems: list[Problem]) -> list[Feature]:
    file = _rel(path, root)
    raw = _read_json(path, file, problems)
    if raw is None:
        return []
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        what = _kind(raw) if not isinstance(raw, dict) else f"an object of type {_kind_or_text(raw.get('type'))}"
        problems.append(Problem(file=file, message=f"expected a GeoJSON FeatureCollection, got {what}"))
        return []
    if "crs" in raw and raw["crs"] is not None:
        bad_crs = _crs_problem(raw["crs"])
        if bad_crs:
            problems.append(Problem(file=file, field="crs", message=bad_crs))
            return []
    report = _FileProblems(file, problems)
    items = _items(raw, "features", file, report)
    out = []
    for i, feat in enumerate(items or []):
        try:
            f = _load_feature(feat, i, layer, file, report)
        except Exception as e:  # noqa: BLE001 — whatever a feature holds, the rest still loads
            report.add(Problem(file=file, feature=f"#{i}", message=f"cannot be read ({_error(e)})"))
            continue
        if f is not None:
            out.append(f)
    report.close()
    return out


def _kind_or_text(value: Any) -> str:
    return repr(clean_text(value, 40)) if isinstance(value, str) else _kind(value)


def _load_feature(feat: Any, i: int, layer: str, file: str, report: _FileProblems) -> Feature | None:
    if not isinstance(feat, dict):
        report.add(Problem(file=file, feature=f"#{i}", message=f"a feature must be an object, got {_kind(feat)}"))
        return None
    props = feat.get("properties")
    fid = props.get("id") if isinstance(props, dict) else None
    label = _label(fid, i)
    if not isinstance(props, dict):
        report.add(Problem(file=file, feature=label, field="properties",
                           message="missing properties" if props is None else
                           f"properties must be an object, got {_kind(props)}"))
        return None
    bad = _walk_problem(feat)
    if bad is not None:
        report.add(Problem(file=file, feature=label, field=bad[0], message=bad[1]))
        return None
    try:
        fp = FeatureProps.model_validate(props)
    except ValidationError as e:
        report.extend(_pydantic_problems(e, file, label))
        return None
    if fp.layer != layer:
        report.add(Problem(file=file, feature=label, field="layer",
                           message=f"layer {fp.layer!r} does not match file {layer}.geojson"))
        return None
    geom_problem = _check_geometry(feat.get("geometry"))
    if geom_problem:
        report.add(Problem(file=file, feature=label, field="geometry", message=geom_problem))
        return None
    orientation = orientation_problem(feat["geometry"])
    if orientation:
        report.add(Problem(file=file, feature=label, field="geometry", message=orientation,
                           severity="warning"))
    return Feature(props=fp, geometry=feat["geometry"], file=file)
