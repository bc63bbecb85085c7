"""Tests for ``alpha-beta`` (α-precision, β-recall) and ``authenticity`` (Alaa et al. 2022)."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.alpha_precision import alpha_beta, authenticity
from ganbench.registry import METRICS

# Reference values: a scratch transcription (kept outside the repository) of synthcity 0.2.12's
# AlphaPrecision.metrics(X, X_syn, emb_center=None) (synthcity/metrics/eval_statistical.py: its
# Delta_precision_alpha and Delta_coverage_beta, scikit-learn NearestNeighbors), and of the
# per-generated-row authenticity of compute_alpha_precision in holarissun/DOMIAS
# metrics/evaluation.py (commit 3361ed3361ed3c214916e8a1c2687c03f907a5cafc9076), with X the
# real set for both, run on the inputs of :func:`reference_inputs`.
# case: (alpha_precision, beta_recall, authenticity)
REFERENCE = {
    "shifted": (0.5173333333333333, 0.31600000000000006, 0.715),
    "narrow": (0.09966666666666657, 0.3483333333333333, 0.365),
    "mixed": (0.958551724137931, 0.7323333333333333, 0.265),
}
TOL = 1e-12  # the same comparisons on distances that differ in the last bits; the values are ratios


def reference_inputs(case: str) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(2022)
    real = rng.standard_normal((200, 8))
    if case == "shifted":
        fake = 1.2 * rng.standard_normal((200, 8)) + 0.3
    elif case == "narrow":
        fake = 0.5 * rng.standard_normal((200, 8))
    else:  # "mixed": half near-copies of real rows, half fresh samples
        near = real[:100] + 1e-3 * rng.standard_normal((100, 8))
        fake = np.concatenate([near, rng.standard_normal((100, 8))])
    return real, fake


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("case", sorted(REFERENCE))
def test_agrees_with_the_reference_transcription(case: str, dtype: type) -> None:
    real, fake = reference_inputs(case)
    real, fake = real.astype(dtype), fake.astype(dtype)
    precision, recall, authentic = REFERENCE[case]
    out = alpha_beta(real=real, fake=fake)
    assert out["alpha_precision"] == pytest.approx(precision, abs=TOL)
    assert out["beta_recall"] == pytest.approx(recall, abs=TOL)
    assert authenticity(real=real, fake=fake, train=real)["authenticity"] == pytest.approx(authentic, abs=TOL)


def test_hand_computed_one_dimensional_case() -> None:
    # Real -1, 1, -3, 3: centre 0, distances 1, 1, 3, 3; with two levels (alpha 0 and 1) the radii
    # are 1 and 3. Fake 0, 2.2, 5, -2.5: distances 0, 2.2, 5, 2.5, so P(0) = 1/4, P(1) = 3/4 and
    # alpha_precision = 1 - (1/4 + 1/4) / 1 = 0.5. Every real row's nearest fake (0, 0, -2.5, 2.2)
    # is within its nearest-real distance 2; their distances to the fake centre 1.175 are 1.175,
    # 1.175, 3.675, 1.025, whose quantiles are 1.025 and 3.675: R(0) = 1/4, R(1) = 1, so
    # beta_recall = 1 - 1/4 = 0.75.
    real = np.array([[-1.0], [1.0], [-3.0], [3.0]])
    fake = np.array([[0.0], [2.2], [5.0], [-2.5]])
    out = alpha_beta(real=real, fake=fake, alpha_levels=2)
    assert out["alpha_precision"] == pytest.approx(0.5, abs=1e-15)
    assert out["beta_recall"] == pytest.approx(0.75, abs=1e-15)


def test_hand_computed_authenticity() -> None:
    # Training rows 0, 1, 3: nearest-neighbour distances 1, 1, 2. Fake 0.5 lies 0.5 from training
    # row 0 (< 1), 3.5 lies 0.5 from 3 (< 2): both unauthentic; 10 lies 7 from 3 (> 2): authentic.
    train = np.array([[0.0], [1.0], [3.0]])
    fake = np.array([[0.5], [3.5], [10.0]])
    out = authenticity(real=train, fake=fake, train=train)
    assert out["authenticity"] == pytest.approx(1 / 3, abs=1e-15)


def test_copies_of_training_rows_are_not_authentic() -> None:
    rng = np.random.default_rng(0)
    train = rng.standard_normal((300, 16))
    real = rng.standard_normal((300, 16))
    assert authenticity(real=real, fake=train.copy(), train=train)["authenticity"] == 0.0
    assert authenticity(real=real, fake=train[rng.permutation(300)[:100]], train=train)["authenticity"] == 0.0
    far = train + 100.0
    assert authenticity(real=real, fake=far, train=train)["authenticity"] == 1.0


def test_far_disjoint_set_scores_zero() -> None:
    rng = np.random.default_rng(1)
    real = rng.standard_normal((300, 16))
    out = alpha_beta(real=real, fake=rng.standard_normal((250, 16)) + 100.0)
    assert out == {"alpha_precision": 0.0, "beta_recall": 0.0}


def test_copy_of_the_real_set_scores_near_one() -> None:
    rng = np.random.default_rng(2)
    real = rng.standard_normal((400, 16))
    copy = alpha_beta(real=real, fake=real.copy())
    fresh = alpha_beta(real=real, fake=rng.standard_normal((400, 16)))
    far = alpha_beta(real=real, fake=1.5 * rng.standard_normal((400, 16)) + 0.5)
    assert copy["alpha_precision"] > 0.98 and copy["beta_recall"] > 0.98
    for key in copy:
        assert copy[key] >= fresh[key] - 0.05 and fresh[key] > far[key] + 0.2


def test_row_order_and_unequal_sizes() -> None:
    rng = np.random.default_rng(3)
    real, fake = rng.standard_normal((300, 8)), rng.standard_normal((170, 8)) + 0.2
    out = alpha_beta(real=real, fake=fake)
    shuffled = alpha_beta(real=real[rng.permutation(300)], fake=fake[rng.permutation(170)])
    assert shuffled == pytest.approx(out, abs=1e-12)
    train = rng.standard_normal((90, 8))
    once = authenticity(real=real, fake=fake, train=train)
    again = authenticity(real=real, fake=fake[::-1].copy(), train=train[::-1].copy())
    assert once == again


def test_deterministic() -> None:
    real, fake = reference_inputs("shifted")
    assert alpha_beta(real=real, fake=fake) == alpha_beta(real=real, fake=fake)
    assert authenticity(real=real, fake=fake, train=real) == authenticity(real=real, fake=fake, train=real)


def test_rejects_bad_inputs() -> None:
    rng = np.random.default_rng(4)
    real, fake = rng.standard_normal((20, 4)), rng.standard_normal((20, 4))
    with pytest.raises(ValueError, match="same number of columns"):
        alpha_beta(real=real, fake=fake[:, :3])
    with pytest.raises(ValueError, match="at least 2 rows"):
        alpha_beta(real=real[:1], fake=fake)
    with pytest.raises(ValueError, match="alpha_levels must be an integer >= 2"):
        alpha_beta(real=real, fake=fake, alpha_levels=1)
    bad = fake.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        alpha_beta(real=real, fake=bad)
    with pytest.raises(ValueError, match="train needs at least 2 rows"):
        authenticity(real=real, fake=fake, train=real[:1])
    with pytest.raises(ValueError, match="same feature size"):
        authenticity(real=real, fake=fake, train=real[:, :3])


def test_registry_and_per_sample_reduction() -> None:
    real, fake = reference_inputs("narrow")
    spec = METRICS["alpha-beta"]
    assert spec.defaults == {"alpha_levels": 30}
    assert spec.directions == {"alpha_precision": "higher", "beta_recall": "higher"}
    samples = spec.samples(real=real, fake=fake)
    value = spec(real=real, fake=fake)
    assert samples.reduce(np.arange(200), np.arange(200)) == pytest.approx(value, abs=1e-15)
    drawn = samples.reduce(np.random.default_rng(0).integers(0, 200, 200), None)
    assert all(0.0 <= v <= 1.0 for v in drawn.values())
    auth = METRICS["authenticity"]
    assert auth.extra_inputs == ("train",) and auth.directions == {"authenticity": "higher"}
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
