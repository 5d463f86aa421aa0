"""Filters shared by the map, the table, the exports and the chronology (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from .load import Dataset
from .model import Feature


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
