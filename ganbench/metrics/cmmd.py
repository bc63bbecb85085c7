"""CMMD: the Gaussian-kernel MMD² between two sets of embeddings, scaled by 1000.

Jayasumana, Ramalingam, Veit, Glasner, Chakrabarti & Kumar 2024, "Rethinking FID: Towards a
Better Evaluation Metric for Image Generation" (CVPR, arXiv:2401.09603). Reference implementation:
google-research/google-research, ``cmmd/distance.py`` (``mmd``, read at commit
4c4299485319ed72ef782020c81784be5468924e), which this module follows:

    CMMD = scale · ( mean_{i,j} k(x_i, x_j) + mean_{i,j} k(y_i, y_j) − 2 mean_{i,j} k(x_i, y_j) ),
    k(a, b) = exp(−‖a − b‖² / (2 σ²)),  σ = 10 (``sigma``), scale = 1000 (``scale``).

The paper computes it on CLIP ViT-L/14@336px image embeddings (ganbench's extractor
``clip-vit-l-14-336px``); the measure takes any feature space, but σ = 10 and the scale were
chosen for that space (unit-norm 768-d embeddings, squared distances at most 4), so values in
another space are not on the paper's scale.

Estimators (``estimator``):

- ``"biased"`` (default): the reference's: the V-statistic, every mean over all n² (m², n·m)
  pairs, a row paired with itself included (Gretton et al. 2012, JMLR 13, Eq. 5);
- ``"unbiased"``: the U-statistic of Gretton et al.'s Eq. 3, the within-set means over pairs of
  distinct rows; what the paper's text states (its Eq. 3), while the reference code computes the
  biased one (google-research issue #1926). Biased minus unbiased is exactly
  ``scale · ((1 − k̄_real) / N + (1 − k̄_fake) / M)``, k̄ a set's mean kernel value over pairs of
  distinct rows.

The biased value of two identical sets is 0 in exact arithmetic; here the within-set and the
cross sums come from different tiles of float64 products, so it is 0 to about 1e-13 · scale.

Computation: the three kernel sums are accumulated tile by tile (``_TILE`` x ``_TILE`` rows,
1024), each tile a float64 matrix product ``‖a‖² + ‖b‖² − 2 a·b`` (clamped at 0), its kernel values
summed in float64, never an n x n matrix; the within-set sums use only the tiles on and above the
diagonal, and a row and itself count exactly k = 1 (distance 0), where the reference computes that
entry from the same Gram form (a rounding apart). A float32 input stays float32 and is widened one
block at a time. Memory: the inputs, two float64 blocks [1024, D] and one float64 tile (8 MiB).
Time: about (N² / 2 + M² / 2 + N M) · D multiply-adds, 10¹³ at N = M = 50,000 and D = 2048.
**Deviation**: the reference computes in float32 (JAX's default), where a kernel value near 1
keeps about 7 digits; float64 here, so the values agree to float32 rounding of the reference.

Shapes: ``real`` [N, D], ``fake`` [M, D] (N and M may differ; the reference assumes equal sizes
but its formula does not need them). Lower is better; the unbiased value can be slightly
negative for sets from one distribution.

Bootstrap (per-sample): nothing is computed once. A resample recomputes the kernel sums over the
drawn rows, each row weighted by how often it was drawn: for ``"biased"`` that is the V-statistic
of the resampled set (copies are pairs, as recomputing would count them), for ``"unbiased"`` a
row's copies are not counted as pairs of distinct samples (recomputing would add k = 1 for each
and bias every replicate upwards). Each replicate costs one full pass.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ganbench.metrics.spec import PerSample, Rows, metric
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_pair, real_number
from ganbench.numerics.distances import to_tensor
from ganbench.numerics.resampling import row_counts

ESTIMATORS = ("biased", "unbiased")
_TILE = 1024  # rows per side of one kernel tile


@dataclass(frozen=True)
class _Side:
    """One set on the compute device (its dtype as given) and its rows' squared norms in float64."""

    x: torch.Tensor
    norms: torch.Tensor

    @classmethod
    def of(cls, x: np.ndarray, device: torch.device) -> _Side:
        t = to_tensor(x, device)
        norms = torch.empty(t.shape[0], dtype=torch.float64, device=device)
        for rows in chunks(t.shape[0], _TILE):
            b = t[rows].double()
            norms[rows] = torch.einsum("ij,ij->i", b, b)
        return cls(t, norms)

    def block(self, rows: slice) -> torch.Tensor:
        return self.x[rows].double()


def kernel_sums(
    a: _Side, b: _Side | None, gamma: float, w_a: torch.Tensor, w_b: torch.Tensor | None
) -> tuple[float, float]:
    """Weighted sums of k = exp(−γ ‖·‖²) over pairs of rows: across ``a`` x ``b``, or within ``a``
    (``b`` None) over pairs i < j only, using the tiles on and above the diagonal.

    Returns ``(sum, diagonal)``: across, ``(w_aᵀ K w_b, 0)``; within, ``(Σ_{i<j} w_i w_j k_ij,
    Σ_i w_i²)`` (k_ii = 1 exactly). Float64 throughout.
    """
    within = b is None
    other, w_other = (a, w_a) if within else (b, w_b)
    assert w_other is not None
    total = torch.zeros((), dtype=torch.float64, device=a.x.device)
    a_blocks, b_blocks = chunks(a.x.shape[0], _TILE), chunks(other.x.shape[0], _TILE)
    for i, rows in enumerate(a_blocks):
        left = a.block(rows)
        for cols in b_blocks[i:] if within else b_blocks:
            d2 = left @ other.block(cols).T
            d2.mul_(-2.0).add_(a.norms[rows, None]).add_(other.norms[None, cols]).clamp_(min=0.0)
            k = d2.mul_(-gamma).exp_()
            if within and cols.start == rows.start:  # the diagonal tile: pairs i < j only
                k.triu_(diagonal=1)
            total += w_a[rows] @ (k @ w_other[cols])
    diagonal = float((w_a * w_a).sum()) if within else 0.0
    return float(total), diagonal


def _estimate(
    x: _Side, y: _Side, gamma: float, w_x: torch.Tensor, w_y: torch.Tensor, estimator: str
) -> float:
    """MMD² of the weighted rows (weights: how often each row counts) by ``estimator``."""
    sizes = {"x": float(w_x.sum()), "y": float(w_y.sum())}
    means = {}
    for name, side, w in (("x", x, w_x), ("y", y, w_y)):
        off, diag = kernel_sums(side, None, gamma, w, None)  # Σ_{i<j}; the full sum is 2 off + diag
        if estimator == "biased":
            means[name] = (2.0 * off + diag) / sizes[name] ** 2
        else:
            pairs = sizes[name] ** 2 - diag
            if not pairs > 0:
                raise ValueError("the unbiased CMMD needs at least two distinct rows per set")
            means[name] = 2.0 * off / pairs
    across, _ = kernel_sums(x, y, gamma, w_x, w_y)
    return means["x"] + means["y"] - 2.0 * across / (sizes["x"] * sizes["y"])


def _checked(
    real: object, fake: object, sigma: object, scale: object, estimator: object
) -> tuple[np.ndarray, np.ndarray, float, float, str]:
    sigma = real_number("sigma", sigma, low=0.0, open_low=True)
    scale = real_number("scale", scale, low=0.0, open_low=True)
    if estimator not in ESTIMATORS:
        raise ValueError(f"estimator must be one of {ESTIMATORS}; got {estimator!r}")
    least = 2 if estimator == "unbiased" else 1
    r, f = as_pair(real, fake, min_real=least, min_fake=least, keep_float32=True)
    return r, f, sigma, scale, str(estimator)


def cmmd_samples(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    sigma: float = 10.0,
    scale: float = 1000.0,
    estimator: str = "biased",
    device: str | torch.device = "cpu",
) -> PerSample:
    """CMMD of the sets, and of a resample by weighting each row by its draws (module docstring).
    Arguments as :func:`cmmd`."""
    r, f, sigma, scale, estimator = _checked(real, fake, sigma, scale, estimator)
    device = torch.device(device)
    x, y = _Side.of(r, device), _Side.of(f, device)
    gamma = 1.0 / (2.0 * sigma**2)

    def reduce(real_rows: Rows, fake_rows: Rows) -> dict[str, float]:
        w_x = torch.from_numpy(row_counts(real_rows, len(r))).to(device)
        w_y = torch.from_numpy(row_counts(fake_rows, len(f))).to(device)
        return {"cmmd": scale * _estimate(x, y, gamma, w_x, w_y, estimator)}

    return PerSample(n_real=len(r), n_fake=len(f), reduce=reduce)


@metric(
    "cmmd",
    space="features",
    directions={"cmmd": "lower"},
    reference=(
        "Jayasumana et al. 2024 (arXiv:2401.09603); google-research/google-research cmmd/distance.py "
        "(biased V-statistic, sigma 10, scale 1000)"
    ),
    notes=(
        "estimator='biased' is the reference code's V-statistic; 'unbiased' is the U-statistic the paper's "
        "text states (google-research issue #1926); float64 where the reference computes in float32"
    ),
    runtime=("device",),
    interval="per-sample",
    per_sample=cmmd_samples,
    interval_note=(
        "nothing held fixed: each resample recomputes the kernel sums over the drawn rows weighted by their "
        "draws (one full pass per replicate); 'unbiased' does not count a row's copies as pairs"
    ),
)
def cmmd(
    *,
    real: np.ndarray,
    fake: np.ndarray,
    sigma: float = 10.0,
    scale: float = 1000.0,
    estimator: str = "biased",
    device: str | torch.device = "cpu",
) -> dict[str, float]:
    """CMMD between real and generated embeddings.

    Args:
        real: real embeddings [N, D] (the paper: CLIP ViT-L/14@336px).
        fake: generated embeddings [M, D].
        sigma: bandwidth σ of the Gaussian kernel exp(−‖a − b‖² / (2σ²)) (10 in the paper).
        scale: the factor the MMD² is multiplied by (1000 in the paper).
        estimator: ``"biased"`` (the reference code's V-statistic) or ``"unbiased"`` (the U-statistic).
        device: where the tiles are computed (runtime, not recorded).

    Returns:
        ``{"cmmd": scale · MMD²}``; lower is better, 0 for identical sets (biased).
    """
    return cmmd_samples(
        real=real, fake=fake, sigma=sigma, scale=scale, estimator=estimator, device=device
    ).value()
