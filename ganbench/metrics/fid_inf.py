"""FID-infinity: FID extrapolated to an infinite number of generated samples.

Chong & Forsyth 2020, "Effectively Unbiased FID and Inception Score and where to find them",
arXiv:1911.07023. FID computed from N generated samples is biased upwards, and the bias depends
on the generator, so FIDs at one N can rank models wrongly. To first order the expected FID is
linear in 1/N, ``E FID_N ≈ FID_∞ + c / N``; the paper computes FID at 15 values of N spaced
evenly between 5,000 and 50,000, fits a line to (1/N, FID_N) by least squares, and reports the
line's value at 1/N = 0.

Protocol here (the paper's, adapted to the set size M):
- sizes: ``n_points`` integers spaced evenly from ``n_min = min(min_size, floor(min_fraction·M))``
  to M (duplicates after rounding dropped; at least 2 distinct sizes are needed);
- at each size N < M, a subset of N generated rows is drawn without replacement with
  ``numpy.random.default_rng(seed)`` (a fresh draw per size, as in the paper); at N = M the
  whole set is used;
- the real statistics are always those of the full real set; they and the full generated set's
  statistics come from the content-keyed memo of
  :func:`~ganbench.metrics._common.mean_and_covariance`, so ``fid`` and ``fid-inf`` on the same
  sets share one covariance per set and the last point of the fit equals ``fid``; the Σ_r^½ of
  the real set is computed once for all sizes (:func:`~ganbench.metrics._common.frechet_distances`);
- ordinary least squares of FID_N on 1/N; ``fid_inf`` is the intercept.

The intercept is an extrapolation, not clipped: for two samples of one distribution it scatters
around 0 and can come out slightly negative. The linear law holds once N is well above the
feature dimension D; with n_min <= D the covariances at the small sizes are rank-deficient and
the extrapolation is unreliable (a warning says so).
"""

from __future__ import annotations

import warnings

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair, check_seed, integer
from ganbench.numerics.gaussian import frechet_distances, mean_and_covariance


def sample_sizes(m: int, n_points: int, min_size: int, min_fraction: float) -> np.ndarray:
    """The distinct sample sizes [S] (ascending, last = m) at which FID is computed; S >= 2.

    ``n_points`` integers evenly spaced from ``min(min_size, floor(min_fraction * m))`` (at least
    2) to ``m``, duplicates removed.
    """
    n_points = integer("n_points", n_points, minimum=2)
    min_size = integer("min_size", min_size, minimum=2)
    if not 0.0 < min_fraction < 1.0:
        raise ValueError(f"min_fraction must be in (0, 1); got {min_fraction!r}")
    n_min = max(2, min(min_size, int(min_fraction * m)))
    sizes = np.unique(np.linspace(n_min, m, n_points).astype(np.int64))
    if sizes.shape[0] < 2:
        raise ValueError(
            f"fake has {m} rows: too few for two distinct sample sizes between {n_min} and {m}; "
            "pass more generated samples"
        )
    return sizes


@metric(
    "fid-inf",
    space="features",
    directions={"fid_inf": "lower"},
    reference="Chong & Forsyth 2020 (arXiv:1911.07023)",
    min_samples=10,
    interval="recompute",
)
def fid_inf(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    n_points: int = 15,
    min_size: int = 5000,
    min_fraction: float = 0.2,
    seed: int = 0,
) -> dict[str, float]:
    """FID extrapolated to infinitely many generated samples (intercept of FID_N vs 1/N).

    Args:
        real: real features [N, D], N >= 2 (all of them enter every FID).
        fake: generated features [M, D], M >= 10.
        n_points: number of sample sizes (15 in the paper).
        min_size: the smallest sample size when the set is large (5,000 in the paper).
        min_fraction: the smallest sample size is at most this share of M, so small sets still
            span a useful range of 1/N (from 5 / M to 1 / M by default).
        seed: draws the generated subsets.

    Returns:
        ``{"fid_inf": float}``; lower is better; may be slightly negative (see the module docstring).
    """
    r, f = as_pair(real, fake, min_real=2, min_fake=10)
    rng = np.random.default_rng(check_seed(seed))
    m, d = f.shape
    sizes = sample_sizes(m, n_points, min_size, min_fraction)
    if sizes[0] <= d:
        warnings.warn(
            f"fid-inf: the smallest sample size {sizes[0]} is not above the feature dimension {d}; "
            "FID is not linear in 1/N there and the extrapolation is unreliable; pass more samples",
            stacklevel=2,
        )
    mu_r, sigma_r = mean_and_covariance(r)
    stats = []
    for n in sizes:
        if n == m:
            stats.append(mean_and_covariance(f))
        else:
            subset = f[np.sort(rng.choice(m, size=int(n), replace=False))]
            stats.append(mean_and_covariance(subset, cache=False))  # 15 subsets would flush the memo
    fids = np.asarray(frechet_distances(mu_r, sigma_r, stats))
    _, intercept = np.polyfit(1.0 / sizes, fids, deg=1)
    return {"fid_inf": float(intercept)}
