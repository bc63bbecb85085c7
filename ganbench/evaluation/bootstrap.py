"""Bootstrap percentile intervals for any set measure: resample both sets, recompute, take quantiles."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from tqdm.auto import tqdm

from ganbench.evaluation.features import FeatureSet


def bootstrap_intervals(
    compute: Callable[[FeatureSet, FeatureSet], dict[str, float]],
    real: FeatureSet,
    fake: FeatureSet,
    replicates: int,
    seed: int,
    name: str,
    progress: bool,
) -> dict[str, tuple[float, float]]:
    """2.5 / 97.5 percentile interval of every key over ``replicates`` resamples of both sets.

    Each replicate draws len(real) real and len(fake) generated rows with replacement from
    ``numpy.random.default_rng([seed, 0xB007])``. Resampling with replacement puts duplicate
    points in a set, which shrinks k-NN radii: read the intervals of k-NN measures as indicative.
    """
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
