"""Memorization: do generated samples copy the training set?

Both keys compare how close generated samples come to their nearest *training* sample with how
close held-out real samples come. Held-out real data is the right yardstick: it is as close to
the training set as a fresh draw from the data distribution is, so a generator that samples that
distribution scores like it, and one that reproduces training items (or small variations of
them) comes out closer.

Notation (Meehan, Chaudhuri & Dasgupta 2020, "A Non-Parametric Test to Detect Data-Copying in
Generative Models", AISTATS, arXiv:2004.05675): T the training set (``train``), P_n the held-out
real set (``real``, n rows), Q_m the generated set (``fake``, m rows), and
d(x) = min_{t in T} ‖x − t‖ the distance to the nearest training sample (Euclidean, in the
feature space; one chunked pass per set through
:func:`~ganbench.numerics.distances.nearest_neighbour_distance`).

``memorization_copy_share`` (the nearest-training-neighbour check): the share of generated
samples with d(y) <= q, where q is the ``quantile`` (1 % by default) of d over the held-out set.
A generator that does not copy gets about ``quantile``; a copying one gets up to 1.

``memorization_ct``: the C_T statistic of Meehan et al.:
1. the space is cut into ``cells`` cells by k-means on T (sklearn ``KMeans``, ``n_init``
   restarts, ``random_state=seed``; T is subsampled to ``max_train`` rows with ``seed`` first
   when larger); P_n and Q_m are assigned to their nearest centre;
2. in each cell π, the Mann–Whitney statistic U_π = #{(i, j): d(q_j) > d(p_i)} (ties 1/2) over
   the cell's held-out points p_i (n_π of them) and generated points q_j (m_π), z-scored with
   its null mean and variance, Z_π = (U_π − n_π m_π / 2) / sqrt(n_π m_π (n_π + m_π + 1) / 12);
   Z_π < 0 when the generated points of the cell are closer to T than the held-out ones;
3. cells with fewer than ``min_cell_fake`` generated points are left out (the paper's Π_τ with
   τ = min_cell_fake / m; their code's examples use 20 samples), as are cells without held-out
   points (their weight below is 0);
4. C_T = Σ_π P_n(π) Z_π / Σ_π P_n(π) over the cells kept, P_n(π) = n_π / n the held-out share
   of the cell.
C_T is about 0 (each Z_π is about standard normal) for a generator that does not copy; strongly
negative (the paper flags C_T < −3 or so) for one that copies; positive for one that stays
farther from the training set than fresh data (underfitting).
"""

from __future__ import annotations

import numpy as np
import torch
from scipy.stats import rankdata
from sklearn.cluster import KMeans

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_matrix, check_seed, positive_int
from ganbench.numerics.distances import nearest_neighbour_distance


def mann_whitney_z(reference: np.ndarray, sample: np.ndarray) -> float:
    """z-scored Mann–Whitney U of ``sample`` [m] against ``reference`` [n] (ties count 1/2).

    U = #{(i, j): sample_j > reference_i} + 1/2 #{ties}; z = (U − nm/2) / sqrt(nm(n + m + 1)/12)
    (the null variance without tie correction, as in Meehan et al. 2020). Negative when
    ``sample`` tends to be smaller.
    """
    n, m = reference.shape[0], sample.shape[0]
    ranks = rankdata(np.concatenate([reference, sample]))  # midranks for ties
    u = float(ranks[n:].sum()) - m * (m + 1) / 2.0
    return (u - n * m / 2.0) / float(np.sqrt(n * m * (n + m + 1) / 12.0))


@metric(
    "memorization",
    space="features",
    directions={"memorization_copy_share": "lower", "memorization_ct": 0.0},
    reference="Meehan et al. 2020 (arXiv:2004.05675); nearest-training-neighbour check",
    extra_inputs=("train",),
    runtime=("device",),
)
def memorization(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    quantile: float = 0.01,
    cells: int = 20,
    min_cell_fake: int = 20,
    max_train: int = 20000,
    n_init: int = 3,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Share of generated samples closer to the training set than held-out data, and C_T.

    Args:
        real: held-out real features P_n [n, D] (not used in training), n >= 2.
        fake: generated features Q_m [m, D].
        train: the training features T [t, D] the generator saw, t >= ``cells``.
        quantile: the held-out distance quantile below which a generated sample counts as a copy.
        cells: number of k-means cells for C_T.
        min_cell_fake: a cell enters C_T only with at least this many generated samples.
        max_train: at most this many training rows (drawn with ``seed``) are clustered; the
            nearest-neighbour distances always use all of T.
        n_init: k-means restarts.
        seed: seeds the training subsample and k-means.
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``memorization_copy_share`` in [0, 1] (lower is better; about ``quantile`` without
        copying) and ``memorization_ct`` (target 0; negative = copying, positive = underfitting).

    Raises:
        ValueError: on mismatched shapes, bad parameters, or when no cell holds
            ``min_cell_fake`` generated samples (lower ``cells`` or ``min_cell_fake``).
    """
    p = as_matrix("real", real, min_rows=2)
    q = as_matrix("fake", fake)
    t = as_matrix("train", train)
    seed = check_seed(seed)
    if not p.shape[1] == q.shape[1] == t.shape[1]:
        raise ValueError(
            "real, fake and train must have the same feature size; "
            f"got {p.shape[1]}, {q.shape[1]}, {t.shape[1]}"
        )
    if not 0.0 < quantile < 1.0:
        raise ValueError(f"quantile must be in (0, 1); got {quantile!r}")
    cells = positive_int("cells", cells)
    if min_cell_fake < 1:
        raise ValueError(f"min_cell_fake must be >= 1; got {min_cell_fake!r}")
    if max_train < cells or t.shape[0] < cells:
        raise ValueError(
            f"need at least cells={cells} training rows (train has {t.shape[0]}, max_train={max_train})"
        )

    d_real = nearest_neighbour_distance(p, t, device=device)
    d_fake = nearest_neighbour_distance(q, t, device=device)
    copy_share = float(np.mean(d_fake <= np.quantile(d_real, quantile)))

    rng = np.random.default_rng(seed)
    t_fit = t if t.shape[0] <= max_train else t[np.sort(rng.choice(t.shape[0], max_train, replace=False))]
    kmeans = KMeans(n_clusters=cells, n_init=n_init, random_state=seed).fit(t_fit)
    cell_real, cell_fake = kmeans.predict(p), kmeans.predict(q)

    z_sum = weight_sum = 0.0
    for c in range(cells):
        in_real, in_fake = d_real[cell_real == c], d_fake[cell_fake == c]
        if in_fake.shape[0] < min_cell_fake or in_real.shape[0] == 0:
            continue
        weight = in_real.shape[0] / p.shape[0]
        z_sum += weight * mann_whitney_z(in_real, in_fake)
        weight_sum += weight
    if weight_sum == 0.0:
        raise ValueError(
            f"memorization: no k-means cell holds both held-out samples and at least "
            f"min_cell_fake={min_cell_fake} generated samples; lower cells or min_cell_fake"
        )
    return {"memorization_copy_share": copy_share, "memorization_ct": z_sum / weight_sum}
