"""The float32 products of the distance passes: plain IEEE float32 on whichever kernel runs them."""

from __future__ import annotations

import pytest
import torch

from ganbench.numerics import float32_matmul
from ganbench.numerics.float32_matmul import float32_products, row_products

U32 = 2.0**-24


def assert_within_float32_bound(got: torch.Tensor, a: torch.Tensor, b: torch.Tensor) -> None:
    """|got − a bᵀ| <= γ_K Σ|a_k b_k| entrywise (Higham §3.1), the exact product taken in float64."""
    k = a.shape[1]
    exact = a.double() @ b.double().T
    gamma = k * U32 / (1 - k * U32)
    bound = gamma * (a.double().abs() @ b.double().abs().T)
    assert bool(((got.double() - exact).abs() <= bound).all())


@pytest.mark.parametrize("shape", [(1024, 700, 2048), (9, 7, 5), (300, 1, 64)])
def test_row_products_within_the_float32_bound(shape: tuple[int, int, int]) -> None:
    """oneDNN-sized and torch.mm-sized products."""
    m, n, k = shape
    gen = torch.Generator().manual_seed(0)
    a = torch.randn(m, k, generator=gen)
    b = torch.randn(n, k, generator=gen)
    with float32_products():
        got = row_products(a, b)
    assert got.dtype == torch.float32 and got.shape == (m, n)
    assert_within_float32_bound(got, a, b)


@pytest.mark.parametrize("api", ["legacy", "per-backend"])
def test_row_products_keep_every_float32_bit_under_a_bf16_setting(api: str) -> None:
    """(1 + 2⁻⁹)² = 1 + 2⁻⁸ + 2⁻¹⁸ is a float32 number: plain float32 gets it exactly, a bf16 product
    (8 significant bits) gets 1 and a bf16x3 split 1 + 2⁻⁸. The user's setting asks for bf16;
    inside float32_products a tile-sized product must still be float32, and the setting is back
    afterwards. (Without AMX, oneDNN has no bf16 kernel for float32 products and rounds as float32
    either way; on an AMX CPU or a TF32 GPU the setting would change the result.)"""
    value = 1.0 + 2.0**-9
    a = torch.zeros(1024, 2048)
    b = torch.zeros(1024, 2048)
    a[:, 0] = value
    b[:, 0] = value
    onednn = torch.backends.mkldnn.matmul
    before = onednn.fp32_precision
    if api == "legacy":
        torch.set_float32_matmul_precision("medium")
    else:
        onednn.fp32_precision = "bf16"
    try:
        with float32_products():
            got = row_products(a, b)
        assert onednn.fp32_precision == "bf16"  # restored on exit
    finally:
        if api == "legacy":
            torch.set_float32_matmul_precision("highest")
        onednn.fp32_precision = before
    assert float(got[0, 0]) == 1.0 + 2.0**-8 + 2.0**-18
    assert bool((got == got[0, 0]).all())


def test_row_products_of_strided_inputs() -> None:
    gen = torch.Generator().manual_seed(1)
    a = torch.randn(600, 300, generator=gen)
    b = torch.randn(300, 500, generator=gen)
    with float32_products():
        got = row_products(a[:, ::2], b.T[:, ::2])
    assert_within_float32_bound(got, a[:, ::2], b.T[:, ::2])


def test_a_torch_whose_onednn_product_fails_falls_back_to_torch_mm(monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        raise RuntimeError("no oneDNN kernel for this CPU")

    monkeypatch.setattr(float32_matmul, "_onednn_usable", None)
    monkeypatch.setattr(float32_matmul, "_onednn_product", failing)
    a = torch.arange(64 * 64, dtype=torch.float32).reshape(64, 64) % 7
    with float32_products():
        got = row_products(a, a)
    assert float32_matmul._onednn_usable is False
    assert torch.equal(got, a @ a.T)
