"""“Bring your own layer”: a reader's own file (AIS positions, ACLED events, notes) on the map.

The layer lives only in the reader's session; nothing is stored.  :func:`parse_upload` turns
an uploaded file into a WGS84 GeoDataFrame and never raises for bad input: everything that
goes wrong is a user-facing message naming the file and, where it helps, the row or feature
number and the column.  :func:`user_layer_group` draws it as one folium GeoJson layer of canvas
circle markers with HTML-escaped popups, compact enough for 100,000 points.
"""

from __future__ import annotations

import html
import io
import json
import math
import os
import re
import warnings
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import MacroElement
from jinja2 import Template
from pyproj import CRS
from pyproj.exceptions import CRSError
from shapely.geometry import shape

# --- limits -------------------------------------------------------------------------------


def _env_max_bytes(default_mb: float = 50) -> int:
    """``GULFWATCH_MAX_UPLOAD_MB`` (a positive number of MiB) or 50 MiB."""
    raw = os.environ.get("GULFWATCH_MAX_UPLOAD_MB", "")
    try:
        mb = float(raw) if raw.strip() else default_mb
    except ValueError:
        mb = default_mb
    if not math.isfinite(mb) or mb <= 0:
        mb = default_mb
    return int(mb * 1024 * 1024)


MAX_UPLOAD_BYTES = _env_max_bytes()
MAX_FEATURES = 100_000  # more would make the map page too heavy for a browser
MAX_COLUMNS = 30
MAX_REPORTED_ROWS = 5  # row numbers listed in a message
SUPPORTED = ".geojson, .json, .kml or .csv"

LAT_NAMES = ("latitude", "lat", "y")
LON_NAMES = ("longitude", "lon", "lng", "long", "x")
COLUMN_PAIRS = [("latitude", "longitude"), ("lat", "lon"), ("lat", "lng"), ("lat", "long"),
                ("latitude", "lon"), ("latitude", "lng"), ("lat", "longitude"), ("y", "x")]
KML_NOISE = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")


@dataclass
class UploadResult:
    gdf: gpd.GeoDataFrame | None  # EPSG:4326, only valid non-empty geometries; None on failure
    messages: list[str] = field(default_factory=list)
    dropped: int = 0  # rows/features left out (bad values or geometries, over the cap)

    @property
    def ok(self) -> bool:
        return self.gdf is not None


class _Reject(Exception):
    """Raised internally with a finished user-facing message."""


# --- small helpers ------------------------------------------------------------------------

def _label(name: str) -> str:
    base = PurePath(str(name or "upload")).name or "upload"
    base = " ".join(base.split())
    return f"“{base[:77] + '…' if len(base) > 80 else base}”"


def _size(n: int) -> str:
    if n < 1024:
        return f"{n} bytes"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _numbers(nums: list[int] | np.ndarray, noun: str = "row") -> str:
    """``rows 3, 8, 12 and 4 more`` (noun pluralised)."""
    nums = [int(n) for n in nums]
    shown = ", ".join(str(n) for n in nums[:MAX_REPORTED_ROWS])
    more = len(nums) - MAX_REPORTED_ROWS
    word = noun if len(nums) == 1 else noun + "s"
    return f"{word} {shown}" + (f" and {more:,} more" if more > 0 else "")


def _plural(n: int, noun: str) -> str:
    return f"{n:,} {noun}" + ("" if n == 1 else "s")


_VSI = re.compile(r"['\"]?/vsimem/\S+?['\"]?(?=[\s:;,]|$)")


def _clean_error(e: BaseException, label: str) -> str:
    """The parser's reason, without internal paths and on one line."""
    text = _VSI.sub(label, str(e)).strip() or e.__class__.__name__
    text = " ".join(text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


# --- entry point --------------------------------------------------------------------------

def parse_upload(name: str, data: bytes, max_bytes: int | None = None) -> UploadResult:
    """Read an uploaded ``.geojson``/``.json``, ``.kml`` or ``.csv`` (lat/lon columns).

    Never raises for bad input: the result's ``gdf`` is None and ``messages`` say why.
    """
    label = _label(name)
    limit = MAX_UPLOAD_BYTES if max_bytes is None else int(max_bytes)
    try:
        raw = bytes(data) if not isinstance(data, str) else data.encode("utf-8")
        if len(raw) > limit:
            raise _Reject(f"{label} is {_size(len(raw))}; uploads are limited to {_size(limit)}.")
        if not raw.strip():
            raise _Reject(f"{label} is empty.")
        ext = PurePath(str(name or "")).suffix.lower()
        if ext in (".geojson", ".json"):
            result = _read_geojson(label, raw)
        elif ext == ".kml":
            result = _read_kml(label, raw)
        elif ext in (".csv", ".txt", ".tsv"):
            result = _read_csv(label, raw)
        elif ext == ".kmz":
            raise _Reject(f"{label}: KMZ is a zipped KML; unzip it and upload the .kml inside.")
        else:
            shown = ext or "(no extension)"
            raise _Reject(f"{label}: unsupported file type {shown}; upload a {SUPPORTED} file.")
        return result
    except _Reject as r:
        return UploadResult(None, [str(r)], 0)
    except Exception as e:  # last resort: never a traceback for the reader
        return UploadResult(None, [f"{label} could not be read ({e.__class__.__name__}: "
                                   f"{_clean_error(e, label)})."], 0)


# --- GeoJSON ------------------------------------------------------------------------------

GEOMETRY_TYPES = {"Point", "MultiPoint", "LineString", "MultiLineString", "Polygon",
                  "MultiPolygon", "GeometryCollection"}


def _geojson_features(label: str, obj: Any) -> list[Any]:
    if isinstance(obj, list):
        raise _Reject(f"{label} is a JSON list, not GeoJSON; expected an object with "
                      "\"type\": \"FeatureCollection\".")
    if not isinstance(obj, dict):
        raise _Reject(f"{label} is JSON but not GeoJSON (it holds a single "
                      f"{type(obj).__name__}).")
    kind = obj.get("type")
    if kind == "FeatureCollection":
        feats = obj.get("features")
        if not isinstance(feats, list):
            raise _Reject(f"{label} is a FeatureCollection without a \"features\" list.")
        if not feats:
            raise _Reject(f"{label} is a FeatureCollection with no features.")
        return feats
    if kind == "Feature":
        return [obj]
    if kind in GEOMETRY_TYPES:
        return [{"type": "Feature", "geometry": obj, "properties": {}}]
    keys = ", ".join(list(map(str, obj))[:8]) or "none"
    found = f"\"type\": {json.dumps(kind)[:40]}" if kind is not None else f"keys: {keys}"
    raise _Reject(f"{label} is JSON but not GeoJSON: expected \"type\": \"FeatureCollection\", "
                  f"\"Feature\" or a geometry (found {found}).")


def _geojson_crs(label: str, obj: Any, messages: list[str]) -> CRS | None:
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
        raise _Reject(f"{label} declares the coordinate system {name[:80]!r}, which is not "
                      "recognised; export the file as WGS84 (EPSG:4326).") from None


def _simple_point(g: Any) -> bool:
    """A GeoJSON Point with 2 or 3 plain numbers as coordinates."""
    if not isinstance(g, dict) or g.get("type") != "Point":
        return False
    c = g.get("coordinates")
    if type(c) is not list or not 2 <= len(c) <= 3:
        return False
    return type(c[0]) in _NUM and type(c[1]) in _NUM and (len(c) == 2 or type(c[2]) in _NUM)


_NUM = (int, float)


def _read_geojson(label: str, raw: bytes) -> UploadResult:
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise _Reject(f"{label} is not UTF-8 text (byte 0x{raw[e.start]:02x} at position "
                      f"{e.start:,}); GeoJSON must be UTF-8.") from None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as e:
        raise _Reject(f"{label} is not valid JSON: {e.msg} at line {e.lineno}, "
                      f"column {e.colno}.") from None
    except RecursionError:
        raise _Reject(f"{label} is nested too deeply to be read as JSON.") from None
    messages: list[str] = []
    feats = _geojson_features(label, obj)
    crs = _geojson_crs(label, obj, messages)

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
            geom = shape(g)
        except Exception as e:  # shapely raises several types for malformed coordinates
            reason = " ".join(str(e).split())[:80] or e.__class__.__name__
            bad[f"malformed geometry ({reason})"].append(i)
            continue
        p = feat.get("properties")
        geoms.append(geom)
        props.append(p if isinstance(p, dict) else {})
        numbers.append(i)
    dropped = _report(label, bad, "feature", messages)
    if not geoms:
        raise _Reject(" ".join(messages + [f"{label}: no feature has a usable geometry."]))
    geom_arr = np.empty(len(geoms), dtype=object)
    geom_arr[:] = geoms
    if pt_at:
        geom_arr[np.asarray(pt_at)] = shapely.points(np.asarray(pt_xy, dtype=float))
    gdf = gpd.GeoDataFrame(pd.DataFrame.from_records(props), geometry=geom_arr,
                           crs=crs or "EPSG:4326")
    return _finish(label, gdf, np.asarray(numbers), "feature", messages, dropped,
                   declared_crs=crs)


def _report(label: str, bad: dict[str, list[int]], noun: str, messages: list[str]) -> int:
    n = 0
    for reason, nums in bad.items():
        n += len(nums)
        messages.append(f"{label}: left out {_plural(len(nums), noun)} with {reason} "
                        f"({_numbers(nums, noun)}).")
    return n


# --- KML ----------------------------------------------------------------------------------

_TAG = re.compile(r"<[^>]*>")


def _strip_html(value: Any) -> Any:
    """KML descriptions are often HTML; show their text (it is escaped again for popups)."""
    if not isinstance(value, str) or "<" not in value:
        return value
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def _read_kml(label: str, raw: bytes) -> UploadResult:
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        layers = pyogrio.list_layers(io.BytesIO(raw))
    except DataSourceError as e:
        reason = _clean_error(e, label)
        if "not recognized as being in a supported file format" in reason:
            reason = "it does not look like KML (XML with a <kml> root element)"
        raise _Reject(f"{label} could not be read as KML: {reason}.") from None
    parts = []
    for layer_name, _ in layers:
        try:
            part = pyogrio.read_dataframe(io.BytesIO(raw), layer=str(layer_name))
        except Exception as e:
            raise _Reject(f"{label}: folder {str(layer_name)[:60]!r} could not be read as KML: "
                          f"{_clean_error(e, label)}") from None
        if len(part):
            if len(layers) > 1 and not str(layer_name).startswith("pyogrio_"):
                part["kml_folder"] = str(layer_name)
            parts.append(part)
    if not parts:
        raise _Reject(f"{label} contains no placemarks.")
    gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    drop = [c for c in KML_NOISE if c in gdf.columns]
    drop += [c for c in gdf.columns if c != "geometry" and gdf[c].isna().all()]
    gdf = gdf.drop(columns=list(dict.fromkeys(drop)))
    for col in ("description", "Description"):
        if col in gdf.columns:
            gdf[col] = gdf[col].map(_strip_html)
    messages: list[str] = []
    return _finish(label, gdf, np.arange(1, len(gdf) + 1), "placemark", messages, 0)


# --- CSV ----------------------------------------------------------------------------------

def _sniff_sep(raw: bytes) -> str:
    head = raw[:4096].split(b"\n", 1)[0]
    counts = {sep: head.count(sep.encode()) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _read_table(label: str, raw: bytes, sep: str, messages: list[str]) -> pd.DataFrame:
    from pandas.errors import EmptyDataError, ParserError

    kwargs = dict(sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                  index_col=False)
    try:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                return pd.read_csv(io.BytesIO(raw), encoding="utf-8-sig", **kwargs)
        except UnicodeDecodeError:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                df = pd.read_csv(io.BytesIO(raw), encoding="cp1252", encoding_errors="replace",
                                 **kwargs)
            messages.append(f"{label} is not UTF-8; it was read as Windows-1252 (Latin-1), so "
                            "some characters may look wrong.")
            return df
    except EmptyDataError:
        raise _Reject(f"{label} has no columns (is it empty?).") from None
    except ParserError as e:
        reason = _clean_error(e, label).replace("Error tokenizing data. C error: ", "")
        raise _Reject(f"{label} could not be read as CSV: {reason}") from None


def _find_columns(label: str, df: pd.DataFrame) -> tuple[str, str]:
    by_name: dict[str, str] = {}
    for c in df.columns:
        by_name.setdefault(str(c).strip().lower(), c)
    for lat, lon in COLUMN_PAIRS:
        if lat in by_name and lon in by_name:
            return by_name[lat], by_name[lon]
    found = ", ".join(str(c) for c in list(df.columns)[:20]) or "none"
    if len(df.columns) > 20:
        found += f" (and {len(df.columns) - 20} more)"
    lat_hit = next((by_name[n] for n in LAT_NAMES if n in by_name), None)
    lon_hit = next((by_name[n] for n in LON_NAMES if n in by_name), None)
    if lat_hit and not lon_hit:
        raise _Reject(f"{label} has a latitude column “{lat_hit}” but no longitude column "
                      f"(expected one named lon, lng, long, longitude or x). Columns found: {found}.")
    if lon_hit and not lat_hit:
        raise _Reject(f"{label} has a longitude column “{lon_hit}” but no latitude column "
                      f"(expected one named lat, latitude or y). Columns found: {found}.")
    raise _Reject(f"{label} has no latitude/longitude columns; name them lat and lon, latitude "
                  f"and longitude, or y and x (any case). Columns found: {found}.")


def _to_number(s: pd.Series, sep: str) -> pd.Series:
    s = s.str.strip()
    if sep != ",":  # "10,5" in semicolon-separated files from European spreadsheets
        s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce")


def _read_csv(label: str, raw: bytes) -> UploadResult:
    messages: list[str] = []
    sep = _sniff_sep(raw)
    df = _read_table(label, raw, sep, messages)
    if df.empty:
        raise _Reject(f"{label} has a header row but no data rows.")
    lat_col, lon_col = _find_columns(label, df)
    lat = _to_number(df[lat_col], sep).to_numpy(dtype=float)
    lon = _to_number(df[lon_col], sep).to_numpy(dtype=float)
    rows = np.arange(2, len(df) + 2)  # spreadsheet row numbers: the header is row 1
    not_num = ~(np.isfinite(lat) & np.isfinite(lon))
    out_of_range = ~not_num & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
    dropped = 0
    if not_num.any():
        n = int(not_num.sum())
        dropped += n
        messages.append(f"{label}: left out {_plural(n, 'row')} whose “{lat_col}” or "
                        f"“{lon_col}” is empty or not a number ({_numbers(rows[not_num])}, "
                        "counting the header as row 1).")
    if out_of_range.any():
        n = int(out_of_range.sum())
        dropped += n
        hint = ""
        big = np.nanmax(np.abs(np.concatenate([lat[out_of_range], lon[out_of_range]])))
        if big > 1000:
            hint = " They look like projected coordinates (metres), not degrees."
        messages.append(f"{label}: left out {_plural(n, 'row')} with “{lat_col}” outside "
                        f"−90…90 or “{lon_col}” outside −180…180 ({_numbers(rows[out_of_range])}, "
                        f"counting the header as row 1).{hint}")
    keep = ~(not_num | out_of_range)
    if not keep.any():
        raise _Reject(" ".join(messages + [f"{label}: no row has a usable position."]))
    df = df.loc[keep].replace("", None)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(lon[keep], lat[keep]),
                           crs="EPSG:4326")
    return _finish(label, gdf, rows[keep], "row", messages, dropped)


# --- common finishing ---------------------------------------------------------------------

def _clean_columns(label: str, gdf: gpd.GeoDataFrame, messages: list[str]) -> gpd.GeoDataFrame:
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
    out = gpd.GeoDataFrame(gdf[props].set_axis(names, axis=1),
                           geometry=gdf.geometry.to_numpy(), crs=gdf.crs)
    return out


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


def _stringify(gdf: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Datetimes → ISO strings; nested or exotic values → strings; numbers stay numbers."""
    for c in gdf.columns:
        if c == gdf.geometry.name:
            continue
        s = gdf[c]
        if pd.api.types.is_datetime64_any_dtype(s) or isinstance(s.dtype, pd.PeriodDtype):
            gdf[c] = s.map(lambda v: None if pd.isna(v) else v.isoformat()).astype(object)
        elif pd.api.types.is_object_dtype(s) or pd.api.types.is_string_dtype(s):
            kind = pd.api.types.infer_dtype(s, skipna=True)
            if kind not in ("string", "empty", "integer", "floating", "boolean"):
                gdf[c] = s.map(_jsonable).astype(object)
    return gdf


def _finish(label: str, gdf: gpd.GeoDataFrame, numbers: np.ndarray, noun: str,
            messages: list[str], dropped: int, declared_crs: CRS | None = None) -> UploadResult:
    """Reproject, drop unusable geometries, cap rows and columns, and summarise."""
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
    bounds = shapely.bounds(geoms)
    with np.errstate(invalid="ignore"):
        outside = usable & ((bounds[:, 0] < -180) | (bounds[:, 2] > 180)
                            | (bounds[:, 1] < -90) | (bounds[:, 3] > 90))
    if outside.any():
        hint = "" if declared_crs else ("; the file may use projected coordinates without "
                                        "declaring them in a \"crs\" member")
        bad[f"coordinates outside longitude −180…180 / latitude −90…90{hint}"].extend(
            numbers[outside].tolist())
    dropped += _report(label, {k: v for k, v in bad.items() if v}, noun, messages)
    keep = usable & ~outside
    if not keep.any():
        raise _Reject(" ".join(messages + [f"{label}: no {noun} has a usable geometry."]))
    gdf = gdf.loc[keep].reset_index(drop=True)

    if len(gdf) > MAX_FEATURES:
        extra = len(gdf) - MAX_FEATURES
        messages.append(f"{label}: only the first {MAX_FEATURES:,} of {len(gdf):,} "
                        f"{noun}s are shown; the map cannot draw more.")
        gdf = gdf.iloc[:MAX_FEATURES]
        dropped += extra

    gdf = _stringify(_clean_columns(label, gdf, messages))
    kinds = ", ".join(sorted(set(gdf.geom_type)))
    messages.insert(0, f"{label}: loaded {_plural(len(gdf), 'feature')} ({kinds})"
                       + (f"; left out {dropped:,}." if dropped else "."))
    return UploadResult(gdf, messages, dropped)


# --- map layer ----------------------------------------------------------------------------

PAYLOAD_BUDGET_BYTES = 4_500_000  # data embedded in the page for one user layer
MAX_POPUP_VALUE_CHARS = 80
MAX_LABEL_CHARS = 40
COORD_SCALE = 100_000  # 5 decimals ≈ 1 m


def _js_json(obj: Any) -> str:
    """Compact JSON that is safe inside a <script> element."""
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"))
    return (text.replace("</", "<\\/").replace("<!--", "<\\!--")
            .replace("\u2028", "\\u2028").replace("\u2029", "\\u2029"))


def _popup_text(v: Any) -> str | None:
    """One value as a truncated, HTML-escaped string (None for missing)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return None
    t = " ".join(str(v).split())
    if not t:
        return None
    if len(t) > MAX_POPUP_VALUE_CHARS:
        t = t[: MAX_POPUP_VALUE_CHARS - 1] + "…"
    return html.escape(t)


def _encode_column(s: pd.Series) -> str | None:
    """A column as JSON: ``{"v": [...]}`` or dictionary-coded ``{"d": uniques, "c": codes}``.

    Values are escaped once per distinct value; None when the column is empty.
    """
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    texts = [_popup_text(v) for v in uniques]
    if not any(t is not None for t in texts):
        return None
    if len(uniques) <= len(s) // 2:
        return '{"d":' + _js_json(texts) + ',"c":[' + ",".join(map(str, codes.tolist())) + "]}"
    lookup = np.array(texts + [None], dtype=object)  # code -1 → None
    return '{"v":' + _js_json(lookup[codes].tolist()) + "}"


def _is_coordinate_column(name: Any) -> bool:
    return str(name).strip().lower() in LAT_NAMES + LON_NAMES


@dataclass
class PopupPlan:
    labels: list[str]  # escaped column labels shown
    encoded: list[str]  # JSON per shown column
    omitted: list[str]  # columns left out to keep the page small


def popup_plan(gdf: gpd.GeoDataFrame, max_fields: int, budget: int) -> PopupPlan:
    """Choose the popup columns: up to ``max_fields`` non-empty ones, in order (lat/lon-like
    columns last, as the marker already shows the position); if together they exceed
    ``budget`` bytes, lat/lon-like columns and then the most expensive are left out until
    the rest fit."""
    cols = [c for c in gdf.columns if c != gdf.geometry.name]
    cols.sort(key=_is_coordinate_column)  # stable: keeps the file's order otherwise
    candidates: list[tuple[Any, str]] = []
    omitted: list[str] = []
    for c in cols:
        if len(candidates) >= max_fields:
            if gdf[c].notna().any():
                omitted.append(str(c))
            continue
        enc = _encode_column(gdf[c])
        if enc is not None:
            candidates.append((c, enc))
    sizes = {str(c): len(enc.encode("utf-8")) for c, enc in candidates}
    total = sum(sizes.values())
    # leave out lat/lon-like columns first (the marker shows the position), then the largest
    for c, _ in sorted(candidates, key=lambda ce: (not _is_coordinate_column(ce[0]),
                                                   -sizes[str(ce[0])])):
        if total <= budget:
            break
        total -= sizes[str(c)]
        omitted.insert(0, str(c))
    plan = PopupPlan([], [], [])
    for c, enc in candidates:
        if str(c) in omitted:
            continue
        label = " ".join(str(c).split())
        label = label if len(label) <= MAX_LABEL_CHARS else label[: MAX_LABEL_CHARS - 1] + "…"
        plan.labels.append(html.escape(label))
        plan.encoded.append(enc)
    order = {str(c): i for i, c in enumerate(cols)}
    plan.omitted = sorted(omitted, key=lambda c: order.get(c, 0))
    return plan


class _CompactData(MacroElement):
    """Adds the points to its parent GeoJson from a compact columnar payload.

    Points travel as integer coordinates (×1e5) and popups as per-column value arrays
    (dictionary-coded when values repeat); the browser rebuilds GeoJSON features and builds a
    popup only when one is opened.  Every value was HTML-escaped in Python.
    """

    _template = Template("""
{% macro script(this, kwargs) %}
(function() {
    var layer = {{ this._parent.get_name() }};
    var renderer = L.canvas({padding: 0.5});
    var basePoint = layer.options.pointToLayer;
    layer.options.pointToLayer = function(feature, latlng) {
        var m = basePoint ? basePoint(feature, latlng) : L.circleMarker(latlng, {radius: 3});
        m.options.renderer = renderer;
        return m;
    };
    var xy = [{{ this.xy }}];
    var pos = {{ this.pos }};
    var labels = {{ this.labels }};
    var cols = [{{ this.cols }}];
    var note = {{ this.note }};
    function val(c, i) {
        var col = cols[c];
        if (col.c) { var k = col.c[i]; return k < 0 ? null : col.d[k]; }
        return col.v[i];
    }
    function popup(i) {
        var h = '<table class="gw-user-popup">';
        for (var c = 0; c < cols.length; c++) {
            var v = val(c, i);
            if (v !== null && v !== '') { h += '<tr><th>' + labels[c] + '</th><td>' + v + '</td></tr>'; }
        }
        h += '</table>';
        if (note) { h += '<div class="gw-user-note">' + note + '</div>'; }
        return h;
    }
    var n = xy.length / 2, feats = new Array(n);
    for (var j = 0; j < n; j++) {
        feats[j] = {type: "Feature", properties: {_i: pos ? pos[j] : j},
                    geometry: {type: "Point", coordinates: [xy[2 * j] / {{ this.scale }}, xy[2 * j + 1] / {{ this.scale }}]}};
    }
    layer.addData({type: "FeatureCollection", features: feats.concat({{ this.others }})});
    {%- if this.has_popup %}
    layer.bindPopup(function(l) { return popup(l.feature.properties._i); }, {maxWidth: 320});
    {%- endif %}
})();
{% endmacro %}
""")

    def __init__(self, gdf: gpd.GeoDataFrame, max_popup_fields: int, budget: int):
        super().__init__()
        self._name = "UserLayerData"
        geoms = gdf.geometry.to_numpy()
        is_point = shapely.get_type_id(geoms) == 0
        pts = geoms[is_point]
        xy = np.column_stack([shapely.get_x(pts), shapely.get_y(pts)]) if len(pts) else np.empty((0, 2))
        self.xy = ",".join(map(str, np.rint(xy * COORD_SCALE).astype(np.int64).ravel().tolist()))
        self.scale = COORD_SCALE
        positions = np.flatnonzero(is_point)
        self.pos = "null" if is_point.all() else "[" + ",".join(map(str, positions.tolist())) + "]"
        self.others = _js_json([
            {"type": "Feature", "properties": {"_i": int(i)},
             "geometry": json.loads(shapely.to_geojson(
                 shapely.transform(geoms[i], lambda c: np.round(c, 5))))}
            for i in np.flatnonzero(~is_point)
        ])
        fixed = len(self.xy) + len(self.pos) + len(self.others)
        plan = popup_plan(gdf, max_popup_fields, max(budget - fixed, 0))
        self.plan = plan
        self.labels = _js_json(plan.labels)
        self.cols = ",".join(plan.encoded)
        self.has_popup = bool(plan.labels) or bool(plan.omitted)
        note = ""
        if plan.omitted:
            shown = ", ".join(plan.omitted[:6]) + (" …" if len(plan.omitted) > 6 else "")
            note = html.escape(f"Not shown here: {shown}.")
        self.note = _js_json(note)


class _UserGeoJson(folium.GeoJson):
    """A GeoJson whose data arrive from a :class:`_CompactData` child; bounds from the frame."""

    def __init__(self, gdf: gpd.GeoDataFrame, **kwargs: Any):
        super().__init__({"type": "FeatureCollection", "features": []}, **kwargs)
        minx, miny, maxx, maxy = (float(v) for v in gdf.total_bounds)
        self._bounds = [[miny, minx], [maxy, maxx]]

    def _get_self_bounds(self) -> list[list[float | None]]:
        return self._bounds


def user_layer_group(gdf: gpd.GeoDataFrame | None, name: str = "Your layer",
                     max_popup_fields: int = 8, color: str = "#c2185b",
                     budget_bytes: int = PAYLOAD_BUDGET_BYTES) -> folium.FeatureGroup:
    """One folium.GeoJson layer of canvas circle markers (radius 3) inside a FeatureGroup.

    Popups show up to ``max_popup_fields`` columns, every value HTML-escaped (and cut to 80
    characters) in Python before it reaches the page.  The embedded data stay within
    ``budget_bytes``: coordinates first, then popup columns in order while they fit; columns
    that do not fit are named in the popup.  Each feature carries ``properties._i``, its row
    position in ``gdf``, so the app can show the full row for a clicked point.
    """
    fg = folium.FeatureGroup(name=html.escape(str(name)), show=True)
    if gdf is None or len(gdf) == 0:
        return fg
    if gdf.crs is not None and not gdf.crs.equals(CRS.from_epsg(4326)):
        gdf = gdf.to_crs("EPSG:4326")
    marker = folium.CircleMarker(radius=3, color=color, weight=1, fill=True,
                                 fill_color=color, fill_opacity=0.7)
    layer = _UserGeoJson(gdf, name=html.escape(str(name)), control=False, marker=marker,
                         style=folium.utilities.JsCode(
                             "function(f) {return f.geometry.type === 'Point' ? {} : "
                             f"{{color: {json.dumps(color)}, weight: 2, fillOpacity: 0.15}};}}"))
    layer.add_child(_CompactData(gdf, max_popup_fields, budget_bytes))
    layer.add_to(fg)
    return fg
