"""Tests for ``wasserstein-critic`` (Arjovsky et al. 2017; WGAN-GP critic of Gulrajani et al. 2017).

The fast tests use 14 x 14 digits (2 x 2 average-pooled MNIST): the same convolutional critic with
one stride-2 layer fewer, a few seconds per value on two CPU cores.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from helpers import bootstrap_replicates

from ganbench.datasets import Dataset
from ganbench.metrics.wasserstein_critic import build_critic, wasserstein_critic
from ganbench.networks import ConvDiscriminator, MLPDiscriminator
from ganbench.registry import METRICS


@pytest.fixture(scope="module")
def digits28(mnist_5k: Dataset) -> np.ndarray:
    """400 real digits [400, 1, 28, 28] in [0, 1]."""
    return (mnist_5k.train.images[:400].float() / 255).numpy()


@pytest.fixture(scope="module")
def digits14(digits28: np.ndarray) -> np.ndarray:
    """The same digits at 14 x 14."""
    return F.avg_pool2d(torch.from_numpy(digits28), 2).numpy()


def noisy(x: np.ndarray, level: float, seed: int = 0) -> np.ndarray:
    """``x`` plus N(0, level²) pixel noise, clipped to [0, 1]."""
    rng = np.random.default_rng(seed)
    return np.clip(x + level * rng.standard_normal(x.shape), 0, 1).astype(np.float32)


def uniform_noise(like: np.ndarray, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).random(like.shape).astype(np.float32)


def test_is_registered_with_device_as_a_runtime_option() -> None:
    spec = METRICS["wasserstein-critic"]
    assert spec.space == "pixels" and spec.directions == {"wasserstein_critic": "lower"}
    assert spec.runtime == ("device",) and "device" not in spec.defaults
    assert spec.defaults["steps"] == 500 and "seed" in spec.defaults


def test_identical_distributions_score_near_zero_and_noise_far_away(digits14: np.ndarray) -> None:
    same = wasserstein_critic(real=digits14[:200], fake=digits14[200:], steps=60)
    far = wasserstein_critic(real=digits14[:200], fake=uniform_noise(digits14[200:]), steps=60)
    assert abs(same["wasserstein_critic"]) < 3 * same["wasserstein_critic_std"] + 0.05
    assert far["wasserstein_critic"] > 20 * max(
        abs(same["wasserstein_critic"]), same["wasserstein_critic_std"]
    )
    assert far["wasserstein_critic"] > 10 * far["wasserstein_critic_std"]


@pytest.mark.slow
def test_grows_with_the_noise_level(digits14: np.ndarray) -> None:
    real, base = digits14[:200], digits14[200:]
    values = [
        wasserstein_critic(real=real, fake=noisy(base, level), steps=100)["wasserstein_critic"]
        for level in (0.0, 0.2, 0.4, 0.8)
    ]
    assert values == sorted(values) and values[-1] > values[0] + 0.5


@pytest.mark.slow
def test_full_size_digits(digits28: np.ndarray) -> None:
    same = wasserstein_critic(real=digits28[:200], fake=digits28[200:], steps=100)
    far = wasserstein_critic(real=digits28[:200], fake=uniform_noise(digits28[200:]), steps=100)
    assert abs(same["wasserstein_critic"]) < 3 * same["wasserstein_critic_std"] + 0.05
    assert far["wasserstein_critic"] > 100 * abs(same["wasserstein_critic"])


def test_same_seed_same_value(digits14: np.ndarray) -> None:
    fake = noisy(digits14[200:], 0.3)
    a = wasserstein_critic(real=digits14[:200], fake=fake, steps=20, seed=7)
    b = METRICS["wasserstein-critic"](real=digits14[:200], fake=fake, steps=20, seed=7, device="cpu")
    c = wasserstein_critic(real=digits14[:200], fake=fake, steps=20, seed=8)
    assert a == b
    assert a != c


def test_critic_is_convolutional_where_the_size_allows() -> None:
    assert isinstance(build_critic(1, 28, 28, 64), ConvDiscriminator)
    assert isinstance(build_critic(3, 32, 32, 64), ConvDiscriminator)
    assert isinstance(build_critic(1, 5, 5, 64), MLPDiscriminator)
    assert isinstance(build_critic(3, 6, 4, 64), MLPDiscriminator)


@pytest.mark.parametrize("shape", [(40, 1, 5, 5), (40, 3, 6, 4)])
def test_mlp_critic_for_other_sizes(shape: tuple[int, ...]) -> None:
    real = np.random.default_rng(0).random(shape).astype(np.float32) * 0.5
    out = wasserstein_critic(real=real, fake=real + 0.5, steps=30)
    assert out["wasserstein_critic"] > 0 and np.isfinite(out["wasserstein_critic_std"])


def test_rejects_bad_input(digits14: np.ndarray) -> None:
    with pytest.raises(ValueError, match="at least 4"):
        wasserstein_critic(real=digits14[:3], fake=digits14[:10])
    with pytest.raises(ValueError, match="same"):
        wasserstein_critic(real=digits14[:10], fake=np.zeros((10, 1, 28, 28), np.float32))
    with pytest.raises(ValueError, match="steps"):
        wasserstein_critic(real=digits14[:10], fake=digits14[:10], steps=0)
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        wasserstein_critic(real=digits14[:10] * 255, fake=digits14[:10])


def test_bootstrap_spread_is_the_standard_error_of_the_score_difference(digits14: np.ndarray) -> None:
    # a resample draws test-half scores of the critic trained once
    samples = METRICS["wasserstein-critic"].samples(
        real=digits14[:200], fake=noisy(digits14[200:400], 0.3), steps=40, critic_width=16
    )
    assert (samples.n_real, samples.n_fake) == (100, 100)
    replicates = bootstrap_replicates(samples, "wasserstein_critic")
    assert replicates.std() == pytest.approx(samples.value()["wasserstein_critic_std"], rel=0.15)
