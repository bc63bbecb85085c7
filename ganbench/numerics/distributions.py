"""Discrete distributions: softmax of logits, entropy, KL and Jensen–Shannon divergences.

Used by the class-posterior measures (``mode-score``, ``am-score``, ``m-is``,
``class-coverage``: softmax of the classifier's logits, entropies, KL divergences against the
class prior ``p*(y)``) and by ``ndb`` and ``image-stats`` (Jensen–Shannon divergence of
histograms). All functions are pure and work in float64;
logarithms are natural (nats), and ``0 · log 0 = 0``.
"""

from __future__ import annotations

import numpy as np
from scipy.special import xlogy


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
