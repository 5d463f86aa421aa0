"""The map's styles for matplotlib, text made safe to draw, and the credit line (pure).

Every colour, dash and outline comes from the layer specs (:meth:`LayerSpec.style`, the same
dict Leaflet gets); here it is only translated: Leaflet pixels become points (a CSS pixel is
3/4 point) and a ``dashArray`` becomes a matplotlib dash tuple."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from ..load import Dataset
from ..model import Feature

PT_PER_PX = 0.75
FONT = "DejaVu Sans"  # ships with matplotlib: the same glyphs on every machine
INK, MUTED, SEA_INK = "#1b2230", "#5b6370", "#2b5f86"
NE_CREDIT = "Natural Earth"
APP_NAME = "Gulf Watch"

# control characters, bidi overrides, invisible format characters and lone surrogates
_UNSAFE = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ud800-\udfff]")


def plain(text: object, limit: int = 200) -> str:
    """One line of text to draw as text: unsafe characters dropped, whitespace collapsed,
    cut to ``limit`` characters with an ellipsis.  Drawn with ``parse_math=False``, so "$"
    and "\\" stay literal."""
    s = _UNSAFE.sub(" ", str(text))
    s = " ".join(s.split())
    return s if len(s) <= limit else s[: limit - 1].rstrip() + "…"


def dashes(dash_array: str | None, scale: float = PT_PER_PX) -> str | tuple:
    """A Leaflet ``dashArray`` ("6 3", px) → a matplotlib linestyle (points)."""
    if not dash_array:
        return "solid"
    try:
        seq = tuple(float(v) * scale for v in str(dash_array).replace(",", " ").split())
    except ValueError:
        return "solid"
    if not seq or any(v <= 0 for v in seq):
        return "solid"
    return (0, seq if len(seq) % 2 == 0 else seq * 2)


def mpl_style(leaflet: dict) -> dict:
    """Leaflet path options (:meth:`LayerSpec.style`) → edge/face colours, width and dashes."""
    from matplotlib.colors import to_rgba

    return {
        "edgecolor": to_rgba(leaflet["color"], leaflet.get("opacity", 1.0)),
        "facecolor": to_rgba(leaflet["fillColor"], leaflet.get("fillOpacity", 0.2)),
        "linewidth": leaflet.get("weight", 2) * PT_PER_PX,
        "linestyle": dashes(leaflet.get("dashArray")),
    }


def publishers(ds: Dataset, features: Iterable[Feature]) -> list[str]:
    """The publishers of the sources cited by ``features`` (their evidence and their events'),
    most-cited first (by how many of the features cite them), then by name; Natural Earth is
    credited separately."""
    count: Counter[str] = Counter()
    for f in features:
        names = {plain(e.source.publisher, 120) for e in ds.evidence(f)}
        count.update(n for n in names if n and n.casefold() != NE_CREDIT.casefold())
    return sorted(count, key=lambda n: (-count[n], n.casefold()))


def credit_text(pubs: list[str], scale_note: str = "") -> tuple[str, str]:
    """(head, sources): the fixed part of the credit and the list of sources."""
    head = (f"Map: {APP_NAME}. Basemap: Made with {NE_CREDIT} (public domain); Web Mercator"
            + (f", {scale_note}" if scale_note else "") + ".")
    src = ("Sources: " + "; ".join(pubs) + ".") if pubs else "Sources: none for the features shown."
    return head, src


def wrap(text: str, width_pt: float, measure) -> list[str]:
    """Greedy word wrap: ``measure(s)`` is the width of ``s`` in points."""
    lines: list[str] = []
    cur = ""
    for word in text.split(" "):
        trial = f"{cur} {word}" if cur else word
        if not cur or measure(trial) <= width_pt:
            cur = trial
        else:
            lines.append(cur)
            cur = word
    if cur:
        lines.append(cur)
    return lines


def clip_lines(lines: list[str], n: int | None, pubs: list[str], width_pt: float, measure) -> list[str]:
    """At most ``n`` lines; the last names how many publishers were left out."""
    if n is None or len(lines) <= n:
        return lines
    for keep in range(len(pubs) - 1, -1, -1):
        more = len(pubs) - keep
        text = ("Sources: " + "; ".join(pubs[:keep]) + f"; and {more} more (all in {APP_NAME}'s Sources tab).")
        out = wrap(text, width_pt, measure)
        if len(out) <= n:
            return out
    return lines[:n]
