"""Reference statistics ahead of time: ``ganbench stats``.

Computes the real set's features once, exactly as ``ganbench evaluate`` selects and feeds them
(same SPEC, subset rule, seed and extractor), into the feature cache, so every later
``evaluate`` against that set costs only the fake set's feature pass. Beside the features it
writes the Gaussian statistics FID reads (mean [D] and covariance [D, D], float64) with the
protocol they were measured under, as a plain ``.npz`` other tools can read
(``np.load(path)``: numbers and one JSON string, never a pickle).

The cache key covers the whole protocol: the extractor's identity (name, weights hash, input
size, resize, channels, weights file digest) and the exact images (shape and bytes), so a
different resize, weights file, subset or split is a different entry.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ganbench.atomic_files import replacing
from ganbench.datasets import default_cache_dir
from ganbench.evaluation import extract, feature_cache
from ganbench.evaluation.feature_cache import cache_key
from ganbench.numerics.gaussian import mean_and_covariance
from ganbench.studies.evaluate import (
    EvaluateConfig,
    EvaluateError,
    _dataset_for,
    _load,
    check_evaluate,
)

Log = Callable[[str], None]


@dataclass(frozen=True)
class ReferenceStats:
    """What ``ganbench stats`` made.

    Attributes:
        features_path: the feature-cache entry (features [N, D], logits [N, K] when the extractor
            has them) that ``evaluate`` reads.
        stats_path: ``mean`` [D], ``covariance`` [D, D] (float64), ``n`` and ``protocol`` (JSON).
        n, dim: images and feature dimension.
        seconds: wall time of the feature pass (near 0 when the entry already existed).
        cached: the features were already in the cache.
        protocol: extractor identity, real source and content hash.
    """

    features_path: Path
    stats_path: Path
    n: int
    dim: int
    seconds: float
    cached: bool
    protocol: dict[str, object]


def reference_stats(
    real: str,
    *,
    extractor: str = "domain-classifier",
    weights: str | None = None,
    force_weights: bool = False,
    n: int | None = None,
    seed: int = 0,
    real_range: str | None = None,
    array_key: str | None = None,
    dataset: str | None = None,
    device: str = "auto",
    progress: bool = True,
    log: Log = print,
) -> ReferenceStats:
    """Features and Gaussian statistics of the real set ``real`` (a SPEC as in ``evaluate``), cached.

    Raises:
        EvaluateError: the SPEC, the extractor or its weights cannot be used (nothing computed).
    """
    from ganbench.extractors.resolve import resolve_extractor
    from ganbench.runtime import resolve_device

    config = EvaluateConfig(
        real=real,
        fakes=(),
        metrics=("fid",),
        extractor=extractor,
        weights=weights,
        force_weights=force_weights,
        dataset=dataset,
        n_real=n,
        seed=seed,
        real_range=real_range,
        real_key=array_key,
        device=device,
    )
    checked = check_evaluate(config, default_cache_dir(), needs_fake=False)
    if len(checked.extractors) > 1:
        message = "stats caches one feature space at a time: run it once per extractor"
        raise EvaluateError("--extractor", message)
    torch_device = resolve_device(device)
    loaded = _load(checked.real, "--real", n=n, seed=seed, device=torch_device, progress=progress)[0]
    model = resolve_extractor(
        extractor,
        _dataset_for(checked, loaded, log),
        device=torch_device,
        progress=progress,
        weights=weights,
        force_weights=force_weights,
    )
    cache_dir = default_cache_dir() / "features"
    key = cache_key(model.identity, loaded.images)
    cached = feature_cache.load(cache_dir, key) is not None
    start = time.perf_counter()
    features = extract(
        model, loaded.images, desc="features: reference", progress=progress, cache_dir=cache_dir
    )
    seconds = time.perf_counter() - start
    mean, covariance = mean_and_covariance(features.features, cache=False)
    protocol: dict[str, object] = {
        **model.identity.as_dict(),
        "real_source": loaded.source,
        "real_sha256": loaded.sha256,
        "n": len(loaded.images),
        "stats_dtype": "float64",
    }
    stats_dir = default_cache_dir() / "stats"
    stats_path = stats_dir / f"{key}.npz"
    with replacing(stats_path, suffix=".npz") as temporary:
        n = np.int64(len(loaded.images))
        np.savez(temporary, mean=mean, covariance=covariance, n=n, protocol=json.dumps(protocol))
    return ReferenceStats(
        features_path=cache_dir / f"{key}.npz",
        stats_path=stats_path,
        n=len(loaded.images),
        dim=int(features.features.shape[1]),
        seconds=seconds,
        cached=cached,
        protocol=protocol,
    )


def load_reference_stats(path: str | Path) -> tuple[np.ndarray, np.ndarray, dict[str, object]]:
    """Mean [D], covariance [D, D] and protocol from a stats file, without unpickling anything."""
    with np.load(path, allow_pickle=False) as data:
        return data["mean"], data["covariance"], json.loads(str(data["protocol"]))
