"""Judging every bound of a thresholds file against a run (and a baseline run).

Each bound judges the mean over seeds (``ganbench.summary``). The comparisons:

- ``max = b``: mean <= b; ``min = b``: mean >= b;
- ``no_worse_than = b``: a ``higher`` key mean >= b, a ``lower`` key mean <= b, a key with
  target t: |mean - t| <= |b - t|;
- ``baseline_sigma = k`` / ``baseline_percent = x``: no worse than the baseline's mean m by more
  than a margin, k x the baseline's seed std or x % of |m|: a ``lower`` key mean <= m + margin, a
  ``higher`` key mean >= m - margin, a target key |mean - t| <= |m - t| + margin.

A censored value (``summary``'s ``censored``: a birthday estimate with no duplicate found) is
only a lower bound: the true value lies in [mean, inf). A bound is then decided only if it holds
(or fails) at both ends; otherwise it is reported as not decidable, which fails a required bound.
The same holds for a censored baseline mean. A key lacking a value for some seed of the variant
(a diverged unit, a failed or unselected measure) is MISSING: a gate that cannot see a measure
cannot certify it.
"""

from __future__ import annotations

import math

import pandas as pd

from ganbench.gate.applicability import check_applicable
from ganbench.gate.measured import MeasuredRun
from ganbench.gate.result import BoundResult, Check, GateResult, Measured, Status
from ganbench.gate.thresholds import Bound, Thresholds


def evaluate(thresholds: Thresholds, run: MeasuredRun, baseline: MeasuredRun | None = None) -> GateResult:
    """Every bound's verdict; raises :class:`~ganbench.gate.thresholds.ThresholdsError` when the file
    does not apply to the run or baseline (:func:`~ganbench.gate.applicability.check_applicable`)."""
    check_applicable(thresholds, run, baseline)
    results = tuple(judge(bound, run, baseline) for bound in thresholds.bounds)
    return GateResult(
        thresholds,
        run.run_id,
        str(run.directory),
        baseline.run_id if baseline else None,
        str(baseline.directory) if baseline else None,
        results,
    )


def measured_value(row: pd.Series) -> Measured:
    """A summary row as a :class:`Measured`: the t interval where there is one, else the bootstrap one."""
    interval, kind = None, None
    if _finite(row["t_low"]) and _finite(row["t_high"]):
        interval, kind = (float(row["t_low"]), float(row["t_high"])), "t"
    elif _finite(row["ci_low"]) and _finite(row["ci_high"]):
        interval, kind = (float(row["ci_low"]), float(row["ci_high"])), "bootstrap"
    return Measured(
        float(row["mean"]), float(row["std"]), int(row["n_seeds"]), interval, kind, bool(row["censored"])
    )


def _finite(value: object) -> bool:
    return value is not None and not pd.isna(value) and math.isfinite(float(value))


def make_check(bound: Bound, baseline: Measured | None = None, baseline_mean: float | None = None) -> Check:
    """The comparison ``bound`` makes; a relative bound's limit from the baseline (its mean, or
    ``baseline_mean`` in its place to probe a censored baseline)."""
    direction, target = bound.measure.direction_word, bound.measure.target
    if bound.kind == "max":
        return Check("value", "<=", bound.value)
    if bound.kind == "min":
        return Check("value", ">=", bound.value)
    if bound.kind == "no_worse_than":
        if direction == "target":
            return Check("distance", "<=", abs(bound.value - target), target)
        return Check("value", "<=" if direction == "lower" else ">=", bound.value)
    assert baseline is not None, f"{bound.source}: a relative bound needs the baseline's value"
    mean = baseline.mean if baseline_mean is None else baseline_mean
    margin = bound.value * baseline.std if bound.kind == "baseline_sigma" else bound.value / 100 * abs(mean)
    if direction == "target":
        return Check("distance", "<=", abs(mean - target) + margin, target)
    if direction == "lower":
        return Check("value", "<=", mean + margin)
    return Check("value", ">=", mean - margin)


def judge(bound: Bound, run: MeasuredRun, baseline: MeasuredRun | None) -> BoundResult:
    """One bound's verdict (see the module docstring)."""
    metric, key = bound.measure.metric, bound.key
    row = run.stats_row(bound.dataset, bound.variant, metric, key)
    measured = measured_value(row) if row is not None else None
    base = None
    if bound.needs_baseline:
        assert baseline is not None  # check_applicable guarantees it
        base_row = baseline.stats_row(bound.dataset, bound.variant, metric, key)
        assert base_row is not None  # check_applicable guarantees it
        base = measured_value(base_row)
    base_id = baseline.run_id if base is not None and baseline is not None else None
    missing = _missing_seeds(bound, run)
    if missing:
        check = make_check(bound, base) if measured is not None else None
        return BoundResult(bound, Status.MISSING, measured, check, base, base_id, missing)
    assert measured is not None  # a variant with records and no missing seed has a value
    check = make_check(bound, base)
    values = [measured.mean] + ([math.inf] if measured.censored else [])
    limits = [check]
    if base is not None and base.censored:
        limits.append(make_check(bound, base, baseline_mean=math.inf))
    outcomes = {c.holds(v) for v in values for c in limits}
    if outcomes == {True}:
        return BoundResult(bound, Status.PASS, measured, check, base, base_id, "")
    crossed = Status.FAIL if bound.tier == "required" else Status.WARN
    reason = "" if outcomes == {False} else _undecidable(measured, base)
    return BoundResult(bound, crossed, measured, check, base, base_id, reason)


def _undecidable(measured: Measured, base: Measured | None) -> str:
    which = [
        name
        for name, value in (("the run's", measured), ("the baseline's", base))
        if value is not None and value.censored
    ]
    return (
        f"not decidable: {' and '.join(which)} value is censored (no duplicate found: only a lower bound"
        " is known), and the bound holds for some values above it but not for others"
    )


def _missing_seeds(bound: Bound, run: MeasuredRun) -> str:
    """Which seeds of the variant lack a value for the bound's key, and why, in words ("" when none do)."""
    units = run.unit_seeds(bound.dataset, bound.variant)
    have = run.seeds_with_value(bound.dataset, bound.variant, bound.measure.metric, bound.key)
    lacking = [seed for seed in units if seed not in have]
    if not lacking:
        return ""
    where = f"{bound.dataset}.{bound.variant}"
    if not have and all(units[seed] != "diverged" for seed in lacking):
        return (
            f"run {run.run_id} has no {bound.key} value for {where}"
            f" (measure {bound.measure.metric} not selected, or it failed: see errors.txt)"
        )
    described = ", ".join(
        f"{seed}" + (" (diverged)" if units[seed] == "diverged" else "") for seed in lacking
    )
    seeds = ", ".join(str(s) for s in units)
    covered = f"; the mean covers only the other {len(have)}" if have else ""
    return f"no {bound.key} value for seed(s) {described} of {where} (seeds run: {seeds}){covered}"
