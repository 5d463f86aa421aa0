"""Hostile data (script tags, onerror images, javascript: links) shows as text, in the panel and
on the map; a broken file is reported by name and the rest of the map still draws."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests import datagen as dg
from tests.conftest import start_server, stop_server
from tests.e2e import open_app, wait_panel


@pytest.fixture(scope="module")
def hostile_server(tmp_path_factory):
    root = dg.hostile(tmp_path_factory.mktemp("hostile") / "data")
    (root / "features" / "economic.geojson").write_text("{broken", "utf-8")
    server = start_server(tmp_path_factory.mktemp("hs"), data_dir=root)
    yield server
    stop_server(server)


def test_hostile_strings_render_as_text(page, offline_context, hostile_server):
    frame = open_app(page, hostile_server.url, "feature=test-harbour")
    wait_panel(page, "test-harbour")
    panel = page.locator('.gw-panel[data-feature="test-harbour"]')
    expect(panel.locator("h3")).to_contain_text('Evil <script>alert("x")</script>')
    expect(panel).to_contain_text('Speaker <script>')
    # the map's tooltip also shows the text, not markup (the app has no popups: the panel is it)
    frame.locator("path.gw-f-test-harbour").first.hover(force=True)
    expect(frame.locator(".leaflet-tooltip")).to_contain_text('Evil <script>alert("x")</script>',
                                                             timeout=10_000)
    assert page.evaluate("() => window.__pwned") is None
    assert frame.locator("body").evaluate("() => window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert frame.locator("img[src='x']").count() == 0


def test_broken_file_is_named_and_rest_still_draws(page, offline_context, hostile_server):
    frame = open_app(page, hostile_server.url)
    expect(page.get_by_text(re.compile(r"\d+ problems? in the data"))).to_be_visible()
    expect(page.get_by_text("data/features/economic.geojson: invalid JSON", exact=False)).to_be_visible()
    expect(frame.locator("path.gw-f-capital").first).to_be_attached()
