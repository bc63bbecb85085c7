"""One study on each executor: wall time, and whether the records agree (issue #12).

    python -m benchmarks.study_executors                              # a 4-variant sweep, smoke budget
    python -m benchmarks.study_executors --trials 3 --seeds 0,1 --budget-kimg 2
    python -m benchmarks.study_executors --executors local,ray        # a subset

Runs the same ``ganbench sweep`` (the four default variants, T trials, S final seeds) from the
command line, as a user would, once per executor setting: ``--executor local`` (jobs one after
another in the driver), ``--executor local --jobs 2`` (two spawn worker processes) and
``--executor ray`` (a local Ray instance it starts, one CPU per task). It prints the wall time of
each whole command (start-up, the reference row, every job, the report) and compares every record
value with the first setting's: on one machine and the ``reference`` training kernels the values
are identical wherever a job runs with the same number of torch threads; CPU convolution kernels
split their work by thread count and round differently with another (``--jobs 2`` and Ray give
each job 1 thread on 2 cores, the driver 2), which the last column measures.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from benchmarks.bare_products import machine_lines
from ganbench.reporting.records import load_records

SETTINGS: dict[str, list[str]] = {
    "local": ["--executor", "local"],
    "local-jobs2": ["--executor", "local", "--jobs", "2"],
    "ray": ["--executor", "ray"],
}

IDENTITY = ["variant", "seed", "trial", "sweep_phase", "metric", "key", "stage"]


def sweep_command(args: argparse.Namespace, out: Path, executor: list[str]) -> list[str]:
    return [
        sys.executable,
        "-c",
        "from ganbench.cli import main; main()",
        "sweep",
        "--preset",
        "smoke",
        "--variants",
        args.variants,
        "--trials",
        str(args.trials),
        "--seeds",
        args.seeds,
        "--budget-kimg",
        str(args.budget_kimg),
        "--metrics",
        args.metrics,
        "--out",
        str(out),
        "--no-progress",
        *executor,
    ]


def values(run_dir: Path) -> dict[tuple, float]:
    records = load_records(run_dir)
    return {
        tuple(None if pd.isna(row[f]) else row[f] for f in IDENTITY): float(row["value"])
        for _, row in records.iterrows()
    }


def difference(a: dict[tuple, float], b: dict[tuple, float]) -> str:
    """How far ``a``'s values are from ``b``'s: identical, or how many differ and the largest
    relative difference of an FID (the values near 0 of a tiny budget make other keys' relative
    differences meaningless), or which records one of them lacks."""
    if a.keys() != b.keys():
        return f"other records: {len(a.keys() - b.keys())} more, {len(b.keys() - a.keys())} fewer"
    unequal = [k for k in a if a[k] != b[k] and not (math.isnan(a[k]) and math.isnan(b[k]))]
    if not unequal:
        return "identical"
    fid = [abs(a[k] - b[k]) / abs(b[k]) for k in unequal if k[5] == "fid"]
    worst = f"; FID at most {max(fid):.1e} relative" if fid else "; every FID identical"
    return f"{len(unequal)} of {len(a)} differ{worst}"


def main() -> None:
    formatter = argparse.RawDescriptionHelpFormatter
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=formatter)
    parser.add_argument("--variants", default="vanilla,dcgan,lsgan,wgan-gp")
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--seeds", default="0,1")
    parser.add_argument("--budget-kimg", type=float, default=1.0)
    parser.add_argument("--metrics", default="fid,kid,precision-recall")
    parser.add_argument("--executors", default=",".join(SETTINGS))
    args = parser.parse_args()
    chosen = args.executors.split(",")
    jobs = len(args.variants.split(",")) * (args.trials + len(args.seeds.split(",")))
    print("## One sweep on each executor\n")
    print("\n".join(machine_lines()))
    print(
        f"- sweep: {args.variants}, {args.trials} trials + {args.seeds} final seeds = {jobs} jobs, "
        f"{args.budget_kimg:g} kimg each (smoke preset: batch 32, 200 vs 200 images), {args.metrics}\n"
    )
    print("| executor | wall time (s) | records | values against the first row's |")
    print("|---|---|---|---|")
    first: dict[tuple, float] | None = None
    first_chosen: dict[str, int] | None = None
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            out = Path(tmp) / name
            start = time.perf_counter()
            done = subprocess.run(sweep_command(args, out, SETTINGS[name]), capture_output=True, text=True)
            seconds = time.perf_counter() - start
            if done.returncode != 0:
                print(f"| {name} | failed (exit {done.returncode}) | | |")
                print(done.stderr[-3000:], file=sys.stderr)
                continue
            (run_dir,) = out.iterdir()
            found = values(run_dir)
            chosen = json.loads((run_dir / "sweep.json").read_text())["best"]
            first, first_chosen = (found, chosen) if first is None else (first, first_chosen)
            picked = "same best trials" if chosen == first_chosen else f"best trials {chosen}"
            print(f"| {name} | {seconds:.1f} | {len(found)} | {difference(found, first)}; {picked} |")


if __name__ == "__main__":
    main()
