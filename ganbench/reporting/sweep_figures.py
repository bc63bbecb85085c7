"""A hyperparameter sweep's score distributions: a figure and a table, from the records alone.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4)
compare GANs not by one run each but by distributions: each model trains a number of random
hyperparameter settings to the same budget (the *search*), then its best setting is trained again
with several seeds (the *final* phase), and the spread of the scores over trials and over seeds is
what is compared. A sweep's records say which phase a value belongs to (``sweep_phase``:
``"search"`` or ``"final"``), which trial (``trial``: its number in the search; the best trial's
number in the final phase) and with which settings (``hyperparameters``).

- :func:`sweep_figure`: per dataset, two panels for one key: every variant's values over the search
  trials, and over the final phase's seeds, each as a box (quartiles, whiskers at 1.5 IQR) with
  every value drawn on it; the best trial is starred, the ``real`` reference is a dashed line.
- :func:`sweep_table`: per (dataset, variant): trials run, diverged and failed, the best trial, its
  settings and search value, and the final phase's median, min, max and IQR over its seeds.

The best trial is the one whose value is best by the key's recorded ``direction`` (lowest, highest,
or closest to its ``target``); ties go to the lower trial number. A diverged trial (its loss became
NaN/inf) or a failed one has no value: it is counted, never scored. Values are the final
evaluations of :func:`ganbench.analysis.summary.evaluated_values` (checkpoint evaluations left out),
all under one protocol (:func:`ganbench.analysis.protocol.check_one_protocol`). The quartiles are
numpy's linear percentiles, those matplotlib draws the boxes with, so the table and the boxes agree.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganbench.analysis.protocol import check_one_protocol
from ganbench.analysis.summary import evaluated_values
from ganbench.reporting.figures import REAL_COLOUR, direction_text, panels, variant_colours

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

#: Half the width of a variant's strip of points (in x units, a variant per unit).
STRIP_HALF_WIDTH = 0.18


def _swept(records: pd.DataFrame) -> pd.DataFrame:
    """The records of trained units that belong to a sweep phase."""
    return records[records["sweep_phase"].isin(SWEEP_PHASES) & (records["variant"] != "real")]


def _key_values(records: pd.DataFrame, key: str) -> pd.DataFrame:
    """The final evaluations of ``key`` in a sweep phase (diverged and failed units have none), one
    protocol checked; column ``trial`` as int."""
    values = evaluated_values(_swept(records[records["key"] == key]))
    values = values[values["status"] != "failed"]
    check_one_protocol(values)
    return values.assign(trial=values["trial"].astype("int64"))


def _direction(values: pd.DataFrame) -> tuple[str | None, float | None]:
    """The key's recorded direction and target (None when not recorded)."""
    direction = values["direction"].dropna()
    target = pd.to_numeric(values["target"], errors="coerce").dropna()
    return (
        str(direction.iloc[0]) if len(direction) else None,
        float(target.iloc[0]) if len(target) else None,
    )


def _best(values: pd.DataFrame, direction: str | None, target: float | None) -> pd.Series | None:
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
    values = _key_values(records, key)
    direction, target = _direction(values)
    rows = []
    for (dataset, variant), unit_rows in swept.groupby(["dataset", "variant"], sort=False):
        search_rows = unit_rows[unit_rows["sweep_phase"] == "search"]
        own = values[(values["dataset"] == dataset) & (values["variant"] == variant)]
        search, final = own[own["sweep_phase"] == "search"], own[own["sweep_phase"] == "final"]
        best = _best(search, direction, target)
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


def _strip_offsets(n: int) -> np.ndarray:
    """x offsets of ``n`` points across a variant's strip, evenly spaced (deterministic, no jitter)."""
    return np.linspace(-STRIP_HALF_WIDTH, STRIP_HALF_WIDTH, n) if n > 1 else np.zeros(n)


def _phase_panel(
    ax: Axes,
    values: pd.DataFrame,
    variants: list[str],
    labels: Mapping[str, str],
    colours: Mapping[str, str],
    best: Mapping[str, int],
) -> None:
    """Box and strip of each variant's values on ``ax``, points in trial order; ``best``: variant ->
    the trial whose point is starred."""
    starred = False
    for position, variant in enumerate(variants):
        rows = values[values["variant"] == variant].sort_values(["trial", "seed"], kind="stable")
        points = rows["value"].to_numpy(dtype=np.float64)
        if not points.size:
            continue
        colour = colours.get(variant, "grey")
        x = position + _strip_offsets(points.size)
        ax.boxplot(
            points,
            positions=[position],
            widths=0.5,
            showfliers=False,
            medianprops={"color": colour, "linewidth": 2},
        )
        ax.scatter(x, points, s=14, color=colour, alpha=0.7, zorder=3)
        if variant in best:
            at = int(np.flatnonzero(rows["trial"].to_numpy() == best[variant])[0])
            label = None if starred else "best trial"
            ax.scatter(
                [x[at]],
                [points[at]],
                marker="*",
                s=180,
                color=colour,
                edgecolors="black",
                zorder=4,
                label=label,
            )
            starred = True
    ax.set_xticks(range(len(variants)), [labels[v] for v in variants], fontsize=7)
    ax.set_xlim(-0.6, len(variants) - 0.4)


def sweep_figure(records: pd.DataFrame, key: str) -> Figure:
    """Per dataset, two panels for ``key``: each variant's values over the search trials (the best
    one starred) and over the final phase's seeds, as boxes with every value drawn on them.

    Args:
        records: a records frame with the sweep fields (see :func:`sweep_table`); the ``real``
            reference row, when it has ``key``, is drawn as a dashed line.
        key: the record key to draw (``"fid"``).

    Raises:
        ValueError: the records hold no value of ``key`` in a sweep phase.
        ProtocolMismatchError: as :func:`sweep_table`.
    """
    values = _key_values(records, key)
    if values.empty:
        raise ValueError(
            f"the records hold no value of {key!r} from a sweep (sweep_phase search or final); "
            f"draw a key the sweep measured"
        )
    table = sweep_table(records, key)
    direction, target = _direction(values)
    better = direction_text(direction, target)
    datasets = list(dict.fromkeys(table["dataset"]))
    variants = list(dict.fromkeys(table["variant"]))
    colours = variant_colours(variants)
    reference = evaluated_values(records[(records["key"] == key) & (records["variant"] == "real")])
    width = max(4.2, 0.8 * len(variants) + 1.6)
    fig, axes = panels(2 * len(datasets), width=width, height=3.4, columns=2, top=0.6)
    for row, dataset in enumerate(datasets):
        stats = table[table["dataset"] == dataset].set_index("variant")
        shown = [v for v in variants if v in stats.index]
        here = values[values["dataset"] == dataset]
        search, final = here[here["sweep_phase"] == "search"], here[here["sweep_phase"] == "final"]
        best = {v: int(stats.loc[v, "best_trial"]) for v in shown if not pd.isna(stats.loc[v, "best_trial"])}
        search_labels = {v: _search_label(v, stats.loc[v]) for v in shown}
        final_labels = {v: f"{v}\n{int(stats.loc[v, 'final_seeds'])} seeds" for v in shown}
        left, right = axes[2 * row], axes[2 * row + 1]
        _phase_panel(left, search, shown, search_labels, colours, best)
        _phase_panel(right, final, shown, final_labels, colours, {})
        left.set_title(f"{dataset}: {key} over the search trials\n{better}", fontsize=9)
        right.set_title(f"{dataset}: {key} of the best trial over seeds\n{better}", fontsize=9)
        real = reference[reference["dataset"] == dataset]["value"]
        for ax in (left, right):
            ax.set_ylabel(f"{key} (its own units)", fontsize=8)
            if len(real):
                ax.axhline(
                    float(real.iloc[0]), color=REAL_COLOUR, linestyle="--", label="real (held-out vs train)"
                )
            ax.grid(axis="y", alpha=0.3)
            if ax.get_legend_handles_labels()[0]:
                ax.legend(fontsize=7)
    fig.suptitle(
        f"Hyperparameter sweep (Lucic et al. 2018): {key}, {better}\nleft: every search trial (one point"
        " each, in trial order; the best starred); right: the best trial trained again, one point per seed",
        fontsize=9,
    )
    return fig


def _search_label(variant: str, stats: pd.Series) -> str:
    """``"dcgan\\n20 trials, 2 diverged"``: the x label of a variant in the search panel."""
    lost = [f"{int(stats[k])} {k}" for k in ("diverged", "failed") if stats[k]]
    return f"{variant}\n{int(stats['trials'])} trials" + (f", {', '.join(lost)}" if lost else "")
