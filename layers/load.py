"""Load and validate ``data/``: files → a :class:`Dataset` plus a list of :class:`Problem`.

A bad file, source or feature is reported (file, feature, field, what is wrong) and skipped;
everything else still loads, so the map keeps working.
"""

from __future__ import annotations

import json
import math
import os
import re
import stat
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .geocheck import area_problems, coordinate_problem, orientation_problem
from .model import (
    REGION_BOUNDS,
    Event,
    Excerpt,
    ExcerptRef,
    Feature,
    FeatureProps,
    Problem,
    Side,
    Source,
    SourceNote,
    Stance,
)

LAYER_FILES = ("ream", "drills", "economic", "context")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"
GEOMETRY_TYPES = {"Point", "LineString", "Polygon", "MultiPoint", "MultiLineString", "MultiPolygon"}


def data_dir_from_env() -> Path:
    """``GULFWATCH_DATA_DIR`` if set (tests, a fork's own data), else the repo's ``data/``."""
    return Path(os.environ.get("GULFWATCH_DATA_DIR") or DEFAULT_DATA_DIR)


@dataclass(frozen=True)
class ResolvedEvidence:
    """One evidence item with everything needed to show or export it."""

    source: Source
    speaker: str
    stance: Stance
    side: Side
    quote: str | None = None  # verbatim text, for excerpt evidence
    note: str = ""
    excerpt_id: str | None = None
    event_id: str | None = None  # set when the evidence belongs to one of the feature's events


@dataclass
class Dataset:
    sources: dict[str, Source] = field(default_factory=dict)
    excerpts: dict[str, tuple[Source, Excerpt]] = field(default_factory=dict)
    features: list[Feature] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def feature(self, feature_id: str) -> Feature | None:
        return next((f for f in self.features if f.id == feature_id), None)

    def evidence(self, feature: Feature, include_events: bool = True) -> list[ResolvedEvidence]:
        out = [self._resolve(e) for e in feature.props.evidence]
        if include_events:
            for ev in feature.props.events:
                out += [self._resolve(e, ev.id) for e in ev.evidence]
        return out

    def event_evidence(self, event: Event) -> list[ResolvedEvidence]:
        return [self._resolve(e, event.id) for e in event.evidence]

    def _resolve(self, item: ExcerptRef | SourceNote, event_id: str | None = None) -> ResolvedEvidence:
        if isinstance(item, ExcerptRef):
            src, ex = self.excerpts[item.excerpt]
            return ResolvedEvidence(src, ex.speaker, ex.stance, ex.side, quote=ex.text,
                                    note=item.note, excerpt_id=ex.id, event_id=event_id)
        return ResolvedEvidence(self.sources[item.source], item.speaker, item.stance, item.side,
                                note=item.note, event_id=event_id)

    def features_citing(self, excerpt_id: str) -> list[Feature]:
        """Features whose evidence (or whose events' evidence) quotes this excerpt."""
        return [f for f in self.features
                if any(e.excerpt_id == excerpt_id for e in self.evidence(f))]

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]


def _rel(path: Path, root: Path) -> str:
    try:
        return f"data/{path.relative_to(root).as_posix()}"
    except ValueError:
        return str(path)


def _pydantic_problems(err: ValidationError, file: str, item: str | None,
                       prefix: str = "") -> list[Problem]:
    out = []
    for e in err.errors():
        loc = clean_text(".".join(str(x) for x in e["loc"] if x not in ("function-after",)), 120)
        # union errors repeat per branch (ExcerptRef / SourceNote); keep the message short
        out.append(Problem(file=file, feature=item, field=(prefix + loc) or None,
                           message=clean_text(e["msg"].removeprefix("Value error, "), 400)))
    # de-duplicate identical lines that unions produce
    seen: set[str] = set()
    return [p for p in out if not (str(p) in seen or seen.add(str(p)))]


# Bounds on what one data file may hold.  The real files are well under 100 kB and a few hundred
# items; these limits are far above that and keep a hostile or broken file from taking the
# memory or the time of the whole app (or of ``python -m layers check``).
MAX_FILE_BYTES = 10 * 1024 * 1024  # a larger file is refused unread
MAX_ITEMS = 10_000  # features in a layer file, sources in sources.json; the rest is not read
MAX_DEPTH = 32  # nesting inside one feature or source (a MultiPolygon needs 7)
MAX_PROBLEMS_PER_FILE = 100  # further problems in one file are counted, not listed
_UNSAFE_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff]")


def clean_text(value: object, limit: int = 80) -> str:
    """``value`` as a short single line that any terminal or page can show: control, bidi and
    lone-surrogate characters become ``?``, and it is clipped to ``limit`` characters."""
    s = _UNSAFE_CHARS.sub("?", str(value)[: limit + 1])
    return s if len(s) <= limit else s[: limit - 1] + "…"


class _FileProblems:
    """Problems of one file: the first :data:`MAX_PROBLEMS_PER_FILE` are kept, the rest counted,
    so a file of a million broken items cannot fill the memory with problem lines."""

    def __init__(self, file: str, problems: list[Problem]):
        self.file, self.problems, self.kept, self.dropped = file, problems, 0, 0

    def add(self, p: Problem) -> None:
        if self.kept < MAX_PROBLEMS_PER_FILE:
            self.problems.append(p)
            self.kept += 1
        else:
            self.dropped += 1

    def extend(self, ps: Iterable[Problem]) -> None:
        for p in ps:
            self.add(p)

    def close(self) -> None:
        if self.dropped:
            self.problems.append(Problem(file=self.file, message=(
                f"… and {self.dropped:,} more problem{'s' if self.dropped != 1 else ''} in this "
                f"file (only the first {MAX_PROBLEMS_PER_FILE} are listed)")))


def _parse_int(text: str) -> int | float:
    # Python refuses to convert integers of more than 4,300 digits (a ValueError that would end
    # the whole file); a long one becomes a float (inf when huge) that the checks then report.
    return int(text) if len(text) <= 30 else float(text)


def _size_label(n: int) -> str:
    return f"{n / 1024 / 1024:,.1f} MB" if n >= 1024 * 1024 else f"{n:,} bytes"


def _read_json(path: Path, file: str, problems: list[Problem]) -> Any:
    """The parsed file, or None with one problem line saying why it could not be read.  Never
    raises on what the file holds: too big, not UTF-8, not JSON, nested too deeply."""
    try:
        info = path.stat()
        size = info.st_size
        if not stat.S_ISREG(info.st_mode):  # a folder, or a pipe that would block the read
            problems.append(Problem(file=file, message="not a regular file: not read"))
            return None
        if size > MAX_FILE_BYTES:
            problems.append(Problem(file=file, message=f"file is too large ({_size_label(size)}; "
                                                       f"the limit is {_size_label(MAX_FILE_BYTES)}): not read"))
            return None
        with path.open("rb") as fh:
            data = fh.read(MAX_FILE_BYTES + 1)  # the file may have grown since stat()
    except FileNotFoundError:
        problems.append(Problem(file=file, message="file not found"))
        return None
    except OSError as e:
        problems.append(Problem(file=file, message=f"cannot read the file ({clean_text(e.strerror or e)})"))
        return None
    if len(data) > MAX_FILE_BYTES:
        problems.append(Problem(file=file, message=f"file is too large (over {_size_label(MAX_FILE_BYTES)}): not read"))
        return None
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
        problems.append(Problem(file=file, severity="warning",
                                message="starts with a UTF-8 byte-order mark (BOM); read anyway — "
                                        "save it as UTF-8 without BOM"))
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data[: e.start].count(b"\n") + 1
        problems.append(Problem(file=file, message=f"not UTF-8 text ({e.reason} at byte {e.start:,}, "
                                                   f"line {line})"))
        return None
    try:
        return json.loads(text, parse_int=_parse_int)
    except json.JSONDecodeError as e:
        problems.append(Problem(file=file, message=f"invalid JSON at line {e.lineno} column {e.colno}: {e.msg}"))
    except RecursionError:
        problems.append(Problem(file=file, message="invalid JSON: arrays or objects nested too deeply to read"))
    except (ValueError, MemoryError) as e:
        problems.append(Problem(file=file, message=f"invalid JSON: {clean_text(e, 120)}"))
    return None


def _walk_problem(value: Any) -> tuple[str | None, str] | None:
    """``(field, message)`` for the first thing in ``value`` (one feature or source, as parsed)
    that no check further on should have to meet: nesting deeper than :data:`MAX_DEPTH`, a
    number that is not finite (``NaN``, ``Infinity``, ``1e400``, a 40-digit integer), a string
    or key holding a lone UTF-16 surrogate (``"\\ud800"``: it cannot be shown or exported).
    Iterative, so a deep value cannot exhaust the stack."""
    stack: list[tuple[Any, tuple[str, ...]]] = [(value, ())]
    while stack:
        node, path = stack.pop()
        where = ".".join(path) or None
        if len(path) > MAX_DEPTH:
            return where and clean_text(where), f"nested more than {MAX_DEPTH} levels deep"
        if isinstance(node, float) and not math.isfinite(node):
            return where and clean_text(where), "not a finite number (NaN, Infinity, or a number too large)"
        if isinstance(node, str):
            if _has_surrogate(node):
                return where and clean_text(where), "text holds an invalid character (a lone surrogate \\ud800–\\udfff)"
        elif isinstance(node, dict):
            for k, v in node.items():
                if _has_surrogate(k):
                    return where and clean_text(where), "a key holds an invalid character (a lone surrogate)"
                stack.append((v, path + (k,)))
        elif isinstance(node, list):
            stack.extend((v, path + (str(i),)) for i, v in enumerate(node))
    return None


def _has_surrogate(s: str) -> bool:
    try:
        s.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _kind(value: Any) -> str:
    """What a JSON value is, for messages: ``a list``, ``a string``, ``null``…"""
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean", int: "a number",
            float: "a number", type(None): "null"}.get(type(value), type(value).__name__)


def _label(value: Any, i: int) -> str:
    """How a problem names an item: its id when it has a usable one, else its position."""
    return clean_text(value) if isinstance(value, str) and value.strip() else f"#{i}"


def _items(raw: Any, key: str, file: str, out: _FileProblems) -> list[Any] | None:
    """``raw[key]`` when it is a list (only its first :data:`MAX_ITEMS`), else None."""
    items = raw.get(key)
    if not isinstance(items, list):
        out.add(Problem(file=file, field=key, message=f"expected a list, got {_kind(items)}"))
        return None
    if len(items) > MAX_ITEMS:
        out.add(Problem(file=file, field=key, message=f"{len(items):,} items; only the first "
                                                      f"{MAX_ITEMS:,} are read"))
    return items[:MAX_ITEMS]


def load_sources(path: Path, root: Path, problems: list[Problem]) -> list[Source]:
    file = _rel(path, root)
    raw = _read_json(path, file, problems)
    if raw is None:
        return []
    if not isinstance(raw, dict):
        problems.append(Problem(file=file, message=f"expected {{\"sources\": [...]}}, got {_kind(raw)}"))
        return []
    report = _FileProblems(file, problems)
    out = []
    for i, item in enumerate(_items(raw, "sources", file, report) or []):
        sid = item.get("id") if isinstance(item, dict) else None
        label = _label(sid, i)
        if not isinstance(item, dict):
            report.add(Problem(file=file, feature=label, message=f"a source must be an object, got {_kind(item)}"))
            continue
        bad = _walk_problem(item)
        if bad is not None:
            report.add(Problem(file=file, feature=label, field=bad[0], message=bad[1]))
            continue
        try:
            out.append(Source.model_validate(item))
        except ValidationError as e:
            report.extend(_pydantic_problems(e, file, label))
        except Exception as e:  # noqa: BLE001 — whatever a source holds, the rest still loads
            report.add(Problem(file=file, feature=label, message=f"cannot be read ({_error(e)})"))
    report.close()
    return out


def _error(e: BaseException) -> str:
    return clean_text(f"{e.__class__.__name__}: {e}", 160)


def _check_geometry(geom: Any) -> str | None:
    if not isinstance(geom, dict):
        return f"unsupported or missing geometry type: the geometry is {_kind(geom)}"
    gtype = geom.get("type")
    if not isinstance(gtype, str) or gtype not in GEOMETRY_TYPES:
        shown = repr(clean_text(gtype, 40)) if isinstance(gtype, str) else _kind(gtype)
        return f"unsupported or missing geometry type {shown}"
    bad = coordinate_problem(geom)  # strings/booleans as coordinates, open or short rings
    if bad:
        return bad
    from shapely.geometry import box, shape  # here: the app's data comes from the disk cache

    try:
        g = shape(geom)
    except Exception as e:  # shapely raises several types for malformed coordinates
        return f"malformed coordinates ({_error(e)})"
    if g.is_empty:
        return "empty geometry"
    if not g.is_valid:
        from shapely.validation import explain_validity
        return f"invalid geometry: {explain_validity(g)}"
    minx, miny, maxx, maxy = g.bounds
    if not box(*REGION_BOUNDS).contains(g):
        hint = ""
        if REGION_BOUNDS[1] <= minx <= REGION_BOUNDS[3] and REGION_BOUNDS[0] <= miny <= REGION_BOUNDS[2]:
            hint = " (are lon and lat swapped? GeoJSON wants [lon, lat])"
        return (f"outside the map region lon 97–118, lat 0–17.5: bounds "
                f"({minx:.4f}, {miny:.4f}, {maxx:.4f}, {maxy:.4f}){hint}")
    return None


WGS84_NAMES = ("CRS84", "EPSG::4326", "EPSG:4326")


def _crs_problem(crs: Any) -> str | None:
    """Why a (pre-RFC 7946) ``crs`` member does not say WGS 84, or None when it does."""
    props = crs.get("properties") if isinstance(crs, dict) else None
    name = props.get("name") if isinstance(props, dict) else None
    if isinstance(name, str):
        if any(s in name for s in WGS84_NAMES):
            return None
        return f"coordinates must be WGS84 (EPSG:4326), file declares {clean_text(name)!r}"
    if not isinstance(crs, dict):
        found = f"crs is {_kind(crs)}"
    elif not isinstance(props, dict):
        found = f"crs.properties is {_kind(props)}"
    else:
        found = f"crs.properties.name is {_kind(name)}"
    return (f"coordinates must be WGS84 (EPSG:4326), and {found}: write "
            f'{{"type": "name", "properties": {{"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}}}} or leave crs out')


def load_layer(path: Path, layer: str, root: Path, problems: list[Problem]) -> list[Feature]:
    file = _rel(path, root)
    raw = _read_json(path, file, problems)
    if raw is None:
        return []
    if not isinstance(raw, dict) or raw.get("type") != "FeatureCollection":
        what = _kind(raw) if not isinstance(raw, dict) else f"an object of type {_kind_or_text(raw.get('type'))}"
        problems.append(Problem(file=file, message=f"expected a GeoJSON FeatureCollection, got {what}"))
        return []
    if "crs" in raw and raw["crs"] is not None:
        bad_crs = _crs_problem(raw["crs"])
        if bad_crs:
            problems.append(Problem(file=file, field="crs", message=bad_crs))
            return []
    report = _FileProblems(file, problems)
    items = _items(raw, "features", file, report)
    out = []
    for i, feat in enumerate(items or []):
        try:
            f = _load_feature(feat, i, layer, file, report)
        except Exception as e:  # noqa: BLE001 — whatever a feature holds, the rest still loads
            report.add(Problem(file=file, feature=f"#{i}", message=f"cannot be read ({_error(e)})"))
            continue
        if f is not None:
            out.append(f)
    report.close()
    return out


def _kind_or_text(value: Any) -> str:
    return repr(clean_text(value, 40)) if isinstance(value, str) else _kind(value)


def _load_feature(feat: Any, i: int, layer: str, file: str, report: _FileProblems) -> Feature | None:
    if not isinstance(feat, dict):
        report.add(Problem(file=file, feature=f"#{i}", message=f"a feature must be an object, got {_kind(feat)}"))
        return None
    props = feat.get("properties")
    fid = props.get("id") if isinstance(props, dict) else None
    label = _label(fid, i)
    if not isinstance(props, dict):
        report.add(Problem(file=file, feature=label, field="properties",
                           message="missing properties" if props is None else
                           f"properties must be an object, got {_kind(props)}"))
        return None
    bad = _walk_problem(feat)
    if bad is not None:
        report.add(Problem(file=file, feature=label, field=bad[0], message=bad[1]))
        return None
    try:
        fp = FeatureProps.model_validate(props)
    except ValidationError as e:
        report.extend(_pydantic_problems(e, file, label))
        return None
    if fp.layer != layer:
        report.add(Problem(file=file, feature=label, field="layer",
                           message=f"layer {fp.layer!r} does not match file {layer}.geojson"))
        return None
    geom_problem = _check_geometry(feat.get("geometry"))
    if geom_problem:
        report.add(Problem(file=file, feature=label, field="geometry", message=geom_problem))
        return None
    orientation = orientation_problem(feat["geometry"])
    if orientation:
        report.add(Problem(file=file, feature=label, field="geometry", message=orientation,
                           severity="warning"))
    return Feature(props=fp, geometry=feat["geometry"], file=file)


def _evidence_items(fp: FeatureProps) -> Iterable[tuple[str, ExcerptRef | SourceNote]]:
    for i, e in enumerate(fp.evidence):
        yield f"evidence.{i}", e
    for j, ev in enumerate(fp.events):
        for i, e in enumerate(ev.evidence):
            yield f"events.{j}.evidence.{i}", e


def _land_file(root: Path) -> Path | None:
    """A data folder's own land file for the sea-area checks (else geocheck uses the repo's)."""
    land = root / "basemap" / "ne_land.geojson"
    return land if land.exists() else None


def dataset_inputs(root: Path) -> list[Path]:
    """Every file :func:`load_dataset` reads for ``root`` (the key of the disk cache,
    :mod:`layers.cache`): the data files and the Natural Earth files of the geometry checks."""
    from .geocheck import COUNTRIES_ENV, COUNTRIES_PATH, LAND_PATH

    return [root / "sources.json", *(root / "features" / f"{layer}.geojson" for layer in LAYER_FILES),
            _land_file(root) or LAND_PATH, Path(os.environ.get(COUNTRIES_ENV) or COUNTRIES_PATH)]


def load_dataset(data_dir: Path | None = None) -> Dataset:
    """Read every file under ``data_dir``; return what is valid and every problem found."""
    root = Path(data_dir) if data_dir is not None else data_dir_from_env()
    ds = Dataset()
    problems = ds.problems

    for src in load_sources(root / "sources.json", root, problems):
        if src.id in ds.sources:
            problems.append(Problem(file="data/sources.json", feature=src.id, field="id",
                                    message="duplicate source id"))
            continue
        ds.sources[src.id] = src
        for ex in src.excerpts:
            if ex.id in ds.excerpts:
                problems.append(Problem(file="data/sources.json", feature=src.id,
                                        field=f"excerpts.{ex.id}",
                                        message=f"excerpt id {ex.id!r} is also used by source "
                                                f"{ds.excerpts[ex.id][0].id!r}"))
                continue
            ds.excerpts[ex.id] = (src, ex)

    seen_ids: dict[str, str] = {}
    for layer in LAYER_FILES:
        for feat in load_layer(root / "features" / f"{layer}.geojson", layer, root, problems):
            if feat.id in seen_ids:
                problems.append(Problem(file=feat.file, feature=feat.id, field="id",
                                        message=f"duplicate feature id (also in {seen_ids[feat.id]})"))
                continue
            bad = []
            for where, item in _evidence_items(feat.props):
                if isinstance(item, ExcerptRef) and item.excerpt not in ds.excerpts:
                    bad.append(Problem(file=feat.file, feature=feat.id, field=f"{where}.excerpt",
                                       message=f"unknown excerpt {item.excerpt!r}"))
                elif isinstance(item, SourceNote) and item.source not in ds.sources:
                    bad.append(Problem(file=feat.file, feature=feat.id, field=f"{where}.source",
                                       message=f"unknown source {item.source!r}"))
            if bad:
                problems.extend(bad)
                continue
            seen_ids[feat.id] = feat.file
            ds.features.append(feat)

    # sea areas that are land, areas reaching into countries they do not name (warnings)
    # a data folder's own basemap, else the repo's
    problems.extend(area_problems(ds.features, land_path=_land_file(root)))

    ids = {f.id: f for f in ds.features}
    for feat in ds.features:
        site = feat.props.site
        if site is not None and (site not in ids or site == feat.id or ids[site].props.site is not None):
            why = ("a feature cannot be a part of itself" if site == feat.id else
                   f"unknown feature {site!r}" if site not in ids else
                   f"{site!r} is itself a part of {ids[site].props.site!r}: name the site's main feature")
            problems.append(Problem(file=feat.file, feature=feat.id, field="site", message=why,
                                    severity="warning"))

    cited = {e.excerpt_id for f in ds.features for e in ds.evidence(f) if e.excerpt_id}
    for ex_id, (src, _) in ds.excerpts.items():
        if ex_id not in cited:
            problems.append(Problem(file="data/sources.json", feature=src.id, field=f"excerpts.{ex_id}",
                                    message="excerpt is not linked to any feature", severity="warning"))
    return ds


# --- checking excerpts against a full text -------------------------------------------------

MAX_EXCERPT_SHARE = 0.60


def check_source_text(ds: Dataset, source_id: str, text: str) -> list[Problem]:
    """Every excerpt of ``source_id`` must occur verbatim (with prefix/suffix) in ``text``,
    in document order, and all of them together must stay under 60% of the text."""
    file = "data/sources.json"
    src = ds.sources.get(source_id)
    if src is None:
        return [Problem(file=file, feature=source_id, message="no such source")]
    problems = []
    last = -1
    total = 0
    for ex in src.excerpts:
        total += len(ex.text)
        field = f"excerpts.{ex.id}"
        whole = ex.prefix + ex.text + ex.suffix
        pos = text.find(whole)
        if pos < 0:
            if ex.text not in text:
                problems.append(Problem(file=file, feature=source_id, field=field + ".text",
                                        message=f"not found verbatim in the source text: {_clip(ex.text)!r}"))
            else:
                problems.append(Problem(file=file, feature=source_id, field=field + ".prefix",
                                        message="text found, but not with its prefix/suffix"))
            continue
        start = pos + len(ex.prefix)
        if start < last:
            problems.append(Problem(file=file, feature=source_id, field=field,
                                    message="excerpts are not in document order"))
        last = start
    if text and total / len(text) >= MAX_EXCERPT_SHARE:
        problems.append(Problem(file=file, feature=source_id, field="excerpts",
                                message=f"excerpts total {total} characters = {total / len(text):.0%} "
                                        f"of the text; the limit is {MAX_EXCERPT_SHARE:.0%}"))
    return problems


def excerpt_share(ds: Dataset, source_id: str, text: str) -> float:
    src = ds.sources[source_id]
    return sum(len(e.text) for e in src.excerpts) / max(len(text), 1)


def _clip(s: str, n: int = 60) -> str:
    return s if len(s) <= n else s[: n - 1] + "…"
