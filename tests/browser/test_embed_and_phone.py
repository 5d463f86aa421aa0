"""An article embed (?embed=true in a 720×480 iframe) and a 390×844 phone: the map is not
covered by the sidebar, starts near the top, and the legend stays reachable."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import MAP_IFRAME, map_js, open_app, open_embedded


def sidebar_hidden(root) -> bool:
    bar = root.locator("[data-testid='stSidebar']")
    if bar.count() == 0 or not bar.is_visible():
        return True
    box = bar.bounding_box()
    return box is None or box["x"] + box["width"] <= 0


def test_embed_is_the_map_without_sidebar_or_title(embed, app_server):
    app, frame = open_embedded(embed, app_server.url)
    assert sidebar_hidden(app)
    expect(app.get_by_role("heading", name="Gulf Watch")).to_have_count(0)
    box = app.locator(MAP_IFRAME).bounding_box()
    assert box["width"] >= 0.9 * 720
    assert box["y"] < 480 / 4
    expect(frame.locator(".gw-legend summary")).to_be_visible()


def test_phone_map_full_width_near_the_top_legend_reachable_page_scrolls(phone, app_server):
    frame = open_app(phone, app_server.url)
    assert sidebar_hidden(phone)
    box = phone.locator(MAP_IFRAME).bounding_box()
    assert box["width"] >= 0.9 * 390 and box["y"] < 844 / 3
    summary = frame.locator(".gw-legend summary")
    expect(summary).to_be_visible()
    summary.click()
    expect(frame.locator(".gw-lg-body")).to_be_visible()
    # one finger scrolls the page past the map; two fingers move the map
    assert map_js(frame, "m => m.dragging.enabled()") is False
    phone.mouse.move(200, 800)  # below the map
    phone.mouse.wheel(0, 600)
    phone.wait_for_timeout(500)
    assert phone.locator(MAP_IFRAME).bounding_box()["y"] < box["y"] - 100, "the page does not scroll past the map"
