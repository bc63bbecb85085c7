"""Time every set measure's evaluation and its B-replicate bootstrap, by its declared interval method.

The sets are those of the quick preset's `real` row: N held-out mnist-5k images (the real side)
against N training images (the compared side), the whole training split as `train`, features
and logits from the domain classifier (trained once, cached). Measures that need a generator
get an untrained DCGAN generator (their cost does not depend on its weights). Each measure
runs after the shared memos are cleared, as in `metric_battery.py`.

Per measure the script times the evaluation (what a run without `--bootstrap` pays) and the
bootstrap on top of it, made as `evaluation.scoring.score` makes it:

- recompute: B evaluations on resampled sets (`recompute_replicate`);
- per-sample: the evaluation is the per-sample pass and its value (what `spec(...)` computes:
  the measure is written that way), and the bootstrap adds B reductions of the pass; `recompute`
  in the table estimates what recomputing would have cost instead (B x evaluation);
- none: nothing.

The last lines project `ganbench run --metrics all --bootstrap B` on the quick preset: four
variant rows and the `real` row (which skips the generator measures) per seed.

    python benchmarks/bootstrap_cost.py --n 1000 --replicates 200
"""

from __future__ import annotations

import argparse
import time
import warnings
from collections.abc import Callable
from typing import TypeVar

import numpy as np
import torch
from metric_battery import blas_kernel

import ganbench
from ganbench.evaluation.bootstrap import bootstrap_intervals, recompute_replicate
from ganbench.evaluation.features import FeatureSet, extract
from ganbench.evaluation.scoring import metric_params
from ganbench.metrics.spec import GeneratorHandle, MetricSpec, PerSample
from ganbench.numerics.memo import clear_memos
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS
from ganbench.runtime import configure_threads

T = TypeVar("T")
ROWS_PER_SEED = 4  # the quick preset's variants; the real row comes once per run
SEED = 0


def load_sets(n: int) -> tuple[FeatureSet, FeatureSet, FeatureSet, np.ndarray]:
    """Held-out, compared (training images) and training sets of mnist-5k, and the class prior."""
    dataset = DATASETS["mnist-5k"]()
    extractor = EXTRACTORS["domain-classifier"](dataset, progress=False)
    real = extract(extractor, dataset.test.images[:n], desc="held-out", progress=False)
    fake = extract(extractor, dataset.train.images[:n], desc="compared", progress=False)
    train = extract(extractor, dataset.train.images, desc="train", progress=False)
    prior = np.bincount(dataset.train.labels.numpy(), minlength=dataset.num_classes) / len(dataset.train)
    return real, fake, train, prior


def generator_for(real: FeatureSet) -> GeneratorHandle:
    variant = VARIANTS["dcgan"]
    _, channels, size, _ = real.pixels.shape
    torch.manual_seed(SEED)
    module = variant.build_generator(variant.latent_dim, channels, size).eval()
    return GeneratorHandle(module, variant.latent_dim, torch.device("cpu"))


def timed(job: Callable[[], T]) -> tuple[T, float]:
    """``job()`` and the seconds it took."""
    start = time.perf_counter()
    out = job()
    return out, time.perf_counter() - start


def _pass_and_value(
    spec: MetricSpec, real: np.ndarray, fake: np.ndarray, keywords: dict[str, object]
) -> tuple[PerSample, dict[str, float]]:
    """A per-sample measure's one pass and its value: what ``spec(...)`` computes, keeping the pass."""
    samples = spec.samples(real=real, fake=fake, **keywords)
    return samples, spec.checked(samples.value())


def measure(
    spec: MetricSpec, real: FeatureSet, fake: FeatureSet, extras: dict[str, object], replicates: int
) -> dict[str, object]:
    """One row of the table: the evaluation, and the bootstrap's extra seconds by the declared method."""
    params = metric_params(spec, len(real), len(fake), seed=SEED)
    runtime = {"device": "cpu"} if "device" in spec.runtime else {}
    keywords = {k: extras[k] for k in spec.extra_inputs} | runtime | params
    r, f = real.space(spec.space), fake.space(spec.space)
    options = {"replicates": replicates, "seed": SEED, "name": spec.name}
    clear_memos()
    if spec.interval == "per-sample":  # the measure is its per-sample pass and the reduction of it
        (samples, values), evaluation = timed(lambda: _pass_and_value(spec, r, f, keywords))
    else:
        values, evaluation = timed(lambda: spec(real=r, fake=f, **keywords))
    keyed = {k: v for k, v in values.items() if k in spec.directions}  # the keys that get intervals
    row: dict[str, object] = {"metric": spec.name, "method": spec.interval, "evaluation": evaluation}
    if spec.interval == "recompute":

        def compute(a: FeatureSet, b: FeatureSet) -> dict[str, float]:
            return spec(real=a.space(spec.space), fake=b.space(spec.space), **keywords)

        replicate = recompute_replicate(compute, real, fake)
        intervals, extra = timed(
            lambda: bootstrap_intervals(replicate, len(real), len(fake), keyed, **options)
        )
        row |= {"bootstrap_extra": extra, "recompute": extra}
    elif spec.interval == "per-sample":
        resampled = {k: v for k, v in keyed.items() if k not in samples.fixed}
        intervals, extra = timed(
            lambda: bootstrap_intervals(samples.reduce, samples.n_real, samples.n_fake, resampled, **options)
        )
        row |= {"bootstrap_extra": extra, "recompute": replicates * evaluation}
    else:
        intervals = {}
        row |= {"bootstrap_extra": 0.0, "recompute": None}
    main = next(k for k in spec.directions if k in values)
    low, high = intervals.get(main, (float("nan"), float("nan")))
    row |= {"key": main, "value": values[main], "low": low, "high": high}
    return row


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=1000, help="samples per side (the quick preset: 1000)")
    parser.add_argument("--replicates", type=int, default=200, help="bootstrap replicates B")
    parser.add_argument("--metrics", default="all", help="comma-separated set measures, or all")
    args = parser.parse_args()

    threads = configure_threads()  # as the CLI does: torch on every core, BLAS on one
    real, fake, train, prior = load_sets(args.n)
    print(
        f"mnist-5k: {len(real)} held-out vs {len(fake)} training images, train {len(train)}; "
        f"B = {args.replicates}; threads {threads}; {blas_kernel()}; ganbench {ganbench.__version__}"
    )
    extras = {"train": None, "class_prior": prior, "generator": generator_for(real)}
    header = f"{'metric':19}{'method':11}{'eval s':>9}{'+boot s':>10}{'recompute s':>13}"
    print(f"{header}  key: value [95% interval]")
    rows = []
    for name in METRICS.resolve(args.metrics):
        spec = METRICS[name]
        if spec.level != "set":
            continue
        extras["train"] = train.space(spec.space)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # e.g. fid-inf's note on small sets
            row = measure(spec, real, fake, extras, args.replicates)
        rows.append(row)
        recompute = "-" if row["recompute"] is None else f"{row['recompute']:.1f}"
        recompute = ("~" if row["method"] == "per-sample" else "") + recompute
        interval = f"[{row['low']:.4g}, {row['high']:.4g}]"
        print(
            f"{name:19}{row['method']:11}{row['evaluation']:9.2f}{row['bootstrap_extra']:10.2f}"
            f"{recompute:>13}  {row['key']}: {row['value']:.4g} {interval}"
        )
    needs_generator = {r["metric"] for r in rows if "generator" in METRICS[str(r["metric"])].extra_inputs}
    evaluation = sum(float(r["evaluation"]) for r in rows)
    extra = sum(float(r["bootstrap_extra"]) for r in rows)
    extra_real = sum(float(r["bootstrap_extra"]) for r in rows if r["metric"] not in needs_generator)
    print(f"one row: evaluation {evaluation:.0f} s, bootstrap B={args.replicates} adds {extra:.0f} s")
    print(
        f"quick preset, 1 seed ({ROWS_PER_SEED} variants + real): bootstrap adds about "
        f"{(ROWS_PER_SEED * extra + extra_real) / 60:.1f} min to --metrics all "
        f"(~ marks a recompute estimate: B x evaluation)"
    )


if __name__ == "__main__":
    main()
