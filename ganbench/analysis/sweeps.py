"""A hyperparameter sweep's outcome from its records: the best trial of each variant and the spread of
its scores over the search trials and over the final phase's seeds.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4)
compare GANs not by one run each but by distributions: each model trains a number of random
hyperparameter settings to the same budget (the *search*), then its best setting is trained again
with several seeds (the *final* phase), and the spread of the scores over trials and over seeds is
what is compared. A sweep's records say which phase a value belongs to (``sweep_phase``:
``"search"`` or ``"final"``), which trial (``trial``: its number in the search; the best trial's
number in the final phase) and with which settings (``hyperparameters``).

The best trial is the one whose value is best by the key's recorded ``direction`` (lowest, highest,
or closest to its ``target``); ties go to the lower trial number. A diverged trial (its loss became
NaN/inf) or a failed one has no value: it is counted, never scored. ``ganbench sweep`` picks the
trial its final phase trains again with :func:`sweep_table`, so the report's best trial is the one
that was rerun. Values are the final evaluations of
:func:`ganbench.analysis.summary.evaluated_values` (checkpoint evaluations left out), all under one
protocol (:func:`ganbench.analysis.protocol.check_one_protocol`). The quartiles are numpy's linear
percentiles, those matplotlib draws boxes with, so the table and the report's boxes agree.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ganbench.analysis.protocol import check_one_protocol
from ganbench.analysis.summary import evaluated_values

#: The two phases of a sweep, in the order they run.
SWEEP_PHASES: tuple[str, ...] = ("search", "final")

#: The columns of :func:`sweep_table`, in order.
SWEEP_COLUMNS: tuple[str, ...] = (
    "dataset",
    "variant",
    "trials",
    "diverged",
    "failed",
    "best_trial",
    "hyperparameters",
    "search_value",
    "final_trial",
    "final_seeds",
    "final_median",
    "final_min",
    "final_max",
    "final_iqr",
)


def _swept(records: pd.DataFrame) -> pd.DataFrame:
    """The records of trained units that belong to a sweep phase."""
    return records[records["sweep_phase"].isin(SWEEP_PHASES) & (records["variant"] != "real")]


def sweep_values(records: pd.DataFrame, key: str) -> pd.DataFrame:
    """The final evaluations of ``key`` in a sweep phase (diverged and failed units have none), one
    protocol checked; column ``trial`` as int."""
    values = evaluated_values(_swept(records[records["key"] == key]))
    values = values[values["status"] != "failed"]
    check_one_protocol(values)
    return values.assign(trial=values["trial"].astype("int64"))


def key_direction(values: pd.DataFrame) -> tuple[str | None, float | None]:
    """The key's recorded direction and target (None when not recorded)."""
    direction = values["direction"].dropna()
    target = pd.to_numeric(values["target"], errors="coerce").dropna()
    return (
        str(direction.iloc[0]) if len(direction) else None,
        float(target.iloc[0]) if len(target) else None,
    )


def best_row(values: pd.DataFrame, direction: str | None, target: float | None) -> pd.Series | None:
    """The row of the best value (module docstring); None without values or a direction."""
    if values.empty or direction not in ("lower", "higher", "target"):
        return None
    ordered = values.sort_values("trial", kind="stable")
    score = ordered["value"].astype(float)
    if direction == "higher":
        score = -score
    elif direction == "target":
        if target is None:
            return None
        score = (score - target).abs()
    return ordered.loc[score.idxmin()]


def _units(rows: pd.DataFrame, status: str | None = None) -> int:
    """The number of distinct trials (run, trial) among ``rows``, of ``status`` when given."""
    if status is not None:
        rows = rows[rows["status"] == status]
    return len(rows[["run_id", "trial"]].dropna().drop_duplicates())


def _quartiles(values: np.ndarray) -> tuple[float, float, float]:
    """First quartile, median and third quartile (numpy's linear percentiles, as matplotlib's box)."""
    low, median, high = np.percentile(values, [25.0, 50.0, 75.0])
    return float(low), float(median), float(high)


def _final_trial(final: pd.DataFrame, dataset: str, variant: str) -> int | None:
    """The trial the final phase trained again (one per dataset and variant), or None."""
    trials = sorted({int(t) for t in final["trial"].dropna()})
    if len(trials) > 1:
        raise ValueError(
            f"the final phase of {variant} on {dataset} trained trials {trials}; one sweep reruns one "
            f"best trial per variant: load one sweep's records at a time"
        )
    return trials[0] if trials else None


def sweep_table(records: pd.DataFrame, key: str) -> pd.DataFrame:
    """Per (dataset, variant) of a sweep: the search and its best trial, and the final phase's spread.

    Args:
        records: a records frame (``ganbench.load_records``) with the sweep fields ``sweep_phase``,
            ``trial`` and ``hyperparameters``.
        key: the record key that scores the trials (``"fid"``).

    Returns:
        One row per (dataset, variant) in order of appearance, columns :data:`SWEEP_COLUMNS`:
        ``trials`` the search trials run, ``diverged`` and ``failed`` those that diverged (status
        ``diverged``) or failed (status ``failed``) and have no value; ``best_trial``, its
        ``hyperparameters`` (dict) and ``search_value`` (NA, None, NaN when no trial has a value);
        ``final_trial`` the trial the final phase reran; ``final_seeds`` its values' count and
        ``final_median``, ``final_min``, ``final_max``, ``final_iqr`` (third minus first quartile)
        over them (NaN without values). Empty when the records hold no sweep.

    Raises:
        ProtocolMismatchError: the values of one variant were measured under different protocols.
        ValueError: one variant's final phase reran several trials (several sweeps mixed).
    """
    swept = _swept(records)
    values = sweep_values(records, key)
    direction, target = key_direction(values)
    rows = []
    for (dataset, variant), unit_rows in swept.groupby(["dataset", "variant"], sort=False):
        search_rows = unit_rows[unit_rows["sweep_phase"] == "search"]
        own = values[(values["dataset"] == dataset) & (values["variant"] == variant)]
        search, final = own[own["sweep_phase"] == "search"], own[own["sweep_phase"] == "final"]
        best = best_row(search, direction, target)
        final_values = final["value"].to_numpy(dtype=np.float64)
        q1, median, q3 = _quartiles(final_values) if final_values.size else (math.nan,) * 3
        rows.append(
            {
                "dataset": dataset,
                "variant": variant,
                "trials": _units(search_rows),
                "diverged": _units(search_rows, "diverged"),
                "failed": _units(search_rows, "failed"),
                "best_trial": int(best["trial"]) if best is not None else None,
                "hyperparameters": best["hyperparameters"] if best is not None else None,
                "search_value": float(best["value"]) if best is not None else math.nan,
                "final_trial": _final_trial(unit_rows[unit_rows["sweep_phase"] == "final"], dataset, variant),
                "final_seeds": int(final_values.size),
                "final_median": median,
                "final_min": float(final_values.min()) if final_values.size else math.nan,
                "final_max": float(final_values.max()) if final_values.size else math.nan,
                "final_iqr": q3 - q1,
            }
        )
    table = pd.DataFrame(rows, columns=list(SWEEP_COLUMNS))
    return table.astype({"best_trial": "Int64", "final_trial": "Int64"})  # NA where there is none


def final_phase(records: pd.DataFrame) -> pd.DataFrame:
    """The records a comparison table summarises: a sweep's search trials left out (its final phase,
    the best trial of each variant over the final seeds, and the ``real`` reference stay); the
    records of a run that is not a sweep, unchanged."""
    if "sweep_phase" not in records.columns:
        return records
    return records[records["sweep_phase"] != "search"]
