"""CSV exports: feature × evidence rows, and the list of sources cited.

RFC 4180 (CRLF line ends, quoted where needed), UTF-8 *with* a byte-order mark: spreadsheets
(Excel in particular) read a CSV without one in the machine's legacy code page and garble every
’ “ ” and non-Latin name.  Python's ``csv`` and pandas read it back with ``encoding="utf-8-sig"``.

Formula injection (OWASP "CSV Injection"): a spreadsheet runs a cell that starts with ``=``,
``+``, ``-`` or ``@`` (or a tab or carriage return before one) as a formula —
``=HYPERLINK("http://…")`` in a quote would be a live link, ``=WEBSERVICE(…)`` a request.  Every
*text* cell that starts with one of those characters is written with a leading ``'``, which
spreadsheets read as "this is text" (and hide); the rest of the text is unchanged.  Numbers
(``lon`` -0.5, ``precision_m``) are written as numbers, never prefixed.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from ..geodesy import representative_point
from ..load import Dataset
from ..model import Feature
from .common import (
    citations,
    feature_evidence,
    partial_date,
    source_authors,
    source_copy_url,
    source_url,
    source_url_kind,
)

BOM = "\ufeff"
# New columns go at the end, so spreadsheets built on the older exports keep working.
ROW_COLUMNS = [
    "id", "layer", "name", "kind", "status", "chinese_funded", "chinese_built", "precision_m", "location_basis",
    "start", "start_precision", "end", "end_precision", "lon", "lat", "event",
    "quote", "note", "speaker", "stance", "side",
    "source_id", "source_title", "publisher", "source_date", "source_date_precision", "url",
    "copy_url", "url_kind",
]
CITATION_COLUMNS = ["id", "title", "publisher", "date", "date_precision", "url", "kind",
                    "copy_url", "url_kind", "authors", "accessed"]


def export_rows(ds: Dataset, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """One row per feature × evidence item (events' evidence included, ``event`` = its title).

    ``url`` is the original publication's link ("" when unknown), ``copy_url`` the copy we read
    when that is a repost, ``url_kind`` whether ``url`` is the original or a syndication."""
    rows = []
    for f in features:
        p = f.props
        lon, lat = representative_point(f.geometry)
        start, start_prec = partial_date(p.start)
        end, end_prec = partial_date(p.end)
        base = {
            "id": p.id, "layer": p.layer, "name": p.name, "kind": p.kind, "status": p.status.value,
            "chinese_funded": p.chinese_funded, "chinese_built": p.chinese_built, "precision_m": p.precision_m,
            "location_basis": p.location_basis.value, "start": start, "start_precision": start_prec,
            "end": end, "end_precision": end_prec, "lon": round(lon, 6), "lat": round(lat, 6),
        }
        for e, event in feature_evidence(ds, f):
            s = e.source
            rows.append(base | {
                "event": event, "quote": e.quote or "", "note": e.note, "speaker": e.speaker,
                "stance": e.stance.value, "side": e.side.value, "source_id": s.id,
                "source_title": s.title, "publisher": s.publisher, "source_date": s.date.date if s.date else "",
                "source_date_precision": s.date_precision, "url": source_url(s) or "",
                "copy_url": source_copy_url(s) or "", "url_kind": source_url_kind(s) or "",
            })
    return rows


# What makes a spreadsheet read a text cell as a formula (OWASP), and the full-width forms some
# spreadsheets (Excel in East Asian locales) also take for ``=``, ``+``, ``-`` and ``@``.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def neutralise_formula(text: str) -> str:
    """``text`` with a leading ``'`` when a spreadsheet would run it as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    if isinstance(v, str):
        return neutralise_formula(v)
    return v


def write_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    """The rows as CSV text, starting with the UTF-8 byte-order mark (encode as ``utf-8``)."""
    buf = io.StringIO(newline="")
    buf.write(BOM)
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _csv_value(r.get(k)) for k in columns})
    return buf.getvalue()


def to_csv(ds: Dataset, features: Iterable[Feature]) -> str:
    """CSV (RFC 4180, CRLF, leading BOM) of :func:`export_rows`; encode as UTF-8."""
    return write_csv(export_rows(ds, features), ROW_COLUMNS)


def citation_rows(ds: Dataset, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """One row per source cited (see :data:`CITATION_COLUMNS`); ``authors`` joined by "; "."""
    return [{"id": s.id, "title": s.title, "publisher": s.publisher,
             "date": s.date.date if s.date else "", "date_precision": s.date_precision,
             "url": source_url(s) or "", "kind": s.kind.value,
             "copy_url": source_copy_url(s) or "", "url_kind": source_url_kind(s) or "",
             "authors": "; ".join(source_authors(s)),
             "accessed": s.accessed.date if s.accessed else ""}
            for s in citations(ds, features)]


def citations_csv(ds: Dataset, features: Iterable[Feature]) -> str:
    """CSV (leading BOM) of the sources cited, columns :data:`CITATION_COLUMNS`."""
    return write_csv(citation_rows(ds, features), CITATION_COLUMNS)
