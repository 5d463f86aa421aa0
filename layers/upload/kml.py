"""KML, and KMZ (a zipped KML, as Google Earth saves it), into a GeoDataFrame (via GDAL)."""

from __future__ import annotations

import html
import io
import re
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd

from .common import Reject, UploadResult, clean_error, size_text
from .finish import finish
from .limits import kml_from_zip

KML_NOISE = ("altitudeMode", "tessellate", "extrude", "visibility", "drawOrder", "icon")
# GDAL reads the whole file again for each folder (a layer): at most 200 folders, and at most
# 400 MiB read in all (≈ 0.17 s per 10 MB: about 7 s), so a big file has fewer folders read.
MAX_FOLDERS = 200
MAX_READ_BYTES = 400 * 1024 * 1024
_TAG = re.compile(r"<[^>]*>")
_GDAL_OWN = re.compile(r"^pyogrio_[0-9a-f]{32}$")  # a layer GDAL named after the in-memory file


def _strip_html(value: Any) -> Any:
    """KML descriptions are often HTML; show their text (it is escaped again for popups)."""
    if not isinstance(value, str) or "<" not in value:
        return value
    return " ".join(html.unescape(_TAG.sub(" ", value)).split())


def read_kmz(label: str, raw: bytes) -> UploadResult:
    """The KML inside a zip (whatever the file's extension), unpacked within the limits."""
    kml, _member = kml_from_zip(label, raw)
    return read(label, kml)


def read(label: str, raw: bytes) -> UploadResult:
    import pyogrio
    from pyogrio.errors import DataSourceError

    try:
        layers = pyogrio.list_layers(io.BytesIO(raw))
    except DataSourceError as e:
        reason = clean_error(e, label)
        if "not recognized as being in a supported file format" in reason:
            reason = "it does not look like KML (XML with a <kml> root element)"
        raise Reject(f"{label} could not be read as KML: {reason}.") from None
    messages: list[str] = []
    most = max(1, min(MAX_FOLDERS, MAX_READ_BYTES // max(len(raw), 1)))
    if len(layers) > most:
        messages.append(f"{label}: read the first {most} of its {len(layers):,} folders; a KML "
                        f"of {size_text(len(raw))} with that many folders would take too long to "
                        "read — split it into smaller files, or merge its folders.")
        layers = layers[:most]
    parts = []
    for index, (layer_name, _) in enumerate(layers):
        # by position: a KML without a <Document><name> has a layer named after the in-memory
        # copy, a new random name on every read
        own = bool(_GDAL_OWN.match(str(layer_name)))
        shown = "the document" if own else f"folder {str(layer_name)[:60]!r}"
        try:
            part = pyogrio.read_dataframe(io.BytesIO(raw), layer=index)
        except Exception as e:
            raise Reject(f"{label}: {shown} could not be read as KML: "
                         f"{clean_error(e, label)}") from None
        if len(part):
            if len(layers) > 1 and not own:
                part["kml_folder"] = str(layer_name)
            parts.append(part)
    if not parts:
        raise Reject(f"{label} contains no placemarks.")
    gdf = gpd.GeoDataFrame(pd.concat(parts, ignore_index=True), geometry="geometry")
    if gdf.crs is None:
        gdf = gdf.set_crs("EPSG:4326")
    drop = [c for c in KML_NOISE if c in gdf.columns]
    drop += [c for c in gdf.columns if c != "geometry" and gdf[c].isna().all()]
    gdf = gdf.drop(columns=list(dict.fromkeys(drop)))
    for col in ("description", "Description"):
        if col in gdf.columns:
            gdf[col] = gdf[col].map(_strip_html)
    return finish(label, gdf, np.arange(1, len(gdf) + 1), "placemark", messages, 0)
