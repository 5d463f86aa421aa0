"""What the reader is looking at, and its round trip through the URL (pure; no Streamlit).

``?feature=ream-naval-base&layers=ream,drills&basemap=osm&from=2022-01-01&to=2024-12-31
&sides=us,cambodia&view=10.5,103.6,11`` — every key optional.  Garbage in any parameter falls
back to the default with a short notice; nothing here raises on user input.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from .model import Side
from .registry import DISPLAY_ORDER

BASEMAPS: dict[str, str] = {  # URL slug → display name (layers.basemap.TILE_BASEMAPS keys)
    "natural-earth": "Natural Earth (offline)",
    "osm": "OpenStreetMap",
    "carto": "Carto Positron",
    "esri": "Esri World Imagery",
}
DEFAULT_BASEMAP = "natural-earth"  # no request leaves the machine until the reader picks tiles
TIMELINE_START = dt.date(2019, 1, 1)  # the default window starts here …
EARLIEST = dt.date(2000, 1, 1)  # … and can be widened back to this
ALL_SIDES: tuple[str, ...] = tuple(s.value for s in Side)
MAX_PARAM_LEN = 2000


def today() -> dt.date:
    return dt.date.today()


@dataclass(frozen=True)
class ViewState:
    feature: str | None = None
    layers: tuple[str, ...] = DISPLAY_ORDER
    basemap: str = DEFAULT_BASEMAP
    date_from: dt.date = TIMELINE_START
    date_to: dt.date = field(default_factory=today)
    sides: tuple[str, ...] = ALL_SIDES
    view: tuple[float, float, int] | None = None  # lat, lon, zoom — only from "copy link to this view"


def _one(params: Mapping[str, object], key: str) -> str | None:
    v = params.get(key)
    if isinstance(v, (list, tuple)):
        v = v[-1] if v else None
    if v is None:
        return None
    s = str(v)
    return s[:MAX_PARAM_LEN]


# control characters, bidi overrides and invisible format characters: shown as "?" in a notice
_UNSHOWN = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def _short(s: str) -> str:
    """A value from the link, as a notice quotes it: one short line.  Notices are shown as
    text (never Markdown or HTML: :func:`layers.ui.show_notices`), so nothing else is needed."""
    s = _UNSHOWN.sub("?", s[:41])
    return s if len(s) <= 40 else s[:39] + "…"


def _parse_list(raw: str, allowed: Iterable[str], name: str, notices: list[str]) -> tuple[str, ...] | None:
    """``a,b`` → the known items in canonical order; ``none`` or nothing → ``()`` (what
    :func:`to_query` writes for an empty choice); None when nothing in it is known."""
    allowed = tuple(allowed)
    if raw.strip() == "" or raw.strip().lower() == "none":
        return ()
    items = [x.strip() for x in raw.split(",") if x.strip()]
    unknown = list(dict.fromkeys(x for x in items if x not in allowed))
    if unknown:
        shown = ", ".join(_short(u) for u in unknown[:5]) + (", …" if len(unknown) > 5 else "")
        notices.append(f"Ignored unknown {name if len(unknown) == 1 else name + 's'} in the link: {shown}.")
    known = tuple(a for a in allowed if a in items)  # canonical order, no duplicates
    return known if known or not unknown else None


def _parse_date(raw: str, name: str, notices: list[str]) -> dt.date | None:
    try:
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw.strip()):
            raise ValueError
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        notices.append(f"Ignored the {name} date in the link ({_short(raw)!r} is not YYYY-MM-DD).")
        return None


def parse_query(params: Mapping[str, object], feature_ids: Iterable[str],
                now: dt.date | None = None) -> tuple[ViewState, list[str]]:
    """URL parameters → a valid :class:`ViewState` and the notices to show about what was ignored."""
    now = now or today()
    notices: list[str] = []
    st = ViewState(date_to=now)
    try:
        items = {str(k): v for k, v in dict(params).items()}
    except Exception:  # a mapping that cannot even be listed
        return st, ["Ignored the link's parameters (unreadable)."]

    raw = _one(items, "feature")
    if raw is not None and raw != "":
        if raw in set(feature_ids):
            st = replace(st, feature=raw)
        else:
            notices.append(f"No feature {_short(raw)!r} on this map; showing the default view.")

    raw = _one(items, "layers")
    if raw is not None:
        layers = _parse_list(raw, DISPLAY_ORDER, "layer", notices)
        if layers is not None:
            st = replace(st, layers=layers)

    raw = _one(items, "basemap")
    if raw is not None:
        if raw in BASEMAPS:
            st = replace(st, basemap=raw)
        else:
            notices.append(f"Unknown basemap {_short(raw)!r}; using {BASEMAPS[DEFAULT_BASEMAP]}.")

    lo, hi = EARLIEST, now
    d_from = _parse_date(r, "start", notices) if (r := _one(items, "from")) is not None else None
    d_to = _parse_date(r, "end", notices) if (r := _one(items, "to")) is not None else None
    if d_from is not None:
        st = replace(st, date_from=min(max(d_from, lo), hi))
    if d_to is not None:
        st = replace(st, date_to=min(max(d_to, lo), hi))
    if st.date_from > st.date_to:
        notices.append("The link's date window ends before it starts; showing the default window.")
        st = replace(st, date_from=TIMELINE_START, date_to=hi)

    raw = _one(items, "sides")
    if raw is not None:
        sides = _parse_list(raw, ALL_SIDES, "side", notices)
        if sides is not None:
            st = replace(st, sides=sides)

    raw = _one(items, "view")
    if raw is not None:
        view = _parse_view(raw)
        if view is None:
            notices.append(f"Ignored the map view in the link ({_short(raw)!r} is not lat,lon,zoom).")
        else:
            st = replace(st, view=view)
    return st, notices


def _parse_view(raw: str) -> tuple[float, float, int] | None:
    parts = raw.split(",")
    if len(parts) != 3:
        return None
    try:
        lat, lon, zoom = float(parts[0]), float(parts[1]), int(parts[2])
    except ValueError:
        return None
    if not all(math.isfinite(x) for x in (lat, lon)) or not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    if not 3 <= zoom <= 18:
        return None
    return round(lat, 5), round(lon, 5), zoom


def to_query(st: ViewState, now: dt.date | None = None, include_view: bool = False) -> dict[str, str]:
    """The URL parameters for a state; defaults are left out so links stay short."""
    now = now or today()
    q: dict[str, str] = {}
    if st.feature:
        q["feature"] = st.feature
    if tuple(st.layers) != DISPLAY_ORDER:
        q["layers"] = ",".join(st.layers) if st.layers else "none"
    if st.basemap != DEFAULT_BASEMAP:
        q["basemap"] = st.basemap
    if st.date_from != TIMELINE_START:
        q["from"] = st.date_from.isoformat()
    if st.date_to != now:
        q["to"] = st.date_to.isoformat()
    if tuple(st.sides) != ALL_SIDES:
        q["sides"] = ",".join(st.sides) if st.sides else "none"
    if include_view and st.view:
        lat, lon, zoom = st.view
        q["view"] = f"{lat:.5f},{lon:.5f},{zoom}"
    return q
