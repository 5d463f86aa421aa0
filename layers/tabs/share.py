"""The Export & share tab: links, the embed snippet, downloads (data, citations, the map)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import streamlit as st

from .. import render
from . import figure as figure_tab
from ..filters import plural
from ..layout import embed_snippet
from ..load import Dataset
from ..model import Feature
from ..state import BASEMAPS, ViewState
from ..ui import MAP_KEY, contested, share_link

def show(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    from .. import export

    st.markdown("**Share this view** — the link restores the selected feature, layers, basemap, "
                "date window and evidence filter.")
    st.code(share_link(view), language=None)
    value = st.session_state.get(MAP_KEY) or {}
    center, zoom = value.get("center"), value.get("zoom")
    if center and zoom:
        vv = ViewState(**{**view.__dict__, "view": (round(center["lat"], 5), round(center["lng"], 5),
                                                    int(zoom))})
        st.markdown("**Link to this exact map view** (adds the current centre and zoom):")
        st.code(share_link(vv, include_view=True), language=None)
    exact = share_link(vv, include_view=True) if center and zoom else share_link(view)
    st.markdown("**Embed in an article** — paste this HTML; the embedded map opens on this view, "
                "without the sidebar, with the evidence panel below the map:")
    st.code(embed_snippet(exact), language="html")
    st.markdown(f"**Download** — {plural(len(features), 'feature')} as currently filtered "
                "(layers, date window, evidence from), each with its evidence.")
    stamp = dt.date.today().isoformat()
    c = st.columns(3)
    c[0].download_button("GeoJSON", data=lambda: export.to_geojson(ds, features),
                         file_name=f"gulf-watch-{stamp}.geojson", mime="application/geo+json",
                         key="dl-geojson", on_click="ignore")
    c[1].download_button("KML (Google Earth)", data=lambda: export.to_kml(ds, features),
                         file_name=f"gulf-watch-{stamp}.kml",
                         mime="application/vnd.google-earth.kml+xml", key="dl-kml", on_click="ignore")
    c[2].download_button("CSV (feature × evidence)", data=lambda: export.to_csv(ds, features),
                         file_name=f"gulf-watch-{stamp}.csv", mime="text/csv", key="dl-csv",
                         on_click="ignore")
    c = st.columns(3)
    c[0].download_button("Citations (CSV)", data=lambda: export.citations_csv(ds, features),
                         file_name=f"gulf-watch-sources-{stamp}.csv", mime="text/csv",
                         key="dl-cite-csv", on_click="ignore")
    c[1].download_button("Citations (BibTeX)", data=lambda: export.citations_bibtex(ds, features),
                         file_name=f"gulf-watch-sources-{stamp}.bib", mime="application/x-bibtex",
                         key="dl-bib", on_click="ignore")
    # deferred downloads run outside the script: capture everything they need now
    map_args = dict(contested_set=contested(ds), value=dict(st.session_state.get(MAP_KEY) or {}))
    c[2].download_button("Download this map (HTML)",
                         data=lambda: standalone_map_html(ds, features, view, data_dir, **map_args),
                         file_name=f"gulf-watch-map-{stamp}.html", mime="text/html", key="dl-html",
                         on_click="ignore",
                         help="A self-contained page of the current view that opens offline, with "
                              "every quote and source link in the popups — for briefings and articles.")
    _site_download(ds, data_dir)
    figure_tab.show(ds, features, view, data_dir)  # "Download figure" (PNG, SVG, PDF)
    user = st.session_state.get("user_layer")
    if user is not None:
        # read the layer when the download runs: holding the frame here would keep a released layer alive
        st.download_button("Your layer (GeoJSON)", data=lambda: user["gdf"].to_json(),
                           file_name="your-layer.geojson", mime="application/geo+json",
                           key="dl-user", on_click="ignore")


def _site_download(ds: Dataset, data_dir: Path) -> None:
    """The static reader site (``python -m layers publish``) as a zip, for any web host."""
    from ..publish import site_zip

    st.markdown("**Publish for many readers** — the reader's part of this app (map, evidence, search, "
                "filters, links and embeds) as a folder of static files: put it on GitHub Pages, an S3 "
                "bucket or your newsroom's server, or open its index.html from disk. No Python behind "
                "it, so a story that travels costs the server a file per reader. Every feature, not "
                "just the filtered ones: the site has the filters.")
    st.download_button("Static reader site (zip)", data=lambda: site_zip(ds, data_dir),
                       file_name=f"gulf-watch-site-{dt.date.today().isoformat()}.zip", mime="application/zip",
                       key="dl-site", on_click="ignore", icon=":material/public:")


def standalone_map_html(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path,
                        contested_set: set[str], value: dict) -> str:
    """The current view as one offline HTML file (runs outside the script: no session state)."""
    from ..assets import standalone_html

    sel = ds.feature(view.feature) if view.feature else None
    center = value.get("center")
    c = (center["lat"], center["lng"]) if center else render.DEFAULT_CENTER
    m = render.full_map(ds, features, view.layers, BASEMAPS[view.basemap], contested_set, data_dir,
                        selected=sel, center=c, zoom=int(value.get("zoom") or render.DEFAULT_ZOOM))
    return standalone_html(m)
