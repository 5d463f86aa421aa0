"""The baseline for bench.py: the smallest useful streamlit-folium page (one map, one Marker).

Same offline asset set-up as the real app (Leaflet served from ``<script dir>/static/vendor``,
which for this script is ``bench/static/``, git-ignored by the repo's ``static/`` rule), no
basemap tiles (nothing to fetch offline), one default-icon Marker.

``LeafletIconPath`` pins ``L.Icon.Default.imagePath`` to the served Leaflet images folder; the
compat script added by ``configure_folium`` derives the same path from its own URL, and bench.py
checks in the browser that the marker image really loads (``naturalWidth > 0``).

Run on its own: ``streamlit run bench/bare_app.py`` (from the repo root, so ``.streamlit/`` applies).
"""

from __future__ import annotations

import sys
from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from layers.assets import LeafletIconPath, configure_folium, ensure_static_assets  # noqa: E402

st.set_page_config(page_title="bare folium page", layout="wide")


@st.cache_resource(show_spinner=False)
def _assets() -> bool:
    ensure_static_assets(HERE)  # Streamlit serves static/ next to the main script
    configure_folium()
    return True


_assets()
m = folium.Map(location=[10.9, 103.4], zoom_start=7, tiles=None)
LeafletIconPath().add_to(m)
folium.Marker([10.507, 103.611], popup="Ream", tooltip="Ream").add_to(m)
st_folium(m, height=640, use_container_width=True)
