"""The source reader: a source's excerpts in document order, each with the features it supports."""

from __future__ import annotations

from dataclasses import dataclass

from .load import Dataset
from .model import Excerpt, Source


@dataclass(frozen=True)
class ReaderItem:
    excerpt: Excerpt
    features: tuple[tuple[str, str], ...]  # (feature id, name) of the features citing it
    omitted_before: bool  # text of the source is left out before this excerpt


@dataclass(frozen=True)
class Reading:
    source: Source
    items: tuple[ReaderItem, ...]
    linked: int  # excerpts linked to at least one feature

    @property
    def coverage(self) -> str:
        n = len(self.items)
        return (f"{self.linked} of {n} excerpt{'s' if n != 1 else ''} linked to features"
                if n else "No quotes stored for this source: it is cited in our own words.")


def _adjacent(a: Excerpt, b: Excerpt) -> bool:
    """True when b follows a with nothing left out (a's suffix is where b begins)."""
    return bool(a.suffix) and b.text.startswith(a.suffix.strip()) and a.suffix.strip() != ""


def reading(ds: Dataset, source_id: str) -> Reading | None:
    src = ds.sources.get(source_id)
    if src is None:
        return None
    items = []
    prev: Excerpt | None = None
    for ex in src.excerpts:  # stored in document order (checked by `layers check --source-text`)
        feats = tuple((f.id, f.props.name) for f in ds.features_citing(ex.id))
        omitted = True if prev is None else not _adjacent(prev, ex)
        if prev is None and not ex.prefix:
            omitted = False  # the article may start here; we cannot tell, so no ellipsis
        items.append(ReaderItem(ex, feats, omitted))
        prev = ex
    linked = sum(1 for i in items if i.features)
    return Reading(src, tuple(items), linked)


def sources_citing_feature(ds: Dataset, feature_id: str) -> set[str]:
    f = ds.feature(feature_id)
    return {e.source.id for e in ds.evidence(f)} if f else set()
