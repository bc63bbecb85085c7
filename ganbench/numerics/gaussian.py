"""Gaussian statistics of feature sets and the Fréchet distance between two Gaussians (FID, FID-infinity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ganbench.numerics.checks import as_features, positive_int
from ganbench.numerics.memo import Memo, fingerprint, readonly

# D x D float64 = 32 MiB at D = 2048; four entries keep real, fake and a spare or two.
_STATS_MEMO = Memo(maxsize=4)


def mean_and_covariance(
    x: object, *, cache: bool = True, chunk_rows: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] (divisor N - 1, as ``np.cov``) of rows [N, D], float64.

    Two passes over row chunks (mean, then centred scatter, in float64 also for float32 input),
    so memory is O(D²) beyond the input and the result equals ``np.cov(x, rowvar=False)`` to
    rounding. With ``cache`` the
    pair is memoised by content (see :func:`~ganbench.numerics.memo.fingerprint`; four
    entries), so FID and FID-infinity share the real set's statistics; the returned arrays are
    read-only.
    """
    arr = as_features("x", x, min_rows=2)
    chunk_rows = positive_int("chunk_rows", chunk_rows)

    def compute() -> tuple[np.ndarray, np.ndarray]:
        n, d = arr.shape
        mu = np.zeros(d)
        for i in range(0, n, chunk_rows):
            mu += arr[i : i + chunk_rows].sum(axis=0, dtype=np.float64)
        mu /= n
        scatter = np.zeros((d, d))
        buffer = np.empty((min(chunk_rows, n), d))
        for i in range(0, n, chunk_rows):
            c = np.subtract(arr[i : i + chunk_rows], mu, out=buffer[: min(chunk_rows, n - i)])
            scatter += c.T @ c  # numpy sees one operand and its transpose: a symmetric (syrk) product
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


def _trace_factor(sigma: np.ndarray) -> np.ndarray:
    """A factor F [D, D] with ``F Fᵀ = Σ`` for a symmetric PSD Σ [D, D]: the Cholesky factor when Σ is
    positive definite (a tenth of the cost of an eigendecomposition), else the symmetric root.

    ``Fᵀ Σ2 F`` is symmetric and similar to ``Σ Σ2`` (``Fᵀ Σ2 F = F⁻¹ (Σ Σ2) F``; for a singular
    Σ its non-zero eigenvalues are those of ``Σ Σ2``), so ``Tr (Σ Σ2)^½`` is the sum of the square
    roots of its eigenvalues, from one symmetric eigenvalue solve without vectors.
    """
    try:
        return np.linalg.cholesky(sigma)
    except np.linalg.LinAlgError:  # singular (fewer samples than dimensions) or rounding-negative
        return _psd_sqrt(sigma)


def frechet_distance(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), float64.

    ``‖μ1 − μ2‖² + Tr Σ1 + Tr Σ2 − 2 Tr (Σ1^½ Σ2 Σ1^½)^½`` (Dowson & Landau 1982; used for FID by
    Heusel et al. 2017, arXiv:1706.08500). ``Tr (Σ1 Σ2)^½`` has the same value as the trace of the
    symmetric form ``Fᵀ Σ2 F`` with ``F Fᵀ = Σ1`` (Cholesky, or the symmetric root when Σ1 is
    singular), which needs one symmetric eigenvalue solve, so it is real and finite for
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

    The factor of Σ1 (:func:`_trace_factor`, a Cholesky factorisation) is computed once and
    shared, so FID-infinity's FIDs at several sample sizes against one real set cost one
    eigenvalue solve each; every value equals ``frechet_distance(mu1, sigma1, mu2, sigma2)``.

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
    factor = _trace_factor(s1) if pairs else s1
    values = []
    for mu2, s2 in pairs:
        s2 = 0.5 * (s2 + s2.T)
        inner = factor.T @ s2 @ factor
        inner = 0.5 * (inner + inner.T)
        tr_covmean = float(np.sqrt(np.clip(np.linalg.eigvalsh(inner), 0.0, None)).sum())
        diff = mu1 - mu2
        value = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean)
        values.append(max(value, 0.0))
    return values
