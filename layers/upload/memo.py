"""Values computed once per layer and forgotten with it (a layer is a GeoDataFrame, which is
mutable and so cannot be a dictionary key: it is remembered by identity, with a weak reference
that drops the entry when the layer is freed)."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

T = TypeVar("T")

_MEMO: dict[tuple[int, Hashable], tuple[weakref.ref, Any]] = {}
_LOCK = threading.Lock()


def per_layer(layer: Any, key: Hashable, compute: Callable[[], T]) -> T:
    """``compute()``, remembered for ``(layer, key)`` while ``layer`` lives."""
    k = (id(layer), key)
    with _LOCK:
        hit = _MEMO.get(k)
    if hit is not None and hit[0]() is layer:
        return hit[1]
    value = compute()

    def forget(ref: weakref.ref, k: tuple = k) -> None:
        with _LOCK:
            if _MEMO.get(k, (None,))[0] is ref:
                del _MEMO[k]

    with _LOCK:
        _MEMO[k] = (weakref.ref(layer, forget), value)
    return value


def remembered() -> int:
    """How many values are remembered (for tests)."""
    with _LOCK:
        return len(_MEMO)
