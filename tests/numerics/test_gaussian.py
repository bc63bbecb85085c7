"""Tests for Gaussian statistics and the Fréchet distance."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.linalg

from ganbench.numerics import gaussian as C

Features = Callable[..., np.ndarray]


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


@pytest.mark.parametrize(("n1", "n2"), [(40, 30), (30, 40), (80, 90)])
def test_fid_from_rows_equals_the_covariance_route(n1: int, n2: int) -> None:
    # 64 dimensions: fewer rows than dimensions in some sets (the rows' Gram route), more in others
    rng = np.random.default_rng(0)
    a = rng.standard_normal((n1, 64)) @ rng.standard_normal((64, 64))
    b = 0.5 + rng.standard_normal((n2, 64))
    by_rows = C.frechet_distance_of_rows(a, b)
    c1, c2 = a - a.mean(axis=0), b - b.mean(axis=0)
    nuclear = np.linalg.svd(c1 @ c2.T / np.sqrt((n1 - 1) * (n2 - 1)), compute_uv=False).sum()
    diff = a.mean(axis=0) - b.mean(axis=0)
    exact = diff @ diff + (c1 * c1).sum() / (n1 - 1) + (c2 * c2).sum() / (n2 - 1) - 2 * nuclear
    assert by_rows == pytest.approx(exact, rel=1e-10)
    mu1, s1 = C.mean_and_covariance(a, cache=False)
    mu2, s2 = C.mean_and_covariance(b, cache=False)
    assert C.frechet_distance(mu1, s1, mu2, s2) == pytest.approx(exact, rel=1e-6)
