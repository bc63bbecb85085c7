"""Tests for MIND, the Monge Inception Distance (Berthet et al., arXiv:2605.06797; torch-fidelity)."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.mind import mind
from ganbench.registry import METRICS


def _inputs(case: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(case)
    if case == 0:  # equal sizes
        real, fake = rng.standard_normal((300, 16)), rng.standard_normal((300, 16)) * 1.2 + 0.3
    elif case == 1:  # more generated rows than real ones
        real, fake = rng.standard_normal((200, 8)), rng.standard_normal((350, 8)) + 0.5
    else:  # more real rows
        real, fake = rng.standard_normal((400, 32)), rng.standard_normal((250, 32)) * 0.7
    return real.astype(np.float32), fake.astype(np.float32)


# Reference values: a scratch transcription (outside this repository) of mind_features_to_metric in
# torch_fidelity/metric_mind.py of github.com/toshas/torch-fidelity at commit 5e211a9 (the file is
# unchanged since a51aa64, "add Monge Inception Distance"), run on CPU on _inputs(case) with
# features_1 = fake, features_2 = real, mind_num_projections and rng_seed as below. torch-fidelity's
# PyPI release (0.4.0) has no MIND, so these are hard-coded. Ours agreed to 7e-8 relative (float32
# projections; our means are float64, theirs float32).
REFERENCE = [
    (0, 100, 2020, 7.995396137237549),
    (1, 64, 7, 5.799730181694031),
    (2, 128, 0, 10.403189420700073),
]


@pytest.mark.parametrize(("case", "projections", "seed", "expected"), REFERENCE)
def test_agrees_with_torch_fidelity(case: int, projections: int, seed: int, expected: float) -> None:
    real, fake = _inputs(case)
    assert mind(real=real, fake=fake, projections=projections, seed=seed)["mind"] == pytest.approx(
        expected, rel=1e-6
    )


def test_identical_sets_give_zero() -> None:
    real, _ = _inputs(0)
    assert mind(real=real, fake=real.copy())["mind"] == 0.0


@pytest.mark.parametrize("v", [0.5, -2.0])
def test_a_shift_in_one_dimension_gives_three_times_its_square(v: float) -> None:
    # in 1-D every unit direction is +-1, so each sorted difference is |v|: W2^2 = v^2, times alpha = 3 d = 3
    x = np.random.default_rng(3).standard_normal((500, 1))
    assert mind(real=x, fake=x + v, projections=8)["mind"] == pytest.approx(3 * v * v, rel=1e-6)


def test_an_isotropic_shift_gives_about_three_times_its_squared_norm() -> None:
    # E[(u.v)^2] = |v|^2 / d over unit directions, so MIND -> 3 |v|^2 (plus sampling noise of the sets)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2000, 8))
    v = np.full(8, 0.5)  # |v|^2 = 2
    assert mind(real=x, fake=x + v, projections=2000)["mind"] == pytest.approx(6.0, rel=0.1)


def test_symmetric_for_equal_sizes_and_monotone_in_the_shift() -> None:
    real, fake = _inputs(0)
    assert mind(real=real, fake=fake)["mind"] == pytest.approx(mind(real=fake, fake=real)["mind"], rel=1e-12)
    values = [mind(real=real, fake=real + s)["mind"] for s in (0.1, 0.3, 1.0)]
    assert values == sorted(values)


def test_deterministic_and_seeded() -> None:
    real, fake = _inputs(1)
    a = mind(real=real, fake=fake, seed=5)
    assert a == mind(real=real, fake=fake, seed=5)
    b = mind(real=real, fake=fake, seed=6)
    assert a != b and b["mind"] == pytest.approx(a["mind"], rel=0.3)


def test_float64_and_float32_inputs_agree() -> None:
    real, fake = _inputs(2)
    assert mind(real=real.astype(np.float64), fake=fake)["mind"] == pytest.approx(
        mind(real=real, fake=fake)["mind"], rel=1e-12
    )


def test_bad_inputs() -> None:
    real, fake = _inputs(0)
    with pytest.raises(ValueError, match="same number of columns"):
        mind(real=real, fake=fake[:, :8])
    with pytest.raises(ValueError, match="NaN"):
        mind(real=np.where(real > 2, np.nan, real), fake=fake)
    with pytest.raises(ValueError, match="2-D"):
        mind(real=real[0], fake=fake)
    with pytest.raises(ValueError, match="projections"):
        mind(real=real, fake=fake, projections=0)
    with pytest.raises(ValueError, match="seed"):
        mind(real=real, fake=fake, seed=-1)


def test_registered_with_its_parameters() -> None:
    spec = METRICS["mind"]
    assert spec.space == "features" and spec.directions == {"mind": "lower"}
    assert spec.defaults == {"projections": 1000, "seed": 2020}
    real, fake = _inputs(0)
    with pytest.raises(TypeError):
        spec(real, fake)  # type: ignore[misc]
