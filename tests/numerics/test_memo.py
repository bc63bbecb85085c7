"""Tests for the content-keyed memo and the memoised k-NN pass."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from ganbench.numerics import distances as C
from ganbench.numerics.memo import fingerprint

Features = Callable[..., np.ndarray]


def test_fingerprint_depends_on_content_shape_and_dtype(make_features: Features) -> None:
    x = make_features(6, 4)
    assert fingerprint(x) == fingerprint(x.copy())
    assert fingerprint(x) != fingerprint(x.reshape(4, 6))
    assert fingerprint(x) != fingerprint(x.astype(np.float32))
    y = x.copy()
    y[3, 2] += 1e-12
    assert fingerprint(x) != fingerprint(y)


def test_memo_returns_same_object_and_distinguishes_content(make_features: Features) -> None:
    x = make_features(80, 5, seed=11)
    first = C.kth_neighbour_distance(x, 3)
    assert C.kth_neighbour_distance(x.copy(), 3) is first  # same content, new array: a hit
    assert not first.flags.writeable
    assert C.kth_neighbour_distance(x.astype(np.float32).astype(np.float64), 3) is not first
    other = C.kth_neighbour_distance(x + 1.0 * (np.arange(80) == 0)[:, None], 3)
    assert other is not first and not np.array_equal(other, first)
    # one pass serves several k (the pass keeps at least 8 neighbours)
    calls = C._KNN_MEMO._data[("self-knn", fingerprint(x))]
    assert C.kth_neighbour_distance(x, 5) is C.kth_neighbour_distance(x, 5)
    assert C._KNN_MEMO._data[("self-knn", fingerprint(x))] is calls
    # a wider k than the cached pass recomputes and still agrees
    wide = C.kth_neighbour_distance(x, 12)
    np.testing.assert_allclose(wide, C.kth_neighbour_distance(x, 12, cache=False), rtol=1e-12)


def test_memo_is_bounded(make_features: Features) -> None:
    for seed in range(10):
        C.kth_neighbour_distance(make_features(20, 3, seed=seed), 2)
    assert len(C._KNN_MEMO) <= C._KNN_MEMO.maxsize
