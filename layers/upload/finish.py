"""The steps every reader ends with: reproject to WGS84, drop unusable geometries (saying which
and why), cap rows and columns, make values JSON-friendly, plan the drawing, and summarise."""

from __future__ import annotations

import json
import math
from collections import defaultdict
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from pyproj import CRS

from . import simplify
from .common import Reject, UploadResult, looks_swapped, plural, report

MAX_FEATURES = 100_000  # more would make the map page too heavy for a browser
MAX_COLUMNS = 30

SWAPPED = "latitude and longitude look swapped"


def clean_columns(label: str, gdf: gpd.GeoDataFrame, messages: list[str]) -> gpd.GeoDataFrame:
    """String, unique, non-empty names; at most MAX_COLUMNS property columns."""
    props = [c for c in gdf.columns if c != gdf.geometry.name]
    if len(props) > MAX_COLUMNS:
        messages.append(f"{label}: kept the first {MAX_COLUMNS} of its {len(props)} columns.")
        props = props[:MAX_COLUMNS]
    names: list[str] = []
    seen: set[str] = {"geometry"}
    for i, c in enumerate(props, 1):
        base = " ".join(str(c).split())[:60] or f"column {i}"
        name, k = base, 2
        while name in seen:
            name, k = f"{base} ({k})", k + 1
        seen.add(name)
        names.append(name)
    return gpd.GeoDataFrame(gdf[props].set_axis(names, axis=1),
                            geometry=gdf.geometry.to_numpy(), crs=gdf.crs)


def _jsonable(v: Any) -> Any:
    if isinstance(v, float) and not math.isfinite(v):
        return None
    if v is None or isinstance(v, (str, int, float, bool)):
        return v
    if isinstance(v, (dict, list, tuple)):
        return json.dumps(v, ensure_ascii=False, default=str)[:1000]
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if hasattr(v, "isoformat"):
        return v.isoformat()
    return str(v)


def stringify(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Datetimes → ISO strings; nested or exotic values → strings; numbers stay numbers; text
    columns become compact (Arrow-backed) strings rather than one Python object per value."""
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        s = gdf[c]
        if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.PeriodDtype):
            gdf[c] = s.map(lambda v: None if pd.isna(v) else v.isoformat()).astype(object)
        elif pd.api.types.is_object_dtype(s):
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind == "string":
                gdf[c] = s.astype("str")
            elif kind not in ("empty", "integer", "floating", "boolean"):
                gdf[c] = s.map(_jsonable).astype(object)
    return gdf


def _outside(geoms: np.ndarray, usable: np.ndarray) -> tuple[np.ndarray, bool]:
    """Which usable geometries leave −180…180 / −90…90, and whether the layer looks as if its
    latitude and longitude were swapped (judged by the centres of the geometries' bounds)."""
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        outside = usable & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                            | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    b = bounds[usable]
    swapped = looks_swapped((b[:, 0] + b[:, 2]) / 2, (b[:, 1] + b[:, 3]) / 2) if len(b) else False
    return outside, swapped


def finish(label: str, gdf: gpd.GeoDataFrame, numbers: np.ndarray, noun: str,
           messages: list[str], dropped: int, declared_crs: CRS | None = None,
           over_cap: int = 0, swap_checked: bool = False) -> UploadResult:
    """Reproject, drop unusable geometries, cap rows and columns, plan the drawing, summarise.

    ``over_cap``: usable rows a reader already left out beyond :data:`MAX_FEATURES` (the CSV
    reader stops keeping rows there); ``swap_checked``: the reader already said whether
    latitude and longitude look swapped."""
    if gdf.crs is not None and not gdf.crs.equals(CRS.from_epsg(4326)):
        src = gdf.crs
        gdf = gdf.to_crs("EPSG:4326")
        code = src.to_epsg()
        ident = f"EPSG:{code}" if code else src.to_string()[:60]
        messages.append(f"{label}: coordinates were in {src.name} ({ident}); converted to WGS84 "
                        "longitude/latitude.")
    geoms = gdf.geometry.to_numpy()
    if shapely.has_z(geoms).any():
        geoms = shapely.force_2d(geoms)
        gdf = gdf.set_geometry(geoms, crs="EPSG:4326")

    bad: dict[str, list[int]] = defaultdict(list)
    missing = shapely.is_missing(geoms)
    empty = ~missing & shapely.is_empty(geoms)
    invalid = ~missing & ~empty & ~shapely.is_valid(geoms)
    for mask, reason in ((missing, "no geometry"), (empty, "an empty geometry")):
        bad[reason].extend(numbers[mask].tolist())
    if invalid.any():
        first = shapely.is_valid_reason(geoms[np.argmax(invalid)])
        bad[f"an invalid geometry (e.g. {first})"].extend(numbers[invalid].tolist())
    usable = ~(missing | empty | invalid)
    outside, swapped = _outside(geoms, usable)
    swapped = swapped and not swap_checked
    if outside.any():
        if swapped:
            hint = f"; {SWAPPED} (GeoJSON positions are [longitude, latitude])"
        elif declared_crs:
            hint = ""
        else:
            hint = "; the file may use projected coordinates without declaring them in a \"crs\" member"
        bad[f"coordinates outside longitude −180…180 / latitude −90…90{hint}"].extend(
            numbers[outside].tolist())
    elif swapped:
        messages.append(f"{label}: {SWAPPED} — none of the positions is near the Gulf of Thailand, "
                        "but they would be the other way round (GeoJSON positions are "
                        "[longitude, latitude]).")
    dropped += report(label, {k: v for k, v in bad.items() if v}, noun, messages)
    keep = usable & ~outside
    if not keep.any():
        raise Reject(" ".join(messages + [f"{label}: no {noun} has a usable geometry."]))
    gdf = gdf.loc[keep].reset_index(drop=True)

    total = len(gdf) + over_cap
    if total > MAX_FEATURES:
        messages.append(f"{label}: only the first {plural(MAX_FEATURES, noun)} of {total:,} "
                        f"{'is' if MAX_FEATURES == 1 else 'are'} shown; the map cannot draw more.")
        dropped += total - MAX_FEATURES
        gdf = gdf.iloc[:MAX_FEATURES]

    gdf = stringify(clean_columns(label, gdf, messages))
    drawing = simplify.drawing_for(gdf)
    vertices = None
    if drawing.simplified:
        vertices = (drawing.before, drawing.after)
        how = "drawn as points" if drawing.mode == "points" else "simplified for drawing"
        messages.append(f"{label}: {how}: {drawing.before:,} → {drawing.after:,} vertices; the "
                        "download keeps the full geometry.")
    kinds = ", ".join(sorted(set(gdf.geom_type)))
    messages.insert(0, f"{label}: loaded {plural(len(gdf), 'feature')} ({kinds})"
                       + (f"; left out {plural(dropped, noun)}." if dropped else "."))
    return UploadResult(gdf, messages, dropped, vertices)

