"""What bf16 mixed-precision training does to the measures and to the speed (issue #10).

    python -m benchmarks.mixed_precision                         # 4 variants x 3 seeds, 40 kimg, mnist-5k
    python -m benchmarks.mixed_precision --variants dcgan --seeds 0,1,2,3,4 --budget-kimg 80

``--train-kernels bf16`` (opt-in) trains with the forward passes in bfloat16 autocast. That
changes what is trained, so before anyone relies on it, this script measures its effect: the same
``ganbench run`` (quick preset's protocol: domain-classifier features, held-out real images) once
with the ``reference`` kernels and once with ``bf16``, the same variants, seeds and budget. For
each variant and measure it prints the mean ± std over seeds of both, their difference in units of
the seed-to-seed spread, and Welch's t-test of the difference (``ganbench.compare``, Holm-corrected
over the measures of one variant), plus the training time per job. A difference of a fraction of
the seed spread, with no significant test, means bf16 trains GANs that the measures cannot tell
from float32 ones at that budget; it does not mean equal networks.
"""

from __future__ import annotations

import argparse
import dataclasses
import time
from pathlib import Path

import pandas as pd

import ganbench
from benchmarks.bare_products import machine_lines
from ganbench.config import load_preset

MEASURES = "fid,kid,precision-recall,density-coverage,is"


def run_once(config: ganbench.RunConfig, kernels: str, out_dir: Path) -> tuple[Path, float]:
    """One ``ganbench run`` with the given training kernels: (run folder, wall seconds)."""
    config = dataclasses.replace(config, train=dataclasses.replace(config.train, kernels=kernels))
    start = time.perf_counter()
    run_dir = ganbench.run(config, out_dir=out_dir, progress=False)
    return run_dir, time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--variants", default="vanilla,dcgan,lsgan,wgan-gp")
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--budget-kimg", type=float, default=40.0)
    parser.add_argument("--metrics", default=MEASURES)
    parser.add_argument("--out", default="reports/mixed-precision", help="where the two runs are written")
    args = parser.parse_args(argv)
    ganbench.runtime.configure_threads()
    base = load_preset("quick")
    config = dataclasses.replace(
        base,
        variants=tuple(args.variants.split(",")),
        seeds=tuple(int(s) for s in args.seeds.split(",")),
        train=dataclasses.replace(base.train, kimg=args.budget_kimg),
        eval=dataclasses.replace(base.eval, metrics=tuple(args.metrics.split(","))),
    )
    ganbench.check_config(config)
    out = Path(args.out)
    runs = {kernels: run_once(config, kernels, out) for kernels in ("reference", "bf16")}

    frames = []
    for kernels, (run_dir, _) in runs.items():
        records = ganbench.load_records(run_dir)
        if kernels == "bf16":  # one variant name per kernel choice, so compare() can pair them
            records["variant"] = [v if v == "real" else f"{v}@bf16" for v in records["variant"]]
        frames.append(records)
    both = pd.concat(frames, ignore_index=True)

    print(f"## bf16 mixed precision against float32: {args.budget_kimg:g} kimg, seeds {args.seeds}\n")
    print("\n".join(machine_lines()), "\n")
    for kernels, (run_dir, seconds) in runs.items():
        print(f"- `--train-kernels {kernels}`: {run_dir} ({seconds:.0f} s wall for the whole run)")
    jobs = both[both["variant"] != "real"].drop_duplicates(["run_id", "variant", "seed"])
    train_seconds = jobs.groupby("variant")["train_seconds"].median()
    print("\nTraining seconds per job (median over seeds):\n")
    print("| variant | reference | bf16 | speed-up |\n|---|---|---|---|")
    for variant in config.variants:
        ref, mixed = train_seconds.get(variant), train_seconds.get(f"{variant}@bf16")
        if ref is not None and mixed is not None:
            print(f"| {variant} | {ref:.1f} | {mixed:.1f} | {ref / mixed:.2f}x |")
    summary = ganbench.summary(both).set_index(["variant", "metric", "key"])
    print(
        "\n| variant | key | reference mean ± std | bf16 mean ± std | difference / seed std "
        "| p (Welch, Holm) |"
    )
    print("|---|---|---|---|---|---|")
    for variant in config.variants:
        tests = ganbench.compare(both, variant, f"{variant}@bf16", tests=("welch",))
        for row in tests.itertuples():
            ref = summary.loc[(variant, row.metric, row.key)]
            mixed = summary.loc[(f"{variant}@bf16", row.metric, row.key)]
            spread = ((ref["std"] ** 2 + mixed["std"] ** 2) / 2) ** 0.5
            ratio = (mixed["mean"] - ref["mean"]) / spread if spread > 0 else float("nan")
            print(
                f"| {variant} | {row.key} | {ref['mean']:.4g} ± {ref['std']:.2g} | "
                f"{mixed['mean']:.4g} ± {mixed['std']:.2g} | {ratio:+.2f} | {row.p_holm:.3f} |"
            )


if __name__ == "__main__":
    main()
