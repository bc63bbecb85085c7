"""A starting thresholds file from a run's measured values and seed spreads (``ganbench thresholds suggest``).

For every (dataset, variant) but the ``real`` reference row, and every key (or the chosen ones),
one bound on the worse side of the mean over seeds, k spreads away (k = ``sigma``, default 3):
``key.max = mean + k·s`` for a key where lower is better, ``key.min = mean - k·s`` where higher
is better, ``key.no_worse_than = t ± (|mean - t| + k·s)`` for a key with target t. The spread s is

- the std over seeds (ddof=1) with two or more seeds: calibrated on seed-to-seed variation;
- with one seed, the bootstrap std (ci_high - ci_low) / (2 x 1.96) of ``--bootstrap`` where the
  run computed it: sampling spread only, so marked uncalibrated;
- with one seed and no interval, a margin of :data:`ONE_SEED_MARGIN` of |mean| instead of k·s,
  marked uncalibrated.

Values are rounded to :data:`DIGITS` significant digits, never past the measured mean, so every
bound holds on the run it came from. The ``[protocol]`` table records the run's extractor, its
weights hash and n.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

import pandas as pd

from ganbench.gate.keys import MeasureKey, UnknownKeyError, resolve_key
from ganbench.gate.measured import MeasuredRun
from ganbench.gate.spelling import did_you_mean

DEFAULT_SIGMA = 3.0
#: The margin used with one seed and no bootstrap interval, as a share of |mean|.
ONE_SEED_MARGIN = 0.25
#: Half-width of a normal 95% interval in standard deviations.
Z95 = 1.959963984540054
#: Significant digits of a suggested bound.
DIGITS = 4
REFERENCE_VARIANT = "real"


@dataclass(frozen=True)
class SuggestedBound:
    """One suggested bound.

    Attributes:
        dataset, variant: the table it goes in.
        name: the key as written in the file (``fid``, or ``"metric:key"`` where a key is ambiguous).
        kind: ``max``, ``min`` or ``no_worse_than``.
        value: the bound.
        comment: the measured mean, spread, seeds and how the bound was made.
        calibrated: False when the spread is not a seed spread (one seed).
    """

    dataset: str
    variant: str
    name: str
    kind: str
    value: float
    comment: str
    calibrated: bool


def round_outward(value: float, up: bool, digits: int = DIGITS) -> float:
    """``value`` rounded to ``digits`` significant digits, up (towards +inf) or down, never past it inward.

    The exact decimal of the float is rounded, and the nearest float of the result is on the
    same side of ``value`` (rounding to nearest is monotone), so ``round_outward(x, True) >= x``.
    """
    if value == 0 or not math.isfinite(value):
        return value
    exact = Decimal(value)
    step = Decimal(1).scaleb(exact.adjusted() - (digits - 1))
    return float(exact.quantize(step, rounding=ROUND_CEILING if up else ROUND_FLOOR))


def round_bound(limit: float, mean: float, up: bool, digits: int = DIGITS) -> float:
    """``limit`` to ``digits`` significant digits (nearest), but never on the strict side of ``mean``:
    an upper bound (``up``) stays >= mean, a lower bound <= mean, so the run it came from passes it."""
    nearest = float(f"{limit:.{digits}g}")
    if (nearest >= mean) if up else (nearest <= mean):
        return nearest
    return round_outward(mean, up, digits)


def _spread(row: pd.Series, sigma: float) -> tuple[float, str, bool]:
    """(margin, how it was made, calibrated) for one summary row."""
    n, std = int(row["n_seeds"]), float(row["std"])
    if n >= 2 and math.isfinite(std):
        note = " (std 0 over seeds: the bound sits at the measured value; loosen it if it can vary)"
        return sigma * std, f"{sigma:g} x std over seeds" + (note if std == 0 else ""), True
    low, high = float(row["ci_low"]), float(row["ci_high"])
    if math.isfinite(low) and math.isfinite(high):
        boot = (high - low) / (2 * Z95)
        return (
            sigma * boot,
            f"uncalibrated (one seed): {sigma:g} x bootstrap std {boot:.3g} = (ci_high - ci_low) / 3.92",
            False,
        )
    margin = ONE_SEED_MARGIN * abs(float(row["mean"]))
    return margin, f"uncalibrated (one seed, no bootstrap interval): {ONE_SEED_MARGIN:.0%} of |mean|", False


def _bound(mean: float, margin: float, direction: str, target: float | None) -> tuple[str, float]:
    """(kind, value) of the bound ``margin`` from ``mean`` on the worse side (see :func:`round_bound`)."""
    if direction == "lower":
        return "max", round_bound(mean + margin, mean, up=True)
    if direction == "higher":
        return "min", round_bound(mean - margin, mean, up=False)
    assert target is not None
    away = 1.0 if mean >= target else -1.0
    value = round_bound(target + away * (abs(mean - target) + margin), mean, up=away > 0)
    while abs(value - target) < abs(
        mean - target
    ):  # float rounding in |value - t|: never tighter than the run
        value = math.nextafter(value, away * math.inf)
    return "no_worse_than", value


def _measure(metric: str, key: str) -> tuple[str, MeasureKey] | None:
    """How the file names a recorded key (``key``, or ``"metric:key"`` when ambiguous) and its
    registered direction; None when it is no longer a registered measure key."""
    try:
        measure = resolve_key(key)
    except UnknownKeyError:
        measure = None
    if measure is not None and measure.metric == metric:
        return key, measure
    try:
        return json.dumps(f"{metric}:{key}"), resolve_key(f"{metric}:{key}")
    except UnknownKeyError:
        return None


def suggest_bounds(
    run: MeasuredRun, sigma: float = DEFAULT_SIGMA, keys: list[str] | None = None
) -> tuple[list[SuggestedBound], list[str]]:
    """The suggested bounds of a run (file order), and the keys skipped with the reason.

    Raises:
        ValueError: ``sigma`` not a finite number >= 0, or a key in ``keys`` the run did not measure.
    """
    if not math.isfinite(sigma) or sigma < 0:
        raise ValueError(f"--sigma must be a finite number >= 0 (spreads from the mean), got {sigma}")
    stats = run.stats[run.stats["variant"] != REFERENCE_VARIANT]
    if keys is not None:
        measured = list(dict.fromkeys(stats["key"]))
        for key in keys:
            if key not in measured:
                raise ValueError(
                    f"--keys: run {run.run_id} has no values for {key!r}{did_you_mean(key, measured)}"
                    f" (its keys: {', '.join(measured)})"
                )
        stats = stats[stats["key"].isin(keys)]
    bounds, skipped = [], []
    for row in stats.itertuples(index=False):
        series = pd.Series(row._asdict())
        found = _measure(row.metric, row.key)
        if found is None:
            skipped.append(f"{row.metric}:{row.key} (no longer a registered measure key)")
            continue
        name, measure = found
        margin, how, calibrated = _spread(series, sigma)
        kind, value = _bound(float(row.mean), margin, measure.direction_word, measure.target)
        spread = f", std {row.std:.3g}" if row.n_seeds >= 2 else ""
        censored = "; censored: the mean is a lower bound" if row.censored else ""
        comment = f"mean {row.mean:.6g}{spread}, n_seeds {row.n_seeds}; {how}{censored}"
        bounds.append(SuggestedBound(row.dataset, row.variant, name, kind, value, comment, calibrated))
    return bounds, skipped


_BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")


def _toml_key(name: str) -> str:
    return name if _BARE_KEY.match(name) else json.dumps(name)


def _protocol_lines(run: MeasuredRun) -> list[str]:
    protocol = run.protocol()
    lines = ["[protocol]  # the run's; a run measured otherwise is rejected (exit 2)"]
    if len(protocol.extractors) == 1:
        lines.append(f"extractor = {json.dumps(protocol.extractors[0])}")
    if len(protocol.extractor_hashes) == 1:
        lines.append(
            f"extractor_hash = {json.dumps(protocol.extractor_hashes[0])}"
            "  # delete to accept other weights of this extractor"
        )
    if len(set(protocol.n_real) | set(protocol.n_fake)) == 1:
        lines.append(f"n = {protocol.n_real[0]}  # n_real = n_fake per evaluation")
    else:
        lines.append(f"# n not set: the run compared {protocol.describe()}")
    return lines


def render_thresholds(
    run: MeasuredRun, bounds: list[SuggestedBound], skipped: list[str], sigma: float
) -> str:
    """The TOML text of a suggested thresholds file."""
    when = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        f"# Thresholds suggested by `ganbench thresholds suggest` from run {run.run_id}, {when}.",
        f"# Each bound is k = {sigma:g} spreads from the measured mean over seeds, on the worse side:",
        "# key.max where lower is better, key.min where higher is better, key.no_worse_than for a target.",
        "# A starting point: calibrate on repeated runs before relying on it in CI. Tiers: add",
        '# key.tier = "warn" to report a bound without failing the gate.',
        f"# The `{REFERENCE_VARIANT}` row (held-out vs training images) is a reference, not a model:",
        "# it is not bounded.",
    ]
    if not all(b.calibrated for b in bounds):
        lines.append(
            "# UNCALIBRATED bounds (one seed) are marked below: rerun with --seeds 0,1,2 to calibrate."
        )
    lines += [f"# skipped: {s}" for s in skipped]
    lines += ["", *_protocol_lines(run), "", "[defaults]", 'tier = "required"']
    tables = list(dict.fromkeys((b.dataset, b.variant) for b in bounds))
    for dataset, variant in tables:
        units = run.unit_seeds(dataset, variant)
        diverged = [str(seed) for seed, status in units.items() if status == "diverged"]
        lines += ["", f"# {dataset}.{variant} in run {run.run_id}: seeds {', '.join(str(s) for s in units)}"]
        if diverged:
            lines.append(
                f"# seed(s) {', '.join(diverged)} diverged: these bounds come from the others, and"
                " `ganbench check` reports their values as MISSING on this run"
            )
        lines.append(f"[{_toml_key(dataset)}.{_toml_key(variant)}]")
        for b in bounds:
            if (b.dataset, b.variant) == (dataset, variant):
                lines.append(f"{b.name}.{b.kind} = {b.value!r}  # {b.comment}")
    return "\n".join(lines) + "\n"


def suggest_thresholds(run: MeasuredRun, sigma: float = DEFAULT_SIGMA, keys: list[str] | None = None) -> str:
    """The text of a starting thresholds file for ``run`` (see the module docstring).

    Raises:
        ValueError: bad ``sigma`` or ``keys``, or nothing to bound (only the ``real`` row).
    """
    bounds, skipped = suggest_bounds(run, sigma, keys)
    if not bounds:
        raise ValueError(
            f"run {run.run_id} has no evaluated variant to bound (only the {REFERENCE_VARIANT} row)"
        )
    return render_thresholds(run, bounds, skipped, sigma)
