"""The date window: narrowing it hides features, widening it brings them back; the chronology
lists dated events and selects their feature."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import MAP_IFRAME, open_app


def test_date_window_hides_and_restores(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    warships = frame.locator("path.gw-f-ream-chinese-warships")
    expect(warships.first).to_be_attached()
    end_thumb = page.locator('input[aria-label="Date window — end"]')
    end_thumb.focus()
    page.keyboard.press("Home")  # the window's end moves to its start: 1 Jan 2019
    expect(warships).to_have_count(0, timeout=15_000)  # Dec 2023 onwards
    expect(frame.locator("path.gw-f-phnom-penh").first).to_be_attached()  # undated place stays
    expect(page).to_have_url(re.compile(r"to=2019-01-01"))
    end_thumb.focus()
    page.keyboard.press("End")
    expect(warships.first).to_be_attached(timeout=15_000)


def test_chronology_click_selects_feature(page, offline_context, app_server):
    frame = open_app(page, app_server.url)
    page.get_by_role("tab", name="Chronology").click()
    event = page.get_by_text(re.compile(r"^8 Jun 2022 \(day\) — .*Ream")).first
    expect(event).to_be_visible()
    event.click()
    panel = page.locator(".gw-panel[data-feature]")
    expect(panel).to_be_visible(timeout=15_000)
    assert panel.get_attribute("data-feature").startswith("ream-")
    expect(frame.locator("path.gw-selected")).to_have_count(1)


def test_a_chronology_pick_far_below_brings_the_map_into_view(page, offline_context, app_server):
    open_app(page, app_server.url)
    page.get_by_role("tab", name="Chronology").click()
    event = page.get_by_text(re.compile(r"^8 Jun 2022 \(day\) — .*Ream")).first
    event.scroll_into_view_if_needed()
    iframe = page.locator(MAP_IFRAME)
    assert iframe.bounding_box()["y"] < 0  # the map is scrolled out of view above
    event.click()
    expect(page.locator(".gw-panel[data-feature]")).to_be_visible(timeout=15_000)
    page.wait_for_function(f"() => document.querySelector({MAP_IFRAME!r}).getBoundingClientRect().top >= -1",
                           timeout=10_000)
