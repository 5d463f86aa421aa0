"""Exports of what the map shows: GeoJSON, CSV, KML, and citation lists (CSV, BibTeX).

Every function takes the features to export, already filtered by the caller, so an export
contains exactly what the reader is looking at.  Quotes are exported verbatim (’ “ ” kept).
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pyogrio
from shapely.geometry import shape

from .geodesy import representative_point
from .load import Dataset, ResolvedEvidence
from .model import Feature, PartialDate, Source

ROW_COLUMNS = [
    "id", "layer", "name", "kind", "status", "chinese_funded", "chinese_built", "precision_m", "location_basis",
    "start", "start_precision", "end", "end_precision", "lon", "lat", "event",
    "quote", "note", "speaker", "stance", "side",
    "source_id", "source_title", "publisher", "source_date", "source_date_precision", "url",
]
CITATION_COLUMNS = ["id", "title", "publisher", "date", "date_precision", "url", "kind"]
LAYER_TITLES = {"ream": "Ream", "drills": "Drills", "economic": "Economic", "context": "Context"}


# --- shared helpers -----------------------------------------------------------------------

def _date(d: PartialDate | None) -> tuple[str, str]:
    return (d.date, d.precision.value) if d else ("", "")


def _event_titles(feature: Feature) -> dict[str, str]:
    return {ev.id: ev.title for ev in feature.props.events}


def _evidence(ds: Dataset, feature: Feature) -> list[tuple[ResolvedEvidence, str]]:
    """The feature's evidence (its own, then its events'), each with its event title or ""."""
    titles = _event_titles(feature)
    return [(e, titles.get(e.event_id, "") if e.event_id else "") for e in ds.evidence(feature)]


# --- rows / CSV ---------------------------------------------------------------------------

def export_rows(ds: Dataset, features: Iterable[Feature]) -> list[dict[str, Any]]:
    """One row per feature × evidence item (events' evidence included, ``event`` = its title)."""
    rows = []
    for f in features:
        p = f.props
        lon, lat = representative_point(f.geometry)
        start, start_prec = _date(p.start)
        end, end_prec = _date(p.end)
        base = {
            "id": p.id, "layer": p.layer, "name": p.name, "kind": p.kind, "status": p.status.value,
            "chinese_funded": p.chinese_funded, "chinese_built": p.chinese_built, "precision_m": p.precision_m,
            "location_basis": p.location_basis.value, "start": start, "start_precision": start_prec,
            "end": end, "end_precision": end_prec, "lon": round(lon, 6), "lat": round(lat, 6),
        }
        for e, event in _evidence(ds, f):
            s = e.source
            rows.append(base | {
                "event": event, "quote": e.quote or "", "note": e.note, "speaker": e.speaker,
                "stance": e.stance.value, "side": e.side.value, "source_id": s.id,
                "source_title": s.title, "publisher": s.publisher, "source_date": s.date.date if s.date else "",
                "source_date_precision": s.date_precision, "url": s.url,
            })
    return rows


def _csv_value(v: Any) -> Any:
    if v is None:
        return ""
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, float) and v.is_integer():
        return int(v)
    return v


def _write_csv(rows: Iterable[dict[str, Any]], columns: list[str]) -> str:
    buf = io.StringIO(newline="")
    w = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore", lineterminator="\r\n")
    w.writeheader()
    for r in rows:
        w.writerow({k: _csv_value(r.get(k)) for k in columns})
    return buf.getvalue()


def to_csv(ds: Dataset, features: Iterable[Feature]) -> str:
    """CSV (RFC 4180, CRLF) of :func:`export_rows`; encode as UTF-8 (``utf-8-sig`` for Excel)."""
    return _write_csv(export_rows(ds, features), ROW_COLUMNS)


# --- GeoJSON ------------------------------------------------------------------------------

def _evidence_json(e: ResolvedEvidence, event: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    if e.quote is not None:
        out["quote"] = e.quote
    if e.note:
        out["note"] = e.note
    out |= {
        "speaker": e.speaker, "stance": e.stance.value, "side": e.side.value,
        "source_id": e.source.id, "source_title": e.source.title, "publisher": e.source.publisher,
        "date": e.source.date.date if e.source.date else None, "date_precision": e.source.date_precision,
        "url": e.source.url,
    }
    if event:
        out["event"] = event
    return out


def feature_properties(ds: Dataset, f: Feature) -> dict[str, Any]:
    """The exported properties of one feature (see :func:`to_geojson`)."""
    p = f.props
    start, start_prec = _date(p.start)
    end, end_prec = _date(p.end)
    return {
        "id": p.id, "layer": p.layer, "name": p.name, "kind": p.kind, "status": p.status.value,
        "chinese_funded": p.chinese_funded, "chinese_built": p.chinese_built, "precision_m": p.precision_m,
        "location_basis": p.location_basis.value, "location_note": p.location_note,
        "start": start or None, "start_precision": start_prec or None,
        "end": end or None, "end_precision": end_prec or None,
        "summary": p.summary,
        "evidence": [_evidence_json(e, event) for e, event in _evidence(ds, f)],
    }


def to_geojson(ds: Dataset, features: Iterable[Feature]) -> str:
    """A GeoJSON FeatureCollection (RFC 7946, WGS84) with evidence embedded per feature."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f.id, "geometry": f.geometry,
             "properties": feature_properties(ds, f)}
            for f in features
        ],
    }
    return json.dumps(fc, ensure_ascii=False, indent=1)


# --- KML ----------------------------------------------------------------------------------

def evidence_summary(ds: Dataset, f: Feature) -> list[str]:
    """Plain-text lines: the summary, then each quote/note with speaker, publication, date, URL."""
    lines = [f.props.summary, ""]
    for e, event in _evidence(ds, f):
        said = f"“{e.quote}”" if e.quote is not None else e.note
        where = f"{e.source.publisher}, {e.source.date_label()}"
        prefix = f"[{event}] " if event else ""
        lines.append(f"{prefix}{said} — {e.speaker} ({e.stance.value}); {where}. {e.source.url}")
        if e.quote is not None and e.note:
            lines.append(f"    Note: {e.note}")
    lines += ["", f"Location: {f.props.location_note} (±{f.props.precision_m:,.0f} m, "
                  f"{f.props.location_basis.value})"]
    return lines


def _kml_description(ds: Dataset, f: Feature) -> str:
    """HTML-escaped lines joined by ``<br>``: Google Earth renders descriptions as HTML, so
    every character of our text is escaped and shown literally."""
    return "<br>".join(html.escape(line) for line in evidence_summary(ds, f))


def _kml_frame(ds: Dataset, features: list[Feature]) -> gpd.GeoDataFrame:
    recs = []
    for f in features:
        p = f.props
        recs.append({
            "Name": p.name,
            "description": _kml_description(ds, f),
            "feature_id": p.id, "layer": p.layer, "kind": p.kind, "status": p.status.value,
            "precision_m": p.precision_m, "location_basis": p.location_basis.value,
            "start_date": p.start.date if p.start else None,
            "end_date": p.end.date if p.end else None,
            # LIBKML turns datetime fields begin/end into a <TimeSpan> (Google Earth's slider);
            # they span every day the partial dates can mean
            "begin": pd.Timestamp(p.start.first_day) if p.start else pd.NaT,
            "end": pd.Timestamp(p.end.last_day) if p.end else pd.NaT,
        })
    df = pd.DataFrame(recs, columns=["Name", "description", "feature_id", "layer", "kind",
                                     "status", "precision_m", "location_basis", "start_date",
                                     "end_date", "begin", "end"])
    for col in ("begin", "end"):
        df[col] = pd.to_datetime(df[col])
    return gpd.GeoDataFrame(df, geometry=[shape(f.geometry) for f in features], crs="EPSG:4326")


def kml_driver() -> str:
    """``LIBKML`` when this GDAL has it (TimeSpan, one folder per layer), else ``KML``."""
    drivers = pyogrio.list_drivers(write=True)
    if "LIBKML" in drivers:
        return "LIBKML"
    if "KML" in drivers:
        return "KML"
    raise RuntimeError("this GDAL build has no KML driver (neither LIBKML nor KML)")


def to_kml(ds: Dataset, features: Iterable[Feature]) -> bytes:
    """KML 2.2 written by GDAL (LIBKML or KML driver), one folder per map layer."""
    feats = list(features)
    driver = kml_driver()
    gdf = _kml_frame(ds, feats)
    with tempfile.TemporaryDirectory(prefix="gulfwatch-kml-") as tmp:
        path = Path(tmp) / "gulf-watch.kml"
        if driver == "LIBKML":
            groups = [(layer, gdf[gdf["layer"] == layer]) for layer in dict.fromkeys(gdf["layer"])]
            if not groups:
                groups = [("gulf_watch", gdf)]
            for i, (layer, part) in enumerate(groups):
                pyogrio.write_dataframe(
                    part, path, layer=layer, driver="LIBKML", append=i > 0,
                    dataset_options={"NAME": "Gulf Watch export"} if i == 0 else None,
                    layer_options={"NAME": LAYER_TITLES.get(layer, layer)},
                )
        else:
            gdf = gdf.drop(columns=["begin", "end"])
            pyogrio.write_dataframe(gdf, path, layer="gulf_watch", driver="KML",
                                    dataset_options={"NameField": "Name",
                                                     "DescriptionField": "description"})
        return path.read_bytes()


# --- citations ----------------------------------------------------------------------------

def citations(ds: Dataset, features: Iterable[Feature]) -> list[Source]:
    """Each source cited by the features (events included) once, by date then title."""
    seen: dict[str, Source] = {}
    for f in features:
        for e in ds.evidence(f):
            seen.setdefault(e.source.id, e.source)
    return sorted(seen.values(), key=lambda s: (s.sort_date, s.title.casefold(), s.id))


def citations_csv(ds: Dataset, features: Iterable[Feature]) -> str:
    """CSV with columns id, title, publisher, date, date_precision, url, kind."""
    rows = [{"id": s.id, "title": s.title, "publisher": s.publisher, "date": s.date.date if s.date else "",
             "date_precision": s.date_precision, "url": s.url, "kind": s.kind.value}
            for s in citations(ds, features)]
    return _write_csv(rows, CITATION_COLUMNS)


_BIB_SPECIALS = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "$": r"\$",
    "#": r"\#", "_": r"\_", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
}
_BIB_RE = re.compile("|".join(re.escape(c) for c in _BIB_SPECIALS))
_MONTHS = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]


def bibtex_escape(text: str) -> str:
    """Escape the (La)TeX specials ``\\ { } & % $ # _ ~ ^``; other Unicode is kept as is."""
    return _BIB_RE.sub(lambda m: _BIB_SPECIALS[m.group()], " ".join(text.split()))


def _bib_url(url: str) -> str:
    """URLs are verbatim in biblatex; only braces and spaces could break the entry."""
    return url.replace("{", "%7B").replace("}", "%7D").replace(" ", "%20")


def bibtex_entry(s: Source) -> str:
    """One biblatex ``@online`` entry; ``date`` for biblatex, ``year``/``month`` for BibTeX."""
    fields = [
        ("title", bibtex_escape(s.title)),
        ("organization", bibtex_escape(s.publisher)),
    ]
    if s.date is not None:
        parts = s.date.date.split("-")
        fields += [("date", s.date.date), ("year", parts[0])]
        if len(parts) > 1:
            fields.append(("month", _MONTHS[int(parts[1]) - 1]))
    fields.append(("url", _bib_url(s.url)))
    if s.date is None and s.accessed is not None:
        fields.append(("urldate", s.accessed.date))
    note = f"Date precision: {s.date_precision}"
    fields.append(("note", bibtex_escape(note)))
    body = ",\n".join(
        f"  {k} = {v}" if k == "month" else f"  {k} = {{{v}}}" for k, v in fields
    )
    return f"@online{{{s.id},\n{body}\n}}\n"


def citations_bibtex(ds: Dataset, features: Iterable[Feature]) -> str:
    """biblatex/BibTeX ``@online`` entries keyed by source id (slugs are valid keys)."""
    return "\n".join(bibtex_entry(s) for s in citations(ds, features))
