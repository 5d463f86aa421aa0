"""BibTeX / biblatex export: one ``@online`` entry per source cited, keyed by the source id.

Conventions (checked by parsing every entry back with ``bibtexparser`` in the tests):

* ``author``: only the bylines the source names (``Source.authors``), joined by `` and ``; a
  name that itself contains the word "and" is braced so it stays one name.  When a source
  names no author we write none: the publisher goes in ``organization`` (biblatex's field for
  an ``@online`` entry's publisher), never as an invented corporate author.
* Dated sources: ``date`` (biblatex, as precise as the source) plus ``year`` and ``month``
  (BibTeX).  Undated pages: no publication date is invented.  ``year`` is the year the page
  was consulted, which biblatex accepts and sorts by, ``urldate`` the day (or month) it was
  consulted, and ``note`` says that the page is undated and what the year is.
* ``url``: the original publication's link (or its syndication; ``note`` says which) — left
  out when unknown; the copy we read, when it is a repost, is named in ``note``.
* Text is escaped for (La)TeX (:func:`bibtex_escape`); other Unicode is kept (biber, and
  BibTeX with ``inputenc``, read UTF-8).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from ..load import Dataset
from ..model import Feature, Source
from .common import citations, source_authors, source_copy_url, source_url, source_url_kind

_BIB_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIB_RE = re.compile("|".join(re.escape(c) for c in _BIB_SPECIALS))
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
_AND = re.compile(r"(?:^|\s)and(?:\s|$)", re.IGNORECASE)


def bibtex_escape(text: str) -> str:
    """Escape the (La)TeX specials ``\\ { } & % $ # _ ~ ^``; other Unicode is kept as is."""
    return _BIB_RE.sub(lambda m: _BIB_SPECIALS[m.group()], " ".join(text.split()))


def _bib_url(url: str) -> str:
    """URLs are verbatim in biblatex; only braces and spaces could break the entry."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_name(name: str) -> str:
    """One author for an ``author`` list: escaped, braced when it contains a bare "and"."""
    text = bibtex_escape(name)
    return f"{{{text}}}" if _AND.search(text) else text


def bibtex_fields(s: Source) -> list[tuple[str, str]]:
    """The entry's fields in order, values already escaped (``month`` is a bare macro)."""
    fields: list[tuple[str, str]] = []
    authors = source_authors(s)
    if authors:
        fields.append(("author", " and ".join(bibtex_name(a) for a in authors)))
    fields += [("title", bibtex_escape(s.title)), ("organization", bibtex_escape(s.publisher))]
    notes = []
    if s.date is not None:
        parts = s.date.date.split("-")
        fields += [("date", s.date.date), ("year", parts[0])]
        if len(parts) > 1:
            fields.append(("month", _MONTHS[int(parts[1]) - 1]))
        notes.append(f"Date precision: {s.date_precision}")
    elif s.accessed is not None:
        fields.append(("year", s.accessed.date[:4]))
        notes.append(f"Undated page: no publication date is given; the year is the year it "
                     f"was consulted ({s.accessed.date})")
    else:
        notes.append("Undated page: no publication date is given")
    url, copy, kind = source_url(s), source_copy_url(s), source_url_kind(s)
    if url:
        fields.append(("url", _bib_url(url)))
    if s.accessed is not None:
        fields.append(("urldate", s.accessed.date))
    if kind == "syndication":
        notes.append("The link is a syndication of the original")
    if not url:
        notes.append("Link to the original unknown")
    if copy:
        notes.append(f"Copy read: {copy}")
    fields.append(("note", bibtex_escape(". ".join(notes))))
    return fields


def bibtex_entry(s: Source) -> str:
    """One biblatex ``@online`` entry (see the module doc for the conventions)."""
    body = ",\n".join(
        f"  {k} = {v}" if k == "month" else f"  {k} = {{{v}}}" for k, v in bibtex_fields(s)
    )
    return f"@online{{{s.id},\n{body}\n}}\n"


def citations_bibtex(ds: Dataset, features: Iterable[Feature]) -> str:
    """biblatex/BibTeX ``@online`` entries keyed by source id (slugs are valid keys)."""
    return "\n".join(bibtex_entry(s) for s in citations(ds, features))
