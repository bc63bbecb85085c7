"""The figures of the HTML report, drawn with matplotlib's object API (``Figure``, never pyplot).

Every function takes plain data (DataFrames, the JSON a measure saved) and returns a
:class:`~matplotlib.figure.Figure`; :func:`png` turns one into PNG bytes. No function reads files
or keeps global state, so figures can be drawn in any order, in threads, without a display.
Every figure has a title saying which direction is better, and axis labels with units.

Colours: each variant keeps one colour in every figure (:func:`variant_colours`); the ``real``
reference (held-out vs training images) is black, dashed where it is a line.
"""

from __future__ import annotations

import io
import math
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ganbench.metrics.birthday import collision_probability

KIMG_LABEL = "kimg (thousands of real images shown to D)"
REAL_COLOUR = "black"
PANEL_COLUMNS = 4


def png(fig: Figure, dpi: int = 100) -> bytes:
    """The figure as PNG bytes."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=dpi)
    return buffer.getvalue()


def variant_colours(variants: Sequence[str]) -> dict[str, str]:
    """One matplotlib colour per variant, in order (``C0``, ``C1``, ...); ``real`` is black."""
    colours = {"real": REAL_COLOUR}
    others = [v for v in dict.fromkeys(variants) if v != "real"]
    colours.update({v: f"C{i % 10}" for i, v in enumerate(others)})
    return colours


def direction_text(direction: str | None, target: float | None = None) -> str:
    """``"lower is better ↓"``, ``"higher is better ↑"``, ``"0.5 is ideal"`` (a target), or ``""``."""
    if direction == "lower":
        return "lower is better ↓"
    if direction == "higher":
        return "higher is better ↑"
    if direction == "target" and target is not None and not pd.isna(target):
        return f"{target:g} is ideal"
    return ""


def panels(
    n: int,
    width: float = 3.6,
    height: float = 2.8,
    *,
    columns: int = PANEL_COLUMNS,
    top: float = 0.4,
    fixed_margins: bool = False,
) -> tuple[Figure, list[Any]]:
    """A figure with ``n`` panels of ``width`` x ``height`` inches, ``columns`` to a row, ``top``
    inches above them for a title; unused cells are hidden.

    ``fixed_margins`` places the panels with fixed margins in inches instead of matplotlib's
    constrained layout, which measures every text of every panel: with ~50 small panels per figure
    (``ganbench validate``'s score-vs-severity grids) it took half the report's time.
    """
    cols = min(n, columns)
    rows = math.ceil(n / cols)
    fig_width, fig_height = width * cols, height * rows + top
    if fixed_margins:
        fig = Figure(figsize=(fig_width, fig_height))
        fig.subplots_adjust(
            left=0.55 / fig_width,
            right=1 - 0.1 / fig_width,
            bottom=0.3 / fig_height,
            top=1 - (top + 0.35) / fig_height,
            wspace=0.5,
            hspace=0.85,
        )
    else:
        fig = Figure(figsize=(fig_width, fig_height), layout="constrained")
    axes = list(np.atleast_1d(fig.subplots(rows, cols, squeeze=False)).ravel())
    for ax in axes[n:]:
        ax.set_visible(False)
    return fig, axes[:n]


def loss_curves(losses: Mapping[str, Mapping[int, pd.DataFrame]]) -> Figure:
    """One panel per variant: D and G losses against kimg, one line pair per seed.

    Args:
        losses: variant -> seed -> the unit's ``losses.csv`` (columns ``kimg``, ``d_loss``,
            ``g_loss``, one row per log interval).
    """
    fig, axes = panels(len(losses), width=4.2, height=3.0)
    styles = ["-", "--", ":", "-."]
    for ax, (variant, seeds) in zip(axes, losses.items(), strict=True):
        for i, (seed, frame) in enumerate(seeds.items()):
            style = styles[i % len(styles)]
            ax.plot(frame["kimg"], frame["d_loss"], style, color="C0", marker=".", label=f"D, seed {seed}")
            ax.plot(frame["kimg"], frame["g_loss"], style, color="C1", marker=".", label=f"G, seed {seed}")
        ax.set_title(f"{variant}: its own objective", fontsize=10)
        ax.set_xlabel(KIMG_LABEL, fontsize=8)
        ax.set_ylabel("loss (variant's objective, per sample)", fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle(
        "Training losses: no better direction (each variant has its own objective);\n"
        "compare shapes, not levels: steady is good, spikes or a loss stuck at 0 are not",
        fontsize=10,
    )
    return fig


def key_bars(stats: pd.DataFrame, colours: Mapping[str, str], title: str) -> Figure:
    """One bar chart per key: each variant's mean with its error bar; ``real`` as a dashed line.

    Args:
        stats: one row per (variant, key), columns ``variant``, ``key``, ``direction``,
            ``target``, ``mean``, ``low``, ``high`` (the error bar's ends, NaN for none), optionally
            ``censored`` (the mean is only a lower bound: a hatched bar labelled ``> x``); ``real``
            rows included.
        colours: variant -> colour (:func:`variant_colours`).
        title: the figure's title (the space the keys were measured in).
    """
    keys = list(dict.fromkeys(stats["key"]))
    fig, axes = panels(len(keys))
    for ax, key in zip(axes, keys, strict=True):
        rows = stats[stats["key"] == key]
        real = rows[rows["variant"] == "real"]
        bars = rows[rows["variant"] != "real"]
        x = np.arange(len(bars))
        means = bars["mean"].to_numpy(dtype=float)
        below = np.nan_to_num(means - bars["low"].to_numpy(dtype=float), nan=0.0)
        above = np.nan_to_num(bars["high"].to_numpy(dtype=float) - means, nan=0.0)
        censored = bars["censored"].fillna(False).astype(bool).to_numpy() if "censored" in bars else None
        if censored is None:
            censored = np.zeros(len(bars), dtype=bool)
        drawn = ax.bar(
            x,
            means,
            yerr=np.vstack([below, above]),
            capsize=4,
            color=[colours.get(v, "grey") for v in bars["variant"]],
            hatch=["//" if c else "" for c in censored],
        )
        values = [f"{'> ' if c else ''}{m:.3g}" for m, c in zip(means, censored, strict=True)]
        ax.bar_label(drawn, labels=values, fontsize=7, label_type="center")  # a bar of 0 still says 0
        ax.set_xticks(x, list(bars["variant"]), rotation=30, ha="right", fontsize=8)
        if len(real) and not pd.isna(real["mean"].iloc[0]):
            ax.axhline(
                real["mean"].iloc[0], color=REAL_COLOUR, linestyle="--", label="real (held-out vs train)"
            )
            ax.legend(fontsize=7)
        first = rows.iloc[0]
        ax.set_title(f"{key}: {direction_text(first['direction'], first['target'])}", fontsize=10)
        ax.set_ylabel(key, fontsize=8)
    fig.suptitle(f"{title} (each measure in its own units)", fontsize=10)
    return fig


PLANE_LABELS = {
    "precision": "precision (share of generated samples\ninside the real manifold, 0–1)",
    "recall": "recall (share of real samples\ninside the generated manifold, 0–1)",
    "density": "density (real k-NN balls per generated\nsample / k, 1 for real data)",
    "coverage": "coverage (share of real samples with a\ngenerated one in their ball, 0–1)",
}


def metric_planes(
    points: pd.DataFrame, planes: Sequence[tuple[str, str]], colours: Mapping[str, str]
) -> Figure:
    """One scatter panel per (x key, y key): a point per variant and seed, ``real`` as a star.

    Args:
        points: one row per (variant, seed) with a column per key (``real`` has seed NA).
        planes: pairs of keys, e.g. ``[("recall", "precision"), ("coverage", "density")]``; each
            plots x against y (both higher is better, so the top right is best).
        colours: variant -> colour.
    """
    fig, axes = panels(len(planes), width=4.8, height=4.2)
    for ax, (x, y) in zip(axes, planes, strict=True):
        for variant, group in points.groupby("variant", sort=False):
            is_real = variant == "real"
            ax.scatter(
                group[x],
                group[y],
                color=colours.get(str(variant), "grey"),
                marker="*" if is_real else "o",
                s=160 if is_real else 45,
                label=f"{variant} (held-out vs train)" if is_real else f"{variant} ({len(group)} seeds)",
                edgecolors="white",
                zorder=3 if is_real else 2,
            )
        ax.set_xlabel(PLANE_LABELS.get(x, x), fontsize=8)
        ax.set_ylabel(PLANE_LABELS.get(y, y), fontsize=8)
        ax.set_title(f"{y} vs {x}: top right is better ↗", fontsize=10)
        ax.set_xlim(left=-0.03)
        ax.set_ylim(bottom=-0.03)
        ax.grid(alpha=0.3)
        ax.legend(fontsize=7)
    return fig


def birthday_curves(
    curves: Mapping[str, Sequence[Mapping[str, Any]]],
    real: Mapping[str, Any] | None,
    colours: Mapping[str, str],
) -> Figure:
    """The birthday test of every variant: observed duplicate share per batch size and the fit.

    Args:
        curves: variant -> the ``birthday.json`` of each of its seeds (fields ``batch_sizes``,
            ``dup_share``, ``support``, ``censored``).
        real: the ``real`` row's ``birthday.json`` (held-out images as the generated set), or None.
        colours: variant -> colour.
    """
    fig = Figure(figsize=(8, 4.6), layout="constrained")
    ax = fig.add_subplot()
    for variant, seeds in [*curves.items(), *([("real", [real])] if real else [])]:
        colour = colours.get(variant, "grey")
        supports = _supports(seeds)
        for i, curve in enumerate(seeds):
            sizes = np.asarray(curve["batch_sizes"], dtype=np.int64)
            grid = np.unique(np.geomspace(2, max(int(sizes.max()), 3), 100).astype(np.int64))
            is_real = variant == "real"
            ax.plot(sizes, curve["dup_share"], "*" if is_real else "o", color=colour, markersize=5, alpha=0.8)
            ax.plot(
                grid,
                collision_probability(grid, float(curve["support"])),
                "--" if is_real else "-",
                color=colour,
                label=None if i else f"{variant}{' (held-out vs train)' if is_real else ''}: K {supports}",
            )
    ax.set_xscale("log")
    ax.set_ylim(-0.02, 1.02)
    ax.set_xlabel("batch size s (images, log scale)")
    ax.set_ylabel("share of batches holding a near-duplicate (0–1)")
    ax.set_title(
        "Birthday test: a curve further right means a larger support (more distinct images): better →",
        fontsize=10,
    )
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=7, loc="upper left")
    return fig


def _supports(curves: Sequence[Mapping[str, Any]]) -> str:
    """``"= 116, 63"``; a censored fit (no duplicate seen) is a lower bound: ``"> 5.39e+03"``."""
    values = [f"{'> ' if c.get('censored') else ''}{float(c['support']):.3g}" for c in curves]
    return ", ".join(values) if values[0].startswith(">") else "= " + ", ".join(values)


def ndb_histograms(bins: Mapping[str, Mapping[str, Any]], labels: Mapping[str, str]) -> Figure:
    """One panel per variant: real and generated share of every NDB bin, significant bins marked.

    Bins are sorted by their real share, largest first (the same order in every panel: the
    bins and the real set are the same for every unit of a run).

    Args:
        bins: variant -> its ``ndb.json`` (``real_share``, ``fake_share``, ``different``, ``alpha``,
            ``ndb``).
        labels: variant -> the panel title's name (e.g. ``"dcgan seed 0"``).
    """
    fig, axes = panels(len(bins), width=5.2, height=3.0)
    for ax, (variant, data) in zip(axes, bins.items(), strict=True):
        real = np.asarray(data["real_share"], dtype=float)
        fake = np.asarray(data["fake_share"], dtype=float)
        different = np.asarray(data["different"], dtype=bool)
        order = np.argsort(-real, kind="stable")
        x = np.arange(len(real))
        ax.bar(x - 0.2, real[order], width=0.4, color="0.55", label="real (held-out)")
        other = "training images" if variant == "real" else "generated"
        ax.bar(x + 0.2, fake[order], width=0.4, color="C0", label=other)
        marked = x[different[order]]
        top = np.maximum(real[order], fake[order])[different[order]]
        ax.plot(
            marked,
            top + 0.01 * max(1e-9, float(np.max(np.r_[real, fake]))),
            "v",
            color="C3",
            markersize=4,
            label=f"differs (α = {data['alpha']:g})",
        )
        ax.set_title(
            f"{labels.get(variant, variant)}: {int(different.sum())} of {len(real)} bins differ "
            f"(NDB/K = {float(data['ndb']):.2f}); fewer is better ↓",
            fontsize=9,
        )
        ax.set_xlabel("bin (k-means cluster of training features), by real share", fontsize=8)
        ax.set_ylabel("share of samples in the bin (0–1)", fontsize=8)
        ax.legend(fontsize=7)
    return fig


def metric_vs_budget(
    points: pd.DataFrame, keys: Sequence[str], reference: pd.DataFrame, colours: Mapping[str, str]
) -> Figure:
    """One panel per key: its value against the training budget, a line per variant and seed.

    Args:
        points: one row per evaluation, columns ``variant``, ``seed``, ``kimg``, ``key``,
            ``value``, ``direction``, ``target``: checkpoint evaluations and the final one (the
            last point of each line).
        keys: the keys to draw, one panel each.
        reference: the ``real`` row's final values, columns ``key``, ``value`` (a dashed line).
        colours: variant -> colour.
    """
    fig, axes = panels(len(keys), width=4.2, height=3.0)
    for ax, key in zip(axes, keys, strict=True):
        rows = points[points["key"] == key]
        labelled: set[str] = set()
        for (variant, _seed), line in rows.groupby(["variant", "seed"], sort=False):
            line = line.sort_values("kimg")
            ax.plot(
                line["kimg"],
                line["value"],
                "-o",
                markersize=3,
                color=colours.get(str(variant), "grey"),
                label=None if variant in labelled else str(variant),
            )
            labelled.add(str(variant))
        real = reference[reference["key"] == key]
        if len(real):
            ax.axhline(
                real["value"].iloc[0], color=REAL_COLOUR, linestyle="--", label="real (held-out vs train)"
            )
        first = rows.iloc[0]
        ax.set_title(f"{key}: {direction_text(first['direction'], first['target'])}", fontsize=10)
        ax.set_xlabel(KIMG_LABEL, fontsize=8)
        ax.set_ylabel(f"{key} (its own units)", fontsize=8)
        ax.legend(fontsize=7)
    fig.suptitle("Measures during training: one line per variant and seed; the last point is the final one")
    return fig
