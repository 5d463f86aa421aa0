"""The table under the map (the text alternative to it): choosing a row selects that feature,
shows its evidence panel and puts it in the URL."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e import open_app

# st.dataframe draws its rows on a canvas (glide-data-grid): rows are found by position.
# Streamlit's default grid: a 35 px header, 35 px rows, and with single-row selection a
# row-marker column at the left edge.
HEADER_PX, ROW_PX, MARKER_X = 35, 35, 18


def test_choosing_a_table_row_selects_the_feature(page, offline_context, app_server):
    open_app(page, app_server.url)
    expect(page.get_by_role("tab", name="Table")).to_have_attribute("aria-selected", "true")
    grid = page.locator("[data-testid='stDataFrame']").first
    grid.scroll_into_view_if_needed()
    expect(grid).to_be_visible()
    # the grid's own accessible copy of the rows gives the name shown in row 3
    rows = grid.locator("table tr")
    expect(rows.nth(3)).to_be_attached()
    name = rows.nth(3).locator("td").nth(0).inner_text().strip()
    assert name
    box = grid.bounding_box()
    page.mouse.click(box["x"] + MARKER_X, box["y"] + HEADER_PX + 2 * ROW_PX + ROW_PX / 2)
    panel = page.locator(".gw-panel[data-feature]")
    expect(panel.locator("h3")).to_have_text(name, timeout=20_000)
    fid = panel.get_attribute("data-feature")
    expect(page).to_have_url(re.compile(rf"feature={re.escape(fid)}"))
