"""Leave-one-out 1-nearest-neighbour two-sample test (1-NN classifier accuracy).

Lopez-Paz & Oquab 2017, "Revisiting Classifier Two-Sample Tests", arXiv:1610.06545, propose
judging two samples by the held-out accuracy of a classifier trained to tell them apart; Xu,
Huang, Yuan, Guo, Sun, Wu & Weinberger 2018, "An empirical study on evaluation metrics of
generative adversarial networks", arXiv:1806.07755, use the leave-one-out 1-NN classifier on
equal-sized real and generated sets as a GAN measure: 0.5 when the sets cannot be told apart,
1.0 when they are disjoint, and below 0.5 when generated samples sit unusually close to the
real ones (copies).

Definition used here. Pool the real set X and the generated set Y, both of size n. Each point
is classified by the label of its nearest *other* point of the pool; its own entry is excluded
(leave-one-out). Distances are canonical (:mod:`ganbench.numerics.distances`), so which
neighbours are nearest, and which are tied, is decided exactly and the same on every machine.
When several points are nearest at exactly the same distance, the classifier picks one of them
uniformly at random (the reference code's ``topk`` picks one by memory order), and the point
counts its *expected* correctness: the share of same-set points among its nearest ones. So a
point tied between one real and one generated neighbour counts 1/2, between three same-set
points and one other-set point 3/4. ``c2st_1nn`` is the mean over all 2n points;
``c2st_1nn_real`` and ``c2st_1nn_fake`` are the means over the real and the generated points.

Read the per-side values too: a generator much more spread out than the data (e.g. noise with a
larger scale, in high dimension) can give 0.5 overall, with the real side near 1 (real points
are each other's neighbours) and the generated side near 0 (the nearest point to a far-flung
sample is a real one).

Equal sizes. When N != M the larger set is subsampled without replacement to n = min(N, M)
rows with ``numpy.random.default_rng(seed)`` (unequal sizes would shift the chance level away
from 0.5). The record's n_real and n_fake fix n = min(n_real, n_fake); with equal sizes (the
usual protocol) nothing is drawn and ``seed`` has no effect.

Shared work: the nearest same-set distances are the self 1-NN radii of
:func:`~ganbench.numerics.distances.kth_neighbour_distance`, memoised by content, so the pass
that precision-recall and density-coverage make over an equal-sized real or generated set is
reused; the two cross directions come from one pass
(:func:`~ganbench.numerics.distances.nearest_neighbours_both_ways`). Tied points (rare except
for duplicated rows) are counted with one ball pass each way over the tied points alone.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, check_seed
from ganbench.numerics.distances import (
    count_within_radii,
    kth_neighbour_distance,
    nearest_neighbours_both_ways,
)
from ganbench.numerics.resampling import take_rows


def subsample_to_equal_size(real: np.ndarray, fake: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Return ``real`` [N, D] and ``fake`` [M, D] cut to n = min(N, M) rows each.

    The larger set loses rows drawn without replacement by ``numpy.random.default_rng(seed)``
    (kept in their original order); a set of size n is returned unchanged (the same object),
    so the k-NN memo keyed by its content still applies.
    """
    n = min(real.shape[0], fake.shape[0])
    rng = np.random.default_rng(seed)

    def cut(x: np.ndarray) -> np.ndarray:
        if x.shape[0] == n:
            return x
        return x[np.sort(rng.choice(x.shape[0], size=n, replace=False))]

    return cut(real), cut(fake)


def _side_correctness(
    own: np.ndarray,
    other: np.ndarray,
    same_set: np.ndarray,
    other_set: np.ndarray,
    device: torch.device | str,
) -> np.ndarray:
    """Expected leave-one-out 1-NN correctness of each point of ``same_set`` [n, D]: float64 [n] in [0, 1].

    Args:
        own: canonical distance of each point to its nearest other point of its own set [n].
        other: canonical distance of each point to its nearest point of the other set [n].
        same_set, other_set: the two sets, to count the neighbours of tied points.
    """
    correct = (own < other).astype(np.float64)
    tied = np.flatnonzero(own == other)
    if tied.size:
        radius = own[tied]
        # points of each set within the tied point's nearest distance (canonical: exactly those at it)
        n_own = count_within_radii(same_set, same_set[tied], radius, device=device).per_ref - 1  # not itself
        n_other = count_within_radii(other_set, same_set[tied], radius, device=device).per_ref
        correct[tied] = n_own / (n_own + n_other)
    return correct


def c2st_1nn_samples(
    *, real: np.ndarray, fake: np.ndarray, seed: int = 0, device: str | torch.device = "cpu"
) -> PerSample:
    """Per-point expected 1-NN correctness of the n real and n generated points (float64 [n] each),
    each point's neighbours found in the full pool; a resample's accuracies are the means over the
    drawn points. Arguments as :func:`c2st_1nn`."""
    r, f = as_pair(real, fake, min_real=2, min_fake=2)
    r, f = subsample_to_equal_size(r, f, check_seed(seed))
    real_to_fake, fake_to_real = nearest_neighbours_both_ways(r, f, device=device)
    own_r = kth_neighbour_distance(r, 1, device=device)
    own_f = kth_neighbour_distance(f, 1, device=device)
    correct_real = _side_correctness(own_r, real_to_fake.distances[:, 0], r, f, device)
    correct_fake = _side_correctness(own_f, fake_to_real.distances[:, 0], f, r, device)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        acc_real = float(take_rows(correct_real, real_rows).mean())
        acc_fake = float(take_rows(correct_fake, fake_rows).mean())
        return {"c2st_1nn": 0.5 * (acc_real + acc_fake), "c2st_1nn_real": acc_real, "c2st_1nn_fake": acc_fake}

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


@metric(
    "c2st-1nn",
    space="features",
    directions={"c2st_1nn": 0.5, "c2st_1nn_real": 0.5, "c2st_1nn_fake": 0.5},
    reference="Lopez-Paz & Oquab 2017 (arXiv:1610.06545); Xu et al. 2018 (arXiv:1806.07755)",
    runtime=("device",),
    notes=(
        "exact ties count the expected accuracy of a random tie-break "
        "(the reference code breaks them by memory order)"
    ),
    interval="per-sample",
    per_sample=c2st_1nn_samples,
    interval_note=(
        "resamples the points' expected correctness, each point's nearest neighbours fixed in the full "
        "pool: the interval covers which points are classified, not a re-drawn pool"
    ),
)
def c2st_1nn(
    *, real: np.ndarray, fake: np.ndarray, seed: int = 0, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """Leave-one-out 1-NN accuracy of telling real from generated features.

    Args:
        real: real features [N, D], N >= 2.
        fake: generated features [M, D], M >= 2.
        seed: draws the subsample of the larger set when N != M (see the module docstring).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``c2st_1nn``: accuracy over all 2n points, n = min(N, M); ``c2st_1nn_real`` and
        ``c2st_1nn_fake``: accuracy over the real and the generated points. All in [0, 1],
        target 0.5; about 1.0 for sets that are far apart, below 0.5 for a generator whose
        samples are closer to the real points than those are to each other (memorisation).
    """
    return c2st_1nn_samples(real=real, fake=fake, seed=seed, device=device).value()
