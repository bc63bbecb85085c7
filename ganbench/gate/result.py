"""What the gate found: one verdict per bound, the overall status and the exit code."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from ganbench.gate.thresholds import Bound, Thresholds

#: Exit codes of ``ganbench check``.
EXIT_PASS, EXIT_FAIL, EXIT_UNUSABLE = 0, 1, 2


class Status(StrEnum):
    """A bound's verdict.

    PASS: the bound holds. FAIL: a required bound is crossed or cannot be decided (a censored
    value). WARN: a warn-tier bound is crossed or cannot be decided. MISSING: the run lacks the
    value for some seed (a diverged unit, a failed or unselected measure); fails a required bound.
    """

    PASS = "PASS"
    FAIL = "FAIL"
    WARN = "WARN"
    MISSING = "MISSING"


@dataclass(frozen=True)
class Measured:
    """A key's value in one run, over its seeds (from ``ganbench.summary``).

    Attributes:
        mean: mean over seeds (what bounds judge).
        std: std over seeds (ddof=1), NaN for one seed.
        n_seeds: seeds with a value.
        interval: the t interval of the mean over seeds, else the bootstrap interval, else None.
        interval_kind: ``"t"`` or ``"bootstrap"`` (None without an interval).
        censored: the mean is only a lower bound (a birthday estimate with no duplicate found).
    """

    mean: float
    std: float
    n_seeds: int
    interval: tuple[float, float] | None
    interval_kind: str | None
    censored: bool


@dataclass(frozen=True)
class Check:
    """The comparison a bound makes: ``quantity op limit``.

    Attributes:
        quantity: ``"value"`` (the mean) or ``"distance"`` (|mean - target|, for target keys).
        op: ``"<="`` or ``">="``.
        limit: what the quantity is compared with (a relative bound's limit is computed from
            the baseline).
        target: the target of a distance check, else None.
    """

    quantity: str
    op: str
    limit: float
    target: float | None = None

    def holds(self, value: float) -> bool:
        """Whether ``value`` (a mean; ``inf`` for an unbounded censored value) satisfies the check."""
        compared = abs(value - self.target) if self.target is not None else value
        return compared <= self.limit if self.op == "<=" else compared >= self.limit


@dataclass(frozen=True)
class BoundResult:
    """One bound's verdict.

    Attributes:
        bound: the bound judged.
        status: its :class:`Status`.
        measured: the run's value (None when it has none).
        check: the comparison made (None when it could not be set up: a missing value).
        baseline: the baseline's value for a relative bound, else None.
        baseline_run: the baseline's run id for a relative bound, else None.
        reason: why, in words: what was compared, why it is not decidable, which seeds lack a value.
    """

    bound: Bound
    status: Status
    measured: Measured | None
    check: Check | None
    baseline: Measured | None
    baseline_run: str | None
    reason: str

    @property
    def fails_gate(self) -> bool:
        return self.bound.tier == "required" and self.status in (Status.FAIL, Status.MISSING)


@dataclass(frozen=True)
class GateResult:
    """Every bound's verdict for one run.

    Attributes:
        thresholds: the file checked against.
        run_id, run_dir: the run checked.
        baseline_id, baseline_dir: the baseline run, None without one.
        results: one per bound, in file order.
    """

    thresholds: Thresholds
    run_id: str
    run_dir: str
    baseline_id: str | None
    baseline_dir: str | None
    results: tuple[BoundResult, ...]

    @property
    def passed(self) -> bool:
        return not any(r.fails_gate for r in self.results)

    @property
    def exit_code(self) -> int:
        return EXIT_PASS if self.passed else EXIT_FAIL

    def counts(self) -> dict[str, int]:
        """Bounds per status, plus ``failing_gate``: the required bounds that fail the gate."""
        counts = {status.value: 0 for status in Status}
        for r in self.results:
            counts[r.status.value] += 1
        counts["failing_gate"] = sum(r.fails_gate for r in self.results)
        return counts
