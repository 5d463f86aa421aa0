"""Limits on what an upload may cost: bytes in, bytes unpacked from a zip, memory kept.

* ``MAX_UPLOAD_BYTES`` — the file as uploaded (``GULFWATCH_MAX_UPLOAD_MB``, default 50 MiB).
* ``MAX_UNZIPPED_BYTES`` — the KML unpacked from a KMZ (or any zip): the same 50 MiB, counted
  while it is read, never trusting the sizes the archive declares; ``MAX_ZIP_RATIO`` — a member
  that unpacks to more than 100 times its packed size (and over 1 MiB) is refused as a zip bomb
  before it is unpacked (KML usually packs 5–20 times).  Zips inside zips are refused.
* :func:`estimate_bytes` — what a kept layer costs, for the server-wide budget (``store.py``).
* :func:`release_memory` — after a layer is dropped: collect, and hand freed memory back to the
  system (glibc and Arrow keep it otherwise, and the process's RSS stays high); on import,
  :func:`tune_malloc` fixes glibc's thresholds so that there is memory to hand back.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import io
import math
import os
import platform
import sys
import zipfile
import zlib

import geopandas as gpd
import shapely

from .common import Reject, label as file_label, limit_text, size_text


def env_mb(var: str, default_mb: float) -> int:
    """``var`` as a positive number of MiB, in bytes; ``default_mb`` if unset or not valid."""
    raw = os.environ.get(var, "")
    try:
        mb = float(raw) if raw.strip() else default_mb
    except ValueError:
        mb = default_mb
    if not math.isfinite(mb) or mb <= 0:
        mb = default_mb
    return int(mb * 1024 * 1024)


def env_max_bytes(default_mb: float = 50) -> int:
    """``GULFWATCH_MAX_UPLOAD_MB`` (a positive number of MiB) or 50 MiB."""
    return env_mb("GULFWATCH_MAX_UPLOAD_MB", default_mb)


MAX_UPLOAD_BYTES = env_max_bytes()
MAX_UNZIPPED_BYTES = MAX_UPLOAD_BYTES
MAX_ZIP_RATIO = 100
RATIO_FLOOR = 1024 * 1024  # smaller members are not judged by their ratio
MAX_ZIP_MEMBERS = 10_000
CHUNK = 1024 * 1024

ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06", b"PK\x07\x08")
GZIP_MAGIC = b"\x1f\x8b"


def is_zip(raw: bytes) -> bool:
    return raw[:4] in ZIP_MAGIC


def is_gzip(raw: bytes) -> bool:
    return raw[:2] == GZIP_MAGIC


def kml_from_zip(label: str, raw: bytes, max_bytes: int | None = None) -> tuple[bytes, str]:
    """The KML inside a KMZ (or any zip): ``doc.kml`` at the top, else the first ``.kml``.

    Read in chunks with a cap on the unpacked size, after checking the declared size and the
    packing ratio; :class:`Reject` for a damaged, encrypted or nested archive, a bomb, or one
    without KML.  Returns (the KML's bytes, its name in the archive).
    """
    cap = MAX_UNZIPPED_BYTES if max_bytes is None else int(max_bytes)
    try:
        zf = zipfile.ZipFile(io.BytesIO(raw))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as e:
        raise Reject(f"{label} starts like a zip archive (KMZ) but is damaged ({e}).") from None
    with zf:
        if len(infos) > MAX_ZIP_MEMBERS:
            raise Reject(f"{label} is a zip archive of {len(infos):,} files; at most "
                         f"{MAX_ZIP_MEMBERS:,} are looked at.")
        nested = [i for i in infos if i.filename.lower().endswith((".zip", ".kmz"))]
        if nested:
            raise Reject(f"{label} is a zip archive with another archive inside "
                         f"({file_label(nested[0].filename)}); archives inside archives are not "
                         "read — upload the .kml or .kmz itself.")
        kmls = [i for i in infos if not i.is_dir() and i.filename.lower().endswith(".kml")]
        if not kmls:
            held = ", ".join(file_label(i.filename) for i in infos[:5]) or "nothing"
            more = f" and {len(infos) - 5:,} more" if len(infos) > 5 else ""
            raise Reject(f"{label} is a zip archive without a .kml file inside (it holds {held}"
                         f"{more}); upload a KMZ saved by Google Earth, or a .geojson, .kml or "
                         ".csv file.")
        member = next((i for i in kmls if i.filename.lower() == "doc.kml"), kmls[0])
        name = file_label(member.filename)
        if member.flag_bits & 0x1:
            raise Reject(f"{label}: {name} in the archive is password-protected.")
        packed = max(member.compress_size, 1)
        if member.file_size > RATIO_FLOOR and member.file_size > MAX_ZIP_RATIO * packed:
            raise _bomb(label, name, member.file_size, packed)
        if member.file_size > cap:
            raise Reject(f"{label}: {name} in the archive would unpack to "
                         f"{size_text(member.file_size)}; an unpacked KML is limited to "
                         f"{limit_text(cap)}.")
        out = bytearray()
        try:
            with zf.open(member) as f:
                while chunk := f.read(CHUNK):
                    out += chunk
                    if len(out) > cap:
                        raise Reject(f"{label}: {name} in the archive unpacks to more than "
                                     f"{limit_text(cap)} (it declared {size_text(member.file_size)}); "
                                     f"an unpacked KML is limited to {limit_text(cap)}.")
                    if len(out) > RATIO_FLOOR and len(out) > MAX_ZIP_RATIO * packed:
                        raise _bomb(label, name, len(out), packed, more=True)
        except Reject:
            raise
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError) as e:
            raise Reject(f"{label}: {name} in the archive is damaged ({e}).") from None
        except NotImplementedError as e:
            raise Reject(f"{label}: {name} in the archive uses a compression this server cannot "
                         f"unpack ({e}); save the KMZ again with ordinary (deflate) compression.") from None
        except RuntimeError as e:  # zipfile: encrypted without the flag, or similar
            raise Reject(f"{label}: {name} in the archive could not be unpacked ({e}).") from None
    if is_zip(out):
        raise Reject(f"{label}: {name} in the archive is itself a zip archive; archives inside "
                     "archives are not read.")
    return bytes(out), member.filename


def _bomb(label: str, name: str, size: int, packed: int, more: bool = False) -> Reject:
    return Reject(f"{label}: {name} in the archive would unpack to {'more than ' if more else ''}"
                  f"{size_text(size)} from {size_text(packed)} ({size / packed:,.0f} times; a KML "
                  f"packs at most about {MAX_ZIP_RATIO} times), so it is not unpacked.")


# --- memory -------------------------------------------------------------------------------

GEOMETRY_OVERHEAD = 200  # bytes per shapely geometry beyond its coordinates (GEOS + Python object)


def estimate_bytes(gdf: gpd.GeoDataFrame) -> int:
    """Memory held by a layer: its columns (deep) plus its geometries' coordinates."""
    if gdf is None:
        return 0
    geoms = gdf.geometry.to_numpy()
    cols = gdf.drop(columns=gdf.geometry.name)
    n_coords = int(shapely.get_num_coordinates(geoms).sum()) if len(geoms) else 0
    return (int(cols.memory_usage(index=True, deep=True).sum()) + n_coords * 16
            + len(geoms) * GEOMETRY_OVERHEAD)


M_TRIM_THRESHOLD, M_MMAP_THRESHOLD = -1, -3  # mallopt parameters (malloc.h)
MMAP_THRESHOLD = 1024 * 1024  # blocks this big get their own mapping, returned when freed
TRIM_THRESHOLD = 8 * 1024 * 1024  # an arena keeps at most this much free memory at its top


def _libc():
    if platform.system() != "Linux" or platform.libc_ver()[0] != "glibc":
        return None
    try:
        return ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
    except OSError:
        return None


_LIBC = _libc()


def tune_malloc() -> bool:
    """Fix glibc's thresholds, and have Arrow allocate through glibc (process-wide, once, on
    import; ``GULFWATCH_MALLOC_TUNE=0`` leaves both alone).

    By default glibc raises both thresholds after a big block is freed (an upload's 30 MB of
    bytes): later blocks up to 32 MB then come from the arenas, and each arena keeps up to
    64 MB of free memory that ``malloc_trim`` does not return; Arrow's mimalloc keeps what a
    finished script thread freed.  Ten sessions uploading a million-row CSV left the idle server
    at 668 MiB without this and at 273 MiB with it (bench/upload_memory.py).
    """
    if _LIBC is None or os.environ.get("GULFWATCH_MALLOC_TUNE", "1") == "0":
        return False
    try:
        ok = bool(_LIBC.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
                  and _LIBC.mallopt(M_TRIM_THRESHOLD, TRIM_THRESHOLD))
    except AttributeError:
        return False
    try:
        import pyarrow as pa

        pa.set_memory_pool(pa.system_memory_pool())
    except Exception:
        pass
    return ok


TUNED = tune_malloc()


def release_memory() -> None:
    """Collect garbage, then hand freed memory back to the system (``malloc_trim``, glibc
    only; and Arrow's pool, should it not be glibc's)."""
    gc.collect()
    if _LIBC is not None:
        try:
            _LIBC.malloc_trim(0)
        except Exception:  # never let housekeeping break a run
            pass
    pa = sys.modules.get("pyarrow")
    if pa is not None:
        try:
            pa.default_memory_pool().release_unused()
        except Exception:
            pass
