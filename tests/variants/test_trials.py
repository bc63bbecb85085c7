"""Random-search trials: reproducible, within their ranges, independent across variants."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganbench.registry import VARIANTS
from ganbench.variants.configure import configure
from ganbench.variants.search_space import ADAM_WIDE, PENALTY_WIDE, Choice, LogUniform, Uniform
from ganbench.variants.trials import draw_trials


def test_draws_are_reproducible_and_prefix_stable() -> None:
    first = draw_trials(PENALTY_WIDE, 20, seed=3, variant_name="wgan-gp")
    assert draw_trials(PENALTY_WIDE, 20, seed=3, variant_name="wgan-gp") == first
    assert draw_trials(PENALTY_WIDE, 21, seed=3, variant_name="wgan-gp")[:20] == first
    assert draw_trials(PENALTY_WIDE, 20, seed=4, variant_name="wgan-gp") != first
    assert draw_trials(PENALTY_WIDE, 20, seed=3, variant_name="dragan") != first
    assert all(list(trial) == sorted(PENALTY_WIDE) for trial in first)


def test_a_variants_draws_do_not_depend_on_the_other_variants() -> None:
    """Each variant has its own stream: what a sweep over (dcgan) draws for dcgan, a sweep over
    (wgan-gp, dcgan, lsgan) draws too, whatever the order."""
    alone = draw_trials(ADAM_WIDE, 5, seed=0, variant_name="dcgan")
    for name in ("wgan-gp", "lsgan"):
        draw_trials(ADAM_WIDE, 5, seed=0, variant_name=name)
    assert draw_trials(ADAM_WIDE, 5, seed=0, variant_name="dcgan") == alone


def test_draws_stay_in_bounds_with_the_right_types() -> None:
    trials = draw_trials(PENALTY_WIDE, 400, seed=0, variant_name="wgan-gp")
    for trial in trials:
        assert 1e-5 <= trial["lr"] <= 1e-2 and 1e-1 <= trial["penalty_weight"] <= 1e3
        assert 0.0 <= trial["beta1"] < 1.0 and 0.0 <= trial["beta2"] < 1.0
        assert trial["critic_steps"] in (1, 5) and type(trial["critic_steps"]) is int
        assert all(type(trial[name]) is float for name in ("lr", "beta1", "beta2", "penalty_weight"))
    assert {trial["critic_steps"] for trial in trials} == {1, 5}
    assert {type(t["latent_dim"]) for t in draw_trials({"latent_dim": Choice((32.0, 64))}, 9, 0, "x")} == {
        int
    }


def test_log_uniform_draws_spread_evenly_in_log_space() -> None:
    """Log-uniform on [1e-5, 1e-2]: each of the three decades gets about a third of the draws, and
    log10 has the uniform's mean (-3.5) and std (3 / sqrt 12); a uniform draw on the same range
    would put 90 % of them in the top decade."""
    values = np.array([t["lr"] for t in draw_trials({"lr": LogUniform(1e-5, 1e-2)}, 3000, 1, "dcgan")])
    logs = np.log10(values)
    assert logs.mean() == pytest.approx(-3.5, abs=0.05)
    assert logs.std() == pytest.approx(3 / math.sqrt(12), rel=0.05)
    decades = np.histogram(logs, bins=[-5, -4, -3, -2])[0] / len(values)
    assert np.allclose(decades, 1 / 3, atol=0.03)
    uniform = np.array([t["beta1"] for t in draw_trials({"beta1": Uniform(0.2, 0.6)}, 3000, 1, "dcgan")])
    assert uniform.mean() == pytest.approx(0.4, abs=0.01) and uniform.min() >= 0.2 and uniform.max() < 0.6


def test_nothing_is_rounded() -> None:
    trial = draw_trials({"lr": LogUniform(1e-5, 1e-2)}, 1, 0, "dcgan")[0]
    assert trial["lr"] != float(f"{trial['lr']:.6g}")


@pytest.mark.parametrize("name", VARIANTS.names())
def test_every_variants_declared_space_draws_trials_it_accepts(name: str) -> None:
    variant = VARIANTS[name]
    for trial in draw_trials(variant.search_space, 10, seed=0, variant_name=name):
        configured = configure(variant, trial)
        assert configured.name == name


@pytest.mark.parametrize(
    "space,trials,seed,says",
    [
        (ADAM_WIDE, 0, 0, "trials must be an integer >= 1"),
        (ADAM_WIDE, 2, -1, "seed must be an integer >= 0"),
        ({}, 2, 0, "search space is empty"),
        ({"critic_steps": Uniform(1.0, 5.0)}, 5, 0, "critic_steps must be an integer"),
    ],
)
def test_refusals(space: dict, trials: int, seed: int, says: str) -> None:
    with pytest.raises(ValueError, match=says):
        draw_trials(space, trials, seed, "dcgan")
