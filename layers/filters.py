"""Filters shared by the map, the table, the exports and the chronology (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .load import Dataset
from .model import Feature


def timeline_min(ds: Dataset) -> dt.date:
    """The date window reaches back to the earliest dated feature or milestone (the default
    window starts in 2019; nothing before 2000): the app's slider and the static site's dates."""
    from .state import EARLIEST, TIMELINE_START

    starts = [f.props.start.first_day for f in ds.features if f.props.start]
    starts += [ev.date.first_day for f in ds.features for ev in f.props.events]
    earliest = max(min(starts, default=TIMELINE_START), EARLIEST)
    return min(dt.date(earliest.year, 1, 1), TIMELINE_START)


def in_window(feature: Feature, start: dt.date, end: dt.date) -> bool:
    """Does the feature's time span overlap [start, end]?  An open end stays visible after its
    start; a feature with no dates (a city, a standing claim area) is always shown."""
    p = feature.props
    if p.start is None and p.end is None:
        return True
    f_start = p.start.first_day if p.start else dt.date.min
    f_end = p.end.last_day if p.end else dt.date.max
    return f_start <= end and f_end >= start


def visible_features(ds: Dataset, layers: Iterable[str], start: dt.date, end: dt.date,
                     sides: Iterable[str]) -> list[Feature]:
    layers, sides = set(layers), set(sides)
    out = []
    for f in ds.features:
        if f.props.layer not in layers or not in_window(f, start, end):
            continue
        if not any(e.side.value in sides for e in ds.evidence(f)):
            continue
        out.append(f)
    return out


def hidden_by_window(ds: Dataset, layers: Iterable[str], start: dt.date, end: dt.date,
                     sides: Iterable[str]) -> list[Feature]:
    """Features the layer and evidence filters would show but the date window hides."""
    shown = {f.id for f in visible_features(ds, layers, start, end, sides)}
    everything = visible_features(ds, layers, dt.date.min, dt.date.max, sides)
    return [f for f in everything if f.id not in shown]


def plural(n: int, word: str, many: str | None = None) -> str:
    """``1 feature``, ``2 features``, ``1,204 features``."""
    return f"{n:,} {word if n == 1 else (many or word + 's')}"
