"""Records of several feature spaces, kept apart.

One evaluation may measure the same sets in several feature spaces (``ganbench evaluate
--extractor inception-v3,dinov2-vit-l-14``). A measure's value depends on the space: a Fréchet
distance on DINOv2 ViT-L/14 features is on another scale than Inception's FID (Stein et al. 2023,
"Exposing flaws of generative model evaluation metrics and their unfair treatment of diffusion
models", arXiv:2306.04675), so values of different spaces never share a table, a rank or a test.
:func:`by_feature_space` cuts a records frame into one frame per extractor; every summary, table
and figure is then made per frame (:func:`ganbench.analysis.summary.summary` refuses a cell that
mixes extractors, :mod:`ganbench.analysis.protocol`).
"""

from __future__ import annotations

import pandas as pd

#: The record spaces whose values come from an extractor (its features or its class posteriors).
EXTRACTOR_SPACES: tuple[str, ...] = ("features", "logits")


def extractors_of(records: pd.DataFrame) -> list[str]:
    """The extractors of the records' feature and class-posterior values, in order of appearance."""
    if records.empty or "extractor" not in records.columns:
        return []
    rows = records[records["space"].isin(EXTRACTOR_SPACES)]
    return list(dict.fromkeys(rows["extractor"].dropna().astype(str)))


def by_feature_space(records: pd.DataFrame) -> list[tuple[str | None, pd.DataFrame]]:
    """``records`` cut into one frame per extractor: ``[(extractor, frame), ...]`` in order of appearance.

    With at most one extractor, the one pair ``(extractor or None, records)``. With several, the
    first extractor's frame also holds every record that no extractor made (pixel-space and model
    measures, training rows: an evaluation computes those once, with its first extractor); each
    other frame holds only that extractor's feature and class-posterior records.
    """
    names = extractors_of(records)
    if len(names) <= 1:
        return [(names[0] if names else None, records)]
    extractor = records["extractor"].astype("string")
    own_space = records["space"].isin(EXTRACTOR_SPACES)
    groups = []
    for i, name in enumerate(names):
        mine = (extractor == name).fillna(False) & own_space
        if i == 0:
            mine |= ~own_space
        groups.append((name, records[mine.to_numpy(dtype=bool)]))
    return groups
