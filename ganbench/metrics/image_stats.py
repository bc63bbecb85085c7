"""Low-level image statistics of generated vs real images.

Zeng, Lu & Borji 2017, "Statistics of Deep Generated Images" (arXiv:1708.02688) compare natural
and generated images by their mean power spectrum (among other statistics: connected components,
random filter responses, contrast) and find that generated images deviate from the scale-invariant
spectrum of natural images, with extra high-frequency structure from deconvolutions. The
spectrum distance below follows that analysis; the mean-image and intensity-histogram distances
are the two simplest statistics of the same kind, added as ganbench's own choice (they are not
from that paper).

Definitions, for sets of images [N, C, H, W] in [0, 1]:
- ``image_stats_mean_image``: RMS over (c, i, j) of the difference between the mean real image
  and the mean generated image (same units as the pixels).
- ``image_stats_hist``: Jensen–Shannon divergence, in bits (0..1), between the pixel-intensity
  histograms of the two sets (``bins`` equal bins on [0, 1], all pixels of a channel pooled),
  averaged over channels.
- ``image_stats_spectrum``: each image's power spectrum |FFT2(x_c)|² / (H W) per channel,
  averaged over images and channels, then averaged over rings of integer radius
  k = round(|f| · min(H, W)) for k = 1 .. min(H, W) // 2 (f in cycles per pixel; the DC term and
  the corners beyond the short side's Nyquist frequency are left out); the value is the RMS over
  rings of the difference of the natural logs of the two radial spectra. 0.1 means the spectra
  differ by about 10 % on average.
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape, integer
from ganbench.numerics.distributions import js_divergence

_PIXELS_PER_BATCH = 1 << 21  # about 2M pixels: ~50 MB of float64 / complex temporaries
_LOG_FLOOR = 1e-12  # keeps log finite for a constant image set


def _batches(x: torch.Tensor) -> list[slice]:
    per_image = math.prod(x.shape[1:])
    return list(chunks(x.shape[0], max(1, _PIXELS_PER_BATCH // per_image)))


def mean_image(x: torch.Tensor) -> torch.Tensor:
    """Mean image of ``x`` [N, C, H, W] -> float64 [C, H, W]."""
    total = torch.zeros(x.shape[1:], dtype=torch.float64)
    for rows in _batches(x):
        total += x[rows].to(torch.float64).sum(dim=0)
    return total / x.shape[0]


def intensity_histogram(x: torch.Tensor, bins: int) -> torch.Tensor:
    """Per-channel histogram of ``x`` [N, C, H, W] on ``bins`` bins of [0, 1] -> float64 [C, bins]."""
    c = x.shape[1]
    counts = torch.zeros(c * bins, dtype=torch.float64)
    offset = (torch.arange(c) * bins).view(1, c, 1, 1)
    for rows in _batches(x):
        idx = (x[rows] * bins).floor().long().clamp_(0, bins - 1) + offset
        counts += torch.bincount(idx.flatten(), minlength=c * bins).to(torch.float64)
    counts = counts.view(c, bins)
    return counts / counts.sum(dim=1, keepdim=True)


def radial_power_spectrum(x: torch.Tensor) -> torch.Tensor:
    """Mean power spectrum of ``x`` [N, C, H, W] on rings k = 1..S // 2, S = min(H, W) -> float64 [S // 2]."""
    h, w = x.shape[-2:]
    power = torch.zeros((h, w), dtype=torch.float64)
    for rows in _batches(x):
        spec = torch.fft.fft2(x[rows].to(torch.float64))
        power += (spec.real**2 + spec.imag**2).sum(dim=(0, 1))
    power /= x.shape[0] * x.shape[1] * h * w
    side = min(h, w)
    radius = torch.sqrt(torch.fft.fftfreq(h).view(h, 1) ** 2 + torch.fft.fftfreq(w).view(1, w) ** 2)
    ring = torch.round(radius * side).long().flatten()
    keep = (ring >= 1) & (ring <= side // 2)
    sums = torch.bincount(ring[keep], weights=power.flatten()[keep], minlength=side // 2 + 1)
    counts = torch.bincount(ring[keep], minlength=side // 2 + 1)
    return (sums[1:] / counts[1:]).to(torch.float64)


def js_divergence_bits(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Jensen–Shannon divergence in bits between the rows of two [K, B] histograms -> [K], 0 · log 0 = 0."""
    return torch.from_numpy(js_divergence(p.double().numpy(), q.double().numpy(), axis=1) / np.log(2.0))


@metric(
    "image-stats",
    space="pixels",
    directions={
        "image_stats_mean_image": "lower",
        "image_stats_hist": "lower",
        "image_stats_spectrum": "lower",
    },
    reference="Zeng et al. 2017 (arXiv:1708.02688) for the spectrum; mean image and histogram are ours",
)
def image_stats(*, real: np.ndarray, fake: np.ndarray, bins: int = 64) -> dict[str, float]:
    """Distances between low-level statistics of the real and generated sets (see the module docstring).

    Args:
        real: real images [N, C, H, W] in [0, 1].
        fake: generated images [M, C, H, W] in [0, 1], same [C, H, W]; H, W >= 2.
        bins: number of equal intensity bins on [0, 1] for the histograms.

    Returns:
        ``image_stats_mean_image`` (RMS pixel difference of the mean images),
        ``image_stats_hist`` (JS divergence of intensity histograms, bits) and
        ``image_stats_spectrum`` (RMS difference of log radial power spectra); all 0 for
        identical sets, lower is better. Deterministic: no seed, no spread.
    """
    x = check_images("real", real)
    y = check_images("fake", fake)
    check_same_shape(x, y)
    if min(x.shape[-2:]) < 2:
        raise ValueError(f"image_stats needs images of at least 2 x 2 pixels; got {tuple(x.shape[-2:])}")
    bins = integer("bins", bins, minimum=2)
    mean_diff = mean_image(x) - mean_image(y)
    hist = js_divergence_bits(intensity_histogram(x, bins), intensity_histogram(y, bins))
    log_real = torch.log(radial_power_spectrum(x) + _LOG_FLOOR)
    log_fake = torch.log(radial_power_spectrum(y) + _LOG_FLOOR)
    return {
        "image_stats_mean_image": float(torch.sqrt((mean_diff**2).mean())),
        "image_stats_hist": float(hist.mean().clamp(min=0.0)),
        "image_stats_spectrum": float(torch.sqrt(((log_real - log_fake) ** 2).mean())),
    }
