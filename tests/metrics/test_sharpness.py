"""Tests for the gradient-energy sharpness comparison (after Mathieu et al. 2016, arXiv:1511.05440)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import gaussian_blur

from ganbench.metrics.sharpness import gradient_energy
from ganbench.registry import METRICS


def test_gradient_energy_of_known_images() -> None:
    ramp = torch.linspace(0, 1, 11).expand(2, 3, 5, 11)  # horizontal steps of 0.1, no vertical change
    np.testing.assert_allclose(gradient_energy(ramp).numpy(), 0.01, rtol=1e-6)
    checker = (torch.arange(4).view(4, 1) + torch.arange(6).view(1, 6)) % 2
    np.testing.assert_allclose(gradient_energy(checker.float()[None, None]).numpy(), 2.0)
    assert float(gradient_energy(torch.full((1, 1, 4, 4), 0.3))[0]) == 0.0


def test_identical_sets_give_zero(mnist: np.ndarray) -> None:
    out = METRICS["sharpness"](real=mnist[:1000], fake=mnist[:1000].copy())
    assert out["sharpness_diff"] == 0.0
    assert out["sharpness_ratio"] == 1.0
    assert out["sharpness_fake"] == out["sharpness_real"] > 0


def test_diff_grows_monotonically_with_blur(mnist: np.ndarray) -> None:
    real, fake = mnist[:1000], torch.from_numpy(mnist[1000:2000])
    results = [
        METRICS["sharpness"](real=real, fake=gaussian_blur(fake, s).numpy()) for s in (0.0, 0.5, 1.0, 2.0)
    ]
    diffs = [r["sharpness_diff"] for r in results]
    assert diffs[0] < 0.05  # two halves of the same data
    assert diffs == sorted(diffs) and diffs[1] > diffs[0] + 0.1
    assert all(r["sharpness_ratio"] < 1 for r in results[1:])  # blur: less energy than the data


def test_noise_makes_the_ratio_exceed_one(mnist: np.ndarray) -> None:
    real, fake = mnist[:500], mnist[500:1000]
    noisy = np.clip(fake + 0.2 * np.random.default_rng(0).standard_normal(fake.shape), 0, 1).astype(
        np.float32
    )
    out = METRICS["sharpness"](real=real, fake=noisy)
    assert out["sharpness_ratio"] > 1.1
    assert out["sharpness_diff"] == pytest.approx(out["sharpness_ratio"] - 1)


def test_standard_errors(mnist: np.ndarray) -> None:
    real, fake = mnist[:400], mnist[400:600]
    out = METRICS["sharpness"](real=real, fake=fake)
    g = gradient_energy(torch.from_numpy(fake)).numpy()
    assert out["sharpness_fake"] == pytest.approx(g.mean())
    assert out["sharpness_fake_std"] == pytest.approx(g.std(ddof=1) / np.sqrt(200))
    assert 0 < out["sharpness_ratio_std"] < 0.1


def test_bad_inputs_fail_with_a_message() -> None:
    with pytest.raises(ValueError, match=r"\[N, C, H, W\]"):
        METRICS["sharpness"](real=np.zeros((10, 784), np.float32), fake=np.zeros((10, 784), np.float32))
    with pytest.raises(ValueError, match="constant"):
        METRICS["sharpness"](real=np.zeros((3, 1, 5, 5)), fake=np.ones((3, 1, 5, 5)))


def test_a_resample_is_the_measure_of_the_resampled_sets(mnist: np.ndarray) -> None:
    real, fake = mnist[:300], gaussian_blur(torch.from_numpy(mnist[300:500]), 0.7).numpy()
    samples = METRICS["sharpness"].samples(real=real, fake=fake)
    rng = np.random.default_rng(7)
    rows_r, rows_f = rng.integers(0, 300, 300), rng.integers(0, 200, 200)
    again = METRICS["sharpness"](real=real[rows_r], fake=fake[rows_f])
    assert samples.reduce(rows_r, rows_f) == pytest.approx(again, rel=1e-12)
