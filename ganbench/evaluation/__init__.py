"""Measuring generated sets: one feature pass per image set (cached), the measure loop, bootstrap."""

from ganbench.evaluation.features import FeatureSet, extract
from ganbench.evaluation.scoring import Score, metric_params, score, score_run

__all__ = ["FeatureSet", "Score", "extract", "metric_params", "score", "score_run"]
