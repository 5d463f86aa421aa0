"""Reading one JSON data file of ``data/`` within bounds, and reporting its problems.

:func:`_read_json` parses a file, or says in one problem line why it could not; the size, item,
depth and problem limits keep a hostile or broken file from taking the app's memory or time.
:func:`clean_text` and :class:`_FileProblems` turn what a file holds into safe, bounded problem
lines; the small helpers name items and values in those lines.  Used by the readers of
``sources.json`` (:mod:`layers.sourcefile`) and of the layer files (:mod:`layers.layerfile`).
"""

from __future__ import annotations

import json
import math
import re
import stat
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from .model import Problem


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


def _error(e: BaseException) -> str:
    return clean_text(f"{e.__class__.__name__}: {e}", 160)
