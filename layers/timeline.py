"""The chronology: every dated event and every feature's start, in date order (pure)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from .load import Dataset
from .model import Feature, PartialDate


@dataclass(frozen=True)
class ChronoItem:
    date: PartialDate
    title: str
    feature_id: str
    feature_name: str
    key: str  # unique, stable (for widget keys and tests)
    event_id: str | None = None


def chronology(ds: Dataset, features: Iterable[Feature], start: dt.date | None = None,
               end: dt.date | None = None) -> list[ChronoItem]:
    """Events of the given features, plus each feature's start when no event already marks that
    date, filtered to [start, end] (by overlap of the date's possible days) and sorted."""
    items: list[ChronoItem] = []
    for f in features:
        p = f.props
        event_dates = {ev.date.date for ev in p.events}
        for ev in p.events:
            items.append(ChronoItem(ev.date, ev.title, f.id, p.name, f"{f.id}--{ev.id}", ev.id))
        if p.start and p.start.date not in event_dates:
            items.append(ChronoItem(p.start, f"Begins: {p.name}", f.id, p.name, f"{f.id}--start"))
    if start is not None:
        items = [i for i in items if i.date.last_day >= start]
    if end is not None:
        items = [i for i in items if i.date.first_day <= end]
    return sorted(items, key=lambda i: (i.date.first_day, i.date.date.count("-") * -1, i.title))
