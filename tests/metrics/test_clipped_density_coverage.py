"""Tests for the ``clipped-density-coverage`` measure (Salvy, Bouchard et al. 2025, arXiv:2507.01761).

Reference values come from running the reference implementation, nicolassalvy/ClippedDensityCoverage
``ClippedDensityCoverage/metrics/Clipped_Density_Coverage.py`` (commit 9920dae; scikit-learn 1.9.1,
scipy 1.17.1), outside this repository on the inputs below: ``ClippedDensityCoverage(real, K=k)``,
then ``ClippedDensity(fake)``, ``ClippedCoverage(fake)`` and its ``f_coverage_values``.
"""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.clipped_density_coverage import (
    clipped_density_coverage,
    clipped_density_coverage_samples,
    coverage_calibration,
    expected_raw_coverage,
)
from ganbench.numerics.shared_pass import Needs, sharing
from ganbench.registry import METRICS

# gaussian_pair() below: rng = default_rng(11), real [120, 8] N(0, 1), fake [100, 8] N(0.3, 1.2²).
REF_GAUSS = {
    5: {"clipped_density": 0.6364864864864864, "clipped_coverage": 0.6831683168316832},
    3: {"clipped_density": 0.6520231213872832, "clipped_coverage": 0.7128712871287128},
}
# The reference's f_coverage_values[50] for K = 5, N = 120, M = 100.
REF_F_50 = 0.4033485376269931


def gaussian_pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(11)
    return rng.standard_normal((120, 8)), rng.standard_normal((100, 8)) * 1.2 + 0.3


def integer_pair() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(5)
    real = rng.integers(-3, 4, size=(40, 3)).astype(np.float64)
    fake = rng.integers(-4, 5, size=(30, 3)).astype(np.float64)
    return real, fake


@pytest.mark.parametrize("k", [5, 3])
def test_agrees_with_the_reference_on_gaussian_features(k: int) -> None:
    real, fake = gaussian_pair()
    assert clipped_density_coverage(real=real, fake=fake, k=k) == pytest.approx(REF_GAUSS[k], rel=1e-12)


def test_calibration_curve_agrees_with_the_reference() -> None:
    assert expected_raw_coverage(50, k=5, n_real=120) == pytest.approx(REF_F_50, rel=1e-11)
    assert expected_raw_coverage(4, k=5, n_real=120) == 0.0  # the reference's zeros below k
    # k = 1: f(m) = P(some of m points in a ball of mass Beta(1, N - 1)) = 1 - (N - 1) / (N - 1 + m)
    for m in range(1, 8):
        assert expected_raw_coverage(m, k=1, n_real=5) == pytest.approx(1 - 4 / (4 + m), rel=1e-12)


def test_hand_computed_1d_case_with_ties() -> None:
    # real 0, 1, 2, 4, 8, k = 1: radii 1, 1, 1, 2, 4; median 1, so every clipped radius is 1.
    # Real scores (other clipped balls holding each, inclusive): 0 in B1; 1 in B0, B2; 2 in B1;
    # 4 and 8 in none: 1, 1, 1, 0, 0 -> normaliser 0.6.
    # Generated 0, 20, 30, 3.5, 40: 0 in B0, B1 (capped at 1); 3.5 in B3 (0.5 <= 1): mean 0.4.
    # clipped density = 0.4 / 0.6 = 2/3.
    # Coverage, unclipped strict balls: B0 = (-1, 1) holds 0; B1 = (0, 2) does not (0 is on its
    # sphere); B3 = (2, 6) holds 3.5; B4 = (4, 12) does not (4.5 away): raw 2/5 = 0.4.
    # f(m) = 1 - 4 / (4 + m): 0, 0.2, 1/3, 0.43, 0.5, 0.56 for m = 0..5; three below 0.4: 3/6.
    real = np.array([[0.0], [1.0], [2.0], [4.0], [8.0]])
    fake = np.array([[0.0], [20.0], [30.0], [3.5], [40.0]])
    out = clipped_density_coverage(real=real, fake=fake, k=1)
    assert out["clipped_density"] == pytest.approx(2 / 3, rel=1e-12)
    assert out["clipped_coverage"] == pytest.approx(0.5, abs=1e-12)
    assert coverage_calibration(0.4, k=1, n_real=5, n_fake=5) == pytest.approx(0.5, abs=1e-12)


def test_integer_features_with_ties() -> None:
    # The reference gives clipped coverage 0.7096774193548387 here, and so does ganbench. Its
    # clipped density is 0.670967741935484 = 0.52 / 0.775; ganbench's is 0.58 / 0.805, the two
    # documented tie rules: (1) generated points exactly at the largest clipped radius (sqrt(6))
    # are dropped by the reference's ball-tree preselection although its test is `<=`; a brute
    # `<=` on the reference's own clipped radii gives 0.58, as ganbench does; (2) a real point
    # tied at exactly an unclipped k-th distance counts in that ball here (0.805), while the
    # reference keeps only k of the tied points in scikit-learn's order (0.775).
    real, fake = integer_pair()
    out = clipped_density_coverage(real=real, fake=fake, k=5)
    assert out["clipped_coverage"] == pytest.approx(0.7096774193548387, rel=1e-12)
    assert out["clipped_density"] == pytest.approx(0.58 / 0.805, rel=1e-12)
    # exact ties are decided alike in any row order and after a translation
    rng = np.random.default_rng(0)
    moved = clipped_density_coverage(
        real=real[rng.permutation(40)] + 1e6, fake=fake[rng.permutation(30)] + 1e6
    )
    assert moved == pytest.approx(out, rel=1e-12)
    as32 = clipped_density_coverage(real=real.astype(np.float32), fake=fake.astype(np.float32))
    assert as32 == pytest.approx(out, rel=1e-12)


def test_identical_sets_give_one() -> None:
    real, _ = gaussian_pair()
    assert clipped_density_coverage(real=real, fake=real.copy()) == {
        "clipped_density": 1.0,
        "clipped_coverage": 1.0,
    }


def test_resample_reduces_the_drawn_rows() -> None:
    real, fake = gaussian_pair()
    samples = clipped_density_coverage_samples(real=real, fake=fake)
    assert (samples.n_real, samples.n_fake) == (120, 100)
    value = samples.value()
    once = samples.reduce(np.arange(120), np.arange(100))
    assert once == pytest.approx(value, rel=1e-12)
    rng = np.random.default_rng(3)
    replicate = samples.reduce(rng.integers(0, 120, 120), rng.integers(0, 100, 100))
    assert 0.0 <= replicate["clipped_density"] <= 1.0 and 0.0 <= replicate["clipped_coverage"] <= 1.0


def test_shared_pass_gives_the_same_value() -> None:
    real, fake = gaussian_pair()
    alone = clipped_density_coverage(real=real, fake=fake)
    needs = Needs()
    needs.add(METRICS["clipped-density-coverage"].shared_needs({"k": 5}))  # type: ignore[misc]
    needs.add(METRICS["density-coverage"].shared_needs({"k": 5}))  # type: ignore[misc]
    with sharing(real, fake, needs):
        assert clipped_density_coverage(real=real, fake=fake) == alone


def test_deterministic() -> None:
    real, fake = gaussian_pair()
    assert clipped_density_coverage(real=real, fake=fake) == clipped_density_coverage(real=real, fake=fake)


def test_rejects_bad_input() -> None:
    real, fake = gaussian_pair()
    with pytest.raises(ValueError, match=r"real.*at least 6 rows"):
        clipped_density_coverage(real=real[:5], fake=fake)
    with pytest.raises(ValueError, match=r"fake.*at least 5 rows"):
        clipped_density_coverage(real=real, fake=fake[:4])
    with pytest.raises(ValueError, match="k must be"):
        clipped_density_coverage(real=real, fake=fake, k=0)
    with pytest.raises(ValueError, match="same number of columns"):
        clipped_density_coverage(real=real, fake=fake[:, :3])


def test_registry_entry() -> None:
    spec = METRICS["clipped-density-coverage"]
    assert spec.defaults == {"k": 5} and spec.interval == "per-sample"
    assert spec.directions == {"clipped_density": "higher", "clipped_coverage": "higher"}
    with pytest.raises(TypeError):
        clipped_density_coverage(*gaussian_pair())  # type: ignore[misc]
