"""A small content-keyed memo, so measures that ask about the same array share one expensive pass.

One evaluation compares a handful of arrays (real, fake, maybe train); precision-recall,
density-coverage and the 1-NN test ask for the k-NN radii of the same real set, FID and
FID-infinity for its covariance. Keys are content fingerprints, so equal arrays hit the memo
whatever object holds them, and a changed array never returns a stale value.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

import numpy as np

from ganbench.numerics import active_pass


def fingerprint(x: np.ndarray) -> str:
    """Content key of an array: SHA-256 of its bytes, shape and dtype (hex, first 32 chars).

    Hashes at roughly 2 GB/s (SHA-256 has CPU instructions on current x86 and ARM), i.e. well
    under a second for 50k x 2048 float64, which is small
    next to the distance passes it lets the measures share. An array a shared pass holds
    read-only (:mod:`~ganbench.numerics.active_pass`) is hashed once per pass.
    """
    known = active_pass.ask("fingerprint", x)
    return known if known is not None else content_hash(x)


def content_hash(x: np.ndarray) -> str:
    """:func:`fingerprint` computed from the bytes, without asking a shared pass."""
    arr = np.ascontiguousarray(x)
    h = hashlib.sha256()
    h.update(repr((arr.shape, arr.dtype.str)).encode())
    h.update(memoryview(arr).cast("B"))
    return h.hexdigest()[:32]


class Memo:
    """A thread-safe least-recently-used dict with a fixed, small number of entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()
        _ALL.append(self)

    def get(self, key: Any) -> Any | None:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = compute()  # outside the lock: a concurrent miss costs a duplicate pass, no deadlock
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


_ALL: list[Memo] = []


def clear_memos() -> None:
    """Forget every memoised pass and statistic (for tests and benchmarks, or to free memory)."""
    for memo in _ALL:
        memo.clear()


def readonly(a: np.ndarray) -> np.ndarray:
    """Mark ``a`` read-only and return it: memoised arrays are shared, so no caller may change them."""
    a.setflags(write=False)
    return a
