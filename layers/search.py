"""Free-text search over features, sources and verbatim excerpts.

Matching is plain substring search (no regular expressions, so any input is safe) on text
folded to be case-, accent- and quote-style-insensitive: ``Tést`` matches ``test`` and
``harbour's`` matches ``harbour’s``.  A query of several words matches where every word
occurs (the exact phrase ranks higher).  Name and alias matches rank first, then kind,
summary and details, then source titles/publishers, then excerpt text.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from typing import Literal

from .load import Dataset

MAX_QUERY_CHARS = 200
SNIPPET_CHARS = 120

_CHAR_MAP = {
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "\u02bc": "'",
    "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
    "\u00a0": " ", "\u202f": " ", "\u2009": " ",
}


@dataclass(frozen=True)
class Hit:
    kind: Literal["feature", "source", "excerpt"]
    id: str
    label: str
    detail: str  # a snippet of the text that matched
    feature_id: str | None = None  # the feature to open (for sources/excerpts: the first citing it)
    source_id: str | None = None


def _fold_char(ch: str) -> str:
    ch = _CHAR_MAP.get(ch, ch)
    out = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
    out = out.casefold()
    return " " if out.isspace() else out


def fold(text: str) -> str:
    """Case-, accent- and quote-insensitive form of ``text`` (for comparisons)."""
    return "".join(_fold_char(c) for c in text)


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """Folded text, plus for each folded character the index of the original one."""
    chars: list[str] = []
    index: list[int] = []
    for i, c in enumerate(text):
        f = _fold_char(c)
        chars.append(f)
        index.extend([i] * len(f))
    return "".join(chars), index


@dataclass(frozen=True)
class _Query:
    phrase: str
    words: tuple[str, ...]


def _parse_query(query: str) -> _Query | None:
    q = " ".join(fold((query or "")[:MAX_QUERY_CHARS]).split())
    if not q:
        return None
    return _Query(q, tuple(dict.fromkeys(q.split())))


def _match(text: str, q: _Query) -> tuple[int, int, int] | None:
    """``(quality, start, end)`` of the match in the *original* text, or None.

    quality: 0 exact (whole text), 1 prefix, 2 phrase at a word start, 3 phrase anywhere,
    4 all words present.
    """
    if not text:
        return None
    folded, index = _fold_with_map(text)
    pos = folded.find(q.phrase)
    if pos >= 0:
        end = pos + len(q.phrase)
        if folded.strip() == q.phrase:
            quality = 0
        elif pos == 0:
            quality = 1
        elif not folded[pos - 1].isalnum():
            quality = 2
        else:
            quality = 3
    elif len(q.words) > 1 and all(w in folded for w in q.words):
        pos = folded.find(q.words[0])
        end = pos + len(q.words[0])
        quality = 4
    else:
        return None
    return quality, index[pos], index[end - 1] + 1


def _snippet(text: str, start: int, end: int, width: int = SNIPPET_CHARS) -> str:
    """About ``width`` characters of ``text`` around ``[start, end)``, with … where cut."""
    if len(text) <= width:
        return " ".join(text.split())
    room = max(width - (end - start), 0)
    left = max(start - room // 2, 0)
    right = min(left + max(width, end - start), len(text))
    left = max(min(left, right - width), 0)
    out = " ".join(text[left:right].split())
    return ("…" if left > 0 else "") + out + ("…" if right < len(text) else "")


def _best(fields: list[tuple[int, str]], q: _Query) -> tuple[tuple[int, int], str] | None:
    """The best ``((tier, quality), snippet)`` over ``(tier, text)`` fields."""
    best = None
    for tier, text in fields:
        m = _match(text, q)
        if m is None:
            continue
        key = (tier, m[0])
        if best is None or key < best[0]:
            best = (key, _snippet(text, m[1], m[2]))
    return best


# ranking tiers
NAME, KIND, SUMMARY, DETAILS, SOURCE, EXCERPT = range(6)


@dataclass(frozen=True)
class Target:
    """One thing search can find: its ``(tier, text)`` fields and the key that breaks ties."""

    kind: Literal["feature", "source", "excerpt"]
    id: str
    label: str
    fields: tuple[tuple[int, str], ...]
    sort_key: str
    feature_id: str | None
    source_id: str | None = None


def targets(ds: Dataset) -> list[Target]:
    """Every feature, source and excerpt with the fields searched in it (also what the static
    site's search looks in: :mod:`layers.publish.sitedata`)."""
    out = []
    for f in ds.features:
        p = f.props
        fields = ((NAME, p.name), *((NAME, a) for a in p.aliases), (KIND, p.kind), (SUMMARY, p.summary),
                  (DETAILS, p.details))
        out.append(Target("feature", f.id, p.name, fields, p.name.casefold(), f.id))
    citing: dict[str, str] = {}
    for f in ds.features:
        for e in ds.evidence(f):
            citing.setdefault(e.source.id, f.id)
    for s in ds.sources.values():
        out.append(Target("source", s.id, f"{s.title} — {s.publisher}", ((SOURCE, s.title), (SOURCE, s.publisher)),
                          s.title.casefold(), citing.get(s.id), s.id))
    for ex_id, (s, e) in ds.excerpts.items():
        users = ds.features_citing(ex_id)
        out.append(Target("excerpt", ex_id, f"{e.speaker} — {s.publisher}, {s.date_label()}",
                          ((EXCERPT, e.text), (EXCERPT, e.speaker)), e.text.casefold(),
                          users[0].id if users else None, s.id))
    return out


def search(ds: Dataset, query: str, limit: int = 20) -> list[Hit]:
    """Hits for ``query``, best first; ``[]`` for an empty or whitespace-only query."""
    q = _parse_query(query)
    if q is None or limit <= 0:
        return []
    scored: list[tuple[tuple[int, int], str, Hit]] = []
    for t in targets(ds):
        b = _best(list(t.fields), q)
        if b:
            scored.append((b[0], t.sort_key, Hit(t.kind, t.id, t.label, b[1], feature_id=t.feature_id,
                                                 source_id=t.source_id)))
    scored.sort(key=lambda t: (t[0], t[1]))
    return [h for _, _, h in scored[:limit]]
