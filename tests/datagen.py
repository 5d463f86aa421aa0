"""Build small data folders for tests (valid by default; each test breaks one thing)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

SOURCE_TEXT = ("The harbour “will become a base,” officials said. The ministry denied it, saying "
               "the constitution’s Article 1 forbids that. Drills took place near the harbour.")


def source(**over) -> dict:
    s = {
        "id": "test-source",
        "title": "A test article",
        "publisher": "Test Wire",
        "date": {"date": "2024-06-03", "precision": "approximate"},
        "url": "https://example.org/article",
        "kind": "news",
        "excerpts": [
            {"id": "ex-base", "text": "The harbour “will become a base,” officials said.",
             "prefix": "", "suffix": " The ministry", "speaker": "Officials", "stance": "asserts",
             "side": "us"},
            {"id": "ex-denial", "text": "The ministry denied it",
             "prefix": "said. ", "suffix": ", saying", "speaker": "The ministry", "stance": "denies",
             "side": "cambodia"},
        ],
    }
    s.update(over)
    return s


def note_source(**over) -> dict:
    s = {"id": "other-source", "title": "Another report", "publisher": "Other Press",
         "date": "2023-12", "url": "http://example.com/x", "kind": "think tank"}
    s.update(over)
    return s


def feature(fid: str = "test-harbour", layer: str = "ream", geometry: dict | None = None, **over) -> dict:
    props = {
        "id": fid, "layer": layer, "name": "Test Harbour", "kind": "naval base",
        "summary": "A harbour used in tests.", "status": "confirmed", "chinese_funded": True,
        "precision_m": 500, "location_basis": "schematic",
        "location_note": "Invented for the tests.",
        "start": "2022-06-08",
        "evidence": [{"excerpt": "ex-base"}, {"excerpt": "ex-denial"},
                     {"source": "other-source", "note": "Reports works.", "speaker": "Analysts",
                      "stance": "reports", "side": "independent"}],
        "events": [{"id": "opening", "title": "Opening", "date": "2025-04-05",
                    "evidence": [{"source": "other-source", "note": "Opened.", "speaker": "Press",
                                  "stance": "reports", "side": "independent"}]}],
    }
    props.update(over)
    geometry = geometry or {"type": "Polygon", "coordinates": [[[103.60, 10.50], [103.62, 10.50],
                                                               [103.62, 10.52], [103.60, 10.52],
                                                               [103.60, 10.50]]]}
    return {"type": "Feature", "geometry": geometry, "properties": props}


def point(fid: str, layer: str, lon: float, lat: float, **over) -> dict:
    over.setdefault("name", fid.replace("-", " ").title())
    over.setdefault("location_basis", "published")
    over.setdefault("evidence", [{"source": "other-source", "note": "A note.", "speaker": "Press",
                                  "stance": "reports", "side": "independent"}])
    over.setdefault("events", [])
    return feature(fid, layer, {"type": "Point", "coordinates": [lon, lat]}, **over)


def default_layers() -> dict[str, list[dict]]:
    return {
        "ream": [feature()],
        "drills": [point("drill-area", "drills", 103.45, 10.6, start="2024-05-16", end="2024-05-30")],
        "economic": [point("not-chinese-port", "economic", 103.497, 10.6455, chinese_funded=False)],
        "context": [point("capital", "context", 104.9211, 11.5694, start=None, chinese_funded=None)],
    }


def write_data(root: Path, sources: list[dict] | None = None,
               layers: dict[str, list[dict]] | None = None, raw: dict[str, str] | None = None) -> Path:
    """Write a data folder; ``raw`` maps a relative path to text written verbatim (bad files)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "features").mkdir(exist_ok=True)
    sources = [source(), note_source()] if sources is None else sources
    layers = default_layers() if layers is None else layers
    (root / "sources.json").write_text(json.dumps({"sources": sources}, ensure_ascii=False), "utf-8")
    for name in ("ream", "drills", "economic", "context"):
        fc = {"type": "FeatureCollection", "features": copy.deepcopy(layers.get(name, []))}
        (root / "features" / f"{name}.geojson").write_text(json.dumps(fc, ensure_ascii=False), "utf-8")
    for rel, text in (raw or {}).items():
        (root / rel).write_text(text, "utf-8")
    return root


HOSTILE = '<script>alert("x")</script><img src=x onerror="window.__pwned=1">'


def hostile(root: Path) -> Path:
    """A data set whose every free-text field is an attack; it must show as text."""
    src = source(title=f"Title {HOSTILE}", publisher=f"Pub {HOSTILE}")
    src["excerpts"][0]["speaker"] = f"Speaker {HOSTILE}"
    bad_link = note_source(id="bad-link", title="javascript link", url="https://example.org/ok")
    f = feature(name=f"Evil {HOSTILE}", summary=f"Summary {HOSTILE}", kind=f"kind {HOSTILE}",
                details=f"Details {HOSTILE}", location_note=f"Note {HOSTILE}", aliases=[HOSTILE])
    f["properties"]["evidence"].append({"source": "bad-link", "note": f"note {HOSTILE}",
                                        "speaker": HOSTILE, "stance": "reports", "side": "other"})
    layers = default_layers()
    layers["ream"] = [f]
    return write_data(root, sources=[src, note_source(), bad_link], layers=layers)
