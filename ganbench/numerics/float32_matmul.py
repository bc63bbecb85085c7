"""Plain IEEE float32 matrix products, on the fastest kernel of the device (issue #10).

The tiled distance passes (:mod:`ganbench.numerics.distances`) decide every comparison from a
rigorous bound on the rounding error of a float32 dot product, valid for any summation order,
blocked or fused, but only for float32 arithmetic: no TF32, no bf16 (Higham, "Accuracy and
Stability of Numerical Algorithms", 2nd ed., §3.1). This module is the one home of both halves:

- :func:`float32_products` switches the reduced-precision modes off for a block: CUDA's TF32,
  ``torch.set_float32_matmul_precision`` and oneDNN's bf16/TF32 math mode for float32
  (``torch.backends.mkldnn.matmul.fp32_precision``);
- :func:`row_products` computes ``a @ bᵀ`` in float32. On a CPU it uses oneDNN's float32 matrix
  product (``torch.ops.mkldnn._linear_pointwise``, what ``torch.compile`` emits for a CPU linear
  layer) where torch has it: the same IEEE float32 arithmetic in another blocking, and on CPUs
  where MKL does not pick its best kernel (AMD EPYC: MKL's ``sgemm`` reaches about 150 GFLOP/s
  on the two-core development VM, oneDNN about 390) twice as fast. Elsewhere, and for products
  too small to gain, it is ``torch.mm``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import torch

#: Below this many multiply-adds (m · n · k) a product stays on ``torch.mm``: oneDNN's call
#: overhead (about 10 µs) outweighs its faster kernel.
_ONEDNN_MIN_WORK = 1 << 16

_onednn_usable: bool | None = None  # decided on the first CPU product


@contextmanager
def float32_products() -> Iterator[None]:
    """Within the block, float32 matrix products are plain IEEE float32 (the error bands assume it):
    no TF32 or bf16 on CUDA or in oneDNN, whichever API (``torch.set_float32_matmul_precision``,
    ``torch.backends.{cuda,mkldnn}.matmul.fp32_precision``) asked for them. Restored on exit."""
    backends = [
        matmul
        for matmul in (
            getattr(torch.backends.cuda, "matmul", None),
            getattr(torch.backends.mkldnn, "matmul", None),
        )
        if matmul is not None and hasattr(matmul, "fp32_precision")
    ]
    if not backends:  # a torch before the per-backend settings (2.9)
        precision, tf32 = torch.get_float32_matmul_precision(), torch.backends.cuda.matmul.allow_tf32
        torch.set_float32_matmul_precision("highest")
        torch.backends.cuda.matmul.allow_tf32 = False
        try:
            yield
        finally:
            torch.set_float32_matmul_precision(precision)
            torch.backends.cuda.matmul.allow_tf32 = tf32
        return
    saved = [matmul.fp32_precision for matmul in backends]
    for matmul in backends:
        matmul.fp32_precision = "ieee"
    try:
        yield
    finally:
        for matmul, mode in zip(backends, saved, strict=True):
            matmul.fp32_precision = mode


def row_products(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ bᵀ`` for float32 a [M, K] and b [N, K]: float32 [M, N], a new tensor.

    Plain float32 arithmetic inside :func:`float32_products` (see the module docstring for the
    kernel). ``a`` and ``b`` may be any strided float32 tensors on one device.
    """
    global _onednn_usable
    work = a.shape[0] * b.shape[0] * a.shape[1]
    if a.device.type == "cpu" and work >= _ONEDNN_MIN_WORK and _onednn_usable is not False:
        if _onednn_usable is None:
            _onednn_usable = _onednn_works()
        if _onednn_usable:
            return _onednn_product(a, b)
    return a @ b.T


def _onednn_product(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    return torch.ops.mkldnn._linear_pointwise(a.contiguous(), b.contiguous(), None, "none", [], "")


def _onednn_works() -> bool:
    """Whether this torch has oneDNN's CPU product and it runs here (a private op: a build or CPU
    without it falls back to ``torch.mm``, which computes the same float32 arithmetic)."""
    if not (torch.backends.mkldnn.is_available() and hasattr(torch.ops.mkldnn, "_linear_pointwise")):
        return False
    probe = torch.arange(12, dtype=torch.float32).reshape(3, 4)
    try:
        return bool(torch.equal(_onednn_product(probe, probe), probe @ probe.T))  # small integers: exact
    except RuntimeError:
        return False
