"""Page logic with Streamlit's AppTest (no browser): deep links, selection → panel, filters,
warnings for bad data, the URL kept in sync."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from tests import datagen as dg

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def data(tmp_path, monkeypatch):
    root = dg.write_data(tmp_path / "data")
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(root))
    return root


def run(query: dict | None = None, **state) -> AppTest:
    """Open the page (with URL parameters), then set session state as a widget would."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    at.run()
    if state:
        for k, v in state.items():
            at.session_state[k] = v
        at.run()
    return at


def html_text(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html"))


def panel_text(at: AppTest) -> str:
    return "\n".join(h.proto.body for h in at.get("html") if 'class="gw-panel" data-feature=' in h.proto.body)


def map_args(at: AppTest) -> dict:
    (comp,) = at.get("component_instance")
    assert comp.proto.component_name == "streamlit_folium.st_folium"
    return json.loads(comp.proto.json_args)


def test_page_renders_with_map_and_no_exception(data):
    at = run()
    assert not at.exception
    assert '<h1>Gulf Watch</h1>' in html_text(at)  # a one-line header, not a page-high title
    args = map_args(at)
    for fid in ("test-harbour", "drill-area", "not-chinese-port", "capital"):
        assert f"gw-f-{fid}" in args["feature_group"]
    assert all("http" not in link for link in args["js_links"] + args["css_links"])  # offline assets
    assert "Click a site on the map" in html_text(at)


def test_deep_link_selects_feature_and_centres_map(data):
    at = run({"feature": "test-harbour"})
    text = html_text(at)
    assert 'data-feature="test-harbour"' in text
    assert "The harbour “will become a base,” officials said." in text
    args = map_args(at)
    assert args["center"] and abs(args["center"][0] - 10.51) < 1e-3 and args["zoom"] >= 10
    assert "GwLiveSelection" not in args["feature_group"] and "gw-selected" in args["script"]


def test_a_new_selection_leaves_the_map_groups_as_they_were(data):
    """streamlit-folium removes and re-adds every group when any of them changes; the map
    outlines the selection itself (from the URL), so selecting must not touch the groups."""
    before = map_args(run())
    for fid in ("test-harbour", "capital", "drill-area"):
        args = map_args(run(sel=fid))
        assert args["feature_group"] == before["feature_group"], fid
        assert args["script"] == before["script"], fid  # and the map is not rebuilt either


def test_selection_in_session_shows_panel_and_updates_url(data):
    at = run(sel="capital")
    assert 'data-feature="capital"' in html_text(at)
    assert at.query_params["feature"] == "capital"


def test_map_click_callback_selects_clicked_feature(data):
    from layers import ui

    at = run()
    # what st_folium stores under our key when a GeoJSON feature is clicked
    at.session_state[ui.MAP_KEY] = {"last_active_drawing": {"type": "Feature",
                                                            "properties": {"id": "drill-area"}},
                                    "last_object_clicked": {"lat": 10.6, "lng": 103.45}}
    at.run()
    # the callback is what st_folium calls on change; call it the same way
    import streamlit as st  # noqa: F401

    with pytest.MonkeyPatch.context() as mp:
        fake = {ui.MAP_KEY: at.session_state[ui.MAP_KEY]}
        mp.setattr(ui.st, "session_state", fake)
        ui.on_map_change()
        assert fake["sel"] == "drill-area"
        fake["sel"] = "capital"  # chosen elsewhere (table); a pan calls back with the old click
        fake[ui.MAP_KEY] = {**fake[ui.MAP_KEY], "center": {"lat": 1, "lng": 2}, "zoom": 9}
        ui.on_map_change()
        assert fake["sel"] == "capital"


def notices(at: AppTest) -> list[str]:
    """The link notices, as shown: text in an st.html box (never Markdown), unescaped back."""
    import html

    return [html.unescape(b.split(">", 1)[1].rsplit("</div>", 1)[0])
            for b in (h.proto.body for h in at.get("html")) if "gw-text-info" in b]


def test_garbage_query_falls_back_with_notices(data):
    at = run({"feature": "nope", "from": "yesterday", "layers": "ream,<b>x</b>", "basemap": "gopher"})
    assert not at.exception
    shown = notices(at)
    assert len(shown) == 4
    assert any("No feature 'nope'" in n for n in shown)
    assert "Ignored unknown layer in the link: <b>x</b>." in shown
    args = map_args(at)
    assert "gw-f-test-harbour" in args["feature_group"] and "gw-f-capital" not in args["feature_group"]


def test_layer_toggle_removes_layer_from_map_and_url(data):
    at = run()
    at.checkbox(key="lay_drills").uncheck().run()
    args = map_args(at)
    assert "gw-f-drill-area" not in args["feature_group"] and "gw-f-test-harbour" in args["feature_group"]
    assert at.query_params["layers"] == "ream,economic,context"


def test_map_js_is_stable_across_reruns_so_the_view_survives(data):
    at = run()
    key1 = map_args(at)["key"]
    at.checkbox(key="lay_drills").uncheck().run()
    at.radio(key="basemap").set_value("osm").run()
    args = map_args(at)
    assert args["key"] == key1  # same component key → no remount, pan/zoom kept
    assert "tile.openstreetmap.org" in args["feature_group"]


def test_date_window_filters_features(data):
    import datetime as dt

    at = run()
    at.slider(key="window").set_value((dt.date(2019, 1, 1), dt.date(2021, 12, 31))).run()
    fg = map_args(at)["feature_group"]
    assert "gw-f-test-harbour" not in fg and "gw-f-drill-area" not in fg  # start 2022 / 2024
    assert "gw-f-capital" in fg  # undated places stay
    assert at.query_params["to"] == "2021-12-31"


def test_date_window_says_what_it_hides_and_show_all_brings_it_back(data):
    import datetime as dt

    at = run()
    at.slider(key="window").set_value((dt.date(2019, 1, 1), dt.date(2021, 12, 31))).run()
    hidden = [b for b in (h.proto.body for h in at.get("html")) if "gw-text-caption" in b and "hides" in b]
    assert hidden and "3 features" in hidden[0] and "Test Harbour" in hidden[0]
    at.button(key="window-all").click().run()
    fg = map_args(at)["feature_group"]
    assert "gw-f-test-harbour" in fg and "gw-f-drill-area" in fg
    assert not [b for b in (h.proto.body for h in at.get("html")) if "hides" in b]


def test_embedded_page_has_no_sidebar_and_no_header(data, monkeypatch):
    from streamlit.runtime.context import ContextProxy

    monkeypatch.setattr(ContextProxy, "is_embedded", property(lambda self: True))
    at = run()
    assert not at.exception
    assert len(at.sidebar.children) == 0 if hasattr(at.sidebar, "children") else not list(at.sidebar)
    assert "<h1>Gulf Watch</h1>" not in html_text(at)
    assert "stSidebar" in html_text(at)  # the embed CSS hides the sidebar and its toggle


def test_side_filter_narrows_features_and_evidence(data):
    at = run(sel="test-harbour")
    at.multiselect(key="sides").set_value(["cambodia"]).run()
    fg = map_args(at)["feature_group"]
    assert "gw-f-test-harbour" in fg and "gw-f-capital" not in fg
    text = panel_text(at)
    assert "The ministry denied it" in text and "will become a base" not in text


def test_bad_data_warns_with_file_feature_field_and_keeps_the_rest(tmp_path, monkeypatch):
    f = dg.feature()
    f["properties"]["start"] = "2024-99"
    layers = dg.default_layers()
    layers["ream"] = [f]
    root = dg.write_data(tmp_path / "bad", layers=layers, raw={"features/drills.geojson": "{oops"})
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(root))
    at = run()
    assert not at.exception
    warning = at.expander[0].label + "\n" + "\n".join(c.value for c in at.code)
    assert "2 problems in the data" in warning
    assert "data/features/ream.geojson: feature 'test-harbour': field 'start'" in warning
    assert "data/features/drills.geojson: invalid JSON" in warning
    fg = map_args(at)["feature_group"]
    assert "gw-f-capital" in fg and "gw-f-not-chinese-port" in fg


def test_hostile_data_is_escaped_in_panel(tmp_path, monkeypatch):
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(dg.hostile(tmp_path / "h")))
    at = run({"feature": "test-harbour"})
    text = html_text(at)
    assert "<script>alert" not in text and "<img src=x" not in text
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text


def test_hostile_query_strings_never_break_the_page(data):
    """Hypothesis-generated garbage in every parameter, through the real page."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    junk = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)
    keys = st.sampled_from(["feature", "layers", "basemap", "from", "to", "sides", "view"])

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.dictionaries(keys, junk, min_size=1, max_size=4))
    def check(q):
        at = AppTest.from_file(APP, default_timeout=60)
        for k, v in q.items():
            at.query_params[k] = v
        at.run()
        assert not at.exception, (q, at.exception)
        map_args(at)  # the map is still there

    check()


def test_only_the_open_tab_runs_and_its_widgets_keep_their_values(data):
    at = run({"feature": "test-harbour"})
    assert at.session_state["sel"] == "test-harbour"
    assert "lower_tab" in at.session_state and at.session_state["lower_tab"] == "Table"
    assert not at.get("selectbox") or all(s.key != "reader_source" for s in at.selectbox)
    at.session_state["lower_tab"] = "Distances & rings"
    at.run()
    at.text_input(key="ring_text").set_value("100").run()
    assert "gw-ring" in json.dumps(map_args(at))
    at.session_state["lower_tab"] = "Table"
    at.run()
    assert all(t.key != "ring_text" for t in at.text_input)  # the closed tab did not run …
    assert "gw-ring" in json.dumps(map_args(at))  # … yet its rings stay on the map
    at.session_state["lower_tab"] = "Distances & rings"
    at.run()
    assert at.text_input(key="ring_text").value == "100"
