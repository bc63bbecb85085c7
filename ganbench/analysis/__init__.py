"""Analysis of records across seeds and runs: summaries, comparisons and ranks, as DataFrames."""

from ganbench.analysis.comparisons import COMPARISON_COLUMNS, compare, pairwise
from ganbench.analysis.summary import SUMMARY_COLUMNS, summary

__all__ = ["COMPARISON_COLUMNS", "SUMMARY_COLUMNS", "compare", "pairwise", "summary"]
