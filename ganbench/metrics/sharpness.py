"""Sharpness of generated vs real images by mean gradient energy.

Borji 2019, "Pros and Cons of GAN Evaluation Measures" (arXiv:1802.03446) lists the "sharpness
difference" of Mathieu, Couprie & LeCun 2016, "Deep multi-scale video prediction beyond mean
square error" (arXiv:1511.05440), which compares the image gradients of a prediction with those
of its ground truth. GAN samples have no paired ground truth, so this compares the two sets
instead: the gradient energy of an image x [C, H, W] is

    G(x) = mean_(c,i,j) (x[c, i, j+1] - x[c, i, j])²  +  mean_(c,i,j) (x[c, i+1, j] - x[c, i, j])²,

the mean squared forward finite-difference gradient magnitude (not the Laplacian variance), and
each set is summarised by the mean of G over its images. Blurry samples (the failure that
Mathieu et al. targeted) have too little gradient energy; noisy or checkerboard samples too much.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape
from ganbench.numerics.resampling import take_rows

_PIXELS_PER_BATCH = 1 << 21


def gradient_energy(x: torch.Tensor) -> torch.Tensor:
    """Mean squared finite-difference gradient magnitude G per image of ``x`` [N, C, H, W] -> float64 [N]."""
    out = torch.empty(x.shape[0], dtype=torch.float64)
    per_image = x.shape[1] * x.shape[2] * x.shape[3]
    for rows in chunks(x.shape[0], max(1, _PIXELS_PER_BATCH // per_image)):
        xb = x[rows].to(torch.float64)
        dx = xb[..., :, 1:] - xb[..., :, :-1]
        dy = xb[..., 1:, :] - xb[..., :-1, :]
        out[rows] = (dx * dx).mean(dim=(1, 2, 3)) + (dy * dy).mean(dim=(1, 2, 3))
    return out


def _mean_se(values: torch.Tensor) -> tuple[float, float]:
    return float(values.mean()), float(values.std(correction=1) / math.sqrt(values.numel()))


def sharpness_samples(*, real: np.ndarray, fake: np.ndarray) -> PerSample:
    """The gradient energy of every image (float64 [N], [M]), once; a resample's reduction is the
    measure recomputed on the drawn images. Arguments as :func:`sharpness`."""
    x = check_images("real", real, min_images=2)
    y = check_images("fake", fake, min_images=2)
    check_same_shape(x, y)
    if min(x.shape[-2:]) < 2:
        raise ValueError(f"sharpness needs images of at least 2 x 2 pixels; got {tuple(x.shape[-2:])}")
    energy_real, energy_fake = gradient_energy(x), gradient_energy(y)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        g_real, se_real = _mean_se(take_rows(energy_real, real_rows))
        g_fake, se_fake = _mean_se(take_rows(energy_fake, fake_rows))
        if g_real <= 0:
            raise ValueError("the real images have no gradient energy (all constant); sharpness is undefined")
        ratio = g_fake / g_real
        se_ratio = ratio * math.hypot(se_fake / g_fake if g_fake > 0 else 0.0, se_real / g_real)
        return {
            "sharpness_diff": abs(ratio - 1.0),
            "sharpness_diff_std": se_ratio,
            "sharpness_ratio": ratio,
            "sharpness_ratio_std": se_ratio,
            "sharpness_fake": g_fake,
            "sharpness_fake_std": se_fake,
            "sharpness_real": g_real,
            "sharpness_real_std": se_real,
        }

    return PerSample(n_real=x.shape[0], n_fake=y.shape[0], reduce=reduce)


@metric(
    "sharpness",
    space="pixels",
    directions={
        "sharpness_diff": "lower",
        "sharpness_ratio": 1.0,
        "sharpness_fake": "higher",
        "sharpness_real": "higher",
    },
    aspects={
        k: ("fidelity",) for k in ("sharpness_diff", "sharpness_ratio", "sharpness_fake", "sharpness_real")
    },
    reference="Mathieu et al. 2016 (arXiv:1511.05440) sharpness, as listed by Borji 2019 (arXiv:1802.03446)",
    notes="compares the mean gradient energy of two sets; Mathieu et al. compare a prediction with its truth",
    interval="per-sample",
    per_sample=sharpness_samples,
    interval_note="resamples the per-image gradient energies: the same as recomputing on the resampled sets",
)
def sharpness(*, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """Mean gradient energy of the generated and the real images, and how far apart they are.

    Args:
        real: real images [N, C, H, W] in [0, 1], N >= 2, H, W >= 2.
        fake: generated images [M, C, H, W] in [0, 1], M >= 2.

    Returns:
        ``sharpness_fake`` / ``sharpness_real``: mean G over each set (descriptive: higher is
        sharper, but noise raises it too, so compare with the real value);
        ``sharpness_ratio`` = fake / real, target 1 (< 1 blurrier than the data, > 1 noisier);
        ``sharpness_diff`` = |fake − real| / real, lower is better, 0 for identical sets.
        Each ``*_std`` is a standard error: std over images / sqrt(count) for the two means, and
        the delta-method error of the ratio for ``ratio`` and ``diff``.
    """
    return sharpness_samples(real=real, fake=fake).value()
