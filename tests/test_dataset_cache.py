"""The validated dataset on disk (layers/cache.py): a new process gets the same Dataset — problems
included — without validating again, and any change to the data, the validating code or the
libraries is a miss.  Also: the page's first modules do not import the map's heavy libraries
(the cold start sends the header while folium is imported)."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from layers import cache
from layers.load import Dataset, load_dataset
from tests import datagen as dg

REPO = Path(__file__).resolve().parents[1]
APP = str(REPO / "app.py")


@pytest.fixture
def cache_dir(tmp_path, monkeypatch):
    d = tmp_path / "cache"
    monkeypatch.setenv(cache.CACHE_ENV, str(d))
    return d


@pytest.fixture
def loads(monkeypatch):
    """Counts the real loads (validations) that load_dataset_cached does."""
    calls: list[Path] = []

    def counting(data_dir):
        calls.append(Path(data_dir))
        return load_dataset(data_dir)

    monkeypatch.setattr(cache, "load_dataset", counting)
    return calls


def bad_data(root: Path) -> Path:
    """Errors (a bad date, a broken file, an unknown excerpt) and warnings (an unlinked excerpt)."""
    f = dg.feature()
    f["properties"]["start"] = "2024-99"
    g = dg.point("orphan", "context", 104.0, 11.0, evidence=[{"excerpt": "no-such-excerpt"}])
    layers = dg.default_layers()
    layers["ream"] = [f]
    layers["context"].append(g)
    return dg.write_data(root, layers=layers, raw={"features/drills.geojson": "{oops"})


def cache_files(d: Path) -> list[Path]:
    return sorted((d / "dataset").glob(f"*{cache.SUFFIX}")) if d.exists() else []


def same(a: Dataset, b: Dataset) -> bool:
    return (a.sources == b.sources and a.excerpts == b.excerpts and a.features == b.features
            and a.problems == b.problems)


def test_hit_returns_the_same_dataset_without_validating(tmp_path, cache_dir, loads):
    root = dg.write_data(tmp_path / "data")
    first = cache.load_dataset_cached(root)
    assert len(loads) == 1 and len(cache_files(cache_dir)) == 1
    second = cache.load_dataset_cached(root)
    assert len(loads) == 1  # from the disk, not validated again
    assert second is not first and same(second, first) and same(second, load_dataset(root))
    assert [f.id for f in second.features] == [f.id for f in first.features]


def test_miss_when_a_data_file_changes(tmp_path, cache_dir, loads):
    root = dg.write_data(tmp_path / "data")
    cache.load_dataset_cached(root)
    path = root / "features" / "context.geojson"
    fc = json.loads(path.read_text("utf-8"))
    fc["features"][0]["properties"]["name"] = "Renamed Capital"
    stat = path.stat()
    path.write_text(json.dumps(fc), "utf-8")
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # same time: the content decides
    ds = cache.load_dataset_cached(root)
    assert len(loads) == 2
    assert ds.feature("capital").props.name == "Renamed Capital"
    assert len(cache_files(cache_dir)) == 2


def test_miss_when_a_reference_file_of_the_geometry_checks_changes(tmp_path, cache_dir, loads, monkeypatch):
    root = dg.write_data(tmp_path / "data")
    countries = tmp_path / "countries.geojson"
    shutil.copy(REPO / "data" / "basemap" / "ne_countries.geojson", countries)
    monkeypatch.setenv("GULFWATCH_NE_COUNTRIES", str(countries))
    cache.load_dataset_cached(root)
    countries.write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    cache.load_dataset_cached(root)
    assert len(loads) == 2


def test_miss_when_the_validating_code_changes(tmp_path, cache_dir, loads, monkeypatch):
    root = dg.write_data(tmp_path / "data")
    cache.load_dataset_cached(root)
    code = tmp_path / "code"
    code.mkdir()
    for name in cache.CODE_FILES:
        shutil.copy(cache.CODE_DIR / name, code / name)
    monkeypatch.setattr(cache, "CODE_DIR", code)
    monkeypatch.setattr(cache, "_code_digest", None)
    cache.load_dataset_cached(root)
    assert len(loads) == 1  # the same code elsewhere: same key
    with (code / "geocheck.py").open("a", encoding="utf-8") as fh:
        fh.write("\n# a change to the checks\n")
    monkeypatch.setattr(cache, "_code_digest", None)
    cache.load_dataset_cached(root)
    assert len(loads) == 2


def test_code_files_are_the_modules_that_load_the_data(tmp_path):
    """Every module of ``layers`` that a load runs is part of the key (a new reader module split off
    ``load.py`` must be added to CODE_FILES), and every name listed there exists and is run."""
    root = bad_data(tmp_path / "data")
    code = ("import json, sys; from pathlib import Path; import layers.cache; "
            "from layers.load import load_dataset; load_dataset(Path(sys.argv[1])); "
            "print(json.dumps(sorted(Path(m.__file__).name for n, m in list(sys.modules.items()) "
            "if (n == 'layers' or n.startswith('layers.')) and getattr(m, '__file__', None))))")
    out = subprocess.run([sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True,
                         text=True, timeout=120, check=True)
    ran = set(json.loads(out.stdout.strip().splitlines()[-1])) - {"__init__.py"}
    assert ran == set(cache.CODE_FILES)
    assert all((cache.CODE_DIR / name).is_file() for name in cache.CODE_FILES)


def test_miss_when_a_library_version_changes(tmp_path, cache_dir, loads, monkeypatch):
    root = dg.write_data(tmp_path / "data")
    cache.load_dataset_cached(root)
    real = cache._library_version
    monkeypatch.setattr(cache, "_library_version",
                        lambda name: "99.0" if name == "pydantic" else real(name))
    monkeypatch.setattr(cache, "_code_digest", None)
    cache.load_dataset_cached(root)
    assert len(loads) == 2
    assert cache._library_version("pydantic") != real("pydantic")


@pytest.mark.parametrize("damage", ["empty", "text", "truncated", "other-object"])
def test_unreadable_cache_file_falls_back_to_a_normal_load(tmp_path, cache_dir, loads, damage):
    root = bad_data(tmp_path / "data")
    good = cache.load_dataset_cached(root)
    (file,) = cache_files(cache_dir)
    file.write_bytes({"empty": b"", "text": b"not a pickle", "truncated": file.read_bytes()[:200],
                      "other-object": pickle.dumps({"not": "a dataset"})}[damage])
    ds = cache.load_dataset_cached(root)
    assert len(loads) == 2 and same(ds, good) and same(ds, load_dataset(root))
    cache.load_dataset_cached(root)  # the broken file was replaced by a good one
    assert len(loads) == 2


def test_cache_file_that_cannot_be_opened_falls_back(tmp_path, cache_dir, loads):
    root = dg.write_data(tmp_path / "data")
    cache.load_dataset_cached(root)
    (file,) = cache_files(cache_dir)
    file.unlink()
    file.mkdir()  # a folder where the file should be: cannot be read, cannot be replaced
    ds = cache.load_dataset_cached(root)
    assert len(loads) == 2 and same(ds, load_dataset(root))


def test_problems_are_preserved_exactly(tmp_path, cache_dir, loads):
    root = bad_data(tmp_path / "data")
    fresh = load_dataset(root)
    assert fresh.errors and any(p.severity == "warning" for p in fresh.problems)
    cache.load_dataset_cached(root)
    hit = cache.load_dataset_cached(root)
    assert len(loads) == 1
    assert [str(p) for p in hit.problems] == [str(p) for p in fresh.problems]
    assert [p.severity for p in hit.problems] == [p.severity for p in fresh.problems]
    assert hit.problems == fresh.problems


def test_page_shows_the_same_problems_from_the_cache(tmp_path, cache_dir, loads, monkeypatch):
    """The page of a new process (the in-memory cache cleared) says the same from the disk."""
    monkeypatch.setenv("GULFWATCH_DATA_DIR", str(bad_data(tmp_path / "data")))

    def warning() -> str:
        st.cache_resource.clear()
        at = AppTest.from_file(APP, default_timeout=60)
        at.run()
        assert not at.exception
        return at.expander[0].label + "\n" + "\n".join(c.value for c in at.code)

    first, second = warning(), warning()
    assert len(loads) == 1  # the second page came from the disk cache
    assert first == second
    assert "problems in the data" in first and "data/features/drills.geojson: invalid JSON" in first


def test_nothing_is_cached_when_an_input_is_not_a_regular_file(tmp_path, cache_dir, loads):
    root = dg.write_data(tmp_path / "data")
    (root / "sources.json").unlink()
    (root / "sources.json").mkdir()
    a = cache.load_dataset_cached(root)
    b = cache.load_dataset_cached(root)
    assert len(loads) == 2 and not cache_files(cache_dir)
    assert a.problems == b.problems == load_dataset(root).problems


def test_missing_file_is_part_of_the_key(tmp_path, cache_dir, loads):
    root = dg.write_data(tmp_path / "data")
    (root / "features" / "drills.geojson").unlink()
    ds = cache.load_dataset_cached(root)
    assert any("file not found" in str(p) for p in ds.problems)
    dg.write_data(root)  # the file is back
    ds = cache.load_dataset_cached(root)
    assert len(loads) == 2 and not any("file not found" in str(p) for p in ds.problems)


def test_not_stored_when_a_file_changes_during_the_load(tmp_path, cache_dir, monkeypatch):
    root = dg.write_data(tmp_path / "data")

    def load_then_edit(data_dir):
        ds = load_dataset(data_dir)
        (root / "features" / "context.geojson").write_text(
            '{"type": "FeatureCollection", "features": []}', "utf-8")
        return ds

    monkeypatch.setattr(cache, "load_dataset", load_then_edit)
    cache.load_dataset_cached(root)
    assert not cache_files(cache_dir)


def test_cache_off_and_unwritable_folder(tmp_path, monkeypatch, loads):
    root = dg.write_data(tmp_path / "data")
    monkeypatch.setenv(cache.CACHE_ENV, "off")
    assert cache.cache_dir() is None
    cache.load_dataset_cached(root)
    cache.load_dataset_cached(root)
    assert len(loads) == 2
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    monkeypatch.setenv(cache.CACHE_ENV, str(blocker / "cache"))  # cannot be created
    ds = cache.load_dataset_cached(root)
    assert len(loads) == 3 and same(ds, load_dataset(root))


def test_default_folder_is_git_ignored(monkeypatch):
    monkeypatch.delenv(cache.CACHE_ENV, raising=False)
    assert cache.cache_dir() == REPO / ".cache"
    assert ".cache/" in (REPO / ".gitignore").read_text().splitlines()


def test_old_cache_files_are_pruned(tmp_path, cache_dir, monkeypatch):
    monkeypatch.setattr(cache, "KEEP", 3)
    for i in range(5):
        cache.load_dataset_cached(dg.write_data(tmp_path / f"data{i}"))
    assert len(cache_files(cache_dir)) == 3
    assert not list(cache_dir.rglob("*.tmp"))  # written via a temporary file, none left behind


def test_first_modules_do_not_import_the_map_libraries():
    """The page imports these before it sends its header; folium, streamlit-folium,
    pandas, shapely, pyproj (and geopandas, matplotlib) come later, where the map is built."""
    code = ("import sys, json; import layers.ui, layers.layout, layers.load, layers.cache; "
            "print(json.dumps(sorted(m for m in ('folium', 'streamlit_folium', 'branca', 'pandas', "
            "'shapely', 'pyproj', 'geopandas', 'matplotlib') if m in sys.modules)))")
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True,
                         timeout=120, check=True)
    assert json.loads(out.stdout.strip().splitlines()[-1]) == []


# --- the static basemap's file name (layers/cache.py, static_basemap_url) ------------------------

@pytest.fixture
def basemap_data(tmp_path):
    """A data folder with its own copy of the Natural Earth basemap files, and an app folder."""
    from layers.basemap import FILES

    root = dg.write_data(tmp_path / "data")
    (root / "basemap").mkdir()
    for name in FILES.values():
        shutil.copy(REPO / "data" / "basemap" / name, root / "basemap" / name)
    return root, tmp_path / "app"


def test_basemap_name_from_the_disk_without_building_the_json(basemap_data, cache_dir, monkeypatch):
    from layers import basemap

    root, app = basemap_data
    url = cache.static_basemap_url(app, root)
    assert url == basemap.ensure_static_basemap(app, root)
    cache._basemap_urls.clear()  # a new process

    def no_payload(*a, **k):
        raise AssertionError("the basemap JSON was built")

    monkeypatch.setattr(basemap, "_payload", no_payload)
    assert cache.static_basemap_url(app, root) == url
    assert cache.static_basemap_url(app, root) == url  # and from memory


def test_basemap_name_follows_the_files_and_rewrites_a_missing_file(basemap_data, cache_dir):
    from layers import basemap

    root, app = basemap_data
    url = cache.static_basemap_url(app, root)
    written = app / "static" / "basemap" / url.rsplit("/", 1)[-1]
    written.unlink()  # static/ is git-ignored: a clean checkout has the cache but not the file
    cache._basemap_urls.clear()
    assert cache.static_basemap_url(app, root) == url and written.is_file()
    places = root / "basemap" / basemap.FILES["places"]
    fc = json.loads(places.read_text("utf-8"))
    fc["features"] = fc["features"][:-1]
    stat = places.stat()
    places.write_text(json.dumps(fc), "utf-8")
    os.utime(places, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1))
    new = cache.static_basemap_url(app, root)
    assert new != url and new == basemap.ensure_static_basemap(app, root)


@pytest.mark.parametrize("memo", ["", "garbage", "ne-0123456789abcdef.json 12", "../../x.json 5"])
def test_broken_basemap_memo_falls_back(basemap_data, cache_dir, memo):
    from layers import basemap

    root, app = basemap_data
    url = cache.static_basemap_url(app, root)
    (file,) = (cache_dir / "basemap").glob("*.txt")
    file.write_text(memo)
    cache._basemap_urls.clear()
    assert cache.static_basemap_url(app, root) == url == basemap.ensure_static_basemap(app, root)
