"""Weighing evidence: which features are contested, and evidence grouped by side and stance."""

from __future__ import annotations

from collections.abc import Iterable

from .load import Dataset, ResolvedEvidence
from .model import Side, Stance

SIDE_ORDER = (Side.us, Side.cambodia, Side.china, Side.independent, Side.other)
STANCE_ORDER = (Stance.asserts, Stance.denies, Stance.reports, Stance.analysis)


def is_contested(evidence: Iterable[ResolvedEvidence]) -> bool:
    """A claim and a denial from different sides: the feature is contested."""
    asserting = {e.side for e in evidence if e.stance is Stance.asserts}
    denying = {e.side for e in evidence if e.stance is Stance.denies}
    return bool(asserting and denying and (asserting | denying) != (asserting & denying))


def contested_ids(ds: Dataset) -> set[str]:
    return {f.id for f in ds.features if is_contested(ds.evidence(f))}


def evidence_key(e: ResolvedEvidence) -> tuple[str, str, str]:
    """What makes two evidence items the same: the source and the quote (or our note)."""
    return (e.source.id, "quote", e.quote) if e.quote is not None else (e.source.id, "note", e.note)


def dedupe(evidence: Iterable[ResolvedEvidence]) -> list[ResolvedEvidence]:
    """Each item once (same source and same quote or note text), first occurrence kept, in order."""
    seen: set[tuple[str, str, str]] = set()
    out = []
    for e in evidence:
        k = evidence_key(e)
        if k not in seen:
            seen.add(k)
            out.append(e)
    return out


def group_by_side(evidence: Iterable[ResolvedEvidence], quotes_first: bool = False,
                  ) -> list[tuple[Side, list[ResolvedEvidence]]]:
    """Evidence grouped by side (US, Cambodia, China, independent, other), each group ordered
    by stance (asserts, denies, reports, analysis), then — with ``quotes_first`` — verbatim
    quotes before our summaries, then date; empty sides left out.  The sort is stable."""
    items = list(evidence)
    out = []
    for side in SIDE_ORDER:
        group = [e for e in items if e.side is side]
        group.sort(key=lambda e: (STANCE_ORDER.index(e.stance),
                                  quotes_first and e.quote is None, e.source.sort_date))
        if group:
            out.append((side, group))
    return out
