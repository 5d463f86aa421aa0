"""CSV (or TSV, semicolon-separated...) with latitude/longitude columns into point features.

Read in chunks of 100,000 rows: rows past the 100,000th usable one are counted, not kept, so a
million-row file never holds more than a chunk and the kept rows in memory at once.
"""

from __future__ import annotations

import codecs
import io
import warnings

import geopandas as gpd
import numpy as np
import pandas as pd

from . import finish as fin
from . import text
from .common import Reject, UploadResult, clean_error, looks_swapped, numbers, plural

LAT_NAMES = ("latitude", "lat", "y")
LON_NAMES = ("longitude", "lon", "lng", "long", "x")
COLUMN_PAIRS = [("latitude", "longitude"), ("lat", "lon"), ("lat", "lng"), ("lat", "long"),
                ("latitude", "lon"), ("latitude", "lng"), ("lat", "longitude"), ("y", "x")]
CHUNK_ROWS = 100_000
SWAP_SAMPLE = 100_000  # positions looked at to tell whether lat and lon are swapped


def sniff_sep(head: str) -> str:
    first = head[:4096].split("\n", 1)[0]
    counts = {sep: first.count(sep) for sep in (",", ";", "\t", "|")}
    best = max(counts, key=lambda s: counts[s])
    return best if counts[best] > 0 else ","


def _is_utf8(raw: bytes) -> bool:
    """Valid UTF-8, checked a megabyte at a time (no copy of the whole file as text)."""
    dec = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(raw)
    try:
        for i in range(0, len(raw), 1 << 20):
            dec.decode(view[i:i + (1 << 20)], final=False)
        dec.decode(b"", final=True)
    except UnicodeDecodeError:
        return False
    return True


def _source(label: str, raw: bytes, messages: list[str]) -> tuple[io.IOBase, str | None, str]:
    """(a file object for pandas, its encoding, the start of the text for sniffing)."""
    codec, _name, _skip = text.sniff(raw)
    if codec != "utf-8":
        body, _ = text.decode(label, raw, "CSV")
        return io.StringIO(body), None, body[:4096]
    if _is_utf8(raw):
        return io.BytesIO(raw), "utf-8-sig", raw[:4096].decode("utf-8-sig", "replace")
    messages.append(f"{label} is not UTF-8 or UTF-16; it was read as Windows-1252 (Latin-1), so "
                    "some characters may look wrong.")
    return io.BytesIO(raw), "cp1252", raw[:4096].decode("cp1252", "replace")


def find_columns(label: str, columns: list) -> tuple[str, str]:
    by_name: dict[str, str] = {}
    for c in columns:
        by_name.setdefault(str(c).strip().lower(), c)
    for lat, lon in COLUMN_PAIRS:
        if lat in by_name and lon in by_name:
            return by_name[lat], by_name[lon]
    found = ", ".join(str(c) for c in list(columns)[:20]) or "none"
    if len(columns) > 20:
        found += f" (and {len(columns) - 20} more)"
    lat_hit = next((by_name[n] for n in LAT_NAMES if n in by_name), None)
    lon_hit = next((by_name[n] for n in LON_NAMES if n in by_name), None)
    if lat_hit and not lon_hit:
        raise Reject(f"{label} has a latitude column “{lat_hit}” but no longitude column "
                     f"(expected one named lon, lng, long, longitude or x). Columns found: {found}.")
    if lon_hit and not lat_hit:
        raise Reject(f"{label} has a longitude column “{lon_hit}” but no latitude column "
                     f"(expected one named lat, latitude or y). Columns found: {found}.")
    raise Reject(f"{label} has no latitude/longitude columns; name them lat and lon, latitude "
                 f"and longitude, or y and x (any case). Columns found: {found}.")


def _to_number(s: pd.Series, sep: str) -> np.ndarray:
    s = s.str.strip()
    if sep != ",":  # "10,5" in semicolon-separated files from European spreadsheets
        s = s.str.replace(",", ".", regex=False)
    return pd.to_numeric(s, errors="coerce").to_numpy(dtype=float)


def _chunks(label: str, src: io.IOBase, encoding: str | None, sep: str):
    from pandas.errors import EmptyDataError, ParserError

    kwargs = dict(sep=sep, dtype=str, keep_default_na=False, skipinitialspace=True,
                  index_col=False, chunksize=CHUNK_ROWS)
    if encoding:
        kwargs["encoding"] = encoding
        if encoding == "cp1252":
            kwargs["encoding_errors"] = "replace"  # 5 bytes are undefined in Windows-1252
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with pd.read_csv(src, **kwargs) as reader:
                yield from reader
    except EmptyDataError:
        raise Reject(f"{label} has no columns (is it empty?).") from None
    except ParserError as e:
        reason = clean_error(e, label).replace("Error tokenizing data. C error: ", "")
        raise Reject(f"{label} could not be read as CSV: {reason}") from None


def read(label: str, raw: bytes) -> UploadResult:
    messages: list[str] = []
    src, encoding, head = _source(label, raw, messages)
    sep = sniff_sep(head)
    lat_col = lon_col = None
    kept: list[pd.DataFrame] = []
    kept_xy: list[np.ndarray] = []
    kept_rows: list[np.ndarray] = []
    n_kept = over_cap = n_rows = 0
    not_num_rows: list[np.ndarray] = []
    out_rows: list[np.ndarray] = []
    sample: list[np.ndarray] = []
    n_sample = 0
    biggest = 0.0
    for chunk in _chunks(label, src, encoding, sep):
        if lat_col is None:
            lat_col, lon_col = find_columns(label, list(chunk.columns))
        if chunk.empty:
            continue
        lat = _to_number(chunk[lat_col], sep)
        lon = _to_number(chunk[lon_col], sep)
        rows = np.arange(n_rows + 2, n_rows + 2 + len(chunk))  # the header is row 1
        n_rows += len(chunk)
        not_num = ~(np.isfinite(lat) & np.isfinite(lon))
        out_of_range = ~not_num & ((np.abs(lat) > 90) | (np.abs(lon) > 180))
        not_num_rows.append(rows[not_num])
        out_rows.append(rows[out_of_range])
        if out_of_range.any():
            biggest = max(biggest, float(np.max(np.abs(np.concatenate(
                [lat[out_of_range], lon[out_of_range]])))))
        if n_sample < SWAP_SAMPLE:
            xy = np.column_stack([lon[~not_num], lat[~not_num]])[: SWAP_SAMPLE - n_sample]
            sample.append(xy)
            n_sample += len(xy)
        keep = np.flatnonzero(~(not_num | out_of_range))
        room = fin.MAX_FEATURES - n_kept
        take, over_cap = keep[:max(room, 0)], over_cap + max(len(keep) - max(room, 0), 0)
        if len(take):
            kept.append(chunk.iloc[take])
            kept_xy.append(np.column_stack([lon[take], lat[take]]))
            kept_rows.append(rows[take])
            n_kept += len(take)
        del chunk, lat, lon
    if n_rows == 0:
        if lat_col is None:
            raise Reject(f"{label} has no columns (is it empty?).")
        raise Reject(f"{label} has a header row but no data rows.")

    xy = np.concatenate(sample) if sample else np.empty((0, 2))
    swapped = looks_swapped(xy[:, 0], xy[:, 1])
    swap_hint = (f" The latitude and longitude look swapped: “{lat_col}” holds longitudes and "
                 f"“{lon_col}” latitudes — exchange the two column names.") if swapped else ""
    bad_num = np.concatenate(not_num_rows)
    bad_out = np.concatenate(out_rows)
    dropped = len(bad_num) + len(bad_out)
    if len(bad_num):
        messages.append(f"{label}: left out {plural(len(bad_num), 'row')} whose “{lat_col}” or "
                        f"“{lon_col}” is empty or not a number ({numbers(bad_num)}, "
                        "counting the header as row 1).")
    if len(bad_out):
        hint = swap_hint or (" They look like projected coordinates (metres), not degrees."
                             if biggest > 1000 else "")
        messages.append(f"{label}: left out {plural(len(bad_out), 'row')} with “{lat_col}” outside "
                        f"−90…90 or “{lon_col}” outside −180…180 ({numbers(bad_out)}, "
                        f"counting the header as row 1).{hint}")
    elif swapped:
        messages.append(f"{label}: {fin.SWAPPED} — none of the positions is near the Gulf of "
                        f"Thailand, but they would be with “{lat_col}” and “{lon_col}” exchanged.")
    if not kept:
        raise Reject(" ".join(messages + [f"{label}: no row has a usable position."]))
    df = pd.concat(kept, ignore_index=True).replace("", None)
    del kept
    pos = np.concatenate(kept_xy)
    gdf = gpd.GeoDataFrame(df, geometry=gpd.points_from_xy(pos[:, 0], pos[:, 1]), crs="EPSG:4326")
    return fin.finish(label, gdf, np.concatenate(kept_rows), "row", messages, dropped,
                      over_cap=over_cap, swap_checked=True)
