"""Shared math for the sample-based metrics: input checks, Gaussian statistics, the Fréchet
distance, chunked Euclidean k-NN / ball-membership passes, a tiny content-keyed memo, and the
unbiased MMD² estimator.

Users: ``fid`` and ``fid-inf`` (:func:`mean_and_covariance`, :func:`frechet_distance`,
:func:`frechet_distances`); ``precision-recall``, ``density-coverage``, ``c2st-1nn``,
``birthday`` and ``memorization`` (:func:`kth_neighbour_distance`, :func:`count_within_radii`,
:func:`nearest_neighbours`, :func:`nearest_neighbour_distance`,
:func:`nearest_neighbour_distances_both_ways`, :func:`iter_pair_distance_tiles`); ``kid`` and
``mmd`` (:func:`mmd2_unbiased`).

Distances are computed in torch, tile by tile (``chunk_size`` x ``chunk_size``), so a
50k x 50k comparison never holds more than a few tiles at once; only O((N + M) · D) float64
copies of the inputs and O(N · k) results are kept. The device and tile size are execution
options, not metric parameters (they do not change the value), so metrics never take them as
arguments: set them once with :func:`compute_options`.
"""

from __future__ import annotations

import hashlib
import math
import threading
import warnings
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import torch

ArrayLike = np.ndarray | torch.Tensor

# ---------------------------------------------------------------------------------------------
# Input checks
# ---------------------------------------------------------------------------------------------


def as_matrix(name: str, x: object, *, min_rows: int = 1) -> np.ndarray:
    """Return ``x`` as a finite, C-contiguous float64 array [N, D]; raise ``ValueError`` if it is not one.

    Args:
        name: the argument's name, for the message (``"real"``, ``"fake"``).
        x: numpy array, torch tensor (any device) or nested sequence, [N, D].
        min_rows: the least N the caller can work with.
    """
    if isinstance(x, torch.Tensor):
        x = x.detach().cpu().numpy()
    arr = np.ascontiguousarray(x, dtype=np.float64)
    if arr.ndim != 2:
        raise ValueError(f"{name} must be a 2-D array [N, D]; got shape {arr.shape}")
    if arr.shape[1] < 1:
        raise ValueError(f"{name} must have at least one column; got shape {arr.shape}")
    if arr.shape[0] < min_rows:
        raise ValueError(f"{name} needs at least {min_rows} rows; got {arr.shape[0]}")
    if not np.isfinite(arr).all():
        raise ValueError(f"{name} contains NaN or infinite values")
    return arr


def as_pair(
    real: object, fake: object, *, min_real: int = 1, min_fake: int = 1
) -> tuple[np.ndarray, np.ndarray]:
    """Check ``real`` [N, D] and ``fake`` [M, D] (same D) and return both as float64 matrices."""
    r = as_matrix("real", real, min_rows=min_real)
    f = as_matrix("fake", fake, min_rows=min_fake)
    if r.shape[1] != f.shape[1]:
        raise ValueError(
            f"real and fake must have the same number of columns (same feature space); "
            f"got {r.shape[1]} and {f.shape[1]}"
        )
    return r, f


def check_seed(seed: object) -> int:
    """Check a seed for ``numpy.random.RandomState`` (an int in [0, 2**32)) and return it."""
    if isinstance(seed, bool) or not isinstance(seed, int | np.integer) or not 0 <= int(seed) < 2**32:
        raise ValueError(f"seed must be an integer in [0, 2**32); got {seed!r}")
    return int(seed)


# ---------------------------------------------------------------------------------------------
# Execution options
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComputeOptions:
    """Where and in what tile size the distance passes run.

    Attributes:
        device: ``"auto"`` (CUDA when available, else CPU), or any torch device string.
        chunk_size: tile edge; a tile holds ``chunk_size**2`` float64 distances (2048 -> 32 MiB).
    """

    device: str = "auto"
    chunk_size: int = 2048


_OPTIONS: ContextVar[ComputeOptions | None] = ContextVar("ganbench_compute_options", default=None)


def current_compute_options() -> ComputeOptions:
    """The options in force: those of the innermost :func:`compute_options` block, else the defaults."""
    return _OPTIONS.get() or ComputeOptions()


@contextmanager
def compute_options(*, device: str | None = None, chunk_size: int | None = None) -> Iterator[ComputeOptions]:
    """Set the device and/or tile size for the distance passes inside a ``with`` block.

    Example: ``with compute_options(device="cuda:1", chunk_size=8192): METRICS["precision-recall"](...)``.
    """
    current = current_compute_options()
    new = replace(
        current,
        device=current.device if device is None else device,
        chunk_size=current.chunk_size if chunk_size is None else _check_chunk(chunk_size),
    )
    resolve_device(new.device)  # fail here, not deep inside a metric
    token = _OPTIONS.set(new)
    try:
        yield new
    finally:
        _OPTIONS.reset(token)


def _check_chunk(chunk_size: int) -> int:
    if isinstance(chunk_size, bool) or not isinstance(chunk_size, int) or chunk_size < 1:
        raise ValueError(f"chunk_size must be a positive integer; got {chunk_size!r}")
    return chunk_size


def resolve_device(device: str | torch.device | None = None) -> torch.device:
    """``None`` -> the current :func:`compute_options` device; ``"auto"`` -> cuda if available, else cpu."""
    if device is None:
        device = current_compute_options().device
    if isinstance(device, str) and device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    try:
        return torch.device(device)
    except (RuntimeError, TypeError) as err:
        raise ValueError(f"unknown device {device!r}; use 'auto', 'cpu', 'cuda' or 'cuda:N'") from err


def _chunk(chunk_size: int | None) -> int:
    return current_compute_options().chunk_size if chunk_size is None else _check_chunk(chunk_size)


# ---------------------------------------------------------------------------------------------
# Memo
# ---------------------------------------------------------------------------------------------


def fingerprint(x: np.ndarray) -> str:
    """Content key of an array: blake2b of its bytes, shape and dtype (hex, 32 chars).

    Hashes at roughly 1 GB/s, i.e. well under a second for 50k x 2048 float64, which is small
    next to the distance passes it lets the metrics share.
    """
    arr = np.ascontiguousarray(x)
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((arr.shape, arr.dtype.str)).encode())
    h.update(memoryview(arr).cast("B"))
    return h.hexdigest()


class _Memo:
    """A thread-safe least-recently-used dict with a fixed, small number of entries."""

    def __init__(self, maxsize: int) -> None:
        self.maxsize = maxsize
        self._data: OrderedDict[Any, Any] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Any) -> Any | None:
        with self._lock:
            if key not in self._data:
                return None
            self._data.move_to_end(key)
            return self._data[key]

    def put(self, key: Any, value: Any) -> None:
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            while len(self._data) > self.maxsize:
                self._data.popitem(last=False)

    def get_or_compute(self, key: Any, compute: Callable[[], Any]) -> Any:
        value = self.get(key)
        if value is None:
            value = compute()  # outside the lock: a concurrent miss costs a duplicate pass, no deadlock
            self.put(key, value)
        return value

    def clear(self) -> None:
        with self._lock:
            self._data.clear()

    def __len__(self) -> int:
        return len(self._data)


# One evaluation compares a handful of arrays (real, fake, maybe train and a held-out split);
# four entries keep all of them while one process evaluates many runs one after another, and
# bound the memory (self-kNN: N x 8 neighbours x 16 bytes = 6.4 MB at N = 50k; statistics:
# D x D float64 = 32 MiB at D = 2048).
_KNN_MEMO = _Memo(maxsize=4)
_STATS_MEMO = _Memo(maxsize=4)

# A self-kNN pass keeps at least this many neighbours, so that precision-recall (k=3),
# density-coverage (k=5) and later k-NN metrics share one pass; the extra neighbours cost a
# slightly wider top-k merge, nothing in the dominant matrix product.
_KNN_MIN_K = 8


def clear_memos() -> None:
    """Forget every memoised k-NN pass and statistic (for tests, or to free memory)."""
    _KNN_MEMO.clear()
    _STATS_MEMO.clear()


def _readonly(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)  # shared through the memo: a caller must not change it in place
    return a


# ---------------------------------------------------------------------------------------------
# Gaussian statistics and the Fréchet distance
# ---------------------------------------------------------------------------------------------


def mean_and_covariance(
    x: ArrayLike, *, cache: bool = True, chunk_rows: int = 8192
) -> tuple[np.ndarray, np.ndarray]:
    """Mean [D] and unbiased covariance [D, D] (divisor N - 1, as ``np.cov``) of rows [N, D], float64.

    Two passes over row chunks (mean, then centred scatter), so memory is O(D²) beyond the
    input and the result equals ``np.cov(x, rowvar=False)`` to rounding. With ``cache`` the
    pair is memoised by content (see :func:`fingerprint`; four entries), so FID and
    FID-infinity share the real set's statistics; the returned arrays are read-only.
    """
    arr = as_matrix("x", x, min_rows=2)
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be positive; got {chunk_rows}")

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
        return _readonly(mu), _readonly(sigma)

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


# ---------------------------------------------------------------------------------------------
# Chunked Euclidean distances
# ---------------------------------------------------------------------------------------------
#
# Precision: float64 throughout. A tile is ‖a‖² + ‖b‖² − 2 a·b (one matrix product, the only
# way to make 50k x 50k x 2048 affordable), which loses about eps·‖a‖²/d² of relative accuracy
# to cancellation. In float32 with Inception-like features (‖a‖ ≈ 20-40, neighbour distances of
# a few units, near-duplicates ≈ 0) that is 1e-4 to 1e-2: enough to flip ball memberships at
# the radius and to blur the near-duplicate thresholds of the birthday and memorization tests.
# Both sets are also centred on the reference set's mean (distances are translation-invariant),
# which shrinks ‖a‖ further. float64 costs about 2x on CPU and little on datacenter GPUs.


@dataclass(frozen=True)
class _Prepared:
    """Centred float64 tensors on the device and their squared row norms."""

    q: torch.Tensor
    qn: torch.Tensor
    r: torch.Tensor
    rn: torch.Tensor
    same: bool  # query is ref: a self pass, whose diagonal (distance to itself) can be masked


def to_tensor(a: np.ndarray, device: torch.device) -> torch.Tensor:
    """Share a numpy array with torch (no copy on CPU), also when it is read-only.

    Read-only arrays (memoised results, memory maps) would make torch warn; callers here never
    write into these tensors (every in-place operation is on a fresh tile), so sharing is safe.
    """
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The given NumPy array is not writable")
        return torch.from_numpy(a).to(device)


def _prepare(query: np.ndarray, ref: np.ndarray | None, device: torch.device) -> _Prepared:
    ref_np = query if ref is None else ref
    shift = to_tensor(ref_np.mean(axis=0), device)
    r = to_tensor(ref_np, device) - shift
    rn = (r * r).sum(dim=1)
    if ref is None:
        return _Prepared(r, rn, r, rn, same=True)
    q = to_tensor(query, device) - shift
    return _Prepared(q, (q * q).sum(dim=1), r, rn, same=False)


def _tile(p: _Prepared, rows: slice, cols: slice) -> torch.Tensor:
    """Distances [rows, cols] as a fresh float64 tensor."""
    d2 = torch.addmm(p.qn[rows, None] + p.rn[None, cols], p.q[rows], p.r[cols].T, alpha=-2.0)
    return d2.clamp_(min=0.0).sqrt_()


def _mask_self(tile: torch.Tensor, rows: slice, cols: slice) -> None:
    """Set the entries where the global row index equals the global column index to +inf."""
    lo, hi = max(rows.start, cols.start), min(rows.stop, cols.stop)
    if lo < hi:
        idx = torch.arange(lo, hi, device=tile.device)
        tile[idx - rows.start, idx - cols.start] = math.inf


def _query_and_ref(query: object, ref: object) -> tuple[np.ndarray, np.ndarray]:
    q, r = as_matrix("query", query), as_matrix("ref", ref)
    if q.shape[1] != r.shape[1]:
        raise ValueError(
            f"query and ref must have the same number of columns; got {q.shape[1]}, {r.shape[1]}"
        )
    return q, r


def _slices(n: int, chunk: int) -> list[slice]:
    return [slice(i, min(i + chunk, n)) for i in range(0, n, chunk)]


def iter_distance_tiles(
    query: ArrayLike,
    ref: ArrayLike,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
) -> Iterator[tuple[slice, slice, torch.Tensor]]:
    """Yield ``(rows, cols, tile)`` covering the Euclidean distance matrix [Nq, Nr], row-major.

    ``tile`` is a float64 tensor [len(rows), len(cols)] on the compute device, at most
    ``chunk_size`` x ``chunk_size``; build custom reductions on it (e.g. birthday duplicates).
    """
    q, r = _query_and_ref(query, ref)
    chunk = _chunk(chunk_size)
    p = _prepare(q, r, resolve_device(device))
    for rows in _slices(q.shape[0], chunk):
        for cols in _slices(r.shape[0], chunk):
            yield rows, cols, _tile(p, rows, cols)


def pairwise_distances(
    query: ArrayLike,
    ref: ArrayLike,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
    max_elements: int = 100_000_000,
) -> np.ndarray:
    """The full Euclidean distance matrix [Nq, Nr] in float64, for small sets only.

    Refuses more than ``max_elements`` entries (10⁸ = 800 MB); large sets must use the
    reductions below (:func:`nearest_neighbours`, :func:`count_within_radii`).
    """
    nq, nr = np.shape(query)[0], np.shape(ref)[0]
    if nq * nr > max_elements:
        raise ValueError(
            f"a {nq} x {nr} distance matrix exceeds max_elements={max_elements}; use a chunked "
            f"reduction (nearest_neighbours, count_within_radii) or raise max_elements"
        )
    out = np.empty((nq, nr))
    for rows, cols, tile in iter_distance_tiles(query, ref, device=device, chunk_size=chunk_size):
        out[rows, cols] = tile.cpu().numpy()
    return out


@dataclass(frozen=True)
class KNN:
    """The k nearest reference rows of each query row, nearest first.

    Attributes:
        distances: float64 [Nq, k], ascending along each row.
        indices: int64 [Nq, k], row indices into the reference set (ties in any order).
    """

    distances: np.ndarray
    indices: np.ndarray


def nearest_neighbours(
    query: ArrayLike,
    ref: ArrayLike | None = None,
    k: int = 1,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
) -> KNN:
    """The ``k`` nearest rows of ``ref`` for every row of ``query``, chunked (memory O(chunk² + Nq·k)).

    With ``ref=None`` the reference set is ``query`` itself and each row's own entry is
    excluded by index (leave-one-out), so a duplicate row is still found, at distance 0.

    Args:
        query: [Nq, D].
        ref: [Nr, D], or ``None`` for a self pass.
        k: neighbours per row, 1 <= k <= Nr (Nr - 1 for a self pass).
    """
    if ref is None:
        q, r = as_matrix("query", query), None
    else:
        q, r = _query_and_ref(query, ref)
    n_ref = q.shape[0] - 1 if r is None else r.shape[0]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n_ref:
        raise ValueError(
            f"k must be an integer in [1, {n_ref}] (the number of candidate neighbours); got {k!r}"
        )
    chunk = _chunk(chunk_size)
    p = _prepare(q, r, resolve_device(device))
    n_q, n_r = q.shape[0], p.r.shape[0]
    dist_out = np.empty((n_q, k))
    idx_out = np.empty((n_q, k), dtype=np.int64)
    for rows in _slices(n_q, chunk):
        best_d = torch.full((rows.stop - rows.start, 0), math.inf, dtype=torch.float64, device=p.q.device)
        best_i = torch.empty((rows.stop - rows.start, 0), dtype=torch.int64, device=p.q.device)
        for cols in _slices(n_r, chunk):
            tile = _tile(p, rows, cols)
            if p.same:
                _mask_self(tile, rows, cols)
            td, ti = torch.topk(tile, min(k, tile.shape[1]), dim=1, largest=False, sorted=False)
            cand_d = torch.cat([best_d, td], dim=1)
            cand_i = torch.cat([best_i, ti + cols.start], dim=1)
            keep = min(k, cand_d.shape[1])
            best_d, pos = torch.topk(cand_d, keep, dim=1, largest=False, sorted=False)
            best_i = torch.gather(cand_i, 1, pos)
        best_d, order = torch.sort(best_d, dim=1)
        dist_out[rows] = best_d.cpu().numpy()
        idx_out[rows] = torch.gather(best_i, 1, order).cpu().numpy()
    return KNN(dist_out, idx_out)


@dataclass
class _SelfKnnEntry:
    knn: KNN
    radii: dict[int, np.ndarray] = field(default_factory=dict)


def kth_neighbour_distance(
    x: ArrayLike,
    k: int,
    *,
    cache: bool = True,
    device: str | None = None,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Distance from each row of ``x`` to its k-th nearest *other* row: the k-NN ball radius [N], float64.

    This is the radius of Kynkäänniemi et al. 2019 (arXiv:1904.06991) and Naeem et al. 2020
    (arXiv:2002.09797). Both reference implementations compute all distances including the
    row itself (distance 0, "neighbour 0") and take the (k+1)-th smallest
    (``torch_fidelity.metric_prc``: ``kthvalue(k + 1)``; ``prdc``: ``get_kth_value(k + 1)``);
    this function excludes the row by index and takes the k-th smallest of the rest, which is
    the same number (also with duplicate rows) without depending on the self-distance coming
    out as exactly 0.

    Memo (``cache=True``): the self-kNN pass is stored under the content fingerprint of ``x``
    (:func:`fingerprint` of its float64 values) with at least 8 neighbours, so precision-recall
    (k=3), density-coverage (k=5) and later metrics that ask about the same array reuse one
    pass; the memo keeps the 4 most recently used arrays. A second call with the same content
    and ``k`` returns the very same read-only array. The key ignores device and tile size,
    which change the value only by rounding.
    """
    arr = as_matrix("x", x, min_rows=2)
    n = arr.shape[0]
    if isinstance(k, bool) or not isinstance(k, int) or not 1 <= k <= n - 1:
        raise ValueError(f"k must be an integer in [1, N - 1] = [1, {n - 1}]; got {k!r}; pass a smaller k")
    if not cache:
        knn = nearest_neighbours(arr, None, k, device=device, chunk_size=chunk_size)
        return knn.distances[:, k - 1].copy()

    key = ("self-knn", fingerprint(arr))
    want = min(max(k, _KNN_MIN_K), n - 1)

    entry: _SelfKnnEntry | None = _KNN_MEMO.get(key)
    if entry is None or entry.knn.distances.shape[1] < k:  # a miss, or an earlier pass kept fewer
        entry = _SelfKnnEntry(nearest_neighbours(arr, None, want, device=device, chunk_size=chunk_size))
        _KNN_MEMO.put(key, entry)
    if k not in entry.radii:
        entry.radii[k] = _readonly(np.ascontiguousarray(entry.knn.distances[:, k - 1]))
    return entry.radii[k]


def nearest_neighbour_distance(
    query: ArrayLike,
    ref: ArrayLike,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
) -> np.ndarray:
    """Distance from each query row [Nq, D] to its nearest row of ``ref`` [Nr, D]: float64 [Nq]."""
    return nearest_neighbours(query, ref, 1, device=device, chunk_size=chunk_size).distances[:, 0].copy()


def nearest_neighbour_distances_both_ways(
    a: ArrayLike,
    b: ArrayLike,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Distances from each row of ``a`` [Na, D] to its nearest row of ``b`` [Nb, D], and back, in one pass.

    Each tile of the a-to-b distance matrix is reduced along both axes, so this costs one
    chunked pass where two :func:`nearest_neighbour_distance` calls would cost two (the 1-NN
    two-sample test needs both directions).

    Returns:
        (float64 [Na], float64 [Nb]): ``min_j ‖a_i − b_j‖`` and ``min_i ‖a_i − b_j‖``.
    """
    q, r = _query_and_ref(a, b)
    dev = resolve_device(device)
    p = _prepare(q, r, dev)
    a_to_b = torch.full((q.shape[0],), math.inf, dtype=torch.float64, device=dev)
    b_to_a = torch.full((r.shape[0],), math.inf, dtype=torch.float64, device=dev)
    chunk = _chunk(chunk_size)
    for rows in _slices(q.shape[0], chunk):
        for cols in _slices(r.shape[0], chunk):
            tile = _tile(p, rows, cols)
            a_to_b[rows] = torch.minimum(a_to_b[rows], tile.min(dim=1).values)
            b_to_a[cols] = torch.minimum(b_to_a[cols], tile.min(dim=0).values)
    return a_to_b.cpu().numpy(), b_to_a.cpu().numpy()


def iter_pair_distance_tiles(
    x: ArrayLike,
    *,
    device: str | None = None,
    chunk_size: int | None = None,
) -> Iterator[tuple[slice, slice, torch.Tensor]]:
    """Yield ``(rows, cols, tile)`` covering every unordered pair of rows of ``x`` [N, D] exactly once.

    Only tiles on or above the block diagonal are computed (about half of the N x N matrix);
    in a tile, the entry for rows ``i`` and ``j`` is ``‖x_i − x_j‖`` where ``i < j`` and ``+inf``
    where ``i >= j``, so a reduction over the tiles (e.g. all pairs closer than a threshold, as
    the birthday test needs) sees each pair once and never a row paired with itself.
    """
    arr = as_matrix("x", x)
    chunk = _chunk(chunk_size)
    p = _prepare(arr, None, resolve_device(device))
    slices = _slices(arr.shape[0], chunk)
    for bi, rows in enumerate(slices):
        for cols in slices[bi:]:
            tile = _tile(p, rows, cols)
            if cols.start == rows.start:
                lower = torch.ones(tile.shape, dtype=torch.bool, device=tile.device).tril_()
                tile.masked_fill_(lower, math.inf)
            yield rows, cols, tile


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


def count_within_radii(
    query: ArrayLike,
    ref: ArrayLike,
    ref_radii: ArrayLike,
    *,
    inclusive: bool = True,
    device: str | None = None,
    chunk_size: int | None = None,
) -> BallCounts:
    """Count memberships of query rows in the balls ``B(ref_j, ref_radii[j])``, in one chunked pass.

    Args:
        query: [Nq, D].
        ref: [Nr, D], the ball centres.
        ref_radii: [Nr], e.g. :func:`kth_neighbour_distance` of ``ref``.
        inclusive: ``d <= r`` (torch_fidelity's precision/recall) when true, ``d < r`` (prdc's
            density/coverage) when false; the two differ only on exact ties.
    """
    q, r = _query_and_ref(query, ref)
    radii_np = np.asarray(ref_radii, dtype=np.float64)
    if radii_np.shape != (r.shape[0],):
        raise ValueError(f"ref_radii must have shape ({r.shape[0]},) to match ref; got {radii_np.shape}")
    chunk = _chunk(chunk_size)
    dev = resolve_device(device)
    p = _prepare(q, r, dev)
    radii = to_tensor(np.ascontiguousarray(radii_np), dev)
    per_query = torch.zeros(q.shape[0], dtype=torch.int64, device=dev)
    per_ref = torch.zeros(r.shape[0], dtype=torch.int64, device=dev)
    for rows in _slices(q.shape[0], chunk):
        for cols in _slices(r.shape[0], chunk):
            tile = _tile(p, rows, cols)
            inside = tile <= radii[None, cols] if inclusive else tile < radii[None, cols]
            per_query[rows] += inside.sum(dim=1)
            per_ref[cols] += inside.sum(dim=0)
    return BallCounts(per_query.cpu().numpy(), per_ref.cpu().numpy())


# ---------------------------------------------------------------------------------------------
# Kernel two-sample statistic
# ---------------------------------------------------------------------------------------------


def mmd2_unbiased(k_xx: torch.Tensor, k_xy: torch.Tensor, k_yy: torch.Tensor) -> float:
    """Unbiased estimate of MMD² from kernel matrices (Gretton et al. 2012, JMLR 13; Lemma 6).

    ``sum_{i≠j} k(x_i,x_j) / (m(m−1)) + sum_{i≠j} k(y_i,y_j) / (n(n−1)) − 2 sum_{i,j} k(x_i,y_j) / (mn)``.
    For m = n this is ``torch_fidelity.metric_kid.mmd2(..., mmd_est="unbiased")``, which keeps the
    diagonal of K_XY (x and y are independent, so every cross pair is unbiased).

    Args:
        k_xx: [m, m]; k_xy: [m, n]; k_yy: [n, n]; any float dtype (float64 recommended).
    """
    m, n = k_xx.shape[0], k_yy.shape[0]
    if k_xx.shape != (m, m) or k_yy.shape != (n, n) or k_xy.shape != (m, n) or m < 2 or n < 2:
        raise ValueError(
            f"expected K_XX [m, m], K_XY [m, n], K_YY [n, n] with m, n >= 2; got "
            f"{tuple(k_xx.shape)}, {tuple(k_xy.shape)}, {tuple(k_yy.shape)}"
        )
    xx = (k_xx.sum() - k_xx.diagonal().sum()) / (m * (m - 1))
    yy = (k_yy.sum() - k_yy.diagonal().sum()) / (n * (n - 1))
    return float(xx + yy - 2.0 * k_xy.sum() / (m * n))
