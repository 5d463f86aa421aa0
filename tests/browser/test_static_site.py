"""The static reader site (``python -m layers publish``), served by a plain static server and
opened from disk: the reader clicks Ream and reads its evidence, a link restores the view,
filters and search work, the embed fills its frame, and nothing leaves the machine."""

from __future__ import annotations

import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import _free_port

ROOT = Path(__file__).resolve().parents[2]


def _publish(out: Path, data: Path | None = None) -> Path:
    cmd = [sys.executable, "-m", "layers"] + (["--data", str(data)] if data else []) + ["publish", "--out", str(out)]
    subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, timeout=120)
    return out


def _serve(folder: Path):
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1"],
                            cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            urllib.request.urlopen(url + "/index.html", timeout=1).read()
            break
        except OSError:
            time.sleep(0.1)
    return proc, url


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    folder = _publish(tmp_path_factory.mktemp("site") / "site")
    proc, url = _serve(folder)
    yield url, folder
    proc.terminate()
    proc.wait(10)


def _open(page, url: str):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(url)
    expect(page.locator(".leaflet-container")).to_be_visible()
    page.locator("path.leaflet-interactive").first.wait_for(state="attached")
    return errors


def test_click_on_ream_shows_its_evidence(page, offline_context, site):
    url, _ = site
    errors = _open(page, url + "/index.html")
    expect(page.locator(".gw-intro")).to_contain_text("Click a site on the map")
    ream = page.locator("path.gw-s-ream-naval-base")  # one symbol for the base at the opening zoom
    expect(ream).to_be_visible()
    box = ream.bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # a real click where it is drawn
    panel = page.locator('.gw-panel[data-feature="ream-naval-base"]')
    expect(panel).to_be_visible()
    expect(panel.locator('.gw-side[data-side="us"] q.gw-quote').first).to_be_visible()
    expect(panel.locator('.gw-side[data-side="cambodia"]')).to_contain_text("denied")
    expect(panel).to_contain_text("will become China’s first overseas post in the Indo-Pacific")
    assert "feature=ream-naval-base" in page.url
    expect(page.locator("path.gw-selected")).to_be_attached()  # the map outlines the selection
    assert errors == [] and offline_context.attempted == []


def test_every_feature_is_reachable_without_the_map(page, offline_context, site):
    """The intro lists every feature by layer (keyboard, screen reader, phone)."""
    url, _ = site
    _open(page, url + "/index.html")
    page.locator(".gw-all summary").click()
    items = page.locator(".gw-all button[data-go]")
    assert items.count() == page.evaluate("() => GW_SITE.order.length")
    page.locator(".gw-all button", has_text="Funan Techo Canal").first.focus()
    page.keyboard.press("Enter")
    expect(page.locator('.gw-panel[data-feature="funan-techo-canal"]')).to_be_visible()
    assert "feature=funan-techo-canal" in page.url


@pytest.mark.parametrize("how", ["?", "#"])
def test_deep_link_restores_the_view(page, offline_context, site, how):
    from layers.load import load_dataset
    from layers.render import view_for

    ds = load_dataset(ROOT / "data")
    f = ds.feature("ream-naval-base")
    (lat, lon), zoom = view_for(f, ds.features)
    url, _ = site
    errors = _open(page, url + f"/index.html{how}feature=ream-naval-base&layers=ream,economic&from=2022-01-01")
    expect(page.locator('.gw-panel[data-feature="ream-naval-base"]')).to_be_visible()
    got = page.evaluate("() => [gwMap.getCenter().lat, gwMap.getCenter().lng, gwMap.getZoom()]")
    assert got[2] == zoom and abs(got[0] - lat) < 1e-3 and abs(got[1] - lon) < 1e-3
    expect(page.locator("#gw-lay-drills")).not_to_be_checked()
    expect(page.locator("#gw-lay-ream")).to_be_checked()
    expect(page.locator("#gw-from")).to_have_value("2022-01-01")
    expect(page.locator("path.gw-s-ream-naval-base")).to_be_visible()  # the base's symbol (parts from zoom 13)
    # the claim and the denial side by side, on screen without scrolling
    us = page.locator('.gw-side[data-side="us"] q.gw-quote').first
    kh = page.locator('.gw-side[data-side="cambodia"] q.gw-quote').first
    for q in (us, kh):
        b = q.bounding_box()
        assert b["y"] + b["height"] <= page.viewport_size["height"], b
    # the exact view can be shared: the link and the embed snippet carry it
    page.locator("#gw-share summary").click()
    link = page.locator("#gw-link").input_value()
    assert "feature=ream-naval-base" in link and "layers=ream%2Ceconomic" in link and "view=" in link
    assert "embed=true" in page.locator("#gw-embed-code").input_value()
    assert errors == [] and offline_context.attempted == []


def test_filters_hide_what_they_exclude(page, offline_context, site):
    url, _ = site
    _open(page, url + "/index.html")
    gd = page.locator("path.gw-f-gd2024-land-kampong-chhnang")
    expect(gd).to_be_visible()
    page.locator("#gw-lay-drills").uncheck()
    expect(gd).to_be_hidden()
    assert "layers=ream%2Ceconomic%2Ccontext" in page.url or "layers=ream,economic,context" in page.url
    page.locator("#gw-lay-drills").check()
    expect(gd).to_be_visible()
    page.locator("#gw-to").fill("2023-12-31")
    page.locator("#gw-to").dispatch_event("change")
    expect(gd).to_be_hidden()
    expect(page.locator("#gw-status")).to_contain_text("The date window hides")
    page.locator("#gw-all-dates").click()
    expect(gd).to_be_visible()
    assert offline_context.attempted == []


def test_search_ranks_like_the_app_and_selects(page, offline_context, site):
    from layers.load import load_dataset
    from layers.search import search

    ds = load_dataset(ROOT / "data")
    url, _ = site
    _open(page, url + "/index.html")
    for q in ("ream", "Hun Sen", "pier", "funan techo canal", "bloomberg", "dry dock"):
        want = [(h.label, h.feature_id) for h in search(ds, q, limit=12) if h.feature_id]
        got = page.evaluate("q => gwSearch(q).map(h => [h.doc.label, h.doc.feature])", q)
        assert [tuple(x) for x in got] == want[: len(got)] and len(got) == min(len(want), 12), q
    page.locator("#gw-q").fill("Dara Sakor")
    page.locator("#gw-hits .gw-hit").first.click()
    expect(page.locator('.gw-panel[data-feature]')).to_contain_text("Dara Sakor")
    assert offline_context.attempted == []


def test_a_link_from_the_app_with_a_side_filter_says_what_it_shows(page, offline_context, site):
    url, _ = site
    _open(page, url + "/index.html?feature=ream-naval-base&sides=us,cambodia")
    expect(page.locator(".gw-notice")).to_contain_text("evidence of every side")
    expect(page.locator('.gw-side[data-side="china"]')).to_be_attached()


def test_opens_from_disk_offline(page, offline_context, site):
    _, folder = site
    errors = _open(page, (folder / "index.html").as_uri() + "#feature=ream-naval-base")
    expect(page.locator('.gw-panel[data-feature="ream-naval-base"]')).to_be_visible()
    page.locator("path.gw-f-phnom-penh").first.dispatch_event("click")
    expect(page.locator('.gw-panel[data-feature="phnom-penh"]')).to_be_visible()
    assert errors == [] and offline_context.attempted == []


def test_embed_fills_its_frame(browser, site):
    from tests.e2e import reader_page

    url, _ = site
    page = reader_page(browser, "embed")
    page.goto(url + "/index.html?embed=true&feature=ream-naval-base")
    m = page.locator(".leaflet-container")
    expect(m).to_be_visible()
    b = m.bounding_box()
    assert b["y"] < 5 and b["height"] >= 0.9 * 480 and b["width"] >= 0.98 * 720, b
    expect(page.locator("#gw-head")).to_be_hidden()
    expect(page.locator("#gw-full")).to_be_visible()
    assert "embed" not in page.locator("#gw-full").get_attribute("href")
    page.context.close()


def test_hostile_data_stays_text(page, offline_context, tmp_path):
    from tests import datagen as dg

    data = dg.hostile(tmp_path / "data")
    folder = _publish(tmp_path / "site", data)
    errors = _open(page, (folder / "index.html").as_uri() + "?feature=test-harbour")
    panel = page.locator('.gw-panel[data-feature="test-harbour"]')
    expect(panel.locator("h3")).to_contain_text('Evil <script>alert("x")</script>')
    page.locator("#gw-q").fill("Evil")
    expect(page.locator("#gw-hits")).to_contain_text('<img src=x onerror="window.__pwned=1">')
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("img[src='x']").count() == 0
    assert errors == []


def test_the_app_offers_the_site_as_a_zip(page, offline_context, app_server, tmp_path):
    import zipfile

    from tests.e2e import open_app

    open_app(page, app_server.url)
    page.get_by_role("tab", name="Export & share").click()
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name="Static reader site (zip)").click()
    path = tmp_path / "site.zip"
    dl.value.save_as(path)
    zipfile.ZipFile(path).extractall(tmp_path / "x")
    reader = page.context.new_page()
    _open(reader, (tmp_path / "x" / "gulf-watch-site" / "index.html").as_uri() + "?feature=ream-naval-base")
    expect(reader.locator('.gw-panel[data-feature="ream-naval-base"]')).to_contain_text("Ream Naval Base")
    assert offline_context.attempted == []


def test_phone_map_on_top_and_evidence_below(browser, site):
    from tests.e2e import reader_page

    url, _ = site
    page = reader_page(browser, "phone")
    page.goto(url + "/index.html?feature=ream-naval-base")
    m = page.locator(".leaflet-container")
    expect(m).to_be_visible()
    b = m.bounding_box()
    assert b["width"] >= 388 and b["y"] < 0.25 * 844 and 0.5 * 844 <= b["height"] <= 0.65 * 844, b
    expect(page.locator("#gw-bar")).not_to_have_attribute("open", "")  # filters folded on a phone
    head = page.locator('.gw-panel[data-feature="ream-naval-base"] h3')
    hb = head.bounding_box()
    assert hb["y"] >= b["y"] + b["height"] - 1  # the evidence follows the map
    page.context.close()


LABELS_UNDER_CONTROLS_JS = """() => {
  const boxes = [...document.querySelectorAll('.leaflet-control')].map(e => e.getBoundingClientRect())
    .filter(r => r.width > 0 && r.height > 0);
  const hit = (a, b) => a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom;
  return [...document.querySelectorAll('.gw-label span')].filter(s => {
    const r = s.getBoundingClientRect(), cs = getComputedStyle(s);
    return r.width > 0 && cs.visibility !== 'hidden' && boxes.some(b => hit(r, b));
  }).map(s => s.textContent);
}"""


@pytest.mark.parametrize("size", ["desktop", "embed", "phone"])
def test_no_name_sits_under_the_inset_or_the_legend(browser, site, size):
    """A name that would fall under a control (locator inset, legend, coastline note) moves to
    the other side of its point, or is hidden while the control covers it."""
    from tests.e2e import reader_page

    url, _ = site
    page = reader_page(browser, size)
    for q in ("?feature=ream-naval-base", "", "?view=10.9,103.6,9", "?feature=gd2019-kampot",
              "?feature=sihanoukville-sez", "?feature=dara-sakor-zone"):
        _open(page, url + "/index.html" + q)
        under = page.evaluate(LABELS_UNDER_CONTROLS_JS)
        for _ in range(25):  # names are rechecked when the view or a control settles: give a busy machine 5 s
            if not under:
                break
            page.wait_for_timeout(200)
            under = page.evaluate(LABELS_UNDER_CONTROLS_JS)
        assert under == [], q
    page.context.close()
