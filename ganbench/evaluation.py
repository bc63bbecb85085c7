"""Score one image set against another with a list of metrics, from one feature pass per set."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch
from tqdm.auto import tqdm

from ganbench import feature_cache
from ganbench.extractors import FeatureExtractor, images_to_pixels
from ganbench.metrics import MetricSpec
from ganbench.metrics._spec import GeneratorHandle
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
    return FeatureSet(pixels=images_to_pixels(images), features=outputs["features"], logits=outputs["logits"])


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
    ci_low: float | None = None
    ci_high: float | None = None


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
    generator: GeneratorHandle | None = None,
    seed: int = 0,
    bootstrap: int = 0,
    device: torch.device | str = "cpu",
    artifact_dir: Path | None = None,
    on_error: Callable[[str, Exception], None] | None = None,
    progress: bool = False,
) -> list[Score]:
    """Run each metric on ``real`` vs ``fake``.

    ``train``, ``class_prior`` and ``generator`` feed metrics that ask for them; a metric that
    needs a generator is skipped when there is none (the ``real`` reference row). Metrics
    that take the runtime keywords ``device`` / ``artifact_dir`` get them.

    With ``bootstrap`` = B > 0, each metric is also computed on B resamples (with replacement,
    seeded by ``seed``) of both sets, and every scalar gets the 2.5 / 97.5 percentile interval
    as ``ci_low`` / ``ci_high``. Resampling with replacement puts duplicate points in a set,
    which shrinks k-NN radii: read k-NN metrics' intervals as indicative.

    A metric that raises is reported through ``on_error`` (default: a line on stderr) and
    skipped, so one failing metric never loses the others' values.
    """
    scores: list[Score] = []
    for name in metrics:
        spec: MetricSpec = METRICS[name]
        if "generator" in spec.extra_inputs and generator is None:
            continue
        params = metric_params(spec, len(real), len(fake), seed)
        inputs: dict[str, Any] = {
            "train": train.space(spec.space),
            "class_prior": class_prior,
            "generator": generator,
        }
        runtime: dict[str, Any] = {"device": device, "artifact_dir": artifact_dir}
        extras = {k: inputs[k] for k in spec.extra_inputs} | {k: runtime[k] for k in spec.runtime}

        compute = functools.partial(_run_metric, spec, extras | params)

        try:
            values = compute(real, fake)
            intervals = _bootstrap(compute, real, fake, bootstrap, seed, name, progress) if bootstrap else {}
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
            low, high = intervals.get(key, (None, None))
            scores.append(
                Score(
                    metric=name,
                    key=key,
                    value=values[key],
                    std=values.get(f"{key}_std"),
                    direction="target" if target is not None else str(direction),
                    target=target,
                    space=spec.space,
                    params=params | ({"bootstrap": bootstrap} if bootstrap else {}),
                    ci_low=low,
                    ci_high=high,
                )
            )
    return scores


def _run_metric(
    spec: MetricSpec, keywords: dict[str, Any], real: FeatureSet, fake: FeatureSet
) -> dict[str, float]:
    return spec(real=real.space(spec.space), fake=fake.space(spec.space), **keywords)


def _bootstrap(
    compute: Callable[[FeatureSet, FeatureSet], dict[str, float]],
    real: FeatureSet,
    fake: FeatureSet,
    replicates: int,
    seed: int,
    name: str,
    progress: bool,
) -> dict[str, tuple[float, float]]:
    """Percentile intervals (2.5, 97.5) over ``replicates`` resamples of both sets."""
    rng = np.random.default_rng([seed, 0xB007])
    draws: dict[str, list[float]] = {}
    for _ in tqdm(
        range(replicates), desc=f"bootstrap {name}", disable=None if progress else True, leave=False
    ):
        r = real.take(rng.integers(0, len(real), len(real)))
        f = fake.take(rng.integers(0, len(fake), len(fake)))
        for key, value in compute(r, f).items():
            draws.setdefault(key, []).append(value)
    return {
        key: (float(np.nanpercentile(v, 2.5)), float(np.nanpercentile(v, 97.5))) for key, v in draws.items()
    }
