"""The first view at 1440×900: the map is the page, frames the whole Gulf, names Ream, and one
click on Ream opens the base itself; hover labels are short and stay inside the map."""

from __future__ import annotations

from playwright.sync_api import expect

from layers.mapframe import FRAMED_PLACES
from tests.e2e import MAP_IFRAME, map_js, open_app, wait_panel

REAM = (10.50722, 103.61194)  # the base's reference point (Wikipedia), as in data/features/ream.geojson


def settle(frame) -> None:
    """Wait until the opening view has stopped changing (the map frames itself after sizing)."""
    last = None
    for _ in range(40):
        now = map_js(frame, "m => [m.getZoom(), m.getCenter().lat.toFixed(4), m.getCenter().lng.toFixed(4), m.getSize().y]")
        if now == last:
            return
        last = now
        frame.locator(".leaflet-container").page.wait_for_timeout(250)


def test_map_takes_the_room_and_frames_the_whole_gulf(desktop, app_server):
    frame = open_app(desktop, app_server.url)
    settle(frame)
    box = desktop.locator(MAP_IFRAME).bounding_box()
    above_fold = min(box["y"] + box["height"], 900) - max(box["y"], 0)
    assert box["width"] * above_fold / (1440 * 900) >= 0.38
    for name, (lat, lon) in FRAMED_PLACES.items():
        at = map_js(frame, f"""m => {{
          const p = m.latLngToContainerPoint([{lat}, {lon}]), s = m.getSize();
          const el = document.elementFromPoint(p.x, p.y);
          return {{x: p.x, y: p.y, w: s.x, h: s.y, control: !!(el && el.closest('.leaflet-control'))}};
        }}""")
        assert 0 <= at["x"] <= at["w"] and 0 <= at["y"] <= at["h"], f"{name} is outside the opening view"
        assert not at["control"], f"{name} is covered by a map control"


def test_ream_is_named_and_one_click_on_it_selects_the_base(desktop, app_server):
    frame = open_app(desktop, app_server.url)
    settle(frame)
    label = frame.locator(".gw-label span", has_text="Ream Naval Base")
    expect(label).to_be_visible()
    lb, mb = label.bounding_box(), frame.locator(".leaflet-container").bounding_box()
    assert mb["x"] <= lb["x"] and lb["x"] + lb["width"] <= mb["x"] + mb["width"]
    p = map_js(frame, f"m => m.latLngToContainerPoint([{REAM[0]}, {REAM[1]}])")
    desktop.mouse.click(mb["x"] + p["x"], mb["y"] + p["y"])
    wait_panel(desktop, "ream-naval-base")
    assert "feature=ream-naval-base" in desktop.evaluate("location.href")


def test_parts_of_the_base_appear_when_zoomed_in(desktop, app_server):
    frame = open_app(desktop, app_server.url)
    settle(frame)
    site = frame.locator("path.gw-s-ream-naval-base")
    expect(site).to_be_visible()
    expect(frame.locator("path.gw-f-ream-chinese-warships")).to_be_hidden()
    map_js(frame, f"m => m.setView([{REAM[0]}, {REAM[1]}], 15, {{animate: false}})")
    expect(frame.locator("path.gw-f-ream-chinese-warships")).to_be_visible()
    expect(frame.locator("path.gw-f-ream-naval-base")).to_be_visible()
    expect(site).to_be_hidden()


def test_hover_label_is_short_inside_the_map_and_gone_after_a_click(desktop, app_server):
    frame = open_app(desktop, app_server.url)
    settle(frame)
    # the point feature nearest the map's right edge: a hover label there would spill out
    target = map_js(frame, """m => {
      let best = null; const s = m.getSize();
      m.eachLayer(l => {
        if (!l.feature || !l.getLatLng || !l._path || getComputedStyle(l._path).display === 'none') return;
        const p = m.latLngToContainerPoint(l.getLatLng());
        if (p.x < 0 || p.y < 0 || p.x > s.x || p.y > s.y) return;
        if (!best || p.x > best.x) best = {x: p.x, y: p.y, id: l.feature.properties.id};
      });
      return best;
    }""")
    mb = frame.locator(".leaflet-container").bounding_box()
    desktop.mouse.move(mb["x"] + target["x"], mb["y"] + target["y"])
    tip = frame.locator(".leaflet-tooltip.gw-tip")
    expect(tip).to_be_visible()
    tb = tip.bounding_box()
    assert tb["width"] <= 310
    assert mb["x"] <= tb["x"] and tb["x"] + tb["width"] <= mb["x"] + mb["width"] + 0.5
    assert mb["y"] <= tb["y"] and tb["y"] + tb["height"] <= mb["y"] + mb["height"] + 0.5
    assert tb["height"] <= 60  # the name (at most two lines) and one short line
    expect(tip.locator(".gw-tip-name")).not_to_be_empty()
    desktop.mouse.click(mb["x"] + target["x"], mb["y"] + target["y"])
    expect(tip).to_have_count(0)
