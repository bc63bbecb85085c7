"""A sweep's part of the report: its table in Markdown and in the terminal, and its figure's file.

The statistics are :func:`ganbench.analysis.sweeps.sweep_table` (Lucic et al. 2018, section 4: the
best trial of each variant and the spread over the final seeds); the figure is
:func:`ganbench.reporting.sweep_figures.sweep_figure`. The key is the one the sweep selected with
(``run.json``'s ``sweep.key``).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ganbench.analysis.sweeps import SWEEP_PHASES, sweep_table
from ganbench.reporting.terminal import wrap


def sweep_figure_name(key: str) -> str:
    """The figure's file in the run folder."""
    return f"sweep_{key}.png"


def sweep_key(run_dir: Path, records: pd.DataFrame) -> str | None:
    """The key a sweep's trials were scored with; None for records that hold no sweep."""
    if "sweep_phase" not in records.columns or not records["sweep_phase"].isin(SWEEP_PHASES).any():
        return None
    try:
        settings = json.loads((run_dir / "run.json").read_text()).get("sweep") or {}
    except (OSError, json.JSONDecodeError):
        settings = {}
    return str(settings.get("key", "fid"))


def settings_text(hyperparameters: object) -> str:
    """``"beta1 0.5, lr 0.0002"``: a trial's settings in one line (empty when it has none)."""
    if not isinstance(hyperparameters, dict):
        return ""
    return ", ".join(f"{name} {value:.4g}" for name, value in sorted(hyperparameters.items()))


def sweep_markdown(run_dir: Path, records: pd.DataFrame) -> list[str]:
    """The sweep section of report.md (nothing for a run that is not a sweep)."""
    key = sweep_key(run_dir, records)
    if key is None:
        return []
    table = sweep_table(records, key)
    shown = table.assign(hyperparameters=table["hyperparameters"].map(settings_text)).drop(
        columns=["dataset"]
    )
    return [
        f"## Hyperparameter sweep: {key}",
        "",
        "The protocol of Lucic et al. 2018 (section 4): every variant trained the same number of random"
        " settings (`trials`) to the same budget with one seed (the search); its best setting by"
        f" `{key}` was trained again on the final seeds, and the tables below summarise those final"
        " runs only. `search_value` is biased by the selection (the best of many noisy values); the"
        " final values are not. Diverged and failed trials are counted, never scored.",
        "",
        shown.to_markdown(index=False, floatfmt=".4g"),
        "",
        f"![{key} over trials and seeds]({sweep_figure_name(key)})",
        "",
    ]


def sweep_terminal(run_dir: Path, records: pd.DataFrame, width: int) -> list[str]:
    """One line per variant of a sweep for ``ganbench report`` (nothing for a run that is not a sweep)."""
    key = sweep_key(run_dir, records)
    if key is None:
        return []
    lines = ["", f"Hyperparameter sweep, scored by {key} (the tables below: the final phase):"]
    for row in sweep_table(records, key).itertuples():
        lost = "".join(f", {getattr(row, k)} {k}" for k in ("diverged", "failed") if getattr(row, k))
        if pd.isna(row.best_trial):
            text = f"- {row.variant}: {row.trials} trials{lost}; none has a value"
        else:
            text = (
                f"- {row.variant}: {row.trials} trials{lost}; best trial {row.best_trial} ({key}"
                f" {row.search_value:.4g}: {settings_text(row.hyperparameters)}); final {row.final_seeds}"
                f" seeds: median {row.final_median:.4g} [{row.final_min:.4g}, {row.final_max:.4g}]"
            )
        lines += wrap(text, width, indent="  ")
    return lines


def write_sweep_figure(run_dir: Path, records: pd.DataFrame) -> Path | None:
    """Save the sweep's figure next to report.md; None for a run that is not a sweep, or a sweep
    without a value of its key yet."""
    from ganbench.reporting.figures import png
    from ganbench.reporting.sweep_figures import sweep_figure

    key = sweep_key(run_dir, records)
    if key is None or not (records["key"] == key).any():
        return None
    path = run_dir / sweep_figure_name(key)
    path.write_bytes(png(sweep_figure(records, key)))
    return path
