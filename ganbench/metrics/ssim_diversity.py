"""Sample diversity by (multi-scale) SSIM between random pairs of images.

Odena, Olah & Shlens 2017, "Conditional Image Synthesis with Auxiliary Classifier GANs"
(arXiv:1610.09585): the mean MS-SSIM over random pairs of images of a set is high when
the set lacks diversity (1 for a set of copies of one image); a generator whose mean lies above
that of the real data has collapsed. Here pairs are drawn from the whole set (Odena et al. drew
them within a class; no labels are used here).

SSIM is that of Wang, Bovik, Sheikh & Simoncelli 2004, "Image quality assessment: from error
visibility to structural similarity" (IEEE TIP 13(4)): an 11 x 11 Gaussian window with sigma 1.5,
K1 = 0.01, K2 = 0.03, dynamic range L = 1, population (not sample) covariances, averaged over
the positions where the window lies inside the image, then over channels. It agrees with
``skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5,
use_sample_covariance=False, data_range=1)``.

MS-SSIM is that of Wang, Simoncelli & Bovik 2003, "Multiscale structural similarity for image
quality assessment" (Asilomar conference): at scales j = 1..S (2 x 2 average pooling between
scales) the mean contrast-structure term cs_j, and at the coarsest scale the full SSIM;
MS-SSIM = SSIM_S^{w_S} · prod_{j<S} cs_j^{w_j}, with the weights (0.0448, 0.2856, 0.3001,
0.2363, 0.1333) of the paper. Negative terms are clipped at 0 before the powers (as
``tf.image.ssim_multiscale`` and ``pytorch_msssim`` do).

Which scales (``scales="auto"``, the default, fixed by the image size alone):
- S = the largest number <= 5 such that the coarsest scale, min(H, W) // 2^(S-1) pixels, still
  holds the 11 x 11 window; the weights are the first S of the five, rescaled to sum to 1;
- S = 1 is plain single-scale SSIM (not clipped);
- images smaller than 11 pixels use S = 1 with a window of the largest odd size that fits and
  sigma = 1.5 · size / 11.
So 28 x 28 (MNIST) and 32 x 32 (CIFAR-10) images get S = 2, 64 x 64 S = 3, 128 x 128 S = 4,
176 x 176 and larger the full S = 5, 8 x 8 single-scale SSIM with a 7 x 7 window.
"""

from __future__ import annotations

import math

import numpy as np
import torch
import torch.nn.functional as F

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import check_images, check_same_shape, check_seed, integer
from ganbench.numerics.filters import filter_separable, gaussian_window
from ganbench.numerics.resampling import take_rows

MS_SSIM_WEIGHTS = (0.0448, 0.2856, 0.3001, 0.2363, 0.1333)
_WIN, _SIGMA, _K1, _K2 = 11, 1.5, 0.01, 0.03
_PIXELS_PER_BATCH = 1 << 22  # pairs are processed in batches of about 4M pixels (x 5 float64 maps)


def ssim_window(height: int, width: int) -> tuple[int, float]:
    """The (size, sigma) of the Gaussian window for [H, W] images: (11, 1.5), or smaller for tiny images."""
    side = min(height, width)
    if side >= _WIN:
        return _WIN, _SIGMA
    size = side if side % 2 == 1 else side - 1
    return size, _SIGMA * size / _WIN


def auto_scales(height: int, width: int) -> int:
    """Number of MS-SSIM scales (1..5) for [H, W] images: the coarsest must still hold the 11 x 11 window."""
    side, scales = min(height, width), 1
    while scales < len(MS_SSIM_WEIGHTS) and side // 2**scales >= _WIN:
        scales += 1
    return scales


def _ssim_terms(x: torch.Tensor, y: torch.Tensor, taps: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Mean SSIM and mean contrast-structure term per image and channel: two [N, C] tensors."""
    c1, c2 = _K1**2, _K2**2
    mu_x = filter_separable(x, taps)
    mu_y = filter_separable(y, taps)
    var_x = filter_separable(x * x, taps) - mu_x * mu_x
    var_y = filter_separable(y * y, taps) - mu_y * mu_y
    cov = filter_separable(x * y, taps) - mu_x * mu_y
    cs_map = (2.0 * cov + c2) / (var_x + var_y + c2)
    lum_map = (2.0 * mu_x * mu_y + c1) / (mu_x * mu_x + mu_y * mu_y + c1)
    return (lum_map * cs_map).mean(dim=(2, 3)), cs_map.mean(dim=(2, 3))


def ssim(x: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Single-scale SSIM (Wang et al. 2004) of image pairs ``x``, ``y`` [N, C, H, W] in [0, 1] -> [N]."""
    return ms_ssim(x, y, scales=1)


def ms_ssim(x: torch.Tensor, y: torch.Tensor, scales: int | str = "auto") -> torch.Tensor:
    """Multi-scale SSIM (Wang et al. 2003) of image pairs ``x``, ``y`` [N, C, H, W] in [0, 1] -> float64 [N].

    ``scales``: 1..5 or ``"auto"`` (see the module docstring); 1 is plain SSIM. Computed in
    float64, mean over channels of the per-channel value.
    """
    h, w = x.shape[-2:]
    n_scales = resolve_scales(scales, h, w)
    size, sigma = ssim_window(h, w)
    taps = gaussian_window(size, sigma, torch.float64)
    x = x.to(torch.float64)
    y = y.to(torch.float64)
    if n_scales == 1:
        return _ssim_terms(x, y, taps)[0].mean(dim=1)
    weights = torch.tensor(MS_SSIM_WEIGHTS[:n_scales], dtype=torch.float64)
    weights = weights / weights.sum()
    out = torch.ones(x.shape[:2], dtype=torch.float64)
    for j in range(n_scales):
        full, cs = _ssim_terms(x, y, taps)
        term = full if j == n_scales - 1 else cs
        out = out * term.clamp(min=0.0) ** weights[j]
        if j < n_scales - 1:
            x = F.avg_pool2d(x, 2)
            y = F.avg_pool2d(y, 2)
    return out.mean(dim=1)


def resolve_scales(scales: int | str, height: int, width: int) -> int:
    """Check ``scales`` (an int, or ``"auto"``) against the image size; return the number of scales."""
    most = auto_scales(height, width)
    if scales == "auto":
        return most
    try:
        return integer("scales", scales, minimum=1, maximum=most)
    except ValueError:
        raise ValueError(
            f"scales must be 'auto' or an int in 1..{most} for {height} x {width} images "
            f"(each scale halves the image; the coarsest must hold the {_WIN}x{_WIN} window); got {scales!r}"
        ) from None


def _pair_ssim(images: torch.Tensor, pairs: int, scales: int | str, seed: int) -> np.ndarray:
    """MS-SSIM of ``pairs`` random pairs of distinct images (i, j != i) of one set -> float64 [pairs]."""
    n = images.shape[0]
    rng = np.random.default_rng(seed)
    first = rng.integers(0, n, size=pairs)
    second = (first + rng.integers(1, n, size=pairs)) % n
    per_image = math.prod(images.shape[1:])
    batch = max(1, _PIXELS_PER_BATCH // per_image)
    out = np.empty(pairs)
    for start in range(0, pairs, batch):
        i = torch.from_numpy(first[start : start + batch])
        j = torch.from_numpy(second[start : start + batch])
        out[start : start + batch] = ms_ssim(images[i], images[j], scales).numpy()
    return out


def _mean_se(values: np.ndarray) -> tuple[float, float]:
    return float(values.mean()), float(values.std(ddof=1) / math.sqrt(values.size))


def ssim_diversity_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    pairs: int = 1000,
    scales: int | str = "auto",
    seed: int = 0,
) -> PerSample:
    """The MS-SSIM of each random pair of each set (float64 [pairs] per side), once; the units of a
    resample are the pairs, and its reduction is the means and their gap over the drawn pairs.
    Arguments as :func:`ssim_diversity`."""
    x = check_images("real", real, min_images=2)
    y = check_images("fake", fake, min_images=2)
    check_same_shape(x, y)
    pairs = integer("pairs", pairs, minimum=2)
    seed = check_seed(seed)
    scales = resolve_scales(scales, *x.shape[-2:])
    pairs_fake = _pair_ssim(y, pairs, scales, seed)
    pairs_real = _pair_ssim(x, pairs, scales, seed)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        fake_mean, fake_se = _mean_se(take_rows(pairs_fake, fake_rows))
        real_mean, real_se = _mean_se(take_rows(pairs_real, real_rows))
        return {
            "ssim_diversity_gap": fake_mean - real_mean,
            "ssim_diversity_gap_std": math.hypot(fake_se, real_se),
            "ssim_diversity_fake": fake_mean,
            "ssim_diversity_fake_std": fake_se,
            "ssim_diversity_real": real_mean,
            "ssim_diversity_real_std": real_se,
        }

    return PerSample(n_real=pairs, n_fake=pairs, reduce=reduce)


@metric(
    "ssim-diversity",
    space="pixels",
    directions={"ssim_diversity_gap": 0.0, "ssim_diversity_fake": "lower", "ssim_diversity_real": "lower"},
    aspects={k: ("diversity",) for k in ("ssim_diversity_gap", "ssim_diversity_fake", "ssim_diversity_real")},
    reference=(
        "Odena et al. 2017 (arXiv:1610.09585) with MS-SSIM of Wang et al. 2003 / SSIM of Wang et al. 2004; "
        "SSIM agrees with skimage.metrics.structural_similarity(gaussian_weights=True, sigma=1.5, "
        "use_sample_covariance=False, data_range=1)"
    ),
    interval="per-sample",
    per_sample=ssim_diversity_samples,
    interval_note=(
        "resamples the random pairs' MS-SSIM (resampling images would pair an image with its own copy, "
        "SSIM 1); pairs sharing an image are treated as independent, which narrows the interval slightly"
    ),
)
def ssim_diversity(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    pairs: int = 1000,
    scales: int | str = "auto",
    seed: int = 0,
) -> dict[str, float]:
    """Mean MS-SSIM between random pairs of generated images, and of real images, and their gap.

    Args:
        real: real images [N, C, H, W] in [0, 1], N >= 2.
        fake: generated images [M, C, H, W] in [0, 1], M >= 2.
        pairs: number of random pairs (i, j), i != j, drawn from each set.
        scales: MS-SSIM scales, 1..5 or ``"auto"`` (the most the image size allows; 2 for 28 x 28;
            see the module docstring); 1 is single-scale SSIM.
        seed: seeds the pairs. Both sets use the same draw, so for N == M they are compared on
            the same index pairs (identical sets give a gap of exactly 0).

    Returns:
        ``ssim_diversity_fake`` / ``ssim_diversity_real``: mean MS-SSIM over the pairs of each set
        (1 for a set of copies of one image; lower is more diverse); ``ssim_diversity_gap`` =
        fake − real, target 0 (> 0: less diverse than the data, e.g. mode collapse; < 0: more
        varied than the data, e.g. noise). Each ``*_std`` is a standard error: std over pairs /
        sqrt(pairs), and for the gap the two combined in quadrature.
    """
    return ssim_diversity_samples(real=real, fake=fake, pairs=pairs, scales=scales, seed=seed).value()
