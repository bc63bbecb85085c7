"""What went wrong in a run, in words, from its records: units whose training diverged and jobs that
failed, one line each, shared by report.md, the terminal and report.html.

A diverged unit has a ``training`` record with key ``diverged_at_step`` (its value: the D step at
which a loss became NaN/inf); a failed job (an exception of its own, or a worker lost for good after
the executor's retries) has one with key ``failed``, ``status = failed`` and its ``failure`` reason.
"""

from __future__ import annotations

import pandas as pd


def _unit(row: pd.Series) -> str:
    trial = f" trial {int(row['trial'])}" if pd.notna(row.get("trial")) else ""
    phase = f" ({row['sweep_phase']})" if pd.notna(row.get("sweep_phase")) else ""
    return f"{row['variant']}{trial} seed {row['seed']}{phase}"


def training_problems(records: pd.DataFrame) -> list[str]:
    """One line per diverged unit and per failed job, in record order."""
    lines = []
    for _, row in records[records["metric"] == "training"].iterrows():
        if row["key"] == "diverged_at_step":
            lines.append(f"{_unit(row)}: a loss became NaN/inf at D step {int(row['value'])}; not evaluated")
        elif row["key"] == "failed":
            lines.append(f"{_unit(row)}: FAILED: {row.get('failure') or 'no reason recorded'}")
    return lines
