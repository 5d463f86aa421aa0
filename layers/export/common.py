"""What every export format shares: the evidence of a feature, the sources cited, and links.

Source fields added to the model over time (``copy_url``, ``url_kind``, ``authors``) are read
with :func:`getattr` defaults, so the exports work with data written before and after them.
"""

from __future__ import annotations

from collections.abc import Iterable

from ..load import Dataset, ResolvedEvidence
from ..model import Feature, PartialDate, Source


def partial_date(d: PartialDate | None) -> tuple[str, str]:
    """``(date, precision)`` of a partial date, ``("", "")`` for none."""
    return (d.date, d.precision.value) if d else ("", "")


def feature_evidence(ds: Dataset, feature: Feature) -> list[tuple[ResolvedEvidence, str]]:
    """The feature's evidence (its own, then its events'), each with its event title or ""."""
    titles = {ev.id: ev.title for ev in feature.props.events}
    return [(e, titles.get(e.event_id, "") if e.event_id else "") for e in ds.evidence(feature)]


def source_url(s: Source) -> str | None:
    """The original publication's link (or its reputable syndication), ``None`` when unknown."""
    return getattr(s, "url", None) or None


def source_copy_url(s: Source) -> str | None:
    """The copy we read when it is not :func:`source_url` (a repost), else ``None``."""
    copy = getattr(s, "copy_url", None) or None
    return copy if copy != source_url(s) else None


def source_url_kind(s: Source) -> str | None:
    """What :func:`source_url` is: ``"original"``, ``"syndication"`` or ``None`` (not said)."""
    return getattr(s, "url_kind", None) if source_url(s) else None


def source_authors(s: Source) -> tuple[str, ...]:
    """The bylines the source names (empty when it names none)."""
    return tuple(getattr(s, "authors", None) or ())


def citations(ds: Dataset, features: Iterable[Feature]) -> list[Source]:
    """Each source cited by the features (events included) once, by date then title."""
    seen: dict[str, Source] = {}
    for f in features:
        for e in ds.evidence(f):
            seen.setdefault(e.source.id, e.source)
    return sorted(seen.values(), key=lambda s: (s.sort_date, s.title.casefold(), s.id))
