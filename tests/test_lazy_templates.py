"""branca compiles every rendered snippet as a Jinja template; ``configure_folium`` makes that
compile lazy.  Whatever is rendered must come out exactly as before, in the app's map arguments
and in the downloadable HTML, hostile data included."""

from __future__ import annotations

import re

import branca.element
import jinja2
import pytest
from streamlit_folium import _get_feature_group_string, _get_header, _get_html, _get_map_string

from layers import assets, render
from layers.basemap import OFFLINE
from layers.load import load_dataset
from tests import datagen as dg

HEX_ID = re.compile(r"[0-9a-f]{32}")


def outputs(ds, tmp_path) -> dict[str, str]:
    """What streamlit-folium sends for the app's map and one feature group, and the full HTML
    of the downloadable map; folium's random element ids replaced by one placeholder."""
    m = render.base_map(data_dir=tmp_path)
    m.get_root().render()
    m.render()
    out = {"header": _get_header(m), "script": _get_map_string(m)}
    groups = render.dynamic_groups(ds, ds.features, ["ream", "economic", "drills", "context"], OFFLINE,
                                   set(), None, tmp_path)
    out["groups"] = "".join(_get_feature_group_string(fg, m, i) for i, fg in enumerate(groups))
    full = render.full_map(ds, ds.features, ["ream", "economic", "drills", "context"], OFFLINE, set(),
                           tmp_path, selected=ds.features[0])
    out["download"] = full.get_root().render()
    return {k: HEX_ID.sub("ID", v) for k, v in out.items()}


@pytest.mark.parametrize("make", [dg.write_data, dg.hostile])
def test_lazy_compile_renders_exactly_the_same(tmp_path, monkeypatch, make):
    ds = load_dataset(make(tmp_path / "data"))
    monkeypatch.setattr(branca.element, "Template", jinja2.Template)
    eager = outputs(ds, tmp_path)
    monkeypatch.setattr(branca.element, "Template", assets._LazyTemplate)
    lazy = outputs(ds, tmp_path)
    for part in eager:
        assert lazy[part] == eager[part], part


def test_configure_folium_installs_the_lazy_template(monkeypatch):
    monkeypatch.setattr(branca.element, "Template", jinja2.Template)
    assets.configure_folium()
    assert branca.element.Template is assets._LazyTemplate
    el = branca.element.Element("{{ 1 + 1 }} and {{ this.__class__.__name__ }}")
    assert el._template._compiled is None  # nothing compiled until it is needed
    assert el.render() == "2 and Element"


def test_without_the_whole_page_render_the_map_arguments_are_the_same(tmp_path):
    """app.py calls st_folium(render=False): it skips a render of the whole page that only
    served to compile templates.  What the map is sent must not change."""
    def parts(prerender: bool) -> list[str]:
        m = render.base_map(data_dir=tmp_path, basemap_src="app/static/basemap/ne.json")
        render.LiveSelection().add_to(m)
        if prerender:
            m.get_root().render()
        m.render()
        return [HEX_ID.sub("ID", x) for x in (_get_header(m), _get_html(m), _get_map_string(m))]

    assert parts(True) == parts(False)
