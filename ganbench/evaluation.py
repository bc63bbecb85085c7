"""Score one image set against another with a list of metrics, from one feature pass per set."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.extractors import FeatureExtractor, images_to_pixels
from ganbench.metrics import MetricSpec
from ganbench.registry import METRICS


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


def extract(
    extractor: FeatureExtractor, images: torch.Tensor, *, desc: str, progress: bool = True
) -> FeatureSet:
    """One feature pass: uint8 images [N, C, H, W] -> :class:`FeatureSet`."""
    out = extractor(images, desc=desc, progress=progress)
    return FeatureSet(pixels=images_to_pixels(images), features=out["features"], logits=out["logits"])


@dataclass(frozen=True)
class Score:
    """One scalar a metric produced, with what is needed to record it."""

    metric: str
    key: str
    value: float
    std: float | None
    direction: str
    target: float | None
    space: str
    params: dict[str, Any]


def metric_params(spec: MetricSpec, n_real: int, n_fake: int, seed: int) -> dict[str, Any]:
    """The parameters a metric runs with: its defaults, the run's metric seed, and any
    ``subset_size`` capped at the set sizes (so small smoke runs work and the record says so)."""
    params = dict(spec.defaults)
    if "seed" in params:
        params["seed"] = seed
    if "subset_size" in params:
        params["subset_size"] = min(int(params["subset_size"]), n_real, n_fake)
    return params


def score(
    metrics: list[str],
    *,
    real: FeatureSet,
    fake: FeatureSet,
    train: FeatureSet,
    class_prior: np.ndarray,
    seed: int = 0,
    artifact_dir: Path | None = None,
    on_error: Callable[[str, Exception], None] | None = None,
) -> list[Score]:
    """Run each metric on ``real`` vs ``fake``; ``train`` and ``class_prior`` feed metrics that ask,
    and metrics that take ``artifact_dir`` write their images for a person to check there.

    A metric that raises is reported through ``on_error`` (default: a line on stderr) and
    skipped, so one failing metric never loses the others' values.
    """
    scores: list[Score] = []
    for name in metrics:
        spec: MetricSpec = METRICS[name]
        params = metric_params(spec, len(real), len(fake), seed)
        extras: dict[str, Any] = {}
        for extra in spec.extra_inputs:
            extras[extra] = train.space(spec.space) if extra == "train" else class_prior
        if "artifact_dir" in spec.runtime:
            extras["artifact_dir"] = artifact_dir
        try:
            values = spec(real=real.space(spec.space), fake=fake.space(spec.space), **extras, **params)
        except Exception as err:  # reported, never silently dropped
            if on_error is None:
                print(f"error: metric {name} failed: {err}", file=sys.stderr)
            else:
                on_error(name, err)
            continue
        for key, direction in spec.directions.items():
            if key not in values:
                continue
            target = float(direction) if not isinstance(direction, str) else None
            scores.append(
                Score(
                    metric=name,
                    key=key,
                    value=values[key],
                    std=values.get(f"{key}_std"),
                    direction="target" if target is not None else str(direction),
                    target=target,
                    space=spec.space,
                    params=params,
                )
            )
    return scores
