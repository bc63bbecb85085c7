"""Tests for SSIM / MS-SSIM and the pairwise-SSIM diversity measure (Odena et al. 2017, arXiv:1610.09585)."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from helpers import bootstrap_replicates, gaussian_blur

from ganbench.metrics.ssim_diversity import auto_scales, ms_ssim, resolve_scales, ssim
from ganbench.registry import METRICS


def test_ssim_of_an_image_with_itself_is_one(mnist: np.ndarray) -> None:
    x = torch.from_numpy(mnist[:4])
    np.testing.assert_allclose(ssim(x, x).numpy(), 1.0, atol=1e-12)
    np.testing.assert_allclose(ms_ssim(x, x).numpy(), 1.0, atol=1e-12)
    rgb = torch.rand((2, 3, 64, 64), generator=torch.Generator().manual_seed(0))
    np.testing.assert_allclose(ms_ssim(rgb, rgb).numpy(), 1.0, atol=1e-12)


def test_ssim_agrees_with_skimage(mnist: np.ndarray) -> None:
    metrics = pytest.importorskip("skimage.metrics", reason="scikit-image is not installed")
    opts = {"gaussian_weights": True, "sigma": 1.5, "use_sample_covariance": False, "data_range": 1.0}
    rng = np.random.default_rng(0)
    pairs = [
        (mnist[0, 0], mnist[1, 0]),
        (mnist[2, 0], mnist[2, 0] * 0.7 + 0.1),
        (mnist[3, 0], rng.random((28, 28))),
    ]
    for a, b in pairs:
        want = metrics.structural_similarity(a.astype(np.float64), b.astype(np.float64), **opts)
        got = ssim(torch.from_numpy(a)[None, None], torch.from_numpy(b)[None, None])
        assert float(got[0]) == pytest.approx(want, abs=1e-7)
    a, b = rng.random((3, 40, 33)), rng.random((3, 40, 33)) * 0.5 + 0.25
    want = metrics.structural_similarity(a, b, channel_axis=0, **opts)
    assert float(ssim(torch.from_numpy(a)[None], torch.from_numpy(b)[None])[0]) == pytest.approx(
        want, abs=1e-10
    )


def test_scales_follow_the_image_size() -> None:
    assert [auto_scales(s, s) for s in (8, 11, 21, 22, 28, 32, 64, 128, 176, 256)] == [
        1,
        1,
        1,
        2,
        2,
        2,
        3,
        4,
        5,
        5,
    ]
    assert auto_scales(256, 28) == 2  # the short side decides
    with pytest.raises(ValueError, match="scales"):
        METRICS["ssim-diversity"](
            real=np.zeros((4, 1, 28, 28), np.float32), fake=np.zeros((4, 1, 28, 28)), scales=3
        )
    for bad in (1.5, "two", True):
        with pytest.raises(ValueError, match="scales"):
            resolve_scales(bad, 28, 28)  # type: ignore[arg-type]
    assert resolve_scales(2.0, 28, 28) == 2  # an integral float, as a TOML file may write it


def test_identical_sets_give_gap_zero(mnist: np.ndarray) -> None:
    out = METRICS["ssim-diversity"](real=mnist[:500], fake=mnist[:500].copy(), pairs=300)
    assert out["ssim_diversity_gap"] == 0.0
    assert 0.0 < out["ssim_diversity_real"] < 0.5  # distinct digits are far from identical
    assert out["ssim_diversity_gap_std"] > 0


def test_mode_collapse_gives_ssim_one_and_a_large_gap(mnist: np.ndarray) -> None:
    collapsed = np.repeat(mnist[:1], 200, axis=0)
    out = METRICS["ssim-diversity"](real=mnist[:200], fake=collapsed, pairs=300)
    assert out["ssim_diversity_fake"] == pytest.approx(1.0, abs=1e-9)
    assert out["ssim_diversity_fake_std"] == pytest.approx(0.0, abs=1e-9)
    assert out["ssim_diversity_gap"] > 0.5


def test_gap_grows_as_diversity_shrinks(mnist: np.ndarray) -> None:
    real, fake = mnist[:300], mnist[300:600]
    gaps = []
    for kept in (300, 30, 3):  # fewer distinct images, repeated to the same set size
        subset = np.resize(fake[:kept], fake.shape)
        gaps.append(METRICS["ssim-diversity"](real=real, fake=subset, pairs=400)["ssim_diversity_gap"])
    assert gaps[0] < gaps[1] < gaps[2]
    assert abs(gaps[0]) < 0.03


def test_blur_raises_pairwise_similarity(mnist: np.ndarray) -> None:
    real, fake = mnist[:300], mnist[300:600]
    blurred = gaussian_blur(torch.from_numpy(fake), 1.5).numpy()
    plain = METRICS["ssim-diversity"](real=real, fake=fake, pairs=300)["ssim_diversity_fake"]
    assert METRICS["ssim-diversity"](real=real, fake=blurred, pairs=300)["ssim_diversity_fake"] > plain


def test_same_seed_same_value_and_small_images(mnist: np.ndarray) -> None:
    a = METRICS["ssim-diversity"](real=mnist[:100], fake=mnist[100:200], pairs=50, seed=3)
    b = METRICS["ssim-diversity"](real=mnist[:100], fake=mnist[100:200], pairs=50, seed=3)
    c = METRICS["ssim-diversity"](real=mnist[:100], fake=mnist[100:200], pairs=50, seed=4)
    assert a == b
    assert a != c
    # 8 x 8 images (sklearn digits size): single-scale SSIM with a 7 x 7 window
    small = torch.nn.functional.avg_pool2d(torch.from_numpy(mnist[:50]), 3, stride=3, padding=1)[..., :8, :8]
    out = METRICS["ssim-diversity"](real=small.numpy(), fake=small.numpy(), pairs=20)
    assert out["ssim_diversity_gap"] == 0.0
    assert np.isfinite(out["ssim_diversity_real"])


def test_bootstrap_resamples_pairs_and_its_spread_is_their_standard_error(mnist: np.ndarray) -> None:
    # resampling images would pair an image with its own copy (SSIM 1); pairs are resampled instead
    samples = METRICS["ssim-diversity"].samples(real=mnist[:300], fake=mnist[300:600], pairs=200)
    assert (samples.n_real, samples.n_fake) == (200, 200)
    replicates = bootstrap_replicates(samples, "ssim_diversity_gap")
    assert replicates.std() == pytest.approx(samples.value()["ssim_diversity_gap_std"], rel=0.15)
