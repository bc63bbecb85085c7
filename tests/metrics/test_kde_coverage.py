"""AdaGAN coverage (Tolstikhin et al. 2017, arXiv:1701.02386): a KDE by hand and against scikit-learn's
``KernelDensity`` (the authors' tool), a hand-computed 1-D coverage, and the two known answers: 0.95
for a generator of the real distribution, 0.95 times the covered share for one missing modes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy.special import logsumexp
from sklearn.neighbors import KernelDensity

from ganbench.metrics.kde_coverage import (
    BANDWIDTH_FACTORS,
    choose_bandwidth,
    coverage_threshold,
    kde_coverage,
    kde_log_density,
    median_heuristic,
)
from ganbench.registry import METRICS

CENTRES = 10.0 * np.random.default_rng(123).normal(size=(8, 8))


def mixture(n: int, seed: int, modes: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """n points of unit Gaussians around the first ``modes`` of 8 fixed centres in 8-d (about 40 apart), and
    the mode of each."""
    rng = np.random.default_rng(seed)
    labels = rng.choice(modes, size=n)
    return CENTRES[labels] + rng.normal(size=(n, 8)), labels


def column(*values: float) -> np.ndarray:
    return np.array(values, dtype=np.float64)[:, None]


def log_phi(z: float) -> float:
    return -0.5 * z * z - 0.5 * math.log(2 * math.pi)


def test_log_density_by_hand() -> None:
    """Centres 0 and 1, h = 1: p(0.5) = (phi(0.5) + phi(0.5)) / 2 = phi(0.5); with h = 2 each kernel is
    phi(z / 2) / 2, so p(0.5) = phi(0.25) / 2. Leave-one-out over centres 0, 1, 3: row 0 sees
    p = (phi(1) + phi(3)) / 2."""
    out = kde_log_density(column(0.5), column(0.0, 1.0), np.array([1.0, 2.0]))
    assert out[0, 0] == pytest.approx(log_phi(0.5), rel=1e-14)
    assert out[0, 1] == pytest.approx(log_phi(0.25) - math.log(2.0), rel=1e-14)
    loo = kde_log_density(column(0.0, 1.0, 3.0), column(0.0, 1.0, 3.0), np.array([1.0]), leave_one_out=True)
    expected = math.log((math.exp(log_phi(1.0)) + math.exp(log_phi(3.0))) / 2)
    assert loo[0, 0] == pytest.approx(expected, rel=1e-14)


def test_log_density_equals_brute_force_and_scikit_learns_kernel_density() -> None:
    """Against a full distance matrix and scipy's logsumexp at every width, and against scikit-learn 1.9.1
    ``KernelDensity(kernel="gaussian", bandwidth=h).score_samples`` (the authors' KDE) where it is exact:
    at h = 0.3, 16 of these 50 queries lie over 4 bandwidths from every centre and its kd-tree sum in
    linear space is off by up to 55 nats there (measured), so it is compared at h = 1 and 2.5 only."""
    rng = np.random.default_rng(0)
    centres, x = rng.normal(size=(300, 6)), rng.normal(size=(50, 6)) * 2.0
    widths = np.array([0.3, 1.0, 2.5])
    ours = kde_log_density(x, centres, widths)
    d2 = ((x[:, None, :] - centres[None]) ** 2).sum(-1)
    for k, h in enumerate(widths):
        brute = logsumexp(-d2 / (2 * h * h), axis=1) - math.log(300) - 3 * math.log(2 * math.pi * h * h)
        np.testing.assert_allclose(ours[:, k], brute, rtol=1e-12)
    for k, h in enumerate(widths[1:], start=1):
        theirs = KernelDensity(kernel="gaussian", bandwidth=h).fit(centres).score_samples(x)
        np.testing.assert_allclose(ours[:, k], theirs, rtol=1e-10)


def test_log_density_in_blocks_with_far_points() -> None:
    """More rows and centres than one block, and a query 1000 bandwidths away (log-sum-exp, not exp)."""
    rng = np.random.default_rng(1)
    centres, x = rng.normal(size=(4100, 2)), np.concatenate([rng.normal(size=(600, 2)), [[1000.0, 0.0]]])
    ours = kde_log_density(x, centres, np.array([1.0]))[:, 0]
    theirs = KernelDensity(kernel="gaussian", bandwidth=1.0).fit(centres).score_samples(x[:-1])
    np.testing.assert_allclose(ours[:-1], theirs, rtol=1e-10)
    # the far query: its nearest centre dominates, log p = -d^2 / 2 - log m - log(2 pi) up to 1e-6
    d2 = ((centres - x[-1]) ** 2).sum(1)
    nearest = -d2.min() / 2 - math.log(4100) - math.log(2 * math.pi)
    assert ours[-1] == pytest.approx(nearest, abs=1e-6)


def test_median_heuristic() -> None:
    assert median_heuristic(column(0.0, 3.0, 4.0, 10.0)) == 3.0  # consecutive gaps 3, 1, 6
    assert median_heuristic(column(0.0, 0.0, 0.0, 2.0)) == 2.0  # gaps 0, 0, 2: median 0, positive median 2
    assert median_heuristic(column(5.0, 5.0, 5.0)) == 1.0


def test_chosen_bandwidth_maximises_the_leave_one_out_likelihood() -> None:
    """Brute force: for each width of the grid, refit scikit-learn's KDE without each row in turn."""
    fit, _ = mixture(40, seed=3)
    grid = median_heuristic(fit) * BANDWIDTH_FACTORS
    loo = [
        np.mean(
            [
                KernelDensity(bandwidth=h).fit(np.delete(fit, i, axis=0)).score_samples(fit[i : i + 1])[0]
                for i in range(len(fit))
            ]
        )
        for h in grid
    ]
    assert choose_bandwidth(fit) == grid[int(np.argmax(loo))]


def test_threshold_keeps_floor_of_level_times_n_above() -> None:
    values = np.arange(500.0)[::-1].copy()
    assert coverage_threshold(values, 0.95) == 24.0  # 475 of the values 0 .. 499 lie above 24
    assert coverage_threshold(np.arange(20.0), 0.95) == 0.0  # 19 of 20 above the smallest
    assert coverage_threshold(np.arange(3.0), 0.1) == 2.0  # floor(0.3) = 0 above: the largest


def test_hand_computed_one_dimensional_coverage() -> None:
    """The seeded permutation puts 0 and 1 in the fitting half and 0.5 and 3 in the calibration half;
    h = 1, level 1/2: t is the smaller calibration log-density, log p(3). p is symmetric about 0.5 and
    falls away from it, so x is covered iff |x - 0.5| < 2.5: -1, 0.5 and 2.9 are, 3.1 and 10 are not: 3/5."""
    seed = 7
    order = np.random.default_rng(seed).permutation(4)
    fake = np.empty((4, 1))
    fake[order] = column(0.0, 1.0, 0.5, 3.0)  # fitting half order[:2], calibration half order[2:]
    out = kde_coverage(real=column(-1.0, 0.5, 2.9, 3.1, 10.0), fake=fake, level=0.5, bandwidth=1.0, seed=seed)
    assert out == {"kde_coverage": 0.6}


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a_sample_of_the_real_distribution_gives_the_level(seed: int) -> None:
    """2000 real and 2000 generated rows of one mixture: 0.95 up to the binomial spread of the real share
    (sd 0.005) and of the calibration quantile (1000 rows, sd 0.007); tolerance 0.03, 3.5 combined sd."""
    real, _ = mixture(2000, seed=10 + seed)
    fake, _ = mixture(2000, seed=20 + seed)
    assert kde_coverage(real=real, fake=fake, seed=seed)["kde_coverage"] == pytest.approx(0.95, abs=0.03)


@pytest.mark.parametrize("seed", [0, 1])
def test_missing_half_the_modes_covers_about_half_the_mass(seed: int) -> None:
    """The generator samples modes 0-3 of 8: the real rows of those modes are covered like fresh model
    samples (0.95 of them), the others, 40 sigma away, not at all: C = 0.95 x their share (about 1/2);
    tolerance 0.03."""
    real, labels = mixture(2000, seed=10 + seed)
    fake, _ = mixture(2000, seed=20 + seed, modes=4)
    expected = 0.95 * np.mean(labels < 4)
    assert kde_coverage(real=real, fake=fake, seed=seed)["kde_coverage"] == pytest.approx(expected, abs=0.03)


def test_copies_far_off_sets_and_collapsed_sets() -> None:
    real, _ = mixture(600, seed=1)
    # copies: the fitting half's rows score their own kernel, the calibration half's copies split at t
    copies = kde_coverage(real=real, fake=real.copy())["kde_coverage"]
    assert copies == pytest.approx(0.5 + 0.5 * 0.95, abs=2 / 600)
    assert kde_coverage(real=real, fake=real + 1000.0)["kde_coverage"] == 0.0
    collapsed = np.repeat(real[:1], 600, axis=0)  # one point: every row the same, h falls back to 1.0
    assert kde_coverage(real=real, fake=collapsed)["kde_coverage"] == 0.0


def test_resamples_recompute_the_threshold_from_the_calibration_rows() -> None:
    real, _ = mixture(300, seed=1)
    fake, _ = mixture(301, seed=2)
    samples = METRICS["kde-coverage"].samples(real=real, fake=fake)
    assert (samples.n_real, samples.n_fake) == (300, 150)  # 151 centres, 150 calibration rows
    one_row = np.zeros(150, dtype=np.int64)  # every draw the same calibration row: t is its log-density
    assert 0.0 <= samples.reduce(None, one_row)["kde_coverage"] <= 1.0
    assert samples.reduce(None, None) == samples.value()


@pytest.mark.parametrize(
    ("params", "match"),
    [
        ({"level": 1.0}, "level"),
        ({"level": 0.0}, "level"),
        ({"bandwidth": 0.0}, "bandwidth"),
        ({"seed": -1}, "seed"),
    ],
)
def test_bad_parameters_are_refused(params: dict, match: str) -> None:
    x, _ = mixture(20, seed=1)
    with pytest.raises(ValueError, match=match):
        kde_coverage(real=x, fake=x, **params)


def test_too_few_generated_rows_are_refused() -> None:
    x, _ = mixture(20, seed=1)
    with pytest.raises(ValueError, match="fake needs at least 4 rows"):
        kde_coverage(real=x, fake=x[:3])
