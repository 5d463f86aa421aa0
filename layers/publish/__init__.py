"""``python -m layers publish --out DIR``: the reader's part of the app as a static site.

A folder that any static host serves with no Python behind it (GitHub Pages, an S3 bucket
behind a CDN, a newsroom's own server), and that also opens from ``file://`` with no network::

    index.html        the page: the app's map (layers, styles, labels, legend, locator, selection
                      outline, Natural Earth basemap inline) and the reader's shell (page.py)
    site.js           selection, evidence panel, filters, search, deep links, embed (site.js)
    site.css          the page's layout at desktop, phone and embedded sizes, the panel's styles
    site-data.js      panels (HTML made in Python), search fields, filter metadata (sitedata.py)
    data/gulf-watch.geojson   every feature with its evidence (the app's GeoJSON export)
    vendor/           Leaflet from the xstatic-leaflet package, and our 1 KB compat script

Nothing in it asks a third party for anything unless the reader picks an online basemap.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from pathlib import Path

from ..load import Dataset

HERE = Path(__file__).resolve().parent
SITE_FILES = ("index.html", "site.js", "site.css", "site-data.js")


@dataclass(frozen=True)
class Published:
    out: Path
    files: dict[str, int]  # relative path → bytes

    @property
    def total(self) -> int:
        return sum(self.files.values())


def site_files(ds: Dataset, data_dir: Path | None = None, app_url: str | None = None) -> dict[str, bytes]:
    """Every file of the site, by its path relative to the site's folder (``app_url``: the
    Streamlit app, linked from the site as the analyst's tools)."""
    from .. import export
    from ..assets import ASSET_FILES, COMPAT_JS, COMPAT_JS_NAME
    from ..panel_css import PANEL_CSS
    from .page import page_html
    from .sitedata import site_data, site_data_js

    panel_css = PANEL_CSS.strip().removeprefix("<style>").removesuffix("</style>")
    files = {
        "index.html": page_html(ds, data_dir).encode("utf-8"),
        "site.js": (HERE / "site.js").read_bytes(),
        "site.css": ((HERE / "site.css").read_text(encoding="utf-8")
                     + "\n/* the evidence panel: layers/panel_css.py, as in the app */\n" + panel_css).encode("utf-8"),
        "site-data.js": site_data_js(site_data(ds, app_url=app_url)).encode("utf-8"),
        "data/gulf-watch.geojson": export.to_geojson(ds, ds.features).encode("utf-8"),
        f"vendor/{COMPAT_JS_NAME}": COMPAT_JS.encode("utf-8"),
    }
    for src_dir, name, dest in ASSET_FILES:
        if dest.startswith("leaflet/"):
            files[f"vendor/{dest}"] = (src_dir / name).read_bytes()
    return files


def publish(ds: Dataset, out: Path, data_dir: Path | None = None, app_url: str | None = None) -> Published:
    """Write the site into ``out`` (created; the site's own files in it are replaced, other
    files are left alone)."""
    out = Path(out)
    files = site_files(ds, data_dir, app_url)
    for rel, data in files.items():
        dest = out / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        dest.write_bytes(data)
    return Published(out, {rel: len(data) for rel, data in files.items()})


def site_zip(ds: Dataset, data_dir: Path | None = None, folder: str = "gulf-watch-site",
             app_url: str | None = None) -> bytes:
    """The site as a zip (the app's "Export & share"), every file under ``folder/``."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        for rel, data in sorted(site_files(ds, data_dir, app_url).items()):
            info = zipfile.ZipInfo(f"{folder}/{rel}", date_time=(2020, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            z.writestr(info, data)
    return buf.getvalue()


__all__ = ["Published", "publish", "site_files", "site_zip"]
