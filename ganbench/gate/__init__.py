"""The CI gate: bounds on a run's measured values, from a TOML thresholds file (``ganbench check``).

- :mod:`~ganbench.gate.thresholds`: the file format, parsing and validation;
- :mod:`~ganbench.gate.keys`: measure keys a bound may name (the registry);
- :mod:`~ganbench.gate.measured`: a run directory loaded, with ``ganbench.summary`` per key;
- :mod:`~ganbench.gate.applicability`: whether a file applies to a run and baseline (else exit 2);
- :mod:`~ganbench.gate.evaluate`: each bound's verdict; :mod:`~ganbench.gate.result`: the verdicts;
- :mod:`~ganbench.gate.text`, :mod:`~ganbench.gate.json_result`, :mod:`~ganbench.gate.junit`: output;
- :mod:`~ganbench.gate.suggest`: a starting file from a run's values and seed spreads.
"""

from ganbench.gate.evaluate import evaluate
from ganbench.gate.measured import MeasuredRun, RunDataError, load_run
from ganbench.gate.result import EXIT_FAIL, EXIT_PASS, EXIT_UNUSABLE, BoundResult, GateResult, Status
from ganbench.gate.suggest import suggest_thresholds
from ganbench.gate.thresholds import Bound, Thresholds, ThresholdsError, load_thresholds, parse_thresholds

__all__ = [
    "EXIT_FAIL",
    "EXIT_PASS",
    "EXIT_UNUSABLE",
    "Bound",
    "BoundResult",
    "GateResult",
    "MeasuredRun",
    "RunDataError",
    "Status",
    "Thresholds",
    "ThresholdsError",
    "evaluate",
    "load_run",
    "load_thresholds",
    "parse_thresholds",
    "suggest_thresholds",
]
