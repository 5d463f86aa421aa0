"""Rendering: escaping, styles, the static base map, evidence panel content."""

from __future__ import annotations

import json

import pytest

from layers import render
from layers.evidence import contested_ids, group_by_side, is_contested
from layers.load import load_dataset
from layers.model import Side
from layers.panel import esc, feature_panel_html, link, md_escape, popup_html, tooltip_html
from tests import datagen as dg


@pytest.fixture
def ds(tmp_path):
    return load_dataset(dg.write_data(tmp_path / "data"))


@pytest.fixture
def hostile_ds(tmp_path):
    return load_dataset(dg.hostile(tmp_path / "h"))


def test_panel_shows_quotes_with_speaker_stance_publication_date_and_link(ds):
    html = feature_panel_html(ds, ds.feature("test-harbour"))
    assert "<q class=\"gw-quote\">The harbour “will become a base,” officials said.</q>" in html
    assert "<b>Officials</b> · <i>asserts</i>" in html
    assert ('<a href="https://example.org/article" target="_blank" rel="noopener noreferrer">'
            "A test article</a>, Test Wire, c. 3 Jun 2024") in html
    assert "contested" in html  # asserts (us) vs denies (cambodia)
    assert "±500 m" in html and "schematic outline" in html
    assert "Milestones" in html and "5 Apr 2025" in html


def test_panel_side_filter_narrows_evidence(ds):
    html = feature_panel_html(ds, ds.feature("test-harbour"), sides={Side.cambodia})
    assert "The ministry denied it" in html
    assert "will become a base" not in html


def test_hostile_strings_are_escaped_everywhere(hostile_ds):
    f = hostile_ds.feature("test-harbour")
    for html in (feature_panel_html(hostile_ds, f), tooltip_html(f), popup_html(hostile_ds, f)):
        assert "<script>" not in html and "<img" not in html
        assert "&lt;script&gt;" in html


def test_links_are_http_only():
    assert link("javascript:alert(1)", "x") == "x"
    assert link("https://a.b/?q=<x>", "t") == ('<a href="https://a.b/?q=&lt;x&gt;" target="_blank" '
                                                'rel="noopener noreferrer">t</a>')
    assert esc('"\'<>&') == "&quot;&#x27;&lt;&gt;&amp;"


def test_md_escape_neutralises_markdown_and_maths():
    assert md_escape("$4.92 [x](javascript:1) *b*") == r"\$4\.92 \[x\]\(javascript\:1\) \*b\*"


def test_contested_detection(ds):
    assert contested_ids(ds) == {"test-harbour"}
    ev = ds.evidence(ds.feature("test-harbour"))
    assert is_contested(ev)
    sides = [s for s, _ in group_by_side(ev)]
    assert sides == [Side.us, Side.cambodia, Side.independent]


def test_base_map_js_is_identical_across_builds():
    """The component key hashes the base map's JS: it must not change between reruns."""
    from streamlit_folium import _get_map_string, generate_js_hash  # noqa: PLC2701

    a = render.base_map()
    b = render.base_map()
    a.get_root().render(), b.get_root().render()
    assert generate_js_hash(_get_map_string(a), None, False) == generate_js_hash(_get_map_string(b), None, False)


def test_layer_group_escapes_and_classes(hostile_ds):
    import folium

    m = folium.Map(tiles=None)
    fg = render.layer_group(hostile_ds, "ream", [hostile_ds.feature("test-harbour")], {"test-harbour"})
    fg.add_to(m)
    out = m.get_root().render()
    assert "gw-f-test-harbour" in out
    # the raw attack string never appears unescaped in the JSON handed to Leaflet
    assert dg.HOSTILE not in out
    assert "Evil \\u0026lt;script\\u0026gt;" in out  # escaped once, then JSON-encoded


def test_style_encodes_basis_and_contested(ds):
    from layers.registry import BY_ID

    p = ds.feature("test-harbour").props
    s = BY_ID["ream"].style(p, contested=True)
    assert s["color"] == "#d62728" and s["dashArray"] == "8 6"
    port = ds.feature("not-chinese-port").props
    assert BY_ID["economic"].feature_color(port) == "#7f8c8d"


def test_view_for_point_and_polygon(ds):
    (lat, lon), zoom = render.view_for(ds.feature("capital"))
    assert (lat, lon) == (11.5694, 104.9211) and 9 <= zoom <= 13
    (lat, lon), zoom = render.view_for(ds.feature("test-harbour"))
    assert abs(lat - 10.51) < 1e-6 and zoom >= 10


def test_selection_group_is_not_interactive(ds):
    import folium

    m = folium.Map(tiles=None)
    render.selection_group(ds.feature("test-harbour")).add_to(m)
    js = m.get_root().render()
    assert "gw-selected" in js and json.dumps(False) in js


def test_app_map_has_tooltips_but_no_popups_the_download_has_full_popups(ds, tmp_path):
    """In the app a click opens the evidence panel (a popup would vanish with the next rerun);
    the downloaded map, which has no panel, carries every quote in its popups."""
    import folium

    from layers.basemap import OFFLINE

    f = ds.feature("test-harbour")
    m = folium.Map(tiles=None)
    for fg in render.dynamic_groups(ds, ds.features, ["ream", "economic", "drills", "context"],
                                    OFFLINE, set(), f, tmp_path):
        fg.add_to(m)
    app_js = m.get_root().render()
    assert "bindTooltip" in app_js and "_tip" in app_js
    assert "bindPopup" not in app_js and "_popup" not in app_js
    quote = next(e.quote for e in ds.evidence(f) if e.quote)
    full = render.full_map(ds, ds.features, ["ream"], OFFLINE, set(), tmp_path).get_root().render()
    assert "bindPopup" in full
    assert json.dumps(esc(quote))[1:-1] in full  # the verbatim quote, escaped, in the popup data
