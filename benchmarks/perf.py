"""The Tier-1 battery against the peers and against the bare products, at several sizes (issue #10).

    python -m benchmarks.perf                          # N = 1k, 5k, 10k; D = 2048; 3 repetitions
    python -m benchmarks.perf --sizes 20000,50000 --repeats 1 --metrics precision-recall,density-coverage \
        --peers "torch-fidelity save_cpu_ram"

For each N, on N real vs N generated features of dimension D, in this one process:

- **ganbench**: FID, KID, IS, precision, recall, density and coverage through
  ``ganbench.evaluation.scoring.score`` (what ``ganbench run`` / ``evaluate`` call), every memo
  cleared before each repetition, so each repetition pays for the whole shared Gram pass;
- **the floor**: the bare float32 products the battery needs (real x real and fake x fake on and
  above the diagonal, real x fake, FID's two covariances) in ganbench's tiles
  (:mod:`benchmarks.bare_products`), once with ``torch.mm`` and once with oneDNN's float32 kernel
  (what ganbench's passes use on a CPU; about twice MKL's speed on an AMD CPU): the faster of the
  two is the floor. With FID in the battery, a third line puts FID's covariances in float64, as
  FID computes them (a float32 scatter moves FID by about 1e-4 relative; see
  :func:`ganbench.numerics.gaussian.mean_and_covariance`);
- **the peers**, each on the measures it has: torch-fidelity 0.4 (FID, KID, IS, precision/recall),
  torch-fidelity's ``save_cpu_ram`` mode (P/R in row blocks: the only peer that fits 50k x 50k),
  prdc (precision/recall/density/coverage), torchmetrics (FID and KID, fed the features through an
  identity feature module), pytorch-fid and clean-fid (FID from the features' statistics; clean-fid
  also KID). A peer that is not installed is left out.

Each entry: median, min and max wall seconds over the repetitions and the peak resident memory
above the process's baseline during the call (sampled every 5 ms). The values are printed side by
side so agreement can be read off. Features: non-negative, Inception-like rows
``relu(z A) + noise`` with a 64-d latent z (seeded; real and generated differ by a latent shift).
The machine, the BLAS libraries (threadpoolctl) and the OpenBLAS variables are printed first.

OpenBLAS reads ``OPENBLAS_CORETYPE`` and ``OPENBLAS_L2_SIZE`` once, when numpy loads it, so the
numpy-based peers (prdc, pytorch-fid, clean-fid; ganbench's FID solve also runs in numpy) cannot
be timed both ways in one process. ``--blas-env`` reruns the same sizes, with ganbench, the floor
and those peers, in a child process whose environment differs only in the given variables
(``--blas-env unset`` removes them), and appends its tables::

    python -m benchmarks.perf --sizes 10000 --blas-env OPENBLAS_CORETYPE=Haswell,OPENBLAS_L2_SIZE=262144
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import numpy as np
import psutil
import torch
from threadpoolctl import threadpool_limits

from benchmarks.bare_products import (
    OPENBLAS_VARIABLES,
    PRODUCT_KERNELS,
    both_covariances,
    cross_gram,
    machine_lines,
    symmetric_gram,
    torch_mm,
)
from ganbench.evaluation.features import FeatureSet
from ganbench.evaluation.scoring import score
from ganbench.numerics.distances import DEFAULT_CHUNK_SIZE
from ganbench.numerics.float32_matmul import float32_products, row_products
from ganbench.numerics.gaussian import mean_and_covariance
from ganbench.numerics.memo import clear_memos

BATTERY = ["fid", "kid", "is", "precision-recall", "density-coverage"]
NUMPY_PEERS = ["prdc", "pytorch-fid", "clean-fid"]


def inception_like(n: int, dim: int, *, seed: int, shift: float = 0.0, classes: int = 1008) -> FeatureSet:
    """n rows of non-negative features relu(z A) + noise (latent 64-d, shifted by ``shift``) and logits."""
    rng = np.random.default_rng(seed)
    basis = np.random.default_rng(12345).standard_normal((64, dim), dtype=np.float32) / 8.0
    latent = rng.standard_normal((n, 64), dtype=np.float32) + np.float32(shift)
    features = np.maximum(latent @ basis, 0) + 0.05 * rng.standard_normal((n, dim), dtype=np.float32)
    head = np.random.default_rng(54321).standard_normal((64, classes), dtype=np.float32)
    logits = latent @ head
    pixels = np.zeros((n, 1, 1, 1), dtype=np.float32)  # unused by these measures
    return FeatureSet(pixels, np.ascontiguousarray(features, dtype=np.float32), logits.astype(np.float32))


class PeakMemory:
    """Peak resident memory above the starting point while the block runs (a 5 ms sampler)."""

    def __enter__(self) -> PeakMemory:
        self.process = psutil.Process()
        self.start = self.peak = self.process.memory_info().rss
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def _sample(self) -> None:
        while not self._stop.wait(0.005):
            self.peak = max(self.peak, self.process.memory_info().rss)

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.process.memory_info().rss)

    @property
    def gib(self) -> float:
        return (self.peak - self.start) / 2**30


@dataclass
class Timing:
    label: str
    seconds: list[float]
    peak_gib: float
    values: dict[str, float]

    @property
    def median(self) -> float:
        return statistics.median(self.seconds)


def timed(
    label: str, job: Callable[[], dict[str, float]], repeats: int, before: Callable[[], None]
) -> Timing:
    seconds, peak, values = [], 0.0, {}
    for _ in range(repeats):
        before()
        with PeakMemory() as memory:
            start = time.perf_counter()
            values = job()
            seconds.append(time.perf_counter() - start)
        peak = max(peak, memory.gib)
    return Timing(label, seconds, peak, values)


def ganbench_battery(real: FeatureSet, fake: FeatureSet, metrics: list[str]) -> dict[str, float]:
    """ganbench's measures with the CLI's thread settings (:func:`ganbench.runtime.configure_threads`:
    torch on every core, numpy's BLAS on one, except where ganbench raises it for a large product)."""
    with threadpool_limits(limits=1, user_api="blas"):
        scores = score(metrics, real=real, fake=fake, train=None, class_prior=None)
    return {s.key: s.value for s in scores}


def floor(
    real: FeatureSet, fake: FeatureSet, covariances: str | None, product: Callable = torch_mm
) -> dict[str, float]:
    """The bare products: three Grams in ganbench's tiles with ``product``, and FID's covariances
    as float32 products (``covariances="float32"``) or as FID computes them (``"float64"``:
    :func:`~ganbench.numerics.gaussian.mean_and_covariance`, float64 ``syrk``)."""
    r, f = torch.from_numpy(real.features), torch.from_numpy(fake.features)
    with float32_products():
        symmetric_gram(r, DEFAULT_CHUNK_SIZE, product)
        symmetric_gram(f, DEFAULT_CHUNK_SIZE, product)
        cross_gram(f, r, DEFAULT_CHUNK_SIZE, product)
        if covariances == "float32":
            both_covariances(r, f, product)
    if covariances == "float64":
        mean_and_covariance(real.features, cache=False)
        mean_and_covariance(fake.features, cache=False)
    return {}


class _Identity(torch.nn.Module):
    """torchmetrics' feature extractor slot, given features instead of images."""

    def __init__(self, num_features: int) -> None:
        super().__init__()
        self.num_features = num_features  # torchmetrics reads it instead of probing with an image

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return x


def peer_jobs(real: FeatureSet, fake: FeatureSet) -> dict[str, Callable[[], dict[str, float]]]:
    """Each installed peer's measures on the same features, as one job per peer."""
    jobs: dict[str, Callable[[], dict[str, float]]] = {}
    r32, f32 = torch.from_numpy(real.features), torch.from_numpy(fake.features)
    subset = min(1000, len(real), len(fake))

    def numpy_statistics() -> list[tuple[np.ndarray, np.ndarray]]:
        """Mean and np.cov of each set, as pytorch-fid and clean-fid compute them before their FID."""
        return [(x.mean(axis=0), np.cov(x, rowvar=False)) for x in (real.features, fake.features)]

    try:
        from torch_fidelity import metric_fid, metric_isc, metric_kid, metric_prc

        def torch_fidelity() -> dict[str, float]:
            fid = metric_fid.fid_statistics_to_metric(
                metric_fid.fid_features_to_statistics(r32), metric_fid.fid_features_to_statistics(f32), False
            )
            kid = metric_kid.kid_features_to_metric(
                f32, r32, kid_subset_size=subset, rng_seed=0, verbose=False
            )
            isc = metric_isc.isc_features_to_metric(torch.from_numpy(fake.logits), rng_seed=0)
            prc = metric_prc.prc_features_to_metric(f32, r32, verbose=False)
            return {
                "fid": fid["frechet_inception_distance"],
                "kid": kid["kernel_inception_distance_mean"],
                "is": isc["inception_score_mean"],
                "precision": prc["precision"],
                "recall": prc["recall"],
            }

        jobs["torch-fidelity (FID, KID, IS, P, R)"] = torch_fidelity

        def torch_fidelity_low_memory() -> dict[str, float]:
            prc = metric_prc.prc_features_to_metric(f32, r32, save_cpu_ram=True, verbose=False)
            return {"precision": prc["precision"], "recall": prc["recall"]}

        jobs["torch-fidelity save_cpu_ram (P, R)"] = torch_fidelity_low_memory
    except ImportError:
        pass
    try:
        import prdc

        def prdc_job() -> dict[str, float]:
            out = prdc.compute_prdc(real.features, fake.features, nearest_k=5)
            return {"density": out["density"], "coverage": out["coverage"]}

        jobs["prdc (P, R, D, C; k = 5)"] = prdc_job
    except ImportError:
        pass
    try:
        from torchmetrics.image.fid import FrechetInceptionDistance
        from torchmetrics.image.kid import KernelInceptionDistance

        def torchmetrics_job() -> dict[str, float]:
            fid = FrechetInceptionDistance(feature=_Identity(r32.shape[1]))
            kid = KernelInceptionDistance(feature=_Identity(r32.shape[1]), subset_size=subset)
            for metric in (fid, kid):
                metric.update(r32.double(), real=True)
                metric.update(f32.double(), real=False)
            return {"fid": float(fid.compute()), "kid": float(kid.compute()[0])}

        jobs["torchmetrics (FID, KID)"] = torchmetrics_job
    except ImportError:
        pass
    try:
        from pytorch_fid.fid_score import calculate_frechet_distance

        def pytorch_fid_job() -> dict[str, float]:
            stats = numpy_statistics()
            return {"fid": float(calculate_frechet_distance(*stats[0], *stats[1]))}

        jobs["pytorch-fid (FID)"] = pytorch_fid_job
    except ImportError:
        pass
    try:
        from cleanfid import fid as clean_fid

        def clean_fid_job() -> dict[str, float]:
            stats = numpy_statistics()
            value = clean_fid.frechet_distance(*stats[0], *stats[1])
            kid = clean_fid.kernel_distance(real.features, fake.features, max_subset_size=subset)
            return {"fid": float(value), "kid": float(kid)}

        jobs["clean-fid (FID, KID)"] = clean_fid_job
    except ImportError:
        pass
    return jobs


def run(sizes: list[int], dim: int, repeats: int, peers: list[str] | None, metrics: list[str]) -> str:
    lines = [f"## Tier-1 battery, D = {dim}, {repeats} repetition(s), float32 features", ""]
    lines += [*machine_lines(), ""]
    for n in sizes:
        real = inception_like(n, dim, seed=1)
        fake = inception_like(n, dim, seed=2, shift=0.15)
        label = "ganbench: " + ", ".join(metrics) + " (one shared pass)"
        rows = [timed(label, partial(ganbench_battery, real, fake, metrics), repeats, clear_memos)]
        with_fid = "fid" in metrics
        what = "RR, FF upper tiles; RF" + ("; 2 covariances" if with_fid else "")
        for kernel, product in PRODUCT_KERNELS.items():
            rows.append(
                timed(
                    f"floor: bare float32 products, {kernel} ({what})",
                    partial(floor, real, fake, "float32" if with_fid else None, product),
                    repeats,
                    clear_memos,
                )
            )
        if with_fid:
            rows.append(
                timed(
                    "floor, FID's covariances in float64 as FID needs them (Grams: oneDNN)",
                    partial(floor, real, fake, "float64", row_products),
                    repeats,
                    clear_memos,
                )
            )
        floors = len(rows) - 1
        for label, job in peer_jobs(real, fake).items():
            if peers is None or any(label.startswith(name + " (") for name in peers):
                rows.append(timed(label, job, repeats, clear_memos))
        lines += [
            f"### N = {n:,} real vs {n:,} generated",
            "",
            "| who | median s | min s | max s | peak GiB | x ganbench |",
            "|---|---|---|---|---|---|",
        ]
        ours = rows[0].median
        for t in rows:
            spread = f"{t.median:.2f} | {min(t.seconds):.2f} | {max(t.seconds):.2f}"
            lines.append(f"| {t.label} | {spread} | {t.peak_gib:.2f} | {t.median / ours:.2f} |")
        peer_rows = rows[1 + floors :]
        if peer_rows:
            lines += [
                "",
                "Values side by side:",
                "",
                "| key | ganbench | " + " | ".join(t.label.split(" (")[0] for t in peer_rows) + " |",
                "|---" * (2 + len(peer_rows)) + "|",
            ]
            for key, value in rows[0].values.items():
                cells = [f"{t.values[key]:.6g}" if key in t.values else "–" for t in peer_rows]
                lines.append(f"| {key} | {value:.6g} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def blas_environment(spec: str) -> dict[str, str]:
    """This process's environment with the OpenBLAS variables of ``spec`` ("NAME=VALUE,...", or
    "unset" to remove every OpenBLAS variable); a name outside :data:`OPENBLAS_VARIABLES` is refused."""
    env = dict(os.environ)
    if spec.strip() == "unset":
        for name in OPENBLAS_VARIABLES:
            env.pop(name, None)
        return env
    for item in spec.split(","):
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or name not in OPENBLAS_VARIABLES or not value.strip():
            raise SystemExit(
                f"--blas-env: {item!r} is not NAME=VALUE with NAME one of {', '.join(OPENBLAS_VARIABLES)} "
                "(or pass 'unset')"
            )
        env[name] = value.strip()
    return env


def rerun_with_blas_environment(spec: str, args: argparse.Namespace) -> str:
    """The numpy-based peers, ganbench and the floor at the same sizes, in a child process with the
    OpenBLAS variables of ``spec`` (see :func:`blas_environment`): its markdown report."""
    command = [
        sys.executable, "-m", "benchmarks.perf", "--sizes", args.sizes, "--dim", str(args.dim),
        "--repeats", str(args.repeats), "--metrics", args.metrics, "--peers", ",".join(NUMPY_PEERS),
    ]  # fmt: skip
    child = subprocess.run(command, env=blas_environment(spec), capture_output=True, text=True, check=False)
    if child.returncode != 0:
        raise SystemExit(f"the --blas-env rerun failed:\n{child.stderr[-2000:]}")
    return f"# The same, rerun in a child process with --blas-env {spec}\n\n{child.stdout}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,5000,10000", help="comma-separated N (rows per set)")
    parser.add_argument("--dim", type=int, default=2048)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument(
        "--peers",
        default=None,
        help="comma-separated peers to time (torch-fidelity, 'torch-fidelity save_cpu_ram', prdc, "
        "torchmetrics, pytorch-fid, clean-fid; default: all installed; 'none': ganbench and the floor only)",
    )
    parser.add_argument("--metrics", default=",".join(BATTERY), help="the ganbench measures timed together")
    parser.add_argument(
        "--blas-env",
        help="also rerun ganbench, the floor and the numpy-based peers in a child process with these "
        "OpenBLAS variables (NAME=VALUE,...; 'unset' removes them)",
    )
    parser.add_argument("--out", type=Path, help="also write the markdown here")
    args = parser.parse_args(argv)
    if args.blas_env:
        blas_environment(args.blas_env)  # a malformed value fails before the first timing
    peers = None if args.peers is None else [p.strip() for p in args.peers.split(",") if p.strip() != "none"]
    sizes = [int(s) for s in args.sizes.split(",")]
    report = run(sizes, args.dim, args.repeats, peers, args.metrics.split(","))
    if args.blas_env:
        report += "\n" + rerun_with_blas_environment(args.blas_env, args)
    print(report)
    if args.out:
        args.out.write_text(report + "\n")


if __name__ == "__main__":
    main()
