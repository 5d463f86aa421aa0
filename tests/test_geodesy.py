"""Geodesic distances, rings and radius parsing (layers.geodesy)."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from layers.geodesy import (
    GEOD,
    KM_PER_NMI,
    distance_km,
    distance_table,
    parse_radii,
    range_ring,
    representative_point,
)
from layers.load import load_dataset

MINI = Path(__file__).parent / "fixtures" / "mini"

REAM = (103.61194, 10.50722)


@pytest.mark.parametrize(
    ("other", "km"),
    [
        ((100.917, 12.625), 376.4),  # Sattahip
        ((112.88917, 9.54917), 1021.0),  # Fiery Cross Reef
        ((103.224, 10.915), 62.1),  # Dara Sakor airport
        ((104.9211, 11.5694), 185.4),  # Phnom Penh
    ],
)
def test_distances_match_research_cross_checks(other, km):
    """Figures from shared/research/facts.md §D1."""
    assert distance_km(REAM, other) == pytest.approx(km, rel=0.005)
    assert distance_km(other, REAM) == pytest.approx(km, rel=0.005)


def test_nmi_conversion():
    assert KM_PER_NMI == 1.852
    assert distance_km(REAM, (100.917, 12.625)) / KM_PER_NMI == pytest.approx(203.2, rel=0.005)


def test_representative_points():
    assert representative_point({"type": "Point", "coordinates": [103.5, 10.5]}) == (103.5, 10.5)
    lon, lat = representative_point(
        {"type": "LineString", "coordinates": [[103.0, 10.0], [102.0, 11.0], [101.0, 12.0]]})
    assert lon == pytest.approx(102.0, abs=0.01) and lat == pytest.approx(11.0, abs=0.01)
    square = {"type": "Polygon", "coordinates": [[[103.5, 10.6], [103.7, 10.6], [103.7, 10.7],
                                                  [103.5, 10.7], [103.5, 10.6]]]}
    assert representative_point(square) == pytest.approx((103.6, 10.65))
    # a U shape: its centroid lies outside, so a point inside is used instead
    u = {"type": "Polygon", "coordinates": [[[100, 10], [103, 10], [103, 13], [102, 13], [102, 11],
                                             [101, 11], [101, 13], [100, 13], [100, 10]]]}
    from shapely.geometry import Point, shape
    assert shape(u).contains(Point(representative_point(u)))
    with pytest.raises(ValueError):
        representative_point({"type": "Point", "coordinates": []})


def test_distance_table_from_fixture():
    ds = load_dataset(MINI)
    df = distance_table(ds.features, "test-harbour")
    assert list(df.columns) == ["id", "name", "layer", "km", "nmi", "azimuth_deg", "precision_note"]
    assert "test-harbour" not in set(df["id"])
    assert len(df) == len(ds.features) - 1
    assert list(df["km"]) == sorted(df["km"])
    row = df.set_index("id").loc["test-airstrip"]
    assert row["km"] == pytest.approx(62.1, rel=0.005)
    assert row["nmi"] == pytest.approx(row["km"] / KM_PER_NMI)
    assert 270 < row["azimuth_deg"] < 360  # north-west of the harbour
    assert row["precision_note"] == "±1.3 km"  # 300 m + 1000 m
    capital = df.set_index("id").loc["test-capital"]
    assert capital["km"] == pytest.approx(185.4, rel=0.005)
    assert 0 < capital["azimuth_deg"] < 90
    assert df.set_index("id").loc["test-exercise-track", "precision_note"] == "±20 km"
    with pytest.raises(ValueError, match="no feature"):
        distance_table(ds.features, "nope")


@pytest.mark.parametrize("radius", [0.5, 50, 370.4, 1000, 5000])
def test_range_ring_vertices_are_at_the_radius(radius):
    ring = range_ring(REAM, radius, n=64)
    assert ring.is_valid
    xs, ys = ring.exterior.coords.xy
    assert len(xs) == 65  # closed
    for x, y in zip(xs, ys):
        _, _, d = GEOD.inv(REAM[0], REAM[1], x, y)
        assert d / 1000 == pytest.approx(radius, rel=1e-9, abs=1e-6)
    assert ring.contains(__import__("shapely").geometry.Point(REAM))


def test_range_ring_near_antimeridian_does_not_crash():
    ring = range_ring((179.5, 10.0), 300)
    assert ring.is_valid and max(ring.exterior.xy[0]) > 180


@pytest.mark.parametrize("bad", [0, -1, 5000.1, float("nan"), float("inf"), "x"])
def test_range_ring_rejects_bad_radius(bad):
    with pytest.raises(ValueError, match="radius"):
        range_ring(REAM, bad)


def test_range_ring_rejects_bad_centre():
    with pytest.raises(ValueError, match="centre"):
        range_ring((103, 95), 10)


def test_parse_radii():
    assert parse_radii("50, 100 ,200", "km") == [50.0, 100.0, 200.0]
    assert parse_radii("200;50 50", "km") == [50.0, 200.0]
    assert parse_radii("12", "nmi") == pytest.approx([12 * 1.852])
    assert parse_radii("2.5\t10", "nmi") == pytest.approx([4.63, 18.52])


@pytest.mark.parametrize(
    ("text", "unit", "match"),
    [
        ("", "km", "at least one"),
        ("   , ,", "km", "at least one"),
        ("50, abc", "km", "'abc' is not a number"),
        ("-5", "km", "positive"),
        ("0", "km", "positive"),
        ("nan", "km", "positive"),
        ("6000", "km", "too large; the limit is 5,000 km"),
        ("3000", "nmi", "too large; the limit is 2,700 nmi"),
        ("10", "miles", "unit"),
        (" ".join(str(i) for i in range(1, 30)), "km", "at most"),
    ],
)
def test_parse_radii_errors(text, unit, match):
    with pytest.raises(ValueError, match=match):
        parse_radii(text, unit)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=40))
def test_parse_radii_never_crashes_otherwise(text):
    try:
        radii = parse_radii(text, "km")
    except ValueError:
        return
    assert radii and all(0 < r <= 5000 for r in radii)
