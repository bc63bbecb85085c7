"""The trials of a random search: hyperparameter settings drawn from a variant's search space.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4)
draw the settings of every model by random search (100 per model and data set in their study),
train each to the same budget and compare the scores' distributions. A trial here is one such
draw: for each setting, in sorted name order, one uniform quantile u in [0, 1) mapped through its
distribution (``.at(u)``, :mod:`ganbench.variants.search_space`).

The draws are deterministic: a numpy Generator seeded from (``seed``, the CRC-32 of the variant's
name), so adding a variant to a sweep leaves every other variant's trials unchanged, and a trial's
settings do not depend on how many trials are drawn (T + 1 trials start with the same T).
"""

from __future__ import annotations

import zlib

import numpy as np

from ganbench.numerics import checks
from ganbench.variants.configure import INTEGER_SETTINGS
from ganbench.variants.search_space import SearchSpace


def variant_stream(seed: int, variant_name: str) -> np.random.Generator:
    """The random stream of ``variant_name``'s trials under ``seed``: independent of other variants."""
    return np.random.default_rng([checks.check_seed(seed), zlib.crc32(variant_name.encode("utf-8"))])


def draw_trials(
    space: SearchSpace, trials: int, seed: int, variant_name: str
) -> list[dict[str, float | int]]:
    """``trials`` settings drawn at random from ``space`` for the variant ``variant_name``.

    Args:
        space: setting name -> distribution (:func:`ganbench.variants.space_file.space_for`).
        trials: how many to draw, >= 1.
        seed: the sweep's seed, an integer in [0, 2**32).
        variant_name: the variant's name as written (``dcgan:hinge``), which seeds its own stream.

    Returns:
        One dict per trial, setting name -> value, names sorted: ``critic_steps`` and
        ``latent_dim`` as ``int``, every other value as the ``float`` its distribution gave
        (nothing rounded).

    Raises:
        ValueError: ``trials`` or ``seed`` out of range, an empty space (nothing to search), or an
            integer setting drawn as a non-integral value.
    """
    trials = checks.positive_int("trials", trials)
    if not space:
        raise ValueError(f"variant {variant_name}: its search space is empty, so there is nothing to draw")
    names = sorted(space)
    rng = variant_stream(seed, variant_name)
    out = []
    for _ in range(trials):
        quantiles = rng.random(len(names))
        trial: dict[str, float | int] = {}
        for name, u in zip(names, quantiles, strict=True):
            value = space[name].at(float(u))
            trial[name] = checks.integer(name, value) if name in INTEGER_SETTINGS else float(value)
        out.append(trial)
    return out
