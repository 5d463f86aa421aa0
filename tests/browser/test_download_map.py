"""'Download this map' gives a self-contained HTML page that opens offline and shows the quotes."""

from __future__ import annotations

from playwright.sync_api import expect


def test_downloaded_html_opens_offline_with_quotes(page, offline_context, app_server, tmp_path):
    from tests.e2e import open_app

    open_app(page, app_server.url, "layers=ream")
    page.get_by_role("tab", name="Export & share").click()
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Download this map (HTML)").click()
    path = tmp_path / "map.html"
    dl.value.save_as(path)
    html = path.read_text("utf-8")
    assert "https://cdn" not in html and "<script src=\"http" not in html
    offline = page.context.new_page()
    offline.goto(path.as_uri())
    expect(offline.locator(".leaflet-container")).to_be_visible()
    base = offline.locator("path.gw-f-ream-naval-base").first
    expect(base).to_be_attached()
    base.dispatch_event("click")
    popup = offline.locator(".leaflet-popup-content")
    expect(popup).to_contain_text("will become China’s first overseas post in the Indo-Pacific")
    expect(popup.locator("a").first).to_have_attribute("target", "_blank")
