"""On a phone one finger scrolls the page and two fingers move the map (layers/mapframe.py); a
one-finger move on the map says so, in the middle of the map, for a moment — not a note that
sits in a corner all the time, where the legend or the coastline note covered it."""

from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e import MAP_IFRAME, open_app

TOUCH = """(_, fingers) => {
  const box = document.querySelector(".leaflet-container"), r = box.getBoundingClientRect();
  const touches = Array.from({length: fingers}, (_, i) => new Touch({identifier: i, target: box,
    clientX: r.x + r.width / 2 + 30 * i, clientY: r.y + r.height / 2}));
  for (const type of ["touchstart", "touchmove"]) {
    box.dispatchEvent(new TouchEvent(type, {touches, targetTouches: touches, changedTouches: touches,
                                            bubbles: true, cancelable: true}));
  }
}"""


def test_one_finger_on_the_map_says_two_fingers_move_it(phone, app_server):
    frame = open_app(phone, app_server.url, "feature=ream-naval-base")
    hint = frame.locator(".gw-touch-hint")
    expect(hint).to_have_css("opacity", "0")  # nothing in the way at first
    box = frame.locator(".leaflet-container")
    box.evaluate(TOUCH, 2)
    phone.wait_for_timeout(400)
    expect(hint).to_have_css("opacity", "0")  # two fingers: the map moves, no hint
    box.evaluate(TOUCH, 1)
    expect(hint).to_have_css("opacity", "1")
    expect(hint).to_have_text("Use two fingers to move the map")
    # in the middle of the map, inside it, under no control
    h, m = hint.bounding_box(), phone.locator(MAP_IFRAME).bounding_box()
    assert abs((h["x"] + h["width"] / 2) - (m["x"] + m["width"] / 2)) < 2
    assert abs((h["y"] + h["height"] / 2) - (m["y"] + m["height"] / 2)) < 2
    covered = frame.locator(".leaflet-container").evaluate("""() => {
      const h = document.querySelector(".gw-touch-hint").getBoundingClientRect();
      return [...document.querySelectorAll(".leaflet-control")].filter(c => {
        const r = c.getBoundingClientRect();
        return r.width && r.left < h.right && h.left < r.right && r.top < h.bottom && h.top < r.bottom;
      }).map(c => c.className);
    }""")
    assert covered == []
    expect(hint).to_have_css("opacity", "0", timeout=5_000)  # and gone again
