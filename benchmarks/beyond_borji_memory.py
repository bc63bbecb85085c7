"""Wall time and peak memory of the Vendi score and CMMD at the full-size protocol (50k x 2048).

Both measures are written to need no N x N matrix: Vendi accumulates the D x D Gram of row blocks
(:mod:`ganbench.metrics.vendi`), CMMD sums its three kernel sums over 1024 x 1024 tiles
(:mod:`ganbench.metrics.cmmd`). This script runs each once on N real vs N generated features of
dimension D (synthetic, seeded: the non-negative Inception-like rows of :mod:`benchmarks.perf`,
float32) and reports, per measure, its wall seconds, the peak resident memory above the
process's level before the call (the 5 ms sampler of :class:`benchmarks.perf.PeakMemory`) and its
values, after the machine and BLAS lines of :func:`benchmarks.bare_products.machine_lines`.

    python -m benchmarks.beyond_borji_memory                      # N = 50,000, D = 2048
    python -m benchmarks.beyond_borji_memory --n 2000 --measures vendi
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

import ganbench.metrics  # noqa: F401  (registers the measures)
from benchmarks.bare_products import machine_lines
from benchmarks.perf import PeakMemory, inception_like
from ganbench.registry import METRICS

MEASURES = ("vendi", "cmmd")


def features(n: int, dim: int, seed: int, shift: float) -> np.ndarray:
    """float32 [n, dim] Inception-like rows (:func:`benchmarks.perf.inception_like`), without its logits."""
    return inception_like(n, dim, seed=seed, shift=shift, classes=1).features


def run(name: str, real: np.ndarray, fake: np.ndarray) -> tuple[float, float, dict[str, float]]:
    """One call of measure ``name`` with its defaults: (seconds, peak GiB above the start, values)."""
    with PeakMemory() as memory:
        start = time.perf_counter()
        values = METRICS[name](real=real, fake=fake)
        seconds = time.perf_counter() - start
    return seconds, memory.gib, values


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=50_000, help="rows per set (real and fake)")
    parser.add_argument("--dim", type=int, default=2048, help="feature dimension (Inception: 2048)")
    parser.add_argument("--measures", default=",".join(MEASURES), help="comma-separated, of: vendi, cmmd")
    parser.add_argument("--out", type=Path, help="also write the markdown to this file")
    args = parser.parse_args()
    names = [m.strip() for m in args.measures.split(",") if m.strip()]
    unknown = sorted(set(names) - set(MEASURES))
    if unknown:
        parser.error(f"unknown measures {unknown}; choose from {MEASURES}")

    real = features(args.n, args.dim, seed=0, shift=0.0)
    fake = features(args.n, args.dim, seed=1, shift=0.25)
    gib = (real.nbytes + fake.nbytes) / 2**30
    lines = [
        f"# Vendi and CMMD on {args.n:,} real vs {args.n:,} generated float32 features, D = {args.dim}",
        "",
        *machine_lines(),
        f"- inputs: {gib:.2f} GiB (both sets, float32), already resident before each call",
        "",
        "| measure | seconds | peak RSS above start (GiB) | values |",
        "|---|---:|---:|---|",
    ]
    print("\n".join(lines), flush=True)
    for name in names:
        seconds, peak, values = run(name, real, fake)
        shown = ", ".join(f"{k} = {v:.6g}" for k, v in values.items())
        row = f"| {name} | {seconds:.1f} | {peak:.3f} | {shown} |"
        print(row, flush=True)
        lines.append(row)
    if args.out is not None:
        args.out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
