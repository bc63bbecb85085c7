"""Tests for the chunked Euclidean distances and their canonical, exactly tied values."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from prdc.prdc import compute_nearest_neighbour_distances

from ganbench.numerics import distances as C

Features = Callable[..., np.ndarray]


def brute_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


def test_float64_keeps_small_distances_far_from_the_origin(make_features: Features) -> None:
    # float32's |a|² + |b|² - 2ab loses these entirely; the float64 centred form keeps them.
    base = make_features(50, 32, shift=30.0, seed=3)
    near = base + 1e-4 * make_features(50, 32, seed=4)
    d = C.nearest_neighbour_distance(near, base)
    np.testing.assert_allclose(d, np.linalg.norm(near - base, axis=1), rtol=1e-6)


@pytest.mark.parametrize("k", [1, 2, 3, 5])
@pytest.mark.parametrize("chunk_size", [4, 13, 4096])
def test_kth_neighbour_distance_matches_brute_force(k: int, chunk_size: int, make_features: Features) -> None:
    x = make_features(60, 6, seed=5)
    d = brute_distances(x, x)
    np.fill_diagonal(d, np.inf)
    expected = np.sort(d, axis=1)[:, k - 1]
    np.testing.assert_allclose(
        C.kth_neighbour_distance(x, k, cache=False, chunk_size=chunk_size), expected, rtol=1e-10
    )


def test_kth_neighbour_distance_follows_the_references_self_convention(make_features: Features) -> None:
    # torch-fidelity: kthvalue(k + 1) over distances including self; prdc: get_kth_value(k + 1).
    x = make_features(200, 8, seed=6)
    x[1] = x[0]  # a duplicate: its radius for k=1 must be 0, as in the references
    xt = torch.from_numpy(x)
    for k in (1, 3, 5):
        ours = C.kth_neighbour_distance(x, k, cache=False)
        tf = torch.cdist(xt, xt).kthvalue(k + 1, dim=1).values.numpy()
        np.testing.assert_allclose(ours, tf, rtol=1e-9, atol=1e-6)
        np.testing.assert_allclose(ours, compute_nearest_neighbour_distances(x, k), rtol=1e-9, atol=1e-6)
    assert C.kth_neighbour_distance(x, 1, cache=False)[0] == pytest.approx(0.0, abs=1e-6)


def test_kth_neighbour_distance_rejects_bad_k(make_features: Features) -> None:
    with pytest.raises(ValueError, match="k must be an integer <= 4"):
        C.kth_neighbour_distance(make_features(5, 2), 5)


def test_nearest_neighbours_indices_and_distances(make_features: Features) -> None:
    q, r = make_features(30, 4, seed=7), make_features(45, 4, seed=8)
    d = brute_distances(q, r)
    knn = C.nearest_neighbours(q, r, 4, chunk_size=8)
    np.testing.assert_allclose(knn.distances, np.sort(d, axis=1)[:, :4], rtol=1e-10)
    np.testing.assert_array_equal(knn.indices, np.argsort(d, axis=1)[:, :4])
    np.testing.assert_allclose(C.nearest_neighbour_distance(q, r, chunk_size=8), d.min(axis=1), rtol=1e-10)


@pytest.mark.parametrize("inclusive", [True, False])
def test_count_within_radii_matches_brute_force(inclusive: bool, make_features: Features) -> None:
    q, r = make_features(70, 5, seed=9), make_features(50, 5, shift=0.3, seed=10)
    radii = C.kth_neighbour_distance(r, 3)
    # put one query exactly on a sphere to exercise the tie rule
    q[0] = r[0] + (r[int(np.argsort(brute_distances(r[:1], r)[0])[3])] - r[0])
    d = brute_distances(q, r)
    rad = np.sort(np.where(np.eye(50, dtype=bool), np.inf, brute_distances(r, r)), axis=1)[:, 2]
    inside = d <= rad[None, :] if inclusive else d < rad[None, :]
    counts = C.count_within_radii(q, r, radii, inclusive=inclusive, chunk_size=16)
    np.testing.assert_array_equal(counts.per_query, inside.sum(axis=1))
    np.testing.assert_array_equal(counts.per_ref, inside.sum(axis=0))
    np.testing.assert_array_equal(counts.any, inside.any(axis=1))


def test_count_within_radii_checks_radii_shape(make_features: Features) -> None:
    with pytest.raises(ValueError, match="ref_radii"):
        C.count_within_radii(make_features(5, 2), make_features(6, 2), np.ones(5))


# ---------------------------------------------------------------------------------------------
# canonical distances, and the Gram band that decides everything else, against brute force
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("d", [1, 3, 7, 64, 100])
def test_canonical_distances_are_symmetric_and_exactly_zero_on_equal_rows(d: int) -> None:
    rng = np.random.default_rng(d)
    a, b = rng.standard_normal((50, d)), 1e3 + rng.standard_normal((50, d))
    # (a - b)² and (b - a)² are the same numbers, summed in the same tree: bit-identical
    np.testing.assert_array_equal(C.canonical_distances(a, b), C.canonical_distances(b, a))
    for x in (a, b, b + 1e6):
        assert (C.canonical_distances(x, x.copy()) == 0.0).all()


def test_canonical_distances_are_exact_on_integers() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.integers(-1000, 1000, (200, 37)), rng.integers(-1000, 1000, (200, 37))
    squared = ((a - b) ** 2).sum(axis=1)  # int64: exact, < 2^53
    expected = np.sqrt(squared.astype(np.float64))  # one correctly rounded square root
    np.testing.assert_array_equal(C.canonical_distances(a.astype(float), b.astype(float)), expected)
    # far from the origin the differences stay exact, and so do the distances
    np.testing.assert_array_equal(C.canonical_distances(a + 1e9, b + 1e9), expected)


def test_canonical_distances_match_float64_brute_force(make_features: Features) -> None:
    a, b = make_features(300, 129, seed=1), make_features(300, 129, shift=0.1, seed=2)
    # both are sums of D rounded squares: within a few D·eps of each other
    expected = np.linalg.norm(a - b, axis=1)
    np.testing.assert_allclose(C.canonical_distances(a, b), expected, rtol=1e-12, atol=0)


def test_canonical_distance_of_a_pair_does_not_depend_on_the_batch(make_features: Features) -> None:
    a, b = make_features(97, 33, seed=3), make_features(97, 33, seed=4)
    full = C.canonical_distances(a, b)
    perm = np.random.default_rng(5).permutation(97)
    np.testing.assert_array_equal(C.canonical_distances(a[perm], b[perm]), full[perm])
    np.testing.assert_array_equal(C.canonical_distances(a[7:8], b[7:8]), full[7:8])


def test_canonical_distances_reject_mismatched_shapes(make_features: Features) -> None:
    with pytest.raises(ValueError, match="same shape"):
        C.canonical_distances(make_features(5, 3), make_features(6, 3))


def _with_ties(kind: str) -> tuple[np.ndarray, np.ndarray]:
    """A query [80, 5] and a reference set [60, 5] with exact ties built in.

    ``gaussian``: generic rows plus duplicated reference rows and query rows that are copies of
    reference rows (so a query can sit exactly on a ball's sphere: a copy of the ball's k-th
    neighbour), all moved by 1e4 so that the Gram form alone cannot tell ties apart.
    ``dyadic``: every coordinate a multiple of 1/4 in [-2, 2] plus 1e3: every distance and
    squared sum is exact in any order, and many of them are equal.
    """
    rng = np.random.default_rng(11)
    if kind == "gaussian":
        ref = rng.standard_normal((60, 5))
        ref[10:13] = ref[9]  # four equal rows
        ref[30] = ref[31]
        query = rng.standard_normal((80, 5))
        query[:40] = ref[rng.integers(0, 60, 40)]
        return query + 1e4, ref + 1e4
    ref = rng.integers(-8, 9, (60, 5)) / 4
    query = rng.integers(-8, 9, (80, 5)) / 4
    query[:20] = ref[:20]
    return query + 1e3, ref + 1e3


def _brute(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.linalg.norm(a[:, None, :] - b[None, :, :], axis=-1)


@pytest.mark.parametrize("kind", ["gaussian", "dyadic"])
@pytest.mark.parametrize("inclusive", [True, False])
@pytest.mark.parametrize("chunk_size", [1, 7, 32, 4096])  # 32: tiles wide enough for the group prefilter
def test_count_within_radii_decides_injected_ties_like_brute_force(
    kind: str, inclusive: bool, chunk_size: int
) -> None:
    query, ref = _with_ties(kind)
    within = _brute(ref, ref)
    np.fill_diagonal(within, np.inf)
    brute_radii = np.sort(within, axis=1)[:, 2]  # k = 3
    radii = C.kth_neighbour_distance(ref, 3, cache=False, chunk_size=chunk_size)
    d = _brute(query, ref)
    if kind == "dyadic":  # every value exact: the very same numbers
        np.testing.assert_array_equal(radii, brute_radii)
    else:  # a query that copies a ball's k-th neighbour is tied in both computations
        np.testing.assert_allclose(radii, brute_radii, rtol=1e-12)
    inside = d <= brute_radii[None, :] if inclusive else d < brute_radii[None, :]
    assert (d == brute_radii[None, :]).sum() > 0  # the ties are there
    counts = C.count_within_radii(query, ref, radii, inclusive=inclusive, chunk_size=chunk_size)
    np.testing.assert_array_equal(counts.per_query, inside.sum(axis=1))
    np.testing.assert_array_equal(counts.per_ref, inside.sum(axis=0))
    for per_query, per_ref in (("any", None), ("count", "any"), (None, "any"), ("any", "count")):
        members = C.ball_members(
            query,
            ref,
            radii,
            inclusive=inclusive,
            per_query=per_query,
            per_ref=per_ref,
            chunk_size=chunk_size,
        )
        for got, want, axis in ((members.per_query, per_query, 1), (members.per_ref, per_ref, 0)):
            if want is None:
                assert got is None
            elif want == "any":
                np.testing.assert_array_equal(got, inside.any(axis=axis))
            else:
                np.testing.assert_array_equal(got, inside.sum(axis=axis))


@pytest.mark.parametrize("kind", ["gaussian", "dyadic"])
@pytest.mark.parametrize("chunk_size", [1, 7, 32, 4096])
def test_nearest_neighbours_order_injected_ties_by_index(kind: str, chunk_size: int) -> None:
    query, ref = _with_ties(kind)
    k = 5

    def brute_knn(d: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        cols = np.broadcast_to(np.arange(d.shape[1]), d.shape)
        order = np.lexsort((cols, d), axis=-1)[:, :k]  # by distance, then by index
        return np.take_along_axis(d, order, axis=1), order

    self_d = _brute(ref, ref)
    np.fill_diagonal(self_d, np.inf)
    for got, (dist, idx) in (
        (C.nearest_neighbours(query, ref, k, chunk_size=chunk_size), brute_knn(_brute(query, ref))),
        (C.nearest_neighbours(ref, None, k, chunk_size=chunk_size), brute_knn(self_d)),
    ):
        np.testing.assert_array_equal(got.indices, idx)
        if kind == "dyadic":
            np.testing.assert_array_equal(got.distances, dist)
        else:
            np.testing.assert_allclose(got.distances, dist, rtol=1e-12)
    forward, backward = C.nearest_neighbours_both_ways(query, ref, k, chunk_size=chunk_size)
    for got, (dist, idx) in (
        (forward, brute_knn(_brute(query, ref))),
        (backward, brute_knn(_brute(ref, query))),
    ):
        np.testing.assert_array_equal(got.indices, idx)
        np.testing.assert_allclose(got.distances, dist, rtol=1e-12)


def test_one_far_row_does_not_send_every_pair_to_the_exact_recheck(
    make_features: Features, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The error band is per pair, so a row at 1e6 widens the band of its own pairs only: the
    # k-NN pass and the ball test recheck a handful of pairs, not the whole set. The far row's
    # own neighbours lie within its float32 band of each other, so its 999 pairs are rechecked.
    x = 0.01 * make_features(1000, 64, seed=20)
    x[-1] = 1e6
    y = 0.01 * make_features(1000, 64, seed=21) + 0.02
    rechecked: list[int] = []
    original = C._Pass.canonical

    def counting(self: C._Pass, qi: torch.Tensor, ri: torch.Tensor) -> torch.Tensor:
        rechecked.append(int(qi.shape[0]))
        return original(self, qi, ri)

    monkeypatch.setattr(C._Pass, "canonical", counting)
    radii = C.kth_neighbour_distance(x, 5, cache=False)
    assert sum(rechecked) <= 5 * 1000 + 999 + 100  # k per row, the far row's pairs, and few more
    rechecked.clear()
    C.count_within_radii(y, x, radii, inclusive=False)
    assert sum(rechecked) <= 1000 + 100  # every row against the far ball's sphere, and few more
