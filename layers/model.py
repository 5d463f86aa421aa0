"""The data model: sources with verbatim excerpts, and map features that cite them.

Everything here is pure (no Streamlit, no folium).  Files in ``data/`` are parsed into these
pydantic models by :mod:`layers.load`; cross-references (feature → excerpt → source) are checked
there too, so that one bad feature never hides the others.  The value types the models are built
from (slugs, the map region, stance, side, status, location basis, partial dates) are in
:mod:`layers.model_values`; their names are importable from here too.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

# re-exported: callers import everything of the data model from here
from .model_values import (
    BASIS_HELP,
    REGION_BOUNDS,
    SIDE_LABELS,
    SLUG,
    STATUS_HELP,
    DatePrecision,
    LocationBasis,
    NonEmpty,
    PartialDate,
    Side,
    Slug,
    Stance,
    Status,
    _coerce_partial_date,
    parse_partial_date,
    partial_date_end,
)


class Excerpt(BaseModel):
    """A verbatim quote from a source (W3C Web Annotation TextQuoteSelector: prefix/exact/suffix)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    text: NonEmpty
    prefix: str = ""
    suffix: str = ""
    speaker: NonEmpty
    stance: Stance
    side: Side

    @field_validator("text")
    @classmethod
    def _no_edge_space(cls, v: str) -> str:
        if v != v.strip():
            raise ValueError("excerpt text must not start or end with white space")
        return v


class SourceKind(str, Enum):
    news = "news"
    government = "government"
    think_tank = "think tank"
    imagery = "imagery analysis"
    state_media = "state media"
    reference = "reference"


def url_site(url: str | None) -> str | None:
    """The host name of an http(s) URL without a leading ``www.`` (``defence.pk``), or None."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:  # e.g. an unbalanced "[" in the host
        return None
    if not host:
        return None
    return host[4:] if host.startswith("www.") and len(host) > 4 else host


# Sites where we found reposts of other publications' stories (forums, blogs, content farms,
# machine rewrites): such a page is at most the copy we read (``copy_url``), never the ``url``.
REPOST_SITES = frozenset({
    "advance-in-cambodia.com", "awamkasach.com", "blog.kinaforum.com", "camm-media.com", "defence.pk",
    "lurahjepang.com", "myglobalnews.net", "myind.net", "nabkanews.com", "ndmtnews.com", "newsvog.com",
    "noticiabrasil.net.br", "nsh-em.com", "panpacificagency.com", "southasiajournal.net", "thetycoontimes.com",
    "urdupoint.com", "voicesagainstautocracy.org", "whatreallyhappened.com",
})


def _same_url(a: str, b: str) -> bool:
    """Equal up to the case of the scheme and host and a trailing slash."""
    def norm(u: str) -> tuple[str, str, str]:
        parts = urlsplit(u.strip())
        rest = u.strip()[len(parts.scheme) + 3 + len(parts.netloc):].rstrip("/")
        return parts.scheme.lower(), parts.netloc.lower(), rest
    try:
        return norm(a) == norm(b)
    except ValueError:
        return a == b


class Source(BaseModel):
    """A publication we cite.  ``title``, ``publisher``, ``date`` and ``authors`` describe the
    ORIGINAL publication; ``url`` links to it (or to a reputable syndication, see ``url_kind``)
    when known, and ``copy_url`` to the copy we actually read when that is a repost."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: NonEmpty
    publisher: NonEmpty
    date: PartialDate | None  # publication date; null for reference pages with none recorded
    accessed: PartialDate | None = None  # when it was consulted (for undated pages)
    # Provenance: the ORIGINAL publication (title, publisher, date, authors above and its link in
    # ``url`` when known) is kept apart from the COPY we actually read (``copy_url``, a repost).
    url: NonEmpty | None = None  # the original, or a reputable syndication (see url_kind); None: unknown
    url_kind: Literal["original", "syndication"] | None = None  # what ``url`` is
    copy_url: NonEmpty | None = None  # the page we read when it is not the original (a repost)
    authors: tuple[NonEmpty, ...] = ()  # bylines, where the source names them
    kind: SourceKind
    note: str = ""
    excerpts: tuple[Excerpt, ...] = ()

    _coerce_date = field_validator("date", "accessed", mode="before")(
        lambda cls, v: _coerce_partial_date(v))

    def date_label(self) -> str:
        if self.date is not None:
            return self.date.label()
        return f"undated (consulted {self.accessed.label()})" if self.accessed else "undated"

    @property
    def sort_date(self) -> dt.date:
        """Publication date for sorting; undated sources sort last."""
        return self.date.first_day if self.date is not None else dt.date.max

    @property
    def date_precision(self) -> str:
        return self.date.precision.value if self.date is not None else "undated"

    @property
    def link(self) -> str | None:
        """The best link we have: the original (or its syndication), else the copy we read."""
        return self.url or self.copy_url

    @property
    def is_copy_only(self) -> bool:
        """True when the original's link is unknown and only a copy (repost) is recorded."""
        return self.url is None and self.copy_url is not None

    @property
    def copy_site(self) -> str | None:
        """Host name of ``copy_url`` without a leading ``www.`` (``defence.pk``), or None."""
        return url_site(self.copy_url)

    @field_validator("url", "copy_url")
    @classmethod
    def _http_only(cls, v: str | None, info: ValidationInfo) -> str | None:
        if v is None:
            return v
        if not re.match(r"^https?://[^\s/$.?#][^\s]*$", v, re.IGNORECASE) or not url_site(v):
            raise ValueError(f"{info.field_name} must be an http(s) URL, got {v[:60]!r}")
        if info.field_name == "url" and url_site(v) in REPOST_SITES:
            raise ValueError(f"url is on {url_site(v)}, a site that reposts other publications' stories: "
                             "record it as copy_url and give the original (or leave url out)")
        if info.field_name == "copy_url" and info.data.get("url") is not None \
                and _same_url(v, info.data["url"]):
            raise ValueError("copy_url must differ from url: record a repost only when it is "
                             "not the original")
        return v

    @field_validator("authors")
    @classmethod
    def _clean_authors(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if any(a != a.strip() for a in v):
            raise ValueError("an author must not start or end with white space")
        return v

    @model_validator(mode="after")
    def _has_a_link(self) -> Source:
        if self.url is None and self.copy_url is None:
            raise ValueError("a source needs url (the original) or copy_url (the copy we read), "
                             "or both")
        if self.url_kind is not None and self.url is None:
            raise ValueError("url_kind says what url is: give url, or leave url_kind out")
        return self

    @model_validator(mode="after")
    def _unique_excerpts(self) -> Source:
        seen: set[str] = set()
        for e in self.excerpts:
            if e.id in seen:
                raise ValueError(f"duplicate excerpt id {e.id!r}")
            seen.add(e.id)
        return self


class ExcerptRef(BaseModel):
    """Evidence that quotes a stored excerpt verbatim."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    excerpt: Slug
    note: str = ""  # optional comment in our own words on how the quote bears on the feature


class SourceNote(BaseModel):
    """Evidence that cites a source in our own words (no quote is stored)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    source: Slug
    note: NonEmpty
    speaker: NonEmpty
    stance: Stance
    side: Side


Evidence = ExcerptRef | SourceNote


class Event(BaseModel):
    """A dated milestone at a feature (e.g. the groundbreaking at Ream)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    title: NonEmpty
    date: PartialDate
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    _coerce_date = field_validator("date", mode="before")(lambda cls, v: _coerce_partial_date(v))


LayerId = Literal["ream", "drills", "economic", "context"]


def _label_text(v: str) -> str:
    if v != v.strip():
        raise ValueError("label must not start or end with white space")
    if any(not c.isprintable() for c in v):
        raise ValueError("label must be one line of printable text")
    return v


# A feature's short map label: 1–32 characters, no white space at either end.
MapLabel = Annotated[str, Field(min_length=1, max_length=32), AfterValidator(_label_text)]


class FeatureProps(BaseModel):
    """The ``properties`` of one GeoJSON feature in ``data/features/<layer>.geojson``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Slug
    layer: LayerId
    name: NonEmpty
    label: MapLabel | None = None  # short text drawn on the map (layers.labels); None: the name
    label_rank: Annotated[int, Field(ge=1, le=5)] | None = None  # 1 = most important; None: by layer
    site: Slug | None = None  # part of the site whose main feature has this id (layers.sites)
    kind: NonEmpty
    aliases: tuple[str, ...] = ()
    summary: Annotated[str, Field(min_length=1, max_length=400)]
    details: str = ""
    status: Status
    chinese_funded: bool | None = None  # None: not applicable (context features)
    chinese_built: bool | None = None  # built by a Chinese contractor (may be funded by others)
    precision_m: Annotated[float, Field(gt=0, le=200_000)]
    location_basis: LocationBasis
    location_note: NonEmpty
    surface: Literal["sea", "land"] | None = None  # "sea": an area at sea (checked: little land)
    start: PartialDate | None = None
    end: PartialDate | None = None
    events: tuple[Event, ...] = ()
    evidence: tuple[Evidence, ...] = Field(min_length=1)

    _coerce_dates = field_validator("start", "end", mode="before")(
        lambda cls, v: _coerce_partial_date(v)
    )

    @model_validator(mode="after")
    def _dates_in_order(self) -> FeatureProps:
        if self.start and self.end and self.end.last_day < self.start.first_day:
            raise ValueError(f"end {self.end.date} is before start {self.start.date}")
        return self


class Feature(BaseModel):
    """A validated feature: its properties plus a shapely-compatible GeoJSON geometry."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)

    props: FeatureProps
    geometry: dict[str, Any]
    file: str

    @property
    def id(self) -> str:
        return self.props.id


class Problem(BaseModel):
    """One thing wrong with the data, located precisely enough to fix it."""

    model_config = ConfigDict(frozen=True)

    file: str
    feature: str | None = None  # feature id, or source id for sources.json
    field: str | None = None
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        where = [self.file]
        if self.feature is not None:
            where.append(f"feature {self.feature!r}" if not self.file.endswith("sources.json")
                         else f"source {self.feature!r}")
        if self.field is not None:
            where.append(f"field {self.field!r}")
        return ": ".join(where + [self.message])


__all__ = [
    "REPOST_SITES", "Event", "Evidence", "Excerpt", "ExcerptRef", "Feature", "FeatureProps", "LayerId",
    "MapLabel", "Problem", "Source", "SourceKind", "SourceNote", "url_site",
    # layers/model_values.py
    "BASIS_HELP", "REGION_BOUNDS", "SIDE_LABELS", "SLUG", "STATUS_HELP", "DatePrecision", "LocationBasis",
    "NonEmpty", "PartialDate", "Side", "Slug", "Stance", "Status", "parse_partial_date", "partial_date_end",
]
