"""What the map draws of a layer: at most ``MAX_DRAWN_VERTICES`` vertices.

A browser draws (and a reader can see) far fewer vertices than a file can hold: a polygon of a
million vertices made a 20.8 MB page that took 34–48 s to appear, and every later click took
7.5–11.6 s.  So lines and polygons are simplified for drawing (plain Douglas–Peucker, ten
times faster than the topology-keeping kind; a drawing may cut a corner) to the detail of a
screen showing the whole layer zoomed in 4 levels (1/32,768 of its extent, never finer than
1e-5°, about 1 m, to which the page rounds coordinates anyway), then coarser step by step until
the whole layer fits the cap.  A shape that simplifies to nothing is drawn as a point, and if
even the coarsest step is too much, every shape is.  Points are never simplified (a layer holds
at most 100,000 rows, fewer than the cap).  The layer itself keeps its full geometry: the
download ("Your layer (GeoJSON)") and everything else that reads the data see every vertex.

The drawing is computed once per layer (remembered for as long as the layer exists).
"""

from __future__ import annotations

from dataclasses import dataclass

import geopandas as gpd
import numpy as np
import shapely
from shapely.errors import GEOSException

from .memo import per_layer

MAX_DRAWN_VERTICES = 200_000  # ≈ 4 MB of coordinates in the page
FIT_PIXELS = 2048  # a screen showing the whole layer
DETAIL = 16  # ...zoomed in 4 levels
MIN_TOLERANCE = 1e-5  # degrees ≈ 1 m
MAX_STEPS = 12  # tolerance doublings before shapes become points


@dataclass
class Drawing:
    geoms: np.ndarray  # the geometry drawn for each row of the layer
    before: int  # vertices in the layer
    after: int  # vertices drawn
    mode: str = "full"  # "full", "simplified" or "points"

    @property
    def simplified(self) -> bool:
        return self.mode != "full"


def vertices(geoms: np.ndarray) -> int:
    return int(shapely.get_num_coordinates(geoms).sum()) if len(geoms) else 0


def for_drawing(geoms: np.ndarray, cap: int = MAX_DRAWN_VERTICES) -> Drawing:
    """The geometries to draw, within ``cap`` vertices (points count one each)."""
    geoms = np.asarray(geoms, dtype=object)
    is_point = shapely.get_type_id(geoms) == 0
    n_points = int(is_point.sum())
    shapes = geoms[~is_point]
    n_shape_vertices = vertices(shapes)
    before = n_points + n_shape_vertices
    budget = max(cap - n_points, 0)
    if n_shape_vertices <= budget:
        return Drawing(geoms, before, before)
    minx, miny, maxx, maxy = shapely.total_bounds(shapes)
    extent = max(maxx - minx, maxy - miny, 0.0)
    tol = max(extent / (FIT_PIXELS * DETAIL), MIN_TOLERANCE)
    drawn, mode = shapes, "simplified"
    for _ in range(MAX_STEPS):
        drawn = shapely.simplify(drawn, tol, preserve_topology=False)
        gone = shapely.is_empty(drawn) | shapely.is_missing(drawn)
        if gone.any():
            drawn[gone] = _points(shapes[gone])
        if vertices(drawn) <= budget:
            break
        tol *= 2
    else:
        drawn, mode = _points(shapes), "points"
    out = geoms.copy()
    out[~is_point] = drawn
    return Drawing(out, before, n_points + vertices(drawn), mode)


def _points(geoms: np.ndarray) -> np.ndarray:
    """A point on each shape (its centroid if GEOS cannot find one on the surface)."""
    try:
        return shapely.point_on_surface(geoms)
    except GEOSException:
        return shapely.centroid(geoms)


def drawing_for(gdf: gpd.GeoDataFrame, cap: int | None = None) -> Drawing:
    """:func:`for_drawing` of ``gdf``'s geometry, computed once while ``gdf`` lives."""
    cap = MAX_DRAWN_VERTICES if cap is None else int(cap)
    return per_layer(gdf, ("drawing", cap), lambda: for_drawing(gdf.geometry.to_numpy(), cap))
