"""Helpers for the browser tests: open the app, find the map, click features."""

from __future__ import annotations

from playwright.sync_api import FrameLocator, Page, expect

from tests.chromium import MAP_IFRAME  # noqa: F401  (re-exported for the tests)


def open_app(page: Page, url: str, query: str = "") -> FrameLocator:
    page.goto(url + ("/?" + query if query else "/"))
    frame = page.frame_locator(MAP_IFRAME)
    frame.locator(".leaflet-container").wait_for(state="visible", timeout=45_000)
    # the data layers arrive with the first render of the feature groups
    frame.locator("path.leaflet-interactive").first.wait_for(state="attached", timeout=30_000)
    return frame


def feature_path(frame: FrameLocator, feature_id: str):
    return frame.locator(f"path.gw-f-{feature_id}").first


def panel(page: Page):
    return page.locator(".gw-panel[data-feature]")


def wait_panel(page: Page, feature_id: str, timeout: int = 20_000) -> None:
    expect(page.locator(f'.gw-panel[data-feature="{feature_id}"]')).to_be_visible(timeout=timeout)
