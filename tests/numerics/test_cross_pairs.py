"""Tests for :func:`ganbench.numerics.distances.cross_pairs_within`: every cross pair within a radius,
decided exactly on canonical distances, tile by tile."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.numerics.distances import canonical_distances, cross_pairs_within

Pairs = list[tuple[int, int, float]]


def _all_pairs(
    query: np.ndarray, ref: np.ndarray, radius: object, **kwargs: object
) -> list[tuple[int, int, float]]:
    out: Pairs = []
    for tile in cross_pairs_within(query, ref, radius, **kwargs):  # type: ignore[arg-type]
        out.extend(zip(tile.query.tolist(), tile.ref.tolist(), tile.distances.tolist(), strict=True))
    return out


def _brute(
    query: np.ndarray, ref: np.ndarray, radius: np.ndarray, inclusive: bool
) -> list[tuple[int, int, float]]:
    qi, ri = np.meshgrid(np.arange(len(query)), np.arange(len(ref)), indexing="ij")
    qi, ri = qi.ravel(), ri.ravel()
    d = canonical_distances(query[qi], ref[ri])
    bound = np.broadcast_to(radius, (len(ref),))[ri]
    keep = d <= bound if inclusive else d < bound
    return list(zip(qi[keep].tolist(), ri[keep].tolist(), d[keep].tolist(), strict=True))


def test_one_dimensional_hand_case() -> None:
    query = np.array([[0.0], [1.0], [5.0]])
    ref = np.array([[0.5], [2.0], [3.0]])
    # distances: 0->(0.5, 2, 3), 1->(0.5, 1, 2), 5->(4.5, 3, 2); radius 1 inclusive
    assert sorted(_all_pairs(query, ref, 1.0)) == [(0, 0, 0.5), (1, 0, 0.5), (1, 1, 1.0)]
    assert sorted(_all_pairs(query, ref, 1.0, inclusive=False)) == [(0, 0, 0.5), (1, 0, 0.5)]
    # per-ref radii: ball 2 (at 3.0) of radius 2 holds 1.0 and 5.0 exactly on its sphere
    radii = np.array([0.0, 0.0, 2.0])
    assert sorted(_all_pairs(query, ref, radii)) == [(1, 2, 2.0), (2, 2, 2.0)]
    assert _all_pairs(query, ref, radii, inclusive=False) == []


@pytest.mark.parametrize("inclusive", [True, False])
@pytest.mark.parametrize("chunk_size", [7, 1024])
def test_matches_brute_force_on_integer_ties(inclusive: bool, chunk_size: int) -> None:
    rng = np.random.default_rng(0)
    query = rng.integers(-3, 4, size=(40, 6)).astype(np.float64)
    ref = rng.integers(-3, 4, size=(30, 6)).astype(np.float64)
    radius = 4.0  # squared distances are integers: many pairs lie exactly on the sphere
    got = sorted(_all_pairs(query, ref, radius, inclusive=inclusive, chunk_size=chunk_size))
    assert got == sorted(_brute(query, ref, np.float64(radius), inclusive))
    assert any(d == radius for _, _, d in got) == inclusive


def test_per_ref_radii_and_float32_match_brute_force() -> None:
    rng = np.random.default_rng(1)
    query = rng.standard_normal((50, 8)).astype(np.float32)
    ref = rng.standard_normal((45, 8)).astype(np.float32)
    radii = rng.uniform(2.0, 4.0, size=45)
    got = sorted(_all_pairs(query, ref, radii, chunk_size=16))
    assert got == sorted(_brute(query, ref, radii, True)) and got


def test_order_within_rows_and_columns_is_ascending_for_any_tile_size() -> None:
    rng = np.random.default_rng(2)
    query, ref = rng.standard_normal((33, 4)), rng.standard_normal((29, 4))
    for chunk in (5, 64):
        pairs = _all_pairs(query, ref, 2.5, chunk_size=chunk)
        for i in range(len(query)):
            cols = [r for q, r, _ in pairs if q == i]
            assert cols == sorted(cols)
        for j in range(len(ref)):
            rows = [q for q, r, _ in pairs if r == j]
            assert rows == sorted(rows)


def test_bad_inputs_are_refused() -> None:
    x = np.zeros((3, 2))
    with pytest.raises(ValueError, match="shape"):
        list(cross_pairs_within(x, x, np.ones(2)))
    with pytest.raises(ValueError, match="non-negative"):
        list(cross_pairs_within(x, x, -1.0))
    with pytest.raises(ValueError, match="non-negative"):
        list(cross_pairs_within(x, x, np.nan))
    with pytest.raises(ValueError, match="same number of columns"):
        list(cross_pairs_within(x, np.zeros((3, 3)), 1.0))
