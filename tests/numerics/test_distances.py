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
