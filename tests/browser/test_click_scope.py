"""A click on the map reruns only the map and its evidence panel — unless a tab below that follows
the selection is open, which then shows the clicked feature too."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from tests.e2e import open_app, wait_panel

SIDEBAR = 1  # delta_path[0] of elements in the sidebar (0 is the main area)


class Deltas:
    """Records which containers the server's element updates go to."""

    def __init__(self, page):
        self.roots: list[int] = []
        page.on("websocket", lambda ws: ws.on("framereceived", self._frame))

    def _frame(self, payload) -> None:
        if not isinstance(payload, (bytes, bytearray)):
            return
        try:
            msg = ForwardMsg.FromString(bytes(payload))
        except Exception:  # noqa: BLE001 - not a ForwardMsg: not ours to count
            return
        if msg.WhichOneof("type") == "delta" and msg.metadata.delta_path:
            self.roots.append(msg.metadata.delta_path[0])


def click_feature(page, frame, feature_id: str) -> None:
    box = frame.locator(f"path.gw-f-{feature_id}").first.bounding_box()
    assert box
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)


def test_click_reruns_only_map_and_panel(page, offline_context, app_server):
    deltas = Deltas(page)
    frame = open_app(page, app_server.url, "view=10.75,103.4,9")
    expect(page.get_by_text("Every feature drawn on the map")).to_be_visible()  # Table tab open
    page.wait_for_timeout(1000)
    deltas.roots.clear()
    click_feature(page, frame, "dara-sakor-airport")
    wait_panel(page, "dara-sakor-airport")
    page.wait_for_timeout(500)
    assert deltas.roots, "the click produced no update"
    assert SIDEBAR not in deltas.roots  # the sidebar was not re-sent
    expect(page.get_by_text("Every feature drawn on the map")).to_be_visible()  # the tab is still there


def test_click_updates_an_open_tab_that_follows_the_selection(page, offline_context, app_server):
    frame = open_app(page, app_server.url, "view=10.75,103.4,9&feature=phu-quoc")
    page.get_by_role("tab", name="Distances & rings").click()
    expect(page.get_by_text(re.compile(r"^From Phu Quoc"))).to_be_visible()
    click_feature(page, frame, "dara-sakor-airport")
    wait_panel(page, "dara-sakor-airport")
    expect(page.get_by_text(re.compile(r"^From Dara Sakor International Airport"))).to_be_visible(timeout=15_000)
    page.get_by_role("tab", name="Sources").click()
    click_feature(page, frame, "sihanoukville-sez")
    wait_panel(page, "sihanoukville-sez")
    # the reader marks the sources that cite the selected feature
    expect(page.locator('[data-excerpt][data-highlight="true"]').first).to_be_attached(timeout=15_000)
