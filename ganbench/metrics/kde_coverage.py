"""Coverage of the real data by the generator's high-density region, through a kernel density estimate.

Tolstikhin, Gelly, Bousquet, Simon-Gabriel & Schölkopf 2017, "AdaGAN: Boosting Generative Models"
(NeurIPS 2017, arXiv:1701.02386), Sec. 4, define the coverage

    C = P_data(dP_model > t),   t such that P_model(dP_model > t) = 0.95:

the share of the real data that falls in the region holding the model's 95 % most likely mass. A
generator that drops modes leaves their real mass outside the region (C about 0.95 times the share
of real mass it covers); one that matches the data gives C = 0.95. Borji 2019 (arXiv:1802.03446)
lists it as the AdaGAN coverage measure.

The model density is a Gaussian kernel density estimate (KDE) on generated features, as in the
authors' code (``Metrics._evaluate_vec`` in ``metrics.py`` of github.com/tolstikhin/adagan, commit
746bd8e: ``sklearn.neighbors.KernelDensity(kernel="gaussian")``). Here:

1. the generated rows ``fake`` [M, D] are split by a seeded permutation (``default_rng(seed)``):
   the first ceil(M/2) rows are the kernel centres (the fitting half), the other floor(M/2) rows
   calibrate t (the calibration half), so that no row scores its own kernel;
2. the log-density of a point x is log p(x) = logsumexp_j(-||x - c_j||^2 / (2 h^2)) - log m
   - (D/2) log(2 pi h^2) over the m centres c_j, in float64, blocked (memory O(block), any M, N).
   In log space throughout: scikit-learn's ``KernelDensity`` (1.9.1, kd-tree) was measured off by
   up to 55 nats for points over 4 bandwidths from every centre, exactly the uncovered real points;
3. bandwidth h: the authors' median heuristic h0 = the median distance between consecutive rows
   (here: of the fitting half, in its permuted order, canonical distances), then, as their code does
   when given extra model samples, the width of the grid h0 * 2^k, k = -7 .. 6 with the largest mean
   log-likelihood; the authors score 500 extra generated samples, here each fitting row is scored
   by the other centres (leave-one-out likelihood), so the calibration half stays untouched. Pass
   ``bandwidth`` to fix h instead. When h0 is 0 (over half the consecutive pairs equal), the median
   of the positive distances is used, and 1.0 when every fitting row is the same (a single centre's
   density falls with the distance to it whatever h is, so C does not depend on h then);
4. t is the k-th smallest log-density of the calibration rows, k = n_cal - floor(level * n_cal)
   (at least 1): exactly floor(level * n_cal) of them lie strictly above t when none tie. (The
   authors take ``np.percentile(log_density, 5)`` of the fitting rows themselves, whose own kernels
   raise their density above that of fresh model samples, so real data scores below 0.95 even for
   a perfect model);
5. ``kde_coverage`` = the share of real rows with log p(x) > t (strictly; the authors count a real
   point as not covered when log p(x) <= t).

For a generator that samples the real distribution, the calibration rows and the real rows are
exchangeable given the fitted KDE, so C is 0.95 up to binomial spread, whatever the bandwidth. A
generator that copies the real rows gets more (the real rows among the centres score their own
kernel): C is not a memorisation test.

Ties: the log-densities are computed in the Gram form (float64), so a real row equal to the
calibration row that sets t may land on either side of it by rounding; only exact copies can tie.
"""

from __future__ import annotations

import math

import numpy as np
from scipy.special import logsumexp

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_pair, check_seed, real_number
from ganbench.numerics.distances import canonical_distances
from ganbench.numerics.resampling import take_rows

#: The authors' bandwidth grid around the median heuristic: h0 * 2^k, k = -7 .. 6.
BANDWIDTH_FACTORS = 2.0 ** (np.arange(14) - 7.0)
_ROWS = 512  # query rows per block
_COLS = 4096  # centres per block: a block of squared distances is 512 x 4096 float64 = 16 MiB


def kde_log_density(
    x: np.ndarray, centres: np.ndarray, bandwidths: np.ndarray, *, leave_one_out: bool = False
) -> np.ndarray:
    """Log-density of each row of ``x`` under Gaussian KDEs on ``centres``, one per bandwidth.

    log p_h(x) = logsumexp_j(-||x - c_j||^2 / (2 h^2)) - log m - (D / 2) log(2 pi h^2)

    Args:
        x: query rows [N, D] (float64).
        centres: kernel centres [m, D] (float64).
        bandwidths: kernel standard deviations h [B], positive.
        leave_one_out: ``x`` is ``centres`` and row i leaves out its own kernel (then m - 1 centres
            count in the normalisation; needs m >= 2).

    Returns:
        float64 [N, B], in nats.
    """
    h = np.asarray(bandwidths, dtype=np.float64)
    mean = centres.mean(axis=0)
    c = centres - mean  # distances are translation invariant; centring shrinks the Gram form's error
    q = x - mean
    sq_c = (c * c).sum(axis=1)
    coef = -0.5 / h**2
    out = np.full((q.shape[0], h.shape[0]), -math.inf)
    for rows in chunks(q.shape[0], _ROWS):
        qb = q[rows]
        sq_q = (qb * qb).sum(axis=1, keepdims=True)
        for cols in chunks(c.shape[0], _COLS):
            d2 = np.maximum(sq_q + sq_c[None, cols] - 2.0 * (qb @ c[cols].T), 0.0)
            if leave_one_out:
                lo, hi = max(rows.start, cols.start), min(rows.stop, cols.stop)
                idx = np.arange(lo, hi)
                d2[idx - rows.start, idx - cols.start] = math.inf
            for k, ck in enumerate(coef):
                np.logaddexp(out[rows, k], logsumexp(ck * d2, axis=1), out=out[rows, k])
    m = centres.shape[0] - (1 if leave_one_out else 0)
    d = centres.shape[1]
    return out - (math.log(m) + 0.5 * d * np.log(2.0 * math.pi * h**2))[None, :]


def median_heuristic(x: np.ndarray) -> float:
    """The authors' width h0: the median canonical distance between consecutive rows of x [m, D] (m >= 2);
    the median of the positive ones when it is 0, and 1.0 when every row is the same."""
    gaps = canonical_distances(x[:-1], x[1:])
    h0 = float(np.median(gaps))
    if h0 > 0.0:
        return h0
    positive = gaps[gaps > 0.0]
    return float(np.median(positive)) if positive.size else 1.0


def choose_bandwidth(fit: np.ndarray) -> float:
    """The width of the grid h0 * 2^k (k = -7 .. 6, h0 = :func:`median_heuristic`) with the largest
    leave-one-out mean log-likelihood of the fitting rows [m, D] (m >= 2); the smallest on a tie."""
    grid = median_heuristic(fit) * BANDWIDTH_FACTORS
    loo = kde_log_density(fit, fit, grid, leave_one_out=True).mean(axis=0)
    return float(grid[int(np.argmax(loo))])


def coverage_threshold(calibration_log_density: np.ndarray, level: float) -> float:
    """t: the k-th smallest of the calibration log-densities [n], k = n - floor(level * n) (at least 1)."""
    n = calibration_log_density.shape[0]
    above = math.floor(level * n + 1e-9)  # the 1e-9 keeps 0.95 * 500 = 475 from flooring to 474
    k = max(n - above, 1)
    return float(np.partition(calibration_log_density, k - 1)[k - 1])


def kde_coverage_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    level: float = 0.95,
    bandwidth: float | None = None,
    seed: int = 0,
) -> PerSample:
    """Per-row log-densities of the real rows (float64 [N]) and of the calibration rows ([floor(M/2)])
    under the KDE fitted once on the other generated half; a resample recomputes t from the drawn
    calibration rows and counts the drawn real rows above it. Arguments as :func:`kde_coverage`."""
    level = real_number("level", level, low=0.0, high=1.0, open_low=True)
    if level == 1.0:
        raise ValueError("level must be in (0, 1); got 1.0")
    if bandwidth is not None:
        bandwidth = real_number("bandwidth", bandwidth, low=0.0, open_low=True)
    seed = check_seed(seed)
    r, f = as_pair(real, fake, min_fake=4)

    order = np.random.default_rng(seed).permutation(f.shape[0])
    n_fit = (f.shape[0] + 1) // 2
    fit, cal = f[order[:n_fit]], f[order[n_fit:]]
    h = choose_bandwidth(fit) if bandwidth is None else bandwidth
    log_density = kde_log_density(np.concatenate([cal, r]), fit, np.array([h]))[:, 0]
    cal_ld, real_ld = log_density[: cal.shape[0]], log_density[cal.shape[0] :]

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        t = coverage_threshold(take_rows(cal_ld, fake_rows), level)
        return {"kde_coverage": float((take_rows(real_ld, real_rows) > t).mean())}

    return PerSample(n_real=r.shape[0], n_fake=cal.shape[0], reduce=reduce)


@metric(
    "kde-coverage",
    space="features",
    directions={"kde_coverage": "higher"},
    reference=(
        "Tolstikhin et al. 2017, AdaGAN (arXiv:1701.02386), Sec. 4 coverage; metrics.py of tolstikhin/adagan"
    ),
    notes=(
        "KDE on a seeded half of the generated set, threshold from the other half (the authors take it on "
        "the KDE's own centres); bandwidth from the authors' median heuristic and grid, chosen by "
        "leave-one-out likelihood instead of extra samples"
    ),
    min_samples=4,
    interval="per-sample",
    per_sample=kde_coverage_samples,
    interval_note=(
        "resamples the real rows and the calibration rows (t recomputed), the KDE (centres and "
        "bandwidth) fixed on the fitting half of the generated set"
    ),
    aspects={"kde_coverage": ("diversity",)},
)
def kde_coverage(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    level: float = 0.95,
    bandwidth: float | None = None,
    seed: int = 0,
) -> dict[str, float]:
    """Share of real rows inside the generated KDE's ``level`` highest-density region (module docstring).

    Args:
        real: real features [N, D].
        fake: generated features [M, D], M >= 4: ceil(M/2) rows are kernel centres, floor(M/2) set t.
        level: the model mass the region holds, in (0, 1) (0.95 in the paper).
        bandwidth: the kernel standard deviation h in feature units, > 0; ``None`` chooses it
            (median heuristic, then leave-one-out likelihood over h0 * 2^k, k = -7 .. 6).
        seed: seeds the split of the generated set.

    Returns:
        ``{"kde_coverage": float}`` in [0, 1]; higher is better, about ``level`` for a generator that
        samples the real distribution.
    """
    return kde_coverage_samples(real=real, fake=fake, level=level, bandwidth=bandwidth, seed=seed).value()
