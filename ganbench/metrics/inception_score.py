"""Inception Score (IS).

Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen 2016, "Improved Techniques for Training
GANs", arXiv:1606.03498: ``exp(E_x KL(p(y|x) ‖ p(y)))`` with ``p(y)`` the mean posterior of the
split. Matches ``torch_fidelity.metric_isc.isc_features_to_metric(logits, splits, shuffle=True,
rng_seed=seed)`` (torch-fidelity 0.4.0): the same shuffle, split boundaries and std.
"""

from __future__ import annotations

import numpy as np
from scipy.special import log_softmax

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_matrix, check_seed, positive_int


@metric(
    "is",
    space="logits",
    directions={"is": "higher"},
    reference="Salimans et al. 2016 (arXiv:1606.03498); torch_fidelity.metric_isc.isc_features_to_metric",
    min_samples=lambda p: p["splits"],
    interval="recompute",
)
def inception_score(
    *,
    real: np.ndarray | None = None,
    fake: np.ndarray,
    splits: int = 10,
    seed: int = 0,
) -> dict[str, float]:
    """Inception Score of the generated set, mean and std over ``splits`` splits.

    The rows are shuffled with ``numpy.random.RandomState(seed).permutation(M)``, then split
    ``i`` is rows ``[i·M // splits, (i+1)·M // splits)``; per split, ``exp(mean_x KL(p(y|x) ‖
    p̄(y)))`` in float64, with ``0 · log 0 = 0``.

    Args:
        real: accepted and unused: IS looks at the generated set alone, but every metric takes
            ``real=`` and ``fake=`` so that the pipeline calls them all alike.
        fake: classifier logits [M, K] (not probabilities; the softmax is applied here), K >= 2.
        splits: number of splits, 1 <= splits <= M.
        seed: seed of the shuffle.

    Returns:
        ``{"is": mean, "is_std": std}`` (std with divisor ``splits``); higher is better, from 1
        (every sample gets the same posterior) to K (confident and balanced over K classes).
    """
    del real  # unused by definition; see Args
    seed = check_seed(seed)
    splits = positive_int("splits", splits)
    logits = as_matrix("fake", fake, min_rows=splits)
    if logits.shape[1] < 2:
        raise ValueError(f"IS needs logits over at least 2 classes; got shape {logits.shape}")
    n = len(logits)
    log_p = log_softmax(logits[np.random.RandomState(seed).permutation(n)], axis=1)
    p = np.exp(log_p)
    scores = np.empty(splits)
    for i in range(splits):
        rows = slice(i * n // splits, (i + 1) * n // splits)
        p_s, log_p_s = p[rows], log_p[rows]
        with np.errstate(divide="ignore"):
            log_marginal = np.log(p_s.mean(axis=0))
        kl = np.where(p_s > 0, p_s * (log_p_s - log_marginal), 0.0).sum(axis=1)
        scores[i] = np.exp(kl.mean())
    return {"is": float(scores.mean()), "is_std": float(scores.std())}
