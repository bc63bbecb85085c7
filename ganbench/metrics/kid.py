"""Kernel Inception Distance (KID).

Bińkowski, Sutherland, Arbel & Gretton 2018, "Demystifying MMD GANs", arXiv:1801.01401:
the unbiased MMD² with the cubic polynomial kernel ``k(a, b) = (a·b / d + 1)³``, averaged over
random subsets. Matches ``torch_fidelity.metric_kid.kid_features_to_metric`` (torch-fidelity
0.4.0) called as ``kid_features_to_metric(fake, real, rng_seed=seed, ...)``: torch-fidelity's
input 1 is the generated set, and it draws input 1's subset first in each round.

A set that ``subset_size`` takes whole (``subset_size`` = its size, the usual case at 1,000
samples) is the same set in every round, in another order, and MMD² does not depend on the
order: its kernel matrices are computed once, in the set's own order, and a round whose two
subsets are both whole sets is computed once for all rounds. The value is then the same as
torch-fidelity's up to rounding (its per-round values differ in the last bits; ``kid_std`` is
exactly 0 here).

Bootstrap (per-sample): a resample is KID recomputed on the resampled sets, with the kernel
values of the whole sets reused, and a row's copies not counted as pairs of distinct samples
(:func:`~ganbench.numerics.kernels.mmd2_unbiased` with multiplicities; counting them would add
k(x, x) to about 1/N of the pairs and bias each replicate upwards by about as much as KID
itself for a good generator).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics import active_pass
from ganbench.numerics.checks import as_pair, check_seed, integer
from ganbench.numerics.distances import to_tensor
from ganbench.numerics.kernels import kid_rounds, mmd2_unbiased, polynomial_kernel
from ganbench.numerics.resampling import row_counts
from ganbench.numerics.shared_pass import KidPlan, Needs, kid_alone


class _SetSide:
    """One set's rows as the rounds of KID draw them, under a resample of its rows.

    A set that every round takes whole has its kernel matrix with itself computed once (in the
    set's own order); otherwise each round's subset is gathered and its kernels computed.
    """

    def __init__(self, features: torch.Tensor, subset_size: int) -> None:
        self.features = features
        self.size = features.shape[0]
        self.whole = subset_size == self.size

    def round_rows(self, positions: np.ndarray, rows: Rows) -> tuple[np.ndarray, torch.Tensor | None]:
        """The set rows of one round (positions [s] in the resample, or the whole set) and their
        multiplicities (``None``: each row once). Copies of a row are merged into one row of weight k."""
        chosen = np.arange(self.size) if self.whole else positions
        if rows is None:
            return chosen, None
        if self.whole:
            return chosen, torch.from_numpy(row_counts(rows, self.size)).to(self.features.device)
        distinct, counts = np.unique(rows[chosen], return_counts=True)
        return distinct, torch.from_numpy(counts.astype(np.float64)).to(self.features.device)


def _checked(
    real: object, fake: object, subsets: object, subset_size: object, degree: object, seed: object, **kw: bool
) -> tuple[np.ndarray, np.ndarray, int, int, int, int]:
    """The checked inputs and parameters of KID (``kw``: ``keep_float32`` for :func:`as_pair`)."""
    r, f = as_pair(real, fake, **kw)
    seed = check_seed(seed)
    subsets = integer("KID subsets", subsets, minimum=1)
    subset_size = integer("KID subset_size", subset_size, minimum=2)
    degree = integer("KID degree", degree, minimum=1)
    if subset_size > min(len(r), len(f)):
        raise ValueError(
            f"KID subset_size={subset_size} exceeds the number of samples (real: {len(r)}, fake: {len(f)}); "
            f"pass a smaller subset_size (at most {min(len(r), len(f))}) or provide more samples"
        )
    return r, f, subsets, subset_size, degree, seed


def kid_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> PerSample:
    """KID's rounds and the kernel matrices of the sets that every round takes whole; a resample's
    reduction is KID on the resampled sets (see the module docstring). Arguments as :func:`kid`."""
    r, f, subsets, subset_size, degree, seed = _checked(real, fake, subsets, subset_size, degree, seed)
    device = torch.device(device)
    gen, ref = _SetSide(to_tensor(f, device), subset_size), _SetSide(to_tensor(r, device), subset_size)
    rounds = kid_rounds(len(r), len(f), subsets, subset_size, seed)  # torch-fidelity's draws
    whole_kernels: dict[str, torch.Tensor] = {}  # computed once: the same in every round and resample
    if gen.whole:
        whole_kernels["ff"] = polynomial_kernel(gen.features, gen.features, degree)
    if ref.whole:
        whole_kernels["rr"] = polynomial_kernel(ref.features, ref.features, degree)
    if gen.whole and ref.whole:
        whole_kernels["fr"] = polynomial_kernel(gen.features, ref.features, degree)

    def kernel(pair: str, a: _SetSide, a_rows: np.ndarray, b: _SetSide, b_rows: np.ndarray) -> torch.Tensor:
        if pair in whole_kernels:
            return whole_kernels[pair]
        ia = torch.from_numpy(a_rows).to(device)
        ib = torch.from_numpy(b_rows).to(device)
        return polynomial_kernel(a.features[ia], b.features[ib], degree)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        mmds = np.empty(subsets)
        done: dict[tuple[int, int], float] = {}
        for i, (fake_positions, real_positions) in enumerate(rounds):
            key = (-1 if gen.whole else i, -1 if ref.whole else i)  # whole sets: one round for all
            if key not in done:
                x_rows, w_x = gen.round_rows(fake_positions, fake_rows)
                y_rows, w_y = ref.round_rows(real_positions, real_rows)
                done[key] = mmd2_unbiased(
                    kernel("ff", gen, x_rows, gen, x_rows),
                    kernel("fr", gen, x_rows, ref, y_rows),
                    kernel("rr", ref, y_rows, ref, y_rows),
                    w_x,
                    w_y,
                )
            mmds[i] = done[key]
        if len(done) == 1:  # every round the same pair of whole sets: exactly one value, no spread
            return {"kid": next(iter(done.values())), "kid_std": 0.0}
        return {"kid": float(mmds.mean()), "kid_std": float(mmds.std())}

    def value_or_resample(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        if real_rows is None and fake_rows is None:  # the value itself: the same as kid() gives
            return _kid_value(real, fake, subsets, subset_size, degree, seed, device)
        return reduce(real_rows, fake_rows)

    return PerSample(n_real=len(r), n_fake=len(f), reduce=value_or_resample)


def _kid_value(
    real: object, fake: object, subsets: int, subset_size: int, degree: int, seed: int, device: object
) -> dict[str, float]:
    """KID from the float32 Gram tiles: a battery's shared pass when one is in force for these very
    arrays, else a pass of its own (:mod:`ganbench.numerics.shared_pass`)."""
    r, f, subsets, subset_size, degree, seed = _checked(
        real, fake, subsets, subset_size, degree, seed, keep_float32=True
    )
    plan = KidPlan(subsets, subset_size, degree, seed)
    found = active_pass.ask("kid", r, f, plan)
    value, std = found if found is not None else kid_alone(r, f, plan, device=device)
    return {"kid": value, "kid_std": std}


def _needs(params: Mapping[str, Any]) -> Needs:
    return Needs(
        kid={
            KidPlan(
                int(params["subsets"]), int(params["subset_size"]), int(params["degree"]), int(params["seed"])
            )
        }
    )


@metric(
    "kid",
    space="features",
    directions={"kid": "lower"},
    reference="Bińkowski et al. 2018 (arXiv:1801.01401); torch_fidelity.metric_kid.kid_features_to_metric",
    runtime=("device",),
    interval="per-sample",
    per_sample=kid_samples,
    shared_needs=_needs,
    interval_note=(
        "KID of each resample, a row's copies not counted as pairs (recomputing on duplicated rows biases "
        "every replicate upwards); kernels computed once when subset_size takes the whole sets (n <= 1000 "
        "by default), else each round's kernels per resample"
    ),
)
def kid(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    degree: int = 3,
    seed: int = 0,
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """Mean and spread of the unbiased polynomial-kernel MMD² over random subsets.

    Each of ``subsets`` rounds draws ``subset_size`` generated rows, then ``subset_size`` real
    rows, without replacement, from ``numpy.random.RandomState(seed)`` (torch-fidelity's order
    and calls), and computes ``mmd2_unbiased`` on the three kernel matrices in float64 on the
    compute ``device``. torch-fidelity computes in the input's
    dtype, so on float32 features it differs from this float64 value by its own rounding.

    Args:
        real: features [N, D].
        fake: features [M, D].
        subsets: number of rounds (>= 1).
        subset_size: rows per set per round; at most min(N, M).
        degree: polynomial degree (3 in the paper).
        seed: seed of the subset draws.
        device: where the kernel matrices are computed (runtime, not recorded).

    Returns:
        ``{"kid": mean, "kid_std": std}`` (std with divisor ``subsets``, as numpy's default; 0
        when every round takes both sets whole);
        lower is better; slightly negative values are valid (unbiased estimate of 0). When the
        two sets share rows (e.g. identical sets) and ``subset_size`` is a large share of them,
        the real and fake subsets overlap and the value is biased below 0, here as in
        torch-fidelity.
    """
    return _kid_value(real, fake, subsets, subset_size, degree, seed, device)
