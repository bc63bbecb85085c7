"""The gate's result as text: one line per bound, then a summary line (what ``ganbench check`` prints)."""

from __future__ import annotations

from ganbench.gate.measured import LEVEL
from ganbench.gate.result import BoundResult, Check, GateResult, Measured, Status

#: The relation printed when a check holds, and when it does not.
RELATIONS = {"<=": ("<=", ">"), ">=": (">=", "<")}


def number(value: float) -> str:
    """A value with six significant digits (enough to tell a value from a bound close to it)."""
    return f"{value:.6g}"


def describe_value(key: str, measured: Measured) -> str:
    """``fid 52.3 [48.1, 56.5] (t 95% interval, mean of 3 seeds)``; censored: ``key > 1.35e5``."""
    value = f"{key} {'> ' if measured.censored else ''}{number(measured.mean)}"
    notes = []
    if measured.interval is not None:
        low, high = measured.interval
        value += f" [{number(low)}, {number(high)}]"
        notes.append(f"t {LEVEL:.0%} interval" if measured.interval_kind == "t" else "bootstrap 95% interval")
    notes.append(f"mean of {measured.n_seeds} seeds" if measured.n_seeds > 1 else "1 seed")
    if measured.censored:
        notes.append("censored: no duplicate found, only a lower bound")
    return f"{value} ({', '.join(notes)})"


def _limit(result: BoundResult, check: Check) -> str:
    """How the limit was made: the bound itself, or the baseline's mean and margin."""
    bound, base = result.bound, result.baseline
    if base is None:
        if check.quantity == "distance":
            return f"{number(check.limit)} = |{number(bound.value)} - {number(check.target)}| ({bound.kind})"
        return f"{bound.kind} {number(bound.value)}"
    if bound.kind == "baseline_sigma":
        margin = f"{number(bound.value)} x baseline std {number(base.std)}"
    else:
        margin = f"{number(bound.value)}% of |baseline mean|"
    start = (
        f"|baseline mean {number(base.mean)} - {number(check.target)}|"
        if check.target is not None
        else (f"baseline mean {number(base.mean)}")
    )
    sign = "-" if check.op == ">=" else "+"
    return (
        f"{number(check.limit)} = {start} {sign} {margin}"
        f" (baseline run {result.baseline_run}: {number(base.mean)}"
        + (f" ± {number(base.std)}" if base.n_seeds > 1 else "")
        + f" over {base.n_seeds} seed{'s' if base.n_seeds > 1 else ''}"
        + (", censored" if base.censored else "")
        + ")"
    )


def describe(result: BoundResult) -> str:
    """The comparison a bound made, in words: the measured value, its interval, the relation, the bound."""
    if result.measured is None or result.check is None:
        return result.reason
    measured, check = result.measured, result.check
    value = describe_value(result.bound.key, measured)
    holds, crossed = RELATIONS[check.op]
    relation = holds if check.holds(measured.mean) else crossed
    if check.quantity == "distance":
        distance = abs(measured.mean - check.target)
        value += f": |{number(measured.mean)} - {number(check.target)}| = {number(distance)}"
    text = f"{value} {relation} {_limit(result, check)}"
    return f"{text}; {result.reason}" if result.reason else text


def line(result: BoundResult) -> str:
    """``FAIL     mnist-5k.dcgan fid.max: fid 52.3 [...] > max 40  -- t.toml:7 [mnist-5k.dcgan] fid.max``."""
    bound = result.bound
    tier = " (warn)" if bound.tier == "warn" else ""
    text = f"{result.status.value:<8} {bound.dataset}.{bound.variant} {bound.name}{tier}: {describe(result)}"
    if result.status != Status.PASS:
        text += f"  -- {bound.source}"
    return text


def summary_line(gate: GateResult) -> str:
    counts = gate.counts()
    parts = ", ".join(f"{counts[s.value]} {s.value}" for s in Status)
    failing = counts["failing_gate"]
    verdict = (
        f"gate FAILED: {failing} required bound(s) crossed or missing (exit {gate.exit_code})"
        if failing
        else f"gate passed (exit {gate.exit_code})"
    )
    return f"{len(gate.results)} bounds: {parts}; {verdict}"


def render_text(gate: GateResult) -> str:
    """The whole report: a header, one line per bound (file order), notes, and the summary line."""
    header = f"ganbench check: run {gate.run_id} ({gate.run_dir}) against {gate.thresholds.path}"
    if gate.baseline_id is not None:
        header += f", baseline {gate.baseline_id} ({gate.baseline_dir})"
    notes = [f"note: {n}" for n in gate.thresholds.notes]
    return "\n".join([header, *(line(r) for r in gate.results), *notes, summary_line(gate)])
