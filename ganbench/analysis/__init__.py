"""Analysis of records across seeds and runs: summaries, comparisons and ranks, as DataFrames."""

from ganbench.analysis.comparisons import COMPARISON_COLUMNS, compare, pairwise
from ganbench.analysis.feature_spaces import by_feature_space, extractors_of
from ganbench.analysis.protocol import PROTOCOL_FIELDS, ProtocolMismatchError, check_one_protocol
from ganbench.analysis.ranks import RANK_COLUMNS, rank_table, ranks
from ganbench.analysis.summary import SUMMARY_COLUMNS, summary

__all__ = [
    "COMPARISON_COLUMNS",
    "PROTOCOL_FIELDS",
    "RANK_COLUMNS",
    "SUMMARY_COLUMNS",
    "ProtocolMismatchError",
    "by_feature_space",
    "check_one_protocol",
    "compare",
    "extractors_of",
    "pairwise",
    "rank_table",
    "ranks",
    "summary",
]
