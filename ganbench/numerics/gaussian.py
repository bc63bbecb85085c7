"""Gaussian statistics of feature sets and the Fréchet distance between two Gaussians (FID, FID-infinity)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.linalg import blas

from ganbench.numerics.checks import as_features, positive_int
from ganbench.numerics.memo import Memo, fingerprint, readonly
from ganbench.runtime import blas_on_every_core

# D x D float64 = 32 MiB at D = 2048; six entries keep real, fake, the real set's factor and spares.
_STATS_MEMO = Memo(maxsize=6)


def mean_and_covariance(
    x: object, *, cache: bool = True, chunk_rows: int = 2048
) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] (divisor N - 1, as ``np.cov``) of rows [N, D], float64.

    Two passes over row chunks (mean, then centred scatter), so memory is O(D²) beyond the
    input: each chunk is centred in float64 (float32 rows are widened chunk by chunk, never the
    whole set) and its scatter is a symmetric product (BLAS syrk: half of a full product), so the
    result equals ``np.cov(x, rowvar=False)`` to rounding. (A float32 scatter would be twice as
    fast, but its rounding fills the null space of a rank-deficient or ill-conditioned covariance
    and moves FID by ~1e-4 relative at 1,000 x 2048: not accurate enough.)

    The result is exactly symmetric. With ``cache`` the pair is memoised by content (see
    :func:`~ganbench.numerics.memo.fingerprint`), so FID and FID-infinity share the real set's
    statistics; the returned arrays are read-only.
    """
    arr = as_features("x", x, min_rows=2)
    chunk_rows = positive_int("chunk_rows", chunk_rows)

    def compute() -> tuple[np.ndarray, np.ndarray]:
        with blas_on_every_core():
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
            return readonly(mu), readonly(scatter / (n - 1))

    if not cache:
        return compute()
    return _STATS_MEMO.get_or_compute(("stats", fingerprint(arr)), compute)


def _psd_sqrt(sigma: np.ndarray) -> np.ndarray:
    """Symmetric square root of a symmetric PSD matrix [D, D]; eigenvalues below 0 (rounding) -> 0."""
    w, v = np.linalg.eigh(sigma)
    return (v * np.sqrt(np.clip(w, 0.0, None))) @ v.T


def _symmetric(sigma: np.ndarray) -> np.ndarray:
    """``(Σ + Σᵀ) / 2``, or Σ itself when it is exactly symmetric (the covariances made here are)."""
    return sigma if np.array_equal(sigma, sigma.T) else 0.5 * (sigma + sigma.T)


def _congruence(factor: np.ndarray, sigma: np.ndarray, triangular: bool) -> np.ndarray:
    """``Fᵀ Σ F`` for F, Σ [D, D]; with a lower-triangular F two triangular products (half the work)."""
    if not triangular:
        return factor.T @ sigma @ factor
    right = blas.dtrmm(1.0, factor, sigma, side=1, lower=1)  # Σ F
    return blas.dtrmm(1.0, factor, right, side=0, lower=1, trans_a=1, overwrite_b=1)  # Fᵀ (Σ F)


def _trace_factor(sigma: np.ndarray) -> tuple[np.ndarray, bool]:
    """A factor F [D, D] with ``F Fᵀ = Σ`` for a symmetric PSD Σ [D, D]: the Cholesky factor when Σ is
    positive definite (a tenth of the cost of an eigendecomposition), else the symmetric root.

    ``Fᵀ Σ2 F`` is symmetric and similar to ``Σ Σ2`` (``Fᵀ Σ2 F = F⁻¹ (Σ Σ2) F``; for a singular
    Σ its non-zero eigenvalues are those of ``Σ Σ2``), so ``Tr (Σ Σ2)^½`` is the sum of the square
    roots of its eigenvalues, from one symmetric eigenvalue solve without vectors.

    Returns the factor and whether it is (lower) triangular; memoised by the content of Σ, so
    repeated evaluations against one real set factorise it once.
    """

    def compute() -> tuple[np.ndarray, bool]:
        try:
            return readonly(np.linalg.cholesky(sigma)), True
        except np.linalg.LinAlgError:  # singular (fewer samples than dimensions) or rounding-negative
            return readonly(_psd_sqrt(sigma)), False

    return _STATS_MEMO.get_or_compute(("trace-factor", fingerprint(sigma)), compute)


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
    with blas_on_every_core():
        return _frechet_values(mu1, s1, pairs)


def _frechet_values(
    mu1: np.ndarray, s1: np.ndarray, pairs: list[tuple[np.ndarray, np.ndarray]]
) -> list[float]:
    """The values of :func:`frechet_distances` for checked float64 arguments."""
    s1 = _symmetric(s1)
    factor, triangular = _trace_factor(s1) if pairs else (s1, False)
    values = []
    for mu2, s2 in pairs:
        inner = _congruence(factor, _symmetric(s2), triangular)
        # symmetric up to rounding: the solver reads its lower triangle, a symmetric matrix as close
        tr_covmean = float(np.sqrt(np.clip(np.linalg.eigvalsh(inner, UPLO="L"), 0.0, None)).sum())
        diff = mu1 - mu2
        value = float(diff @ diff + np.trace(s1) + np.trace(s2) - 2.0 * tr_covmean)
        values.append(max(value, 0.0))
    return values


def frechet_distance_of_rows(x1: object, x2: object) -> float:
    """:func:`frechet_distance` between the Gaussians fitted to rows x1 [N1, D] and x2 [N2, D].

    With at least as many rows as dimensions in both sets, the memoised statistics of
    :func:`mean_and_covariance` and :func:`frechet_distances`. With fewer rows than dimensions in
    a set (e.g. 1,000 Inception features of 2,048 dimensions), its covariance is singular and the
    D x D route needs a full eigendecomposition; the rows give the same value cheaper: with
    centred rows ``X_i`` and ``Σ_i = X_iᵀ X_i / (N_i − 1)``, the non-zero eigenvalues of ``Σ1 Σ2``
    are those of ``M Mᵀ`` for ``M = X1 X2ᵀ / √((N1 − 1)(N2 − 1))`` [N1, N2], so
    ``Tr (Σ1 Σ2)^½`` is the sum of the singular values of M, and ``Tr Σ_i`` the squared norms of
    the centred rows over ``N_i − 1``: products of N1 x N2 instead of D x D, in float64.
    """
    a, b = as_features("x1", x1, min_rows=2), as_features("x2", x2, min_rows=2)
    if a.shape[1] != b.shape[1]:
        raise ValueError(f"x1 and x2 must have the same number of columns; got {a.shape[1]} and {b.shape[1]}")
    if min(a.shape[0], b.shape[0]) >= a.shape[1]:
        mu1, sigma1 = mean_and_covariance(a)
        mu2, sigma2 = mean_and_covariance(b)
        return frechet_distance(mu1, sigma1, mu2, sigma2)
    mu1, mu2 = a.mean(axis=0, dtype=np.float64), b.mean(axis=0, dtype=np.float64)
    c1, c2 = a - mu1, b - mu2  # float64 [N, D]
    n1, n2 = a.shape[0] - 1, b.shape[0] - 1
    cross = (c1 @ c2.T) / np.sqrt(n1 * n2)  # [N1, N2]
    gram = cross @ cross.T if cross.shape[0] <= cross.shape[1] else cross.T @ cross  # syrk, symmetric
    tr_covmean = float(np.sqrt(np.clip(np.linalg.eigvalsh(gram), 0.0, None)).sum())  # Σ σ(M)
    diff = mu1 - mu2
    traces = float(np.einsum("ij,ij->", c1, c1)) / n1 + float(np.einsum("ij,ij->", c2, c2)) / n2
    return max(float(diff @ diff + traces - 2.0 * tr_covmean), 0.0)
