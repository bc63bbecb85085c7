"""Precision and recall for distributions (PRD curve) and its F_8 / F_1/8 summary.

Sajjadi, Bachem, Lucic, Bousquet & Gelly 2018, "Assessing Generative Models via Precision and Recall"
(NeurIPS 2018, arXiv:1806.00035). Written to agree with ``prd_score.py`` of
github.com/msmsajjadi/precision-recall-distributions (commit df840ad, itself taken from
google/compare_gan): ``compute_prd``, ``compute_prd_from_embedding`` and ``prd_to_max_f_beta_pair``.

Definition. The real features (reference distribution P, ``real`` [n, D]) and the generated ones
(Q, ``fake`` [n, D]) are pooled and clustered into K = ``num_clusters`` clusters; the share of each
set in each cluster gives two histograms p, q over K states. For a slope lambda > 0,

    alpha(lambda) = sum_k min(lambda p_k, q_k)      (precision)
    beta(lambda)  = alpha(lambda) / lambda           (recall)

evaluated at lambda = tan(angle) for ``num_angles`` angles evenly spaced in [eps, pi/2 - eps],
eps = 1e-10; the curve is averaged over ``num_runs`` clusterings. The summary is the largest
F_b = (1 + b^2) alpha beta / (b^2 alpha + beta + eps) over the curve (b the F-score's weight):

- ``prd_f8`` (F_8, higher): weighs recall; it falls when the generator misses part of the real
  distribution (diversity);
- ``prd_f1_8`` (F_1/8, higher): weighs precision; it falls when the generator puts mass where
  the real data has none (fidelity);
- ``prd_f1`` (the largest F_1 over the curve, higher): both at once.

Identical histograms give alpha = beta = 1 at lambda = 1, so F_8 = F_1/8 = F_1 = 1. A generator
that covers exactly half of K equally likely clusters, evenly, has the curve alpha = min(lambda/2, 1),
beta = min(1/2, 1/lambda): F_8 = 32.5/64.5 = 0.504, F_1/8 = 65/66 = 0.985, F_1 = 2/3.

Where this follows and departs from the reference:

- clustering: the reference's ``sklearn.cluster.MiniBatchKMeans(n_clusters=K, n_init=10)`` on the
  pooled rows (generated first), with ``batch_size=1024`` written out: the default of the
  scikit-learn the reference runs on today (the 0.19.2 its requirements pin defaulted to 100, which
  on 20 well-separated Gaussian modes merged or split some of them, F_8 0.526 to 0.542 over three
  seeds where the true modes give 0.512; with 1024 all three seeds give 0.512, as the reference
  does). The reference leaves ``random_state`` unset; here run r uses
  ``numpy.random.SeedSequence(seed).generate_state(num_runs)[r]``, so the value is reproducible;
- balance: the reference refuses sets of different sizes (``enforce_balance``); here the larger
  set is cut to n = min(N, M) rows drawn without replacement by ``numpy.random.default_rng(seed)``
  (unbalanced sets bias the clustering towards the larger one, the reason for the reference's
  check); equal sizes are used as they are;
- precision and recall are clipped to [0, 1] as in the reference (they exceed 1 only by
  rounding); its refusal of values above 1.001 cannot trigger (alpha <= sum q = 1 and
  beta <= sum p = 1) and is left out.

**Diagnostics.** With ``artifact_dir``: ``prd_curve.csv``, the averaged curve behind the values
(columns ``slope`` = lambda, ``precision``, ``recall``; one row per angle), for a PRD plot
(recall on x, precision on y).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from sklearn.cluster import MiniBatchKMeans
from threadpoolctl import threadpool_limits

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, check_seed, integer, positive_int
from ganbench.numerics.resampling import take_rows

#: The reference's angle offset at 0 and pi/2, and its guard in the F_beta denominator.
EPSILON = 1e-10
#: The reference's k-means restarts, and the mini-batch size it runs with today (scikit-learn's default).
_N_INIT = 10
_BATCH_SIZE = 1024


def prd_slopes(num_angles: int) -> np.ndarray:
    """Slopes lambda = tan(angle), ``num_angles`` angles evenly spaced in [eps, pi/2 - eps]: float64 [A]."""
    return np.tan(np.linspace(EPSILON, np.pi / 2 - EPSILON, num=num_angles))


def prd_curve(
    eval_dist: np.ndarray, ref_dist: np.ndarray, slopes: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """PRD curve of a discrete distribution against a reference one (the reference's ``compute_prd``).

    Args:
        eval_dist: float [K], the generated histogram q (sums to 1).
        ref_dist: float [K], the real histogram p (sums to 1).
        slopes: float [A], the slopes lambda (:func:`prd_slopes`).

    Returns:
        precision alpha(lambda) = sum_k min(lambda p_k, q_k) and recall beta = alpha / lambda, float64
        [A] each, clipped to [0, 1].
    """
    q = np.asarray(eval_dist, dtype=np.float64)
    p = np.asarray(ref_dist, dtype=np.float64)
    precision = np.minimum(p[None, :] * slopes[:, None], q[None, :]).sum(axis=1)
    recall = precision / slopes
    return np.clip(precision, 0.0, 1.0), np.clip(recall, 0.0, 1.0)


def max_f_beta(precision: np.ndarray, recall: np.ndarray, beta: float) -> float:
    """Largest F_beta = (1 + beta^2) p r / (beta^2 p + r + eps) over the curve's points (float [A] each)."""
    b2 = beta * beta
    return float(np.max((1.0 + b2) * precision * recall / (b2 * precision + recall + EPSILON)))


def _equal_sizes(real: np.ndarray, fake: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """``real`` [N, D] and ``fake`` [M, D] cut to n = min(N, M) rows each (the larger one subsampled
    without replacement by ``default_rng(seed)``, rows kept in order; a set of size n is unchanged)."""
    n = min(real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)

    def cut(x: np.ndarray) -> np.ndarray:
        return x if x.shape[0] == n else x[np.sort(rng.choice(x.shape[0], size=n, replace=False))]

    return cut(real), cut(fake)


def prd_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    num_clusters: int = 20,
    num_angles: int = 1001,
    num_runs: int = 10,
    seed: int = 0,
    artifact_dir: Path | None = None,
) -> PerSample:
    """Per-row cluster of every real and generated row in each run (int [runs, n] per side), the
    clusterings fitted once on the full pooled sets; a resample's histograms count the drawn rows'
    clusters, so its curve is the PRD of the resampled sets under the fixed clusterings. The value
    (every row once) writes ``prd_curve.csv`` to ``artifact_dir``. Arguments as :func:`prd`."""
    num_clusters = integer("num_clusters", num_clusters, minimum=2)
    num_angles = integer("num_angles", num_angles, minimum=3, maximum=1_000_000)
    num_runs = positive_int("num_runs", num_runs)
    seed = check_seed(seed)
    r, f = as_pair(real, fake, min_real=num_clusters, min_fake=num_clusters)
    r, f = _equal_sizes(r, f, seed)
    n = r.shape[0]

    pooled = np.concatenate([f, r])  # generated first, as the reference's vstack([eval_data, ref_data])
    run_seeds = np.random.SeedSequence(seed).generate_state(num_runs)
    labels_f = np.empty((num_runs, n), dtype=np.int64)
    labels_r = np.empty((num_runs, n), dtype=np.int64)
    # One OpenMP thread for scikit-learn's k-means: on a busy 2-core machine its spinning thread pool
    # made the 10 runs 15x slower (28 s instead of 1.9 s for 1000 + 1000 rows x 64), and one thread
    # makes the clustering the same whatever the core count.
    with threadpool_limits(limits=1, user_api="openmp"):
        for run, run_seed in enumerate(run_seeds):
            kmeans = MiniBatchKMeans(
                n_clusters=num_clusters, n_init=_N_INIT, batch_size=_BATCH_SIZE, random_state=int(run_seed)
            )
            labels = kmeans.fit(pooled).labels_
            labels_f[run], labels_r[run] = labels[:n], labels[n:]
    slopes = prd_slopes(num_angles)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        precision = np.zeros(num_angles)
        recall = np.zeros(num_angles)
        for run in range(num_runs):
            in_f = take_rows(labels_f[run], fake_rows)
            in_r = take_rows(labels_r[run], real_rows)
            q = np.bincount(in_f, minlength=num_clusters) / in_f.shape[0]
            p = np.bincount(in_r, minlength=num_clusters) / in_r.shape[0]
            run_precision, run_recall = prd_curve(q, p, slopes)
            precision += run_precision
            recall += run_recall
        precision /= num_runs
        recall /= num_runs
        if artifact_dir is not None and real_rows is None and fake_rows is None:  # the value's curve
            write_curve(Path(artifact_dir), slopes, precision, recall)
        return {
            "prd_f8": max_f_beta(precision, recall, 8.0),
            "prd_f1_8": max_f_beta(precision, recall, 1.0 / 8.0),
            "prd_f1": max_f_beta(precision, recall, 1.0),
        }

    return PerSample(n_real=n, n_fake=n, reduce=reduce)


@metric(
    "prd",
    space="features",
    directions={"prd_f8": "higher", "prd_f1_8": "higher", "prd_f1": "higher"},
    reference=(
        "Sajjadi et al. 2018 (arXiv:1806.00035); prd_score.py of msmsajjadi/precision-recall-distributions"
    ),
    runtime=("artifact_dir",),
    notes=(
        "MiniBatchKMeans as the reference calls it (n_init=10, today's batch_size=1024, not the 100 of "
        "its pinned scikit-learn 0.19.2) but seeded per run; sets of different sizes are cut to the "
        "smaller size with seed where the reference refuses them"
    ),
    min_samples=lambda p: p["num_clusters"],
    interval="per-sample",
    per_sample=prd_samples,
    interval_note=(
        "resamples the rows' cluster assignments, the num_runs clusterings fixed on the full sets: the "
        "interval covers which rows fill the histograms, not the clustering's own variation"
    ),
    aspects={"prd_f8": ("diversity",), "prd_f1_8": ("fidelity",)},
)
def prd(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    num_clusters: int = 20,
    num_angles: int = 1001,
    num_runs: int = 10,
    seed: int = 0,
    artifact_dir: Path | None = None,
) -> dict[str, float]:
    """F_8, F_1/8 and max F_1 of the PRD curve of generated against real features (module docstring).

    Args:
        real: real features [N, D], N >= ``num_clusters``.
        fake: generated features [M, D], M >= ``num_clusters``; the larger set is cut to min(N, M)
            rows with ``seed``.
        num_clusters: K, the k-means clusters of the pooled sets (20 in the paper).
        num_angles: points of the curve, in [3, 1e6] (1001 in the paper).
        num_runs: clusterings the curve is averaged over (10 in the paper).
        seed: seeds the subsample of the larger set and each run's k-means.
        artifact_dir: where to write ``prd_curve.csv`` (:func:`write_curve`); nothing is written when
            ``None``. Does not change the values.

    Returns:
        ``{"prd_f8", "prd_f1_8", "prd_f1"}``, each in [0, 1], higher is better; 1 for identical
        histograms.
    """
    return prd_samples(
        real=real,
        fake=fake,
        num_clusters=num_clusters,
        num_angles=num_angles,
        num_runs=num_runs,
        seed=seed,
        artifact_dir=artifact_dir,
    ).value()


def write_curve(directory: Path, slopes: np.ndarray, precision: np.ndarray, recall: np.ndarray) -> None:
    """``prd_curve.csv`` in ``directory``: columns ``slope`` (lambda), ``precision``, ``recall``, one row
    per angle (float [A] each), the curve averaged over the runs."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "prd_curve.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["slope", "precision", "recall"])
        for row in zip(slopes.tolist(), precision.tolist(), recall.tolist(), strict=True):
            writer.writerow([repr(v) for v in row])
