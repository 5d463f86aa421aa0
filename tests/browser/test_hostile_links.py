"""A hostile shared link: whatever its parameters hold, the page shows it as text — no image
fetched from elsewhere (the app is promised to work offline), no link made, no script run, no
exception — and the map still draws."""

from __future__ import annotations

from urllib.parse import urlencode

from playwright.sync_api import expect

from tests.e2e import open_app

HOSTILE_LINKS = [
    {"feature": "![t](http://evil.example/track.png)"},
    {"feature": "[Log in again](https://evil.example/x)"},
    {"feature": "[x](javascript:window.__pwned=1)"},
    {"feature": "<img src=x onerror=window.__pwned=1>"},
    {"basemap": "<img src=http://evil.example/x onerror=window.__pwned=1>"},
    {"layers": "ream,![t](http://evil.example/l.png)"},
    {"sides": "us,![t](http://evil.example/s.png)"},
    {"from": "![t](http://evil.example/f.png)", "to": "<a href=https://evil.example>x</a>"},
    {"view": "![t](http://evil.example/v.png)"},
    {"feature": "`x` ![t](http://evil.example/c.png) `y`"},
]


def test_hostile_link_parameters_are_shown_as_text_offline(page, offline_context, app_server):
    for params in HOSTILE_LINKS:
        frame = open_app(page, app_server.url, urlencode(params))
        # settled: the notice about the ignored parameter is on the page (as text, or — before
        # the fix — as a Streamlit alert rendering it as Markdown)
        page.locator(".gw-text-info, [data-testid='stAlert']").first.wait_for(state="visible", timeout=20_000)
        page.wait_for_timeout(800)  # time for any image the page would fetch to be requested
        assert offline_context.attempted == [], (params, offline_context.attempted)
        assert page.locator('a[href*="evil.example"], a[href^="javascript:"]').count() == 0, params
        assert page.locator('img[src*="evil.example"], img[src="x"]').count() == 0, params
        assert page.locator('[data-testid="stException"]').count() == 0, params
        assert page.evaluate("() => window.__pwned") is None, params
        value = next(iter(params.values()))
        shown = value.split(",")[-1][:30]
        expect(page.locator(".gw-text-info").filter(has_text=shown).first).to_be_visible()
        expect(frame.locator("path.leaflet-interactive").first).to_be_attached()  # the map is intact
