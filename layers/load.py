"""Load and validate ``data/``: files → a :class:`Dataset` plus a list of :class:`Problem`.

A bad file, source or feature is reported (file, feature, field, what is wrong) and skipped;
everything else still loads, so the map keeps working.

This module holds the :class:`Dataset`, :func:`load_dataset` with the checks across files
(duplicate ids, evidence naming unknown sources or excerpts, sea areas, sites, excerpts no
feature cites) and the check of excerpts against a source's full text.  Each file is read by its
own module: ``sources.json`` by :mod:`layers.sourcefile`, the layer files by
:mod:`layers.layerfile`, both within the limits of :mod:`layers.datafile`; their public names are
importable from here too.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from .datafile import MAX_DEPTH, MAX_FILE_BYTES, MAX_ITEMS, MAX_PROBLEMS_PER_FILE, clean_text
from .geocheck import area_problems
from .layerfile import GEOMETRY_TYPES, WGS84_NAMES, load_layer
from .model import (
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
from .sourcefile import load_sources

LAYER_FILES = ("ream", "drills", "economic", "context")
DEFAULT_DATA_DIR = Path(__file__).resolve().parents[1] / "data"


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


__all__ = [
    "DEFAULT_DATA_DIR", "GEOMETRY_TYPES", "LAYER_FILES", "MAX_DEPTH", "MAX_EXCERPT_SHARE", "MAX_FILE_BYTES",
    "MAX_ITEMS", "MAX_PROBLEMS_PER_FILE", "WGS84_NAMES", "Dataset", "ResolvedEvidence", "check_source_text",
    "clean_text", "data_dir_from_env", "dataset_inputs", "excerpt_share", "load_dataset", "load_layer",
    "load_sources",
]
