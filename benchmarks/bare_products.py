"""The arithmetic floor of the measure battery: the bare matrix products its measures need, timed.

Every Tier-1 measure on N real vs N generated features of dimension D can be computed from three
Gram matrices and two covariances (issue #10):

- real x real and fake x fake (symmetric: only the tiles on and above the diagonal are needed,
  so they cost half of a full product each), for the k-NN radii and KID's within-set kernels;
- real x fake (a full product), for the ball tests, coverage and KID's cross kernel;
- the two D x D covariances for FID.

This script times exactly those products, in tiles of the size ganbench uses, on the device and in
the float types asked for, so that ganbench's battery can be judged against the hardware and not
only against the peers. It reports the machine, torch's and numpy's BLAS (threadpoolctl) and the
OpenBLAS variables that slow a current numpy on the development machine.

    python benchmarks/bare_products.py --n 10000 --dim 2048
    python benchmarks/bare_products.py --n 50000 --dim 2048 --dtypes float32 --device cuda
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np
import torch

from ganbench.numerics.blocks import chunks
from ganbench.numerics.distances import DEFAULT_CHUNK_SIZE
from ganbench.numerics.float32_matmul import float32_products, row_products

OPENBLAS_VARIABLES = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")


def machine_lines() -> list[str]:
    """The CPU, thread counts, BLAS libraries and the environment variables that change them."""
    from threadpoolctl import threadpool_info

    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    blas = sorted(
        {
            f"{p['internal_api']} {p.get('version') or ''} ({p.get('architecture') or '?'}, "
            f"{p['num_threads']} threads)"
            for p in threadpool_info()
            if p["user_api"] == "blas"
        }
    )
    set_variables = [f"{name}={os.environ[name]}" for name in OPENBLAS_VARIABLES if name in os.environ]
    torch_blas = "MKL" if torch.backends.mkl.is_available() else "not MKL"
    return [
        f"- CPU: {cpu}; {os.cpu_count()} logical cores; torch threads {torch.get_num_threads()}",
        f"- torch {torch.__version__} (BLAS: {torch_blas}); numpy {np.__version__}",
        f"- BLAS libraries loaded (threadpoolctl): {'; '.join(blas) or 'none reported'}",
        f"- environment: {', '.join(set_variables) or 'none of ' + ', '.join(OPENBLAS_VARIABLES) + ' set'}",
    ]


def upper_tiles(n: int, chunk: int) -> list[tuple[slice, slice]]:
    """The tiles of an n x n symmetric matrix on and above the diagonal."""
    return [(r, c) for r in chunks(n, chunk) for c in chunks(n, chunk) if c.start >= r.start]


def torch_mm(a: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
    """``a @ bᵀ`` through ``torch.mm`` (MKL's or OpenBLAS's ``gemm`` on a CPU, cuBLAS on CUDA)."""
    return torch.mm(a, b.T)


#: The product kernels timed: ``torch.mm`` and, on a CPU, ganbench's ``row_products`` (oneDNN's
#: float32 kernel; see :mod:`ganbench.numerics.float32_matmul`). The floor is the faster one.
PRODUCT_KERNELS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "torch.mm": torch_mm,
    "oneDNN": row_products,
}


def symmetric_gram(x: torch.Tensor, chunk: int, product: Callable = torch_mm) -> None:
    """``x xᵀ`` for x [N, D], only the tiles on and above the diagonal (about half a full product)."""
    for rows, cols in upper_tiles(x.shape[0], chunk):
        product(x[rows], x[cols])


def cross_gram(x: torch.Tensor, y: torch.Tensor, chunk: int, product: Callable = torch_mm) -> None:
    """``x yᵀ`` for x [N, D], y [M, D], every tile."""
    for rows in chunks(x.shape[0], chunk):
        for cols in chunks(y.shape[0], chunk):
            product(x[rows], y[cols])


def covariance(x: torch.Tensor, product: Callable = torch_mm) -> None:
    """The D x D scatter ``(x − mean)ᵀ (x − mean)`` of x [N, D] (a full product)."""
    centred = (x - x.mean(dim=0)).T.contiguous()
    product(centred, centred)


def both_covariances(real: torch.Tensor, fake: torch.Tensor, product: Callable = torch_mm) -> None:
    """FID's two covariances."""
    covariance(real, product)
    covariance(fake, product)


def timed(step: Callable[[], object], device: torch.device, repeats: int) -> list[float]:
    """Wall seconds of ``repeats`` calls after one warm-up (synchronised on CUDA)."""
    step()
    out = []
    for _ in range(repeats):
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        start = time.perf_counter()
        step()
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=10_000, help="rows per set (real and fake)")
    parser.add_argument("--dim", type=int, default=2048, help="feature dimension (Inception: 2048)")
    parser.add_argument("--dtypes", default="float32,float64", help="comma-separated torch float types")
    parser.add_argument("--chunk", type=int, default=DEFAULT_CHUNK_SIZE, help="tile rows and columns")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    args = parser.parse_args()

    device = torch.device(args.device)
    generator = torch.Generator().manual_seed(0)
    print(f"# Bare products: {args.n} vs {args.n} features of dimension {args.dim}, tiles of {args.chunk}\n")
    print("\n".join(machine_lines()), "\n")
    print("| dtype | kernel | product | GFLOP | median s | min s | max s | GFLOP/s |")
    print("|---|---|---|---|---|---|---|---|")
    n, d = args.n, args.dim
    for name in args.dtypes.split(","):
        dtype = getattr(torch, name.strip())
        real = torch.randn(n, d, generator=generator).to(device=device, dtype=dtype)
        fake = torch.randn(n, d, generator=generator).to(device=device, dtype=dtype)
        symmetric_flop = sum(
            2.0 * (r.stop - r.start) * (c.stop - c.start) * d for r, c in upper_tiles(n, args.chunk)
        )
        on_cpu32 = dtype == torch.float32 and device.type == "cpu"
        kernels = PRODUCT_KERNELS if on_cpu32 else {"torch.mm": torch_mm}
        for kernel, product in kernels.items():
            real_real = partial(symmetric_gram, real, args.chunk, product)
            fake_fake = partial(symmetric_gram, fake, args.chunk, product)
            products: list[tuple[str, Callable[[], object], float]] = [
                ("real x real (upper tiles)", real_real, symmetric_flop),
                ("fake x fake (upper tiles)", fake_fake, symmetric_flop),
                ("real x fake", partial(cross_gram, real, fake, args.chunk, product), 2.0 * n * n * d),
                ("two covariances", partial(both_covariances, real, fake, product), 2 * 2.0 * n * d * d),
            ]
            total = 0.0
            for label, step, flop in products:
                with float32_products():
                    seconds = timed(step, device, args.repeats)
                median = statistics.median(seconds)
                total += median
                print(
                    f"| {name} | {kernel} | {label} | {flop / 1e9:.1f} | {median:.3f} | {min(seconds):.3f} | "
                    f"{max(seconds):.3f} | {flop / 1e9 / median:.0f} |"
                )
            print(f"| {name} | {kernel} | **all of the above** | | **{total:.3f}** | | | |")


if __name__ == "__main__":
    main()
