"""Gaussian statistics of feature sets and the Fréchet distance between two Gaussians (FID, FID-infinity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganbench.numerics.checks import as_matrix, positive_int
from ganbench.numerics.memo import Memo, fingerprint, readonly

# D x D float64 = 32 MiB at D = 2048; four entries keep real, fake and a spare or two.
_STATS_MEMO = Memo(maxsize=4)


def mean_and_covariance(
    x: object, *, cache: bool = True, chunk_rows: int = 8192
) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] (divisor N - 1, as ``np.cov``) of rows [N, D], float64.

    Two passes over row chunks (mean, then centred scatter), so memory is O(D²) beyond the
    input and the result equals ``np.cov(x, rowvar=False)`` to rounding. With ``cache`` the
    pair is memoised by content (see :func:`~ganbench.numerics.memo.fingerprint`; four
    entries), so FID and FID-infinity share the real set's statistics; the returned arrays are
    read-only.
    """
    arr = as_matrix("x", x, min_rows=2)
    chunk_rows = positive_int("chunk_rows", chunk_rows)

    def compute() -> tuple[np.ndarray, np.ndarray]:
        n, d = arr.shape
        mu = np.zeros(d)
        for i in range(0, n, chunk_rows):
            mu += arr[i : i + chunk_rows].sum(axis=0)
        mu /= n
        scatter = np.zeros((d, d))
        for i in range(0, n, chunk_rows):
            c = arr[i : i + chunk_rows] - mu
            scatter += c.T @ c
        sigma = scatter / (n - 1)
        sigma = 0.5 * (sigma + sigma.T)
        return readonly(mu), readonly(sigma)

    if not cache:
        return compute()
    return _STATS_MEMO.get_or_compute(("stats", fingerprint(arr)), compute)


def _psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix [D, D]; eigenvalues below 0 (rounding) -> 0."""
    w, v = np.linalg.eigh(sigma)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), float64.

    ``‖μ1 − μ2‖² + Tr Σ1 + Tr Σ2 − 2 Tr (Σ1^½ Σ2 Σ1^½)^½`` (Dowson & Landau 1982; used for FID by
    Heusel et al. 2017, arXiv:1706.08500). ``Tr (Σ1 Σ2)^½`` has the same value as the trace of the
    symmetric form, which needs only symmetric eigendecompositions, so it is real and finite for
    rank-deficient covariances (D > N); eigenvalues that rounding pushes below zero are clipped.
    The result is clipped at 0 (it can come out at about -1e-12 for identical statistics).

    Args:
        mu1, mu2: means [D].
        sigma1, sigma2: covariances [D, D] (symmetric positive semi-definite).
    """
    return frechet_distances(mu1, sigma1, [(mu2, sigma2)])[0]


def frechet_distances(
    mu1: np.ndarray, sigma1: np.ndarray, others: Sequence[tuple[np.ndarray, np.ndarray]]
) -> list[float]:
    """:func:`frechet_distance` from N(mu1, sigma1) to each N(mu2, sigma2) of ``others``, float64.

    The square root Σ1^½ (one eigendecomposition of a D x D matrix) is computed once and shared,
    so FID-infinity's FIDs at several sample sizes against one real set cost one decomposition
    each instead of two; every value equals ``frechet_distance(mu1, sigma1, mu2, sigma2)``.

    Args:
        mu1: mean [D]; sigma1: covariance [D, D] of the reference Gaussian.
        others: pairs (mean [D], covariance [D, D]).
    """
    mu1 = np.asarray(mu1, dtype=np.float64)
    s1 = np.asarray(sigma1, dtype=np.float64)
    d = mu1.shape[0] if mu1.ndim == 1 else -1
    pairs = [(np.asarray(m, dtype=np.float64), np.asarray(s, dtype=np.float64)) for m, s in others]
    for mu2, s2 in pairs:
        if mu1.shape != (d,) or mu2.shape != (d,) or s1.shape != (d, d) or s2.shape != (d, d):
            raise ValueError(
                f"expected means [D] and covariances [D, D] of one D; got {mu1.shape}, {s1.shape}, "
                f"{mu2.shape}, {s2.shape}"
            )
    s1 = 0.5 * (s1 + s1.T)
    root1 = _psd_sqrt(s1) if pairs else s1
    values = []
    for mu2, s2 in pairs:
        s2 = 0.5 * (s2 + s2.T)
        inner = root1 @ s2 @ root1
        inner = 0.5 * (inner + inner.T)
        tr_covmean = float(np.sqrt(np.clip(np.linalg.eigvalsh(inner), 0.0, None)).sum())
        diff = mu1 - mu2
        value = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean)
        values.append(max(value, 0.0))
    return values
