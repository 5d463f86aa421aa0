"""Exports of what the map shows: GeoJSON, CSV, KML, and citation lists (CSV, BibTeX).

One module per format — :mod:`.geojson`, :mod:`.kml`, :mod:`.csv` (feature × evidence and
citations), :mod:`.bibtex` — with what they share in :mod:`.common`.  Every function takes the
features to export, already filtered by the caller, so an export contains exactly what the
reader is looking at.  Quotes are exported verbatim (’ “ ” kept).  ``tests/test_export_validators.py``
reads each format back with third-party validators (geojson-validator, GDAL, the OGC KML 2.2
schema, bibtexparser).
"""

from __future__ import annotations

from .bibtex import bibtex_entry, bibtex_escape, bibtex_fields, citations_bibtex
from .common import citations, source_copy_url, source_url
from .csv import BOM, CITATION_COLUMNS, ROW_COLUMNS, citation_rows, citations_csv, export_rows, to_csv
from .geojson import feature_properties, rfc7946_geometry, to_geojson
from .kml import evidence_summary, feature_style, kml_color, to_kml

__all__ = [
    "BOM", "CITATION_COLUMNS", "ROW_COLUMNS", "bibtex_entry", "bibtex_escape", "bibtex_fields",
    "citation_rows", "citations", "citations_bibtex", "citations_csv", "evidence_summary",
    "export_rows", "feature_properties", "feature_style", "kml_color", "rfc7946_geometry",
    "source_copy_url", "source_url", "to_csv", "to_geojson", "to_kml",
]
