"""Fréchet Inception Distance (FID).

Heusel, Ramsauer, Unterthiner, Nessler & Hochreiter 2017, "GANs trained by a two time-scale
update rule converge to a local Nash equilibrium", arXiv:1706.08500. Matches
``torch_fidelity.metric_fid`` (``fid_features_to_statistics`` + ``fid_statistics_to_metric``,
torch-fidelity 0.4.0) and the ``scipy.linalg.sqrtm`` form, with a square root that stays real
and finite on rank-deficient covariances (see :func:`ganbench.metrics._common.frechet_distance`).
"""

from __future__ import annotations

import numpy as np

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_pair
from ganbench.numerics.gaussian import frechet_distance_of_rows


@metric(
    "fid",
    space="features",
    directions={"fid": "lower"},
    reference="Heusel et al. 2017 (arXiv:1706.08500); torch_fidelity.metric_fid",
    interval="recompute",
)
def fid(*, real: np.ndarray, fake: np.ndarray) -> dict[str, float]:
    """FID between the Gaussians fitted to real and generated features.

    ``‖μ_r − μ_f‖² + Tr(Σ_r + Σ_f − 2 (Σ_r Σ_f)^½)`` with float64 means and unbiased (N − 1)
    covariances. Each set's statistics are memoised by content, so FID-infinity and repeated
    evaluations against one real set reuse them; a set with fewer rows than dimensions takes the
    rows' Gram route (:func:`~ganbench.numerics.gaussian.frechet_distance_of_rows`), the same value.

    Args:
        real: features [N, D], N >= 2.
        fake: features [M, D], M >= 2.

    Returns:
        ``{"fid": value}``, >= 0; lower is better. With fewer samples than dimensions the
        covariances are rank-deficient: the value stays finite but is strongly biased upwards.
    """
    r, f = as_pair(real, fake, min_real=2, min_fake=2, keep_float32=True)
    return {"fid": frechet_distance_of_rows(r, f)}
