"""Whether a thresholds file applies to a run (and its baseline): checks before any bound is judged.

A file that names a dataset or variant the run lacks, was calibrated under another protocol,
or has bounds relative to a baseline that is absent, measured otherwise or too small, cannot
certify the run either way: the gate stops with exit code 2 and every reason at once.
"""

from __future__ import annotations

from ganbench.gate.measured import MeasuredRun, RunProtocol
from ganbench.gate.spelling import did_you_mean
from ganbench.gate.thresholds import Bound, Protocol, Thresholds, ThresholdsError


def check_applicable(thresholds: Thresholds, run: MeasuredRun, baseline: MeasuredRun | None = None) -> None:
    """Raise :class:`ThresholdsError` listing every reason ``thresholds`` cannot judge ``run``.

    Reasons: a ``[dataset.variant]`` table with no records in the run; a ``[protocol]`` differing
    from the run's (extractor, extractor hash where given, n samples); a baseline-relative bound
    without a baseline; a baseline measured under another protocol than the run, lacking the
    bound's dataset, variant or key, or with one seed where the bound needs a seed spread.
    """
    problems = _tables_in_run(thresholds, run)
    if thresholds.protocol is not None:
        problems += _protocol_matches(thresholds.protocol, run, thresholds.path)
    relative = [b for b in thresholds.bounds if b.needs_baseline]
    if relative and baseline is None:
        listed = ", ".join(str(b.source) for b in relative[:3]) + (" ..." if len(relative) > 3 else "")
        problems.append(
            f"{len(relative)} bound(s) are relative to a baseline ({listed}): pass --baseline RUN_DIR"
        )
    elif relative and baseline is not None:
        problems += _baseline_usable(relative, run, baseline)
    if problems:
        raise ThresholdsError(
            f"{thresholds.path} does not apply to run {run.run_id}:\n"
            + "\n".join(f"  - {p}" for p in problems)
        )


def _tables_in_run(thresholds: Thresholds, run: MeasuredRun) -> list[str]:
    problems = []
    for dataset, variant in thresholds.tables:
        if dataset not in run.datasets:
            problems.append(
                f"[{dataset}.{variant}]: run {run.run_id} has no records for dataset {dataset!r}"
                f"{did_you_mean(dataset, run.datasets)} (its datasets: {', '.join(run.datasets)})"
            )
        elif variant not in run.variants(dataset):
            variants = run.variants(dataset)
            problems.append(
                f"[{dataset}.{variant}]: run {run.run_id} has no records for variant {variant!r} on {dataset}"
                f"{did_you_mean(variant, variants)} (its variants: {', '.join(variants)})"
            )
    return problems


def _protocol_matches(expected: Protocol, run: MeasuredRun, file: str) -> list[str]:
    measured = run.protocol()
    problems = []
    checks = [
        ("extractor", expected.extractor, measured.extractors),
        ("extractor_hash", expected.extractor_hash, measured.extractor_hashes),
        ("n", expected.n, tuple(sorted(set(measured.n_real) | set(measured.n_fake)))),
    ]
    for name, want, got in checks:
        if want is not None and got != (want,):
            shown = ", ".join(str(v) for v in got) or "none recorded"
            problems.append(
                f"[protocol] {name} = {want!r} in {file}, but run {run.run_id} was measured with {shown}:"
                " the bounds were calibrated for another protocol; rerun with it, or calibrate a file"
                " for this one (`ganbench thresholds suggest`)"
            )
    return problems


def _same_protocol(a: RunProtocol, b: RunProtocol) -> bool:
    return (a.extractors, a.extractor_hashes, a.n_real, a.n_fake) == (
        b.extractors,
        b.extractor_hashes,
        b.n_real,
        b.n_fake,
    )


def _baseline_usable(relative: list[Bound], run: MeasuredRun, baseline: MeasuredRun) -> list[str]:
    problems = []
    if not _same_protocol(run.protocol(), baseline.protocol()):
        problems.append(
            f"baseline {baseline.run_id} was measured under another protocol than run {run.run_id}"
            f" ({baseline.protocol().describe()} vs {run.protocol().describe()}): values are not comparable"
        )
    for bound in relative:
        row = baseline.stats_row(bound.dataset, bound.variant, bound.measure.metric, bound.key)
        if row is None:
            problems.append(
                f"{bound.source}: baseline {baseline.run_id} has no {bound.key} value for"
                f" {bound.dataset}.{bound.variant}; choose a baseline run that measured it"
            )
        elif bound.kind == "baseline_sigma" and int(row["n_seeds"]) < 2:
            problems.append(
                f"{bound.source}: baseline {baseline.run_id} has {int(row['n_seeds'])} seed for"
                f" {bound.dataset}.{bound.variant} {bound.key}; a seed spread needs >= 2"
                " (rerun the baseline with --seeds 0,1,2, or use baseline_percent)"
            )
    return problems
