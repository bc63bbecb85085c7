"""The gate's close-name hints: :func:`ganbench.spelling.did_you_mean`, shared with the extractors."""

from ganbench.spelling import did_you_mean

__all__ = ["did_you_mean"]
