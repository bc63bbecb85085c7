"""Tests for the shared metric math in ganbench.metrics._common."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.linalg
import torch
from prdc.prdc import compute_nearest_neighbour_distances
from torch_fidelity.metric_kid import mmd2 as tf_mmd2

from ganbench.metrics import _common as C

Features = Callable[..., np.ndarray]


def brute_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sqrt(((a[:, None, :] - b[None, :, :]) ** 2).sum(-1))


# --- input checks and options --------------------------------------------------------------


def test_as_matrix_rejects_bad_input() -> None:
    with pytest.raises(ValueError, match="2-D"):
        C.as_matrix("real", np.zeros(5))
    with pytest.raises(ValueError, match="NaN"):
        C.as_matrix("real", np.array([[0.0, np.nan]]))
    with pytest.raises(ValueError, match="at least 3 rows"):
        C.as_matrix("real", np.zeros((2, 4)), min_rows=3)
    with pytest.raises(ValueError, match="same number of columns"):
        C.as_pair(np.zeros((3, 4)), np.zeros((3, 5)))
    out = C.as_matrix("fake", torch.ones(3, 2, dtype=torch.float32))
    assert out.dtype == np.float64 and out.shape == (3, 2)


def test_compute_options_scope_and_validation() -> None:
    assert C.resolve_device("auto").type == ("cuda" if torch.cuda.is_available() else "cpu")
    with C.compute_options(device="cpu", chunk_size=5):
        assert C.current_compute_options().chunk_size == 5
        assert C.resolve_device().type == "cpu"
    assert C.current_compute_options() == C.ComputeOptions()
    with pytest.raises(ValueError, match="chunk_size"):
        C.compute_options(chunk_size=0).__enter__()
    with pytest.raises(ValueError, match="unknown device"):
        C.compute_options(device="no-such-device").__enter__()


# --- statistics and Fréchet distance -------------------------------------------------------


def test_mean_and_covariance_matches_numpy_with_chunking(make_features: Features) -> None:
    x = make_features(103, 7, shift=3.0, seed=1)
    for chunk_rows in (1, 10, 1000):
        mu, sigma = C.mean_and_covariance(x, cache=False, chunk_rows=chunk_rows)
        np.testing.assert_allclose(mu, x.mean(0), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(sigma, np.cov(x, rowvar=False), rtol=1e-10, atol=1e-12)
        assert mu.dtype == sigma.dtype == np.float64


def test_mean_and_covariance_is_memoised_read_only(make_features: Features) -> None:
    x = make_features(50, 4)
    first = C.mean_and_covariance(x)
    assert C.mean_and_covariance(x.copy()) is first
    assert not first[1].flags.writeable


def test_frechet_distance_closed_form_for_diagonal_covariances() -> None:
    a, b = np.array([1.0, 4.0, 9.0]), np.array([4.0, 1.0, 0.0])
    mu1, mu2 = np.zeros(3), np.array([1.0, 2.0, 0.0])
    expected = 5.0 + ((np.sqrt(a) - np.sqrt(b)) ** 2).sum()
    assert C.frechet_distance(mu1, np.diag(a), mu2, np.diag(b)) == pytest.approx(expected, rel=1e-12)


def test_frechet_distance_matches_scipy_sqrtm_and_is_symmetric(make_features: Features) -> None:
    x, y = make_features(400, 16, seed=1), make_features(400, 16, shift=0.2, scale=1.3, seed=2)
    (m1, s1), (m2, s2) = C.mean_and_covariance(x), C.mean_and_covariance(y)
    covmean = scipy.linalg.sqrtm(s1 @ s2).real
    ref = ((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean)
    ours = C.frechet_distance(m1, s1, m2, s2)
    assert ours == pytest.approx(ref, rel=1e-9)
    assert C.frechet_distance(m2, s2, m1, s1) == pytest.approx(ours, rel=1e-9)


def test_frechet_distance_rank_deficient_is_finite_and_non_negative(make_features: Features) -> None:
    x, y = make_features(20, 64, seed=1), make_features(30, 64, seed=2)  # D > N: singular covariances
    (m1, s1), (m2, s2) = C.mean_and_covariance(x), C.mean_and_covariance(y)
    value = C.frechet_distance(m1, s1, m2, s2)
    assert np.isfinite(value) and value >= 0
    assert C.frechet_distance(m1, s1, m1, s1) == pytest.approx(0.0, abs=1e-8)


def test_frechet_distance_rejects_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="one D"):
        C.frechet_distance(np.zeros(3), np.eye(3), np.zeros(4), np.eye(4))


# --- chunked distances -----------------------------------------------------------------------


@pytest.mark.parametrize("chunk_size", [1, 3, 7, 16, 1000])
def test_pairwise_distances_equal_cdist_for_any_chunk(chunk_size: int, make_features: Features) -> None:
    a, b = make_features(37, 5, seed=1), make_features(23, 5, shift=2.0, seed=2)
    direct = torch.cdist(torch.from_numpy(a), torch.from_numpy(b)).numpy()
    ours = C.pairwise_distances(a, b, chunk_size=chunk_size)
    np.testing.assert_allclose(ours, direct, rtol=1e-12, atol=1e-12)


def test_tiles_cover_the_matrix_and_respect_chunk_size(make_features: Features) -> None:
    a, b = make_features(10, 3, seed=1), make_features(7, 3, seed=2)
    seen = np.zeros((10, 7), dtype=int)
    for rows, cols, tile in C.iter_distance_tiles(a, b, chunk_size=4):
        assert tile.shape == (rows.stop - rows.start, cols.stop - cols.start)
        assert max(tile.shape) <= 4 and tile.dtype == torch.float64
        seen[rows, cols] += 1
    assert (seen == 1).all()


def test_pairwise_distances_refuses_huge_matrices() -> None:
    with pytest.raises(ValueError, match="max_elements"):
        C.pairwise_distances(np.zeros((100, 2)), np.zeros((100, 2)), max_elements=9999)


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
    with pytest.raises(ValueError, match="pass a smaller k"):
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


# --- memo ---------------------------------------------------------------------------------


def test_fingerprint_depends_on_content_shape_and_dtype(make_features: Features) -> None:
    x = make_features(6, 4)
    assert C.fingerprint(x) == C.fingerprint(x.copy())
    assert C.fingerprint(x) != C.fingerprint(x.reshape(4, 6))
    assert C.fingerprint(x) != C.fingerprint(x.astype(np.float32))
    y = x.copy()
    y[3, 2] += 1e-12
    assert C.fingerprint(x) != C.fingerprint(y)


def test_memo_returns_same_object_and_distinguishes_content(make_features: Features) -> None:
    x = make_features(80, 5, seed=11)
    first = C.kth_neighbour_distance(x, 3)
    assert C.kth_neighbour_distance(x.copy(), 3) is first  # same content, new array: a hit
    assert not first.flags.writeable
    assert C.kth_neighbour_distance(x.astype(np.float32).astype(np.float64), 3) is not first
    other = C.kth_neighbour_distance(x + 1.0 * (np.arange(80) == 0)[:, None], 3)
    assert other is not first and not np.array_equal(other, first)
    # one pass serves several k (the pass keeps at least 8 neighbours)
    calls = C._KNN_MEMO._data[("self-knn", C.fingerprint(x))]
    assert C.kth_neighbour_distance(x, 5) is C.kth_neighbour_distance(x, 5)
    assert C._KNN_MEMO._data[("self-knn", C.fingerprint(x))] is calls
    # a wider k than the cached pass recomputes and still agrees
    wide = C.kth_neighbour_distance(x, 12)
    np.testing.assert_allclose(wide, C.kth_neighbour_distance(x, 12, cache=False), rtol=1e-12)


def test_memo_is_bounded(make_features: Features) -> None:
    for seed in range(10):
        C.kth_neighbour_distance(make_features(20, 3, seed=seed), 2)
    assert len(C._KNN_MEMO) <= C._KNN_MEMO.maxsize


# --- MMD² -----------------------------------------------------------------------------------


def test_mmd2_unbiased_matches_torch_fidelity() -> None:
    rng = np.random.default_rng(12)
    a, b = rng.standard_normal((40, 40)), rng.standard_normal((40, 40))
    k_xx, k_yy, k_xy = a @ a.T, b @ b.T, a @ b.T
    ours = C.mmd2_unbiased(torch.from_numpy(k_xx), torch.from_numpy(k_xy), torch.from_numpy(k_yy))
    assert ours == pytest.approx(tf_mmd2(k_xx, k_xy, k_yy), rel=1e-12)
