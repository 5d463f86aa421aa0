"""The entry point: an uploaded file's name and bytes to a layer, or to messages saying why not."""

from __future__ import annotations

from pathlib import PurePath

from . import csv, geojson, kml, limits
from .common import Reject, UploadResult, clean_error, label as file_label, over_limit

SUPPORTED = ".geojson, .json, .kml, .kmz or .csv"


def parse_upload(name: str, data: bytes, max_bytes: int | None = None) -> UploadResult:
    """Read an uploaded ``.geojson``/``.json``, ``.kml``/``.kmz`` or ``.csv`` (lat/lon columns).

    A zip archive is recognised by its first bytes, whatever the file is called, and read as a
    KMZ within the limits of :mod:`layers.upload.limits`.  Never raises for bad input: the
    result's ``gdf`` is None and ``messages`` say why.
    """
    label = file_label(name)
    limit = limits.MAX_UPLOAD_BYTES if max_bytes is None else int(max_bytes)
    try:
        raw = bytes(data) if not isinstance(data, str) else data.encode("utf-8")
        if len(raw) > limit:
            size, cap = over_limit(len(raw), limit)
            raise Reject(f"{label} is {size}; uploads are limited to {cap}.")
        if not raw.strip():
            raise Reject(f"{label} is empty.")
        ext = PurePath(str(name or "")).suffix.lower()
        if limits.is_zip(raw):
            if ext not in (".kmz", ".kml", ".zip"):
                shown = ext or "(no extension)"
                hint = " (an Excel workbook is one)" if ext in (".xlsx", ".ods", ".docx") else ""
                raise Reject(f"{label} is a zip archive{hint}, not a {shown} file; upload a "
                             f"{SUPPORTED} file.")
            return kml.read_kmz(label, raw)
        if limits.is_gzip(raw):
            raise Reject(f"{label} is gzip-compressed; unpack it and upload the file inside.")
        if ext in (".geojson", ".json"):
            return geojson.read(label, raw)
        if ext == ".kml":
            return kml.read(label, raw)
        if ext in (".csv", ".txt", ".tsv"):
            return csv.read(label, raw)
        if ext == ".kmz":
            raise Reject(f"{label} is not a zip archive, which a KMZ is; save it again from "
                         "Google Earth, or upload the .kml.")
        shown = ext or "(no extension)"
        raise Reject(f"{label}: unsupported file type {shown}; upload a {SUPPORTED} file.")
    except Reject as r:
        return UploadResult(None, [str(r)], 0)
    except MemoryError:
        return UploadResult(None, [f"{label} needs more memory than this server can give it."], 0)
    except Exception as e:  # last resort: never a traceback for the reader
        return UploadResult(None, [f"{label} could not be read ({e.__class__.__name__}: "
                                   f"{clean_error(e, label)})."], 0)
