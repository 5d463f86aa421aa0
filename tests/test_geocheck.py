"""Geometry checks (layers/geocheck.py, wired into layers/load.py and ``python -m layers check``).

Each synthetic test writes a data folder (tests/datagen.py) with one feature that has one kind of
geometry problem and expects exactly one line for it.  The land reference is the repo's offline
basemap (data/basemap/ne_land.geojson); the country reference is the Natural Earth admin-0
extract beside it (data/basemap/ne_countries.geojson).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from shapely.geometry import Point, box, mapping
from shapely.geometry.polygon import orient

from layers import cli, geocheck
from layers.load import load_dataset
from tests import datagen as dg

REPO = Path(__file__).resolve().parents[1]
HAVE_COUNTRIES = geocheck.COUNTRIES_PATH.exists()
needs_countries = pytest.mark.skipif(not HAVE_COUNTRIES, reason="Natural Earth countries not available")


@pytest.fixture(autouse=True)
def _default_countries_file(monkeypatch):
    monkeypatch.delenv(geocheck.COUNTRIES_ENV, raising=False)


def _polygon(geom) -> dict:
    """GeoJSON of a shapely polygon, exterior counter-clockwise (RFC 7946), 5 decimals."""
    g = mapping(orient(geom, 1.0))
    return {"type": "Polygon",
            "coordinates": [[[round(x, 5), round(y, 5)] for x, y in ring] for ring in g["coordinates"]]}


def _load(tmp_path, *features, layer: str = "context"):
    layers = dg.default_layers()
    layers[layer] = layers[layer] + list(features)
    return load_dataset(dg.write_data(tmp_path / "data", layers=layers))


def _lines(ds, fid: str) -> list[str]:
    return [("warning: " if p.severity == "warning" else "") + str(p)
            for p in ds.problems if p.feature == fid]


def _area(fid: str, geometry: dict, **over) -> dict:
    over.setdefault("evidence", [{"source": "other-source", "note": "A note.", "speaker": "Press",
                                  "stance": "reports", "side": "independent"}])
    over.setdefault("events", [])
    return dg.feature(fid, "context", geometry, **over)


# --- 1. sea areas that are land --------------------------------------------------------------

@needs_countries
def test_sea_box_covering_land_is_a_warning_and_still_drawn(tmp_path):
    # a box off Koh Kong: more than half of it is Cambodian (and a little Thai) land
    sea = _area("sea-box", _polygon(box(102.9, 11.3, 103.3, 11.7)), surface="sea",
                name="Test sea drill area off Koh Kong, Cambodia, near Thailand")
    open_sea = _area("open-sea", _polygon(box(102.5, 10.0, 102.8, 10.3)), surface="sea",
                     name="Test sea area in the open Gulf")
    not_sea = _area("not-sea", _polygon(box(102.9, 11.3, 103.3, 11.7)),
                    name="Test area on the coast of Cambodia and Thailand")
    ds = _load(tmp_path, sea, open_sea, not_sea)
    assert _lines(ds, "sea-box") == [
        "warning: data/features/context.geojson: feature 'sea-box': field 'geometry': sea area is "
        "69% land (~1,323 km² of ~1,931 km²: Cambodia ~1,300 km², Thailand ~12 km²); a sea area "
        "may hold at most ~20 km² of land — cut the land out, or drop surface \"sea\""]
    assert _lines(ds, "open-sea") == []
    assert _lines(ds, "not-sea") == []  # only a sea area has to be at sea
    assert {"sea-box", "open-sea", "not-sea"} <= {f.id for f in ds.features}
    assert ds.errors == []


def test_sea_check_works_without_the_countries_file_and_says_what_was_skipped(tmp_path, monkeypatch):
    missing = tmp_path / "no-such-countries.geojson"
    monkeypatch.setenv(geocheck.COUNTRIES_ENV, str(missing))
    sea = _area("sea-box", _polygon(box(102.9, 11.3, 103.3, 11.7)), surface="sea",
                name="Test sea drill area off Koh Kong")
    ds = _load(tmp_path, sea)
    assert _lines(ds, "sea-box") == [
        "warning: data/features/context.geojson: feature 'sea-box': field 'geometry': sea area is "
        "69% land (~1,323 km² of ~1,931 km²); a sea area may hold at most ~20 km² of land — cut "
        "the land out, or drop surface \"sea\""]
    skipped = [str(p) for p in ds.problems if p.feature is None]
    assert skipped == [f"{missing}: Natural Earth file not found: areas were not checked against "
                       f"the countries they name"]
    assert ds.errors == []


# --- 2. areas reaching into a country they do not name ---------------------------------------

@needs_countries
def test_circle_reaching_into_an_unnamed_country_is_a_warning(tmp_path):
    circle = _polygon(Point(104.43, 10.42).buffer(0.1, quad_segs=16))  # Kampot coast → Ha Tien
    drill = _area("border-drill", circle, name="Test drill area, Kampot, Cambodia")
    no_country = _area("no-country-drill", circle, name="Test drill area, Kampot")
    named = _area("named-drill", circle, name="Test drill area, Kampot (Cambodia) and Kien Giang (Viet Nam)")
    wrong = _area("wrong-drill", circle, name="Test drill area, Kien Giang, Vietnam")
    inland = _area("inland-zone", _polygon(box(104.0, 11.0, 104.2, 11.2)), name="Test zone, Kampong Speu")
    # a point's uncertainty disk is not an area: no check
    pt = dg.point("border-point", "context", 104.43, 10.42, precision_m=20_000, name="Test point, Kampot")
    ds = _load(tmp_path, drill, no_country, named, wrong, inland, pt)
    for fid in ("border-drill", "no-country-drill"):  # naming no country: Cambodia is its own
        assert _lines(ds, fid) == [
            f"warning: data/features/context.geojson: feature '{fid}': field 'geometry': area "
            "reaches into Vietnam (~39 km² of its land), a country the feature does not name in its "
            "name, summary, details or location_note"]
    assert _lines(ds, "wrong-drill") == [
        "warning: data/features/context.geojson: feature 'wrong-drill': field 'geometry': area "
        "reaches into Cambodia (~120 km² of its land), a country the feature does not name in its "
        "name, summary, details or location_note"]
    assert _lines(ds, "named-drill") == []
    assert _lines(ds, "inland-zone") == []  # wholly in one country, naming none: nothing to say
    assert _lines(ds, "border-point") == []
    assert ds.feature("border-drill") is not None


# --- 3. coordinates that are not numbers -----------------------------------------------------

@pytest.mark.parametrize("coords, message", [
    (["103.6", "10.5"], 'coordinates[0] is the string "103.6", not a number (2 coordinates are not numbers)'),
    ([103.6, "10.5"], 'coordinates[1] is the string "10.5", not a number'),
    ([True, False], "coordinates[0] is the boolean true, not a number (2 coordinates are not numbers)"),
])
def test_string_and_boolean_point_coordinates_are_errors(tmp_path, coords, message):
    f = dg.point("bad-coords", "context", 103.6, 10.5)
    f["geometry"]["coordinates"] = coords
    ds = _load(tmp_path, f)
    assert _lines(ds, "bad-coords") == [
        f"data/features/context.geojson: feature 'bad-coords': field 'geometry': {message}"]
    assert ds.feature("bad-coords") is None


def test_boolean_in_a_polygon_ring_is_an_error(tmp_path):
    f = dg.feature("bool-ring")
    f["geometry"]["coordinates"][0][2] = [103.62, True]
    ds = _load(tmp_path, f, layer="ream")
    assert _lines(ds, "bool-ring") == [
        "data/features/ream.geojson: feature 'bool-ring': field 'geometry': coordinates[0][2][1] is "
        "the boolean true, not a number"]


# --- 4. RFC 7946 rings -----------------------------------------------------------------------

def test_clockwise_exterior_ring_is_a_warning_and_still_drawn(tmp_path):
    f = dg.feature("cw-ring")
    f["geometry"]["coordinates"][0].reverse()
    ds = _load(tmp_path, f, layer="ream")
    assert _lines(ds, "cw-ring") == [
        "warning: data/features/ream.geojson: feature 'cw-ring': field 'geometry': ring orientation "
        "does not follow RFC 7946 (exterior rings counter-clockwise, holes clockwise): "
        "coordinates[0] (exterior ring) is clockwise"]
    assert ds.feature("cw-ring") is not None
    assert len(ds.problems) == 1  # and nothing about the generated default features


def test_counter_clockwise_hole_is_a_warning(tmp_path):
    outer = [[103.0, 10.0], [103.4, 10.0], [103.4, 10.4], [103.0, 10.4], [103.0, 10.0]]
    hole = [[103.1, 10.1], [103.2, 10.1], [103.2, 10.2], [103.1, 10.2], [103.1, 10.1]]  # ccw: wrong
    f = _area("ccw-hole", {"type": "MultiPolygon", "coordinates": [[outer, hole]]},
              name="Test sea area in the Gulf of Thailand")
    ds = _load(tmp_path, f)
    assert _lines(ds, "ccw-hole") == [
        "warning: data/features/context.geojson: feature 'ccw-hole': field 'geometry': ring "
        "orientation does not follow RFC 7946 (exterior rings counter-clockwise, holes clockwise): "
        "coordinates[0][1] (hole) is counter-clockwise"]


def test_open_ring_and_short_ring_are_errors(tmp_path):
    open_ring = dg.feature("open-ring")
    del open_ring["geometry"]["coordinates"][0][-1]
    short = dg.feature("short-ring", geometry={"type": "Polygon", "coordinates": [
        [[103.60, 10.50], [103.62, 10.50], [103.60, 10.50]]]})
    ds = _load(tmp_path, open_ring, short, layer="ream")
    assert _lines(ds, "open-ring") == [
        "data/features/ream.geojson: feature 'open-ring': field 'geometry': ring coordinates[0] is "
        "not closed: it starts at [103.6, 10.5] and ends at [103.6, 10.52] (repeat the first "
        "position as the last)"]
    assert _lines(ds, "short-ring") == [
        "data/features/ream.geojson: feature 'short-ring': field 'geometry': ring coordinates[0] has "
        "3 positions; a polygon ring needs at least 4 (the first repeated as the last)"]
    assert ds.feature("open-ring") is None and ds.feature("short-ring") is None


def test_layers_check_prints_the_lines_and_fails_only_on_errors(tmp_path, capsys):
    cw = dg.feature("cw-ring")
    cw["geometry"]["coordinates"][0].reverse()
    root = dg.write_data(tmp_path / "data", layers={**dg.default_layers(), "ream": [cw]})
    assert cli.main(["--data", str(root), "check"]) == 0  # a warning does not fail the check
    assert "warning: data/features/ream.geojson: feature 'cw-ring': field 'geometry': ring orientation" \
        in capsys.readouterr().out
    bad = dg.point("bad-coords", "context", 103.6, 10.5)
    bad["geometry"]["coordinates"] = ["103.6", "10.5"]
    root = dg.write_data(tmp_path / "data2", layers={**dg.default_layers(), "context": [bad]})
    assert cli.main(["--data", str(root), "check"]) == 1
    assert ("data/features/context.geojson: feature 'bad-coords': field 'geometry': coordinates[0] is "
            "the string \"103.6\"") in capsys.readouterr().out


# --- the real data ---------------------------------------------------------------------------

def _copy_data(tmp_path) -> Path:
    root = tmp_path / "data"
    shutil.copytree(REPO / "data", root)
    return root


def _edit_features(root: Path, edits: dict[str, dict]) -> None:
    """Overwrite properties (and "geometry") of features in a copied data folder."""
    for path in (root / "features").glob("*.geojson"):
        fc = json.loads(path.read_text(encoding="utf-8"))
        for f in fc["features"]:
            change = dict(edits.get(f["properties"]["id"], {}))
            if "geometry" in change:
                f["geometry"] = change.pop("geometry")
            f["properties"].update(change)
        path.write_text(json.dumps(fc, ensure_ascii=False), encoding="utf-8")


def _print_geometry_problems(title: str, ds) -> list:
    found = [p for p in ds.problems if p.field == "geometry" or p.feature is None]
    print(f"\n{title}: {len(found)} geometry problem(s)")
    for p in found:
        print(("warning: " if p.severity == "warning" else "") + str(p))
    return found


@needs_countries
def test_real_data_geometry_problems_are_found(tmp_path):
    # today's data, with the claims area marked as at sea in the copy: printed, not asserted clean
    today = _copy_data(tmp_path / "today")
    _edit_features(today, {"th-kh-overlapping-claims-area": {"surface": "sea"}})
    _print_geometry_problems("data/ today (th-kh-overlapping-claims-area marked sea)", load_dataset(today))

    # the known cases, put back into a copy of today's data: each must be found
    root = _copy_data(tmp_path / "known")
    _edit_features(root, {fid: {**case, **({"surface": "sea"} if "claims" in fid else {})}
                          for fid, case in KNOWN.items()})
    ds = load_dataset(root)
    found = _print_geometry_problems("the known cases as they were", ds)
    assert {f.id for f in ds.features} >= set(KNOWN)  # warnings: still drawn
    by_feature = {fid: [str(p) for p in found if p.feature == fid and p.severity == "warning"]
                  for fid in KNOWN}
    for fid in ("gd2019-kampot", "gd2020-kampot"):
        assert by_feature[fid] == [
            f"data/features/drills.geojson: feature '{fid}': field 'geometry': ring orientation does "
            "not follow RFC 7946 (exterior rings counter-clockwise, holes clockwise): coordinates[0][0] "
            "(exterior ring) is clockwise (and 1 more ring)",
            f"data/features/drills.geojson: feature '{fid}': field 'geometry': area reaches into "
            "Vietnam (~31 km² of its land), a country the feature does not name in its name, "
            "summary, details or location_note"]
    [oca] = by_feature["th-kh-overlapping-claims-area"]
    assert oca.startswith("data/features/context.geojson: feature 'th-kh-overlapping-claims-area': "
                          "field 'geometry': sea area is 0.4% land (~204 km² of ~49,057 km²: ")
    assert "Cambodia ~99 km²" in oca and "Thailand ~98 km²" in oca


# The known cases as they were in data/ when these checks were written (the data editor has
# since fixed them): the geometry and the four fields that may name a country.
KAMPOT_CIRCLE = {"type": "MultiPolygon", "coordinates": [[[
    [104.45616, 10.59039], [104.45219, 10.56406], [104.44564, 10.53825], [104.43655, 10.5132],
    [104.42504, 10.48915], [104.41119, 10.46633], [104.40103, 10.45278], [104.37233, 10.48208],
    [104.36313, 10.48774], [104.33253, 10.48774], [104.30616, 10.47858], [104.2977, 10.48086],
    [104.28981, 10.4975], [104.28631, 10.54047], [104.26857, 10.55207], [104.2566, 10.56582],
    [104.24985, 10.57026], [104.24269, 10.56904], [104.23658, 10.56464], [104.23032, 10.56314],
    [104.22267, 10.57026], [104.20704, 10.54999], [104.18116, 10.54955], [104.13014, 10.56281],
    [104.11313, 10.56094], [104.08904, 10.55463], [104.07179, 10.55598], [103.97608, 10.58251],
    [103.95924, 10.58393], [103.94557, 10.58812], [103.91798, 10.61123], [103.91627, 10.6186],
    [103.90984, 10.63025], [103.91049, 10.64356], [103.91441, 10.66989], [103.92093, 10.69571],
    [103.92998, 10.72078], [103.94146, 10.74485], [103.95528, 10.76769], [103.9713, 10.78908],
    [103.98937, 10.80881], [104.00931, 10.82669], [104.03092, 10.84256], [104.05401, 10.85625],
    [104.07835, 10.86764], [104.1037, 10.87662], [104.12982, 10.88309], [104.15645, 10.887],
    [104.18335, 10.88831], [104.21025, 10.887], [104.23688, 10.88309], [104.263, 10.87662],
    [104.28835, 10.86764], [104.31269, 10.85625], [104.33578, 10.84256], [104.35739, 10.82669],
    [104.37733, 10.80881], [104.3954, 10.78908], [104.41142, 10.76769], [104.42524, 10.74485],
    [104.43672, 10.72078], [104.44577, 10.69571], [104.45229, 10.66989], [104.45621, 10.64356],
    [104.45751, 10.61697], [104.45616, 10.59039]]], [[[104.08328, 10.36481], [104.05421, 10.37787],
    [104.03115, 10.39154], [104.00954, 10.40739], [103.98961, 10.42525], [103.97911, 10.43671],
    [103.98341, 10.44221], [103.99317, 10.4501], [104.00473, 10.451], [104.08204, 10.371],
    [104.08328, 10.36481]]]]}
KNOWN = {
    "gd2019-kampot": {
        "geometry": KAMPOT_CIRCLE,
        "name": ("Golden Dragon 2019 (3rd): Chum Kiri, Kampot"),
        "summary": ("Third Golden Dragon exercise, from 13 Mar to about 26 Mar 2019, at the Chum "
                    "Kiri military shooting range in Chum Kiri district, Kampot: more than 250 "
                    "Chinese and about 2,500 Cambodian troops, with live fire."),
        "details": ("End date approximate (about 26 Mar). Sources: RFA; Sky Radio."),
        "location_note": ("Province-level estimate: the exercise was at the Chum Kiri Military "
                          "Shooting Range Training Field in Chum Kiri district, Kampot province; "
                          "no coordinate is published. Circle of 30 km radius around the "
                          "provincial town Kampot (Natural Earth populated place, 10.61709 N, "
                          "104.18335 E), clipped to Natural Earth land. The district may lie "
                          "partly outside the circle; the precision is a generous allowance at "
                          "province scale, not a measured value. Not a boundary."),
    },
    "gd2020-kampot": {
        "geometry": KAMPOT_CIRCLE,
        "name": ("Golden Dragon 2020 (4th): Chum Kiri, Kampot"),
        "summary": ("Fourth Golden Dragon exercise, opened on 15 Mar 2020 and running to about 30"
                    " Mar, in Chum Kiri district, Kampot, despite COVID-19 fears: 2,763 Cambodian"
                    " and 256 Chinese troops (about 3,000 in all)."),
        "details": ("Chinese contingent 256 (Fresh News) vs 265 in another report; training area "
                    "given as 10,000 ha or 17,000 ha. End date approximate. No edition was held "
                    "in 2021–2022 (COVID)."),
        "location_note": ("Province-level estimate: the exercise was at a training area in Chum "
                          "Kiri district, Kampot province; no coordinate is published. Circle of "
                          "30 km radius around the provincial town Kampot (Natural Earth "
                          "populated place, 10.61709 N, 104.18335 E), clipped to Natural Earth "
                          "land. The district may lie partly outside the circle; the precision is"
                          " a generous allowance at province scale, not a measured value. Not a "
                          "boundary."),
    },
    "th-kh-overlapping-claims-area": {
        "geometry": {"type": "Polygon", "coordinates": [[[103.0, 9.0], [103.0, 11.7], [101.5, 11.7],
                                                      [101.5, 9.0], [103.0, 9.0]]]},
        "name": ("Thailand–Cambodia Overlapping Claims Area (schematic)"),
        "summary": ("Sea area of about 26,000 km² in the Gulf of Thailand claimed by both "
                    "Cambodia (1972) and Thailand (1973). A 2001 memorandum of understanding set "
                    "up talks on a boundary in the north and joint development in the south; "
                    "talks resumed in November 2024."),
        "details": ("Area about 26,000 km² (RFA) vs 27,000 km² in some reports. MOU signed June "
                    "2001 (often called MOU-44); the Abhisit government revoked it on 10 Nov "
                    "2009; later revived; talks resumed in Nov 2024 (RFA; VNA). The MOU splits "
                    "the area into a northern part for boundary delimitation and a southern part "
                    "for joint development, commonly described as divided at the 11th parallel "
                    "north (not verified in our sources). The drawn box covers about 49,000 km², "
                    "far more than the area itself."),
        "location_note": ("Labelled schematic box (lon 101.5–103.0 E, lat 9.0–11.7 N) from a "
                          "general-knowledge description in our research notes: it starts near "
                          "the land-border terminus by Koh Kood and extends south-west. It is NOT"
                          " the claim lines and not a boundary — no coordinates for them are "
                          "published in our sources; ±50 km."),
    },
}
