"""Exports (layers.export): GeoJSON, CSV, KML and citations, on the mini fixture."""

from __future__ import annotations

import csv
import io
import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import pyogrio
import pytest

from layers import export as ex
from layers.load import check_source_text, load_dataset

MINI = Path(__file__).parent / "fixtures" / "mini"


@pytest.fixture(scope="module")
def ds():
    d = load_dataset(MINI)
    assert d.problems == []
    return d


def _n_evidence(ds, feats) -> int:
    return sum(len(ds.evidence(f)) for f in feats)


def test_fixture_is_valid_and_quotes_are_verbatim(ds):
    assert len(ds.sources) == 2 and len(ds.features) == 5
    assert {f.geometry["type"] for f in ds.features} == {"Point", "LineString", "Polygon"}
    text = (MINI / "source_text.txt").read_text(encoding="utf-8")
    assert check_source_text(ds, "test-gazette-2024-01-15", text) == []


def test_export_rows(ds):
    rows = ex.export_rows(ds, ds.features)
    assert len(rows) == _n_evidence(ds, ds.features)
    assert all(list(r) == ex.ROW_COLUMNS for r in rows)
    harbour = [r for r in rows if r["id"] == "test-harbour"]
    assert [r["event"] for r in harbour] == ["", "", "Test pier announced"]
    assert harbour[0]["quote"].startswith("“No foreign forces")
    assert harbour[1]["quote"] == "" and harbour[1]["note"].startswith("The fixture brief")
    assert (harbour[0]["lon"], harbour[0]["lat"]) == (103.61194, 10.50722)
    assert harbour[0]["start"] == "2022-06" and harbour[0]["start_precision"] == "month"
    assert harbour[0]["source_title"] == "Test Harbour pier to open next year, officials say"


def _read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")  # UTF-8 byte-order mark, for spreadsheets
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def test_csv_round_trip(ds):
    text = ex.to_csv(ds, ds.features)
    rows = _read_csv(text)
    assert list(rows[0]) == ex.ROW_COLUMNS
    assert len(rows) == _n_evidence(ds, ds.features)
    assert rows[0]["quote"] == ex.export_rows(ds, ds.features)[0]["quote"]
    assert {r["chinese_funded"] for r in rows} == {"true", "false", ""}


def test_csv_quote_with_apostrophe_comma_newline_round_trips(tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    src = json.loads((root / "sources.json").read_text(encoding="utf-8"))
    tricky = "It’s here, “they” said;\nsecond line, with \"plain\" quotes"
    src["sources"][0]["excerpts"][0]["text"] = tricky
    (root / "sources.json").write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    d = load_dataset(root)
    assert d.problems == []
    data = ex.to_csv(d, d.features).encode("utf-8")
    rows = _read_csv(data.decode("utf-8"))
    assert tricky in [r["quote"] for r in rows]
    # pandas reads it back too
    import pandas as pd
    df = pd.read_csv(io.BytesIO(data), encoding="utf-8-sig", keep_default_na=False)
    assert tricky in set(df["quote"])


def test_geojson(ds, tmp_path):
    text = ex.to_geojson(ds, ds.features)
    assert "’" in text and "“" in text  # ensure_ascii=False
    fc = json.loads(text)
    assert fc["type"] == "FeatureCollection" and len(fc["features"]) == 5
    props = {f["properties"]["id"]: f["properties"] for f in fc["features"]}
    h = props["test-harbour"]
    for key in ("id", "layer", "name", "kind", "status", "precision_m", "location_basis",
                "location_note", "start", "start_precision", "end", "end_precision", "summary"):
        assert key in h
    assert [e.get("event") for e in h["evidence"]] == [None, None, "Test pier announced"]
    assert "quote" in h["evidence"][0] and "quote" not in h["evidence"][1]
    assert h["evidence"][1]["note"] and h["evidence"][1]["publisher"] == "Test Institute for Maritime $tudies"
    assert props["test-exercise-track"]["end_precision"] == "approximate"
    path = tmp_path / "out.geojson"
    path.write_text(text, encoding="utf-8")
    gdf = gpd.read_file(path)
    assert len(gdf) == 5 and set(gdf["name"]) == {f.props.name for f in ds.features}


def _kml_layers(path: Path) -> gpd.GeoDataFrame:
    import pandas as pd
    parts = [gpd.read_file(path, layer=name) for name, _ in pyogrio.list_layers(path)]
    return pd.concat(parts, ignore_index=True)


def _placemarks(obj) -> list:
    from fastkml import Placemark
    out = []
    for f in getattr(obj, "features", None) or []:
        out += [f] if isinstance(f, Placemark) else _placemarks(f)
    return out


def test_kml_reads_back(ds, tmp_path):
    data = ex.to_kml(ds, ds.features)
    assert data.startswith(b"<?xml") and b"http://www.opengis.net/kml/2.2" in data
    path = tmp_path / "out.kml"
    path.write_bytes(data)
    gdf = _kml_layers(path)
    assert len(gdf) == 5
    name_col = "Name" if "Name" in gdf else "name"
    assert set(gdf[name_col]) == {f.props.name for f in ds.features}
    desc = gdf.set_index(name_col).loc["Test Harbour", "description"]
    assert "No foreign forces" in desc and "The Test Gazette" in desc and "https://example.org/" in desc
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastkml import kml
        doc = kml.KML.from_string(data)
    pms = _placemarks(doc)
    assert sorted(p.name for p in pms) == sorted(f.props.name for f in ds.features)


def test_kml_escapes_hostile_text(ds, tmp_path):
    root = tmp_path / "mini"
    shutil.copytree(MINI, root)
    src = json.loads((root / "sources.json").read_text(encoding="utf-8"))
    src["sources"][0]["excerpts"][1]["text"] = "<script>alert(1)</script> & “x”"
    (root / "sources.json").write_text(json.dumps(src, ensure_ascii=False), encoding="utf-8")
    d = load_dataset(root)
    data = ex.to_kml(d, d.features).decode("utf-8")
    assert "<script>" not in data
    assert "&lt;script&gt;" in data  # HTML-escaped, so Google Earth shows it as text


def test_subset_only_contains_subset(ds, tmp_path):
    subset = [f for f in ds.features if f.props.layer == "ream"]
    ids = {f.id for f in subset}
    assert {r["id"] for r in ex.export_rows(ds, subset)} == ids
    assert {f["id"] for f in json.loads(ex.to_geojson(ds, subset))["features"]} == ids
    path = tmp_path / "sub.kml"
    path.write_bytes(ex.to_kml(ds, subset))
    assert len(_kml_layers(path)) == 2
    assert b"Test Capital" not in path.read_bytes()
    # the capital cites the gazette, the airstrip only the institute
    only_airstrip = [ds.feature("test-airstrip")]
    assert [s.id for s in ex.citations(ds, only_airstrip)] == ["test-institute-2023-11"]
    assert ex.export_rows(ds, []) == [] and json.loads(ex.to_geojson(ds, []))["features"] == []


def test_citations_unique_and_sorted(ds):
    cites = ex.citations(ds, ds.features)
    assert [s.id for s in cites] == ["test-institute-2023-11", "test-gazette-2024-01-15"]
    rows = _read_csv(ex.citations_csv(ds, ds.features))
    assert [r["id"] for r in rows] == [s.id for s in cites]
    assert list(rows[0]) == ["id", "title", "publisher", "date", "date_precision", "url", "kind",
                             "copy_url", "url_kind", "authors", "accessed"]
    assert rows[0]["date_precision"] == "month" and rows[0]["kind"] == "think tank"
    assert rows[0]["url"].startswith("https://example.org/") and rows[0]["copy_url"] == ""


def test_bibtex(ds):
    bib = ex.citations_bibtex(ds, ds.features)
    assert bib.count("@online{") == 2
    assert "@online{test-institute-2023-11," in bib
    assert r"Harbours \& airstrips 100\% reviewed\_\{draft\} \#2" in bib
    assert r"Maritime \$tudies" in bib
    assert "url = {https://example.org/test-institute/brief_2?x=1&y=%20}" in bib  # verbatim
    assert "date = {2023-11}" in bib and "month = nov" in bib and "year = {2023}" in bib
    assert "note = {Date precision: month}" in bib
    # braces balance in every entry
    for entry in bib.split("@online")[1:]:
        unescaped = entry.replace(r"\{", "").replace(r"\}", "")
        assert unescaped.count("{") == unescaped.count("}")


def test_bibtex_escape_keeps_unicode():
    assert ex.bibtex_escape("Chinaʼs “port” ~ 50% & $1 #2 a_b {x} \\ ^") == (
        r"Chinaʼs “port” \textasciitilde{} 50\% \& \$1 \#2 a\_b \{x\} \textbackslash{} \textasciicircum{}"
    )


# --- format details (the validators' side is in test_export_validators.py) -----------------

def test_rfc7946_geometry_orients_rings_and_keeps_numbers():
    cw = [[103.0, 10.0], [103.0, 10.2], [103.2, 10.2], [103.2, 10.0], [103.0, 10.0]]
    ccw_hole = [[103.05, 10.05], [103.1, 10.05], [103.1, 10.1], [103.05, 10.1], [103.05, 10.05]]
    g = ex.rfc7946_geometry({"type": "Polygon", "coordinates": [cw, ccw_hole]})
    assert g["coordinates"] == [cw[::-1], ccw_hole[::-1]]  # same vertices, turned round
    assert isinstance(g["coordinates"][0][0], list) and isinstance(g["coordinates"][0][0][0], float)
    m = ex.rfc7946_geometry({"type": "MultiPolygon", "coordinates": [[cw], [cw[::-1]]]})
    assert m["coordinates"] == [[cw[::-1]], [cw[::-1]]]
    point = {"type": "Point", "coordinates": [103, 10]}
    assert ex.rfc7946_geometry(point) is point


def test_kml_color_is_aabbggrr():
    assert ex.kml_color("#c0392b", 0.9) == "e62b39c0"
    assert ex.kml_color("#d62728") == "ff2827d6"
    assert ex.kml_color("#abc", 0) == "00ccbbaa"
    with pytest.raises(ValueError):
        ex.kml_color("red")


def test_kml_styles_follow_the_map(ds):
    from layers.registry import BY_ID
    from layers.spec import CONTESTED_OUTLINE

    zone = ds.feature("test-economic-zone")
    plain, contested = ex.feature_style(zone, False), ex.feature_style(zone, True)
    color = BY_ID["economic"].feature_color(zone.props)
    assert plain.id == f"gw-economic-{color[1:]}" and contested.id == plain.id + "-contested"
    assert plain.fill == contested.fill == ex.kml_color(color, BY_ID["economic"].fill_opacity)
    assert plain.line == ex.kml_color(color, 0.9) and plain.width == 2
    assert contested.line == ex.kml_color(CONTESTED_OUTLINE, 0.9) and contested.width == 3
    data = ex.to_kml(ds, ds.features).decode("utf-8")
    assert data.count("<Style id=") == len({f.props.layer for f in ds.features})
    assert data.count("<styleUrl>#gw-") == len(ds.features)
    assert "<LineString><tessellate>1</tessellate>" in data and "<Polygon><tessellate>1</tessellate>" in data
    assert "<TimeSpan><begin>2022-06-01</begin>" in data  # the harbour's start, June 2022


def _source(**over):
    from layers.model import Source

    base = {"id": "a-source", "title": "A title", "publisher": "A Publisher",
            "date": "2024-05", "url": "https://example.org/a", "kind": "news"}
    return Source.model_validate(base | over)


def test_bibtex_undated_page_gets_the_consulted_year_not_a_publication_date():
    f = dict(ex.bibtex_fields(_source(date=None, accessed="2026-02-11", kind="reference")))
    assert "date" not in f and "month" not in f
    assert f["year"] == "2026" and f["urldate"] == "2026-02-11"
    assert f["note"].startswith("Undated page: no publication date is given; the year is the year")


def test_bibtex_authors_and_links():
    s = _source(authors=["Jane Doe", "Smith and Sons"], url_kind="syndication",
                copy_url="https://repost.example.com/a_b")
    f = dict(ex.bibtex_fields(s))
    assert f["author"] == "Jane Doe and {Smith and Sons}"
    assert f["url"] == "https://example.org/a"
    assert "syndication" in f["note"] and r"Copy read: https://repost.example.com/a\_b" in f["note"]
    g = dict(ex.bibtex_fields(_source(url=None, copy_url="https://mirror.example.com/x")))
    assert "url" not in g and "author" not in g and "Link to the original unknown" in g["note"]
    assert g["organization"] == "A Publisher"


def test_cli_export_writes_the_same_bytes_as_the_app(ds, tmp_path, capsysbinary):
    from layers import cli

    for fmt, func in (("csv", ex.to_csv), ("kml", ex.to_kml), ("bibtex", ex.citations_bibtex)):
        out = tmp_path / f"out.{fmt}"
        assert cli.main(["--data", str(MINI), "export", "--format", fmt, "-o", str(out)]) == 0
        want = func(ds, ds.features)
        assert out.read_bytes() == (want if isinstance(want, bytes) else want.encode("utf-8"))
    capsysbinary.readouterr()
    assert cli.main(["--data", str(MINI), "export", "--format", "citations-csv"]) == 0
    assert capsysbinary.readouterr().out == ex.citations_csv(ds, ds.features).encode("utf-8")
