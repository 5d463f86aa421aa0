"""The static reader site's files (layers/publish), without a browser."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path

from layers.load import load_dataset
from layers.publish import SITE_FILES, publish, site_files, site_zip
from tests import datagen as dg

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data"


def test_publish_writes_a_small_self_contained_site(tmp_path):
    ds = load_dataset(DATA)
    res = publish(ds, tmp_path / "site", DATA)
    for name in SITE_FILES + ("data/gulf-watch.geojson", "vendor/leaflet/leaflet.js",
                              "vendor/leaflet/leaflet.css", "vendor/gulfwatch-compat.js"):
        assert (tmp_path / "site" / name).is_file(), name
    assert res.total < 3_000_000  # "a few MB"
    page = (tmp_path / "site" / "index.html").read_text("utf-8")
    # every script and stylesheet the page loads is one of the site's own files
    srcs = re.findall(r'<script[^>]*\bsrc="([^"]+)"', page) + re.findall(r'<link[^>]*\bhref="([^"]+)"', page)
    assert srcs and all(not re.match(r"^[a-z]+:|^//", s) for s in srcs), srcs
    for s in srcs:
        assert (tmp_path / "site" / s).is_file(), s
    # the basemap is in the page (no fetch: a browser refuses fetch() from file://)
    assert "fetch(" not in page and "Natural Earth" in page
    assert "user-scalable=no" not in page  # a reader may zoom the page


def test_publishing_twice_writes_the_same_bytes():
    ds = load_dataset(DATA)
    a, b = site_files(ds, DATA), site_files(ds, DATA)
    a.pop("site-data.js"), b.pop("site-data.js")  # carries the publication date
    assert a == b


def test_site_data_cannot_end_its_script(tmp_path):
    ds = load_dataset(dg.hostile(tmp_path / "data"))
    js = site_files(ds, tmp_path / "data")["site-data.js"].decode("utf-8")
    assert "<" not in js  # every "<" is \u003c: no data can close the script or open a tag
    data = json.loads(js.removeprefix("window.GW_SITE = ").rstrip().removesuffix(";"))
    panel = data["features"]["test-harbour"]["panel"]
    assert "&lt;script&gt;" in panel and "<script>" not in panel  # escaped once, in Python


def test_site_zip_holds_the_site():
    ds = load_dataset(DATA)
    z = zipfile.ZipFile(io.BytesIO(site_zip(ds, DATA)))
    names = set(z.namelist())
    assert {"gulf-watch-site/index.html", "gulf-watch-site/site.js",
            "gulf-watch-site/vendor/leaflet/leaflet.js"} <= names
    assert all(n.startswith("gulf-watch-site/") and ".." not in n for n in names)


def test_cli_publish(tmp_path, capsys):
    from layers.cli import main

    assert main(["publish", "--out", str(tmp_path / "out")]) == 0
    assert "wrote" in capsys.readouterr().err
    assert (tmp_path / "out" / "index.html").is_file()


def test_app_url_is_linked_only_when_it_is_http(tmp_path):
    from layers.publish.sitedata import site_data

    ds = load_dataset(DATA)
    assert site_data(ds, app_url="https://gulf-watch.example.org/")["appUrl"] == "https://gulf-watch.example.org/"
    assert site_data(ds, app_url="javascript:alert(1)")["appUrl"] is None
    from layers.cli import main

    assert main(["publish", "--out", str(tmp_path / "x"), "--app-url", "javascript:alert(1)"]) == 2
