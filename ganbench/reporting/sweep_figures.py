"""A hyperparameter sweep's score distributions as a figure, from the records alone.

:func:`sweep_figure`: per dataset, two panels for one key: every variant's values over the search
trials, and over the final phase's seeds (Lucic et al. 2018, arXiv:1711.10337, section 4), each as a
box (quartiles, whiskers at 1.5 IQR) with every value drawn on it; the best trial
(:func:`ganbench.analysis.sweeps.sweep_table`) is starred, the ``real`` reference is a dashed line.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from ganbench.analysis.summary import evaluated_values
from ganbench.analysis.sweeps import key_direction, sweep_table, sweep_values
from ganbench.reporting.figures import REAL_COLOUR, direction_text, panels, variant_colours

#: Half the width of a variant's strip of points (in x units, a variant per unit).
STRIP_HALF_WIDTH = 0.18


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
    values = sweep_values(records, key)
    if values.empty:
        raise ValueError(
            f"the records hold no value of {key!r} from a sweep (sweep_phase search or final); "
            f"draw a key the sweep measured"
        )
    table = sweep_table(records, key)
    direction, target = key_direction(values)
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
