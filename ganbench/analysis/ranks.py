"""Rank variants per key, with ties where their intervals overlap.

A variant's rank on a key is **1 + the number of variants that are clearly better**: variants
whose interval lies entirely on the better side of its own, without touching it (competition
ranking on separated intervals). So variants whose intervals overlap tie unless a third variant
separates them: with lower-is-better intervals A = [0, 1], B = [0.9, 2], C = [1.5, 3], A and B
rank 1 (nothing is clearly better than either) and C ranks 2 (A is clearly better), although
C overlaps B. When no intervals overlap the ranks are 1, 2, 3, ... in the order of the means.

The interval of a variant (:func:`ranks`, columns ``low``, ``high``, ``interval``):

- ``t``: the Student-t interval of the mean over seeds at ``level`` (two seeds or more);
- ``bootstrap``: with one seed, that seed's bootstrap interval (``--bootstrap``);
- ``none``: one seed and no bootstrap, the point itself: it ties only with an equal value or an
  interval that contains it.

For a key with a target the ranked quantity is each seed's distance to the target,
``|value − target|`` (lower is better), and its interval is made the same way. A censored value
(a birthday support that is only a lower bound) has no upper end: ``high`` is +inf.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import pandas as pd

from ganbench.analysis.comparisons import tested_values
from ganbench.analysis.summary import check_level, evaluated_values, t_interval

RANK_COLUMNS: tuple[str, ...] = (
    "dataset",
    "metric",
    "key",
    "direction",
    "target",
    "variant",
    "n_seeds",
    "score",
    "low",
    "high",
    "interval",
    "rank",
)


def ranks(records: pd.DataFrame, level: float = 0.95, variants: Sequence[str] | None = None) -> pd.DataFrame:
    """One row per (dataset, metric, key, variant), the best variant of each key first.

    Args:
        records: a records frame (``ganbench.load_records``); its final evaluations are used.
        level: confidence level of the t intervals.
        variants: the variants to rank (default: every variant but the ``real`` reference row).

    Returns:
        Columns :data:`RANK_COLUMNS`: ``score`` the mean of the ranked quantity (the value, or the
        distance to the target), ``low`` / ``high`` / ``interval`` its interval and how it was made
        (module docstring), ``rank`` (int, 1 = best).
    """
    level = check_level(level)
    values = evaluated_values(records)
    chosen = (
        variants if variants is not None else [v for v in dict.fromkeys(values["variant"]) if v != "real"]
    )
    values = values[values["variant"].isin(list(chosen))]
    rows = []
    for (dataset, metric, key), group in values.groupby(
        ["dataset", "metric", "key"], sort=False, dropna=False
    ):
        direction, target = group["direction"].iloc[0], group["target"].iloc[0]
        entries = [
            {
                "dataset": dataset,
                "metric": metric,
                "key": key,
                "direction": direction,
                "target": target,
                "variant": variant,
                "n_seeds": len(side),
                **_interval(side, level),
            }
            for variant, side in group.groupby("variant", sort=False)
        ]
        higher = direction == "higher"
        for entry in entries:
            entry["rank"] = 1 + sum(_clearly_better(other, entry, higher) for other in entries)
        entries.sort(key=lambda e: (e["rank"], -e["score"] if higher else e["score"]))
        rows += entries
    frame = pd.DataFrame(rows, columns=list(RANK_COLUMNS))
    frame["target"] = pd.to_numeric(frame["target"], errors="coerce")
    return frame


def rank_table(records: pd.DataFrame, level: float = 0.95, dataset: str | None = None) -> pd.DataFrame:
    """Variant x key table of :func:`ranks` (int ranks; empty where a variant lacks the key), for one
    dataset: ``dataset`` may be omitted when the records hold only one. Rows in order of appearance."""
    long = ranks(records, level)
    datasets = list(dict.fromkeys(long["dataset"]))
    if dataset is None and len(datasets) > 1:
        raise ValueError(f"the records hold several datasets {datasets}: pass dataset= one of them")
    if dataset is not None:
        if dataset not in datasets:
            raise ValueError(f"no ranked records of dataset {dataset!r}; the records have {datasets}")
        long = long[long["dataset"] == dataset]
    order = [v for v in dict.fromkeys(evaluated_values(records)["variant"]) if v in set(long["variant"])]
    wide = long.pivot(index="variant", columns="key", values="rank")
    return wide.reindex(index=order, columns=list(dict.fromkeys(long["key"]))).astype("Int64")


def _interval(side: pd.DataFrame, level: float) -> dict:
    """score, low, high, interval of one variant's values of one key (see the module docstring)."""
    quantity = tested_values(side)
    score = float(quantity.mean())
    if quantity.size >= 2:
        low, high = t_interval(quantity, level)
        kind = "t"
    elif side["ci_low"].notna().all() and side["ci_high"].notna().all():
        low, high = float(side["ci_low"].iloc[0]), float(side["ci_high"].iloc[0])
        if side["direction"].iloc[0] == "target":
            low, high = _distance_interval(low, high, float(side["target"].iloc[0]))
        kind = "bootstrap"
    else:
        low = high = score
        kind = "none"
    if side["censored"].any():
        high = math.inf
    return {"score": score, "low": low, "high": high, "interval": kind}


def _distance_interval(low: float, high: float, target: float) -> tuple[float, float]:
    """The range of |x − target| for x in [low, high]."""
    ends = sorted((abs(low - target), abs(high - target)))
    return (0.0 if low <= target <= high else ends[0]), ends[1]


def _clearly_better(other: dict, entry: dict, higher: bool) -> bool:
    """``other``'s interval lies entirely on the better side of ``entry``'s, without touching it."""
    return other["low"] > entry["high"] if higher else other["high"] < entry["low"]
