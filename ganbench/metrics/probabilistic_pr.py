"""Probabilistic precision and recall (P-precision, P-recall).

Park & Kim 2023, "Probabilistic Precision and Recall Towards Reliable Evaluation of Generative
Models", ICCV 2023, arXiv:2309.01590. Follows ``compute_pprecision_precall`` of the reference
implementation, kdst-team/Probablistic_precision_recall, ``metric/pp_pr.py`` (commit 7e15c91,
its numpy branch), defaults ``a = 1.2`` and ``kth = 4`` (here ``k``).

Definitions. Each set has one radius for all its points, ``a`` times the mean over its points
of the distance to the k-th nearest other point of the same set: ``R_X`` for the real set X,
``R_Y`` for the generated set Y (the reference takes the ``kth + 1`` smallest entries of each row
of the set's distance matrix, whose smallest is the point itself, and their largest: the same
number). Each real point ``x_j`` scores a generated point ``y_i`` with the scoring rule
``f_ij = 1 − ‖y_i − x_j‖ / R_X`` when ``‖y_i − x_j‖ < R_X`` and 0 otherwise (strict, as the
reference's ``distance >= a · k_nearest`` sets f to 0), and

- **P-precision** ``= (1/M) Σ_i [1 − Π_j (1 − f_ij)]``: per generated point, the probability
  that at least one real point vouches for it, averaged over the generated points;
- **P-recall** ``= (1/N) Σ_j [1 − Π_i (1 − g_ji)]`` with ``g_ji = 1 − ‖x_j − y_i‖ / R_Y`` when
  ``‖x_j − y_i‖ < R_Y``: the same with the sets swapped (generated points as the balls, the
  generated radius).

Keys: ``p_precision`` (fidelity) and ``p_recall`` (diversity), both in [0, 1], higher is better.

Shapes: ``real`` [N, D] (N > k), ``fake`` [M, D] (M > k), features of one extractor.

Computation. Only the pairs within a radius change a product (``1 − f = 1`` outside), and there
``1 − f = d / R``, so ``Π (1 − f) = exp(Σ log(d / R))`` over those pairs, and a point with a
partner at distance 0 scores exactly 1. The k-NN distances are the shared, memoised exact ones
(:func:`~ganbench.numerics.distances.kth_neighbour_distance`; in a battery, the shared Gram pass).
One cross pass (:func:`~ganbench.numerics.distances.cross_pairs_within`) yields the generated x
real pairs with ``d < max(R_X, R_Y)``, decided exactly, with their canonical distances; each
pair adds ``log(d / R_X)`` to its generated point when ``d < R_X`` and ``log(d / R_Y)`` to its
real point when ``d < R_Y``. The logs are added one pair at a time in a fixed order (each point's
partners in ascending index), so neither the device nor the tile size changes the value. Memory:
tiles and their pairs only, never the N x M matrix the reference builds (it builds three).

Cost: every pair within the radius gets a canonical distance (D-wide float64 work); in high
dimensions the radius, 1.2 times a mean k-NN distance, can hold a large share of all pairs, and
then the pass costs a few times a plain Gram pass.

Deviations from the reference: distances are ganbench's canonical Euclidean distances (the
reference uses scikit-learn's ``pairwise_distances``, a float64 Gram form; they agree up to
rounding, and a pair exactly at the radius is outside in both); the product is a sum of logs
(the same number up to rounding, without underflow); the reference's GPU branch (float32
``torch.cdist``) is not followed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, positive_int, real_number
from ganbench.numerics.distances import cross_pairs_within, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import Needs


def _scores(log_sum: np.ndarray, touched: np.ndarray) -> np.ndarray:
    """``1 − exp(log_sum)`` per point (``−expm1``, accurate near 0), exactly 1 where a partner lies at
    distance 0 (``touched``)."""
    return np.where(touched, 1.0, -np.expm1(log_sum))


def p_precision_recall_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    k: int = 4,
    a: float = 1.2,
    device: str | torch.device = "cpu",
) -> PerSample:
    """Per generated point its P-precision score (given the real set and ``R_X``), per real point
    its P-recall score (given the generated set and ``R_Y``), on the full sets; a resample averages
    the drawn points' scores. Arguments as :func:`p_precision_recall`."""
    k = positive_int("k", k)
    a = real_number("a", a, low=0.0, open_low=True)
    r, f = as_pair(real, fake, min_real=k + 1, min_fake=k + 1, keep_float32=True)
    n, m = r.shape[0], f.shape[0]
    radius_real = a * float(np.mean(kth_neighbour_distance(r, k, device=device)))
    radius_fake = a * float(np.mean(kth_neighbour_distance(f, k, device=device)))

    fake_log, fake_zero = np.zeros(m), np.zeros(m, dtype=bool)
    real_log, real_zero = np.zeros(n), np.zeros(n, dtype=bool)
    for tile in cross_pairs_within(f, r, max(radius_real, radius_fake), inclusive=False, device=device):
        d = tile.distances
        for own, radius, log_sum, zero in (
            (tile.query, radius_real, fake_log, fake_zero),
            (tile.ref, radius_fake, real_log, real_zero),
        ):
            inside = d < radius
            positive = inside & (d > 0)
            np.add.at(log_sum, own[positive], np.log(d[positive] / radius))
            zero[own[inside & (d == 0)]] = True
    precision_scores = _scores(fake_log, fake_zero)
    recall_scores = _scores(real_log, real_zero)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        return {
            "p_precision": float(take_rows(precision_scores, fake_rows).mean()),
            "p_recall": float(take_rows(recall_scores, real_rows).mean()),
        }

    return PerSample(n_real=n, n_fake=m, reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k = int(params["k"])
    return Needs(knn={"real": k, "fake": k})


@metric(
    "p-precision-recall",
    space="features",
    directions={"p_precision": "higher", "p_recall": "higher"},
    aspects={"p_precision": ("fidelity",), "p_recall": ("diversity",)},
    reference=(
        "Park & Kim 2023, ICCV (arXiv:2309.01590); kdst-team/Probablistic_precision_recall metric/pp_pr.py "
        "compute_pprecision_precall"
    ),
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
    interval="per-sample",
    per_sample=p_precision_recall_samples,
    shared_needs=_needs,
    notes=(
        "each set's radius is a times the mean distance to its points' k-th nearest other point; a pair "
        "inside scores 1 - d/R and P-precision/P-recall average 1 - prod(1 - score) per point; canonical "
        "distances, the product as a sum of logs"
    ),
    interval_note=(
        "resamples per-point scores fixed on the full sets: P-precision's interval is given the real set "
        "and its radius, P-recall's the generated set and its radius, so each leaves out the other set's "
        "sampling variation"
    ),
)
def p_precision_recall(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    k: int = 4,
    a: float = 1.2,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """P-precision (fidelity) and P-recall (diversity) of Park & Kim 2023.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M > k.
        k: the neighbour whose distance sets each set's radius (4, the reference's ``kth``).
        a: the radius's multiple of the mean k-NN distance (1.2, the reference's default).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"p_precision": float, "p_recall": float}``, both in [0, 1]; higher is better.
    """
    return p_precision_recall_samples(real=real, fake=fake, k=k, a=a, device=device).value()
