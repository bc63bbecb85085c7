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
        logits: float32 [N, K] from the extractor.
    """

    pixels: np.ndarray
    features: np.ndarray
    logits: np.ndarray

    def __len__(self) -> int:
        return int(self.pixels.shape[0])

    def space(self, name: str) -> np.ndarray:
        return getattr(self, name)

    def take(self, index: np.ndarray) -> FeatureSet:
        """The rows ``index`` of every space (used for bootstrap resamples)."""
        return FeatureSet(self.pixels[index], self.features[index], self.logits[index])


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
    return FeatureSet(pixels=uint8_to_pixels(images), features=outputs["features"], logits=outputs["logits"])
