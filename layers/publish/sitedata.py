"""The static site's data (pure): what the reader's page needs besides the map itself.

One JSON document, written as ``site-data.js`` (``window.GW_SITE = {...};``) so that the page
also works from ``file://``, where a browser refuses ``fetch`` of a local file:

``features``  id → name, layer, dates (first and last day, for the date filter), the view a
              link to it opens on (:func:`layers.render.view_for`), and ``panel``: the evidence
              panel's HTML exactly as the app shows it, made here by :mod:`layers.panel`, so every
              string from the data is escaped in one place, in Python, at publish time;
``search``    the fields :mod:`layers.search` looks in, with the same ranking tiers;
``layers``, ``basemaps``, ``dates``: what the filters offer.

The page (``site.js``) only ever inserts ``panel`` and ``parts`` with ``innerHTML``; everything
else from this document reaches the page as text (``textContent``).
"""

from __future__ import annotations

import datetime as dt
import json

from ..filters import plural, timeline_min
from ..load import Dataset
from ..model import Feature
from ..panel import PANEL_CSS, SAFE_URL, esc, feature_panel_html
from ..registry import BY_ID, DISPLAY_ORDER
from ..state import BASEMAPS, DEFAULT_BASEMAP, TIMELINE_START

START_FEATURE = "ream-naval-base"


def _panel(ds: Dataset, f: Feature) -> str:
    out = feature_panel_html(ds, f)
    return out[len(PANEL_CSS):] if out.startswith(PANEL_CSS) else out  # the CSS is in site.css once


def _parts(ds: Dataset, f: Feature) -> str:
    """A site's parts listed in its panel (the app's buttons), or the site a part belongs to."""
    from ..sites import related

    rel = related(f, ds.features)
    if rel is None:
        return ""
    heading, targets = rel
    buttons = "".join(f'<li><button type="button" class="gw-go" data-go="{esc(t.id)}">↳ {esc(t.props.name)}'
                      "</button></li>" for t in targets)
    return f'<div class="gw-parts"><p class="gw-muted">{esc(heading)}</p><ul>{buttons}</ul></div>'


def _search_docs(ds: Dataset) -> list[dict]:
    """What :func:`layers.search.search` looks in (:func:`layers.search.targets`), for the
    site's search: fields as ``[tier, text]`` and the key that breaks ties (``sort``); only
    targets that lead to a feature."""
    from ..search import targets

    return [{"kind": t.kind, "label": t.label, "feature": t.feature_id, "sort": t.sort_key,
             "fields": [[tier, text] for tier, text in t.fields if text]}
            for t in targets(ds) if t.feature_id]


def site_data(ds: Dataset, published: dt.date | None = None, app_url: str | None = None) -> dict:
    """``app_url``: the Streamlit app's address, linked from the site (http or https only)."""
    from ..render import view_for

    feats = {}
    for f in ds.features:
        p = f.props
        (lat, lon), zoom = view_for(f, ds.features)
        feats[f.id] = {
            "name": p.name, "layer": p.layer,
            "start": p.start.first_day.isoformat() if p.start else None,
            "end": p.end.last_day.isoformat() if p.end else None,
            "view": [lat, lon, zoom],
            "panel": _panel(ds, f), "parts": _parts(ds, f),
        }
    return {
        "title": "Gulf Watch",
        "published": (published or dt.date.today()).isoformat(),
        "start": START_FEATURE if START_FEATURE in feats else None,
        "features": feats,
        "order": [f.id for f in ds.features],
        "layers": [{"id": lid, "title": BY_ID[lid].title, "description": BY_ID[lid].description,
                    "count": sum(f.props.layer == lid for f in ds.features)} for lid in DISPLAY_ORDER],
        "dates": {"min": timeline_min(ds).isoformat(), "start": TIMELINE_START.isoformat()},
        "basemaps": _basemaps(),
        "defaultBasemap": DEFAULT_BASEMAP,
        "search": _search_docs(ds),
        "counts": plural(len(ds.features), "feature"),
        "appUrl": app_url if app_url and SAFE_URL.match(app_url) else None,
    }


def _basemaps() -> dict:
    from ..basemap import TILE_BASEMAPS

    out = {}
    for slug, name in BASEMAPS.items():
        spec = TILE_BASEMAPS.get(name) or {}
        out[slug] = {"name": name, "url": spec.get("url"), "attribution": spec.get("attribution", ""),
                     "maxZoom": spec.get("max_zoom", 18), "subdomains": spec.get("subdomains", "abc")}
    return out


def site_data_js(data: dict) -> str:
    """``window.GW_SITE = {...};`` — JSON, with ``<`` escaped so no data can end a script."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    text = text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return f"window.GW_SITE = {text};\n"
