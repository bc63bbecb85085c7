"""Number of statistically Different Bins (Richardson & Weiss 2018, "On GANs and GMMs", arXiv:1805.12462).

1. k-means with K = ``bins`` clusters is fitted on the real *training* features (``train``,
   subsampled to ``max_train`` rows with ``seed`` when larger; sklearn ``KMeans`` with
   ``n_init`` restarts and ``random_state=seed``).
2. The real *held-out* features (``real``, N rows) and the generated ones (``fake``, M rows) are
   assigned to their nearest centre. Held-out real rather than training proportions are the
   reference: the training points shaped the centres, so their own bin shares are biased, and a
   generator that memorised the training set would look better than a fresh sample of the data.
3. Per bin, a two-sided two-proportion z-test with pooled variance between the real share
   p_r = n_r / N and the generated share p_f = n_f / M:
   z = (p_f - p_r) / sqrt(p (1 - p) (1/N + 1/M)), p = (n_r + n_f) / (N + M); the bin is
   different when |z| > z_{1 - alpha/2}. A bin empty in both sets is not different.

Keys (both lower is better): ``ndb`` = number of different bins / K (about ``alpha`` for two
samples of one distribution), ``ndb_js`` = Jensen–Shannon divergence in nats between the real
and generated bin histograms (at most log 2).
"""

from __future__ import annotations

import numpy as np
from scipy.stats import norm
from sklearn.cluster import KMeans

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_matrix, check_seed, integer, positive_int, real_number
from ganbench.numerics.distributions import js_divergence


def two_proportion_z(count_a: np.ndarray, n_a: int, count_b: np.ndarray, n_b: int) -> np.ndarray:
    """Pooled two-proportion z statistic per bin, (p_b - p_a) / se; 0 where se is 0.

    Args:
        count_a, count_b: int [K] counts of the two samples in each bin.
        n_a, n_b: the sample sizes.
    """
    pooled = (count_a + count_b) / (n_a + n_b)
    se = np.sqrt(pooled * (1.0 - pooled) * (1.0 / n_a + 1.0 / n_b))
    diff = count_b / n_b - count_a / n_a
    return np.divide(diff, se, out=np.zeros_like(diff, dtype=np.float64), where=se > 0)


@metric(
    "ndb",
    space="features",
    directions={"ndb": "lower", "ndb_js": "lower"},
    reference="Richardson & Weiss 2018 (arXiv:1805.12462)",
    extra_inputs=("train",),
)
def ndb(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    bins: int = 100,
    alpha: float = 0.05,
    max_train: int = 20000,
    n_init: int = 3,
    seed: int = 0,
) -> dict[str, float]:
    """NDB/K and the bin-histogram JS divergence.

    Args:
        real: held-out real features [N, D].
        fake: generated features [M, D].
        train: real training features [T, D] the bins are fitted on (T >= ``bins``).
        bins: number of k-means clusters K.
        alpha: significance level of each per-bin test.
        max_train: at most this many training rows (drawn with ``seed``) are clustered.
        n_init: k-means restarts (fixed so the cost is bounded and the result reproducible).
        seed: seeds the training subsample and k-means.

    Returns:
        ``{"ndb": float in [0, 1], "ndb_js": float in [0, log 2]}``.
    """
    r = as_matrix("real", real)
    f = as_matrix("fake", fake)
    t = as_matrix("train", train)
    seed = check_seed(seed)
    if not r.shape[1] == f.shape[1] == t.shape[1]:
        raise ValueError(
            "real, fake and train must have the same feature size; "
            f"got {r.shape[1]}, {f.shape[1]}, {t.shape[1]}"
        )
    bins = integer("bins", bins, minimum=2)
    if not 0.0 < real_number("alpha", alpha) < 1.0:
        raise ValueError(f"alpha must be in (0, 1); got {alpha}")
    max_train = positive_int("max_train", max_train)
    n_init = positive_int("n_init", n_init)
    if max_train < bins:
        raise ValueError(f"max_train ({max_train}) must be at least bins ({bins})")
    if t.shape[0] < bins:
        raise ValueError(f"train has {t.shape[0]} rows, fewer than bins={bins}; lower bins")

    rng = np.random.default_rng(seed)
    if t.shape[0] > max_train:
        t = t[np.sort(rng.choice(t.shape[0], size=max_train, replace=False))]
    kmeans = KMeans(n_clusters=bins, n_init=n_init, random_state=seed).fit(t)

    count_r = np.bincount(kmeans.predict(r), minlength=bins)
    count_f = np.bincount(kmeans.predict(f), minlength=bins)
    z = two_proportion_z(count_r, r.shape[0], count_f, f.shape[0])
    different = np.abs(z) > norm.ppf(1.0 - alpha / 2.0)
    js = float(js_divergence(count_r / r.shape[0], count_f / f.shape[0]))
    return {"ndb": float(different.mean()), "ndb_js": js}
