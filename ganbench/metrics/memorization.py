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

``memorization_ct``: the C_T statistic of Meehan et al., in the form of their code
(``data_copying_tests.py`` of github.com/casey-meehan/data-copying, commit a0ba2db, also copied
into ``dgm_eval/metrics/ct.py`` of github.com/layer6ai-labs/dgm-eval, commit 74c79f7):
1. the space is cut into ``cells`` cells by k-means on T (sklearn ``KMeans``, ``n_init``
   restarts, ``random_state=seed``; T is subsampled to ``max_train`` rows with ``seed`` first
   when larger); T, P_n and Q_m are assigned to their nearest centre;
2. in each cell π, the distances are to the nearest training sample *of that cell*,
   d_π(x) = min_{t in T ∩ π} ‖x − t‖ (``ct_distance="cell"``, the reference; ``"global"``
   measures to the whole of T instead, d(x) above, a ganbench variant);
3. the Mann–Whitney statistic U_π = #{(i, j): d_π(q_j) > d_π(p_i)} (ties 1/2) over the cell's
   held-out points p_i (n_π of them) and generated points q_j (m_π), z-scored with its null mean,
   a continuity correction of 1/2 and its null variance without tie correction, as their code:
   Z_π = (U_π − n_π m_π / 2 + 1/2) / sqrt(n_π m_π (n_π + m_π + 1) / 12);
   Z_π < 0 when the generated points of the cell are closer to T than the held-out ones;
4. only cells with a generated share Q_m(π) = m_π / m > ``tau`` enter (the paper's Π_τ, strict
   as in the code); by default τ = 20 / m, the value every experiment of the reference and
   dgm-eval uses (cells with more than 20 generated samples);
5. C_T = Σ_π P_n(π) Z_π / Σ_π P_n(π) over the cells kept, P_n(π) = n_π / n the held-out share
   of the cell. A kept cell without held-out points has weight 0 and is skipped (the reference
   code raises an error for it instead).
C_T is about 0 (each Z_π is about standard normal, shifted by the +1/2 correction) for a
generator that does not copy; strongly negative (the paper flags C_T < −3 or so) for one that
copies; positive for one that stays farther from the training set than fresh data
(underfitting). dgm-eval further reduces features wider than 64 to 64 PCA components and uses 3
cells; ganbench clusters the features as given, into ``cells`` cells.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from scipy.stats import rankdata
from sklearn.cluster import KMeans

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_matrix, check_seed, positive_int, real_number, same_width
from ganbench.numerics.distances import nearest_neighbour_distance
from ganbench.numerics.resampling import take_rows

CT_DISTANCES = ("cell", "global")


def mann_whitney_z(reference: np.ndarray, sample: np.ndarray) -> float:
    """z-scored Mann–Whitney U of ``sample`` [m] against ``reference`` [n] (ties 1/2), as in Meehan's code.

    U = #{(i, j): sample_j > reference_i} + 1/2 #{ties};
    z = (U − (nm/2 − 1/2)) / sqrt(nm(n + m + 1)/12): the null mean less a continuity correction
    of 1/2, and the null variance without tie correction (``Zu`` in ``data_copying_tests.py`` of
    casey-meehan/data-copying). Negative when ``sample`` tends to be smaller.
    """
    n, m = reference.shape[0], sample.shape[0]
    ranks = rankdata(np.concatenate([reference, sample]))  # midranks for ties
    u = float(ranks[n:].sum()) - m * (m + 1) / 2.0
    return (u - n * m / 2.0 + 0.5) / float(np.sqrt(n * m * (n + m + 1) / 12.0))


def memorization_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    quantile: float = 0.01,
    cells: int = 20,
    tau: float | None = None,
    ct_distance: str = "cell",
    max_train: int = 20000,
    n_init: int = 3,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> PerSample:
    """Per-row quantities of P_n and Q_m: the distance to the nearest training sample, the k-means cell
    and the C_T distance (to the nearest training sample of the cell, or of all of T for "global"). None
    depends on the other rows of P_n or Q_m (the cells are fitted on T), so a resample's reduction is the
    measure recomputed on the resampled sets. Arguments as :func:`memorization`."""
    p = as_matrix("real", real, min_rows=2)
    q = as_matrix("fake", fake)
    t = as_matrix("train", train)
    seed = check_seed(seed)
    same_width(real=p, fake=q, train=t)
    quantile = real_number("quantile", quantile, low=0.0, high=1.0, open_low=True)
    if quantile == 1.0:
        raise ValueError(f"quantile must be in (0, 1); got {quantile!r}")
    cells = positive_int("cells", cells)
    max_train = positive_int("max_train", max_train)
    n_init = positive_int("n_init", n_init)
    if tau is None:
        tau = 20.0 / q.shape[0]
    elif (tau := real_number("tau", tau, low=0.0)) >= 1.0:
        raise ValueError(f"tau must be in [0, 1) (a share of the generated samples); got {tau!r}")
    if ct_distance not in CT_DISTANCES:
        raise ValueError(f"ct_distance must be one of {CT_DISTANCES}; got {ct_distance!r}")
    if max_train < cells or t.shape[0] < cells:
        raise ValueError(
            f"need at least cells={cells} training rows (train has {t.shape[0]}, max_train={max_train})"
        )

    d_real = nearest_neighbour_distance(p, t, device=device)
    d_fake = nearest_neighbour_distance(q, t, device=device)

    rng = np.random.default_rng(seed)
    t_fit = t if t.shape[0] <= max_train else t[np.sort(rng.choice(t.shape[0], max_train, replace=False))]
    kmeans = KMeans(n_clusters=cells, n_init=n_init, random_state=seed).fit(t_fit)
    cell_real, cell_fake = kmeans.predict(p), kmeans.predict(q)
    if ct_distance == "global":
        ct_real, ct_fake = d_real, d_fake
    else:
        cell_train = kmeans.predict(t)
        ct_real, ct_fake = np.empty_like(d_real), np.empty_like(d_fake)
        for c in range(cells):
            in_real, in_fake = cell_real == c, cell_fake == c
            if not (in_real.any() or in_fake.any()):
                continue
            t_c = t[cell_train == c]
            if t_c.shape[0] == 0:  # k-means leaves no centre without training rows; guard all the same
                raise ValueError(f"memorization: k-means cell {c} holds no training sample; lower cells")
            # canonical distances: a row's value does not depend on the other rows of the pass
            for rows, side, out in ((in_real, p, ct_real), (in_fake, q, ct_fake)):
                if rows.any():
                    out[rows] = nearest_neighbour_distance(side[rows], t_c, device=device)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        dr, df = take_rows(d_real, real_rows), take_rows(d_fake, fake_rows)
        copy_share = float(np.mean(df <= np.quantile(dr, quantile)))
        cr, cf = take_rows(cell_real, real_rows), take_rows(cell_fake, fake_rows)
        zr, zf = take_rows(ct_real, real_rows), take_rows(ct_fake, fake_rows)
        z_sum = weight_sum = 0.0
        for c in range(cells):
            in_real, in_fake = cr == c, cf == c
            n_c, m_c = int(in_real.sum()), int(in_fake.sum())
            if not m_c / cf.shape[0] > tau or n_c == 0:
                continue
            weight = n_c / cr.shape[0]
            z_sum += weight * mann_whitney_z(zr[in_real], zf[in_fake])
            weight_sum += weight
        if weight_sum == 0.0 and real_rows is not None:  # a resample without a usable cell: no value
            return {"memorization_copy_share": copy_share, "memorization_ct": math.nan}
        if weight_sum == 0.0:
            raise ValueError(
                f"memorization: no k-means cell holds both held-out samples and a share of more than "
                f"tau={tau:.4g} of the generated samples; lower cells or tau"
            )
        return {"memorization_copy_share": copy_share, "memorization_ct": z_sum / weight_sum}

    return PerSample(n_real=p.shape[0], n_fake=q.shape[0], reduce=reduce)


@metric(
    "memorization",
    space="features",
    directions={"memorization_copy_share": "lower", "memorization_ct": 0.0},
    aspects={"memorization_copy_share": ("memorisation",), "memorization_ct": ("memorisation",)},
    reference=(
        "Meehan et al. 2020 (arXiv:2004.05675), C_T as casey-meehan/data-copying and layer6ai-labs/dgm-eval; "
        "nearest-training-neighbour check"
    ),
    extra_inputs=("train",),
    runtime=("device",),
    notes=(
        "C_T as the reference code: within-cell training distances (ct_distance='cell'), +1/2 continuity "
        "correction, cells with Q_m share > tau (default 20/m); no PCA to 64 dims (dgm-eval does); "
        "ct_distance='global' is a ganbench variant"
    ),
    interval="per-sample",
    per_sample=memorization_samples,
    interval_note=(
        "resamples per-row training distances and cells (the cells are fitted on the training set, "
        "which is not resampled): the same as recomputing on the resampled sets"
    ),
)
def memorization(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    train: np.ndarray,
    quantile: float = 0.01,
    cells: int = 20,
    tau: float | None = None,
    ct_distance: str = "cell",
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
        tau: a cell enters C_T only when its share of the generated samples exceeds this, in
            [0, 1); ``None`` means 20 / m (more than 20 generated samples), as in the reference.
        ct_distance: ``"cell"`` (the reference: distance to the nearest training sample in the
            same cell) or ``"global"`` (to the nearest training sample anywhere).
        max_train: at most this many training rows (drawn with ``seed``) are clustered; the
            nearest-neighbour distances always use all of T (all of T ∩ π for ``"cell"``).
        n_init: k-means restarts.
        seed: seeds the training subsample and k-means.
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``memorization_copy_share`` in [0, 1] (lower is better; about ``quantile`` without
        copying) and ``memorization_ct`` (target 0; negative = copying, positive = underfitting).

    Raises:
        ValueError: on mismatched shapes, bad parameters, or when no cell holds held-out samples
            and more than tau·m generated samples (lower ``cells`` or ``tau``).
    """
    return memorization_samples(
        real=real,
        fake=fake,
        train=train,
        quantile=quantile,
        cells=cells,
        tau=tau,
        ct_distance=ct_distance,
        max_train=max_train,
        n_init=n_init,
        seed=seed,
        device=device,
    ).value()
