"""CMMD: the reference's values, the unbiased variant computed directly, tiling, resamples, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ganbench.metrics import cmmd as cmmd_module
from ganbench.metrics.cmmd import cmmd, cmmd_samples
from ganbench.numerics.kernels import mmd2_unbiased
from ganbench.numerics.resampling import row_counts

#: Float64 sums of the same kernel values, tiled differently: they agree to rounding.
REL = 1e-10


def sine_sets() -> tuple[np.ndarray, np.ndarray]:
    """Deterministic 6 x 4 sets, no RNG:
    x_ij = 4 sin(1.3 i + 0.7 j + 0.1), y_ij = 4 cos(0.9 i + 1.1 j) + 1."""
    i, j = np.arange(6)[:, None], np.arange(4)[None, :]
    return 4 * np.sin(1.3 * i + 0.7 * j + 0.1), 4 * np.cos(0.9 * i + 1.1 * j) + 1


def kernel(a: np.ndarray, b: np.ndarray, sigma: float) -> np.ndarray:
    """exp(−‖a_i − b_j‖² / (2σ²)) from explicit differences: [len(a), len(b)]."""
    d2 = ((a[:, None, :] - b[None, :, :]) ** 2).sum(axis=2)
    return np.exp(-d2 / (2 * sigma**2))


def direct(
    x: np.ndarray, y: np.ndarray, sigma: float = 10.0, scale: float = 1000.0, unbiased: bool = False
) -> float:
    """CMMD from the full kernel matrices (the textbook formulas, for small sets)."""
    k_xx, k_yy, k_xy = kernel(x, x, sigma), kernel(y, y, sigma), kernel(x, y, sigma)
    if unbiased:
        return scale * mmd2_unbiased(k_xx, k_xy, k_yy)
    return scale * (k_xx.mean() + k_yy.mean() - 2 * k_xy.mean())


def test_agrees_with_the_reference_transcription() -> None:
    """Expected values: a numpy float64 transcription of ``mmd`` in google-research/google-research
    ``cmmd/distance.py`` (commit 4c4299485319ed72ef782020c81784be5468924e; ``_SIGMA`` and ``_SCALE``
    made arguments), run on :func:`sine_sets` (x as its first argument). Its float32 run gives
    17.42673 for the first case."""
    x, y = sine_sets()
    assert cmmd(real=x, fake=y)["cmmd"] == pytest.approx(17.426767111634156, rel=REL)
    assert cmmd(real=x, fake=y[:5])["cmmd"] == pytest.approx(37.59196193787795, rel=REL)
    assert cmmd(real=x, fake=y, sigma=3, scale=1)["cmmd"] == pytest.approx(0.17056584631376492, rel=REL)


def test_symmetric_in_the_two_sets() -> None:
    x, y = sine_sets()
    assert cmmd(real=y, fake=x)["cmmd"] == pytest.approx(cmmd(real=x, fake=y)["cmmd"], rel=REL)


def test_unbiased_agrees_with_the_u_statistic_and_differs_from_biased_as_stated() -> None:
    rng = np.random.default_rng(0)
    x, y = 3 * rng.standard_normal((40, 5)), 3 * rng.standard_normal((30, 5)) + 1
    unbiased = cmmd(real=x, fake=y, estimator="unbiased")["cmmd"]
    biased = cmmd(real=x, fake=y)["cmmd"]
    assert unbiased == pytest.approx(direct(x, y, unbiased=True), rel=REL)
    assert biased == pytest.approx(direct(x, y), rel=REL)

    def mean_off_diagonal(z: np.ndarray) -> float:
        k = kernel(z, z, 10.0)
        return (k.sum() - np.trace(k)) / (len(z) * (len(z) - 1))

    gap = 1000 * ((1 - mean_off_diagonal(x)) / 40 + (1 - mean_off_diagonal(y)) / 30)
    assert biased - unbiased == pytest.approx(gap, rel=1e-8)


@pytest.mark.parametrize("estimator", ["biased", "unbiased"])
def test_tiles_give_the_value_of_the_whole_matrices(monkeypatch: pytest.MonkeyPatch, estimator: str) -> None:
    """With 7-row tiles, 45 and 38 rows span several tiles, the last ones short, off-diagonal and
    diagonal tiles of the self passes alike."""
    monkeypatch.setattr(cmmd_module, "_TILE", 7)
    rng = np.random.default_rng(1)
    x, y = 4 * rng.standard_normal((45, 6)), 4 * rng.standard_normal((38, 6)) + 0.5
    expected = direct(x, y, sigma=5.0, scale=1.0, unbiased=estimator == "unbiased")
    assert cmmd(real=x, fake=y, sigma=5.0, scale=1.0, estimator=estimator)["cmmd"] == pytest.approx(
        expected, rel=REL
    )


def test_identical_sets_score_zero_to_rounding() -> None:
    """Biased: 0 in exact arithmetic; the within and cross sums come from different tiles, so
    |value| <= 1e-12 · scale here. Unbiased: below 0 (a set's cross pairs include each row with itself)."""
    x = 2 * np.random.default_rng(2).standard_normal((300, 16))
    assert abs(cmmd(real=x, fake=x.copy())["cmmd"]) <= 1e-12 * 1000
    assert cmmd(real=x, fake=x.copy(), estimator="unbiased")["cmmd"] < 0


def test_a_shift_raises_the_value() -> None:
    rng = np.random.default_rng(3)
    x = rng.standard_normal((200, 8))
    values = [cmmd(real=x, fake=rng.standard_normal((200, 8)) + s)["cmmd"] for s in (0.0, 1.0, 3.0)]
    assert values[0] < values[1] < values[2]


def test_float32_input_is_widened_without_changing_its_rows_values() -> None:
    rng = np.random.default_rng(4)
    x, y = rng.standard_normal((100, 32)).astype(np.float32), rng.standard_normal((90, 32)).astype(np.float32)
    assert cmmd(real=x, fake=y)["cmmd"] == pytest.approx(
        cmmd(real=x.astype(np.float64), fake=y.astype(np.float64))["cmmd"], rel=1e-12
    )


def test_deterministic() -> None:
    x, y = sine_sets()
    assert cmmd(real=x, fake=y) == cmmd(real=x, fake=y)


def test_a_resample_weights_rows_by_their_draws() -> None:
    """Biased: the V-statistic of the resampled (duplicated) rows, as recomputing gives. Unbiased:
    the U-statistic with a row's copies not counted as pairs (``mmd2_unbiased`` with multiplicities)."""
    rng = np.random.default_rng(5)
    x, y = 3 * rng.standard_normal((25, 4)), 3 * rng.standard_normal((20, 4)) + 1
    real_rows, fake_rows = rng.integers(0, 25, 25), rng.integers(0, 20, 20)
    biased = cmmd_samples(real=x, fake=y).reduce(real_rows, fake_rows)["cmmd"]
    assert biased == pytest.approx(direct(x[real_rows], y[fake_rows]), rel=REL)
    unbiased = cmmd_samples(real=x, fake=y, estimator="unbiased").reduce(real_rows, fake_rows)["cmmd"]
    k = {"xx": kernel(x, x, 10.0), "xy": kernel(x, y, 10.0), "yy": kernel(y, y, 10.0)}
    weighted = mmd2_unbiased(k["xx"], k["xy"], k["yy"], row_counts(real_rows, 25), row_counts(fake_rows, 20))
    assert unbiased == pytest.approx(1000 * weighted, rel=REL)


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"sigma": 0.0}, r"sigma must be > 0"),
        ({"sigma": math.nan}, r"sigma must be a finite number"),
        ({"scale": -1.0}, r"scale must be > 0"),
        ({"estimator": "minimum-variance"}, r"estimator must be one of \('biased', 'unbiased'\)"),
    ],
)
def test_bad_parameters_are_refused(params: dict, message: str) -> None:
    x, y = sine_sets()
    with pytest.raises(ValueError, match=message):
        cmmd(real=x, fake=y, **params)


def test_bad_inputs_are_refused() -> None:
    x, y = sine_sets()
    with pytest.raises(ValueError, match="same number of columns"):
        cmmd(real=x, fake=y[:, :3])
    with pytest.raises(ValueError, match="NaN or infinite"):
        cmmd(real=x, fake=np.where(y > 3, np.inf, y))
    with pytest.raises(ValueError, match="fake needs at least 2 rows"):
        cmmd(real=x, fake=y[:1], estimator="unbiased")
    assert cmmd(real=x, fake=y[:1])["cmmd"] > 0  # the biased estimator takes a single row
    with pytest.raises(ValueError, match=r"must be a 2-D array"):
        cmmd(real=x, fake=y[0])
