"""One feature pass per image set: every space a measure may read, computed once and cached on disk."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

from ganbench.evaluation import feature_cache
from ganbench.extractors import FeatureExtractor
from ganbench.images import uint8_to_pixels


@dataclass(frozen=True)
class FeatureSet:
    """Every space a metric may read, for one image set.

    Attributes:
        pixels: float32 [N, C, H, W] in [0, 1].
        features: float32 [N, D] from the extractor.
        logits: float32 [N, K] from the extractor, or None for an extractor without class logits
            (``pixels``, most self-supervised networks): measures in that space are then skipped.
    """

    pixels: np.ndarray
    features: np.ndarray
    logits: np.ndarray | None

    def __len__(self) -> int:
        return int(self.pixels.shape[0])

    def space(self, name: str) -> np.ndarray:
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"this feature set has no {name!r} space (the extractor does not produce it)")
        return value

    def has(self, name: str) -> bool:
        """Whether the space ``name`` exists for this set."""
        return getattr(self, name, None) is not None

    def take(self, index: np.ndarray) -> FeatureSet:
        """The rows ``index`` of every space (used for bootstrap resamples)."""
        logits = None if self.logits is None else self.logits[index]
        return FeatureSet(self.pixels[index], self.features[index], logits)


def extract(
    extractor: FeatureExtractor,
    images: torch.Tensor,
    *,
    desc: str,
    progress: bool = True,
    cache_dir: Path | None = None,
) -> FeatureSet:
    """One feature pass: uint8 images [N, C, H, W] -> :class:`FeatureSet`.

    With ``cache_dir``, outputs are read from / written to the feature cache under a key of the
    extractor identity, the images' content and their count.
    """
    outputs = None
    if cache_dir is not None:
        key = feature_cache.cache_key(extractor.identity, images)
        outputs = feature_cache.load(cache_dir, key)
    if outputs is None:
        outputs = extractor(images, desc=desc, progress=progress)
        if cache_dir is not None:
            feature_cache.save(cache_dir, key, outputs)
    return FeatureSet(
        pixels=uint8_to_pixels(images), features=outputs["features"], logits=outputs.get("logits")
    )
