"""Statistics and plain-text tables for bench.py (re-exported by ``harness``, used as ``H.``):
percentiles by linear interpolation between closest ranks (numpy's default), the formats every
section prints figures with (seconds, bytes, MB, PASS/FAIL) and :func:`table`, the aligned
plain-text table the whole output is made of.  Split out of harness.py; pure functions, no I/O."""

from __future__ import annotations

import math


# --------------------------------------------------------------------------- statistics

def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default); NaN for no values."""
    xs = sorted(values)
    if not xs:
        return math.nan
    k = (len(xs) - 1) * q / 100
    lo, hi = math.floor(k), math.ceil(k)
    return xs[lo] + (xs[hi] - xs[lo]) * (k - lo)


def median(values: list[float]) -> float:
    return percentile(values, 50)


# --------------------------------------------------------------------------- formatting

def fmt_s(x: float | None, nd: int = 3) -> str:
    return "—" if x is None or (isinstance(x, float) and math.isnan(x)) else f"{x:.{nd}f} s"


def fmt_b(n: int | None) -> str:
    return "—" if n is None else f"{n:,}"


def fmt_mb(n: float | None) -> str:
    return "—" if n is None else f"{n / 1e6:.2f} MB"


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def table(headers: list[str], rows: list[list[object]], indent: str = "  ") -> str:
    """Plain-text table: first column left-aligned, the rest right-aligned."""
    cells = [[str(h) for h in headers]] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]

    def line(r: list[str]) -> str:
        return indent + "  ".join(c.ljust(w) if i == 0 else c.rjust(w)
                                  for i, (c, w) in enumerate(zip(r, widths))).rstrip()

    sep = indent + "  ".join("-" * w for w in widths)
    return "\n".join([line(cells[0]), sep] + [line(r) for r in cells[1:]])
