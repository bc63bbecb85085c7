"""Tests for the Parzen-window log-likelihood (Goodfellow et al. 2014, arXiv:1406.2661)."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest
import torch
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
    real, val = mixture(1000, seed=1), mixture(500, seed=2)
    truth = true_log_density(real).mean()
    errors = [
        abs(METRICS["parzen-ll"](real=real, fake=mixture(m, seed=3), train=val)["parzen_ll"] - truth)
        for m in (30, 300, 3000)
    ]
    assert errors[0] > errors[1] > errors[2]
    assert errors[2] < 0.1  # nats, from ~0.6 at M = 30


def test_same_distribution_beats_shifted() -> None:
    real, val = mixture(500, seed=1), mixture(300, seed=2)
    values = [
        METRICS["parzen-ll"](real=real, fake=mixture(1000, seed=3, shift=s), train=val)["parzen_ll"]
        for s in (0.0, 0.03, 0.1)
    ]
    assert values[0] > values[1] > values[2]


def test_std_is_the_standard_error_and_seed_is_reproducible() -> None:
    real, fake, val = mixture(400, seed=1), mixture(600, seed=3), mixture(300, seed=2)
    a = METRICS["parzen-ll"](real=real, fake=fake, train=val, n_val=100, seed=5)
    b = METRICS["parzen-ll"](real=real, fake=fake, train=val, n_val=100, seed=5)
    assert a == b
    assert set(a) == {"parzen_ll", "parzen_ll_std"}
    # with a fixed width the value is the plain mean and its standard error
    fixed = METRICS["parzen-ll"](real=real, fake=fake, train=val, sigma_min=0.03, sigma_max=0.03, n_sigmas=1)
    ll = parzen_log_density(
        torch.from_numpy(real.reshape(400, -1)), torch.from_numpy(fake.reshape(600, -1)), [0.03]
    )[:, 0].numpy()
    assert fixed["parzen_ll"] == pytest.approx(ll.mean(), rel=1e-12)
    assert fixed["parzen_ll_std"] == pytest.approx(ll.std(ddof=1) / np.sqrt(400), rel=1e-9)


def test_warns_when_the_best_width_is_at_the_grid_end() -> None:
    real, fake, val = mixture(100, seed=1), mixture(200, seed=3), mixture(100, seed=2)
    with pytest.warns(UserWarning, match="end of the grid"):
        METRICS["parzen-ll"](real=real, fake=fake, train=val, sigma_min=0.5, sigma_max=1.0, n_sigmas=3)


def test_bad_inputs_fail_with_a_message() -> None:
    good = mixture(10, seed=0)
    with pytest.raises(ValueError, match="divide uint8"):
        METRICS["parzen-ll"](real=(good * 255).astype(np.uint8), fake=good, train=good)
    with pytest.raises(ValueError, match="must lie in"):
        METRICS["parzen-ll"](real=good * 255, fake=good, train=good)
    with pytest.raises(ValueError, match="same"):
        METRICS["parzen-ll"](real=good, fake=good.reshape(10, 1, 3, 1), train=good)
    with pytest.raises(ValueError, match="sigma"):
        METRICS["parzen-ll"](real=good, fake=good, train=good, sigma_min=0.0)


@pytest.mark.slow
def test_ten_thousand_by_ten_thousand_mnist_sized_runs_in_bounded_memory(
    measure_in_fresh_process: Callable[..., dict],
) -> None:
    """10k real x 10k fake x 784 pixels: peak RSS stays far below the 800 MB of one full distance matrix."""
    res = measure_in_fresh_process(
        'METRICS["parzen-ll"](real=real, fake=fake, train=real[:2000],'
        " sigma_min=0.1, sigma_max=1.0, n_sigmas=5)"
    )
    assert np.isfinite(res["values"]["parzen_ll"])
    assert res["mb"] < 400  # float64 copies of both sets (2 x 63 MB) plus a few 16 MB blocks
