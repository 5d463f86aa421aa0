"""The offline basemap's files: building and reading the Natural Earth extract in ``data/basemap/``.

* :func:`build_extracts` turns the Natural Earth 1:10m extracts (public domain) into four small
  GeoJSON files in ``data/basemap/`` (land, borders, places, sea names; about 160 KB together);
  :func:`main_build` is its command line.
* :func:`basemap_dir` finds those files and :func:`load_geojson` reads them (cached).

Drawing them as folium layers is :mod:`layers.basemap`, which re-exports the public names here.
"""

from __future__ import annotations

import argparse
import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parents[1] / "data" / "basemap"
DEFAULT_SOURCE_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "naturalearth"

FILES: dict[str, str] = {
    "land": "ne_land.geojson",
    "borders": "ne_borders.geojson",
    "places": "ne_places.geojson",
    "seas": "ne_seas.geojson",
}
SIZE_BUDGET = 250_000  # bytes, all basemap files together
LAND_TOLERANCE = 0.004  # degrees (~440 m), Douglas-Peucker, topology preserved
BORDER_TOLERANCE = 0.003
DECIMALS = 4  # ~11 m; Natural Earth 1:10m is only good to a few hundred metres anyway
PLACE_PROPS = ("NAME", "ADM0NAME", "SCALERANK", "POP_MAX", "ADM0CAP")
FOCUS_COUNTRY = "Cambodia"  # all its populated places are kept
MAX_PLACE_RANK = 7  # SCALERANK 0 (most important) … 10; other countries keep ranks <= this


# =========================================================================== building the files

def _round(coords: Any, nd: int = DECIMALS) -> Any:
    if isinstance(coords, (list, tuple)):
        if coords and isinstance(coords[0], (int, float)):
            return [round(float(c), nd) for c in coords]
        return [_round(c, nd) for c in coords]
    return coords


def _feature(geom: Any, props: dict[str, Any] | None = None) -> dict[str, Any]:
    from shapely.geometry import mapping

    g = mapping(geom)
    return {"type": "Feature", "properties": props or {},
            "geometry": {"type": g["type"], "coordinates": _round(g["coordinates"])}}


def _write(path: Path, features: list[dict[str, Any]]) -> int:
    doc = {"type": "FeatureCollection",
           "source": "Natural Earth 1:10m (public domain), simplified for Gulf Watch",
           "features": features}
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
    path.write_text(text, encoding="utf-8")
    return len(text.encode("utf-8"))


def _place_min_zoom(p: dict[str, Any]) -> int:
    """Zoom from which a place's name is shown (the zoom hook hides it below)."""
    rank = int(p.get("SCALERANK") or 10)
    if p.get("ADM0CAP") == 1:
        return 0
    if rank <= 4:
        return 5
    if rank <= 6:
        return 6
    if rank <= 7 and p.get("ADM0NAME") == FOCUS_COUNTRY:
        return 7
    return 8


def _keep_place(p: dict[str, Any]) -> bool:
    return (p.get("ADM0CAP") == 1 or p.get("ADM0NAME") == FOCUS_COUNTRY
            or int(p.get("SCALERANK") or 10) <= MAX_PLACE_RANK)


def build_extracts(src_dir: Path, out_dir: Path) -> dict[str, int]:
    """Write the simplified basemap GeoJSON files; return ``{file name: bytes}``.

    ``src_dir`` holds the ``ne_10m_*.geojson`` extracts (see its README).  Output is
    deterministic: rebuilding from the same input gives the same bytes.
    """
    import geopandas as gpd
    import shapely
    from shapely.geometry import LineString, MultiLineString

    src, out = Path(src_dir), Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)

    def read(name: str) -> gpd.GeoDataFrame:
        return gpd.read_file(src / f"{name}.geojson")

    sizes: dict[str, int] = {}

    # land + the small islands missing from it, one MultiPolygon
    land = shapely.union_all([*read("ne_10m_land").geometry, *read("ne_10m_minor_islands").geometry])
    land = shapely.simplify(land, LAND_TOLERANCE, preserve_topology=True)
    land = shapely.make_valid(shapely.set_precision(land, 10 ** -DECIMALS))
    polys = [g for g in shapely.get_parts(land) if g.geom_type == "Polygon" and not g.is_empty]
    polys.sort(key=lambda g: (-g.area, g.bounds))
    sizes[FILES["land"]] = _write(out / FILES["land"], [_feature(shapely.MultiPolygon(polys))])

    # country borders on land, one MultiLineString
    lines: list[LineString] = []
    for g in read("ne_10m_admin_0_boundary_lines_land").geometry:
        g = shapely.set_precision(shapely.simplify(g, BORDER_TOLERANCE, preserve_topology=True),
                                  10 ** -DECIMALS)
        lines += [p for p in shapely.get_parts(g) if p.geom_type == "LineString" and p.length > 0]
    lines.sort(key=lambda g: g.bounds)
    sizes[FILES["borders"]] = _write(out / FILES["borders"], [_feature(MultiLineString(lines))])

    # populated places: capitals, the larger towns, every Cambodian one
    places = read("ne_10m_populated_places")
    feats = []
    for row in places.itertuples(index=False):
        p = {k: getattr(row, k) for k in PLACE_PROPS}
        p = {k: (v.item() if hasattr(v, "item") else v) for k, v in p.items()}
        p["ADM0CAP"] = int(p["ADM0CAP"] or 0)
        if _keep_place(p):
            feats.append(_feature(row.geometry, p))
    feats.sort(key=lambda f: (f["properties"]["SCALERANK"], f["properties"]["NAME"]))
    sizes[FILES["places"]] = _write(out / FILES["places"], feats)

    # sea and gulf names, as label points inside their polygons
    seas = read("ne_10m_geography_marine_polys")
    feats = [_feature(row.geometry.representative_point(),
                      {"NAME": row.name, "FEATURECLA": row.featurecla, "SCALERANK": int(row.scalerank)})
             for row in seas.itertuples(index=False) if row.name]
    feats.sort(key=lambda f: (f["properties"]["SCALERANK"], f["properties"]["NAME"]))
    sizes[FILES["seas"]] = _write(out / FILES["seas"], feats)
    return sizes


def main_build(argv: list[str] | None = None) -> int:
    """``python -m layers basemap --from DIR [--out DIR]``: rebuild ``data/basemap``."""
    ap = argparse.ArgumentParser(prog="python -m layers basemap",
                                 description="Rebuild the offline Natural Earth basemap files.")
    ap.add_argument("--from", dest="src", type=Path, default=DEFAULT_SOURCE_DIR,
                    help="folder with the ne_10m_*.geojson extracts (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=DATA_DIR, help="output folder (default: %(default)s)")
    args = ap.parse_args(argv)
    sizes = build_extracts(args.src, args.out)
    for name, size in sizes.items():
        print(f"{name}: {size:,} bytes")
    from .geocheck import build_countries_extract

    print(f"ne_countries.geojson (for layers check only, not sent to browsers): "
          f"{build_countries_extract(args.src, args.out):,} bytes")
    total = sum(sizes.values())
    print(f"total: {total:,} bytes (budget {SIZE_BUDGET:,})")
    if total > SIZE_BUDGET:
        print("error: basemap files exceed the size budget", file=sys.stderr)
        return 1
    return 0


# =========================================================================== loading (cached)

def basemap_dir(data_dir: Path | None = None) -> Path:
    """``data_dir`` may be the ``data/`` folder or ``data/basemap`` itself."""
    d = Path(data_dir) if data_dir is not None else DATA_DIR
    if not (d / FILES["land"]).exists() and (d / "basemap" / FILES["land"]).exists():
        d = d / "basemap"
    return d


@lru_cache(maxsize=32)
def _load(path: str, mtime_ns: int, size: int) -> dict[str, Any]:
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_geojson(path: Path) -> dict[str, Any]:
    """Parsed GeoJSON, cached per path (and invalidated when the file changes)."""
    st = Path(path).stat()
    return _load(str(path), st.st_mtime_ns, st.st_size)


__all__ = [
    "DATA_DIR", "DEFAULT_SOURCE_DIR", "FILES", "PLACE_PROPS", "SIZE_BUDGET", "basemap_dir",
    "build_extracts", "load_geojson", "main_build",
]
