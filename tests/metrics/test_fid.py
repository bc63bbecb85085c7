"""Tests for the ``fid`` metric (Heusel et al. 2017) against torch-fidelity and scipy."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import scipy.linalg
import torch
from torch_fidelity.metric_fid import fid_features_to_statistics, fid_statistics_to_metric

from ganbench.metrics.fid import fid
from ganbench.registry import METRICS

Features = Callable[..., np.ndarray]


def torch_fidelity_fid(real: np.ndarray, fake: np.ndarray) -> float:
    stats_fake = fid_features_to_statistics(torch.from_numpy(fake))  # input 1: generated
    stats_real = fid_features_to_statistics(torch.from_numpy(real))
    return fid_statistics_to_metric(stats_fake, stats_real, verbose=False)["frechet_inception_distance"]


def test_identical_sets_give_zero(make_features: Features) -> None:
    x = make_features(500, 32)
    assert fid(real=x, fake=x.copy())["fid"] == pytest.approx(0.0, abs=1e-8)


def test_grows_with_the_shift(make_features: Features) -> None:
    real = make_features(800, 32, seed=0)
    values = [
        fid(real=real, fake=make_features(800, 32, shift=s, seed=1))["fid"] for s in (0.0, 0.1, 0.3, 1.0)
    ]
    assert values == sorted(values) and values[0] < values[-1]


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_agrees_with_torch_fidelity(make_features: Features, dtype: type) -> None:
    real = make_features(1500, 64, seed=2, dtype=dtype)
    fake = make_features(1200, 64, shift=0.2, scale=1.1, seed=3, dtype=dtype)
    ours = fid(real=real, fake=fake)["fid"]
    # torch-fidelity keeps float32 means for float32 input; the rest of both computations is float64
    assert ours == pytest.approx(torch_fidelity_fid(real, fake), rel=1e-6)


def test_agrees_with_scipy_sqrtm(make_features: Features) -> None:
    real, fake = make_features(1000, 48, seed=4), make_features(900, 48, scale=0.8, seed=5)
    m1, s1 = real.mean(0), np.cov(real, rowvar=False)
    m2, s2 = fake.mean(0), np.cov(fake, rowvar=False)
    tr_covmean = np.trace(scipy.linalg.sqrtm(s1 @ s2).real)
    expected = ((m1 - m2) ** 2).sum() + np.trace(s1) + np.trace(s2) - 2 * tr_covmean
    assert fid(real=real, fake=fake)["fid"] == pytest.approx(expected, rel=1e-6)


def test_rank_deficient_covariances_give_finite_non_negative_values(make_features: Features) -> None:
    real, fake = make_features(40, 128, seed=6), make_features(50, 128, seed=7)  # D > N
    value = fid(real=real, fake=fake)["fid"]
    assert np.isfinite(value) and value >= 0
    assert fid(real=real, fake=real)["fid"] == pytest.approx(0.0, abs=1e-8)


def test_deterministic(make_features: Features) -> None:
    real, fake = make_features(300, 16, seed=8), make_features(300, 16, shift=0.5, seed=9)
    assert fid(real=real, fake=fake) == fid(real=real, fake=fake)


def test_registry_call_and_keyword_only(make_features: Features) -> None:
    real, fake = make_features(200, 8, seed=10), make_features(200, 8, seed=11)
    spec = METRICS["fid"]
    assert spec.space == "features" and spec.directions == {"fid": "lower"}
    out = spec(real=real, fake=fake)
    assert set(out) == {"fid"} and isinstance(out["fid"], float)
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
    with pytest.raises(TypeError):
        fid(real, fake)  # type: ignore[misc]


def test_rejects_bad_input(make_features: Features) -> None:
    with pytest.raises(ValueError, match="same number of columns"):
        fid(real=make_features(10, 4), fake=make_features(10, 5))
    with pytest.raises(ValueError, match="at least 2 rows"):
        fid(real=make_features(10, 4), fake=make_features(1, 4))
