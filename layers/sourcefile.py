"""The reader of ``data/sources.json``: its sources as :class:`~layers.model.Source`, and a
problem line for each one that cannot be read (see :func:`layers.load.load_dataset`)."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from .datafile import (
    _error,
    _FileProblems,
    _items,
    _kind,
    _label,
    _pydantic_problems,
    _read_json,
    _rel,
    _walk_problem,
)
from .model import Problem, Source


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
