"""Number of statistically Different Bins (Richardson & Weiss 2018, "On GANs and GMMs", arXiv:1805.12462).

1. k-means with K = ``bins`` clusters is fitted on the real *training* features (``train``,
   subsampled to ``max_train`` rows with ``seed`` when larger; sklearn ``KMeans`` with
   ``n_init`` restarts and ``random_state=seed``).
2. The real *held-out* features (``real``, N rows) and the generated ones (``fake``, M rows) are
   assigned to their nearest centre. Held-out real rather than training proportions are the
   reference: the training points shaped the centres, so their own bin shares are biased, and a
   generator that memorised the training set would look better than a fresh sample of the data.
   (The paper and its code, ``NDB.evaluate`` in ``utils/ndb.py`` of github.com/eitanrich/gans-n-gmms,
   commit a6bcb4e, test against the training shares, with T as the real sample size.)
3. Per bin, a two-sided two-proportion z-test with pooled variance between the real share
   p_r = n_r / N and the generated share p_f = n_f / M:
   z = (p_f - p_r) / sqrt(p (1 - p) (1/N + 1/M)), p = (n_r + n_f) / (N + M); the bin is
   different when |z| > z_{1 - alpha/2}. A bin empty in both sets is not different.

Sample sizes: N and M must each be at least ``MIN_SAMPLES`` = 20. The per-bin z-test rests on a
normal approximation that needs, in each set, at least 10 samples in the bin and 10 outside it
(the rule of the stattrek.com page on the difference-in-proportions test that the reference code,
``two_proportions_z_test`` in ``utils/ndb.py`` of github.com/eitanrich/gans-n-gmms, cites); below
20 samples no bin can meet it, and with N = 1 a single point decides every bin's share. 20 is a
floor, not a recommendation: for N = M = n, a bin of average share 1/K that the generator drops
entirely gives |z| ~ sqrt(n / K), so n must be about 4K (400 for K = 100) before NDB can see even
a dropped bin.

Keys (both lower is better): ``ndb`` = number of different bins / K (about ``alpha`` for two
samples of one distribution), ``ndb_js`` = Jensen–Shannon divergence in nats between the real
and generated bin histograms (at most log 2).

**Diagnostics.** With ``artifact_dir``: ``ndb.json``, the bin histogram behind the two values
(see :func:`write_bins`), which the HTML report plots.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from scipy.stats import norm
from sklearn.cluster import KMeans

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_matrix, check_seed, integer, positive_int, real_number, same_width
from ganbench.numerics.distributions import js_divergence
from ganbench.numerics.resampling import take_rows

MIN_SAMPLES = 20  # per set: 10 in and 10 out of a bin, the z-test's normal approximation (module docstring)


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


def ndb_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    bins: int = 100,
    alpha: float = 0.05,
    max_train: int = 20000,
    n_init: int = 3,
    seed: int = 0,
    artifact_dir: Path | None = None,
) -> PerSample:
    """Per-row bin of the held-out and generated rows (int [N], [M]), the bins fitted once on ``train``
    (which is not resampled), so a resample's reduction is NDB recomputed on the resampled sets;
    the value (every row once) writes ``ndb.json`` to ``artifact_dir``. Arguments as :func:`ndb`."""
    r = as_matrix("real", real)
    f = as_matrix("fake", fake)
    t = as_matrix("train", train)
    seed = check_seed(seed)
    if min(r.shape[0], f.shape[0]) < MIN_SAMPLES:
        raise ValueError(
            f"ndb needs at least {MIN_SAMPLES} real and {MIN_SAMPLES} generated samples (each bin's "
            f"two-proportion z-test needs 10 samples in and 10 out of the bin in each set); "
            f"got N={r.shape[0]} real, M={f.shape[0]} generated"
        )
    same_width(real=r, fake=f, train=t)
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

    bin_real, bin_fake = kmeans.predict(r), kmeans.predict(f)
    critical = norm.ppf(1.0 - alpha / 2.0)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        in_real, in_fake = take_rows(bin_real, real_rows), take_rows(bin_fake, fake_rows)
        n, m = in_real.shape[0], in_fake.shape[0]
        count_r = np.bincount(in_real, minlength=bins)
        count_f = np.bincount(in_fake, minlength=bins)
        z = two_proportion_z(count_r, n, count_f, m)
        different = np.abs(z) > critical
        out = {"ndb": float(different.mean()), "ndb_js": float(js_divergence(count_r / n, count_f / m))}
        if artifact_dir is not None and real_rows is None and fake_rows is None:  # the value's bins
            write_bins(Path(artifact_dir), count_r, count_f, z, different, alpha, out)
        return out

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


@metric(
    "ndb",
    space="features",
    directions={"ndb": "lower", "ndb_js": "lower"},
    reference="Richardson & Weiss 2018 (arXiv:1805.12462)",
    extra_inputs=("train",),
    runtime=("artifact_dir",),
    notes=(
        "bins fitted on training features, but the generated shares are tested against held-out real "
        "shares, not the training shares of the paper and eitanrich/gans-n-gmms; needs N, M >= 20"
    ),
    min_samples=MIN_SAMPLES,
    interval="per-sample",
    per_sample=ndb_samples,
    interval_note=(
        "resamples the rows' bins (fitted on the training set, which is not resampled): the same as "
        "recomputing on the resampled sets"
    ),
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
    artifact_dir: Path | None = None,
) -> dict[str, float]:
    """NDB/K and the bin-histogram JS divergence.

    Args:
        real: held-out real features [N, D], N >= 20.
        fake: generated features [M, D], M >= 20.
        train: real training features [T, D] the bins are fitted on (T >= ``bins``).
        bins: number of k-means clusters K.
        alpha: significance level of each per-bin test.
        max_train: at most this many training rows (drawn with ``seed``) are clustered.
        n_init: k-means restarts (fixed so the cost is bounded and the result reproducible).
        seed: seeds the training subsample and k-means.
        artifact_dir: where to write ``ndb.json`` (:func:`write_bins`); nothing is written when
            ``None``. Does not change the values.

    Returns:
        ``{"ndb": float in [0, 1], "ndb_js": float in [0, log 2]}``.

    Raises:
        ValueError: bad parameters or shapes, T < ``bins``, or N or M below 20 (see the module
            docstring).
    """
    return ndb_samples(
        real=real,
        fake=fake,
        train=train,
        bins=bins,
        alpha=alpha,
        max_train=max_train,
        n_init=n_init,
        seed=seed,
        artifact_dir=artifact_dir,
    ).value()


def write_bins(
    directory: Path,
    count_real: np.ndarray,
    count_fake: np.ndarray,
    z: np.ndarray,
    different: np.ndarray,
    alpha: float,
    values: dict[str, float],
) -> None:
    """``ndb.json`` in ``directory``: the per-bin histogram the values were computed from.

    Fields: ``bins`` (K), ``alpha``, ``n_real`` (N), ``n_fake`` (M), ``real_count`` and
    ``fake_count`` (int [K]), ``real_share`` and ``fake_share`` (the proportions n_r / N and
    n_f / M, float [K]), ``z`` (the per-bin two-proportion z statistic, positive where the
    generator over-represents the bin), ``different`` (bool [K], |z| > z_{1 - alpha/2}), and the
    measure's values ``ndb`` and ``ndb_js``.
    """
    n_real, n_fake = int(count_real.sum()), int(count_fake.sum())
    summary = {
        "bins": len(count_real),
        "alpha": alpha,
        "n_real": n_real,
        "n_fake": n_fake,
        "real_count": count_real.tolist(),
        "fake_count": count_fake.tolist(),
        "real_share": (count_real / n_real).tolist(),
        "fake_share": (count_fake / n_fake).tolist(),
        "z": z.tolist(),
        "different": different.tolist(),
        **values,
    }
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "ndb.json").write_text(json.dumps(summary, indent=2))
