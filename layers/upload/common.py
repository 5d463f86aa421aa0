"""What every reader shares: the result type, the rejection, and message wording.

Messages are plain text: the upload tab shows them escaped, never as Markdown or HTML, so
names, headers and values copied from a file can be quoted here as they are.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath

import geopandas as gpd
import numpy as np

from ..filters import plural

MAX_REPORTED_ROWS = 5  # row numbers listed in a message

# Where this map's readers' data are expected to be (lon_min, lat_min, lon_max, lat_max): the
# Gulf of Thailand and the seas around it.  Only used to notice swapped latitude/longitude.
REGION = (92.0, -5.0, 125.0, 25.0)


@dataclass
class UploadResult:
    gdf: gpd.GeoDataFrame | None  # EPSG:4326, only valid non-empty geometries; None on failure
    messages: list[str] = field(default_factory=list)
    dropped: int = 0  # rows/features left out (bad values or geometries, over the cap)
    vertices: tuple[int, int] | None = None  # (in the file, drawn) when simplified for drawing

    @property
    def ok(self) -> bool:
        return self.gdf is not None


class Reject(Exception):
    """Raised internally with a finished user-facing message."""


def label(name: str) -> str:
    """The file's base name, on one line, quoted and cut to 80 characters."""
    base = PurePath(str(name or "upload").replace("\\", "/")).name or "upload"
    base = " ".join(base.split())
    return f"“{base[:77] + '…' if len(base) > 80 else base}”"


def size_text(n: int, decimals: int = 1) -> str:
    if n < 1024:
        return plural(n, "byte")
    if n < 1024 * 1024:
        return f"{n / 1024:.{decimals}f} KB"
    return f"{n / 1024 / 1024:.{decimals}f} MB"


def limit_text(n: int) -> str:
    """A configured limit: ``50 MB`` (whole numbers without decimals)."""
    mb = n / 1024 / 1024
    return f"{mb:.0f} MB" if n >= 1024 * 1024 and mb == round(mb) else size_text(n)


def over_limit(n: int, limit: int) -> tuple[str, str]:
    """``n`` and ``limit`` worded so that they visibly differ: ``50.2 MB`` against ``50 MB``,
    ``50.001 MB``, or exact byte counts when even three decimals would round them together."""
    lim = limit_text(limit)
    for d in (1, 2, 3):
        if size_text(n, d) not in (lim, size_text(limit, d)):
            return size_text(n, d), lim
    return f"{n:,} bytes", f"{limit:,} bytes ({lim})"


def numbers(nums: list[int] | np.ndarray, noun: str = "row") -> str:
    """``rows 3, 8, 12 and 4 more`` (noun pluralised)."""
    nums = [int(n) for n in nums]
    shown = ", ".join(str(n) for n in nums[:MAX_REPORTED_ROWS])
    more = len(nums) - MAX_REPORTED_ROWS
    word = noun if len(nums) == 1 else noun + "s"
    return f"{word} {shown}" + (f" and {more:,} more" if more > 0 else "")


def report(label_: str, bad: dict[str, list[int]], noun: str, messages: list[str]) -> int:
    """One message per reason (``left out 2 features with … (features 3, 9)``); the count."""
    n = 0
    for reason, nums in bad.items():
        n += len(nums)
        messages.append(f"{label_}: left out {plural(len(nums), noun)} with {reason} "
                        f"({numbers(nums, noun)}).")
    return n


_VSI = re.compile(r"['\"]?/vsimem/\S+?['\"]?(?=[\s:;,]|$)")


def clean_error(e: BaseException, label_: str) -> str:
    """The parser's reason, without internal paths and on one line."""
    text = _VSI.sub(label_, str(e)).strip() or e.__class__.__name__
    text = " ".join(text.split())
    return text[:300] + ("…" if len(text) > 300 else "")


def looks_swapped(lon: np.ndarray, lat: np.ndarray) -> bool:
    """True when the positions make more sense with latitude and longitude exchanged: most
    latitudes are beyond ±90 while most longitudes are within it (and the latitudes could be
    longitudes), or none of the positions is in this map's region while most would be, swapped."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    lon, lat = lon[ok], lat[ok]
    n = len(lon)
    if n == 0:
        return False
    if (np.abs(lat) > 90).sum() > n / 2 and ((np.abs(lon) <= 90) & (np.abs(lat) <= 180)).sum() > n / 2:
        return True
    x0, y0, x1, y1 = REGION
    inside_now = (lon >= x0) & (lon <= x1) & (lat >= y0) & (lat <= y1)
    inside_swapped = (lat >= x0) & (lat <= x1) & (lon >= y0) & (lon <= y1)
    return not inside_now.any() and inside_swapped.sum() > n / 2
