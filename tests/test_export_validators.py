"""Every export read back by third-party tools: what other people's software will do with it.

* GeoJSON: ``geojson-validator`` (structure and RFC 7946 geometry rules, ring orientation
  included) and GDAL (through pyogrio).
* KML: the OGC KML 2.2 XML schema (the copy that ships with fastkml) checked by lxml, fastkml's
  parser, and GDAL; plus the styles Google Earth needs to draw it like the map.
* BibTeX: ``bibtexparser`` (2.x) parses every entry, LaTeX-decoded back to the source's text.
* CSV: UTF-8 with a byte-order mark, read back by Python's csv module and pandas.

Each runs on the repository's real data and on a generated data set with hostile text and
badly oriented polygons (``tests/datagen.py``), through the library functions the app's
download buttons call and through ``python -m layers export``.
"""

from __future__ import annotations

import csv
import io
import json
import shutil
import warnings
from pathlib import Path

import bibtexparser
import geojson_validator
import pandas as pd
import pyogrio
import pytest
from lxml import etree
from shapely.geometry import LinearRing, shape

from layers import cli
from layers import export as ex
from layers.evidence import contested_ids
from layers.load import load_dataset
from layers.registry import BY_ID
from layers.spec import CONTESTED_OUTLINE
from tests import datagen

REPO = Path(__file__).resolve().parents[1]
KML = "{http://www.opengis.net/kml/2.2}"
TEX = '50% & $1 #2 a_b {x} \\ ^ ~'  # every (La)TeX special
geojson_validator.configure_logging(enabled=False)


# --- data ---------------------------------------------------------------------------------

def _ring(x0, y0, x1, y1, ccw):
    r = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
    return r if ccw else r[::-1]


def _generated(root: Path) -> Path:
    """datagen's hostile data set plus clockwise polygons, a hole, a MultiPolygon, a line, and
    sources that are undated, name authors, or were read in a repost."""
    datagen.hostile(root)
    sources = json.loads((root / "sources.json").read_text("utf-8"))["sources"]
    sources[0]["title"] += " " + TEX
    sources += [
        datagen.note_source(id="undated-page", title=f"Reference page {TEX}", date=None,
                            accessed="2026-02-11", url="https://example.org/wiki/Page_(x)"),
        datagen.note_source(id="bylined", title="Bylined report", date="2024-05-16",
                            authors=["Jane Doe", "Sok, Dara", "Smith and Sons"],
                            url="https://example.net/orig", url_kind="syndication",
                            copy_url="https://repost.example.com/a?b=1&c=%20"),
        datagen.note_source(id="copy-only", title="Known only from a repost", date="2023",
                            url=None, copy_url="https://mirror.example.com/x_y"),
    ]

    def cite(*ids):
        return [{"source": i, "note": f"Cited {datagen.HOSTILE}", "speaker": "Press",
                 "stance": "reports", "side": "independent"} for i in ids]

    layers = json.loads(json.dumps(datagen.default_layers()))
    layers["ream"] = json.loads((root / "features" / "ream.geojson").read_text("utf-8"))["features"]
    layers["economic"] += [
        datagen.feature("cw-zone", "economic", {"type": "Polygon", "coordinates": [
            _ring(103.0, 10.0, 103.2, 10.2, ccw=False)]},
            name="Clockwise zone & “quotes”", summary="Line one\nline two\x0b", events=[],
            evidence=cite("undated-page", "bylined")),
        datagen.feature("route", "economic", {"type": "LineString", "coordinates": [
            [103.5, 10.6], [103.9, 10.9], [104.2, 11.1]]}, events=[], evidence=cite("copy-only")),
    ]
    layers["drills"] += [datagen.feature("holed-area", "drills", {"type": "Polygon", "coordinates": [
        _ring(103.3, 10.3, 103.7, 10.7, ccw=False), _ring(103.4, 10.4, 103.6, 10.6, ccw=True)]},
        name="Holed area", events=[], evidence=cite("other-source"))]
    layers["context"] += [datagen.feature("multi-area", "context", {"type": "MultiPolygon", "coordinates": [
        [_ring(102.6, 10.0, 102.8, 10.2, ccw=False)],
        [_ring(102.9, 10.0, 103.0, 10.1, ccw=True), _ring(102.92, 10.02, 102.95, 10.05, ccw=True)]]},
        name="Multi area", chinese_funded=None, events=[], evidence=cite("other-source"))]
    return datagen.write_data(root, sources=sources, layers=layers)


def _reversed_real(root: Path) -> Path:
    """The repository's data with every polygon ring turned the other way round (whatever
    orientation the data files have, the exports must follow RFC 7946)."""
    shutil.copytree(REPO / "data", root, dirs_exist_ok=True)
    for path in (root / "features").glob("*.geojson"):
        fc = json.loads(path.read_text("utf-8"))
        for feat in fc["features"]:
            g = feat["geometry"]
            if g["type"] == "Polygon":
                g["coordinates"] = [r[::-1] for r in g["coordinates"]]
            elif g["type"] == "MultiPolygon":
                g["coordinates"] = [[r[::-1] for r in poly] for poly in g["coordinates"]]
        path.write_text(json.dumps(fc, ensure_ascii=False), "utf-8")
    return root


@pytest.fixture(scope="module", params=["real", "real-reversed", "generated"])
def data(request, tmp_path_factory):
    """(data folder, dataset) for the repository's data (as it is, and with every ring
    reversed) and for the generated data."""
    if request.param == "real":
        root = REPO / "data"
    elif request.param == "real-reversed":
        root = _reversed_real(tmp_path_factory.mktemp("rev") / "data")
    else:
        root = _generated(tmp_path_factory.mktemp("gen"))
    ds = load_dataset(root)
    assert ds.features
    if request.param == "generated":
        assert not [p for p in ds.problems if p.severity == "error"], ds.problems
        assert len(ds.features) == 8 and {"undated-page", "bylined", "copy-only"} <= set(ds.sources)
    return root, ds


def _cli(root: Path, fmt: str, out: Path) -> bytes:
    assert cli.main(["--data", str(root), "export", "--format", fmt, "-o", str(out)]) == 0
    return out.read_bytes()


# --- GeoJSON ------------------------------------------------------------------------------

def _rings(geom):
    """(ring, is_exterior) for every ring of a (Multi)Polygon shapely geometry."""
    polys = [geom] if geom.geom_type == "Polygon" else list(getattr(geom, "geoms", []))
    for p in polys:
        if p.geom_type == "Polygon":
            yield p.exterior, True
            for h in p.interiors:
                yield h, False


def _numbers_only(coords) -> bool:
    if isinstance(coords, list):
        return all(_numbers_only(c) for c in coords)
    return isinstance(coords, (int, float)) and not isinstance(coords, bool)


@pytest.mark.parametrize("via", ["app", "cli"])
def test_geojson_passes_geojson_validator(data, via, tmp_path):
    root, ds = data
    path = tmp_path / "out.geojson"
    if via == "app":
        path.write_text(ex.to_geojson(ds, ds.features), encoding="utf-8")
    else:
        _cli(root, "geojson", path)
    fc = json.loads(path.read_text("utf-8"))
    assert geojson_validator.validate_structure(path, check_crs=True) == {}
    result = geojson_validator.validate_geometries(path)
    assert result["invalid"] == {}, result["invalid"]  # exterior_not_ccw, interior_not_cw, unclosed…
    assert result["skipped_validation"] == []
    # nothing problematic that the data did not already have (holes are allowed)
    src = geojson_validator.validate_geometries(
        {"type": "FeatureCollection", "features": [{"type": "Feature", "geometry": f.geometry,
                                                    "properties": {}} for f in ds.features]})
    assert set(result["problematic"]) <= set(src["problematic"]) | {"holes"}
    assert sum(result["count_geometry_types"].values()) == len(ds.features)
    for feat in fc["features"]:
        assert _numbers_only(feat["geometry"]["coordinates"]), feat["id"]


def test_geojson_read_by_gdal_keeps_orientation_and_links(data, tmp_path):
    root, ds = data
    path = tmp_path / "out.geojson"
    path.write_text(ex.to_geojson(ds, ds.features), encoding="utf-8")
    gdf = pyogrio.read_dataframe(path)
    assert len(gdf) == len(ds.features)
    assert list(gdf["name"]) == [f.props.name for f in ds.features]
    by_id = {f.id: f for f in ds.features}
    n_rings = 0
    for fid, geom in zip(gdf["id"], gdf.geometry):
        assert geom.is_valid or not shape(by_id[fid].geometry).is_valid, fid
        assert geom.equals(shape(by_id[fid].geometry)), fid  # same shape, only re-oriented
        for ring, exterior in _rings(geom):
            n_rings += 1
            assert ring.is_ccw == exterior, (fid, "exterior" if exterior else "hole")
    assert n_rings >= 3
    # every evidence item names the original's link (or null) and the copy read (or null)
    fc = json.loads(path.read_text("utf-8"))
    for feat in fc["features"]:
        for item, e in zip(feat["properties"]["evidence"], ds.evidence(by_id[feat["id"]])):
            assert "url" in item and item["url"] == e.source.url
            assert item.get("copy_url") == e.source.copy_url
            assert item.get("url_kind") == e.source.url_kind


# --- KML ----------------------------------------------------------------------------------

def _kml_schema() -> etree.XMLSchema:
    import fastkml

    xsd = Path(fastkml.__file__).parent / "schema" / "ogckml22.xsd"  # OGC KML 2.2, as shipped
    return etree.XMLSchema(etree.parse(str(xsd)))


def _abgr(color: str, opacity: float) -> str:
    h = color.lstrip("#").lower()
    return f"{round(opacity * 255):02x}{h[4:6]}{h[2:4]}{h[0:2]}"


@pytest.mark.parametrize("via", ["app", "cli"])
def test_kml_is_schema_valid_and_styled_like_the_map(data, via, tmp_path):
    root, ds = data
    path = tmp_path / "out.kml"
    if via == "app":
        path.write_bytes(ex.to_kml(ds, ds.features))
    else:
        _cli(root, "kml", path)
    tree = etree.parse(str(path))
    schema = _kml_schema()
    assert schema.validate(tree), [str(e) for e in schema.error_log][:5]

    doc = tree.getroot().find(f"{KML}Document")
    styles = {s.get("id"): s for s in doc.findall(f"{KML}Style")}
    assert styles
    contested = contested_ids(ds)
    pms = {}
    for pm in tree.getroot().iter(f"{KML}Placemark"):
        fid = [d.findtext(f"{KML}value") for d in pm.iter(f"{KML}Data") if d.get("name") == "feature_id"]
        pms[fid[0] if fid else None] = pm
    assert sorted(pms, key=str) == sorted(f.id for f in ds.features)
    for f in ds.features:
        pm = pms[f.id]
        assert pm.findtext(f"{KML}name") == f.props.name  # the plain name, exactly
        url = pm.findtext(f"{KML}styleUrl")
        assert url and url.startswith("#") and url[1:] in styles, f.id
        style = styles[url[1:]]
        want = BY_ID[f.props.layer].style(f.props, f.id in contested)
        assert want["color"] == (CONTESTED_OUTLINE if f.id in contested else BY_ID[f.props.layer].feature_color(f.props))
        line = style.find(f"{KML}LineStyle")
        assert line.findtext(f"{KML}color") == _abgr(want["color"], want["opacity"]), f.id
        assert float(line.findtext(f"{KML}width")) == want["weight"]
        assert style.find(f"{KML}PolyStyle").findtext(f"{KML}color") == _abgr(want["fillColor"], want["fillOpacity"])
        assert style.find(f"{KML}IconStyle").findtext(f"{KML}color") == _abgr(want["color"], want["opacity"])
        for tag in ("LineString", "Polygon"):
            for g in pm.iter(f"{KML}{tag}"):
                assert g.findtext(f"{KML}tessellate") == "1", (f.id, tag)
        for ring in pm.iter(f"{KML}outerBoundaryIs"):
            pts = [tuple(map(float, c.split(",")[:2]))
                   for c in ring.findtext(f".//{KML}coordinates").split()]
            assert LinearRing(pts).is_ccw, f.id  # the KML reference: outer rings counter-clockwise
    if contested:
        assert any(s.findtext(f"{KML}LineStyle/{KML}color").endswith(_abgr(CONTESTED_OUTLINE, 1)[2:])
                   for s in styles.values())


def test_kml_read_by_fastkml_and_gdal(data, tmp_path):
    root, ds = data
    data_bytes = ex.to_kml(ds, ds.features)
    path = tmp_path / "out.kml"
    path.write_bytes(data_bytes)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastkml import Placemark, kml
        k = kml.KML.from_string(data_bytes, strict=True)

    def marks(obj):
        out = []
        for f in getattr(obj, "features", None) or []:
            out += [f] if isinstance(f, Placemark) else marks(f)
        return out

    doc = k.features[0]
    pms = marks(k)
    assert sorted(p.name for p in pms) == sorted(f.props.name for f in ds.features)
    for p in pms:
        assert p.style_url is not None and doc.get_style_by_url(p.style_url.url) is not None, p.name
    # GDAL: one layer per map layer, named as in the legend; every feature, name and geometry
    layers = [name for name, _ in pyogrio.list_layers(path)]
    assert layers == [BY_ID[la].title for la in dict.fromkeys(
        la for la in ("ream", "drills", "economic", "context") if any(f.props.layer == la for f in ds.features))]
    gdf = pd.concat([pyogrio.read_dataframe(path, layer=name) for name in layers], ignore_index=True)
    assert len(gdf) == len(ds.features)
    name_col = "Name" if "Name" in gdf else "name"
    by_name = {f.props.name: f for f in ds.features}
    assert set(gdf[name_col]) == set(by_name)
    for name, geom in zip(gdf[name_col], gdf.geometry):
        want = shape(by_name[name].geometry)
        assert geom.geom_type.removeprefix("Multi") == want.geom_type.removeprefix("Multi"), name
        assert geom.buffer(0).symmetric_difference(want.buffer(0)).area < 1e-9, name
        for ring, exterior in _rings(geom):
            assert ring.is_ccw == exterior, name
    assert "<script>" not in data_bytes.decode("utf-8")


# --- BibTeX -------------------------------------------------------------------------------

def _decode(value: str) -> str:
    lib = bibtexparser.parse_string(f"@misc{{k, f = {{{value}}}}}",
                                    append_middleware=[bibtexparser.middlewares.LatexDecodingMiddleware()])
    # pylatexenc reads \textasciicircum as U+02C6; LaTeX prints an ASCII circumflex
    return lib.entries[0]["f"].replace("\u02c6", "^")


@pytest.mark.parametrize("via", ["app", "cli"])
def test_bibtex_parses_with_bibtexparser(data, via, tmp_path):
    root, ds = data
    if via == "app":
        bib = ex.citations_bibtex(ds, ds.features)
    else:
        bib = _cli(root, "bibtex", tmp_path / "out.bib").decode("utf-8")
    lib = bibtexparser.parse_string(bib)
    assert lib.failed_blocks == []
    cited = {e.source.id: e.source for f in ds.features for e in ds.evidence(f)}
    assert sorted(e.key for e in lib.entries) == sorted(cited)
    for entry in lib.entries:
        s = cited[entry.key]
        fields = entry.fields_dict
        assert entry.entry_type == "online"
        assert "year" in fields or "date" in fields, entry.key
        if "year" in fields:
            assert fields["year"].value.isdigit() and len(fields["year"].value) == 4, entry.key
        assert _decode(fields["title"].value) == " ".join(s.title.split()), entry.key
        if s.date is None:
            assert "date" not in fields, entry.key  # never an invented publication date
            assert fields["urldate"].value == s.accessed.date
            assert fields["year"].value == s.accessed.date[:4]
            assert "undated" in fields["note"].value.lower()
        else:
            assert fields["date"].value == s.date.date and fields["year"].value == s.date.date[:4]
        if s.authors:
            names = bibtexparser.parse_string(
                bib, append_middleware=[bibtexparser.middlewares.SeparateCoAuthors()]
            ).entries_dict[entry.key]["author"]
            assert len(names) == len(s.authors), (entry.key, names)
        else:
            assert "author" not in fields, entry.key
        if s.url:
            assert fields["url"].value == s.url.replace(" ", "%20")
        else:
            assert "url" not in fields
        if s.copy_url:
            assert "Copy read" in fields["note"].value


# --- CSV ----------------------------------------------------------------------------------

@pytest.mark.parametrize("which", ["rows", "citations"])
def test_csv_is_utf8_with_bom_in_app_and_cli(data, which, tmp_path, capsysbinary):
    root, ds = data
    fmt, func, columns = (("csv", ex.to_csv, ex.ROW_COLUMNS) if which == "rows"
                          else ("citations-csv", ex.citations_csv, ex.CITATION_COLUMNS))
    app = func(ds, ds.features)
    app_bytes = app.encode("utf-8") if isinstance(app, str) else app
    cli_bytes = _cli(root, fmt, tmp_path / "out.csv")
    assert cli.main(["--data", str(root), "export", "--format", fmt]) == 0
    out_bytes = capsysbinary.readouterr().out
    for raw in (app_bytes, cli_bytes, out_bytes):
        assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets then read UTF-8
        assert raw == app_bytes
    rows = list(csv.DictReader(io.StringIO(app_bytes.decode("utf-8-sig"), newline="")))
    assert list(rows[0]) == columns and "copy_url" in columns and "url" in columns
    df = pd.read_csv(io.BytesIO(app_bytes), encoding="utf-8-sig", keep_default_na=False, dtype=str)
    assert list(df.columns) == columns and len(df) == len(rows)
    by_source = {s.id: s for s in ds.sources.values()}
    key = "source_id" if which == "rows" else "id"
    for r in rows:
        s = by_source[r[key]]
        assert r["url"] == (s.url or "") and r["copy_url"] == (s.copy_url or "")
    if which == "rows":
        quotes = {e.quote for f in ds.features for e in ds.evidence(f) if e.quote}
        assert quotes <= set(df["quote"])  # verbatim, ’ “ ” and newlines included


# --- online basemaps ----------------------------------------------------------------------

def test_online_basemaps_come_from_xyzservices():
    import xyzservices.providers as xyz

    from layers import basemap, state

    providers = {"OpenStreetMap": xyz.OpenStreetMap.Mapnik, "Carto Positron": xyz.CartoDB.Positron,
                 "Esri World Imagery": xyz.Esri.WorldImagery}
    assert set(state.BASEMAPS.values()) == set(basemap.TILE_BASEMAPS)
    for name, p in providers.items():
        spec = basemap.TILE_BASEMAPS[name]
        assert spec["provider"] == p.name
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            assert spec["url"] == p.build_url(fill_subdomain=False)
        assert spec["max_zoom"] == p.get("max_zoom", 18)
        plain = spec["attribution"].replace(' target="_blank" rel="noopener"', "")
        assert plain == p.html_attribution
