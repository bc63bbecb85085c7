"""Analysis of records across seeds and runs: summaries, comparisons and ranks, as DataFrames."""

from ganbench.analysis.summary import SUMMARY_COLUMNS, summary

__all__ = ["SUMMARY_COLUMNS", "summary"]
