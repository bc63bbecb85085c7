"""Tests for the sliced Wasserstein distance of pyramid patches (Karras et al. 2018, arXiv:1710.10196)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
from helpers import gaussian_blur

from ganbench.metrics.swd import _pyr_up, laplacian_pyramid, pyramid_sizes, sliced_wasserstein
from ganbench.registry import METRICS

FAST = {"patches_per_image": 64, "projections": 128}  # keeps each call under a second on 2 x 500 images


def test_pyramid_levels() -> None:
    assert pyramid_sizes(28, 28, 14) == [(28, 28), (14, 14)]
    assert pyramid_sizes(32, 32, 14) == [(32, 32), (16, 16)]
    assert pyramid_sizes(256, 256, 14) == [(256, 256), (128, 128), (64, 64), (32, 32), (16, 16)]
    assert pyramid_sizes(8, 8, 14) == [(8, 8)]


def test_laplacian_pyramid_reconstructs_the_image() -> None:
    x = torch.rand((3, 2, 28, 27), generator=torch.Generator().manual_seed(0), dtype=torch.float64)
    bands = laplacian_pyramid(x, 3)
    assert [tuple(b.shape[-2:]) for b in bands] == [(28, 27), (14, 14), (7, 7)]
    recon = bands[-1]
    for band in reversed(bands[:-1]):
        recon = band + _pyr_up(recon, band.shape[-2:])
    torch.testing.assert_close(recon, x)


def test_sliced_wasserstein_of_known_samples() -> None:
    a = torch.randn((4000, 3), generator=torch.Generator().manual_seed(0))
    dirs = torch.eye(3)
    assert sliced_wasserstein(a, a, dirs) == 0.0
    assert sliced_wasserstein(a, a + 0.5, dirs) == pytest.approx(0.5, rel=1e-5)  # W1 of a shift is the shift


def test_identical_distributions_give_a_small_value_and_blur_a_larger_one(mnist: np.ndarray) -> None:
    real, fake = mnist[:500], torch.from_numpy(mnist[500:1000])
    results = [
        METRICS["swd"](real=real, fake=gaussian_blur(fake, s).numpy(), **FAST) for s in (0.0, 0.5, 1.0, 2.0)
    ]
    values = [r["swd"] for r in results]
    assert values == sorted(values) and values[-1] > 5 * values[0]
    assert set(results[0]) == {"swd", "swd_level0", "swd_level1"}
    assert results[0]["swd"] == pytest.approx((results[0]["swd_level0"] + results[0]["swd_level1"]) / 2)


def test_monotone_in_noise_and_in_a_nonlinear_intensity_shift(mnist: np.ndarray) -> None:
    real, fake = mnist[:500], mnist[500:1000]
    noise = np.random.default_rng(1).standard_normal(fake.shape).astype(np.float32)
    by_noise = [
        METRICS["swd"](real=real, fake=np.clip(fake + s * noise, 0, 1), **FAST)["swd"] for s in (0, 0.05, 0.2)
    ]
    assert by_noise[0] < by_noise[1] < by_noise[2]
    by_gamma = [METRICS["swd"](real=real, fake=fake**g, **FAST)["swd"] for g in (1.0, 2.0, 3.0)]
    assert by_gamma[0] < by_gamma[1] < by_gamma[2]


def test_an_affine_intensity_change_is_invisible_by_design(mnist: np.ndarray) -> None:
    """Descriptors are normalised per set (as Karras et al.), so contrast/brightness do not count."""
    real, fake = mnist[:300], mnist[300:600]
    plain = METRICS["swd"](real=real, fake=fake, **FAST)["swd"]
    dimmed = METRICS["swd"](real=real, fake=0.5 * fake + 0.2, **FAST)["swd"]
    assert dimmed == pytest.approx(plain, rel=1e-3)


def test_same_seed_same_value(mnist: np.ndarray) -> None:
    real, fake = mnist[:200], mnist[200:400]
    a = METRICS["swd"](real=real, fake=fake, seed=7, **FAST)
    b = METRICS["swd"](real=real, fake=fake, seed=7, **FAST)
    c = METRICS["swd"](real=real, fake=fake, seed=8, **FAST)
    assert a == b
    assert a != c
    assert c["swd"] == pytest.approx(a["swd"], rel=0.3)  # a different draw, the same distance


def test_unequal_sizes_small_images_and_bad_inputs(mnist: np.ndarray) -> None:
    out = METRICS["swd"](real=mnist[:300], fake=mnist[300:400], max_patches=5000, projections=64)
    assert np.isfinite(out["swd"])
    small = mnist[:100, :, 10:18, 10:18]  # 8 x 8: a single level
    assert set(METRICS["swd"](real=small, fake=small, projections=16)) == {"swd", "swd_level0"}
    with pytest.raises(ValueError, match="patch_size"):
        METRICS["swd"](real=small[..., :5, :5], fake=small[..., :5, :5])


@pytest.mark.slow
def test_ten_thousand_images_run_in_bounded_memory(measure_in_fresh_process: Callable[..., dict]) -> None:
    """10k vs 10k images of 28 x 28 with the defaults: peak RSS growth stays bounded by the descriptor cap."""
    res = measure_in_fresh_process('METRICS["swd"](real=real, fake=fake)')
    assert np.isfinite(res["values"]["swd"])
    assert res["mb"] < 500
