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
import json
from pathlib import Path
from urllib.parse import urlencode

import folium
import streamlit as st

from . import render
from .layout import MAP_IFRAME, embed_snippet
from .evidence import contested_ids
from .filters import hidden_by_window, plural, visible_features
from .load import Dataset, load_dataset
from .model import SIDE_LABELS, Feature, Side
from .panel import PANEL_CSS, esc, feature_panel_html, md_escape
from .registry import BY_ID, DISPLAY_ORDER
from .state import ALL_SIDES, BASEMAPS, EARLIEST, TIMELINE_START, ViewState, parse_query, to_query

MAP_KEY = "gulf-map"
START_FEATURE = "ream-naval-base"  # the story's centre: offered first when nothing is selected


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

# Values of widgets that live in the lower tabs.  Only the open tab runs, and Streamlit forgets
# the value of a widget that did not run; these are re-stated on every run so they survive.
KEEP_WIDGETS = ("measure", "ring_text", "ring_unit", "reader_source")

# A map click reruns only the map-and-evidence fragment (app.py).  These lower tabs show
# something that follows the selection or the measuring points, so when one of them is open a
# click asks for a whole-page run instead.
FOLLOWS_SELECTION = ("Sources", "Distances & rings", "Export & share")
WHOLE_PAGE = "_whole_page_wanted"


def init_state(ds: Dataset) -> ViewState:
    """Every run: keep the values of the closed tabs' widgets.  First run of a session: seed
    every widget from the URL (with notices for garbage)."""
    for k in KEEP_WIDGETS:
        if k in st.session_state:
            st.session_state[k] = st.session_state[k]
    st.session_state.pop(WHOLE_PAGE, None)  # this is a whole-page run
    if st.session_state.get("_init"):
        return current_view(ds)
    view, notices = parse_query(st.query_params.to_dict(), [f.id for f in ds.features])
    ss = st.session_state
    ss["_init"] = True
    ss["notices"] = notices
    for layer in DISPLAY_ORDER:
        ss[f"lay_{layer}"] = layer in view.layers
    ss["basemap"] = view.basemap
    lo = timeline_min(ds)
    ss["window"] = (max(view.date_from, lo), max(view.date_to, lo))
    ss["sides"] = list(view.sides)
    ss["sel"] = view.feature
    ss["map_center"], ss["map_zoom"] = None, None
    if view.view:
        ss["map_center"], ss["map_zoom"] = (view.view[0], view.view[1]), view.view[2]
    elif view.feature:
        _pan_to(ds.feature(view.feature), ds)
    return current_view(ds)


def timeline_min(ds: Dataset) -> dt.date:
    """The slider reaches back to the earliest dated feature (the default window starts in 2019)."""
    starts = [f.props.start.first_day for f in ds.features if f.props.start]
    starts += [ev.date.first_day for f in ds.features for ev in f.props.events]
    earliest = max(min(starts, default=TIMELINE_START), EARLIEST)
    return min(dt.date(earliest.year, 1, 1), TIMELINE_START)


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


def _pan_to(feature: Feature | None, ds: Dataset) -> None:
    if feature is None:
        return
    (lat, lon), zoom = render.view_for(feature, ds.features)
    # st_folium moves the map only when centre/zoom differ from what it was last sent: a
    # vanishing nudge makes "select again" re-centre even if the reader panned away.
    nonce = st.session_state.get("_nonce", 0) + 1
    st.session_state["_nonce"] = nonce
    st.session_state["map_center"] = (lat + (nonce % 2) * 1e-6, lon)
    st.session_state["map_zoom"] = zoom


def select(feature_id: str | None, pan: bool = True, ds: Dataset | None = None) -> None:
    st.session_state["sel"] = feature_id
    if pan and feature_id and ds is not None:
        _pan_to(ds.feature(feature_id), ds)


def map_view() -> tuple[tuple[float, float] | None, int | None]:
    return st.session_state.get("map_center"), st.session_state.get("map_zoom")


def sync_query_params(ds: Dataset, today: dt.date) -> None:
    """Keep the URL equal to what is on screen (shareable at any moment)."""
    want = to_query(current_view(ds), now=today)
    if st.query_params.to_dict() != want:
        st.query_params.from_dict(want)


# --- page pieces -----------------------------------------------------------------------------

def show_notices(ds: Dataset) -> None:
    for n in st.session_state.get("notices", []):
        st.info(n, icon=":material/link:")
    errors = ds.errors
    if errors:
        with st.expander(f"{plural(len(errors), 'problem')} in the data — the affected items are not "
                         "shown; everything else is.", expanded=True, icon=":material/warning:"):
            st.markdown("\n".join(f"- `{p}`" for p in errors[:50]))
            if len(errors) > 50:
                st.caption(f"… and {len(errors) - 50} more (run `python -m layers check`).")


def sidebar_controls(ds: Dataset) -> None:
    st.session_state["_names"] = {f.id: f.props.name for f in ds.features}
    _search_box(ds)
    st.header("Layers")
    counts = {layer: sum(f.props.layer == layer for f in ds.features) for layer in DISPLAY_ORDER}
    for layer in DISPLAY_ORDER:
        spec = BY_ID[layer]
        st.checkbox(md_escape(f"{spec.title} ({counts[layer]})"), key=f"lay_{layer}", help=spec.description)
    if st.session_state.get("user_layer") is not None:
        st.checkbox(md_escape(st.session_state["user_layer"]["name"]), key="lay_user")
    st.caption("Colours, outlines and rings are explained in the legend on the map.")
    st.radio("Basemap", list(BASEMAPS), key="basemap", format_func=lambda s: BASEMAPS[s],
             help="Natural Earth works with no internet and is always drawn underneath; the "
                  "online tile maps load from their providers only when you pick them.")
    st.slider("Date window", min_value=timeline_min(ds), max_value=dt.date.today(), key="window",
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


def base_map(data_dir: Path, app_dir: Path) -> folium.Map:
    """The map frame — plus the reader's own layer, if any.  A big uploaded layer lives in the
    base map rather than in the swapped feature groups: the groups are all redrawn whenever any
    of them changes (each selection), which for 100,000 points takes seconds; the base map is
    rebuilt in the browser only when the upload itself changes.  The Natural Earth basemap is
    a static file the map fetches once (``app_dir/static/basemap``), not part of the script."""
    from .basemap import ensure_static_basemap

    src = ensure_static_basemap(app_dir, render.basemap_data_dir(data_dir))
    m = render.base_map(data_dir=data_dir, basemap_src=src)
    render.LiveSelection().add_to(m)
    user = st.session_state.get("user_layer")
    if user is not None and st.session_state.get("lay_user", True):
        from .userlayer import user_layer_group

        user_layer_group(user["gdf"], name=user["name"]).add_to(m)
    return m


def map_groups(ds: Dataset, features: list[Feature], view: ViewState,
               data_dir: Path) -> list[folium.FeatureGroup]:
    """Everything on the map that a filter can change.  Not the selection: the map outlines the
    selected feature itself (:class:`layers.render.LiveSelection`), so a new selection leaves
    these groups as they were and the browser has nothing to redraw but the outline."""
    return render.dynamic_groups(ds, features, view.layers, BASEMAPS[view.basemap], contested(ds),
                                 None, data_dir, extra=extra_groups(ds, view))


def returned_objects() -> list[str]:
    """Clicks select (and feed the measure tool); centre and zoom come back too, for "link to
    this exact view".  They rerun the script but never rebuild the map, since its JavaScript
    stays the same.  (The component reads this list once, when it mounts: keep it constant.)"""
    return ["last_active_drawing", "last_object_clicked", "last_clicked", "center", "zoom"]


def on_map_change() -> None:
    """st_folium callback: runs before the map fragment's rerun, so the map and the panel see
    the new selection (and an open tab that follows it gets a whole-page run, see
    :func:`whole_page_if_asked`).  Only a *new* click selects: pans and zooms also call back,
    with the old click still in it."""
    ss = st.session_state
    value = ss.get(MAP_KEY) or {}
    drawing = value.get("last_active_drawing") or {}
    fid = (drawing.get("properties") or {}).get("id")
    click = value.get("last_object_clicked")
    sig = repr((fid, click))
    before = (ss.get("sel"), ss.get("measure_pts"))
    if sig != ss.get("_click_sig"):
        ss["_click_sig"] = sig
        if isinstance(fid, str) and fid and click:
            ss["sel"] = fid
    if ss.get("measure"):
        pt = value.get("last_clicked")
        if pt and repr(pt) != ss.get("_measure_sig"):
            ss["_measure_sig"] = repr(pt)
            p = {"lat": float(pt["lat"]), "lng": float(pt["lng"])}
            if isinstance(fid, str) and click and abs(click.get("lat", 0) - p["lat"]) < 1e-9:
                p["name"] = ss.get("_names", {}).get(fid, fid)
            ss["measure_pts"] = (ss.get("measure_pts", []) + [p])[-2:]
    if (ss.get("sel"), ss.get("measure_pts")) != before and ss.get("lower_tab") in FOLLOWS_SELECTION:
        ss[WHOLE_PAGE] = True


def whole_page_if_asked() -> None:
    """At the top of the map fragment: if a click asked for a whole-page run and this run is
    only the fragment's (a whole-page run clears the request first), rerun the whole page."""
    if st.session_state.pop(WHOLE_PAGE, False):
        st.rerun(scope="app")


def map_footer(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    note = ("" if view.basemap == "natural-earth" else
            " — tiles load from the provider; Natural Earth stays underneath if they can’t")
    st.caption(md_escape(f"Showing {len(features)} of {plural(len(ds.features), 'feature')} · click one "
                         f"for its evidence · basemap: {BASEMAPS[view.basemap]}{note}"))
    hidden = hidden_by_window(ds, view.layers, view.date_from, view.date_to, view.sides)
    if hidden:
        c1, c2 = st.columns([4, 1], vertical_alignment="center")
        c1.caption(md_escape(f"The date window ({view.date_from:%-d %b %Y} – {view.date_to:%-d %b %Y}) hides "
                             f"{plural(len(hidden), 'feature')}: " + "; ".join(f.props.name for f in hidden) + "."))
        c2.button("Show all dates", key="window-all", on_click=_show_all_dates, args=(timeline_min(ds),))
    # the map's "Show satellite imagery" button (offline coastline too coarse) presses this one
    with st.container(key="gw-imagery-holder"):
        st.button("Show satellite imagery", key="gw-imagery", on_click=_pick_basemap, args=("esri",))
    if st.session_state.pop("_scroll_to_map", False):
        scroll_to_map()


def _show_all_dates(earliest: dt.date) -> None:
    st.session_state["window"] = (earliest, dt.date.today())


def _pick_basemap(slug: str) -> None:
    if slug in BASEMAPS:
        st.session_state["basemap"] = slug
        st.session_state[WHOLE_PAGE] = True  # the sidebar's basemap radio shows the choice


def scroll_to_map() -> None:
    """Bring the map into view (a pick in the table or the chronology, far below it, changed it).
    The script is ours, with no data in it; it runs in the page as soon as it is drawn."""
    nonce = st.session_state.get("_scroll_nonce", 0) + 1
    st.session_state["_scroll_nonce"] = nonce
    st.html(f"<script>/* {nonce} */ (function () {{ var f = document.querySelector({json.dumps(MAP_IFRAME)});"
            " if (f) { f.scrollIntoView({behavior: 'smooth', block: 'start'}); } })();</script>",
            unsafe_allow_javascript=True)


def evidence_panel(ds: Dataset, view: ViewState) -> None:
    feature = ds.feature(view.feature) if view.feature else None
    if feature is None:
        st.html(PANEL_CSS + '<div class="gw-panel gw-intro"><h3>Evidence</h3><p>Click a site on the map '
                "(or pick one in the table, chronology or sources below) to see what each side says: "
                "verbatim quotes and our summaries, each with who said it, the publication, the date "
                "and a link.</p></div>")
        start = ds.feature(START_FEATURE)
        if start is not None:
            st.button(md_escape(f"Start with {start.props.name}"), key="start-here", icon=":material/anchor:",
                      on_click=select, args=(start.id,), kwargs={"ds": ds})
        return
    sides = {Side(s) for s in view.sides}
    st.html(feature_panel_html(ds, feature, sides=sides))
    _site_buttons(ds, feature)
    if st.button("Clear selection", key="clear-sel"):
        select(None)
        st.rerun()


def _site_buttons(ds: Dataset, feature: Feature) -> None:
    """A site's parts (drawn only when zoomed in) are listed in its panel, and a part names its site."""
    from .sites import site_of

    site = site_of(feature, ds.features)
    if site is None:
        return
    if feature.id == site.main.id:
        st.caption(md_escape(f"Parts of this site ({len(site.parts)}), drawn separately when you zoom in:"))
        targets = site.parts
    else:
        st.caption("Part of:")
        targets = (site.main,)
    for t in targets:
        if st.button(md_escape(t.props.name), key=f"part-{t.id}", icon=":material/subdirectory_arrow_right:"):
            select(t.id, ds=ds)
            st.rerun()


def share_link(view: ViewState, include_view: bool = False) -> str:
    base = ""
    try:
        base = (st.context.url or "").split("?")[0]
    except Exception:
        base = ""
    q = to_query(view, include_view=include_view)
    return base + ("?" + urlencode(q) if q else "")


LOWER_TABS = ("Table", "Chronology", "Sources", "Distances & rings", "Export & share", "Your data")


def lower_tabs(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    """Only the open tab runs (``on_change="rerun"``): a map click then re-sends the map, the
    panel and one tab, not the whole source reader, chronology and distance table as well."""
    tabs = st.tabs(list(LOWER_TABS), key="lower_tab", on_change="rerun")
    bodies = (lambda: _table_tab(ds, features, view), lambda: _chronology_tab(ds, features, view),
              lambda: _sources_tab(ds, view), lambda: _distances_tab(ds, features, view),
              lambda: _export_tab(ds, features, view, data_dir), _upload_tab)
    for tab, body in zip(tabs, bodies, strict=True):
        if tab.open is not False:  # None: tab state unknown (then every tab runs, as before)
            with tab:
                body()


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
            st.session_state["_scroll_to_map"] = True
            st.rerun()


def _chronology_tab(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    """Every dated event of the visible features, in order; choosing one selects its feature.
    One radio widget, not a button per event: each rerun re-sends every element on the page."""
    from .timeline import chronology

    items = chronology(ds, features, view.date_from, view.date_to)
    if not items:
        st.caption("No dated events in the current window and filters.")
        return
    by_key = {i.key: i for i in items}
    st.session_state["_chron_features"] = {i.key: i.feature_id for i in items}
    st.caption(f"{len(items)} dated events in the window, oldest first (precision in brackets: day, "
               "month, year or approximate). Choose one to select its feature on the map.")
    st.radio("Chronology", list(by_key), key="chron", index=None, label_visibility="collapsed",
             format_func=lambda k: md_escape(f"{by_key[k].date.label()} ({by_key[k].date.precision.value})"
                                             f" — {by_key[k].title} · {by_key[k].feature_name}"),
             on_change=_on_chronology)


def _on_chronology() -> None:
    ss = st.session_state
    key = ss.get("chron")
    fid = ss.get("_chron_features", {}).get(key)
    if fid:
        ds = _dataset_cached(*ss["_stamp"])
        select(fid, ds=ds)
        ss["_scroll_to_map"] = True
    ss["chron"] = None  # so the same event can be chosen again later


# --- sources: the reader ---------------------------------------------------------------------

_SITE_OF_URL = r"^https?://(?:www\.)?([^/?#:]+)"  # LinkColumn shows the site a link goes to


def _sources_tab(ds: Dataset, view: ViewState) -> None:
    import pandas as pd

    from .reader import reading, sources_citing_feature

    srcs = sorted(ds.sources.values(), key=lambda s: (s.sort_date, s.title))
    cited_by_sel = sources_citing_feature(ds, view.feature) if view.feature else set()
    df = pd.DataFrame([{"id": s.id, "date": s.date_label(), "title": s.title, "publisher": s.publisher,
                        "kind": s.kind.value, "quotes": len(s.excerpts),
                        "cited by selection": "✓" if s.id in cited_by_sel else "",
                        "link": s.url, "copy": s.copy_url} for s in srcs])
    st.caption(f"{len(srcs)} sources. Quotes are stored only as short verbatim excerpts; other "
               "sources are cited in our own words. Pick one to read its excerpts against the map. "
               "“original” links the original publication (or a reputable syndication); “copy we "
               "read” links the repost we actually read, where that was not the original.")
    st.dataframe(df, hide_index=True, width="stretch", column_config={
        "id": None,
        "link": st.column_config.LinkColumn(
            "original", display_text=_SITE_OF_URL,
            help="The original publication, or a reputable syndication (e.g. the wire story in a "
                 "newspaper carrying it). Empty: the original's link is unknown."),
        "copy": st.column_config.LinkColumn(
            "copy we read", display_text=_SITE_OF_URL,
            help="The copy (a repost) we actually read, when it is not the original.")})
    ids = [s.id for s in srcs]
    if not ids:
        return
    if st.session_state.get("reader_source") not in ids:
        # default: the founding article, or the first source quoting the selection
        with_quotes = [s.id for s in srcs if s.excerpts]
        st.session_state["reader_source"] = next(
            (i for i in with_quotes if i in cited_by_sel), with_quotes[0] if with_quotes else ids[0])
    st.selectbox("Read source", ids, key="reader_source",
                 format_func=lambda i: f"{ds.sources[i].date_label()} — {ds.sources[i].title} "
                                       f"({ds.sources[i].publisher})")
    r = reading(ds, st.session_state["reader_source"])
    if r is None:
        return
    from .panel import authors_label, copy_link_html, source_title_html

    src = r.source
    by = f"by {esc(authors_label(src.authors))} · " if src.authors else ""
    copy = copy_link_html(src)
    st.html(PANEL_CSS + f'<div class="gw-panel gw-reader" data-source="{esc(src.id)}">'
            f"<h4>{source_title_html(src)}</h4>"
            f"<div class='gw-muted'>{by}{esc(src.publisher)} · {esc(src.date_label())} "
            f"({src.date_precision}) · {esc(src.kind.value)}{f' · {copy}' if copy else ''}</div>"
            f"<p class='gw-coverage'><b>Coverage:</b> {esc(r.coverage)}</p></div>")
    for i, item in enumerate(r.items):
        ex = item.excerpt
        hl = bool(view.feature) and any(fid == view.feature for fid, _ in item.features)
        cls = "gw-ev gw-hl" if hl else "gw-ev"
        st.html(PANEL_CSS + ('<div class="gw-ellipsis gw-muted">[…]</div>' if item.omitted_before else "")
                + f'<div class="{cls}" data-excerpt="{esc(ex.id)}" data-highlight="{str(hl).lower()}">'
                f'<q class="gw-quote">{esc(ex.text)}</q><div class="gw-cite">— <b>{esc(ex.speaker)}</b> · '
                f"<i>{ex.stance.value}</i> · {esc(SIDE_LABELS[ex.side])}</div></div>")
        if item.features:
            cols = st.columns(min(len(item.features), 4))
            for j, (fid, name) in enumerate(item.features):
                if cols[j % len(cols)].button(md_escape(f"Show on map: {name}"), key=f"rd-{ex.id}-{fid}"):
                    select(fid, ds=ds)
                    st.rerun()
        else:
            st.caption("Not linked to a feature.")
    if r.items:
        st.html('<div class="gw-muted">[…]</div>')


# --- distances, range rings, measuring ------------------------------------------------------

def _distances_tab(ds: Dataset, features: list[Feature], view: ViewState) -> None:
    from .geodesy import distance_table, parse_radii

    sel = ds.feature(view.feature) if view.feature else None
    st.checkbox("Measure on the map: click two points (or two features)", key="measure",
                help="While this is on, each click on the map is a measuring point.")
    pts = st.session_state.get("measure_pts", [])
    if st.session_state.get("measure"):
        if len(pts) == 2:
            st.success(_measure_text(pts))
        else:
            st.info(f"Click {'two points' if not pts else 'a second point'} on the map.")
        if pts and st.button("Clear measurement", key="measure-clear"):
            st.session_state["measure_pts"] = []
            st.rerun()
    if sel is None:
        st.caption("Select a feature to see geodesic distances from it and draw range rings.")
        return
    st.markdown(f"**From {md_escape(sel.props.name)}** — geodesic distances on the WGS84 ellipsoid "
                "(pyproj), nearest first. Distances are between representative points and are only "
                "as good as both locations (see ± column).")
    df = distance_table(ds.features, sel.id)
    st.dataframe(df.drop(columns=["id"]), hide_index=True, width="stretch",
                 column_config={"km": st.column_config.NumberColumn(format="%.1f"),
                                "nmi": st.column_config.NumberColumn(format="%.1f"),
                                "azimuth_deg": st.column_config.NumberColumn("bearing °", format="%.0f")})
    c1, c2 = st.columns([3, 1])
    c1.text_input("Range rings (radii, comma-separated)", key="ring_text", placeholder="e.g. 50, 100, 500")
    c2.radio("Unit", ["km", "nmi"], key="ring_unit", horizontal=True)
    raw = st.session_state.get("ring_text", "")
    if raw.strip():
        try:
            radii = parse_radii(raw, st.session_state.get("ring_unit", "km"))
            st.caption(f"{len(radii)} ring(s) drawn around {sel.props.name} as true geodesic circles.")
        except ValueError as e:
            st.error(str(e))


def _measure_text(pts: list[dict]) -> str:
    from .geodesy import distance_km, km_to_nmi

    a, b = pts[0], pts[1]
    km = distance_km((a["lng"], a["lat"]), (b["lng"], b["lat"]))
    name = lambda p: p.get("name") or f"{p['lat']:.4f}, {p['lng']:.4f}"  # noqa: E731
    return f"{name(a)} → {name(b)}: {km:,.1f} km ({km_to_nmi(km):,.1f} nmi), geodesic (WGS84)"


def extra_groups(ds: Dataset, view: ViewState) -> list[folium.FeatureGroup]:
    """Range rings and the measuring line, as map groups."""
    from .geodesy import parse_radii, range_ring, representative_point

    groups = []
    sel = ds.feature(view.feature) if view.feature else None
    raw = st.session_state.get("ring_text", "")
    if sel is not None and raw.strip():
        try:
            radii = parse_radii(raw, st.session_state.get("ring_unit", "km"))
        except ValueError:
            radii = []
        center = representative_point(sel.geometry)
        fg = folium.FeatureGroup(name="Range rings", control=False)
        unit = st.session_state.get("ring_unit", "km")
        for km in radii:
            ring = range_ring(center, km)
            label = f"{km:,.0f} km" if unit == "km" else f"{km / 1.852:,.0f} nmi"
            folium.GeoJson({"type": "Feature", "geometry": ring.__geo_interface__, "properties": {}},
                           style_function=lambda _f: {"color": "#111", "weight": 1.5, "dashArray": "5 5",
                                                      "fill": False, "className": "gw-ring",
                                                      "interactive": False},
                           interactive=False).add_to(fg)
            lon, lat = ring.exterior.coords[0]  # due north of the centre
            folium.Marker([lat, lon], icon=folium.DivIcon(
                html=f'<div class="gw-ring-label" style="font:11px sans-serif;background:#fffc;'
                     f'padding:0 2px;white-space:nowrap">{esc(label)}</div>',
                icon_size=(70, 14), icon_anchor=(35, 7)), interactive=False).add_to(fg)
        groups.append(fg)
    pts = st.session_state.get("measure_pts", []) if st.session_state.get("measure") else []
    if pts:
        fg = folium.FeatureGroup(name="Measure", control=False)
        for p in pts:
            folium.CircleMarker([p["lat"], p["lng"]], radius=5, color="#000", fill=True,
                                interactive=False, class_name="gw-measure-pt").add_to(fg)
        if len(pts) == 2:
            from pyproj import Geod

            a, b = pts
            line = Geod(ellps="WGS84").npts(a["lng"], a["lat"], b["lng"], b["lat"], 30)
            coords = [[a["lat"], a["lng"]]] + [[la, lo] for lo, la in line] + [[b["lat"], b["lng"]]]
            folium.PolyLine(coords, color="#000", weight=2, dash_array="4 4", interactive=False,
                            tooltip=None, class_name="gw-measure-line").add_to(fg)
        groups.append(fg)
    return groups


# --- export & share -------------------------------------------------------------------------

def _export_tab(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path) -> None:
    from . import export

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
    user = st.session_state.get("user_layer")
    if user is not None:
        gdf = user["gdf"]
        st.download_button("Your layer (GeoJSON)", data=lambda: gdf.to_json(),
                           file_name="your-layer.geojson", mime="application/geo+json",
                           key="dl-user", on_click="ignore")


def standalone_map_html(ds: Dataset, features: list[Feature], view: ViewState, data_dir: Path,
                        contested_set: set[str], value: dict) -> str:
    """The current view as one offline HTML file (runs outside the script: no session state)."""
    from .assets import standalone_html

    sel = ds.feature(view.feature) if view.feature else None
    center = value.get("center")
    c = (center["lat"], center["lng"]) if center else render.DEFAULT_CENTER
    m = render.full_map(ds, features, view.layers, BASEMAPS[view.basemap], contested_set, data_dir,
                        selected=sel, center=c, zoom=int(value.get("zoom") or render.DEFAULT_ZOOM))
    return standalone_html(m)


# --- the reader's own layer -------------------------------------------------------------------

def _upload_tab() -> None:
    from .userlayer import MAX_UPLOAD_BYTES, parse_upload

    st.markdown("**Add your own layer** — GeoJSON, KML, or CSV with latitude/longitude columns "
                "(AIS positions, ACLED events, your notes). The file goes to the server running this "
                "map and is kept in memory for your session only: it is not saved to disk and not "
                "shown to other readers, and it is gone when you remove it or close the page.")
    up = st.file_uploader("Upload a file", type=["geojson", "json", "kml", "csv"],
                          key=f"upload-{st.session_state.get('_upload_round', 0)}",
                          help=f"Up to {MAX_UPLOAD_BYTES / 1024 / 1024:.0f} MB.")
    if up is not None and st.session_state.get("_upload_id") != up.file_id:
        st.session_state["_upload_id"] = up.file_id
        res = parse_upload(up.name, up.getvalue())
        st.session_state["upload_messages"] = res.messages
        if res.gdf is not None and len(res.gdf):
            st.session_state["user_layer"] = {"name": f"Your layer: {up.name}", "gdf": res.gdf}
            st.session_state["lay_user"] = True
        st.rerun()
    for msg in st.session_state.get("upload_messages", []):
        st.warning(msg)
    user = st.session_state.get("user_layer")
    if user is not None:
        n = len(user["gdf"])
        st.success(md_escape(f"{plural(n, 'feature')} from {user['name'].removeprefix('Your layer: ')} "
                             f"{'is' if n == 1 else 'are'} on the map (toggle them under Layers)."))
        st.button("Remove your layer", key="user-remove", on_click=_remove_user_layer)


def _remove_user_layer() -> None:
    """A callback (runs before the next script run, even if a rerun is under way): drop the
    layer and give the uploader a fresh key so the file is cleared from it too."""
    ss = st.session_state
    for k in ("user_layer", "upload_messages", "_upload_id"):
        ss.pop(k, None)
    ss["_upload_round"] = ss.get("_upload_round", 0) + 1


def _search_box(ds: Dataset) -> None:
    from .search import search

    q = st.text_input("Search", key="q", placeholder="place, source or quote…",
                      help="Searches feature names and aliases, source titles and quote text.")
    if not q.strip():
        return
    hits = search(ds, q, limit=12)
    if not hits:
        st.caption("No match.")
    for i, h in enumerate(hits):
        icon = {"feature": ":material/location_on:", "source": ":material/newspaper:",
                "excerpt": ":material/format_quote:"}[h.kind]
        if st.button(md_escape(h.label), key=f"hit-{i}-{h.kind}-{h.id}", help=h.detail or None,
                     width="stretch", icon=icon):
            if h.source_id:
                st.session_state["reader_source"] = h.source_id
                if h.kind != "feature":
                    st.session_state["lower_tab"] = "Sources"
            if h.feature_id:
                select(h.feature_id, ds=ds)
            st.rerun()
