"""Euclidean distances between feature rows, in tiles, with every tie decided exactly.

Two ways to compute ``‖a − b‖`` meet here:

- **Gram form, in tiles**: ``‖a‖² + ‖b‖² − 2 a·b``, one matrix product per tile of
  ``chunk_size`` x ``chunk_size`` pairs: the only way to make 50k x 50k x 2048 affordable. Its
  rounding depends on the tile, the BLAS kernel, the CPU and the device, so one pair can get
  distances that differ in the last bits from two passes (the real x real pass that sets a k-NN
  radius and the real x fake pass that tests the ball), and a strict ball test then flips on an
  exact tie (density 1.0016 instead of 1 for identical sets on an AVX-512 CPU).
- **canonical**: the square root of ``Σ_k (a_k − b_k)²``, the squares summed in one fixed binary
  tree (pairwise, zero-padded to a power of two) of elementwise IEEE-754 operations, each
  correctly rounded. The value is a function of the two rows alone: the same in every pass, on
  every CPU and GPU, symmetric, exactly 0 for equal rows, and exact for integer-valued features
  whose squared distances stay below 2⁵³.

Every distance this module returns, and every comparison it makes, is canonical. The Gram form
only does the bulk work: an entry is decided by it alone when it lies farther from the value it
is compared with than a rigorous bound on its error; the few near-ties are recomputed
canonically from the difference of the two rows.

**Error bound.** The tiles are float32 matrix products (half the time of float64 on a CPU,
far less on a GPU). Both sets are centred on a central point of the reference set (a median) and
rounded to float32 (distances are translation invariant; centring shrinks the norms and so the band). A
tile entry is the dot product of length D + 1 ``(‖q‖² + ‖r‖²) − 2 Σ_k q_k r_k`` in float32 with
unit roundoff u = 2⁻²⁴, so it differs from the exact ``‖q̃ − r̃‖²`` of the rounded rows by at
most ``γ_{D+1} ((‖q‖² + ‖r‖²) + 2 Σ|q_k r_k|) <= 2 γ_{D+1} (‖q‖² + ‖r‖²)`` for any summation
order, blocked or fused (Higham, "Accuracy and Stability of Numerical Algorithms", 2nd ed.,
§3.1; γ_n = nu / (1 − nu)); the norms (float32 squares summed in float64), their rounding to
float32 and their float32 sum add 3u, rounding the centred rows to float32 (one rounding) moves
the distance² by at most 4u (‖q‖² + ‖r‖²), and the canonical value is within ``2 γ_{log₂D+3}``
(float64) of the exact one. So ``|g − canonical²| <= band = coef (‖q‖² + ‖r‖²)`` with
``coef = (2 γ_{D+1} + 8u)(1 + 10⁻³)`` plus the float64 terms: about 2.4e-4 for a 2048-d
feature. The band holds for any BLAS that does not change the arithmetic
(no TF32, no bf16): :func:`~ganbench.numerics.float32_matmul.float32_products` switches those
modes off for the pass. The products come from
:func:`~ganbench.numerics.float32_matmul.row_products` (oneDNN's float32 kernel on a CPU) and are
then added to the norms: one more float32 rounding of the same length-(D + 1) sum, inside
``γ_{D+1}``.

Memory: the inputs as given (float32 stays float32), one float32 centred copy of each set, one
tile of ``chunk_size²`` float32 (4 MiB at the default 1024) and O(Nq · k) results.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import torch

from ganbench.numerics import active_pass
from ganbench.numerics.blocks import chunks
from ganbench.numerics.checks import as_features, as_matrix, integer
from ganbench.numerics.float32_matmul import float32_products, row_products
from ganbench.numerics.memo import Memo, fingerprint, readonly

#: Rows (and columns) per tile when a caller passes no ``chunk_size``: a 1024 x 1024 float32 tile
#: (4 MiB) stays in the CPU's cache while it is reduced. It never changes a value.
DEFAULT_CHUNK_SIZE = 1024

_EPS = float(np.finfo(np.float64).eps)
_U32 = 2.0**-24  # unit roundoff of float32
_SQRT_SLACK = 16 * _EPS / 2  # relative margin that keeps sqrt's rounding out of a squared comparison
_CANONICAL_BLOCK = 1 << 19  # float64 elements per canonical recomputation block (4 MiB: stays in cache)
_CENTRE_BLOCK = 1024  # rows centred and rounded to float32 at a time

# One entry per recently used array: a self-kNN pass of N rows x 8 neighbours is 6.4 MB at N = 50k.
_KNN_MEMO = Memo(maxsize=4)

# A self-kNN pass keeps at least this many neighbours, so that precision-recall (k=3),
# density-coverage (k=5), the 1-NN test and later k-NN measures share one pass.
_KNN_MIN_K = 8

# Candidates kept per row beyond k while scanning, so that rows with a few near-ties (the float32
# band is about 2e-4 of the squared norms) still resolve from the first pass; rows with more ties
# are rescanned (see nearest_neighbours).
_KNN_EXTRA = 8


def to_tensor(a: np.ndarray, device: torch.device) -> torch.Tensor:
    """Share a numpy array with torch (no copy on CPU), also when it is read-only.

    Read-only arrays (memoised results, memory maps) would make torch warn; callers here never
    write into these tensors (every in-place operation is on a fresh tile), so sharing is safe.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(a).to(device)


def _tree_sum_of_squares(diff: torch.Tensor) -> torch.Tensor:
    """``Σ_k diff[:, k]²`` for diff [P, D], in a fixed pairwise order: [P], bit-identical everywhere."""
    squares = diff * diff
    width = squares.shape[1]
    size = 1 << max(width - 1, 0).bit_length()
    if size != width:
        squares = torch.nn.functional.pad(squares, (0, size - width))
    while squares.shape[1] > 1:
        half = squares.shape[1] // 2
        squares = squares[:, :half] + squares[:, half:]
    return squares[:, 0]


def _sqrt(squares: torch.Tensor) -> torch.Tensor:
    """Correctly rounded square roots of float64 ``squares`` (any device): the same bits on every machine.

    torch's CPU ``sqrt`` runs through MKL's vector math library where torch is built with MKL,
    and that is not correctly rounded: ``sqrt(26480715)`` comes out one ulp above the IEEE-754
    result (and above numpy's and CUDA's). numpy's ``sqrt`` is the IEEE instruction. There is
    one value per pair, so the trip through host memory is small next to the D-wide differences.
    """
    return torch.from_numpy(np.sqrt(squares.detach().cpu().numpy())).to(squares.device)


def canonical_distances(a: object, b: object, *, device: torch.device | str = "cpu") -> np.ndarray:
    """Canonical Euclidean distances between paired rows: ``‖a_p − b_p‖`` for a, b [P, D] -> float64 [P].

    The definition every ganbench k-NN measure uses (see the module docstring): the same value
    for the same pair on every machine and in every pass, exactly 0 for equal rows.
    """
    x, y = as_matrix("a", a), as_matrix("b", b)
    if x.shape != y.shape:
        raise ValueError(f"a and b must have the same shape [P, D]; got {x.shape} and {y.shape}")
    dev = torch.device(device)
    pairs = torch.arange(x.shape[0], device=dev)
    return _canonical_pairs(to_tensor(x, dev), to_tensor(y, dev), pairs, pairs).cpu().numpy()


def _canonical_pairs(a: torch.Tensor, b: torch.Tensor, ai: torch.Tensor, bi: torch.Tensor) -> torch.Tensor:
    """Canonical distances of the row pairs (a[ai[p]], b[bi[p]]): float64 [P], in bounded-memory blocks.

    Rows of float32 inputs are widened to float64 (exactly) before the difference.
    """
    out = torch.empty(ai.shape[0], dtype=torch.float64, device=a.device)
    for part in chunks(ai.shape[0], max(1, _CANONICAL_BLOCK // a.shape[1])):
        out[part] = _sqrt(_tree_sum_of_squares(a[ai[part]].double() - b[bi[part]].double()))
    return out


def _gamma(n: int) -> float:
    """Higham's γ_n = nu / (1 − nu) for float32."""
    return n * _U32 / (1.0 - n * _U32)


def band_coefficient(dim: int) -> float:
    """``coef`` of the module docstring's band for features of dimension ``dim``:
    ``|float32 tile entry − canonical²| <= coef (‖q‖² + ‖r‖²)`` for centred rows q, r."""
    float32_part = (2.0 * _gamma(dim + 1) + 8.0 * _U32) * (1.0 + 1e-3)
    float64_part = 2.0 * (dim + math.log2(max(dim, 1)) + 8.0) * _EPS
    return float32_part + float64_part


def centre_point(x: np.ndarray) -> np.ndarray:
    """Where a pass centres its rows: the coordinate-wise median of about 512 evenly spaced rows of
    x [N, D], in x's dtype [D]. Any point gives the same distances; a central one keeps the norms,
    and so the band, small, and a median is not dragged away by a few far rows as a mean is."""
    step = max(1, x.shape[0] // 512)
    return np.median(x[::step], axis=0).astype(x.dtype)


def _centred_float32(raw: torch.Tensor, shift: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """``float32(raw − shift)`` [N, D] (one rounding: ``shift`` has raw's dtype) and the squared
    norms of those float32 rows, their float32 squares summed in float64 [N]."""
    out = torch.empty(raw.shape, dtype=torch.float32, device=raw.device)
    norms = torch.empty(raw.shape[0], dtype=torch.float64, device=raw.device)
    for part in chunks(raw.shape[0], _CENTRE_BLOCK):
        centred = torch.sub(raw[part], shift, out=out[part]) if raw.dtype == torch.float32 else None
        if centred is None:
            out[part] = raw[part] - shift
        norms[part] = torch.sum(out[part] * out[part], dim=1, dtype=torch.float64)
    return out, norms


class _Pass:
    """One query x reference comparison: centred float32 rows, their norms, raw rows and the band.

    With ``ref=None`` the reference set is the query set itself (a self pass), whose diagonal
    (a row and itself) callers exclude by index. ``centre`` (default: :func:`centre_point` of
    the reference set) is the point both sets are centred on; a shared pass centres every
    comparison on one point.
    """

    def __init__(
        self,
        query: np.ndarray,
        ref: np.ndarray | None,
        device: torch.device,
        chunk_size: int,
        centre: np.ndarray | None = None,
    ):
        self.same = ref is None
        ref_np = query if ref is None else ref
        self.device = device
        self.chunk = chunk_size
        self.dim = query.shape[1]
        self.raw_q = to_tensor(query, device)
        self.raw_r = self.raw_q if ref is None else to_tensor(ref_np, device)
        point = centre_point(ref_np) if centre is None else centre
        shift = to_tensor(np.asarray(point, dtype=ref_np.dtype), device)
        self.r, self.rn = _centred_float32(self.raw_r, shift)
        if ref is None:
            self.q, self.qn = self.r, self.rn
        else:
            self.q, self.qn = _centred_float32(self.raw_q, shift)
        self.qn32, self.rn32 = self.qn.float(), self.rn.float()
        self.coef = band_coefficient(self.dim)
        self.n_q, self.n_r = query.shape[0], ref_np.shape[0]
        self._tile = torch.empty(chunk_size * chunk_size, dtype=torch.float32, device=device)
        self._scratch = torch.empty(0, dtype=torch.float32, device=device)

    @classmethod
    def between(cls, a: _Pass, b: _Pass) -> _Pass:
        """The comparison of ``a``'s query rows with ``b``'s (self passes centred on the same point)."""
        other = object.__new__(cls)
        other.__dict__.update(a.__dict__)
        other.same = False
        other.raw_r, other.r, other.rn, other.rn32, other.n_r = b.raw_q, b.q, b.qn, b.qn32, b.n_q
        other._tile = torch.empty_like(a._tile)
        other._scratch = torch.empty(0, dtype=torch.float32, device=a.device)
        return other

    def transposed(self) -> _Pass:
        """The same pass seen from the reference side (same centring, so the same tile values and band)."""
        other = object.__new__(_Pass)
        other.__dict__.update(self.__dict__)
        other.raw_q, other.raw_r = self.raw_r, self.raw_q
        other.q, other.qn, other.r, other.rn = self.r, self.rn, self.q, self.qn
        other.qn32, other.rn32 = self.rn32, self.qn32
        other.n_q, other.n_r = self.n_r, self.n_q
        other._tile = torch.empty_like(self._tile)
        other._scratch = torch.empty(0, dtype=torch.float32, device=self.device)
        return other

    def squared(self, rows: slice, cols: slice, *, fresh: bool = False) -> torch.Tensor:
        """Gram-form squared distances [rows, cols] in float32 (a hair below 0 can occur).

        The tile is the pass's scratch buffer, overwritten by the next call, unless ``fresh``.
        """
        n_rows, n_cols = rows.stop - rows.start, cols.stop - cols.start
        out = (
            torch.empty((n_rows, n_cols), dtype=torch.float32, device=self.device)
            if fresh
            else self._tile[: n_rows * n_cols].view(n_rows, n_cols)
        )
        torch.add(self.qn32[rows, None], self.rn32[None, cols], out=out)
        return out.add_(row_products(self.q[rows], self.r[cols]), alpha=-2.0)

    def band(self, rows: slice, cols: slice) -> torch.Tensor:
        """Bound on |tile − canonical²| for each pair of the tile: float64 [len(rows), len(cols)].

        Per pair (not per tile), so one far-away row widens the band of its own pairs only.
        """
        return self.coef * (self.qn[rows, None] + self.rn[None, cols])

    def canonical(self, qi: torch.Tensor, ri: torch.Tensor) -> torch.Tensor:
        """Canonical distances of the pairs (query row qi[p], reference row ri[p]): float64 [P]."""
        return _canonical_pairs(self.raw_q, self.raw_r, qi, ri)

    def members(
        self,
        d2: torch.Tensor,
        rows: slice,
        cols: slice,
        radius: torch.Tensor,
        *,
        inclusive: bool,
        along: str,
        per_row: str | None,
        per_col: str | None,
    ) -> tuple[torch.Tensor | None, torch.Tensor | None]:
        """Exact ball memberships of a tile, reduced per row and per column.

        The balls are centred on the columns (``along="cols"``, ``radius`` [C]) or on the rows
        (``along="rows"``, ``radius`` [R]); pair (i, j) is inside when ``canonical(i, j) <= radius``
        (``<`` unless ``inclusive``). ``per_row`` / ``per_col`` ask for ``"count"`` (how many
        pairs of the row / column are inside, int64), ``"any"`` (whether one is, bool) or
        ``None``.

        Decided in float arithmetic, several times faster than boolean tensors here. With
        ``gap = tile − radius²`` and B the tile's band (:meth:`_coarse_margin`): a count is the sum
        of ``t = clamp(0.5 − gap / 2B, 0, 1)``, exactly 1 inside and 0 outside for every pair
        farther than B from its sphere, and the rows holding a pair within B (found by a minimum
        of ``|gap|``) are recomputed pair by pair; "any" is decided by the minimum of ``gap``
        (below −B: yes; above B: no; else the row or column is recomputed pair by pair).
        """
        r2 = radius * radius
        r2_32 = (r2[None, :] if along == "cols" else r2[:, None]).float()
        n = d2.numel()
        if self._scratch.numel() < 2 * n:
            self._scratch = torch.empty(2 * n, dtype=torch.float32, device=d2.device)
        gap = torch.sub(d2, r2_32, out=self._scratch[:n].view(d2.shape))
        margin = self._coarse_margin(rows, cols, r2)
        decided = 1.01 * margin
        row_radius = (lambda i: radius[None, :]) if along == "cols" else (lambda i: radius[i, None])
        col_radius = (lambda j: radius[None, j]) if along == "cols" else (lambda j: radius[:, None])
        row_any = self._any(gap.amin(dim=1), decided) if per_row == "any" else None
        col_any = self._any(gap.amin(dim=0), decided) if per_col == "any" else None
        row_out: torch.Tensor | None = None
        col_out: torch.Tensor | None = None
        if "count" in (per_row, per_col):
            t = torch.mul(gap, -0.5 / margin, out=self._scratch[n : 2 * n].view(d2.shape))
            t.add_(0.5).clamp_(0.0, 1.0)
            row_count = t.sum(dim=1) if per_row == "count" else None
            col_count = t.sum(dim=0) if per_col == "count" else None
            near = torch.nonzero(gap.abs().amin(dim=1) <= decided, as_tuple=True)[0]
            if near.numel():
                exact = self.within(
                    d2[near], near + rows.start, cols, row_radius(near), inclusive=inclusive
                ).float()
                if row_count is not None:
                    row_count[near] = exact.sum(dim=1)
                if col_count is not None:
                    col_count += exact.sum(dim=0) - t[near].sum(dim=0)
            row_out = None if row_count is None else row_count.round_().long()
            col_out = None if col_count is None else col_count.round_().long()
        if row_any is not None:
            inside, open_ = row_any
            if open_.numel():
                inside[open_] = self.within(
                    d2[open_], open_ + rows.start, cols, row_radius(open_), inclusive=inclusive
                ).any(dim=1)
            row_out = inside
        if col_any is not None:
            inside, open_ = col_any
            if open_.numel():
                cols_index = open_ + cols.start
                inside[open_] = self.within(
                    d2[:, open_], rows, cols_index, col_radius(open_), inclusive=inclusive
                ).any(dim=0)
            col_out = inside
        return row_out, col_out

    @staticmethod
    def _any(minimum: torch.Tensor, decided: float) -> tuple[torch.Tensor, torch.Tensor]:
        """From the smallest ``gap`` of each row (or column): whether it surely holds an inside pair,
        and the indices whose minimum lies within the band (to be recomputed)."""
        return minimum < -decided, torch.nonzero(minimum.abs() <= decided, as_tuple=True)[0]

    def _coarse_margin(self, rows: slice, cols: slice, r2: torch.Tensor) -> float:
        """A bound, for every pair of the tile, on how far the float32 ``tile − radius²`` may be
        from ``canonical² − radius²``: the band at the tile's largest norms, the float32
        rounding of radius² and of the difference, and the canonical radius's own rounding."""
        largest = float(self.qn[rows].max() + self.rn[cols].max())
        r2_max = float(r2.max()) if r2.numel() else 0.0
        return (self.coef * largest + (2.0 * _U32 + _SQRT_SLACK) * r2_max) * (1.0 + 4.0 * _U32) + 1e-30

    def within(
        self,
        d2: torch.Tensor,
        row_index: torch.Tensor | slice,
        col_index: torch.Tensor | slice,
        radius: torch.Tensor,
        *,
        inclusive: bool,
    ) -> torch.Tensor:
        """Exact ball test of a tile: ``canonical(i, j) <= radius`` (or ``<``) as a bool tensor.

        The sign of ``tile − r²`` (exact in float64: a float64 subtraction keeps the sign) decides
        every pair farther from the sphere than its error band; the pairs within it are
        recomputed canonically.

        Args:
            d2: float32 tile values [R, C] of the rows ``row_index`` and the columns
                ``col_index`` (global indices, slices or index tensors).
            radius: canonical distances broadcastable to [R, C] ([1, C] per column, [R, 1] per
                row, or a 0-d tensor).
        """
        device = d2.device
        if isinstance(row_index, slice):
            row_index = torch.arange(row_index.start, row_index.stop, device=device)
        if isinstance(col_index, slice):
            col_index = torch.arange(col_index.start, col_index.stop, device=device)
        r2 = radius * radius
        gap = d2.double() - r2
        inside = gap < 0
        slack = (
            self.coef * (self.qn[row_index][:, None] + self.rn[col_index][None, :])
            + (_SQRT_SLACK + 4.0 * _EPS) * r2
        )
        a, b = torch.nonzero(gap.abs() <= slack, as_tuple=True)
        if a.numel():
            bound = radius.expand_as(inside)[a, b]
            exact = self.canonical(row_index[a], col_index[b])
            inside[a, b] = exact <= bound if inclusive else exact < bound
        return inside


def _query_and_ref(query: object, ref: object) -> tuple[np.ndarray, np.ndarray]:
    q, r = as_features("query", query), as_features("ref", ref)
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"query and ref must have the same number of columns; got {q.shape[1]}, {r.shape[1]}"
        )
    return q, r


def _chunk(chunk_size: int | None) -> int:
    return DEFAULT_CHUNK_SIZE if chunk_size is None else integer("chunk_size", chunk_size, minimum=1)


def _mask_self(tile: torch.Tensor, rows: slice, cols: slice) -> None:
    """Set the entries where the global row index equals the global column index to +inf."""
    lo, hi = max(rows.start, cols.start), min(rows.stop, cols.stop)
    if lo < hi:
        idx = torch.arange(lo, hi, device=tile.device)
        tile[idx - rows.start, idx - cols.start] = math.inf


@dataclass(frozen=True)
class KNN:
    """The k nearest reference rows of each query row, nearest first.

    Attributes:
        distances: float64 [Nq, k], canonical, ascending along each row.
        indices: int64 [Nq, k], row indices into the reference set; equal distances are
            ordered by index, so the result is the same on every machine.
    """

    distances: np.ndarray
    indices: np.ndarray


_GROUP = 8  # entries per group of the minimum prefilter in _candidates


def _group_minima(tile: torch.Tensor) -> tuple[torch.Tensor, bool] | None:
    """Minima of each row's groups of ``_GROUP`` consecutive columns of ``tile`` [R, C]: [R, C / _GROUP],
    and whether ``tile`` is the transpose of a contiguous tile (read in its own layout); ``None``
    when C is not a multiple of ``_GROUP``."""
    n_rows, n_cols = tile.shape
    if n_cols % _GROUP or n_cols < 4 * _GROUP:
        return None
    columns_major = tile.stride(0) == 1 and tile.stride(1) != 1
    if columns_major:  # the base tile [C, R] is contiguous: group its rows
        return tile.T.reshape(n_cols // _GROUP, _GROUP, n_rows).amin(dim=1).T.contiguous(), True
    return tile.reshape(n_rows, n_cols // _GROUP, _GROUP).amin(dim=2), False


def _candidates(
    tile: torch.Tensor, take: int, bound: torch.Tensor | None
) -> tuple[torch.Tensor, torch.Tensor] | None:
    """Entries of each row of ``tile`` [R, C] that may be among its ``take`` smallest and below
    ``bound`` [R] (``None``: no bound): (values, column indices), [R, W] each, or ``None`` when no
    row has an entry below its bound.

    Every entry not returned is at least ``bound`` of its row, or at least the largest value
    returned for its row. The row's smallest entries lie in the groups of ``_GROUP`` columns with
    the smallest minima (a value in another group is at least its group's minimum, which is at
    least each chosen group's minimum), so only those groups are read: ``take`` of them, or, with
    a bound, as many as some row has groups below its bound (after the first tiles of a pass,
    a few).
    """
    grouped = _group_minima(tile)
    if grouped is None:
        return torch.topk(tile, min(take, tile.shape[1]), dim=1, largest=False, sorted=False)
    minima, columns_major = grouped
    width = min(take, minima.shape[1])
    if bound is not None:
        width = min(width, int((minima < bound[:, None]).sum(dim=1).max()))
        if width == 0:
            return None
    chosen = torch.topk(minima, width, dim=1, largest=False, sorted=False).indices  # [R, width]
    offsets = torch.arange(_GROUP, device=tile.device)
    columns = (chosen[:, :, None] * _GROUP + offsets).reshape(tile.shape[0], width * _GROUP)
    if columns_major:
        values = torch.gather(tile.T, 0, columns.T).T.contiguous()
    else:
        values = torch.gather(tile, 1, columns)
    return values, columns


class _TopK:
    """The ``keep`` smallest tile values of each row seen so far (float32), with their column indices.

    Invariant: every value offered and not kept is at least the largest kept value of its row.
    Once a row holds ``keep`` values, a tile only needs to offer its entries below that largest
    value (:func:`_candidates`).
    """

    def __init__(self, n_rows: int, keep: int, device: torch.device) -> None:
        self.keep = keep
        self.values = torch.full((n_rows, 0), math.inf, dtype=torch.float32, device=device)
        self.indices = torch.empty((n_rows, 0), dtype=torch.int64, device=device)

    def update(self, tile: torch.Tensor, col_start: int) -> None:
        full = self.values.shape[1] == self.keep
        found = _candidates(tile, self.keep, self.values.amax(dim=1) if full else None)
        if found is None:
            return
        tv, ti = found
        values = torch.cat([self.values, tv], dim=1)
        indices = torch.cat([self.indices, ti + col_start], dim=1)
        keep = min(self.keep, values.shape[1])
        self.values, pos = torch.topk(values, keep, dim=1, largest=False, sorted=False)
        self.indices = torch.gather(indices, 1, pos)


class _KnnScan:
    """The k nearest reference rows of every query row of a pass, gathered tile by tile.

    :meth:`add` takes a tile of any row block (or the transposed tile of a symmetric pass,
    whose columns are then the block's rows); :meth:`result` resolves the kept candidates
    exactly (:func:`_resolve_knn`).
    """

    def __init__(self, p: _Pass, k: int, *, exclude_self: bool, keep: int | None = None) -> None:
        self.p, self.k, self.exclude_self = p, k, exclude_self
        self.blocks = chunks(p.n_q, p.chunk)
        keep = k + _KNN_EXTRA if keep is None else keep
        self.tops = [_TopK(b.stop - b.start, keep, p.device) for b in self.blocks]

    def add(self, block: slice, tile: torch.Tensor, col_start: int) -> None:
        """Offer ``tile`` [len(block), C] (columns ``col_start``...) to the query rows ``block``."""
        self.tops[block.start // self.p.chunk].update(tile, col_start)

    def add_upper(self, rows: slice, cols: slice, d2: torch.Tensor) -> None:
        """Offer an upper tile of a self pass to its rows and, off the diagonal, transposed to its
        columns: it stands for the tile below the diagonal too."""
        self.add(rows, d2, cols.start)
        if cols.start != rows.start:
            self.add(cols, d2.T, rows.start)

    def result(self) -> KNN:
        dist = np.empty((self.p.n_q, self.k))
        idx = np.empty((self.p.n_q, self.k), dtype=np.int64)
        for rows, top in zip(self.blocks, self.tops, strict=True):
            dist[rows], idx[rows] = _resolve_knn(self.p, rows, top, self.k, self.exclude_self)
        return KNN(dist, idx)


def _upper_tiles(p: _Pass) -> Iterator[tuple[slice, slice, torch.Tensor]]:
    """The tiles of a self pass on and above the block diagonal (about half the products), each
    diagonal tile with its row-and-itself entries set to +inf. The tile is the pass's buffer."""
    blocks = chunks(p.n_q, p.chunk)
    for bi, rows in enumerate(blocks):
        for cols in blocks[bi:]:
            d2 = p.squared(rows, cols)
            if cols.start == rows.start:
                _mask_self(d2, rows, cols)
            yield rows, cols, d2


def _resolve_knn(
    p: _Pass, rows: slice, top: _TopK, k: int, exclude_self: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Turn the tile candidates of ``rows`` into their canonical k nearest neighbours.

    Each kept candidate j of query row i has a canonical distance² within
    ``band_ij = coef (|q_i|² + |r_j|²)`` of its tile value g_ij, so the canonical k-th is at most
    ``upper``, the k-th smallest of ``g + band`` over the kept candidates, and only candidates with
    ``g − band <= upper`` can be among the k nearest: those are recomputed canonically and sorted
    by (distance, index). A reference row that was not kept has ``g >= g_last`` (the largest kept
    value) and, since ``|r_j|² <= 2|q_i|² + 2|q_i − r_j|²``, a band of at most
    ``coef (3|q_i|² + 2g) / (1 − 2 coef)``; when even that lower bound reaches ``upper``, the row
    has more near-ties than candidates kept and is rescanned against the whole reference set.
    """
    n_rows = rows.stop - rows.start
    values, order = torch.sort(top.values.double(), dim=1)
    indices = torch.gather(top.indices, 1, order)
    qn = p.qn[rows, None]
    band = p.coef * (qn + p.rn[indices])
    upper = torch.sort(values + band, dim=1).values[:, k - 1 : k]
    candidate = values - band <= upper
    last = values[:, -1:]
    unseen_band = p.coef * (3.0 * qn + 2.0 * last) / (1.0 - 2.0 * p.coef)
    unseen = values.shape[1] < (p.n_r - int(exclude_self))
    full = ((last - unseen_band <= upper) & unseen)[:, 0]
    dist = np.empty((n_rows, k))
    idx = np.empty((n_rows, k), dtype=np.int64)

    a, b = torch.nonzero(candidate & ~full[:, None], as_tuple=True)
    exact = torch.full_like(values, math.inf)
    exact[a, b] = p.canonical(a + rows.start, indices[a, b])
    exact_np, indices_np = exact.cpu().numpy(), indices.cpu().numpy()
    order = np.lexsort((indices_np, exact_np), axis=-1)[:, :k]  # by distance, then by index
    dist[:] = np.take_along_axis(exact_np, order, axis=1)
    idx[:] = np.take_along_axis(indices_np, order, axis=1)
    overflow = np.flatnonzero(full.cpu().numpy())
    if overflow.size:
        local = torch.from_numpy(overflow).to(p.device)
        dist[overflow], idx[overflow] = _rescan_rows(p, local + rows.start, upper[local, 0], k, exclude_self)
    return dist, idx


def _rescan_rows(
    p: _Pass, query_rows: torch.Tensor, upper: torch.Tensor, k: int, exclude_self: bool
) -> tuple[np.ndarray, np.ndarray]:
    """Canonical k nearest neighbours of query rows whose near-ties overflowed the kept candidates.

    Every reference row whose canonical distance² can be at most ``upper`` (a bound on the
    canonical k-th, per query row) is collected in one pass over the reference set, recomputed
    canonically and sorted by (distance, index).
    """
    q, qn, qn32 = p.q[query_rows], p.qn[query_rows], p.qn32[query_rows]
    found_rows: list[torch.Tensor] = []
    found_cols: list[torch.Tensor] = []
    for cols in chunks(p.n_r, p.chunk):
        d2 = (qn32[:, None] + p.rn32[None, cols]).add_(row_products(q, p.r[cols]), alpha=-2.0)
        if exclude_self:
            own = (query_rows >= cols.start) & (query_rows < cols.stop)
            d2[own, query_rows[own] - cols.start] = math.inf
        band = p.coef * (qn[:, None] + p.rn[None, cols])
        a, b = torch.nonzero(d2.double() - band <= upper[:, None], as_tuple=True)
        found_rows.append(a)
        found_cols.append(b + cols.start)
    a, b = torch.cat(found_rows), torch.cat(found_cols)
    exact = p.canonical(query_rows[a], b).cpu().numpy()
    a_np, b_np = a.cpu().numpy(), b.cpu().numpy()
    order = np.lexsort((b_np, exact, a_np))  # by query row, then distance, then index
    a_np, b_np, exact = a_np[order], b_np[order], exact[order]
    starts = np.searchsorted(a_np, np.arange(query_rows.shape[0]))
    picks = starts[:, None] + np.arange(k)[None, :]  # each row has at least k candidates
    return exact[picks], b_np[picks]


def self_knn(p: _Pass, k: int) -> KNN:
    """The canonical k nearest other rows of every row of a self pass, from its upper tiles only:
    each off-diagonal tile is offered to its rows and, transposed, to its columns."""
    scan = _KnnScan(p, k, exclude_self=True)
    with float32_products():
        for rows, cols, d2 in _upper_tiles(p):
            scan.add_upper(rows, cols, d2)
    return scan.result()


def nearest_neighbours(
    query: object,
    ref: object | None = None,
    k: int = 1,
    *,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> KNN:
    """The ``k`` nearest rows of ``ref`` for every row of ``query``, by canonical distance.

    Chunked: memory O(chunk² + Nq·k). With ``ref=None`` the reference set is ``query`` itself
    and each row's own entry is excluded by index (leave-one-out), so a duplicate row is still
    found, at distance exactly 0; only the tiles on and above the diagonal are computed.

    Args:
        query: [Nq, D].
        ref: [Nr, D], or ``None`` for a self pass.
        k: neighbours per row, 1 <= k <= Nr (Nr - 1 for a self pass).
        device: where the tiles are computed; the result does not depend on it.
        chunk_size: tile edge (default :data:`DEFAULT_CHUNK_SIZE`); the result does not depend on it.
    """
    if ref is None:
        q, r = as_features("query", query), None
    else:
        q, r = _query_and_ref(query, ref)
    n_ref = q.shape[0] - 1 if r is None else r.shape[0]
    k = integer("k", k, minimum=1, maximum=max(n_ref, 1))
    if n_ref < 1:
        raise ValueError("a self pass needs at least 2 rows")
    p = _Pass(q, r, torch.device(device), _chunk(chunk_size))
    if p.same:
        return self_knn(p, k)
    scan = _KnnScan(p, k, exclude_self=False)
    with float32_products():
        for rows in chunks(p.n_q, p.chunk):
            for cols in chunks(p.n_r, p.chunk):
                scan.add(rows, p.squared(rows, cols), cols.start)
    return scan.result()


def nearest_neighbours_both_ways(
    a: object,
    b: object,
    k: int = 1,
    *,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> tuple[KNN, KNN]:
    """The k nearest rows of ``b`` for each row of ``a`` [Na, D] and of ``a`` for each row of ``b``: one pass.

    Each tile of the a-to-b distance matrix is reduced along both axes, so this costs one
    chunked pass where two :func:`nearest_neighbours` calls would cost two (the 1-NN two-sample
    test needs both directions). Distances are canonical, as everywhere in this module.
    """
    qa, rb = _query_and_ref(a, b)
    k = integer("k", k, minimum=1, maximum=min(qa.shape[0], rb.shape[0]))
    forward = _Pass(qa, rb, torch.device(device), _chunk(chunk_size))
    a_scan = _KnnScan(forward, k, exclude_self=False)
    b_scan = _KnnScan(forward.transposed(), k, exclude_self=False)  # canonical values are symmetric
    with float32_products():
        for rows in chunks(forward.n_q, forward.chunk):
            for cols in chunks(forward.n_r, forward.chunk):
                d2 = forward.squared(rows, cols)
                a_scan.add(rows, d2, cols.start)
                b_scan.add(cols, d2.T, rows.start)
    return a_scan.result(), b_scan.result()


@dataclass
class SelfCandidates:
    """The candidates of a self k-NN pass, from which the k-th neighbour distance of any k <= kept
    is resolved exactly, recomputing canonically only where the float32 tiles leave it open.

    Attributes:
        values: float64 [N, K] tile values of each row's K kept candidates, ascending.
        indices: int64 [N, K] their row indices.
        norms: float64 [N] squared norms of the centred float32 rows (the band's inputs).
        coef: the band coefficient of the pass.
        radii: the radii resolved so far, by k (read-only float64 [N]).
    """

    values: np.ndarray
    indices: np.ndarray
    norms: np.ndarray
    coef: float
    radii: dict[int, np.ndarray] = field(default_factory=dict)

    @classmethod
    def from_scan(cls, scan: _KnnScan) -> SelfCandidates:
        values = torch.cat([top.values for top in scan.tops]).double()
        indices = torch.cat([top.indices for top in scan.tops])
        values, order = torch.sort(values, dim=1)
        indices = torch.gather(indices, 1, order)
        return cls(values.cpu().numpy(), indices.cpu().numpy(), scan.p.qn.cpu().numpy(), scan.p.coef)

    @property
    def kept(self) -> int:
        return self.values.shape[1]

    def radius(self, x: np.ndarray, k: int, *, device: torch.device, chunk_size: int) -> np.ndarray:
        """Canonical distance from each row of ``x`` (the pass's rows) to its k-th nearest other row.

        Each kept candidate j of row i has its canonical distance² in ``[L, U] = value ∓ band``.
        The k-th smallest canonical value lies in ``[lo, up]``, the k-th smallest L and U; the
        candidates with U < lo are below it and those with L > up above it, so it is the
        (k − #below)-th smallest of the rest, which are recomputed canonically (usually one per
        row). A row whose unkept rows might reach ``up`` (more near-ties than kept candidates) is
        rescanned against the whole set.
        """
        if k in self.radii:
            return self.radii[k]
        n = self.values.shape[0]
        band = self.coef * (self.norms[:, None] + self.norms[self.indices])
        low, high = self.values - band, self.values + band
        lo = np.partition(low, k - 1, axis=1)[:, k - 1]
        up = np.partition(high, k - 1, axis=1)[:, k - 1]
        below = (high < lo[:, None]).sum(axis=1)
        open_ = (low <= up[:, None]) & (high >= lo[:, None])
        last = self.values[:, -1]
        unseen_band = self.coef * (3.0 * self.norms + 2.0 * last) / (1.0 - 2.0 * self.coef)
        full = (last - unseen_band <= up) & (self.kept < n - 1)
        open_[full] = False
        a, b = np.nonzero(open_)
        raw = to_tensor(x, device)
        exact = np.full(self.values.shape, np.inf)
        exact[a, b] = (
            _canonical_pairs(
                raw, raw, torch.from_numpy(a).to(device), torch.from_numpy(self.indices[a, b]).to(device)
            )
            .cpu()
            .numpy()
        )
        exact.sort(axis=1)
        pick = np.clip(k - 1 - below, 0, self.kept - 1)
        out = exact[np.arange(n), pick]
        rows = np.flatnonzero(full)
        if rows.size:
            p = _Pass(x, None, device, chunk_size)
            local = torch.from_numpy(rows).to(device)
            with float32_products():
                dist, _ = _rescan_rows(p, local, torch.from_numpy(up[rows]).to(device), k, True)
            out[rows] = dist[:, k - 1]
        self.radii[k] = readonly(out)
        return out


def self_candidates(
    x: np.ndarray, keep: int, *, device: torch.device, chunk_size: int, centre: np.ndarray | None = None
) -> SelfCandidates:
    """Scan the upper tiles of ``x`` [N, D] for each row's ``keep`` nearest candidates."""
    p = _Pass(x, None, device, chunk_size, centre=centre)
    scan = _KnnScan(p, keep, exclude_self=True, keep=keep)
    with float32_products():
        for rows, cols, d2 in _upper_tiles(p):
            scan.add_upper(rows, cols, d2)
    return SelfCandidates.from_scan(scan)


def kth_neighbour_distance(
    x: object,
    k: int,
    *,
    cache: bool = True,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> np.ndarray:
    """Canonical distance from each row of ``x`` to its k-th nearest *other* row: the k-NN ball radius [N].

    This is the radius of Kynkäänniemi et al. 2019 (arXiv:1904.06991) and Naeem et al. 2020
    (arXiv:2002.09797). Both reference implementations compute all distances including the
    row itself (distance 0, "neighbour 0") and take the (k+1)-th smallest
    (``torch_fidelity.metric_prc``: ``kthvalue(k + 1)``; ``prdc``: ``get_kth_value(k + 1)``);
    this function excludes the row by index and takes the k-th smallest of the rest, which is
    the same number (also with duplicate rows) without depending on the self-distance coming
    out as exactly 0.

    Memo (``cache=True``): the candidates of the self-kNN pass are stored under the content
    fingerprint of ``x`` for at least 8 neighbours, so precision-recall (k=3), density-coverage
    (k=5), the 1-NN test (k=1) and later measures that ask about the same array reuse one pass;
    the memo keeps the 4 most recently used arrays. A second call with the same content and
    ``k`` returns the very same read-only array. Device and tile size do not change the value.
    """
    arr = as_features("x", x, min_rows=2)
    n = arr.shape[0]
    k = integer("k", k, minimum=1, maximum=n - 1)
    shared = active_pass.ask("radius", arr, k)  # a battery's shared pass over this very array
    if shared is not None:
        return shared
    dev, chunk = torch.device(device), _chunk(chunk_size)
    keep = min(max(k, _KNN_MIN_K) + _KNN_EXTRA, n - 1)
    if not cache:
        return self_candidates(arr, keep, device=dev, chunk_size=chunk).radius(
            arr, k, device=dev, chunk_size=chunk
        )
    key = ("self-knn", fingerprint(arr))
    entry: SelfCandidates | None = _KNN_MEMO.get(key)
    if entry is None or entry.kept - _KNN_EXTRA < min(k, n - 1 - _KNN_EXTRA):  # a miss, or too few kept
        entry = self_candidates(arr, keep, device=dev, chunk_size=chunk)
        _KNN_MEMO.put(key, entry)
    return entry.radius(arr, k, device=dev, chunk_size=chunk)


def nearest_neighbour_distance(
    query: object,
    ref: object,
    *,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> np.ndarray:
    """Canonical distance from each query row [Nq, D] to its nearest row of ``ref`` [Nr, D]: float64 [Nq]."""
    return nearest_neighbours(query, ref, 1, device=device, chunk_size=chunk_size).distances[:, 0].copy()


@dataclass(frozen=True)
class BallCounts:
    """Result of :func:`count_within_radii`.

    Attributes:
        per_query: int64 [Nq], how many reference balls contain each query row.
        per_ref: int64 [Nr], how many query rows each reference ball contains.
    """

    per_query: np.ndarray
    per_ref: np.ndarray

    @property
    def any(self) -> np.ndarray:
        """bool [Nq]: whether each query row lies in at least one reference ball."""
        return self.per_query > 0


Want = Literal["count", "any"] | None


@dataclass(frozen=True)
class BallMembers:
    """Result of :func:`ball_members`: per query row and per reference ball, what was asked.

    Attributes:
        per_query: int64 [Nq] (how many balls hold each query row), bool [Nq] (whether one does)
            or ``None``.
        per_ref: int64 [Nr] (how many query rows each ball holds), bool [Nr] (whether it holds
            one) or ``None``.
    """

    per_query: np.ndarray | None
    per_ref: np.ndarray | None

    def narrowed(self, per_query: Want, per_ref: Want) -> BallMembers | None:
        """These memberships as ``(per_query, per_ref)`` asks for them ("any" from counts), or
        ``None`` when they hold less than asked."""
        out = []
        for have, want in ((self.per_query, per_query), (self.per_ref, per_ref)):
            if want is None:
                out.append(None)
            elif have is None or (want == "count" and have.dtype == np.bool_):
                return None
            else:
                out.append(have > 0 if want == "any" and have.dtype != np.bool_ else have)
        return BallMembers(out[0], out[1])


def ball_members(
    query: object,
    ref: object,
    ref_radii: object,
    *,
    inclusive: bool = True,
    per_query: Want = "count",
    per_ref: Want = "count",
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> BallMembers:
    """Memberships of query rows in the balls ``B(ref_j, ref_radii[j])``, in one chunked pass.

    Membership is decided on canonical distances, so a query row that coincides with a point
    at exactly the radius is inside (``inclusive``) or outside (strict) on every machine.
    ``"any"`` (is a query row in some ball, does a ball hold some query row) costs a fraction of
    ``"count"``; ask for what the measure reads.

    Args:
        query: [Nq, D].
        ref: [Nr, D], the ball centres.
        ref_radii: [Nr], canonical radii, e.g. :func:`kth_neighbour_distance` of ``ref``.
        inclusive: ``d <= r`` (torch_fidelity's precision/recall) when true, ``d < r`` (prdc's
            density/coverage) when false; the two differ only on exact ties.
        per_query, per_ref: ``"count"``, ``"any"`` or ``None`` (not needed).
    """
    q, r = _query_and_ref(query, ref)
    shared = active_pass.ask("members", q, r, ref_radii, inclusive)  # a battery's shared cross pass
    if shared is not None:
        found = shared.narrowed(per_query, per_ref)
        if found is not None:
            return found
    radii_np = np.ascontiguousarray(ref_radii, dtype=np.float64)
    if radii_np.shape != (r.shape[0],):
        raise ValueError(f"ref_radii must have shape ({r.shape[0]},) to match ref; got {radii_np.shape}")
    if not np.all(radii_np >= 0):
        raise ValueError("ref_radii must be non-negative numbers")
    chunk = _chunk(chunk_size)
    p = _Pass(q, r, torch.device(device), chunk)
    members = CrossMembers(
        p, to_tensor(radii_np, p.device), inclusive, along="cols", per_row=per_query, per_col=per_ref
    )
    with float32_products():
        for rows in chunks(p.n_q, chunk):
            for cols in chunks(p.n_r, chunk):
                members.add(rows, cols, p.squared(rows, cols))
    return members.result()


class CrossMembers:
    """Ball memberships over the tiles of a cross pass, accumulated per row and per column.

    ``along="cols"``: the balls are centred on the pass's reference rows (the tile's columns,
    ``radius`` [Nr]); ``"rows"``: on its query rows (``radius`` [Nq]). ``per_row`` / ``per_col``
    as :meth:`_Pass.members`. :meth:`result` gives them as (query, ref) memberships.
    """

    def __init__(
        self, p: _Pass, radius: torch.Tensor, inclusive: bool, *, along: str, per_row: Want, per_col: Want
    ) -> None:
        self.p, self.radius, self.inclusive, self.along = p, radius, inclusive, along
        self.per_row, self.per_col = per_row, per_col
        self.rows_total = self._zeros(p.n_q, per_row)
        self.cols_total = self._zeros(p.n_r, per_col)

    def _zeros(self, n: int, want: Want) -> torch.Tensor | None:
        if want is None:
            return None
        dtype = torch.int64 if want == "count" else torch.bool
        return torch.zeros(n, dtype=dtype, device=self.p.device)

    def add(self, rows: slice, cols: slice, d2: torch.Tensor) -> None:
        radius = self.radius[cols] if self.along == "cols" else self.radius[rows]
        in_rows, in_cols = self.p.members(
            d2,
            rows,
            cols,
            radius,
            inclusive=self.inclusive,
            along=self.along,
            per_row=self.per_row,
            per_col=self.per_col,
        )
        for total, part, index in ((self.rows_total, in_rows, rows), (self.cols_total, in_cols, cols)):
            if total is not None:
                if total.dtype == torch.bool:
                    total[index] |= part
                else:
                    total[index] += part

    def result(self) -> BallMembers:
        """(query, ref) memberships: the ball centres' side is ``ref``, the other ``query``."""
        rows = None if self.rows_total is None else self.rows_total.cpu().numpy()
        cols = None if self.cols_total is None else self.cols_total.cpu().numpy()
        return BallMembers(per_query=rows, per_ref=cols) if self.along == "cols" else BallMembers(cols, rows)


def count_within_radii(
    query: object,
    ref: object,
    ref_radii: object,
    *,
    inclusive: bool = True,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> BallCounts:
    """Count memberships of query rows in the balls ``B(ref_j, ref_radii[j])`` both ways
    (:func:`ball_members` with ``"count"`` on both sides; arguments as there)."""
    found = ball_members(
        query,
        ref,
        ref_radii,
        inclusive=inclusive,
        per_query="count",
        per_ref="count",
        device=device,
        chunk_size=chunk_size,
    )
    assert found.per_query is not None and found.per_ref is not None
    return BallCounts(found.per_query, found.per_ref)


@dataclass(frozen=True)
class PairTile:
    """One tile of the pairs of a set with itself, from :func:`pair_tiles`.

    Attributes:
        rows, cols: the global row indices of the tile's two sides.
        squared: Gram-form squared distances [len(rows), len(cols)], +inf where the row index is
            not below the column index, so each unordered pair appears once in all the tiles.
            Approximate (see the module docstring): use it to rank, and :meth:`within` to decide.
    """

    rows: slice
    cols: slice
    squared: torch.Tensor
    _pass: _Pass

    def within(self, threshold: float, *, inclusive: bool = True) -> torch.Tensor:
        """Exactly which pairs of the tile lie within ``threshold`` (canonical distance): bool tensor."""
        radius = torch.tensor(float(threshold), dtype=torch.float64, device=self.squared.device)
        return self._pass.within(
            self.squared, self.rows, self.cols, radius, inclusive=inclusive
        ) & torch.isfinite(self.squared)

    def canonical(self, a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        """Canonical distances of the tile's pairs (rows[a[p]], cols[b[p]]): float64 [P]."""
        return self._pass.canonical(a + self.rows.start, b + self.cols.start)


def pair_tiles(
    x: object, *, device: torch.device | str = "cpu", chunk_size: int | None = None
) -> Iterator[PairTile]:
    """Yield tiles covering every unordered pair of rows of ``x`` [N, D] exactly once.

    Only tiles on or above the block diagonal are computed (about half of the N x N matrix); a
    reduction over the tiles (e.g. all pairs within a threshold, as the birthday test needs)
    sees each pair once and never a row paired with itself.
    """
    arr = as_features("x", x)
    chunk = _chunk(chunk_size)
    p = _Pass(arr, None, torch.device(device), chunk)
    blocks = chunks(arr.shape[0], chunk)
    for bi, rows in enumerate(blocks):
        for cols in blocks[bi:]:
            with float32_products():
                d2 = p.squared(rows, cols, fresh=True)
            if cols.start == rows.start:
                lower = torch.ones(d2.shape, dtype=torch.bool, device=d2.device).tril_()
                d2.masked_fill_(lower, math.inf)
            yield PairTile(rows, cols, d2, p)


@dataclass(frozen=True)
class CrossPairs:
    """The pairs of one tile of a cross pass that lie within the radius, from :func:`cross_pairs_within`.

    Attributes:
        query: int64 [P], global query row indices.
        ref: int64 [P], global reference row indices.
        distances: float64 [P], the pairs' canonical distances.

    Within a tile the pairs are ordered by query row, then by reference row.
    """

    query: np.ndarray
    ref: np.ndarray
    distances: np.ndarray


def cross_pairs_within(
    query: object,
    ref: object,
    radius: object,
    *,
    inclusive: bool = True,
    device: torch.device | str = "cpu",
    chunk_size: int | None = None,
) -> Iterator[CrossPairs]:
    """Yield, tile by tile, every (query row, ref row) pair whose canonical distance is within ``radius``.

    Membership is decided exactly (``canonical <= radius``, or ``<`` unless ``inclusive``) by the
    tile's error band with the near-ties recomputed (:meth:`_Pass.within`), and each pair found
    comes with its canonical distance, so the pairs and their distances are the same on every
    machine and for every ``chunk_size``. The tiles are visited query block by query block and,
    within one, reference block by reference block, so the pairs of one query row arrive in
    ascending reference order, and the pairs of one reference row in ascending query order; a
    tile without pairs yields nothing.

    Memory: one tile of ``chunk_size²`` float32 and its pairs (at most ``chunk_size²``); never the
    Nq x Nr matrix. Pairs a caller keeps beyond the tile are its own memory.

    Args:
        query: [Nq, D].
        ref: [Nr, D].
        radius: a non-negative number (one radius for every pair) or [Nr] non-negative radii
            (the ball of each reference row).
        inclusive: ``d <= radius`` when true, ``d < radius`` when false.
    """
    q, r = _query_and_ref(query, ref)
    radius_np = np.asarray(radius, dtype=np.float64)
    if radius_np.ndim not in (0, 1) or (radius_np.ndim == 1 and radius_np.shape != (r.shape[0],)):
        raise ValueError(
            f"radius must be a number or have shape ({r.shape[0]},) to match ref; got {radius_np.shape}"
        )
    if not np.all(np.isfinite(radius_np) & (radius_np >= 0)):
        raise ValueError("radius must hold finite non-negative numbers")
    chunk = _chunk(chunk_size)
    p = _Pass(q, r, torch.device(device), chunk)
    radius_t = to_tensor(np.ascontiguousarray(radius_np), p.device)
    for rows in chunks(p.n_q, chunk):
        for cols in chunks(p.n_r, chunk):
            with float32_products():
                d2 = p.squared(rows, cols)
            bound = radius_t if radius_np.ndim == 0 else radius_t[None, cols]
            a, b = torch.nonzero(p.within(d2, rows, cols, bound, inclusive=inclusive), as_tuple=True)
            if a.numel():
                qi, ri = a + rows.start, b + cols.start
                yield CrossPairs(qi.cpu().numpy(), ri.cpu().numpy(), p.canonical(qi, ri).cpu().numpy())
