"""Tests for the Parzen-window log-likelihood (Goodfellow et al. 2014, arXiv:1406.2661)."""

from __future__ import annotations

import warnings
from collections.abc import Callable

import numpy as np
import pytest
import torch
from helpers import bootstrap_replicates
from scipy.special import logsumexp

import ganbench.metrics.parzen_ll as parzen_module
from ganbench.metrics.parzen_ll import parzen_log_density
from ganbench.registry import METRICS

# a three-component Gaussian mixture in D = 3, well inside [0, 1]^3
_MEANS = np.array([[0.3, 0.3, 0.35], [0.7, 0.6, 0.4], [0.45, 0.7, 0.7]])
_WEIGHTS = np.array([0.5, 0.3, 0.2])
_STD = 0.06
_D = 3


def mixture(n: int, seed: int, shift: float = 0.0) -> np.ndarray:
    """Samples [n, 1, 1, 3] of the mixture (shifted by ``shift`` on every axis)."""
    rng = np.random.default_rng(seed)
    comp = rng.choice(len(_WEIGHTS), size=n, p=_WEIGHTS)
    x = _MEANS[comp] + _STD * rng.standard_normal((n, _D)) + shift
    # the nearest mean is 5 std from the border: clipping touches ~1e-6 of the mass
    return x.clip(0.0, 1.0).astype(np.float32).reshape(n, 1, 1, _D)


def true_log_density(x: np.ndarray) -> np.ndarray:
    flat = x.reshape(len(x), _D).astype(np.float64)
    d2 = ((flat[:, None, :] - _MEANS[None]) ** 2).sum(-1)
    return logsumexp(-d2 / (2 * _STD**2) + np.log(_WEIGHTS)[None], axis=1) - 0.5 * _D * np.log(
        2 * np.pi * _STD**2
    )


def split_rows(n: int, n_val: int = 1000, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The documented split of ``real``: a ``seed``-ed permutation, first min(n_val, n // 2) rows validate."""
    order = np.random.default_rng(seed).permutation(n)
    k = min(n_val, n // 2)
    return order[:k], order[k:]


def brute_force_parzen(x: np.ndarray, centres: np.ndarray, sigma: float) -> np.ndarray:
    """log p(x) [N] under Gaussian windows of width ``sigma`` on ``centres``, all pairs at once."""
    flat_x = x.reshape(len(x), -1).astype(np.float64)
    flat_c = centres.reshape(len(centres), -1).astype(np.float64)
    d2 = ((flat_x[:, None, :] - flat_c[None]) ** 2).sum(-1)
    d = flat_x.shape[1]
    return (
        logsumexp(-d2 / (2 * sigma**2), axis=1) - np.log(len(flat_c)) - 0.5 * d * np.log(2 * np.pi * sigma**2)
    )


def test_log_density_matches_brute_force_across_blocks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(parzen_module, "_ROWS", 7)  # force several row and column blocks
    monkeypatch.setattr(parzen_module, "_COLS", 11)
    rng = np.random.default_rng(0)
    x, c = rng.random((20, 5)), rng.random((50, 5))
    sigmas = [0.05, 0.2, 1.0]
    got = parzen_log_density(torch.from_numpy(x), torch.from_numpy(c), sigmas).numpy()
    d2 = ((x[:, None, :] - c[None]) ** 2).sum(-1)
    for k, s in enumerate(sigmas):
        want = logsumexp(-d2 / (2 * s**2), axis=1) - np.log(50) - 2.5 * np.log(2 * np.pi * s**2)
        np.testing.assert_allclose(got[:, k], want, rtol=1e-12, atol=1e-10)


def test_estimate_converges_to_true_log_likelihood() -> None:
    real = mixture(2000, seed=1)
    truth = true_log_density(real[split_rows(2000)[1]]).mean()  # the images it reports on
    errors = [
        abs(METRICS["parzen-ll"](real=real, fake=mixture(m, seed=3))["parzen_ll"] - truth)
        for m in (30, 300, 3000)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.1  # nats, from ~0.6 at M = 30


def test_same_distribution_beats_shifted() -> None:
    real = mixture(800, seed=1)
    values = [
        METRICS["parzen-ll"](real=real, fake=mixture(1000, seed=3, shift=s))["parzen_ll"]
        for s in (0.0, 0.03, 0.1)
    ]
    assert values[0] > values[1] > values[2]


def test_std_is_the_standard_error_and_seed_is_reproducible() -> None:
    real, fake = mixture(400, seed=1), mixture(600, seed=3)
    a = METRICS["parzen-ll"](real=real, fake=fake, n_val=100, seed=5)
    b = METRICS["parzen-ll"](real=real, fake=fake, n_val=100, seed=5)
    assert a == b
    assert METRICS["parzen-ll"](real=real, fake=fake, n_val=100, seed=6) != a
    assert set(a) == {"parzen_ll", "parzen_ll_std"}
    # with a fixed width nothing is chosen: the plain mean over all of real and its standard error
    fixed = METRICS["parzen-ll"](real=real, fake=fake, sigma_min=0.03, sigma_max=0.03, n_sigmas=1)
    ll = parzen_log_density(
        torch.from_numpy(real.reshape(400, -1)), torch.from_numpy(fake.reshape(600, -1)), [0.03]
    )[:, 0].numpy()
    assert fixed["parzen_ll"] == pytest.approx(ll.mean(), rel=1e-12)
    assert fixed["parzen_ll_std"] == pytest.approx(ll.std(ddof=1) / np.sqrt(400), rel=1e-9)


def test_warns_when_the_best_width_is_at_the_grid_end() -> None:
    real, fake = mixture(200, seed=1), mixture(200, seed=3)
    with pytest.warns(UserWarning, match="end of the grid"):
        METRICS["parzen-ll"](real=real, fake=fake, sigma_min=0.5, sigma_max=1.0, n_sigmas=3)


def test_width_is_chosen_on_held_out_data_so_copying_the_training_set_is_not_rewarded() -> None:
    """A generator that returns its training set. Choosing the width on training images (the old
    protocol) puts every validation point on a centre, so the smallest width, 0.01, wins and the
    value collapses; chosen on held-out images the width is interior and the value is the
    brute-force Parzen log-likelihood of the other held-out images."""
    train, real = mixture(300, seed=2), mixture(400, seed=1)
    fake = train.copy()
    grid = np.geomspace(0.01, 1.0, 21)
    on_train = [brute_force_parzen(train[:300], fake, s).mean() for s in grid]
    assert int(np.argmax(on_train)) == 0  # what the old protocol chose

    val, test = split_rows(400)
    k = int(np.argmax([brute_force_parzen(real[val], fake, s).mean() for s in grid]))
    assert 0 < k < len(grid) - 1
    want = brute_force_parzen(real[test], fake, grid[k])
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no "end of the grid" warning
        got = METRICS["parzen-ll"](real=real, fake=fake)
    assert got["parzen_ll"] == pytest.approx(want.mean(), rel=1e-10)
    assert got["parzen_ll_std"] == pytest.approx(want.std(ddof=1) / np.sqrt(len(test)), rel=1e-8)
    # 2.905 nats at the chosen width 0.0398, against -1.431 at the width the old protocol chose
    assert got["parzen_ll"] == pytest.approx(2.905, abs=1e-3)
    assert brute_force_parzen(real[test], fake, 0.01).mean() == pytest.approx(-1.431, abs=1e-3)


def test_one_pixel_case_by_hand() -> None:
    """Four one-pixel held-out images, two centres, widths 0.1 and 0.2 (seed 0 validates on two)."""
    real = np.array([0.1, 0.3, 0.5, 0.9], dtype=np.float32).reshape(4, 1, 1, 1)
    fake = np.array([0.2, 0.6], dtype=np.float32).reshape(2, 1, 1, 1)

    def log_p(x: float, s: float) -> float:
        kernels = [np.exp(-((x - c) ** 2) / (2 * s**2)) / np.sqrt(2 * np.pi * s**2) for c in (0.2, 0.6)]
        return float(np.log(np.mean(kernels)))

    val, test = split_rows(4)
    pixels = real.reshape(4).astype(np.float64)
    best = max((0.1, 0.2), key=lambda s: sum(log_p(pixels[i], s) for i in val))
    want = np.mean([log_p(pixels[i], best) for i in test])
    with pytest.warns(UserWarning, match="end of the grid"):  # a grid of two has no interior
        got = METRICS["parzen-ll"](real=real, fake=fake, sigma_min=0.1, sigma_max=0.2, n_sigmas=2)
    assert got["parzen_ll"] == pytest.approx(want, rel=1e-6)  # float32 pixels


def test_choosing_a_width_needs_three_held_out_images() -> None:
    two = mixture(2, seed=0)
    with pytest.raises(ValueError, match="at least 3 images"):
        METRICS["parzen-ll"](real=two, fake=two)
    assert np.isfinite(
        METRICS["parzen-ll"](real=two, fake=two, sigma_min=0.1, sigma_max=0.1, n_sigmas=1)["parzen_ll"]
    )


def test_needs_no_training_images() -> None:
    assert METRICS["parzen-ll"].extra_inputs == ()
    assert "held-out" in METRICS["parzen-ll"].notes


def test_bad_inputs_fail_with_a_message() -> None:
    good = mixture(10, seed=0)
    with pytest.raises(ValueError, match="divide uint8"):
        METRICS["parzen-ll"](real=(good * 255).astype(np.uint8), fake=good)
    with pytest.raises(ValueError, match="must lie in"):
        METRICS["parzen-ll"](real=good * 255, fake=good)
    with pytest.raises(ValueError, match="same"):
        METRICS["parzen-ll"](real=good, fake=good.reshape(10, 1, 3, 1))
    with pytest.raises(ValueError, match="sigma_min"):
        METRICS["parzen-ll"](real=good, fake=good, sigma_min=0.0)
    with pytest.raises(ValueError, match="sigma_max"):
        METRICS["parzen-ll"](real=good, fake=good, sigma_min=0.5, sigma_max=0.1)


@pytest.mark.slow
def test_ten_thousand_by_ten_thousand_mnist_sized_runs_in_bounded_memory(
    measure_in_fresh_process: Callable[..., dict],
) -> None:
    """10k real x 10k fake x 784 pixels: peak RSS stays far below the 800 MB of one full distance matrix."""
    res = measure_in_fresh_process(
        'METRICS["parzen-ll"](real=real, fake=fake, sigma_min=0.1, sigma_max=1.0, n_sigmas=5)'
    )
    assert np.isfinite(res["values"]["parzen_ll"])
    assert res["mb"] < 400  # float64 copies of both sets (2 x 63 MB) plus a few 16 MB blocks


def test_bootstrap_spread_is_the_standard_error_of_the_mean_log_likelihood() -> None:
    # a resample draws test images; the kernel centres and the width stay fixed
    real, fake = mixture(400, seed=1), mixture(600, seed=3)
    samples = METRICS["parzen-ll"].samples(real=real, fake=fake, n_val=100, seed=5)
    assert (samples.n_real, samples.n_fake) == (300, 0)  # the test part; the fakes are not resampled
    replicates = bootstrap_replicates(samples, "parzen_ll")
    assert replicates.std() == pytest.approx(samples.value()["parzen_ll_std"], rel=0.15)
