"""Tests for the low-level image statistics (mean image, histogram, power spectrum; Zeng et al. 2017)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import gaussian_blur

from ganbench.metrics.image_stats import intensity_histogram, js_divergence_bits, radial_power_spectrum
from ganbench.registry import METRICS

KEYS = ("image_stats_mean_image", "image_stats_hist", "image_stats_spectrum")


def test_identical_sets_give_zero(mnist: np.ndarray) -> None:
    out = METRICS["image-stats"](real=mnist[:1000], fake=mnist[:1000].copy())
    assert out == {k: 0.0 for k in KEYS}
    rgb = np.random.default_rng(0).random((20, 3, 16, 24), dtype=np.float32)
    assert METRICS["image-stats"](real=rgb, fake=rgb) == {k: 0.0 for k in KEYS}


def test_brightness_shift_moves_mean_image_and_histogram(mnist: np.ndarray) -> None:
    real, fake = mnist[:1000], mnist[1000:2000]
    results = [METRICS["image-stats"](real=real, fake=np.clip(fake + d, 0, 1)) for d in (0.0, 0.05, 0.1, 0.2)]
    for key in ("image_stats_mean_image", "image_stats_hist"):
        values = [r[key] for r in results]
        assert values == sorted(values) and values[-1] > 5 * values[0], key


def test_blur_moves_the_spectrum_monotonically(mnist: np.ndarray) -> None:
    real, fake = mnist[:1000], torch.from_numpy(mnist[1000:2000])
    values = [
        METRICS["image-stats"](real=real, fake=gaussian_blur(fake, s).numpy())["image_stats_spectrum"]
        for s in (0.0, 0.5, 1.0, 2.0)
    ]
    assert values == sorted(values) and values[1] > 2 * values[0]


def test_noise_moves_histogram_and_spectrum(mnist: np.ndarray) -> None:
    real, fake = mnist[:1000], mnist[1000:2000]
    noise = np.random.default_rng(0).standard_normal(fake.shape).astype(np.float32)
    results = [
        METRICS["image-stats"](real=real, fake=np.clip(fake + s * noise, 0, 1)) for s in (0.0, 0.02, 0.1)
    ]
    for key in ("image_stats_hist", "image_stats_spectrum"):
        values = [r[key] for r in results]
        assert values[0] < values[1] < values[2], key


def test_white_noise_has_a_flat_spectrum() -> None:
    x = torch.rand((200, 2, 32, 32), generator=torch.Generator().manual_seed(0))
    spectrum = radial_power_spectrum(x)
    assert spectrum.shape == (16,)
    np.testing.assert_allclose(spectrum.numpy(), 1 / 12, rtol=0.1)  # the variance of U(0, 1)


def test_histogram_and_js_divergence() -> None:
    x = torch.tensor([0.0, 0.1, 0.5, 0.99, 1.0]).view(1, 1, 1, 5)
    np.testing.assert_allclose(intensity_histogram(x, 4).numpy(), [[0.4, 0.0, 0.2, 0.4]])
    p = torch.tensor([[1.0, 0.0], [0.5, 0.5]])
    q = torch.tensor([[0.0, 1.0], [0.5, 0.5]])
    np.testing.assert_allclose(js_divergence_bits(p, q).numpy(), [1.0, 0.0])


def test_bad_inputs_fail_with_a_message(mnist: np.ndarray) -> None:
    with pytest.raises(ValueError, match="same"):
        METRICS["image-stats"](real=mnist[:10], fake=mnist[:10, :, :14, :14])
    with pytest.raises(ValueError, match="bins"):
        METRICS["image-stats"](real=mnist[:10], fake=mnist[:10], bins=1)


def test_a_resample_is_the_measure_of_the_resampled_sets(mnist: np.ndarray) -> None:
    # every statistic is a mean over images: a resample weights each image by its count
    real = mnist[:300]
    fake = np.clip(gaussian_blur(torch.from_numpy(mnist[300:500]), 0.8).numpy() + 0.05, 0.0, 1.0)
    samples = METRICS["image-stats"].samples(real=real, fake=fake, bins=16)
    rng = np.random.default_rng(8)
    for _ in range(2):
        rows_r, rows_f = rng.integers(0, 300, 300), rng.integers(0, 200, 200)
        again = METRICS["image-stats"](real=real[rows_r], fake=fake[rows_f], bins=16)
        assert samples.reduce(rows_r, rows_f) == pytest.approx(again, rel=1e-10)
