"""Tests for ``fid-inf`` (Chong & Forsyth 2020): extrapolating FID to infinitely many samples."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from ganbench.metrics.fid import fid
from ganbench.metrics.fid_inf import fid_inf, sample_sizes
from ganbench.numerics import gaussian
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def exact_standard_normal(n: int, d: int, seed: int) -> np.ndarray:
    """n rows whose sample mean is exactly 0 and sample covariance exactly I (whitened Gaussian)."""
    z = np.random.default_rng(seed).standard_normal((n, d))
    z -= z.mean(axis=0)
    chol = np.linalg.cholesky(np.cov(z, rowvar=False))
    return z @ np.linalg.inv(chol).T


def test_sample_sizes_follow_the_protocol() -> None:
    sizes = sample_sizes(50_000, 15, 5000, 0.2)
    assert sizes[0] == 5000 and sizes[-1] == 50_000 and len(sizes) == 15  # the paper's grid
    small = sample_sizes(1000, 15, 5000, 0.2)
    assert small[0] == 200 and small[-1] == 1000 and len(small) == 15
    assert list(sample_sizes(12, 15, 5000, 0.2)) == [2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]
    with pytest.raises(ValueError, match="n_points"):
        sample_sizes(1000, 1, 5000, 0.2)
    with pytest.raises(ValueError, match="min_fraction"):
        sample_sizes(1000, 15, 5000, 1.5)


def test_closer_to_the_closed_form_than_fid_on_gaussians() -> None:
    """Real statistics exact (N(0, I)); fake N(0.05·1, diag(s²)): truth = d·0.05² + Σ (1 − s)²."""
    d = 48
    real = exact_standard_normal(10_000, d, seed=0)
    scales = np.linspace(0.8, 1.2, d)
    truth = d * 0.05**2 + float(((1.0 - scales) ** 2).sum())
    err_inf, err_fid = [], []
    for seed in range(4):
        fake = np.random.default_rng(100 + seed).standard_normal((4000, d)) * scales + 0.05
        err_inf.append(abs(METRICS["fid-inf"](real=real, fake=fake, seed=seed)["fid_inf"] - truth))
        err_fid.append(abs(fid(real=real, fake=fake)["fid"] - truth))
    assert np.mean(err_inf) < 0.5 * np.mean(err_fid)
    assert np.mean(err_inf) < 0.05 * truth


def test_two_samples_of_one_distribution_give_about_zero() -> None:
    """With exact real statistics all of FID at N = 4000 is the generated side's bias, which it removes."""
    real = exact_standard_normal(8000, 32, seed=1)
    values, plains = [], []
    for seed in range(3):
        fake = np.random.default_rng(200 + seed).standard_normal((4000, 32))
        plains.append(fid(real=real, fake=fake)["fid"])
        values.append(fid_inf(real=real, fake=fake, seed=seed)["fid_inf"])
    assert abs(np.mean(values)) < 0.1 * np.mean(plains)


def test_grows_with_the_shift(make_features: Features) -> None:
    real = make_features(4000, 16, seed=3)
    values = [
        fid_inf(real=real, fake=make_features(3000, 16, shift=s, seed=4))["fid_inf"]
        for s in (0.0, 0.2, 0.5, 1.0)
    ]
    assert values == sorted(values)


def test_last_point_is_fid_and_statistics_are_shared(make_features: Features) -> None:
    real, fake = make_features(3000, 16, seed=5), make_features(2000, 16, shift=0.1, seed=6)
    stats = gaussian.mean_and_covariance(real)
    fid_inf(real=real, fake=fake)
    assert gaussian.mean_and_covariance(real) is stats  # the real statistics came from the memo
    # with two sizes the line passes through both points; its value at 1/N = 1/M is the FID
    out = fid_inf(real=real, fake=fake, n_points=2)["fid_inf"]
    sizes = sample_sizes(2000, 2, 5000, 0.2)
    rng = np.random.default_rng(0)
    sub = fake[np.sort(rng.choice(2000, size=int(sizes[0]), replace=False))]
    small, full = fid(real=real, fake=sub)["fid"], fid(real=real, fake=fake)["fid"]
    slope = (small - full) / (1 / sizes[0] - 1 / sizes[1])
    assert out == pytest.approx(full - slope / sizes[1], rel=1e-9)


def test_frechet_distances_equal_frechet_distance(make_features: Features) -> None:
    a, b, c = (
        make_features(300, 8, seed=7),
        make_features(300, 8, scale=1.3, seed=8),
        make_features(300, 8, seed=9),
    )
    sa, sb, sc = (gaussian.mean_and_covariance(x, cache=False) for x in (a, b, c))
    values = gaussian.frechet_distances(*sa, [sb, sc])
    assert values == [gaussian.frechet_distance(*sa, *sb), gaussian.frechet_distance(*sa, *sc)]


def test_same_seed_same_value(make_features: Features) -> None:
    real, fake = make_features(2000, 8, seed=10), make_features(1500, 8, shift=0.3, seed=11)
    assert fid_inf(real=real, fake=fake, seed=3) == fid_inf(real=real, fake=fake, seed=3)
    assert fid_inf(real=real, fake=fake, seed=3) != fid_inf(real=real, fake=fake, seed=4)


def test_warns_when_the_smallest_size_is_not_above_the_dimension(make_features: Features) -> None:
    with pytest.warns(UserWarning, match="feature dimension"):
        fid_inf(real=make_features(500, 64, seed=12), fake=make_features(200, 64, seed=13))


def test_registry_entry_and_keyword_only(make_features: Features) -> None:
    spec = METRICS["fid-inf"]
    assert spec.space == "features" and spec.directions == {"fid_inf": "lower"}
    assert spec.defaults == {"n_points": 15, "min_size": 5000, "min_fraction": 0.2, "seed": 0}
    out = spec(real=make_features(600, 4, seed=14), fake=make_features(600, 4, seed=15))
    assert set(out) == {"fid_inf"} and isinstance(out["fid_inf"], float)
    with pytest.raises(TypeError):
        fid_inf(make_features(10, 2), make_features(10, 2))  # type: ignore[misc]


def test_rejects_bad_input(make_features: Features) -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        fid_inf(real=make_features(100, 4), fake=make_features(100, 5))
    with pytest.raises(ValueError, match="at least 10 rows"):
        fid_inf(real=make_features(100, 4), fake=make_features(5, 4))
