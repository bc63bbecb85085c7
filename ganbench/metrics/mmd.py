"""Gaussian-kernel MMD² with a permutation test (Gretton et al. 2012, "A Kernel Two-Sample Test", JMLR 13).

Procedure, on features:

1. Each set larger than ``max_samples`` is subsampled to ``max_samples`` rows without replacement
   (with ``seed``), which bounds memory: the pooled kernel matrix is (n + m)² float64, 128 MB at
   the default 2000 + 2000 (peak about twice that, with the distance matrix).
2. Bandwidth by the median heuristic: sigma = median Euclidean distance over all pairs of distinct
   rows of the pooled (subsampled) set. The kernel is the sum over ``bandwidth_multipliers`` s of
   exp(-||a - b||² / (2 (s sigma)²)), the same form as ``torch_fidelity.metric_kid.kernel_rbf``.
3. ``mmd``: the unbiased estimate (Gretton et al. 2012, Eq. 3)

       MMD²_u = sum_{i!=j} k(x_i, x_j) / (n(n-1)) + sum_{i!=j} k(y_i, y_j) / (m(m-1))
                - 2 sum_{i,j} k(x_i, y_j) / (nm),

   computed by the shared :func:`~ganbench.numerics.kernels.mmd2_unbiased` (also used by
   ``kid``), which for n = m
   equals ``torch_fidelity.metric_kid.mmd2(K_XX, K_XY, K_YY, mmd_est="unbiased")``.
   It can be slightly negative when the sets are alike. Lower is better.
4. ``mmd_pvalue``: permutation test with ``permutations`` random relabellings of the pooled set,
   re-using the pooled kernel matrix (the bandwidth is fixed once, from the pooled set, so it is
   the same under the null); p = (1 + #{null >= observed}) / (1 + permutations). Higher means
   the test cannot tell the sets apart. ``permutations=0`` skips the test and the key.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, check_seed, integer, real_number
from ganbench.numerics.kernels import gaussian_kernel, mmd2_unbiased
from ganbench.numerics.resampling import row_counts

_PERMUTATION_CHUNK = 64  # relabellings per matrix product; bounds the [n + m, chunk] buffers


def squared_distances(z: np.ndarray) -> np.ndarray:
    """Pairwise squared Euclidean distances of the rows of ``z`` [P, D] -> float64 [P, P], 0 diagonal."""
    sq = np.einsum("ij,ij->i", z, z)
    d2 = z @ z.T
    d2 *= -2.0
    d2 += sq[:, None]
    d2 += sq[None, :]
    np.maximum(d2, 0.0, out=d2)
    np.fill_diagonal(d2, 0.0)
    return d2


def median_bandwidth(d2: np.ndarray) -> float:
    """Median heuristic: median of ``sqrt(d2[i, j])`` over pairs i < j of squared distances [P, P]."""
    p = d2.shape[0]
    upper = np.concatenate([d2[i, i + 1 :] for i in range(p - 1)])
    np.sqrt(upper, out=upper)
    return float(np.median(upper, overwrite_input=True))


def permutation_null(k: np.ndarray, n: int, permutations: int, rng: np.random.Generator) -> np.ndarray:
    """Unbiased MMD² of ``permutations`` random splits of the pooled set into n and P - n rows.

    Args:
        k: pooled kernel matrix [P, P] (symmetric); its diagonal is ignored.
        n: size of the first set.
        permutations: number of random relabellings.
        rng: the generator that draws them.

    Returns:
        float64 [permutations].

    With K0 = K minus its diagonal, x the 0/1 indicator of the first set and r = K0 1, the
    within-first sum is S_xx = x' K0 x, the cross sum S_xy = x' r - S_xx and the within-second
    sum S_yy = 1' K0 1 - S_xx - 2 S_xy, so each relabelling costs one matrix-vector product.
    """
    p = k.shape[0]
    m = p - n
    diag = np.diagonal(k).copy()
    row_sums = k.sum(axis=1) - diag  # rows of K0, without copying K
    total = row_sums.sum()
    null = np.empty(permutations)
    for start in range(0, permutations, _PERMUTATION_CHUNK):
        stop = min(start + _PERMUTATION_CHUNK, permutations)
        ind = np.zeros((p, stop - start))
        for col in range(stop - start):
            ind[rng.permutation(p)[:n], col] = 1.0
        s_xx = np.einsum("ij,ij->j", ind, k @ ind) - ind.T @ diag
        s_xy = ind.T @ row_sums - s_xx
        s_yy = total - s_xx - 2.0 * s_xy
        null[start:stop] = s_xx / (n * (n - 1)) + s_yy / (m * (m - 1)) - 2.0 * s_xy / (n * m)
    return null


def _multipliers(values: object) -> list[float]:
    """``bandwidth_multipliers`` as a non-empty list of finite positive floats, else ``ValueError``."""
    wrong = ValueError(f"bandwidth_multipliers must be a non-empty list of positive numbers; got {values!r}")
    if isinstance(values, (str, bytes)):
        raise wrong
    try:
        items = list(values)  # type: ignore[call-overload]
    except TypeError:
        raise wrong from None
    if not items:
        raise wrong
    return [real_number("bandwidth_multipliers", s, low=0.0, open_low=True) for s in items]


def _subsample(x: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    if x.shape[0] <= size:
        return x
    return x[np.sort(rng.choice(x.shape[0], size=size, replace=False))]


def mmd_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    bandwidth_multipliers: tuple[float, ...] = (1.0,),
    permutations: int = 200,
    max_samples: int = 2000,
    seed: int = 0,
) -> PerSample:
    """The pooled kernel matrix of the (subsampled) sets, its bandwidth fixed on them, and the
    p-value once; a resample's reduction is the unbiased MMD² of the resampled rows with a row's
    copies not counted as pairs (:func:`~ganbench.numerics.kernels.mmd2_unbiased` with
    multiplicities). Arguments as :func:`mmd`."""
    x, y = as_pair(real, fake, min_real=2, min_fake=2)
    seed = check_seed(seed)
    max_samples = integer("max_samples", max_samples, minimum=2)
    permutations = integer("permutations", permutations, minimum=0)
    multipliers = _multipliers(bandwidth_multipliers)

    rng = np.random.default_rng(seed)
    x = _subsample(x, max_samples, rng)
    y = _subsample(y, max_samples, rng)
    n, m = x.shape[0], y.shape[0]
    d2 = squared_distances(np.concatenate([x, y]))
    sigma = median_bandwidth(d2)
    if sigma <= 0:
        raise ValueError("the median pairwise distance is 0 (most rows are identical); MMD is undefined")
    k = gaussian_kernel(d2, [s * sigma for s in multipliers])
    del d2

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        if real_rows is None and fake_rows is None:
            return {"mmd": mmd2_unbiased(k[:n, :n], k[:n, n:], k[n:, n:])}
        w_x, w_y = row_counts(real_rows, n), row_counts(fake_rows, m)
        return {"mmd": mmd2_unbiased(k[:n, :n], k[:n, n:], k[n:, n:], w_x, w_y)}

    fixed = {}
    if permutations > 0:
        observed = reduce(None, None)["mmd"]
        null = permutation_null(k, n, permutations, rng)
        fixed["mmd_pvalue"] = float((1 + np.count_nonzero(null >= observed)) / (1 + permutations))
    return PerSample(n_real=n, n_fake=m, reduce=reduce, fixed=fixed)


@metric(
    "mmd",
    space="features",
    directions={"mmd": "lower", "mmd_pvalue": "higher"},
    reference="Gretton et al. 2012 (JMLR 13); agrees with torch_fidelity.metric_kid.mmd2 on the same kernels",
    interval="per-sample",
    per_sample=mmd_samples,
    interval_note=(
        "mmd from the pooled kernel computed once (median bandwidth fixed on the full sets), a row's copies "
        "not counted as pairs; mmd_pvalue is a test's p-value, computed once, without an interval"
    ),
)
def mmd(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    bandwidth_multipliers: tuple[float, ...] = (1.0,),
    permutations: int = 200,
    max_samples: int = 2000,
    seed: int = 0,
) -> dict[str, float]:
    """Unbiased Gaussian-kernel MMD² between real and generated features, with a permutation p-value.

    Args:
        real: real features [N, D].
        fake: generated features [M, D].
        bandwidth_multipliers: the kernel is a sum of Gaussians with bandwidths s * median
            distance, one per multiplier s.
        permutations: relabellings in the permutation test (0 skips it).
        max_samples: each set is subsampled to at most this many rows (with ``seed``).
        seed: seeds the subsampling and the permutations.

    Returns:
        ``{"mmd": MMD²_u, "mmd_pvalue": p in (0, 1]}``.
    """
    return mmd_samples(
        real=real,
        fake=fake,
        bandwidth_multipliers=bandwidth_multipliers,
        permutations=permutations,
        max_samples=max_samples,
        seed=seed,
    ).value()
