"""Rarity score: how uncommon the generated samples that lie on the real manifold are.

Han, Choi, Choi & Yoo 2023, "Rarity Score: A New Metric to Evaluate the Uncommonness of
Synthesized Images", ICLR 2023, arXiv:2206.08549. Follows ``MANIFOLD.rarity`` of the reference
implementation, hichoe95/Rarity-Score, ``src/rarity_score.py`` (commit ec2ebd8), default
``k = 3``.

Definition. Each real point ``r_i`` has the k-NN ball ``B_i`` of radius ``ρ_i``, the distance to
its k-th nearest other real point (the reference takes column ``k`` of each row of the sorted
real x real distances, whose column 0 is the point itself: the same number). A generated point
``g`` lies in ``B_i`` when ``‖g − r_i‖ < ρ_i`` (strict, as the reference's ``ρ_i − d > 0``). Its
rarity score is the smallest radius among the balls that hold it,
``RS(g) = min {ρ_i : g ∈ B_i}``: a point that only sparse regions of the real manifold reach
scores high. Points in no ball are excluded from scoring (the reference gives them 0 and leaves
them out of its ranking).

Keys (the reference returns per-sample scores only; the model-level summary is ours):

- ``rarity``: the mean score over the generated points in at least one ball (see "Undefined
  value" below when there are none);
- ``rarity_included``: the share of generated points in at least one ball (the share the
  reference scores; the same number as the "precision" of a strict k-NN test on the real balls).

Shapes: ``real`` [N, D] (N > k), ``fake`` [M, D], features of one extractor.

Computation. The radii are the shared, memoised exact k-NN radii
(:func:`~ganbench.numerics.distances.kth_neighbour_distance`; in a battery, the shared Gram
pass). The smallest holding ball is found with the exact ball test
(:func:`~ganbench.numerics.distances.ball_members`, ``"any"``): first which generated points lie
in some ball (a battery's shared cross pass answers this), then the balls sorted by radius are
scanned in blocks of :data:`BLOCK` and each block's holders are narrowed by bisection to the
first ball, in radius order, that holds them. Every comparison is a canonical distance against a
canonical radius, so ties (a generated point exactly on a sphere: outside) come out the same on
every machine. Memory: blocks of at most :data:`BLOCK` rows of each set are copied at a time,
never an N x M matrix (the reference builds the full N x M distance matrix).

Deviations from the reference: distances are ganbench's canonical Euclidean distances (the
reference's float64 Gram form ``‖x‖² − 2x·y + ‖y‖²``, clipped at 0, agrees up to rounding, and
exactly on integer-valued features); the reference's cosine option is not offered; the two
summary keys are ours.

Direction: the paper presents rarity as a property of individual samples, neither good nor
bad in itself, and argues for generators that produce rare yet realistic samples (creativity);
ganbench requires one direction per key, so ``rarity`` is declared ``"higher"`` (the paper's
argument; its aspect is diversity: a set collapsed onto the common modes scores low) and
``rarity_included`` ``"higher"`` (more generated samples on the real manifold; fidelity). Read
them together: a drifted set puts its few on-manifold samples on the sparse fringes and so has a
high ``rarity`` with a low ``rarity_included``.

Undefined value: when no generated sample lies in any ball, ``rarity`` is left out of the value
(no number is made up; ``rarity_included`` is 0); a bootstrap replicate in which no drawn sample
lies in a ball returns NaN for it, so the interval machinery counts it as undefined instead of
silently keeping only the defined replicates.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_pair, positive_int
from ganbench.numerics.distances import ball_members, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import BallTest, Needs

#: Rows of each set copied per ball test while searching for the smallest holding ball.
BLOCK = 1024


def _in_some_ball(
    fake: np.ndarray,
    real: np.ndarray,
    radii: np.ndarray,
    fake_rows: np.ndarray,
    ball_rows: np.ndarray,
    device: str | torch.device,
) -> np.ndarray:
    """bool [len(fake_rows)]: whether each of the fake rows lies (strictly) in one of the balls
    ``ball_rows``; at most :data:`BLOCK` rows of each side are copied at a time."""
    inside = np.zeros(len(fake_rows), dtype=bool)
    for part in chunks(len(ball_rows), BLOCK):
        balls = ball_rows[part]
        centres, ball_radii = real[balls], radii[balls]
        for q in chunks(len(fake_rows), BLOCK):
            open_ = np.flatnonzero(~inside[q]) + q.start
            if open_.size:
                found = ball_members(
                    fake[fake_rows[open_]],
                    centres,
                    ball_radii,
                    inclusive=False,
                    per_query="any",
                    per_ref=None,
                    device=device,
                    chunk_size=BLOCK,
                ).per_query
                assert found is not None
                inside[open_] = found
    return inside


def smallest_holding_radius(
    fake: np.ndarray,
    real: np.ndarray,
    radii: np.ndarray,
    included: np.ndarray,
    *,
    device: str | torch.device = "cpu",
) -> np.ndarray:
    """``min {radii[i] : ‖fake_j − real_i‖ < radii[i]}`` for each fake row j: float64 [M], NaN
    for the rows not ``included`` (bool [M], those in at least one ball, found beforehand)."""
    order = np.argsort(radii, kind="stable")  # balls by radius: the first that holds a row is the smallest
    out = np.full(len(fake), math.nan)
    open_ = np.flatnonzero(included)

    def narrow(rows: np.ndarray, lo: int, hi: int) -> None:
        # every row of ``rows`` lies in a ball of order[lo:hi] and in none of order[:lo]
        if hi - lo == 1:
            out[rows] = radii[order[lo]]
            return
        mid = (lo + hi) // 2
        first = _in_some_ball(fake, real, radii, rows, order[lo:mid], device)
        if first.any():
            narrow(rows[first], lo, mid)
        if not first.all():
            narrow(rows[~first], mid, hi)

    for block in chunks(len(order), BLOCK):
        if not open_.size:
            break
        held = _in_some_ball(fake, real, radii, open_, order[block], device)
        if held.any():
            narrow(open_[held], block.start, block.stop)
            open_ = open_[~held]
    assert not open_.size, "a row found in some ball was not found in any block"
    return out


def rarity_samples(
    *, real: np.ndarray, fake: np.ndarray, k: int = 3, device: str | torch.device = "cpu"
) -> PerSample:
    """Per generated row, whether it lies in some real ball and its rarity score (NaN outside
    every ball), on the full real balls; a resample averages the drawn rows' scores. Arguments as
    :func:`rarity`."""
    k = positive_int("k", k)
    r, f = as_pair(real, fake, min_real=k + 1, keep_float32=True)
    radii = kth_neighbour_distance(r, k, device=device)
    found = ball_members(f, r, radii, inclusive=False, per_query="any", per_ref=None, device=device)
    assert found.per_query is not None
    included = np.asarray(found.per_query, dtype=bool)
    scores = smallest_holding_radius(f, r, radii, included, device=device)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        drawn_in = take_rows(included, fake_rows)
        out = {"rarity_included": float(drawn_in.mean())}
        if drawn_in.any():
            out["rarity"] = float(take_rows(scores, fake_rows)[drawn_in].mean())
        elif fake_rows is not None:  # a replicate: undefined, counted as such by the bootstrap
            out["rarity"] = math.nan
        return out

    return PerSample(n_real=0, n_fake=f.shape[0], reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k = int(params["k"])
    return Needs(knn={"real": k}, tests={BallTest("real", k, inclusive=False, per_query="any", per_ref=None)})


@metric(
    "rarity",
    space="features",
    directions={"rarity": "higher", "rarity_included": "higher"},
    aspects={"rarity": ("diversity",), "rarity_included": ("fidelity",)},
    reference=(
        "Han, Choi, Choi & Yoo 2023, ICLR (arXiv:2206.08549); hichoe95/Rarity-Score src/rarity_score.py "
        "MANIFOLD.rarity"
    ),
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
    interval="per-sample",
    per_sample=rarity_samples,
    shared_needs=_needs,
    notes=(
        "the paper scores single samples; the mean score over the generated samples inside some real "
        "k-NN ball, and their share, are ganbench's summary. The paper calls rarity neither good nor bad "
        "and argues for rare yet realistic samples: 'higher' follows that argument; read it with "
        "rarity_included. rarity is left out when no generated sample lies in any real ball"
    ),
    interval_note=(
        "resamples the generated rows' scores; the real balls (centres and radii) are fixed on the full "
        "real set, so the interval leaves out the real set's sampling variation"
    ),
)
def rarity(
    *, real: np.ndarray, fake: np.ndarray, k: int = 3, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """Mean rarity score of the generated samples inside the real k-NN manifold, and their share.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M >= 1.
        k: neighbourhood size of the real balls (3, the reference's default).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"rarity": float, "rarity_included": float}``: the mean smallest holding radius over the
        generated samples in some real ball (left out when there are none), and their share in
        [0, 1].
    """
    return rarity_samples(real=real, fake=fake, k=k, device=device).value()
