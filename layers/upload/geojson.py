"""GeoJSON (RFC 7946, and the older ``crs`` member) into a GeoDataFrame."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape

from . import text
from .common import Reject, UploadResult, report
from .finish import finish

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection"}
# how deeply each type's "coordinates" nest positions: a Point's is a position, a LineString's
# a list of them...
DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "Polygon": 2, "MultiLineString": 2,
         "MultiPolygon": 3}
_NUM = (int, float)  # not bool: type(True) is bool, and json gives only these for numbers
NOT_NUMBERS = "coordinates that are not numbers (true, false, null or text in quotes)"


def _features(label: str, obj: Any) -> list[Any]:
    if isinstance(obj, list):
        raise Reject(f"{label} is a JSON list, not GeoJSON; expected an object with "
                     "\"type\": \"FeatureCollection\".")
    if not isinstance(obj, dict):
        raise Reject(f"{label} is JSON but not GeoJSON (it holds a single "
                     f"{type(obj).__name__}).")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise Reject(f"{label} is a FeatureCollection without a \"features\" list.")
        if not feats:
            raise Reject(f"{label} is a FeatureCollection with no features.")
        return feats
    if kind == "Feature":
        return [obj]
    if kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": obj, "properties": {}}]
    keys = ", ".join(list(map(str, obj))[:8]) or "none"
    found = f"\"type\": {json.dumps(kind)[:40]}" if kind is not None else f"keys: {keys}"
    raise Reject(f"{label} is JSON but not GeoJSON: expected \"type\": \"FeatureCollection\", "
                 f"\"Feature\" or a geometry (found {found}).")


def _crs(label: str, obj: Any, messages: list[str]) -> CRS | None:
    """The legacy GeoJSON ``crs`` member, if any (None = WGS84 lon/lat)."""
    crs = obj.get("crs") if isinstance(obj, dict) else None
    if crs is None:
        return None
    name = (crs.get("properties") or {}).get("name") if isinstance(crs, dict) else None
    if not isinstance(name, str) or not name.strip():
        messages.append(f"{label}: ignored a \"crs\" member without a name; assuming WGS84 "
                        "longitude/latitude.")
        return None
    if re.search(r"CRS84$|EPSG:+4326$", name.strip(), re.IGNORECASE):
        return None  # lon/lat WGS84 (GeoJSON files put EPSG:4326 in lon/lat order too)
    try:
        return CRS.from_user_input(name.strip())
    except CRSError:
        raise Reject(f"{label} declares the coordinate system {name[:80]!r}, which is not "
                     "recognised; export the file as WGS84 (EPSG:4326).") from None


def _simple_point(g: Any) -> bool:
    """A GeoJSON Point with 2 or 3 plain numbers as coordinates."""
    if not isinstance(g, dict) or g.get("type") != "Point":
        return False
    c = g.get("coordinates")
    if type(c) is not list or not 2 <= len(c) <= 3:
        return False
    return type(c[0]) in _NUM and type(c[1]) in _NUM and (len(c) == 2 or type(c[2]) in _NUM)


def _numeric(coords: Any, depth: int) -> bool:
    """Every position in ``coords`` (nested ``depth`` lists deep) holds only numbers.

    Shapely would read ``true`` as 1 and ``"103"`` as 103; a file with those is wrong, and
    says so.  Structural problems (a missing level, a one-number position) are left to shapely,
    which names them."""
    if depth == 0:
        return type(coords) is not list or all(type(v) in _NUM for v in coords)
    if type(coords) is not list:
        return True
    if depth == 1:
        return all(type(p) is not list or all(type(v) in _NUM for v in p) for p in coords)
    return all(_numeric(c, depth - 1) for c in coords)


def _check_numbers(g: dict, level: int = 0) -> bool:
    kind = g.get("type")
    if kind == "GeometryCollection":
        parts = g.get("geometries")
        return level > 20 or type(parts) is not list or all(
            _check_numbers(p, level + 1) for p in parts if isinstance(p, dict))
    return kind not in DEPTH or _numeric(g.get("coordinates"), DEPTH[kind])


def read(label: str, raw: bytes) -> UploadResult:
    body, _ = text.decode(label, raw, "GeoJSON")
    try:
        obj = json.loads(body)
    except json.JSONDecodeError as e:
        raise Reject(f"{label} is not valid JSON: {e.msg} at line {e.lineno}, "
                     f"column {e.colno}.") from None
    except RecursionError:
        raise Reject(f"{label} is nested too deeply to be read as JSON.") from None
    del body
    messages: list[str] = []
    feats = _features(label, obj)
    crs = _crs(label, obj, messages)

    geoms: list[Any] = []
    pt_at: list[int] = []
    pt_xy: list[list[float]] = []
    props: list[dict[str, Any]] = []
    numbers: list[int] = []
    bad: dict[str, list[int]] = defaultdict(list)
    for i, feat in enumerate(feats, 1):
        if not isinstance(feat, dict):
            bad["a value that is not a GeoJSON Feature object"].append(i)
            continue
        g = feat.get("geometry")
        if g is None:
            bad["no geometry"].append(i)
            continue
        if _simple_point(g):  # fast path: built in one vectorised call below
            pt_at.append(len(geoms))
            pt_xy.append(g["coordinates"][:2])
            geoms.append(None)
            p = feat.get("properties")
            props.append(p if isinstance(p, dict) else {})
            numbers.append(i)
            continue
        try:
            if not isinstance(g, dict) or g.get("type") not in GEOMETRY_TYPES:
                t = g.get("type") if isinstance(g, dict) else type(g).__name__
                raise ValueError(f"unknown geometry type {str(t)[:30]!r}")
            if not _check_numbers(g):
                bad[NOT_NUMBERS].append(i)
                continue
            geom = shape(g)
        except Exception as e:  # shapely raises several types for malformed coordinates
            reason = " ".join(str(e).split())[:80] or e.__class__.__name__
            bad[f"malformed geometry ({reason})"].append(i)
            continue
        p = feat.get("properties")
        geoms.append(geom)
        props.append(p if isinstance(p, dict) else {})
        numbers.append(i)
    del obj, feats
    dropped = report(label, bad, "feature", messages)
    if not geoms:
        raise Reject(" ".join(messages + [f"{label}: no feature has a usable geometry."]))
    geom_arr = np.empty(len(geoms), dtype=object)
    geom_arr[:] = geoms
    if pt_at:
        geom_arr[np.asarray(pt_at)] = shapely.points(np.asarray(pt_xy, dtype=float))
    gdf = gpd.GeoDataFrame(pd.DataFrame.from_records(props), geometry=geom_arr,
                           crs=crs or "EPSG:4326")
    return finish(label, gdf, np.asarray(numbers), "feature", messages, dropped,
                  declared_crs=crs)
