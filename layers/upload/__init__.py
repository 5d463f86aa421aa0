"""“Bring your own layer”: a reader's own file (AIS positions, ACLED events, notes) on the map.

One module per file format, and one per concern:

``parse``     :func:`parse_upload`, the entry point (never raises for bad input)
``geojson``   GeoJSON reader            ``kml``      KML and KMZ reader
``csv``       CSV reader (lat/lon columns, read in chunks)
``text``      text encodings (BOMs, UTF-16)
``limits``    sizes, zip archives (bombs, nesting), memory estimates and release
``finish``    what every reader ends with (reprojection, bad geometries, caps, summary)
``common``    the result type and message wording
``simplify``  what the map draws of a layer (at most ``MAX_DRAWN_VERTICES`` vertices)
``mapdraw``   the folium layer (:func:`user_layer_group`)
``store``     readers' layers kept server-wide within a memory budget, by session
"""

from __future__ import annotations

from .common import UploadResult
from .finish import MAX_COLUMNS, MAX_FEATURES
from .limits import MAX_UNZIPPED_BYTES, MAX_UPLOAD_BYTES, MAX_ZIP_RATIO, env_max_bytes
from .mapdraw import PAYLOAD_BUDGET_BYTES, PopupPlan, popup_plan, user_layer_group
from .parse import SUPPORTED, parse_upload
from .simplify import MAX_DRAWN_VERTICES
from .store import BUDGET_BYTES, STORE, LayerStore, UserLayer

__all__ = ["BUDGET_BYTES", "MAX_COLUMNS", "MAX_DRAWN_VERTICES", "MAX_FEATURES", "MAX_UNZIPPED_BYTES",
           "MAX_UPLOAD_BYTES", "MAX_ZIP_RATIO", "PAYLOAD_BUDGET_BYTES", "STORE", "SUPPORTED",
           "LayerStore", "PopupPlan", "UploadResult", "UserLayer", "env_max_bytes", "parse_upload",
           "popup_plan", "user_layer_group"]
