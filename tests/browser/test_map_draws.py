"""The map draws, offline: every layer's features, the Natural Earth basemap, tooltips — and
no request leaves the machine with the default (offline) basemap."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect

from layers.filters import in_window
from layers.load import load_dataset
from layers.state import TIMELINE_START
from tests.e2e import MAP_IFRAME, open_app


def test_map_draws_all_layers_offline(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    ds = load_dataset()
    shown = [f for f in ds.features if in_window(f, TIMELINE_START, dt.date.today())]
    assert {f.props.layer for f in shown} == {"ream", "drills", "economic", "context"}
    for f in shown:
        expect(frame.locator(f"path.gw-f-{f.id}").first).to_be_attached()
    # offline basemap: Natural Earth land is drawn and labelled
    expect(frame.locator(".leaflet-container")).to_be_visible()
    expect(frame.locator("text=Bangkok >> visible=true").first).to_be_visible()  # a Natural Earth name
    expect(frame.locator(".leaflet-control-attribution")).to_contain_text("Natural Earth")
    expect(page.get_by_role("heading", name="Gulf Watch")).to_be_visible()
    # nothing was fetched from off the machine (Leaflet is served by the app itself)
    assert offline_context.attempted == []


def test_hover_tooltip_names_the_feature(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=12.625,100.917,9")
    frame.locator("path.gw-f-sattahip-naval-base").first.hover(force=True)
    expect(frame.locator(".leaflet-tooltip")).to_contain_text("Sattahip", timeout=10_000)


def test_page_has_no_script_errors(page, offline_context, app_server):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    open_app(page, app_server.url)
    page.wait_for_timeout(1000)
    assert errors == []
    assert page.locator(MAP_IFRAME).count() == 1
