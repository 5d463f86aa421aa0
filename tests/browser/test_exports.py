"""The export buttons produce real files of the current (filtered) view."""

from __future__ import annotations

import json

import geopandas as gpd
import pytest

from tests.e2e import open_app


@pytest.mark.parametrize("label,suffix", [("GeoJSON", ".geojson"), ("KML (Google Earth)", ".kml"),
                                          ("CSV (feature × evidence)", ".csv"),
                                          ("Citations (BibTeX)", ".bib")])
def test_download_buttons(page, offline_context, app_server, tmp_path, label, suffix):
    open_app(page, app_server.url, "layers=economic")
    page.get_by_role("tab", name="Export & share").click()
    with page.expect_download(timeout=60_000) as dl:
        page.get_by_role("button", name=label, exact=True).click()
    path = tmp_path / ("out" + suffix)
    dl.value.save_as(path)
    assert dl.value.suggested_filename.endswith(suffix)
    if suffix == ".geojson":
        fc = json.loads(path.read_text("utf-8"))
        assert {f["properties"]["layer"] for f in fc["features"]} == {"economic"}
        assert all(f["properties"]["evidence"] for f in fc["features"])
    if suffix in (".geojson", ".kml"):
        assert len(gpd.read_file(path)) >= 5
    if suffix == ".csv":
        assert path.read_text("utf-8").startswith("\ufeffid,layer,name")  # BOM: spreadsheets read it as UTF-8
    if suffix == ".bib":
        assert "@online{" in path.read_text("utf-8")
