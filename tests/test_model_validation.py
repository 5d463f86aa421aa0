"""The data model and validation: one test per kind of bad data, each naming file/feature/field."""

from __future__ import annotations

import pytest

from layers.load import check_source_text, load_dataset
from layers.model import PartialDate, parse_partial_date
from tests import datagen as dg


def problems(tmp_path, **kw):
    ds = load_dataset(dg.write_data(tmp_path / "data", **kw))
    return ds, [str(p) for p in ds.errors]


def test_valid_data_loads_without_problems(tmp_path):
    ds, errs = problems(tmp_path)
    assert errs == []
    assert {f.id for f in ds.features} == {"test-harbour", "drill-area", "not-chinese-port", "capital"}
    ev = ds.evidence(ds.feature("test-harbour"))
    assert [e.quote for e in ev if e.quote] == ["The harbour “will become a base,” officials said.",
                                               "The ministry denied it"]
    assert any(e.event_id == "opening" for e in ev)


def test_bad_json_names_the_file_and_keeps_other_layers(tmp_path):
    ds, errs = problems(tmp_path, raw={"features/drills.geojson": "{not json"})
    assert any(e.startswith("data/features/drills.geojson: invalid JSON at line 1") for e in errs)
    assert ds.feature("test-harbour") is not None  # the rest still loads


def test_missing_required_field(tmp_path):
    f = dg.feature()
    del f["properties"]["summary"]
    _, errs = problems(tmp_path, layers={"ream": [f]})
    assert "data/features/ream.geojson: feature 'test-harbour': field 'summary': Field required" in errs


def test_bad_status_value(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(status="rumoured")]})
    assert any("field 'status'" in e and "test-harbour" in e for e in errs)


def test_unparseable_date(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(start="2024-13-01")]})
    assert any("field 'start'" in e and "month must be in 1..12" in e for e in errs)


def test_date_not_matching_precision(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(start={"date": "2024", "precision": "day"})]})
    assert any("field 'start'" in e and "does not match precision" in e for e in errs)


def test_end_before_start(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(start="2024-05", end="2023")]})
    assert any("end 2023 is before start 2024-05" in e for e in errs)


def test_duplicate_feature_id_across_layers(tmp_path):
    layers = dg.default_layers()
    layers["context"].append(dg.point("test-harbour", "context", 104.0, 11.0))
    ds, errs = problems(tmp_path, layers=layers)
    assert any("feature 'test-harbour': field 'id': duplicate feature id (also in data/features/ream.geojson)"
               in e for e in errs)
    assert len([f for f in ds.features if f.id == "test-harbour"]) == 1


def test_bad_slug_id(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature("Test Harbour!")]})
    assert any("field 'id'" in e for e in errs)


def test_unknown_excerpt_reference(tmp_path):
    f = dg.feature(evidence=[{"excerpt": "no-such-excerpt"}])
    ds, errs = problems(tmp_path, layers={"ream": [f]})
    assert ("data/features/ream.geojson: feature 'test-harbour': field 'evidence.0.excerpt': "
            "unknown excerpt 'no-such-excerpt'") in errs
    assert ds.feature("test-harbour") is None


def test_unknown_source_in_event_evidence(tmp_path):
    f = dg.feature(events=[{"id": "ev", "title": "E", "date": "2024",
                            "evidence": [{"source": "ghost", "note": "x", "speaker": "y",
                                          "stance": "reports", "side": "other"}]}])
    _, errs = problems(tmp_path, layers={"ream": [f]})
    assert any("field 'events.0.evidence.0.source': unknown source 'ghost'" in e for e in errs)


def test_feature_without_evidence(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(evidence=[])]})
    assert any("field 'evidence'" in e for e in errs)


def test_geometry_outside_region_hints_at_swapped_coordinates(tmp_path):
    f = dg.point("swapped", "context", 10.5, 103.6)
    _, errs = problems(tmp_path, layers={"context": [f]})
    assert any("feature 'swapped': field 'geometry': outside the map region" in e and "swapped" in e
               for e in errs)


def test_invalid_polygon(tmp_path):
    bowtie = {"type": "Polygon", "coordinates": [[[103, 10], [104, 11], [104, 10], [103, 11], [103, 10]]]}
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(geometry=bowtie)]})
    assert any("field 'geometry': invalid geometry: Self-intersection" in e for e in errs)


def test_missing_geometry(tmp_path):
    f = dg.feature()
    f["geometry"] = None
    _, errs = problems(tmp_path, layers={"ream": [f]})
    assert any("field 'geometry': unsupported or missing geometry type" in e for e in errs)


def test_non_wgs84_crs_is_rejected(tmp_path):
    import json
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "EPSG:32648"}},
          "features": [dg.feature()]}
    _, errs = problems(tmp_path, raw={"features/ream.geojson": json.dumps(fc)})
    assert any("data/features/ream.geojson: field 'crs': coordinates must be WGS84" in e for e in errs)


def test_layer_mismatch(tmp_path):
    _, errs = problems(tmp_path, layers={"ream": [dg.feature(layer="drills")]})
    assert any("field 'layer': layer 'drills' does not match file ream.geojson" in e for e in errs)


def test_javascript_url_rejected(tmp_path):
    _, errs = problems(tmp_path, sources=[dg.source(url="javascript:alert(1)"), dg.note_source()])
    assert any(e.startswith("data/sources.json: source 'test-source': field 'url'") for e in errs)


def test_duplicate_excerpt_id_across_sources(tmp_path):
    other = dg.note_source(excerpts=[{"id": "ex-base", "text": "x", "speaker": "s", "stance": "reports",
                                      "side": "other"}])
    _, errs = problems(tmp_path, sources=[dg.source(), other])
    assert any("excerpt id 'ex-base' is also used by source 'test-source'" in e for e in errs)


def test_unlinked_excerpt_is_a_warning(tmp_path):
    src = dg.source()
    src["excerpts"].append({"id": "ex-orphan", "text": "Drills took place", "speaker": "s",
                            "stance": "reports", "side": "other"})
    ds, errs = problems(tmp_path, sources=[src, dg.note_source()])
    assert errs == []
    assert any(p.severity == "warning" and "ex-orphan" in str(p) for p in ds.problems)


def test_missing_file(tmp_path):
    root = dg.write_data(tmp_path / "data")
    (root / "features" / "economic.geojson").unlink()
    ds = load_dataset(root)
    assert "data/features/economic.geojson: file not found" in [str(p) for p in ds.errors]
    assert ds.feature("test-harbour") is not None


def test_source_text_check_passes_and_measures_share(tmp_path):
    ds = load_dataset(dg.write_data(tmp_path / "data"))
    assert check_source_text(ds, "test-source", dg.SOURCE_TEXT) == []


def test_source_text_check_catches_a_straightened_apostrophe(tmp_path):
    src = dg.source()
    src["excerpts"][0]["text"] = src["excerpts"][0]["text"].replace("“", '"')
    ds = load_dataset(dg.write_data(tmp_path / "data", sources=[src, dg.note_source()]))
    probs = [str(p) for p in check_source_text(ds, "test-source", dg.SOURCE_TEXT)]
    assert any("field 'excerpts.ex-base.text': not found verbatim" in p for p in probs)


def test_source_text_check_order_and_share(tmp_path):
    src = dg.source()
    src["excerpts"].reverse()
    ds = load_dataset(dg.write_data(tmp_path / "data", sources=[src, dg.note_source()]))
    probs = [str(p) for p in check_source_text(ds, "test-source", dg.SOURCE_TEXT)]
    assert any("not in document order" in p for p in probs)
    probs = [str(p) for p in check_source_text(ds, "test-source", dg.SOURCE_TEXT[:80] + "")]
    assert probs  # the excerpts cannot all be found in a truncated text


@pytest.mark.parametrize("text,first,last", [
    ("2024", "2024-01-01", "2024-12-31"), ("2024-02", "2024-02-01", "2024-02-29"),
    ("2023-12-03", "2023-12-03", "2023-12-03")])
def test_partial_dates(text, first, last):
    n = text.count("-")
    d = PartialDate(date=text, precision=["year", "month", "day"][n])
    assert (d.first_day.isoformat(), d.last_day.isoformat()) == (first, last)


def test_partial_date_rejects_garbage():
    for bad in ("", "24", "2024-1-1x", "June 2024", "2024/06/01"):
        with pytest.raises(ValueError):
            parse_partial_date(bad)
