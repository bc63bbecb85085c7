"""Shared math for the classifier-posterior measures and for comparing discrete distributions.

Used by ``mode_score``, ``am_score``, ``m_is`` and ``class_coverage`` (softmax of the domain
classifier's logits, entropies, KL divergences, the class prior ``p*(y)``) and by ``ndb``
(Jensen–Shannon divergence of bin histograms). All functions are pure and work in float64;
logarithms are natural (nats), and ``0 · log 0 = 0``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy

from ganbench.metrics._common import as_pair


def check_logits(real: object, fake: object, *, min_rows: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Check a pair of logit arrays [N, K] and [M, K] (same K, K >= 2, M >= ``min_rows``); return float64."""
    r, f = as_pair(real, fake, min_fake=min_rows)
    if f.shape[1] < 2:
        raise ValueError(f"logits need at least 2 classes; got shape {f.shape}")
    return r, f


def check_prior(class_prior: object, n_classes: int) -> np.ndarray:
    """Check the class prior ``p*(y)`` (float64 [K], non-negative, summing to 1) and renormalise it exactly.

    Raises:
        ValueError: wrong length, negative or non-finite entries, or a sum away from 1 (pass
            ``counts / counts.sum()`` rather than raw label counts).
    """
    prior = np.asarray(class_prior, dtype=np.float64)
    if prior.shape != (n_classes,):
        raise ValueError(f"class_prior must have shape ({n_classes},) to match the logits; got {prior.shape}")
    if not np.all(np.isfinite(prior)) or np.any(prior < 0):
        raise ValueError("class_prior must be finite and non-negative")
    total = prior.sum()
    if not np.isclose(total, 1.0, rtol=0.0, atol=1e-4):
        raise ValueError(
            f"class_prior must sum to 1 (it is p*(y)); got sum {total:.6g}; pass counts / counts.sum()"
        )
    return prior / total


def floor_distribution(p: np.ndarray, eps: float) -> np.ndarray:
    """Raise every entry of a distribution [K] to at least ``eps`` and renormalise to sum 1.

    Used on the prior in ``q`` position of a KL divergence, so that a class absent from the
    training labels gives a large finite divergence rather than ``inf``.
    """
    q = np.maximum(p, eps)
    return q / q.sum()


def log_softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable ``log softmax`` along the last axis: float64 [N, K] -> [N, K]."""
    z = np.asarray(logits, dtype=np.float64)
    z = z - z.max(axis=-1, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=-1, keepdims=True))


def softmax(logits: np.ndarray) -> np.ndarray:
    """Numerically stable softmax along the last axis: [N, K] logits -> [N, K] posteriors p(y|x)."""
    return np.exp(log_softmax(logits))


def entropy(p: np.ndarray, axis: int = -1) -> np.ndarray:
    """Shannon entropy ``H(p) = -sum p log p`` in nats along ``axis`` (``0 · log 0 = 0``)."""
    return -xlogy(p, p).sum(axis=axis)


def kl_divergence(p: np.ndarray, q: np.ndarray, axis: int = -1) -> np.ndarray:
    """``KL(p || q) = sum p (log p - log q)`` in nats along ``axis``; ``inf`` where ``q = 0 < p``.

    Args:
        p, q: distributions, broadcastable, e.g. [N, K] and [K].
    """
    return (xlogy(p, p) - xlogy(p, q)).sum(axis=axis)


def js_divergence(p: np.ndarray, q: np.ndarray, axis: int = -1) -> np.ndarray:
    """Jensen–Shannon divergence in nats along ``axis``: ``(KL(p||m) + KL(q||m)) / 2``.

    ``m = (p + q) / 2``; p, q: distributions, e.g. [K] (a 0-d result) or [C, K] (one per row).
    Bounded by ``log 2``; this is the divergence, not its square root
    (``scipy.spatial.distance.jensenshannon`` returns the square root).
    """
    m = 0.5 * (p + q)
    return 0.5 * kl_divergence(p, m, axis) + 0.5 * kl_divergence(q, m, axis)
