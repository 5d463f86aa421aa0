"""The validated dataset kept on disk, so a new app process does not validate ``data/`` again.

:func:`layers.load.load_dataset` reads every data file and validates it (pydantic, shapely, the
Natural Earth land and country checks of :mod:`layers.geocheck`): about 0.2 s of a cold start,
the same result every time for the same files.  :func:`load_dataset_cached` returns that result
from a pickle when nothing it depends on has changed, and otherwise loads normally and stores it.

The key is a hash of

* **what is read**: the path and the bytes of every file ``load_dataset`` reads
  (:func:`layers.load.dataset_inputs`: ``sources.json``, the four layer files, the land and
  countries files of the geometry checks), or that one is missing;
* **what reads it**: the source of the data model (``model.py``, ``model_values.py``), ``load.py``
  and the readers it uses (``datafile.py``, ``sourcefile.py``, ``layerfile.py``), the geometry
  checks (``geocheck.py``, ``geocheck_coords.py``) and this module, the Python version and the
  versions of pydantic, pydantic-core, shapely, pyproj and numpy.

So editing a data file, the validation code or upgrading a library is a miss.  A cache file that
cannot be read, does not unpickle or holds something else is ignored (and replaced): the data is
loaded normally and the page is the same.  The problems found during validation are part of the
pickled :class:`~layers.load.Dataset`, so they are shown exactly as after a normal load.

Nothing is cached when an input is not a regular file or is larger than
:data:`layers.load.MAX_FILE_BYTES` (``load_dataset`` reports those; hashing them could block or
take long), or when a file changed while it was being loaded (the key is taken again after the
load and must be the same).

Where: ``$GULFWATCH_CACHE_DIR/dataset/`` if set (``off`` turns the cache off), else
``<repo>/.cache/dataset/`` (git-ignored).  Files are written atomically (temporary file + ``os.replace``) and only the
:data:`KEEP` most recent are kept.  A folder that cannot be written is no error: nothing is stored.
The cache is ours, written by this module in the app's own folder; like the code beside it, it is
trusted (pickle runs what it is given: never point ``GULFWATCH_CACHE_DIR`` at a folder others write).
"""

from __future__ import annotations

import hashlib
import os
import pickle
import re
import stat
import sys
import tempfile
from pathlib import Path

from .load import MAX_FILE_BYTES, Dataset, dataset_inputs, load_dataset

CACHE_ENV = "GULFWATCH_CACHE_DIR"
OFF = ("off", "0", "no", "false")
REPO = Path(__file__).resolve().parents[1]
DEFAULT_DIR = REPO / ".cache"
FORMAT = 1  # bump when what is stored changes shape
KEEP = 8  # cache files kept (tests open the app on many temporary data folders)
SUFFIX = ".pickle"
# the modules whose code decides what load_dataset returns (in CODE_DIR)
CODE_DIR = Path(__file__).resolve().parent
CODE_FILES = ("model.py", "model_values.py", "load.py", "datafile.py", "sourcefile.py", "layerfile.py",
              "geocheck.py", "geocheck_coords.py", "cache.py")
LIBRARIES = ("pydantic", "pydantic_core", "shapely", "pyproj", "numpy")

_code_digest: str | None = None


def cache_dir() -> Path | None:
    """The cache folder (``dataset/`` and ``basemap/`` in it), or None when the cache is off."""
    value = os.environ.get(CACHE_ENV)
    if value is None or value == "":
        return DEFAULT_DIR
    if value.strip().lower() in OFF:
        return None
    return Path(value)


def code_digest() -> str:
    """Hash of the code that validates the data and of the library versions it runs on."""
    global _code_digest
    if _code_digest is None:
        h = hashlib.sha256(f"gulfwatch-dataset-cache {FORMAT}\n{sys.version}\n".encode())
        for name in CODE_FILES:
            h.update(f"{name}\n".encode())
            h.update((CODE_DIR / name).read_bytes())
        for lib in LIBRARIES:
            h.update(f"\n{lib} {_library_version(lib)}".encode())
        _code_digest = h.hexdigest()
    return _code_digest


def _library_version(name: str) -> str:
    """The installed version of a library without importing it (importing shapely, pyproj and
    numpy here would cost the cold start what the cache saves): its ``*.dist-info`` folder's
    name, and the size and time of its ``__init__`` (a reinstall changes them)."""
    import importlib.util

    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        spec = None
    if spec is None or not spec.origin:
        return "not installed"
    origin = Path(spec.origin)
    site = origin.parent.parent
    try:
        dist = sorted(n for n in os.listdir(site)
                      if n.lower().startswith(name.lower() + "-") and n.endswith(".dist-info"))
        info = origin.stat()
    except OSError:
        return f"{origin} ?"
    return f"{origin} {dist} {info.st_size} {info.st_mtime_ns}"


def dataset_key(data_dir: Path) -> str | None:
    """The cache key of ``load_dataset(data_dir)`` now, or None when it must not be cached."""
    h = hashlib.sha256(code_digest().encode())
    h.update(f"\nroot {Path(data_dir).resolve()}\n".encode())
    for path in dataset_inputs(Path(data_dir)):
        h.update(f"file {path}\n".encode("utf-8", "surrogateescape"))
        try:
            info = path.stat()
        except FileNotFoundError:
            h.update(b"missing\n")
            continue
        except OSError:
            return None
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
            return None
        try:
            with path.open("rb") as fh:
                data = fh.read(MAX_FILE_BYTES + 1)
        except OSError:
            return None
        if len(data) > MAX_FILE_BYTES:
            return None
        h.update(f"{len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()


def _read(file: Path) -> Dataset | None:
    try:
        with file.open("rb") as fh:
            ds = pickle.load(fh)
    except Exception:  # noqa: BLE001 — missing, truncated, from another version: load normally
        return None
    return ds if isinstance(ds, Dataset) else None


def _write(folder: Path, file: Path, ds: Dataset) -> None:
    if _write_atomic(file, pickle.dumps(ds, protocol=pickle.HIGHEST_PROTOCOL)):
        _prune(folder)


def _write_atomic(file: Path, data: bytes) -> bool:
    """Write ``file`` via a temporary file and ``os.replace`` (a reader never sees half a file);
    False when it cannot be written (a read-only folder, a full disk: just no cache)."""
    tmp = None
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=file.parent, prefix=f".{file.name}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, file)
        tmp = None
        return True
    except Exception:  # noqa: BLE001
        return False
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def _prune(folder: Path) -> None:
    _prune_files(folder, SUFFIX)


def _prune_files(folder: Path, suffix: str) -> None:
    """Keep the :data:`KEEP` most recently written cache files."""
    files = []
    for p in folder.glob(f"*{suffix}"):
        try:
            files.append((p.stat().st_mtime_ns, p))
        except OSError:
            pass
    for _, p in sorted(files, reverse=True)[KEEP:]:
        try:
            p.unlink()
        except OSError:
            pass


def load_dataset_cached(data_dir: Path) -> Dataset:
    """``load_dataset(data_dir)``, from the disk cache when its inputs and code are unchanged."""
    folder = cache_dir()
    key = dataset_key(data_dir) if folder is not None else None
    if key is None:
        return load_dataset(data_dir)
    file = folder / "dataset" / f"{key}{SUFFIX}"
    ds = _read(file)
    if ds is not None:
        return ds
    ds = load_dataset(data_dir)
    if dataset_key(data_dir) == key:  # no file changed while it was read
        _write(file.parent, file, ds)
    return ds


# --- the static basemap's file name ------------------------------------------------------------

# :func:`layers.basemap.ensure_static_basemap` names the basemap file it writes by a hash of its
# JSON, so it builds that JSON (parsing and re-serialising the Natural Earth files) in every new
# process just to find the name: ~0.06 s of the first map.  The name is kept here, keyed by the
# Natural Earth files' bytes and the code that builds the JSON; a hit is used only if the file it
# names is there with its size.  Within a process the key is remembered per file stamps.
BASEMAP_CODE = ("basemap.py", "basemap_files.py", "basemap_tiles.py", "assets.py")
_basemap_urls: dict[tuple, str] = {}


def _basemap_key(directory: Path, names: list[str]) -> str | None:
    h = hashlib.sha256(f"gulfwatch-basemap-name {FORMAT}\n{sys.version}\n".encode())
    for name in BASEMAP_CODE:
        h.update((CODE_DIR / name).read_bytes())
    for name in names:
        try:
            data = (directory / name).read_bytes()
        except OSError:
            return None
        h.update(f"\n{name} {len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()


def static_basemap_url(app_dir: Path, data_dir: Path | None = None) -> str:
    """``ensure_static_basemap(app_dir, data_dir)``, without building the basemap JSON when the
    file it names is already written (see above)."""
    from .assets import _join
    from .basemap import FILES, basemap_dir, ensure_static_basemap

    directory = basemap_dir(data_dir)
    names = sorted(FILES.values())
    try:
        stamp = (str(app_dir), str(directory), tuple((n, (directory / n).stat().st_mtime_ns,
                                                       (directory / n).stat().st_size) for n in names))
    except OSError:
        return ensure_static_basemap(app_dir, data_dir)  # it reports what is missing
    url = _basemap_urls.get(stamp)
    static = Path(app_dir) / "static" / "basemap"
    if url is not None and (static / url.rsplit("/", 1)[-1]).is_file():
        return url
    folder = cache_dir()
    key = _basemap_key(directory, names) if folder is not None else None
    memo = folder / "basemap" / f"{key}.txt" if key else None
    if memo is not None:
        try:
            name, size = memo.read_text(encoding="utf-8").split()
            if (re.fullmatch(r"ne-[0-9a-f]{16}\.json", name)
                    and (static / name).stat().st_size == int(size)):
                url = _join("app/static/basemap", name)
                if len(_basemap_urls) >= 16:
                    _basemap_urls.clear()
                _basemap_urls[stamp] = url
                return url
        except (OSError, ValueError):
            pass
    url = ensure_static_basemap(app_dir, data_dir)
    if len(_basemap_urls) >= 16:  # a test process sees many data folders
        _basemap_urls.clear()
    _basemap_urls[stamp] = url
    if memo is not None:
        name = url.rsplit("/", 1)[-1]
        try:
            size = (static / name).stat().st_size
        except OSError:
            return url
        if _write_atomic(memo, f"{name} {size}\n".encode()):
            _prune_files(memo.parent, ".txt")
    return url
