"""Per-variant statistics over seeds: mean, spread and intervals of every measured key.

The one summary the reports, the CI gate and a user's own pandas analysis share
(re-exported as ``ganbench.summary``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from scipy import stats

from ganbench.analysis.protocol import check_one_protocol

#: The columns of :func:`summary`, in order.
SUMMARY_COLUMNS: tuple[str, ...] = (
    "dataset",
    "variant",
    "metric",
    "key",
    "space",
    "direction",
    "target",
    "n_seeds",
    "mean",
    "std",
    "t_low",
    "t_high",
    "ci_low",
    "ci_high",
    "censored",
)

#: The columns that identify one evaluated unit (one variant's evaluation at one seed in one run).
UNIT_COLUMNS: tuple[str, ...] = ("run_id", "dataset", "variant", "seed")

#: (key that is only a lower bound when censored, the key that flags it) — the birthday estimate.
CENSORED_KEYS: dict[str, str] = {"birthday_support": "birthday_censored"}


def check_level(level: float) -> float:
    """``level`` as a float in (0, 1), else a ValueError saying what is accepted."""
    if not isinstance(level, int | float) or isinstance(level, bool) or not 0.0 < float(level) < 1.0:
        raise ValueError(
            f"level must be a confidence level strictly between 0 and 1, e.g. 0.95; got {level!r}"
        )
    return float(level)


def final_evaluations(records: pd.DataFrame) -> pd.DataFrame:
    """The rows of a records frame that are final evaluations.

    Left out: diverged units (``status == "diverged"``), the divergence markers (``metric ==
    "training"``), evaluations during training (``stage == "checkpoint"``) and the smaller
    samples of ``ganbench validate``'s sample-efficiency study (``stage == "sample-size"``); runs
    written before the ``stage`` field existed lack it, and their rows count as final.
    """
    keep = (records["status"] != "diverged") & (records["metric"] != "training")
    stage = records.get("stage")
    if stage is not None:
        keep &= stage.fillna("final") == "final"
    return records[keep & records["value"].notna()]


def t_interval(values: np.ndarray, level: float = 0.95) -> tuple[float, float]:
    """Student-t interval of the mean of ``values`` [n] at ``level``: mean ± t_{(1+level)/2, n-1}·s/√n.

    ``s`` is the sample standard deviation (ddof=1). NaN bounds for fewer than two values.
    """
    values = np.asarray(values, dtype=np.float64)
    n = values.size
    if n < 2:
        return math.nan, math.nan
    mean = float(values.mean())
    half = float(stats.t.ppf((1.0 + level) / 2.0, n - 1)) * float(values.std(ddof=1)) / math.sqrt(n)
    return mean - half, mean + half


def evaluated_values(records: pd.DataFrame) -> pd.DataFrame:
    """The final evaluations (:func:`final_evaluations`) with a bool column ``censored``: True where the
    value is only a lower bound (a key of :data:`CENSORED_KEYS` whose unit has its flag == 1)."""
    evaluated = final_evaluations(records)
    censored = _censored_units(evaluated)
    marked = evaluated.merge(censored, on=[*UNIT_COLUMNS, "key"], how="left")
    marked["censored"] = marked["censored"].astype("boolean").fillna(False).astype(bool)
    return marked


def _censored_units(evaluated: pd.DataFrame) -> pd.DataFrame:
    """(unit columns..., key) of each value that is only a lower bound, with ``censored`` = True."""
    parts = []
    for key, flag in CENSORED_KEYS.items():
        flagged = evaluated[(evaluated["key"] == flag) & (evaluated["value"] == 1.0)]
        parts.append(flagged[list(UNIT_COLUMNS)].assign(key=key, censored=True))
    return pd.concat(parts, ignore_index=True).drop_duplicates()


def _bootstrap_bounds(group: pd.DataFrame) -> tuple[float, float]:
    """One value's own bootstrap interval; over several, the mean of the bounds if every one has them."""
    low, high = group["ci_low"], group["ci_high"]
    if low.isna().any() or high.isna().any():
        return math.nan, math.nan
    return float(low.mean()), float(high.mean())


def summary(records: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Mean, std and intervals over seeds of every (dataset, variant, metric, key) of the final evaluations.

    Args:
        records: a records frame (``ganbench.load_records``), one row per scalar; one or several runs.
        level: confidence level of the t interval (the bootstrap interval's level was fixed when the
            run computed it: 95%).

    Returns:
        One row per (dataset, variant, metric, key), columns :data:`SUMMARY_COLUMNS`:
        ``space``, ``direction``, ``target`` as recorded; ``n_seeds`` the number of values (one per
        seed, and per run when several runs are concatenated); ``mean`` and ``std`` (ddof=1, NaN for
        one value) over them; ``t_low``, ``t_high`` the Student-t interval of the mean at ``level``
        (NaN for one value); ``ci_low``, ``ci_high`` the bootstrap percentile interval of ``--bootstrap``:
        a single value's own interval, over several values NaN unless every one has an interval, then
        the mean of their bounds (an average per-seed interval, not an interval of the mean);
        ``censored`` True when some value of the group is only a lower bound (``birthday_support``
        whose unit has ``birthday_censored == 1``: no duplicate found), so the mean is one too.
        Rows: datasets in order of appearance; within one, ``real`` first, then variants in the order
        they appear in the records; keys in order of appearance. Diverged units, divergence markers and
        checkpoint evaluations are left out (:func:`final_evaluations`).

    Raises:
        ProtocolMismatchError: the records of one (dataset, variant, metric, key) were measured under
            different protocols (:mod:`ganbench.analysis.protocol`); the message names the field.
    """
    level = check_level(level)
    marked = evaluated_values(records)
    check_one_protocol(marked)
    if marked.empty:
        return pd.DataFrame(columns=list(SUMMARY_COLUMNS))
    rows = []
    group_columns = ["dataset", "variant", "metric", "key"]
    for (dataset, variant, metric, key), group in marked.groupby(group_columns, sort=False, dropna=False):
        values = group["value"].to_numpy(dtype=np.float64)
        t_low, t_high = t_interval(values, level)
        ci_low, ci_high = _bootstrap_bounds(group)
        rows.append(
            {
                "dataset": dataset,
                "variant": variant,
                "metric": metric,
                "key": key,
                "space": group["space"].iloc[0],
                "direction": group["direction"].iloc[0],
                "target": group["target"].iloc[0],
                "n_seeds": values.size,
                "mean": float(values.mean()),
                "std": float(values.std(ddof=1)) if values.size >= 2 else math.nan,
                "t_low": t_low,
                "t_high": t_high,
                "ci_low": ci_low,
                "ci_high": ci_high,
                "censored": bool(group["censored"].any()),
            }
        )
    out = pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS))
    out["target"] = pd.to_numeric(out["target"], errors="coerce")
    return _in_report_order(out, marked)


def _in_report_order(frame: pd.DataFrame, evaluated: pd.DataFrame) -> pd.DataFrame:
    """Datasets and keys in order of appearance; ``real`` first, then variants in order of appearance."""

    def appearance(column: str | list[str], first: object = None) -> np.ndarray:
        """Each row's position among the distinct values of ``column`` in ``evaluated`` (NaN included)."""
        seen = pd.MultiIndex.from_frame(evaluated[column]) if isinstance(column, list) else None
        if seen is None:
            uniques = list(pd.unique(evaluated[column]))
            if first in uniques:
                uniques.remove(first)
                uniques.insert(0, first)
            return pd.Index(uniques).get_indexer(frame[column])
        return seen.unique().get_indexer(pd.MultiIndex.from_frame(frame[column]))

    order = np.lexsort(
        (appearance(["metric", "key"]), appearance("variant", first="real"), appearance("dataset"))
    )
    return frame.iloc[order].reset_index(drop=True)
