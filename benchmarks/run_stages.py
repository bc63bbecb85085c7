"""A whole ``ganbench run`` broken down by stage: where its wall time goes (issue #10).

    python -m benchmarks.run_stages                       # the quick preset (4 variants, mnist-5k)
    python -m benchmarks.run_stages --preset smoke
    python -m benchmarks.run_stages --set train.kernels=fast

It runs ``ganbench.studies.pipeline.run`` unchanged, with timers around the functions the
pipeline calls for each stage (the data, the extractor, feature extraction, training, sampling,
the artifacts, the shared Gram pass, each measure, the report), and prints the seconds per stage
and per measure, summed over variants and seeds, and what is left unaccounted. Timers are nested
where the stages nest (the shared Gram pass runs inside scoring), so the table says which rows
are parts of which.
"""

from __future__ import annotations

import argparse
import collections
import contextlib
import tempfile
import time
from collections.abc import Callable, Iterator
from typing import Any

from benchmarks.bare_products import machine_lines
from ganbench.config import load_preset, with_overrides
from ganbench.evaluation import scoring
from ganbench.numerics import shared_pass
from ganbench.reporting import report
from ganbench.studies import jobs, pipeline
from ganbench.training import artifacts

SECONDS: collections.Counter[str] = collections.Counter()
CALLS: collections.Counter[str] = collections.Counter()


def timed(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return fn(*args, **kwargs)
        finally:
            SECONDS[stage] += time.perf_counter() - start
            CALLS[stage] += 1

    return wrapper


def timed_context(stage: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    @contextlib.contextmanager
    def wrapper(*args: Any, **kwargs: Any) -> Iterator[Any]:
        start = time.perf_counter()
        with fn(*args, **kwargs) as value:
            SECONDS[stage] += time.perf_counter() - start  # the pass itself is computed on entry
            CALLS[stage] += 1
            yield value

    return wrapper


def instrument() -> None:
    """Wrap the pipeline's stage functions (module attributes the pipeline looks up at call time)."""
    pipeline.load_dataset = timed("1 load the dataset", pipeline.load_dataset)
    pipeline.estimate_training = timed(
        "1 estimate training time (timed probe steps)", pipeline.estimate_training
    )
    pipeline.resolve_extractor = timed(
        "2 extractor (domain classifier: load or train)", pipeline.resolve_extractor
    )
    pipeline._features = timed("3 feature extraction (all sets)", pipeline._features)
    jobs.train = timed("4 training (all variants and seeds)", jobs.train)
    jobs.sample = timed("5 sampling", jobs.sample)
    for name in (
        "save_networks",
        "save_losses",
        "save_sample_grid",
        "save_nearest_neighbours",
        "save_interpolations",
    ):
        setattr(artifacts, name, timed(f"6 artifacts: {name}", getattr(artifacts, name)))
    scoring.sharing = timed_context("7 shared Gram pass (inside measures)", shared_pass.sharing)
    original_run_metric = scoring._run_metric

    def run_metric(spec: Any, keywords: Any, real: Any, fake: Any, samples: bool = False) -> Any:
        return timed(f"7 measure: {spec.name}", original_run_metric)(spec, keywords, real, fake, samples)

    scoring._run_metric = run_metric
    pipeline.score = timed("7 measures (set level, all)", pipeline.score)
    pipeline.score_run = timed("7 measures (run level: tournament...)", pipeline.score_run)
    report.write_report = timed("8 report (md, csv, html)", report.write_report)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--preset", default="quick")
    parser.add_argument("--set", action="append", default=[], help="a setting, e.g. train.kernels=fast")
    args = parser.parse_args(argv)
    overrides: dict[str, Any] = {}
    for item in args.set:
        key, value = item.split("=", 1)
        overrides[key] = float(value) if value.replace(".", "", 1).isdigit() else value
    config = with_overrides(load_preset(args.preset), overrides)
    instrument()
    with tempfile.TemporaryDirectory() as out:
        start = time.perf_counter()
        pipeline.run(config, out_dir=out, progress=False, log=lambda line: None)
        total = time.perf_counter() - start
    print(f"## `ganbench run --preset {args.preset}` by stage ({total:.0f} s in all)\n")
    print("\n".join(machine_lines()), "\n")
    print("| stage | calls | seconds | share |")
    print("|---|---|---|---|")
    for stage in sorted(SECONDS):
        print(f"| {stage} | {CALLS[stage]} | {SECONDS[stage]:.1f} | {SECONDS[stage] / total:.0%} |")
    nested = ("7 measure: ", "7 shared")  # parts of "7 measures (set level, all)"
    accounted = sum(seconds for stage, seconds in SECONDS.items() if not stage.startswith(nested))
    print(
        f"| (not in a stage above: config checks, folders, records, logging) | | {total - accounted:.1f} | |"
    )


if __name__ == "__main__":
    main()
