"""GeoJSON export: an RFC 7946 FeatureCollection (WGS 84) with the evidence in each feature.

RFC 7946 §3.1.6: a polygon's exterior ring is counter-clockwise and its holes clockwise.  The
data files need not follow that (the map does not care), so every Polygon and MultiPolygon is
re-oriented here with :func:`shapely.geometry.polygon.orient`; the vertices are unchanged.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from shapely.geometry import MultiPolygon, mapping, shape
from shapely.geometry.polygon import orient

from ..load import Dataset, ResolvedEvidence
from ..model import Feature
from .common import feature_evidence, partial_date, source_copy_url, source_url, source_url_kind


def _lists(obj: Any) -> Any:
    """shapely's nested coordinate tuples as JSON-style lists (numbers stay numbers)."""
    return [_lists(o) for o in obj] if isinstance(obj, (list, tuple)) else obj


def rfc7946_geometry(geometry: dict[str, Any]) -> dict[str, Any]:
    """The geometry with exterior rings counter-clockwise and holes clockwise (RFC 7946)."""
    kind = geometry.get("type")
    if kind == "Polygon":
        oriented = orient(shape(geometry), sign=1.0)
    elif kind == "MultiPolygon":
        oriented = MultiPolygon([orient(p, sign=1.0) for p in shape(geometry).geoms])
    elif kind == "GeometryCollection":
        return {"type": kind, "geometries": [rfc7946_geometry(g) for g in geometry["geometries"]]}
    else:
        return geometry
    return {"type": kind, "coordinates": _lists(mapping(oriented)["coordinates"])}


def evidence_json(e: ResolvedEvidence, event: str) -> dict[str, Any]:
    """One evidence item: the quote (or our note), who said it, and where it was published.

    ``url`` is the original publication's link (``null`` when unknown); ``copy_url`` the copy
    we read when it is a repost (``null`` otherwise); ``url_kind`` says whether ``url`` is the
    original or a syndication (``null`` when not recorded)."""
    s = e.source
    out: dict[str, Any] = {}
    if e.quote is not None:
        out["quote"] = e.quote
    if e.note:
        out["note"] = e.note
    out |= {
        "speaker": e.speaker, "stance": e.stance.value, "side": e.side.value,
        "source_id": s.id, "source_title": s.title, "publisher": s.publisher,
        "date": s.date.date if s.date else None, "date_precision": s.date_precision,
        "url": source_url(s), "copy_url": source_copy_url(s), "url_kind": source_url_kind(s),
    }
    if event:
        out["event"] = event
    return out


def feature_properties(ds: Dataset, f: Feature) -> dict[str, Any]:
    """The exported properties of one feature (see :func:`to_geojson`)."""
    p = f.props
    start, start_prec = partial_date(p.start)
    end, end_prec = partial_date(p.end)
    return {
        "id": p.id, "layer": p.layer, "name": p.name, "kind": p.kind, "status": p.status.value,
        "chinese_funded": p.chinese_funded, "chinese_built": p.chinese_built, "precision_m": p.precision_m,
        "location_basis": p.location_basis.value, "location_note": p.location_note,
        "start": start or None, "start_precision": start_prec or None,
        "end": end or None, "end_precision": end_prec or None,
        "summary": p.summary,
        "evidence": [evidence_json(e, event) for e, event in feature_evidence(ds, f)],
    }


def to_geojson(ds: Dataset, features: Iterable[Feature]) -> str:
    """A GeoJSON FeatureCollection (RFC 7946, WGS 84) with the evidence embedded per feature."""
    fc = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": f.id, "geometry": rfc7946_geometry(f.geometry),
             "properties": feature_properties(ds, f)}
            for f in features
        ],
    }
    return json.dumps(fc, ensure_ascii=False, indent=1)
