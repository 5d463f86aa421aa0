"""The value types of the data model: what :mod:`layers.model`'s records are built from.

The slug and text field types, the map region, the closed sets of values (stance, side, status,
location basis, date precision) with their display labels, and partial dates (``2023-12``).
Pure, like the model (no Streamlit, no folium); :mod:`layers.model` re-exports the public names.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

SLUG = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
Slug = Annotated[str, Field(pattern=SLUG, min_length=2, max_length=80)]
NonEmpty = Annotated[str, Field(min_length=1)]

# The region the map covers: lon 97–118 E, lat 0–17.5 N (the Natural Earth extracts' box).
REGION_BOUNDS = (97.0, 0.0, 118.0, 17.5)  # (min_lon, min_lat, max_lon, max_lat)


class Stance(str, Enum):
    """What an evidence item does with respect to the feature's claim."""

    asserts = "asserts"
    denies = "denies"
    reports = "reports"
    analysis = "analysis"


class Side(str, Enum):
    """Whose voice an evidence item is (used to weigh claims against denials)."""

    us = "us"
    cambodia = "cambodia"
    china = "china"
    independent = "independent"  # analysts, imagery, independent press doing its own reporting
    other = "other"


SIDE_LABELS = {
    Side.us: "United States",
    Side.cambodia: "Cambodia",
    Side.china: "China",
    Side.independent: "Independent analysts / imagery / press",
    Side.other: "Other",
}


class Status(str, Enum):
    confirmed = "confirmed"
    reported = "reported"
    alleged = "alleged"
    denied = "denied"
    planned = "planned"


STATUS_HELP = {
    Status.confirmed: "official or several independent reputable sources agree",
    Status.reported: "reported by a reputable source, not independently confirmed",
    Status.alleged: "claimed by one party, disputed or unproven",
    Status.denied: "claimed, and denied by the party concerned",
    Status.planned: "announced or under construction, not yet in place",
}


class LocationBasis(str, Enum):
    published = "published"  # a coordinate published by a cited source
    derived = "derived"  # computed from other published values
    estimated = "estimated"  # estimated from a written description
    schematic = "schematic"  # a labelled schematic: shows roughly where, not a boundary


BASIS_HELP = {
    LocationBasis.published: "published coordinate",
    LocationBasis.derived: "derived from published values",
    LocationBasis.estimated: "estimated from a written description",
    LocationBasis.schematic: "schematic outline, not a surveyed boundary",
}


class DatePrecision(str, Enum):
    day = "day"
    month = "month"
    year = "year"
    approximate = "approximate"  # a best estimate; the value may be off


_DATE_FORMS = {
    DatePrecision.day: re.compile(r"^\d{4}-\d{2}-\d{2}$"),
    DatePrecision.month: re.compile(r"^\d{4}-\d{2}$"),
    DatePrecision.year: re.compile(r"^\d{4}$"),
}


def parse_partial_date(text: str) -> dt.date:
    """Parse ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` to the first day it can mean."""
    if not isinstance(text, str) or not re.fullmatch(r"\d{4}(-\d{2}(-\d{2})?)?", text):
        raise ValueError(f"{str(text)[:40]!r} is not a date of the form YYYY, YYYY-MM or YYYY-MM-DD")
    parts = text.split("-")
    year, month, day = (int(parts[0]), int(parts[1]) if len(parts) > 1 else 1,
                        int(parts[2]) if len(parts) > 2 else 1)
    return dt.date(year, month, day)  # raises ValueError on 2024-13 or 2024-02-30


def partial_date_end(text: str) -> dt.date:
    """The last day a partial date can mean (``2024-05`` → 2024-05-31)."""
    start = parse_partial_date(text)
    parts = text.split("-")
    if len(parts) == 3:
        return start
    if len(parts) == 2:
        nxt = dt.date(start.year + (start.month == 12), start.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)
    return dt.date(start.year, 12, 31)


class PartialDate(BaseModel):
    """A date with its precision, e.g. ``{"date": "2023-12", "precision": "month"}``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: str
    precision: DatePrecision

    @model_validator(mode="after")
    def _check(self) -> PartialDate:
        parse_partial_date(self.date)
        form = _DATE_FORMS.get(self.precision)
        if form is not None and not form.match(self.date):
            raise ValueError(
                f"date {self.date!r} does not match precision {self.precision.value!r}"
            )
        return self

    @property
    def first_day(self) -> dt.date:
        return parse_partial_date(self.date)

    @property
    def last_day(self) -> dt.date:
        return partial_date_end(self.date)

    def label(self) -> str:
        """Human form: ``8 Jun 2022``, ``Dec 2023``, ``2019``, ``c. 3 Jun 2024``."""
        d = self.first_day
        n = self.date.count("-")
        text = d.strftime("%-d %b %Y") if n == 2 else d.strftime("%b %Y") if n == 1 else str(d.year)
        return f"c. {text}" if self.precision is DatePrecision.approximate else text


def _coerce_partial_date(value: Any) -> Any:
    """Accept a bare string as shorthand: its precision follows from its form."""
    if isinstance(value, str):
        n = value.count("-")
        prec = {0: "year", 1: "month", 2: "day"}.get(n, "day")
        return {"date": value, "precision": prec}
    return value


__all__ = [
    "BASIS_HELP", "REGION_BOUNDS", "SIDE_LABELS", "SLUG", "STATUS_HELP", "DatePrecision", "LocationBasis",
    "NonEmpty", "PartialDate", "Side", "Slug", "Stance", "Status", "parse_partial_date", "partial_date_end",
]
