"""Time every registered metric on N real vs N generated samples, next to torch-fidelity and prdc.

Real data: Fashion-MNIST's held-out split vs a same-sized slice of its training split when the
files are available (`apt-get install dataset-fashion-mnist`), else the mnist-5k digits
resampled with pixel noise. Features and logits come from the domain classifier (trained once,
cached). Each metric runs once after a warm-up of the shared memos is cleared, so the first
k-NN metric pays for the shared pass, as it does in a run.

    python benchmarks/metric_battery.py --n 10000 --out benchmarks/results/battery.csv
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import ganbench
from ganbench.datasets import DatasetUnavailableError
from ganbench.evaluation.features import FeatureSet, extract
from ganbench.evaluation.scoring import metric_params
from ganbench.numerics.memo import clear_memos
from ganbench.registry import DATASETS, EXTRACTORS, METRICS
from ganbench.runtime import configure_threads


def load_sets(n: int) -> tuple[str, torch.Tensor, torch.Tensor, torch.Tensor, np.ndarray, object]:
    try:
        dataset = DATASETS["fashion-mnist"](download=False)
    except DatasetUnavailableError:
        dataset = DATASETS["mnist-5k"]()
    rng = torch.Generator().manual_seed(0)

    def take(images: torch.Tensor, count: int) -> torch.Tensor:
        idx = (
            torch.randint(0, len(images), (count,), generator=rng)
            if count > len(images)
            else torch.arange(count)
        )
        out = images[idx]
        if count > len(images):  # resampled: add noise so there are no exact duplicates
            noise = torch.randint(-8, 9, out.shape, generator=rng)
            out = (out.int() + noise).clamp(0, 255).to(torch.uint8)
        return out

    real = take(dataset.test.images, n)
    fake = take(dataset.train.images, n)
    train = dataset.train.images
    prior = np.bincount(dataset.train.labels.numpy(), minlength=dataset.num_classes) / len(dataset.train)
    extractor = EXTRACTORS["domain-classifier"](dataset, progress=False)
    return dataset.name, real, fake, train, prior, extractor


def peers(real: FeatureSet, fake: FeatureSet) -> list[dict[str, object]]:
    """torch-fidelity and prdc on the same features, where they compute the same measure."""
    import prdc
    from torch_fidelity import metric_fid, metric_isc, metric_kid, metric_prc

    r, f = torch.from_numpy(real.features), torch.from_numpy(fake.features)
    jobs = {
        "fid": lambda: metric_fid.fid_statistics_to_metric(
            metric_fid.fid_features_to_statistics(r), metric_fid.fid_features_to_statistics(f), False
        ),
        "kid": lambda: metric_kid.kid_features_to_metric(f, r, verbose=False),
        "is": lambda: metric_isc.isc_features_to_metric(torch.from_numpy(fake.logits)),
        "precision-recall": lambda: metric_prc.prc_features_to_metric(f, r, verbose=False),
        "density-coverage": lambda: prdc.compute_prdc(real.features, fake.features, nearest_k=5),
    }
    rows = []
    for name, job in jobs.items():
        start = time.perf_counter()
        job()
        peer = "prdc" if name == "density-coverage" else "torch-fidelity"
        rows.append({"metric": name, "implementation": peer, "seconds": time.perf_counter() - start})
    return rows


def blas_kernel() -> str:
    """Which BLAS numpy uses and its kernel (OPENBLAS_CORETYPE on this machine picks a slower one)."""
    from threadpoolctl import threadpool_info

    blas = [i for i in threadpool_info() if i.get("user_api") == "blas"]
    return (
        ", ".join(f"{i['internal_api']} {i.get('version')} {i.get('architecture')}" for i in blas)
        or "no BLAS"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="samples per side")
    parser.add_argument("--metrics", default="all", help="comma-separated metric names, or all")
    parser.add_argument("--out", type=Path, default=None, help="CSV of the timings")
    args = parser.parse_args()

    threads = configure_threads()  # as the CLI does: torch on every core, BLAS on one
    name, real_images, fake_images, train_images, prior, extractor = load_sets(args.n)
    real = extract(extractor, real_images, desc="real", progress=False)
    fake = extract(extractor, fake_images, desc="fake", progress=False)
    train = extract(extractor, train_images, desc="train", progress=False)
    print(f"dataset {name}: {len(real)} real vs {len(fake)} generated; threads {threads}; {blas_kernel()}")
    clear_memos()
    rows = []
    for metric in METRICS.resolve(args.metrics):
        spec = METRICS[metric]
        if "generator" in spec.extra_inputs or spec.level == "run":
            continue  # needs trained models: timed by the run itself
        params = metric_params(spec, len(real), len(fake), seed=0)
        extras = {"train": train.space(spec.space), "class_prior": prior}
        keywords = {k: extras[k] for k in spec.extra_inputs} | params
        start = time.perf_counter()
        values = spec(real=real.space(spec.space), fake=fake.space(spec.space), **keywords)
        seconds = time.perf_counter() - start
        rows.append({"metric": metric, "implementation": "ganbench", "seconds": seconds})
        print(f"{metric:18} {seconds:8.2f} s  " + " ".join(f"{k}={v:.4g}" for k, v in values.items()))
    for row in peers(real, fake):
        rows.append(row)
        print(f"{row['metric']:18} {row['seconds']:8.2f} s  ({row['implementation']})")
    total = sum(r["seconds"] for r in rows if r["implementation"] == "ganbench")
    print(f"ganbench battery total: {total:.1f} s (version {ganbench.__version__})")
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        pd.DataFrame(rows).to_csv(args.out, index=False)


if __name__ == "__main__":
    main()
