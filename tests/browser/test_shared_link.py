"""A shared link opens with context: the feature and its surroundings, a locator inset saying
where in the Gulf this is, an honest note about the offline coastline, and the evidence panel
showing what each side says without scrolling."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import map_js, on_screen, open_app, wait_panel


def wait_zoom(page, frame, zoom: float) -> None:
    for _ in range(60):
        if map_js(frame, "m => m.getZoom()") == zoom:
            return
        page.wait_for_timeout(250)
    raise AssertionError(f"the map never reached zoom {zoom}")


def test_link_to_ream_shows_the_claim_and_the_denial_without_scrolling(desktop, app_server):
    open_app(desktop, app_server.url, "feature=ream-naval-base")
    wait_panel(desktop, "ream-naval-base")
    panel = desktop.locator('.gw-panel[data-feature="ream-naval-base"]')
    claim = panel.locator('.gw-side[data-side="us"] q', has_text="will become China’s first overseas post")
    denial = panel.locator('.gw-side[data-side="cambodia"] q', has_text="Cambodia has repeatedly denied the allegation")
    expect(claim).to_be_visible()
    assert on_screen(claim), "the US claim is not on screen"
    assert on_screen(denial), "Cambodia's denial is not on screen"
    # verbatim quotes are marked as such; China's statement (from a milestone) is there too
    expect(panel.locator('.gw-side[data-side="us"] .gw-tag-verbatim').first).to_be_visible()
    expect(panel.locator('.gw-side[data-side="china"]')).to_have_count(1)


def test_link_opens_with_surroundings_locator_and_coastline_note(desktop, app_server):
    frame = open_app(desktop, app_server.url, "feature=ream-naval-base")
    wait_zoom(desktop, frame, 11)
    # Sihanoukville is in view with the base: the surroundings, not a 3 km street scale
    assert map_js(frame, "m => m.getBounds().contains([10.633, 103.5])")
    inset = frame.locator(".gw-inset")
    expect(inset).to_be_visible()
    view = frame.locator(".gw-inset-view, .gw-inset-cross").first
    ib, vb = inset.bounding_box(), view.bounding_box()
    assert ib["x"] <= vb["x"] and vb["x"] + vb["width"] <= ib["x"] + ib["width"] + 1
    note = frame.locator(".gw-coast-note")
    expect(note).to_be_visible()
    expect(note).to_contain_text("approximate")
    note.get_by_role("button", name="Show satellite imagery").click()
    expect(desktop.locator("section[data-testid='stSidebar']").get_by_label("Esri World Imagery")).to_be_checked(
        timeout=15_000)
    expect(note).to_be_hidden(timeout=15_000)  # tiles are on the map now (the test blocks their requests)
