"""Improved precision and recall (k-NN manifolds).

Kynkäänniemi, Karras, Laine, Lehtinen & Aila 2019, "Improved Precision and Recall Metric for
Assessing Generative Models", arXiv:1904.06991. Matches
``torch_fidelity.metric_prc.prc_features_to_metric(fake, real, prc_neighborhood=k)``
(torch-fidelity 0.4.0; its input 1 is the generated set, input 2 the real set), including its
inclusive ball test ``d <= radius``.
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics._common import as_pair, count_within_radii, kth_neighbour_distance
from ganbench.metrics._spec import metric


@metric(
    "precision-recall",
    space="features",
    directions={"precision": "higher", "recall": "higher"},
    reference="Kynkäänniemi et al. 2019 (arXiv:1904.06991); torch_fidelity.metric_prc.prc_features_to_metric",
)
def precision_recall(*, real: np.ndarray, fake: np.ndarray, k: int = 3) -> dict[str, float]:
    """Share of generated samples on the real manifold, and of real samples on the generated one.

    A manifold is the union of balls around a set's points, each reaching the point's k-th
    nearest other point of the same set. The radii come from the shared, memoised k-NN pass
    (``_common.kth_neighbour_distance``), so density-coverage on the same real set reuses it.

    Args:
        real: features [N, D], N > k.
        fake: features [M, D], M > k.
        k: neighbourhood size (3 in the paper).

    Returns:
        ``{"precision": float, "recall": float}``, both in [0, 1]; higher is better.
    """
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ValueError(f"k must be a positive integer; got {k!r}")
    r, f = as_pair(real, fake, min_real=k + 1, min_fake=k + 1)
    precision = count_within_radii(f, r, kth_neighbour_distance(r, k), inclusive=True).any.mean()
    recall = count_within_radii(r, f, kth_neighbour_distance(f, k), inclusive=True).any.mean()
    return {"precision": float(precision), "recall": float(recall)}
