"""Formatted comparison tables: variant x key cells with intervals and significance marks.

Shared by the Markdown report, the terminal table and the HTML page. The numbers come from
:mod:`ganbench.analysis` (summary over seeds, Welch tests with Holm's correction, ranks); this
module only turns them into text.

A full cell (``full=True``) reads, over two seeds or more, ``mean ± std [t_low, t_high]`` (std over
seeds, the 95% Student-t interval of the mean); with one seed and ``--bootstrap``,
``value [ci_low, ci_high]`` (the bootstrap interval); a value that is only a lower bound (a censored
birthday estimate) reads ``> value``. A compact cell (``full=False``) drops the interval:
``mean±std``. Marks follow the number (:data:`MARKS`, :data:`BEST_MARK`). A spread below
:data:`ROUNDING_SPREAD` times the mean (equal values up to float rounding) reads 0.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping

import pandas as pd

from ganbench.analysis.comparisons import pairwise
from ganbench.analysis.ranks import ranks
from ganbench.analysis.summary import summary

ARROWS = {"lower": "↓", "higher": "↑"}
#: Mark of a variant significantly worse than its column's best, by the Holm-corrected Welch p-value.
MARKS: dict[float, str] = {0.001: "***", 0.01: "**", 0.05: "*"}
#: Mark of the best mean of a column (among the variants, not the `real` reference row).
BEST_MARK = "★"
#: The legend of the marks, for every page that shows them.
MARKS_LEGEND = (
    f"{BEST_MARK}: best mean of the column (among the variants, not `real`); "
    "*, **, ***: worse than that best variant with Holm-corrected Welch p < 0.05, 0.01, 0.001 over the seeds"
    " (family: every pair of variants on that key); no mark: not significant, or no test possible"
    " (one seed, a censored value or no spread: see the pairwise comparisons)"
)

TRAINING_COLUMNS = ("seeds", "kimg", "G steps")
#: A spread over seeds below this fraction of the mean is float rounding of equal values: shown as 0.
ROUNDING_SPREAD = 1e-9


def format_number(value: float, digits: int = 4) -> str:
    """``value`` to ``digits`` significant digits, exponents without padding (``1.354e5``); NaN -> ``n/a``."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "n/a"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    text = f"{value:.{digits}g}"
    return re.sub(r"e([+-])0*(\d)", lambda m: "e" + ("-" if m.group(1) == "-" else "") + m.group(2), text)


def format_spread(std: float) -> str:
    """A standard deviation to two significant digits, but whole numbers between 100 and 1e5 (``710``,
    not ``7.1e2``)."""
    return f"{std:.0f}" if 100 <= abs(std) < 1e5 else format_number(std, 2)


def column_header(key: str, direction: str, target: float | None) -> str:
    """``fid ↓``, ``precision ↑`` or ``c2st_1nn →0.5`` (a key with a target)."""
    if direction == "target":
        return f"{key} →{target:g}"
    return f"{key} {ARROWS.get(direction, '')}".strip()


def cell(row: Mapping, mark: str = "", full: bool = True) -> str:
    """One summary row (:func:`ganbench.summary`) as text; see the module docstring for the forms."""
    mean, std, n = row["mean"], row["std"], row["n_seeds"]
    if pd.isna(mean):
        text = "n/a"
    elif row["censored"]:
        text = f"> {format_number(mean)}"
    elif n >= 2 and not pd.isna(std):
        std = 0.0 if std < ROUNDING_SPREAD * abs(mean) else std
        spread = f" ± {format_spread(std)}" if full else f"±{format_spread(std)}"
        interval = f" [{format_number(row['t_low'])}, {format_number(row['t_high'])}]"
        text = f"{format_number(mean)}{spread}" + (interval if full else "")
    elif full and not pd.isna(row["ci_low"]) and not pd.isna(row["ci_high"]):
        text = f"{format_number(mean)} [{format_number(row['ci_low'])}, {format_number(row['ci_high'])}]"
    else:
        text = format_number(mean)
    return f"{text} {mark}" if mark else text


def one_dataset(records: pd.DataFrame) -> None:
    """A table is for one dataset: a ValueError naming them when the records hold several."""
    datasets = list(records["dataset"].dropna().unique())
    if len(datasets) > 1:
        raise ValueError(f"a comparison table is for one dataset; the records hold {datasets}: select one")


def significance_marks(records: pd.DataFrame) -> dict[tuple[str, str], str]:
    """(key, variant) -> mark, for the records of one dataset: :data:`BEST_MARK` for the best mean of
    each key (every variant that shares it; none when all variants are equal), a :data:`MARKS` entry
    for a variant that the best one (the first in rank order) beats significantly."""
    one_dataset(records)
    ranked = ranks(records)
    tests = pairwise(records, tests=["welch"])
    marks: dict[tuple[str, str], str] = {}
    for key, group in ranked.groupby("key", sort=False):
        if len(group) < 2:
            continue
        best = group["variant"].iloc[0]
        tied = group[group["score"] == group["score"].iloc[0]]["variant"]
        if len(tied) < len(group):
            marks |= {(key, variant): BEST_MARK for variant in tied}
        for row in tests[tests["key"] == key].itertuples():
            other = row.b if row.a == best else row.a if row.b == best else None
            if other is not None and row.better == best and not math.isnan(row.level):
                marks[(key, other)] = MARKS[row.level]
    return marks


def comparison_table(
    records: pd.DataFrame, space: str | None = None, full: bool = True, level: float = 0.95
) -> pd.DataFrame:
    """Variant x key table of formatted cells with significance marks, for one dataset.

    Args:
        records: the records of one dataset (one run, or several runs of it).
        space: only the keys of this space (``features``, ``logits``, ``pixels``, ``models``); None: all.
        full: full cells (with the interval) or compact ones (module docstring).
        level: confidence level of the t interval.

    Returns:
        Index ``variant`` (``real`` first, then the variants in order of appearance), one column per key
        headed by :func:`column_header`, str cells (:func:`cell` plus the mark of
        :func:`significance_marks`); "" where a variant has no value of a key. Empty when nothing matches.
    """
    one_dataset(records)
    if space is not None:
        records = records[records["space"] == space]
    stats = summary(records, level)
    if stats.empty:
        return pd.DataFrame()
    marks = significance_marks(records)
    headers = [
        column_header(key, direction, target)
        for key, direction, target in zip(stats["key"], stats["direction"], stats["target"], strict=True)
    ]
    cells = [cell(row, marks.get((row["key"], row["variant"]), ""), full) for row in stats.to_dict("records")]
    long = stats.assign(column=headers, cell=cells)
    wide = long.pivot(index="variant", columns="column", values="cell")
    wide = wide.reindex(index=list(dict.fromkeys(long["variant"])), columns=list(dict.fromkeys(headers)))
    wide.index.name = "variant"
    wide.columns.name = None
    return wide.fillna("")


def training_columns(records: pd.DataFrame) -> pd.DataFrame:
    """Per variant: seeds run (and how many diverged), mean kimg and G steps achieved; ``real`` blank."""
    final = records["stage"].fillna("final") == "final"  # a checkpoint's kimg is not the unit's
    units = records[final & (records["variant"] != "real")].drop_duplicates(["run_id", "variant", "seed"])
    rows = {}
    for variant, group in units.groupby("variant", sort=False):
        diverged = int((group["status"] == "diverged").sum())
        rows[variant] = {
            "seeds": str(len(group)) + (f" ({diverged} diverged)" if diverged else ""),
            "kimg": f"{group['kimg'].mean():.1f}",
            "G steps": f"{group['g_steps'].mean():.0f}",
        }
    real = {"real": dict.fromkeys(TRAINING_COLUMNS, "")} if (records["variant"] == "real").any() else {}
    frame = pd.DataFrame.from_dict({**real, **rows}, orient="index", columns=list(TRAINING_COLUMNS))
    frame.index.name = "variant"
    return frame


def table(
    records: pd.DataFrame, space: str | None = None, training: bool = True, full: bool = True
) -> pd.DataFrame:
    """:func:`comparison_table`, with the :func:`training_columns` first when ``training`` (then every
    variant gets a row, diverged ones included)."""
    wide = comparison_table(records, space, full)
    if not training:
        return wide
    columns = training_columns(records)
    if wide.empty:
        return columns
    joined = columns.join(wide, how="outer").reindex(wide.index.union(columns.index, sort=False))
    joined.index.name = "variant"
    return joined.fillna("")


def rank_cells(records: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """:func:`ganbench.analysis.ranks.rank_table` with :func:`column_header` headers and str cells
    ("" where a variant lacks the key)."""
    one_dataset(records)
    long = ranks(records, level)
    if long.empty:
        return pd.DataFrame()
    headers = {
        key: column_header(key, d, t)
        for key, d, t in zip(long["key"], long["direction"], long["target"], strict=True)
    }
    long = long.assign(column=long["key"].map(headers), cell=long["rank"].astype(str))
    stats = summary(records, level)
    order = [v for v in dict.fromkeys(stats["variant"]) if v in set(long["variant"])]
    columns = [headers[key] for key in dict.fromkeys(stats["key"]) if key in headers]
    wide = long.pivot(index="variant", columns="column", values="cell").reindex(index=order, columns=columns)
    wide.index.name = "variant"
    wide.columns.name = None
    return wide.fillna("")
