"""Inception Score (IS).

Salimans, Goodfellow, Zaremba, Cheung, Radford & Chen 2016, "Improved Techniques for Training
GANs", arXiv:1606.03498: ``exp(E_x KL(p(y|x) ‖ p(y)))`` with ``p(y)`` the mean posterior of the
split. Matches ``torch_fidelity.metric_isc.isc_features_to_metric(logits, splits, shuffle=True,
rng_seed=seed)`` (torch-fidelity 0.4.0): the same shuffle, split boundaries and std.
"""

from __future__ import annotations

import numpy as np
import torch

from ganbench.metrics.spec import metric
from ganbench.numerics.checks import as_features, check_seed, positive_int


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
    p̄(y)))`` in float64, with ``0 · log 0 = 0``; ``KL = Σ_y p log p − p · log p̄`` (the second
    term one matrix-vector product per split).

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
    logits = as_features("fake", fake, min_rows=splits)
    if logits.shape[1] < 2:
        raise ValueError(f"IS needs logits over at least 2 classes; got shape {logits.shape}")
    n = len(logits)
    order = torch.from_numpy(np.random.RandomState(seed).permutation(n))
    source = torch.from_numpy(logits)
    scores = np.empty(splits)
    for i in range(splits):  # split by split: small blocks stay in cache, both cores work
        log_p = torch.log_softmax(source[order[i * n // splits : (i + 1) * n // splits]].double(), dim=1)
        p = torch.exp(log_p)
        marginal = p.mean(dim=0)
        # a class no row of the split gives any mass contributes 0 · log 0 = 0: any finite log works
        log_marginal = torch.where(marginal > 0, torch.log(marginal), torch.zeros_like(marginal))
        kl = (p * log_p).sum(dim=1) - p @ log_marginal  # p = 0 where log p < -745: 0 · finite = 0
        scores[i] = float(torch.exp(kl.mean()))
    return {"is": float(scores.mean()), "is_std": float(scores.std())}
