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

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import check_images, check_same_shape, integer
from ganbench.numerics.distributions import js_divergence
from ganbench.numerics.resampling import row_counts

_PIXELS_PER_BATCH = 1 << 21  # about 2M pixels: ~50 MB of float64 / complex temporaries
_LOG_FLOOR = 1e-12  # keeps log finite for a constant image set


def _batches(x: torch.Tensor) -> list[slice]:
    per_image = math.prod(x.shape[1:])
    return list(chunks(x.shape[0], max(1, _PIXELS_PER_BATCH // per_image)))


def mean_image(x: torch.Tensor, weights: torch.Tensor | None = None) -> torch.Tensor:
    """Mean image of ``x`` [N, C, H, W] -> float64 [C, H, W]; with ``weights`` [N] (float64
    multiplicities of a resample), the weighted mean."""
    total = torch.zeros(x.shape[1:], dtype=torch.float64)
    for rows in _batches(x):
        if weights is None:
            total += x[rows].to(torch.float64).sum(dim=0)
        else:
            total += torch.tensordot(weights[rows], x[rows].to(torch.float64), dims=1)
    return total / (x.shape[0] if weights is None else weights.sum())


def _bin_index(x: torch.Tensor, bins: int) -> torch.Tensor:
    """Bin of each pixel of ``x`` [B, C, H, W], offset by channel: long [B, C, H, W] in [0, C·bins)."""
    offset = (torch.arange(x.shape[1]) * bins).view(1, -1, 1, 1)
    return (x * bins).floor().long().clamp_(0, bins - 1) + offset


def intensity_histogram(x: torch.Tensor, bins: int) -> torch.Tensor:
    """Per-channel histogram of ``x`` [N, C, H, W] on ``bins`` bins of [0, 1] -> float64 [C, bins]."""
    c = x.shape[1]
    counts = torch.zeros(c * bins, dtype=torch.float64)
    for rows in _batches(x):
        counts += torch.bincount(_bin_index(x[rows], bins).flatten(), minlength=c * bins).to(torch.float64)
    counts = counts.view(c, bins)
    return counts / counts.sum(dim=1, keepdim=True)


def intensity_counts_per_image(x: torch.Tensor, bins: int) -> torch.Tensor:
    """Pixel counts per image, channel and bin of ``x`` [N, C, H, W] -> float64 [N, C·bins]; their
    sum over images is the unnormalised :func:`intensity_histogram`."""
    n, c = x.shape[:2]
    out = torch.empty((n, c * bins), dtype=torch.float64)
    for rows in _batches(x):
        idx = (
            _bin_index(x[rows], bins).flatten(1) + (torch.arange(rows.stop - rows.start) * c * bins)[:, None]
        )
        counts = torch.bincount(idx.flatten(), minlength=(rows.stop - rows.start) * c * bins)
        out[rows] = counts.view(-1, c * bins).to(torch.float64)
    return out


def _rings(height: int, width: int) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Ring k = round(|f| · min(H, W)) of each frequency [H·W] (long), whether it is kept
    (1 <= k <= min(H, W) // 2), and the number of rings kept."""
    side = min(height, width)
    radius = torch.sqrt(
        torch.fft.fftfreq(height).view(height, 1) ** 2 + torch.fft.fftfreq(width).view(1, width) ** 2
    )
    ring = torch.round(radius * side).long().flatten()
    return ring, (ring >= 1) & (ring <= side // 2), side // 2


def _power(x: torch.Tensor) -> torch.Tensor:
    """|FFT2|² of each image and channel of ``x`` [B, C, H, W] -> float64 [B, C, H, W]."""
    spec = torch.fft.fft2(x.to(torch.float64))
    return spec.real**2 + spec.imag**2


def radial_power_spectrum(x: torch.Tensor) -> torch.Tensor:
    """Mean power spectrum of ``x`` [N, C, H, W] on rings k = 1..S // 2, S = min(H, W) -> float64 [S // 2]."""
    h, w = x.shape[-2:]
    power = torch.zeros((h, w), dtype=torch.float64)
    for rows in _batches(x):
        power += _power(x[rows]).sum(dim=(0, 1))
    power /= x.shape[0] * x.shape[1] * h * w
    ring, keep, rings = _rings(h, w)
    sums = torch.bincount(ring[keep], weights=power.flatten()[keep], minlength=rings + 1)
    counts = torch.bincount(ring[keep], minlength=rings + 1)
    return (sums[1:] / counts[1:]).to(torch.float64)


def radial_power_per_image(x: torch.Tensor) -> torch.Tensor:
    """The radial power spectrum of each image of ``x`` [N, C, H, W] -> float64 [N, S // 2]; their
    mean over images is :func:`radial_power_spectrum` (up to rounding)."""
    n, c, h, w = x.shape
    ring, keep, rings = _rings(h, w)
    counts = torch.bincount(ring[keep], minlength=rings + 1)
    out = torch.empty((n, rings), dtype=torch.float64)
    for rows in _batches(x):
        power = _power(x[rows]).sum(dim=1).flatten(1)[:, keep] / (c * h * w)
        sums = torch.zeros((power.shape[0], rings + 1), dtype=torch.float64)
        sums.scatter_add_(1, ring[keep].expand(power.shape[0], -1), power)
        out[rows] = sums[:, 1:] / counts[1:]
    return out


class _SetStatistics:
    """The three statistics of one image set [N, C, H, W], or of a resample of it.

    The set's own statistics come from the set-level passes; those of a resample (multiplicities
    [N]) from per-image histograms and spectra, computed on the first resample and kept.
    """

    def __init__(self, x: torch.Tensor, bins: int) -> None:
        self.x, self.bins = x, bins
        self._counts: torch.Tensor | None = None
        self._spectra: torch.Tensor | None = None

    def mean_image(self, weights: torch.Tensor | None) -> torch.Tensor:
        return mean_image(self.x, weights)

    def histogram(self, weights: torch.Tensor | None) -> torch.Tensor:
        if weights is None:
            return intensity_histogram(self.x, self.bins)
        if self._counts is None:
            self._counts = intensity_counts_per_image(self.x, self.bins)
        counts = (weights @ self._counts).view(self.x.shape[1], self.bins)
        return counts / counts.sum(dim=1, keepdim=True)

    def spectrum(self, weights: torch.Tensor | None) -> torch.Tensor:
        if weights is None:
            return radial_power_spectrum(self.x)
        if self._spectra is None:
            self._spectra = radial_power_per_image(self.x)
        return weights @ self._spectra / weights.sum()


def js_divergence_bits(p: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Jensen–Shannon divergence in bits between the rows of two [K, B] histograms -> [K], 0 · log 0 = 0."""
    return torch.from_numpy(js_divergence(p.double().numpy(), q.double().numpy(), axis=1) / np.log(2.0))


def image_stats_samples(*, real: np.ndarray, fake: np.ndarray, bins: int = 64) -> PerSample:
    """The two image sets; a resample's reduction is the three distances between the statistics of
    the drawn images, from per-image histograms and spectra (every statistic is a mean over images).
    Arguments as :func:`image_stats`."""
    x = check_images("real", real)
    y = check_images("fake", fake)
    check_same_shape(x, y)
    if min(x.shape[-2:]) < 2:
        raise ValueError(f"image_stats needs images of at least 2 x 2 pixels; got {tuple(x.shape[-2:])}")
    bins = integer("bins", bins, minimum=2)
    real_stats, fake_stats = _SetStatistics(x, bins), _SetStatistics(y, bins)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        w_real = None if real_rows is None else torch.from_numpy(row_counts(real_rows, x.shape[0]))
        w_fake = None if fake_rows is None else torch.from_numpy(row_counts(fake_rows, y.shape[0]))
        mean_diff = real_stats.mean_image(w_real) - fake_stats.mean_image(w_fake)
        hist = js_divergence_bits(real_stats.histogram(w_real), fake_stats.histogram(w_fake))
        log_real = torch.log(real_stats.spectrum(w_real) + _LOG_FLOOR)
        log_fake = torch.log(fake_stats.spectrum(w_fake) + _LOG_FLOOR)
        return {
            "image_stats_mean_image": float(torch.sqrt((mean_diff**2).mean())),
            "image_stats_hist": float(hist.mean().clamp(min=0.0)),
            "image_stats_spectrum": float(torch.sqrt(((log_real - log_fake) ** 2).mean())),
        }

    return PerSample(n_real=x.shape[0], n_fake=y.shape[0], reduce=reduce)


@metric(
    "image-stats",
    space="pixels",
    directions={
        "image_stats_mean_image": "lower",
        "image_stats_hist": "lower",
        "image_stats_spectrum": "lower",
    },
    aspects={
        k: ("fidelity",) for k in ("image_stats_mean_image", "image_stats_hist", "image_stats_spectrum")
    },
    reference="Zeng et al. 2017 (arXiv:1708.02688) for the spectrum; mean image and histogram are ours",
    interval="per-sample",
    per_sample=image_stats_samples,
    interval_note=(
        "per-image pixels, histograms and spectra weighted by how often each image is drawn: the same "
        "as recomputing on the resampled sets"
    ),
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
    return image_stats_samples(real=real, fake=fake, bins=bins).value()
