"""The Streamlit page, piece by piece.  ``app.py`` calls these in order.

Only this module (and ``app.py``) import Streamlit.  It holds the page's state in
``st.session_state`` and turns it into calls to the pure modules (``load``, ``filters``,
``render``, ``panel``, ``state``...).  Session keys:

``sel``            selected feature id (or None)
``lay_<layer>``    layer checkboxes
``basemap``        basemap slug
``window``         (date_from, date_to)
``sides``          list of side values shown
``map_center`` / ``map_zoom``   the view last *sent* to the map (changed only to move it)
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from urllib.parse import urlencode

import folium
import streamlit as st

from . import render
from .evidence import contested_ids
from .filters import visible_features
from .load import Dataset, load_dataset
from .model import SIDE_LABELS, Feature, Side
from .panel import PANEL_CSS, esc, feature_panel_html, md_escape
from .registry import BY_ID, DISPLAY_ORDER
from .state import ALL_SIDES, BASEMAPS, TIMELINE_START, ViewState, parse_query, to_query

MAP_KEY = "gulf-map"


# --- data ------------------------------------------------------------------------------------

def _data_stamp(data_dir: Path) -> tuple:
    """Changes whenever a data file changes, so edits show up without a restart."""
    return tuple(sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size)
                        for p in data_dir.rglob("*") if p.is_file() and p.suffix in (".json", ".geojson")))


@st.cache_resource(show_spinner=False, max_entries=4)
def _dataset_cached(data_dir: str, stamp: tuple) -> Dataset:
    return load_dataset(Path(data_dir))


@st.cache_resource(show_spinner=False, max_entries=4)
def _contested_cached(data_dir: str, stamp: tuple) -> frozenset[str]:
    return frozenset(contested_ids(_dataset_cached(data_dir, stamp)))


def dataset(data_dir: str) -> Dataset:
    stamp = _data_stamp(Path(data_dir))
    st.session_state["_stamp"] = (data_dir, stamp)
    return _dataset_cached(data_dir, stamp)


def contested(ds: Dataset) -> set[str]:
    data_dir, stamp = st.session_state["_stamp"]
    return set(_contested_cached(data_dir, stamp))


# --- state -----------------------------------------------------------------------------------

def init_state(ds: Dataset) -> ViewState:
    """First run of a session: seed every widget from the URL (with notices for garbage)."""
    if st.session_state.get("_init"):
        return current_view(ds)
    view, notices = parse_query(st.query_params.to_dict(), [f.id for f in ds.features])
    ss = st.session_state
    ss["_init"] = True
    ss["notices"] = notices
    for layer in DISPLAY_ORDER:
        ss[f"lay_{layer}"] = layer in view.layers
    ss["basemap"] = view.basemap
    ss["window"] = (view.date_from, view.date_to)
    ss["sides"] = list(view.sides)
    ss["sel"] = view.feature
    ss["map_center"], ss["map_zoom"] = None, None
    if view.view:
        ss["map_center"], ss["map_zoom"] = (view.view[0], view.view[1]), view.view[2]
    elif view.feature:
        _pan_to(ds.feature(view.feature))
    return current_view(ds)


def current_view(ds: Dataset) -> ViewState:
    ss = st.session_state
    start, end = ss.get("window", (TIMELINE_START, dt.date.today()))
    sel = ss.get("sel")
    if sel is not None and ds.feature(sel) is None:
        sel = None
    return ViewState(
        feature=sel,
        layers=tuple(layer for layer in DISPLAY_ORDER if ss.get(f"lay_{layer}", True)),
        basemap=ss.get("basemap", "natural-earth"),
        date_from=start, date_to=end,
        sides=tuple(s for s in ALL_SIDES if s in ss.get("sides", ALL_SIDES)),
    )


def _pan_to(feature: Feature | None) -> None:
    if feature is None:
        return
    (lat, lon), zoom = render.view_for(feature)
    # st_folium moves the map only when centre/zoom differ from what it was last sent: a
    # vanishing nudge makes "select again" re-centre even if the reader panned away.
    nonce = st.session_state.get("_nonce", 0) + 1
    st.session_state["_nonce"] = nonce
    st.session_state["map_center"] = (lat + (nonce % 2) * 1e-6, lon)
    st.session_state["map_zoom"] = zoom


def select(feature_id: str | None, pan: bool = True, ds: Dataset | None = None) -> None:
    st.session_state["sel"] = feature_id
    if pan and feature_id and ds is not None:
        _pan_to(ds.feature(feature_id))


def map_view() -> tuple[tuple[float, float] | None, int | None]:
    return st.session_state.get("map_center"), st.session_state.get("map_zoom")


def sync_query_params(today: dt.date) -> None:
    """Keep the URL equal to what is on screen (shareable at any moment)."""
    ds_view = current_view_from_session()
    want = to_query(ds_view, now=today)
    have = st.query_params.to_dict()
    if have != want:
        st.query_params.from_dict(want)


def current_view_from_session() -> ViewState:
    ss = st.session_state
    start, end = ss.get("window", (TIMELINE_START, dt.date.today()))
    return ViewState(feature=ss.get("sel"),
                     layers=tuple(la for la in DISPLAY_ORDER if ss.get(f"lay_{la}", True)),
                     basemap=ss.get("basemap", "natural-earth"), date_from=start, date_to=end,
                     sides=tuple(s for s in ALL_SIDES if s in ss.get("sides", ALL_SIDES)))


# --- page pieces -----------------------------------------------------------------------------

def show_notices(ds: Dataset) -> None:
    for n in st.session_state.get("notices", []):
        st.info(n, icon="🔗")
    errors = ds.errors
    if errors:
        with st.expander(f"⚠️ {len(errors)} problem(s) in the data — the affected items are not "
                         "shown; everything else is.", expanded=True):
            st.markdown("\n".join(f"- `{p}`" for p in errors[:50]))
            if len(errors) > 50:
                st.caption(f"… and {len(errors) - 50} more (run `python -m layers check`).")


def _legend_html(layer_id: str) -> str:
    spec = BY_ID[layer_id]
    items = []
    for e in spec.legend:
        radius = "50%" if e.shape == "circle" else "2px"
        border = "dashed" if e.dashed else "solid"
        items.append(f'<span style="display:inline-flex;align-items:center;margin-right:.6rem">'
                     f'<span style="width:.8rem;height:.8rem;border-radius:{radius};'
                     f'background:{e.color}55;border:2px {border} {e.color};margin-right:.3rem"></span>'
                     f"{esc(e.label)}</span>")
    return f'<div style="font-size:.8rem;margin:-.4rem 0 .5rem 1.8rem">{"".join(items)}</div>'


def sidebar_controls(ds: Dataset) -> None:
    st.header("Layers")
    counts = {layer: sum(f.props.layer == layer for f in ds.features) for layer in DISPLAY_ORDER}
    for layer in DISPLAY_ORDER:
        spec = BY_ID[layer]
        st.checkbox(md_escape(f"{spec.title} ({counts[layer]})"), key=f"lay_{layer}", help=spec.description)
        st.html(_legend_html(layer))
    st.html('<div style="font-size:.8rem;color:#444">Outline: solid = published coordinate, '
            'dashed = derived / estimated / schematic. '
            '<span style="color:#d62728">Red outline</span> = contested (claims and denials). '
            'Dotted ring = location uncertainty.</div>')
    st.radio("Basemap", list(BASEMAPS), key="basemap", format_func=lambda s: BASEMAPS[s],
             help="Natural Earth works with no internet and is always drawn underneath; the "
                  "online tile maps load from their providers only when you pick them.")
    st.slider("Date window", min_value=TIMELINE_START, max_value=dt.date.today(), key="window",
              format="YYYY-MM-DD",
              help="Shows features whose dates overlap the window; a feature that is still the case "
                   "stays visible after its start; undated places are always shown.")
    st.multiselect("Evidence from", list(ALL_SIDES), key="sides",
                   format_func=lambda s: SIDE_LABELS[Side(s)],
                   help="Narrows the evidence shown and the features drawn to these voices.")
    with st.expander("How to read this map"):
        st.markdown(
            "- **Status**: confirmed (official or several reputable sources agree), reported, "
            "alleged, denied, planned.\n"
            "- **Location precision** is an honest radius; many sites have *no* published "
            "coordinate and are drawn as labelled schematics or estimates — the panel says how "
            "each location was obtained.\n"
            "- **Quotes** are verbatim excerpts of the cited publication; other reports are "
            "summarised in our words and linked.\n"
            "- Reports that disagree are shown side by side, not averaged.\n"
            "- Basemap data: Made with Natural Earth (public domain).")


def visible(ds: Dataset, view: ViewState) -> list[Feature]:
    return visible_features(ds, view.layers, view.date_from, view.date_to, view.sides)


def base_map() -> folium.Map:
    return render.base_map()


def map_groups(ds: Dataset, features: list[Feature], view: ViewState, selected: Feature | None,
               data_dir: Path) -> list[folium.FeatureGroup]:
    from .basemap import TILE_BASEMAPS  # noqa: F401  (import check: the names in state.BASEMAPS)

    extra = st.session_state.get("_extra_groups", [])
    return render.dynamic_groups(ds, features, view.layers, BASEMAPS[view.basemap], contested(ds),
                                 selected if selected in features else None, data_dir,
                                 extra=extra)


def returned_objects() -> list[str]:
    return ["last_active_drawing", "last_object_clicked"]


def on_map_change() -> None:
    """st_folium callback: runs before the rerun, so the whole page sees the new selection."""
    value = st.session_state.get(MAP_KEY) or {}
    drawing = value.get("last_active_drawing") or {}
    props = drawing.get("properties") or {}
    fid = props.get("id")
    if isinstance(fid, str) and fid:
        st.session_state["sel"] = fid


def map_footer(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    n_all = len(ds.features)
    st.caption(f"Showing {len(features)} of {n_all} features · click a feature for its evidence · "
               f"basemap: {BASEMAPS[view.basemap]}"
               + (" (tiles load from the provider; Natural Earth stays underneath if they can’t)"
                  if view.basemap != "natural-earth" else " (offline)"))


def evidence_panel(ds: Dataset, view: ViewState) -> None:
    feature = ds.feature(view.feature) if view.feature else None
    if feature is None:
        st.subheader("Evidence")
        st.html(PANEL_CSS + '<div class="gw-panel gw-muted">Select a feature on the map (or in the '
                "table, chronology or sources below) to see its sources: each quote with who said "
                "it, the publication, the date and a link.</div>")
        return
    sides = {Side(s) for s in view.sides}
    st.html(feature_panel_html(ds, feature, sides=sides))
    if st.button("Clear selection", key="clear-sel"):
        select(None)
        st.rerun()


def share_link(view: ViewState, include_view: bool = False) -> str:
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    q = to_query(view, include_view=include_view)
    return base + ("?" + urlencode(q) if q else "")


def lower_tabs(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    tab_names = ["Table", "Chronology", "Sources"]
    tabs = st.tabs(tab_names)
    with tabs[0]:
        _table_tab(ds, features, view)
    with tabs[1]:
        _chronology_tab(ds, features, view)
    with tabs[2]:
        _sources_tab(ds, view)


def _table_tab(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    import pandas as pd

    from .panel import date_range_label, precision_label

    rows = [{"id": f.id, "name": f.props.name, "layer": BY_ID[f.props.layer].title,
             "status": f.props.status.value,
             "dates": date_range_label(f.props.start, f.props.end),
             "precision": precision_label(f.props.precision_m),
             "location": f.props.location_basis.value,
             "evidence": len(ds.evidence(f))} for f in features]
    df = pd.DataFrame(rows)
    st.caption("Every feature drawn on the map (same filters) — the text alternative to the map. "
               "Select a row to select the feature.")
    event = st.dataframe(df, hide_index=True, width="stretch", on_select="rerun",
                         selection_mode="single-row", key="feature-table",
                         column_config={"id": None})
    rows_sel = getattr(getattr(event, "selection", None), "rows", None) or []
    if rows_sel:
        fid = df.iloc[rows_sel[0]]["id"]
        if st.session_state.get("_table_last") != fid:
            st.session_state["_table_last"] = fid
            select(fid, ds=ds)
            st.rerun()


def _chronology_tab(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    from .timeline import chronology

    for item in chronology(ds, features, view.date_from, view.date_to):
        c1, c2 = st.columns([1, 5])
        c1.html(f"<b>{esc(item.date.label())}</b><br><span style='color:#666;font-size:.8rem'>"
                f"{item.date.precision.value}</span>")
        if c2.button(md_escape(f"{item.title} — {item.feature_name}"), key=f"chron-{item.key}"):
            select(item.feature_id, ds=ds)
            st.rerun()


def _sources_tab(ds: Dataset, view: ViewState) -> None:
    from .panel import link

    for src in sorted(ds.sources.values(), key=lambda s: (s.date.first_day, s.title)):
        st.html(f"<div><b>{link(src.url, src.title)}</b> — {esc(src.publisher)}, "
                f"{esc(src.date.label())} <span style='color:#666'>({esc(src.kind.value)}; "
                f"{len(src.excerpts)} excerpts)</span></div>")


def env_flag(name: str) -> bool:
    return os.environ.get(name, "").lower() in ("1", "true", "yes")
