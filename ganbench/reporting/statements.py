"""Pairwise comparisons in words, and the table of every test behind them.

Every number is taken from :func:`ganbench.analysis.comparisons.pairwise` (Welch's t and the
permutation test, Holm-corrected over every pair of variants on one key), so a reader can
recompute it from the records with pandas and scipy.
"""

from __future__ import annotations

import math

import pandas as pd

from ganbench.analysis.comparisons import pairwise
from ganbench.reporting.tables import format_number

#: How each direction reads in a sentence: "dcgan has lower fid than vanilla".
COMPARATIVES = {"lower": "lower", "higher": "higher"}


def format_p(p: float) -> str:
    """A p-value: three significant digits, ``<1e-4`` below that, ``n/a`` when no test was made."""
    if math.isnan(p):
        return "n/a"
    return "<1e-4" if p < 1e-4 else f"{p:.3g}"


def statement(row: pd.Series | dict, alpha: float = 0.05) -> str:
    """One Welch comparison row in words, the better variant first, e.g.

    ``dcgan has lower fid than vanilla (95.1 vs 107.4): diff -12.3, Welch p=0.003, Holm p=0.01,
    significant at 0.05``. ``diff`` is the better variant's mean minus the other's.
    """
    better = row["better"]
    if better is None or (isinstance(better, float) and math.isnan(better)):
        return (
            f"{row['a']} and {row['b']} have the same mean {row['key']} ({format_number(row['mean_a'])})"
            f"{_tests(row, alpha)}"
        )
    first, second = (row["a"], row["b"]) if better == row["a"] else (row["b"], row["a"])
    mean_first, mean_second = (
        (row["mean_a"], row["mean_b"]) if better == row["a"] else (row["mean_b"], row["mean_a"])
    )
    if row["direction"] == "target":
        relation = f"{row['key']} closer to {row['target']:g} than"
    else:
        relation = f"{COMPARATIVES.get(row['direction'], row['direction'])} {row['key']} than"
    return (
        f"{first} has {relation} {second} ({format_number(mean_first)} vs {format_number(mean_second)}):"
        f" diff {format_number(mean_first - mean_second, 3)}{_tests(row, alpha)}"
    )


def _tests(row: pd.Series | dict, alpha: float) -> str:
    if math.isnan(row["p_value"]):
        return f"; no test: {row['note']}"
    verdict = f"significant at {row['level']:g}" if row["p_holm"] < alpha else f"not significant at {alpha:g}"
    return f", Welch p{_equals(row['p_value'])}, Holm p{_equals(row['p_holm'])}, {verdict}"


def _equals(p: float) -> str:
    """``=0.003`` or ``<1e-4``: how a p-value follows its name."""
    text = format_p(p)
    return text if text.startswith("<") else f"={text}"


def significance_statements(records: pd.DataFrame, alpha: float = 0.05) -> tuple[list[str], list[str]]:
    """The Welch comparisons in words: (significant ones, the others), each in key then pair order.

    "Significant" means Holm-corrected p < ``alpha`` within the family of every pair of variants on
    one key; a row without a test (one seed, censored values, no spread) is among the others, with
    its reason.
    """
    tests = pairwise(records, tests=["welch"], alpha=alpha)
    significant = tests["significant"].fillna(False).astype(bool)
    return (
        [statement(row, alpha) for _, row in tests[significant].iterrows()],
        [statement(row, alpha) for _, row in tests[~significant].iterrows()],
    )


def all_tests_table(records: pd.DataFrame, alpha: float = 0.05) -> pd.DataFrame:
    """Every pair on every key, both tests side by side, as text: columns key, a, b, mean a, mean b,
    diff (a − b), better, Welch p, Welch Holm p, permutation p, permutation Holm p, note."""
    tests = pairwise(records, alpha=alpha)
    if tests.empty:
        return pd.DataFrame()
    index = ["dataset", "metric", "key", "a", "b"]
    welch = tests[tests["test"] == "welch"].set_index(index)
    permutation = tests[tests["test"] == "permutation"].set_index(index)
    notes = [
        "; ".join(dict.fromkeys(part for part in f"{w}; {p}".split("; ") if part))  # shared notes once
        for w, p in zip(welch["note"], permutation["note"], strict=True)
    ]
    return pd.DataFrame(
        {
            "key": welch.index.get_level_values("key"),
            "a": welch.index.get_level_values("a"),
            "b": welch.index.get_level_values("b"),
            "mean a": [format_number(v) for v in welch["mean_a"]],
            "mean b": [format_number(v) for v in welch["mean_b"]],
            "diff (a − b)": [format_number(v, 3) for v in welch["diff"]],
            "better": welch["better"].fillna("tie").to_numpy(),
            "Welch p": [format_p(p) for p in welch["p_value"]],
            "Welch Holm p": [format_p(p) for p in welch["p_holm"]],
            "permutation p": [format_p(p) for p in permutation["p_value"]],
            "permutation Holm p": [format_p(p) for p in permutation["p_holm"]],
            "note": notes,
        }
    )
