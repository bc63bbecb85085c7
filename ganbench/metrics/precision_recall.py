"""Improved precision and recall (k-NN manifolds).

Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, "Improved Precision and Recall Metric for
Assessing Generative Models", arXiv:1904.06991. Matches
``torch_fidelity.metric_prc.prc_features_to_metric(fake, real, prc_neighborhood=k)``
(torch-fidelity 0.4.0; its input 1 is the generated set, input 2 the real set), including its
inclusive ball test ``d <= radius``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.checks import as_pair, positive_int
from ganbench.numerics.distances import ball_members, kth_neighbour_distance
from ganbench.numerics.resampling import take_rows
from ganbench.numerics.shared_pass import BallTest, Needs


def precision_recall_samples(
    *, real: np.ndarray, fake: np.ndarray, k: int = 3, device: str | torch.device = "cpu"
) -> PerSample:
    """Per-sample manifold memberships: each generated row in the real manifold, each real row in
    the generated one (bool [M], [N]), with both manifolds built on the full sets; a resample's
    precision and recall are the shares among the drawn rows. Arguments as :func:`precision_recall`."""
    k = positive_int("k", k)
    r, f = as_pair(real, fake, min_real=k + 1, min_fake=k + 1, keep_float32=True)
    radii_r = kth_neighbour_distance(r, k, device=device)
    radii_f = kth_neighbour_distance(f, k, device=device)
    fake_in_real = ball_members(f, r, radii_r, inclusive=True, per_query="any", per_ref=None, device=device)
    real_in_fake = ball_members(r, f, radii_f, inclusive=True, per_query="any", per_ref=None, device=device)
    fake_in_real, real_in_fake = fake_in_real.per_query, real_in_fake.per_query

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        return {
            "precision": float(take_rows(fake_in_real, fake_rows).mean()),
            "recall": float(take_rows(real_in_fake, real_rows).mean()),
        }

    return PerSample(n_real=r.shape[0], n_fake=f.shape[0], reduce=reduce)


def _needs(params: Mapping[str, Any]) -> Needs:
    k = int(params["k"])
    return Needs(
        knn={"real": k, "fake": k},
        tests={BallTest(side, k, inclusive=True, per_query="any", per_ref=None) for side in ("real", "fake")},
    )


@metric(
    "precision-recall",
    space="features",
    directions={"precision": "higher", "recall": "higher"},
    aspects={"precision": ("fidelity",), "recall": ("diversity",)},
    reference="Kynkäänniemi et al. 2019 (arXiv:1904.06991); torch_fidelity.metric_prc.prc_features_to_metric",
    runtime=("device",),
    min_samples=lambda p: p["k"] + 1,
    interval="per-sample",
    per_sample=precision_recall_samples,
    shared_needs=_needs,
    interval_note=(
        "resamples the rows' manifold memberships, both manifolds (radii and centres) fixed on the full "
        "sets: precision's interval is given the real set, recall's given the generated set"
    ),
)
def precision_recall(
    *, real: np.ndarray, fake: np.ndarray, k: int = 3, device: str | torch.device = "cpu"
) -> dict[str, float]:
    """Share of generated samples on the real manifold, and of real samples on the generated one.

    A manifold is the union of balls around a set's points, each reaching the point's k-th
    nearest other point of the same set. The radii come from the shared, memoised k-NN pass
    (:func:`~ganbench.numerics.distances.kth_neighbour_distance`), so density-coverage on the
    same real set reuses it. Distances are canonical, so a point at exactly a radius is inside
    on every machine.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M > k.
        k: neighbourhood size (3 in the paper).
        device: where the distance tiles are computed (runtime; the value does not depend on it).

    Returns:
        ``{"precision": float, "recall": float}``, both in [0, 1]; higher is better.
    """
    return precision_recall_samples(real=real, fake=fake, k=k, device=device).value()
