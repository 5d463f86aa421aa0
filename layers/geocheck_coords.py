"""The GeoJSON coordinate checks of :mod:`layers.geocheck`, on a feature's raw ``geometry``.

* :func:`coordinate_problem` (an **error**, the feature is dropped): every coordinate must be a
  JSON number (``"103.6"``, ``true`` are refused — ``bool`` is an ``int`` in Python), finite; every
  polygon ring closed (first position = last) with at least 4 positions (RFC 7946 §3.1.6).
* :func:`orientation_problem` (a **warning**): RFC 7946 wants exterior rings counter-clockwise
  and holes clockwise.  Parsers must still accept either, and the exports orient rings.

Plain JSON walking, no shapely.  :mod:`layers.geocheck` re-exports both functions.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from typing import Any


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _describe(v: Any) -> str:
    if isinstance(v, bool):
        return f"the boolean {json.dumps(v)}"
    if isinstance(v, str):
        return f"the string {json.dumps(v, ensure_ascii=False)[:40]}"
    if v is None:
        return "null"
    if isinstance(v, (int, float, list)):
        return json.dumps(v)[:40]
    return "an object" if isinstance(v, dict) else f"a {type(v).__name__}"


# nesting depth of positions inside "coordinates" for each geometry type
_DEPTH = {"Point": 0, "MultiPoint": 1, "LineString": 1, "MultiLineString": 2, "Polygon": 2,
          "MultiPolygon": 3}


def _positions(node: Any, depth: int, path: str) -> Iterable[tuple[str, Any]]:
    """(path, node) for every position; a node that should be an array but is not is yielded
    too, where it stands."""
    if depth == 0 or not isinstance(node, list):
        yield path, node
        return
    for i, child in enumerate(node):
        yield from _positions(child, depth - 1, f"{path}[{i}]")


def _rings(coords: Any, gtype: str) -> list[tuple[str, Any, bool]]:
    """(path, ring, is_exterior) for every ring of a Polygon or MultiPolygon."""
    polys = [("coordinates", coords)] if gtype == "Polygon" else (
        [(f"coordinates[{i}]", p) for i, p in enumerate(coords)] if isinstance(coords, list) else [])
    out = []
    for ppath, poly in polys:
        if isinstance(poly, list):
            out += [(f"{ppath}[{j}]", ring, j == 0) for j, ring in enumerate(poly)]
    return out


def coordinate_problem(geom: dict[str, Any]) -> str | None:
    """Why ``geom``'s coordinates are not valid GeoJSON numbers and rings, or None.

    ``geom`` has a known ``type``.  What this does not look for (a LineString of one position,
    an empty geometry) is left to shapely.
    """
    gtype, coords = geom.get("type"), geom.get("coordinates")
    bad: list[str] = []
    for path, pos in _positions(coords, _DEPTH[gtype], "coordinates"):
        if not isinstance(pos, list):  # shapely reads a null ring as empty, then may crash
            what = "a position" if path.count("[") == _DEPTH[gtype] else "an array"
            return f"{path} is {_describe(pos)}; {gtype} coordinates need {what} there"
        for k, v in enumerate(pos):
            if not _is_number(v):
                bad.append(f"{path}[{k}] is {_describe(v)}, not a number")
            elif isinstance(v, float) and not math.isfinite(v):
                bad.append(f"{path}[{k}] is {v}, not a finite number")
        if len(pos) < 2 and not bad:
            return f"{path} has {len(pos)} number{'s' if len(pos) != 1 else ''}; a position needs [lon, lat]"
    if bad:
        more = f" ({len(bad)} coordinates are not numbers)" if len(bad) > 1 else ""
        return bad[0] + more
    if gtype in ("Polygon", "MultiPolygon"):
        for path, ring, _ in _rings(coords, gtype):
            if len(ring) < 4:
                return (f"ring {path} has {len(ring)} position{'s' if len(ring) != 1 else ''}; a polygon ring needs at least 4 "
                        f"(the first repeated as the last)")
            if ring[0] != ring[-1]:
                return (f"ring {path} is not closed: it starts at {ring[0]} and ends at {ring[-1]} "
                        f"(repeat the first position as the last)")
    return None


def _signed_area(ring: list[list[float]]) -> float:
    """Shoelace sum over lon/lat: > 0 for a counter-clockwise ring."""
    s = 0.0
    for (x1, y1, *_), (x2, y2, *_) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2


def orientation_problem(geom: dict[str, Any]) -> str | None:
    """RFC 7946 §3.1.6 ring orientation (call only on geometry that passed the other checks)."""
    gtype = geom.get("type")
    if gtype not in ("Polygon", "MultiPolygon"):
        return None
    wrong = []
    for path, ring, exterior in _rings(geom["coordinates"], gtype):
        a = _signed_area(ring)
        if a != 0 and (a > 0) != exterior:
            wrong.append(f"{path} ({'exterior ring' if exterior else 'hole'}) is "
                         f"{'clockwise' if a < 0 else 'counter-clockwise'}")
    if not wrong:
        return None
    n = len(wrong) - 1
    more = f" (and {n} more ring{'s' if n > 1 else ''})" if n else ""
    return (f"ring orientation does not follow RFC 7946 (exterior rings counter-clockwise, holes "
            f"clockwise): {wrong[0]}{more}")


__all__ = ["coordinate_problem", "orientation_problem"]
