"""Image retrieval (Wang, Zhang & van de Weijer 2016, arXiv:1612.00991): hand-built pools, known answers."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganbench.metrics.image_retrieval import distance_ratio, equal_pool_halves, image_retrieval
from ganbench.registry import METRICS


def column(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)[:, None]


def brute_force(real: np.ndarray, fake: np.ndarray, train: np.ndarray) -> dict[str, float]:
    """The three keys from full distance matrices (numpy), ties counted 1/2."""
    d_fake = np.sqrt(((real[:, None, :] - fake[None]) ** 2).sum(-1)).min(1)
    d_real = np.sqrt(((real[:, None, :] - train[None]) ** 2).sum(-1)).min(1)
    return {
        "image_retrieval_share": float(((d_fake < d_real) + 0.5 * (d_fake == d_real)).mean()),
        "image_retrieval_distance": float(d_fake.mean()),
        "image_retrieval_distance_ratio": float(d_fake.mean() / d_real.mean()),
    }


def test_hand_built_pool() -> None:
    """Queries 0, 10, 20, 30, 40. Nearest generated row: 1, 10.5, 20.5, 33, 42 (distances 1, .5, .5, 3, 2);
    nearest training row: 2, 11, 19, 30, 38 (distances 2, 1, 1, 0, 2). The generated row is nearer for
    the first three queries, the training row for the fourth, and the fifth is an exact tie (2 = 2):
    share (3 + 1/2) / 5 = 0.7, distance 7 / 5 = 1.4, ratio 1.4 / (6 / 5) = 7 / 6."""
    out = image_retrieval(
        real=column(0, 10, 20, 30, 40),
        fake=column(42, 1, 33, 10.5, 20.5),  # order does not matter
        train=column(2, 11, 19, 30, 38),
    )
    assert out == pytest.approx(
        {
            "image_retrieval_share": 0.7,
            "image_retrieval_distance": 1.4,
            "image_retrieval_distance_ratio": 7 / 6,
        },
        rel=1e-15,
    )


def test_generated_copies_of_the_training_rows_tie_on_every_query() -> None:
    """Each query's nearest generated row is a copy of its nearest training row: every query ties,
    share exactly 1/2, ratio exactly 1."""
    rng = np.random.default_rng(0)
    real, train = rng.normal(size=(200, 8)), rng.normal(size=(300, 8))
    out = image_retrieval(real=real, fake=train.copy(), train=train)
    assert out["image_retrieval_share"] == 0.5
    assert out["image_retrieval_distance_ratio"] == 1.0


def test_copies_of_the_queries_and_far_off_samples() -> None:
    rng = np.random.default_rng(1)
    real, train = rng.normal(size=(300, 8)), rng.normal(size=(300, 8))
    copies = image_retrieval(real=real, fake=real.copy(), train=train)
    assert copies == {
        "image_retrieval_share": 1.0,
        "image_retrieval_distance": 0.0,
        "image_retrieval_distance_ratio": 0.0,
    }
    far = image_retrieval(real=real, fake=rng.normal(size=(300, 8)) + 100.0, train=train)
    assert far["image_retrieval_share"] == 0.0
    assert far["image_retrieval_distance_ratio"] > 20.0


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_samples_of_the_real_distribution_give_one_half_and_ratio_one(seed: int) -> None:
    """All three sets from N(0, I) in 16-d, 1000 rows each: the pool halves are exchangeable, so the share
    is 1/2 up to its sampling spread (binomial sd 0.016 at 1000 queries; tolerance 0.06) and the ratio 1
    (tolerance 0.05)."""
    rng = np.random.default_rng(seed)
    real, fake, train = (rng.normal(size=(1000, 16)) for _ in range(3))
    out = image_retrieval(real=real, fake=fake, train=train)
    assert out["image_retrieval_share"] == pytest.approx(0.5, abs=0.06)
    assert out["image_retrieval_distance_ratio"] == pytest.approx(1.0, abs=0.05)


def test_agrees_with_brute_force_and_cuts_the_larger_pool_half() -> None:
    rng = np.random.default_rng(3)
    real = rng.normal(size=(120, 5))
    fake = rng.normal(size=(90, 5)) * 1.3
    train = rng.normal(size=(150, 5))
    out = image_retrieval(real=real, fake=fake, train=train, seed=4)
    pool_fake, pool_train = equal_pool_halves(fake, train, 4)
    assert pool_fake is fake and pool_train.shape == (90, 5)
    assert out == pytest.approx(brute_force(real, pool_fake, pool_train), rel=1e-12)
    # and a generated half larger than the training one is cut instead
    out = image_retrieval(real=real, fake=train, train=fake, seed=4)
    pool_fake, pool_train = equal_pool_halves(train, fake, 4)
    assert pool_fake.shape == (90, 5) and pool_train is fake
    assert out == pytest.approx(brute_force(real, pool_fake, pool_train), rel=1e-12)


def test_a_resample_reduces_the_drawn_queries() -> None:
    rng = np.random.default_rng(5)
    real, fake, train = rng.normal(size=(50, 4)), rng.normal(size=(60, 4)), rng.normal(size=(60, 4))
    samples = METRICS["image-retrieval"].samples(real=real, fake=fake, train=train)
    assert (samples.n_real, samples.n_fake) == (50, 0)
    rows = rng.integers(0, 50, 50)
    assert samples.reduce(rows, None) == pytest.approx(brute_force(real[rows], fake, train), rel=1e-12)


def test_distance_ratio_with_a_zero_denominator() -> None:
    assert distance_ratio(0.0, 0.0) == 1.0
    assert distance_ratio(0.5, 0.0) == math.inf
    assert distance_ratio(3.0, 2.0) == 1.5


def test_mismatched_widths_and_bad_seed_are_refused() -> None:
    x = np.zeros((5, 3))
    with pytest.raises(ValueError, match="same feature size"):
        image_retrieval(real=x, fake=x, train=np.zeros((5, 4)))
    with pytest.raises(ValueError, match="seed"):
        image_retrieval(real=x, fake=x, train=x, seed=-1)
