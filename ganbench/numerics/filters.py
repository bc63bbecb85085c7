"""Image filtering for the pixel-space measures (``ssim-diversity``, ``swd``): Gaussian windows and
separable filters as matrix products.

Images are float32 torch tensors [N, C, H, W] with values in [0, 1] (the ``pixels`` space of
the extractors). Everything here is deterministic; nothing draws random numbers.
"""

from __future__ import annotations

import torch


def gaussian_window(size: int, sigma: float, dtype: torch.dtype = torch.float32) -> torch.Tensor:
    """Normalised 1-D Gaussian window [size], centred (``size`` odd), taps exp(-k² / (2 sigma²))."""
    if size < 1 or size % 2 == 0:
        raise ValueError(f"window size must be a positive odd number; got {size}")
    k = torch.arange(size, dtype=torch.float64) - (size - 1) / 2
    w = torch.exp(-(k**2) / (2.0 * sigma**2))
    return (w / w.sum()).to(dtype)


_MATRIX_MAX_SIDE = 512  # up to this side, filtering is a matrix product (far faster than conv2d on CPU)


def _source_index(j: torch.Tensor, n: int, padding: str) -> torch.Tensor:
    """Index into a length-``n`` axis for (possibly out-of-range) positions ``j``, per border mode."""
    if padding == "valid" or n == 1:
        return j.clamp(0, n - 1)
    period = 2 * (n - 1)  # mirror without repeating the edge, folded as often as needed
    j = j.remainder(period)
    return torch.where(j > n - 1, period - j, j)


def filter_matrix(n: int, taps: torch.Tensor, padding: str) -> torch.Tensor:
    """The [n_out, n] matrix that filters a length-``n`` axis with the odd 1-D kernel ``taps`` [K].

    ``valid``: n_out = n - K + 1; ``reflect``: n_out = n, mirrored border (``scipy.ndimage`` mode
    ``mirror``, torch pad mode ``reflect``).
    """
    k = taps.numel()
    r = k // 2
    n_out = n - k + 1 if padding == "valid" else n
    rows = torch.arange(n_out).view(-1, 1).expand(n_out, k)
    pos = rows + torch.arange(k).view(1, -1) - (0 if padding == "valid" else r)
    cols = _source_index(pos, n, padding)
    m = torch.zeros((n_out, n), dtype=torch.float64)
    m.index_put_((rows.reshape(-1), cols.reshape(-1)), taps.to(torch.float64).repeat(n_out), accumulate=True)
    return m


def _filter_axis_by_shifts(x: torch.Tensor, taps: torch.Tensor, dim: int, padding: str) -> torch.Tensor:
    n = x.shape[dim]
    k = taps.numel()
    if padding == "reflect":
        idx = _source_index(torch.arange(-(k // 2), n + k // 2), n, padding)
        x = x.index_select(dim, idx)
        n = x.shape[dim]
    out = x.narrow(dim, 0, n - k + 1) * taps[0]
    for t in range(1, k):
        out += x.narrow(dim, t, n - k + 1) * taps[t]
    return out


def filter_separable(x: torch.Tensor, taps: torch.Tensor, *, padding: str = "valid") -> torch.Tensor:
    """Filter every channel of ``x`` [N, C, H, W] with the separable kernel ``taps`` ⊗ ``taps``.

    Args:
        x: images [N, C, H, W].
        taps: 1-D kernel [K], K odd.
        padding: ``"valid"`` (output [N, C, H-K+1, W-K+1]) or ``"reflect"`` (output
            [N, C, H, W], mirrored without repeating the edge pixel, like ``scipy.ndimage``
            mode ``mirror``).
    """
    if padding not in ("valid", "reflect"):
        raise ValueError(f"padding must be 'valid' or 'reflect'; got {padding!r}")
    if taps.numel() % 2 == 0:
        raise ValueError(f"the kernel must have an odd number of taps; got {taps.numel()}")
    h, w = x.shape[-2:]
    if padding == "valid" and min(h, w) < taps.numel():
        raise ValueError(
            f"a {taps.numel()}-tap valid filter needs images of at least that size; got {h} x {w}"
        )
    taps = taps.to(x.dtype)
    if max(h, w) <= _MATRIX_MAX_SIDE:
        m_w = filter_matrix(w, taps, padding).to(x.dtype)
        m_h = filter_matrix(h, taps, padding).to(x.dtype)
        return torch.matmul(m_h, torch.matmul(x, m_w.T))
    return _filter_axis_by_shifts(_filter_axis_by_shifts(x, taps, 3, padding), taps, 2, padding)
