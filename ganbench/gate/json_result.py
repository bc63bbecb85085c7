"""The gate's result as one JSON document (``ganbench check --json``), for CI systems and scripts.

Shape::

    {"status": "pass" | "fail" | "error", "exit_code": 0 | 1 | 2,
     "run": {"id", "dir"}, "baseline": {"id", "dir"} | null, "thresholds": path,
     "counts": {"PASS", "FAIL", "WARN", "MISSING", "failing_gate"}, "notes": [...],
     "bounds": [{"dataset", "variant", "metric", "key", "kind", "bound", "tier", "status",
                 "fails_gate", "measured": {"mean", "std", "n_seeds", "interval", "interval_kind",
                 "censored"} | null, "check": {"quantity", "op", "limit", "target"} | null,
                 "baseline": {"run_id", "mean", "std", "n_seeds", "interval", "interval_kind",
                 "censored"} | null, "source": {"file", "line", "table", "entry", "text"},
                 "reason", "message"}]}

An unusable file or run gives ``{"status": "error", "exit_code": 2, "error": message}``.
Non-finite numbers (a std over one seed) are null.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from typing import Any

from ganbench.gate.result import EXIT_UNUSABLE, BoundResult, GateResult, Measured
from ganbench.gate.text import describe


def _finite_or_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, tuple | list):
        return [_finite_or_none(v) for v in value]
    return value


def _measured(measured: Measured | None, run_id: str | None = None) -> dict[str, Any] | None:
    if measured is None:
        return None
    out = {name: _finite_or_none(value) for name, value in asdict(measured).items()}
    return {"run_id": run_id, **out} if run_id is not None else out


def bound_document(result: BoundResult) -> dict[str, Any]:
    """One bound's verdict as a JSON-ready dict."""
    bound, source = result.bound, result.bound.source
    return {
        "dataset": bound.dataset,
        "variant": bound.variant,
        "metric": bound.measure.metric,
        "key": bound.key,
        "kind": bound.kind,
        "bound": bound.value,
        "tier": bound.tier,
        "status": result.status.value,
        "fails_gate": result.fails_gate,
        "measured": _measured(result.measured),
        "check": None
        if result.check is None
        else {k: _finite_or_none(v) for k, v in asdict(result.check).items()},
        "baseline": _measured(result.baseline, result.baseline_run),
        "source": {
            "file": source.file,
            "line": source.line,
            "table": source.table,
            "entry": source.entry,
            "text": str(source),
        },
        "reason": result.reason,
        "message": describe(result),
    }


def gate_document(gate: GateResult) -> dict[str, Any]:
    """The whole result as a JSON-ready dict (see the module docstring)."""
    return {
        "status": "pass" if gate.passed else "fail",
        "exit_code": gate.exit_code,
        "run": {"id": gate.run_id, "dir": gate.run_dir},
        "baseline": None if gate.baseline_id is None else {"id": gate.baseline_id, "dir": gate.baseline_dir},
        "thresholds": gate.thresholds.path,
        "counts": gate.counts(),
        "notes": list(gate.thresholds.notes),
        "bounds": [bound_document(r) for r in gate.results],
    }


def error_document(message: str) -> dict[str, Any]:
    """The document for a file or run the gate cannot use (exit code 2)."""
    return {"status": "error", "exit_code": EXIT_UNUSABLE, "error": message}
