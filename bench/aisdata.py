"""Synthetic AIS-like positions in the Gulf of Thailand for bench.py section B.

Deterministic (seeded).  Points are uniform in lon 99–106, lat 8–13.  Eight attribute columns
as an AIS export has them: a few hundred vessels (``mmsi``, ``name``, ``flag``, ``type`` repeat
per vessel), per-position ``speed``, ``course``, ``timestamp``, and a sparse free-text ``note``
(some with characters that must be HTML-escaped).  Written as CSV with ``lat``/``lon`` columns,
the format a reader would upload.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

BOX = {"lon": (99.0, 106.0), "lat": (8.0, 13.0)}
COLUMNS = ["mmsi", "name", "speed", "course", "timestamp", "flag", "type", "note"]

_ADJ = ["Ocean", "Golden", "Star", "Pacific", "Blue", "Lucky", "Hai", "Dragon", "Jade", "Sea",
        "Morning", "Eastern", "Silver", "Royal", "Koh", "Mekong"]
_NOUN = ["Pearl", "Harmony", "Glory", "Fortune", "Wind", "Spirit", "Trader", "Explorer",
         "Phoenix", "Voyager", "Lotus", "Crane", "Breeze", "Horizon"]
_FLAGS = ["KH", "TH", "VN", "CN", "MY", "SG", "PA", "LR", "MH", "HK"]
_TYPES = ["Cargo", "Tanker", "Fishing", "Passenger", "Tug", "Law enforcement", "Pleasure craft",
          "Dredger", "Unknown"]
_NOTES = ["anchored", "loitering near Ream", "AIS gap > 6 h", "moored", "speed < 0.5 kn",
          "destination: KOS", "destination: SHV", "crew change", "name & flag changed",
          "transshipment <suspected>"]


def ais_frame(n: int, seed: int = 20240601) -> pd.DataFrame:
    rng = np.random.default_rng(seed + n)
    n_vessels = max(20, min(2000, n // 50))
    mmsi = rng.choice(np.arange(100_000_000, 999_999_999, 7919), size=n_vessels, replace=False)
    names = np.array([f"{_ADJ[rng.integers(len(_ADJ))]} {_NOUN[rng.integers(len(_NOUN))]} "
                      f"{rng.integers(1, 99)}" for _ in range(n_vessels)], dtype=object)
    flags = rng.choice(_FLAGS, size=n_vessels)
    types = rng.choice(_TYPES, size=n_vessels)
    v = rng.integers(0, n_vessels, size=n)
    t0 = np.datetime64("2025-01-01T00:00:00")
    stamps = t0 + rng.integers(0, 180 * 86400, size=n).astype("timedelta64[s]")
    note = np.where(rng.random(n) < 0.12, rng.choice(_NOTES, size=n), "")
    return pd.DataFrame({
        "lat": np.round(rng.uniform(*BOX["lat"], size=n), 5),
        "lon": np.round(rng.uniform(*BOX["lon"], size=n), 5),
        "mmsi": mmsi[v],
        "name": names[v],
        "speed": np.round(rng.gamma(2.0, 4.0, size=n).clip(0, 30), 1),
        "course": np.round(rng.uniform(0, 360, size=n), 1),
        "timestamp": pd.Series(stamps).dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "flag": flags[v],
        "type": types[v],
        "note": note,
    })


def ais_csv(n: int, seed: int = 20240601) -> bytes:
    return ais_frame(n, seed).to_csv(index=False).encode("utf-8")
