"""Precision-recall cover (cover precision, cover recall).

Cheema & Urner 2023, "Precision Recall Cover: A Method For Assessing Generative Models", AISTATS
2023, PMLR 206 (proceedings.mlr.press/v206/cheema23a; no arXiv version). Follows ``PRCover`` and
``PR_Cover_Indicator`` of Fasil Cheema's ``GenerativeMetrics.py``, as published (GPL-3.0) in
DPBayes/position-fidelity-diversity-metrics-flawed, ``metrics/precision_recall_cover/GenerativeMetrics.py``
(commit 7000abf), with the roles its ``PrecisionRecallCoverComputer``
(``precision_recall_cover_computer.py``) gives the sets: P the real set, Q the generated one
(Cheema's own plots also label P "true data" and Q "gen data").

Definition (the reference code; the paper's text was not available to this implementation).
Parameters k and k' (the code's ``k`` and ``C·k``). Each point owns the ball around it whose
radius is the distance to its k'-th nearest other point of its own set. A point is *covered*
when its ball holds at least k points of the other set (``‖other − centre‖ <= radius``,
inclusive, as the code's ``curr_dist <= k_nn_set[k-1]``; the code's threshold ``k'/C`` is k).

- ``cover_precision`` = the share of real points whose real k'-NN ball holds at least k
  generated points (the code's ``p_sum / num_P``);
- ``cover_recall`` = the share of generated points whose generated k'-NN ball holds at least k
  real points (``r_sum / num_Q``).

Both are in [0, 1], higher is better, and identical sets give 1 for both (each ball holds its
own centre's copy and its k' neighbours' copies, k' >= k).

Read with care: ``cover_precision`` counts generated points in the neighbourhoods of real points,
which is what coverage-type recalls do (a dropped mode leaves its real points uncovered), and
``cover_recall`` asks whether each generated point has real points nearby, which is what
precisions do. That is the assignment in the reference code (and in the study by Räisä et al.
2025 that runs it); without the paper's text we do not swap the names, and declare no aspects
(each key is judged on both fidelity and diversity defects).

Defaults: ``k = 3`` and ``k' = 9`` (the code's ``C = 3``, "originally set to 3", with ``k = 3``
in every experiment of Cheema's code). The paper's analysis lets k' grow like log n; Räisä et
al.'s computer chooses ``k = int(int(log(n) + 7) / 3 + 1)``, ``k' = 3k`` (k = 6 at n = 10,000);
pass those to follow it.

Shapes: ``real`` [N, D] (N > k'), ``fake`` [M, D] (M > k'), features of one extractor.

Computation: the radii are the shared, memoised exact k-NN radii
(:func:`~ganbench.numerics.distances.kth_neighbour_distance`) and the counts come from exact
ball tests (:func:`~ganbench.numerics.distances.ball_members`, per ball; in a battery both from
the shared Gram pass), so a point exactly on a sphere counts on every machine. Memory: tiles
only (the reference loops over all N x M pairs in Python).

Deviations from the reference: canonical distances instead of scikit-learn's kd-tree distances
and numpy norms (they agree up to rounding; exactly on integer features); k' may be any integer
>= k, not only a multiple of k; the code's other outputs (the points of the disjoint and joint
supports, for plots) are not computed.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, integer, positive_int
from ganbench.numerics.distances import ball_members, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import BallTest, Needs


def _covered(
    centres: np.ndarray, other: np.ndarray, k_prime: int, k: int, device: str | torch.device
) -> np.ndarray:
    """bool [len(centres)]: whether each centre's k'-NN ball (in its own set) holds >= k rows of ``other``."""
    radii = kth_neighbour_distance(centres, k_prime, device=device)
    found = ball_members(
        other, centres, radii, inclusive=True, per_query=None, per_ref="count", device=device
    )
    assert found.per_ref is not None
    return found.per_ref >= k


def pr_cover_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    k: int = 3,
    k_prime: int = 9,
    device: str | torch.device = "cpu",
) -> PerSample:
    """Per real point whether it is covered (given the generated set), per generated point whether
    it is covered (given the real set), on the full sets; a resample takes the drawn points'
    shares. Arguments as :func:`pr_cover`."""
    k = positive_int("k", k)
    k_prime = integer("k_prime", k_prime, minimum=k)
    r, f = as_pair(real, fake, min_real=k_prime + 1, min_fake=k_prime + 1, keep_float32=True)
    real_covered = _covered(r, f, k_prime, k, device)
    fake_covered = _covered(f, r, k_prime, k, device)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        return {
            "cover_precision": float(take_rows(real_covered, real_rows).mean()),
            "cover_recall": float(take_rows(fake_covered, fake_rows).mean()),
        }

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k_prime = int(params["k_prime"])
    return Needs(
        knn={"real": k_prime, "fake": k_prime},
        tests={
            BallTest(side, k_prime, inclusive=True, per_query=None, per_ref="count")
            for side in ("real", "fake")
        },
    )


@metric(
    "pr-cover",
    space="features",
    directions={"cover_precision": "higher", "cover_recall": "higher"},
    reference=(
        "Cheema & Urner 2023, AISTATS (PMLR 206); Cheema's GenerativeMetrics.py PRCover, as in "
        "DPBayes/position-fidelity-diversity-metrics-flawed metrics/precision_recall_cover"
    ),
    runtime=("device",),
    min_samples=lambda p: p["k_prime"] + 1,
    interval="per-sample",
    per_sample=pr_cover_samples,
    shared_needs=_needs,
    notes=(
        "a point is covered when its k'-NN ball in its own set holds >= k points of the other set; "
        "cover_precision is the covered share of the real points and cover_recall that of the generated "
        "points, as the reference code assigns them (by the usual semantics the roles look swapped; the "
        "paper's text was not checked), so no aspects are declared"
    ),
    interval_note=(
        "resamples per-point coverage fixed on the full sets: cover_precision's interval is given the "
        "generated set and the real radii, cover_recall's the real set and the generated radii"
    ),
)
def pr_cover(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    k: int = 3,
    k_prime: int = 9,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Cover precision and cover recall of Cheema & Urner 2023 (the reference code's assignment).

    Args:
        real: features [N, D], N > k_prime.
        fake: features [M, D], M > k_prime.
        k: how many points of the other set a ball must hold (3, as in Cheema's experiments).
        k_prime: the neighbour of its own set whose distance is a ball's radius, >= k (9: the
            code's k' = C k with C = 3).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"cover_precision": float, "cover_recall": float}``, both in [0, 1]; higher is better.
    """
    return pr_cover_samples(real=real, fake=fake, k=k, k_prime=k_prime, device=device).value()
