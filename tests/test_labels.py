"""Feature names on the map: data fields, placement by priority without overlaps, markers."""

from __future__ import annotations

import itertools
from pathlib import Path

import folium
import pytest

from layers import labels as lb
from layers.load import load_dataset
from tests import datagen as dg

DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(scope="module")
def real():
    ds = load_dataset(DATA)
    labels = lb.label_candidates(ds.features)
    obstacles = lb.ne_place_obstacles(DATA)
    return ds, labels, obstacles, lb.place_labels(labels, obstacles=obstacles)


def _label(fid, text, lat, lon, rank, point=True, size=0.0):
    return lb.Label(feature_id=fid, layer="ream", text=text, lat=lat, lon=lon, rank=rank, point=point,
                    size=size)


def _errors(tmp_path, **props):
    ds = load_dataset(dg.write_data(tmp_path / "data", layers={"ream": [dg.feature(**props)]}))
    return [str(p) for p in ds.errors]


# --------------------------------------------------------------------------- model

def test_model_accepts_label_and_rank(tmp_path):
    assert _errors(tmp_path, label="Ream Naval Base", label_rank=1) == []
    ds = load_dataset(tmp_path / "data")
    assert ds.feature("test-harbour").props.label == "Ream Naval Base"
    assert ds.feature("test-harbour").props.label_rank == 1


@pytest.mark.parametrize("label, message", [
    ("x" * 33, "at most 32 characters"),
    ("", "at least 1 character"),
    (" Ream", "must not start or end with white space"),
    ("Ream ", "must not start or end with white space"),
    ("Ream\nbase", "one line of printable text"),
])
def test_model_rejects_bad_labels(tmp_path, label, message):
    errs = _errors(tmp_path, label=label)
    assert any("feature 'test-harbour': field 'label'" in e and message in e for e in errs), errs


@pytest.mark.parametrize("rank", [0, 6])
def test_model_rejects_rank_out_of_range(tmp_path, rank):
    errs = _errors(tmp_path, label_rank=rank)
    assert any("field 'label_rank'" in e and ("greater than or equal to 1" in e or "less than or equal to 5" in e)
               for e in errs), errs


# --------------------------------------------------------------------------- candidates

def test_candidates_from_real_data(real):
    ds, labels, _, _ = real
    by = {lab.feature_id: lab for lab in labels}
    assert set(by) == {f.id for f in ds.features}
    assert all(f.props.label for f in ds.features)  # every feature in data/ has a short label
    ream = by["ream-naval-base"]
    assert (ream.text, ream.rank, ream.point) == ("Ream Naval Base", 1, False)
    assert by["ream-pier-works"].text == "Pier & dry dock" and by["ream-pier-works"].rank == 3
    assert by["phnom-penh"].rank == 2 and by["phnom-penh"].point
    assert by["dara-sakor-airport"].rank == 3  # no label_rank: the economic layer's default
    # a line is labelled halfway along it, not at an end (Sihanoukville)
    assert by["pp-sihanoukville-expressway"].lon > 104.0


def test_small_area_is_labelled_like_a_point_until_it_is_large_on_screen(real):
    _, labels, _, mz = real
    ream = next(lab for lab in labels if lab.feature_id == "ream-naval-base")  # about 1 km across
    assert 10 <= ream.point_below <= 14
    x, y = lb.world_px(ream.lat, ream.lon, 7)
    assert lb.label_box(ream, 7)[0] > x  # beside its symbol at the opening zoom
    x, y = lb.world_px(ream.lat, ream.lon, 16)
    box = lb.label_box(ream, 16)
    assert box[0] < x < box[2] and abs((box[0] + box[2]) / 2 - x) < 1e-6  # centred when large
    cls = lb.label_class(ream, mz["ream-naval-base"]).split()
    assert f"gw-ptz{ream.point_below}" in cls and "gw-label-area" in cls
    k = ream.point_below
    assert f".gw-zlt{k} .gw-ptz{k} span {{ left: 11px; transform: translateY(-50%); }}" in lb.LABEL_CSS
    big = next(lab for lab in labels if lab.feature_id == "th-kh-overlapping-claims-area")
    assert "gw-ptz" not in lb.label_class(big, max(mz[big.feature_id], big.point_below))


def test_long_name_is_clipped_and_default_rank_by_layer(tmp_path):
    ds = load_dataset(dg.write_data(tmp_path / "data", layers={
        "ream": [dg.feature(name="A very long feature name that goes on and on")],
        "context": [dg.point("capital", "context", 104.92, 11.57, name="Capital", chinese_funded=None)]}))
    by = {lab.feature_id: lab for lab in lb.label_candidates(ds.features)}
    assert by["test-harbour"].text == "A very long feature name that g…"
    assert len(by["test-harbour"].text) == 32
    assert (by["test-harbour"].rank, by["capital"].rank) == (1, 4)


# --------------------------------------------------------------------------- placement

def test_ream_is_named_at_the_opening_zoom(real):
    *_, mz = real
    assert mz["ream-naval-base"] is not None and mz["ream-naval-base"] <= 7


def test_no_two_shown_labels_overlap_at_any_zoom(real):
    _, labels, _, mz = real
    for z in lb.ZOOMS:
        shown = [lab for lab in labels if mz[lab.feature_id] is not None and mz[lab.feature_id] <= z]
        for a, b in itertools.combinations(shown, 2):
            assert not lb.overlaps(lb.label_box(a, z), lb.label_box(b, z)), (z, a.text, b.text)
    # not vacuous: unplaced, the real labels do collide at the opening zoom
    assert any(lb.overlaps(lb.label_box(a, 7), lb.label_box(b, 7)) for a, b in itertools.combinations(labels, 2))


def test_lower_rank_gives_way_to_higher_rank_at_zoom_7(real):
    _, labels, _, mz = real
    pairs = [(hi, lo) for hi, lo in itertools.permutations(labels, 2)
             if hi.rank < lo.rank and mz[hi.feature_id] is not None and mz[hi.feature_id] <= 7
             and lb.overlaps(lb.label_box(hi, 7), lb.label_box(lo, 7))]
    assert pairs  # e.g. "Pier & dry dock" under "Ream Naval Base"
    for hi, lo in pairs:
        assert mz[lo.feature_id] is None or mz[lo.feature_id] > 7, (hi.text, lo.text)


def test_priority_beats_id_order_and_the_minor_label_appears_when_zoomed_in():
    # 0.01° apart: the same spot at zoom 7, well apart from zoom 13
    minor = _label("a-minor", "Minor place", 10.50, 104.0, rank=3)
    major = _label("z-major", "Major place", 10.51, 104.0, rank=1)
    mz = lb.place_labels([minor, major])
    assert mz["z-major"] == 4
    assert mz["a-minor"] is not None and 7 < mz["a-minor"] <= 16


def test_min_zoom_is_the_zoom_from_which_a_label_always_shows():
    # a short area label and a point label 10 px west of it at zoom 8: apart at zooms 4–6, the
    # point's text (to its right) runs into the area label at 7–10, apart again from 11
    dlon = 10 / (256 * 2 ** 8) * 360
    area = _label("area", "B", 10.0, 104.0, rank=1, point=False)
    point = _label("point", "Cccc", 10.0, 104.0 - dlon, rank=2)
    assert not lb.overlaps(lb.label_box(area, 4), lb.label_box(point, 4))
    assert lb.overlaps(lb.label_box(area, 8), lb.label_box(point, 8))
    assert lb.place_labels([area, point]) == {"area": 4, "point": 11}


def test_point_symbols_of_more_important_features_are_avoided():
    # an area label centred just right of a rank-1 point: clear of its text, not of its symbol
    pt = _label("pt", "Somewhere important", 10.0, 104.0, rank=1)
    area = _label("area", "Zone", *_at(-8, 0), rank=2, point=False)
    assert not lb.overlaps(lb.label_box(pt, 7), lb.label_box(area, 7))
    assert lb.overlaps(lb.symbol_box(pt, 7), lb.label_box(area, 7))
    assert lb.place_labels([pt, area])["area"] > 7


def _at(dx, dy, z=7, lat=10.0, lon=104.0):
    """The (lat, lon) that lies (dx, dy) pixels from (lat, lon) at zoom z."""
    import math
    x, y = lb.world_px(lat, lon, z)
    scale = 256 * 2 ** z
    return (math.degrees(math.atan(math.sinh(math.pi * (1 - 2 * (y + dy) / scale)))),
            (x + dx) / scale * 360 - 180)


def test_ne_names_rank_between_2_and_3():
    town = [(10.0, 104.0, "Townsville", 0)]
    rank2 = _label("rank2", "Site two", 10.0, 104.0, rank=2)
    rank3 = _label("rank3", "Site three", 10.0, 104.0, rank=3)
    assert lb.place_labels([rank2], obstacles=town) == {"rank2": 4}
    assert lb.place_labels([rank3], obstacles=town) == {"rank3": None}
    assert lb.place_labels([rank3]) == {"rank3": 4}
    # an NE name only counts from its own min zoom
    assert lb.place_labels([rank3], zooms=[6, 7], obstacles=[(10.0, 104.0, "Townsville", 7)]) == {"rank3": None}
    assert lb.place_labels([rank3], zooms=[6], obstacles=[(10.0, 104.0, "Townsville", 7)]) == {"rank3": 6}


def test_ne_name_under_a_rank_1_label_no_longer_blocks_minor_labels():
    town = [(10.0, 104.0, "Town", 0)]
    cover = _label("cover", "Cover", *_at(0, -10), rank=1, point=False)  # overlaps the town's name
    minor = _label("minor", "Minor", *_at(-20, 10), rank=3)  # overlaps the town's name, not "Cover"
    assert lb.overlaps(lb.label_box(cover, 7), lb.obstacle_box(town[0], 7))
    assert lb.overlaps(lb.label_box(minor, 7), lb.obstacle_box(town[0], 7))
    assert not lb.overlaps(lb.label_box(minor, 7), lb.label_box(cover, 7))
    assert lb.place_labels([minor], zooms=[7], obstacles=town) == {"minor": None}
    assert lb.place_labels([minor, cover], zooms=[7], obstacles=town) == {"minor": 7, "cover": 7}


def test_feature_label_replaces_ne_name_of_the_same_place():
    label = _label("city", "Phnom Penh", 11.5694, 104.9211, rank=3)
    same = [(11.552, 104.9147, "Phnom Penh", 0)]  # 2 km away: the NE name gives way
    other = [(11.552, 104.9147, "Phnom Pen", 0)]
    far = [(11.552 + 0.3, 104.9147, "Phnom Penh", 0)]  # 33 km away: another place
    assert lb.place_labels([label], obstacles=same) == {"city": 4}
    assert lb.place_labels([label], obstacles=other)["city"] != 4
    assert lb.place_labels([label], obstacles=far)["city"] != 4


def test_ne_place_obstacles_read_the_basemap():
    obs = lb.ne_place_obstacles(DATA)
    pp = [o for o in obs if o[2] == "Phnom Penh"]
    assert pp and pp[0][3] == 0 and abs(pp[0][0] - 11.55) < 0.05 and abs(pp[0][1] - 104.91) < 0.05
    assert {o[3] for o in obs} <= {0, 5, 6, 7, 8}
    assert lb.ne_place_obstacles(Path("/nonexistent")) == []


def test_placement_is_deterministic(real):
    _, labels, obstacles, mz = real
    assert lb.place_labels(list(reversed(labels)), obstacles=list(reversed(obstacles))) == mz


# --------------------------------------------------------------------------- rendering

def test_markers_are_non_interactive_zoom_classed_text(real):
    _, labels, _, mz = real
    markers = lb.label_markers(labels, mz)
    assert len(markers) == sum(v is not None for v in mz.values()) > 10
    by_fid = {}
    for mk in markers:
        assert isinstance(mk, folium.Marker)
        assert mk.options["interactive"] is False and mk.options["keyboard"] is False
        assert mk.options["pane"] == lb.PANE == "gwLabels"
        cls = mk.icon.options["class_name"].split()
        assert "gw-label" in cls
        by_fid[mk.icon.options["html"].split('"')[1]] = cls
    ream = by_fid["ream-naval-base"]
    assert f"gw-lz{mz['ream-naval-base']}" in ream and "gw-rank1" in ream and "gw-label-area" in ream
    assert "gw-label-point" in by_fid["phnom-penh"]
    assert all(fid in by_fid for fid, z in mz.items() if z is not None)


def test_label_css_hides_below_min_zoom_and_map_gets_pane_and_hook():
    for k in range(5, 17):
        assert f".gw-zlt{k} .gw-lz{k} {{ display: none; }}" in lb.LABEL_CSS
    m = folium.Map(tiles=None)
    lb.add_label_support(m)
    lb.label_marker(_label("x", "X", 10.0, 104.0, 2), 9).add_to(m)
    page = m.get_root().render()
    assert ".gw-zlt9 .gw-lz9" in page and '"gwLabels"' in page and "620" in page
    assert "gw-ne-yield" in page and "requestAnimationFrame" in page
    assert list(range(4, 18)) == [k for k in lb.ZOOM_CLASS_STEPS if k <= 17]


def test_label_text_is_escaped(tmp_path):
    ds = load_dataset(dg.hostile(tmp_path / "data"))
    labels = lb.label_candidates(ds.features)
    evil = next(lab for lab in labels if lab.feature_id == "test-harbour")
    assert "<script>" in evil.text  # the raw (clipped) name
    html = lb.label_marker(evil, 5).icon.options["html"]
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith('<span data-feature="test-harbour">') and html.endswith("</span>")


def test_feature_labels_cover_the_whole_map_zoom_range(real):
    ds, _, obstacles, _ = real
    labels, mz = lb.feature_labels(ds.features, obstacles)
    assert mz == lb.place_labels(labels, range(4, 19), obstacles=obstacles)
    assert mz["ream-ncms-demolished"] is not None  # shown only at the map's last zooms
