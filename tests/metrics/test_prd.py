"""PRD (Sajjadi et al. 2018, arXiv:1806.00035): the curve, its F-scores and the measure on features.

Reference values come from running ``prd_score.py`` of github.com/msmsajjadi/precision-recall-distributions
(commit df840ad; numpy 2.4, scikit-learn 1.9.1) on the inputs written here: ``compute_prd`` and
``prd_to_max_f_beta_pair`` on the histograms, ``compute_prd_from_embedding(fake, real)`` after
``np.random.seed(0)`` on the mixtures (its MiniBatchKMeans takes no seed). Max F_1 is its
``_prd_to_f_beta(precision, recall, 1)`` maximised over the curve.
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
import pytest

from ganbench.metrics.prd import max_f_beta, prd, prd_curve, prd_slopes
from ganbench.registry import METRICS

#: (generated histogram q, real histogram p) -> reference (F_8, F_1/8, max F_1) with 1001 angles.
REFERENCE_HISTOGRAMS = [
    ([0.1] * 10 + [0.0] * 10, [0.05] * 20, (0.503863187265047, 0.9848288753231104, 0.6663747604379776)),
    (
        [0.4, 0.3, 0.2, 0.1, 0.0],
        [0.1, 0.2, 0.3, 0.2, 0.2],
        (0.787863100408397, 0.9557915013942144, 0.5999999999519783),
    ),
    ([0.0, 1.0], [1.0, 0.0], (0.0, 0.0, 0.0)),
]

#: Reference curve of the second pair at angles 0, 250, 500, 750, 1000 (of 1001): precision, recall.
REFERENCE_CURVE = (
    [8.000000000000001e-11, 0.33137084994533894, 0.6, 0.8414213562031673, 0.9999999999999999],
    [0.8, 0.8, 0.6000000000000001, 0.34852813745900424, 1.0000006950637705e-10],
)

CENTRES = 10.0 * np.random.default_rng(123).normal(size=(20, 16))


def mixture(n: int, seed: int, modes: int = 20) -> np.ndarray:
    """n points of unit Gaussians around the first ``modes`` of 20 fixed centres in 16-d (about 40 apart)."""
    rng = np.random.default_rng(seed)
    return CENTRES[rng.choice(modes, size=n)] + rng.normal(size=(n, 16))


@pytest.mark.parametrize(("q", "p", "expected"), REFERENCE_HISTOGRAMS)
def test_f_scores_of_histograms_equal_the_reference(q: list, p: list, expected: tuple) -> None:
    precision, recall = prd_curve(np.array(q), np.array(p), prd_slopes(1001))
    got = (
        max_f_beta(precision, recall, 8.0),
        max_f_beta(precision, recall, 1 / 8),
        max_f_beta(precision, recall, 1.0),
    )
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-15)


def test_curve_equals_the_reference_curve() -> None:
    precision, recall = prd_curve(
        np.array([0.4, 0.3, 0.2, 0.1, 0.0]), np.array([0.1, 0.2, 0.3, 0.2, 0.2]), prd_slopes(1001)
    )
    idx = [0, 250, 500, 750, 1000]
    assert precision[idx] == pytest.approx(REFERENCE_CURVE[0], rel=1e-12, abs=1e-20)
    assert recall[idx] == pytest.approx(REFERENCE_CURVE[1], rel=1e-12, abs=1e-20)


def test_the_reference_test_suite_cases() -> None:
    """compare_gan's prd_score_test.py: low precision / high recall and the reverse, 11 angles."""
    slopes = prd_slopes(11)
    precision, recall = prd_curve(np.array([0.5, 0.5]), np.array([1.0, 0.0]), slopes)
    assert (precision[5], recall[5], precision[10], recall[1]) == pytest.approx(
        (0.5, 0.5, 0.5, 1.0), abs=1e-7
    )
    precision, recall = prd_curve(np.array([1.0, 0.0]), np.array([0.5, 0.5]), slopes)
    assert (precision[5], recall[5], recall[1], precision[10]) == pytest.approx(
        (0.5, 0.5, 0.5, 1.0), abs=1e-7
    )


def test_half_the_clusters_by_hand() -> None:
    """q covers 10 of 20 equal clusters evenly: alpha = min(lambda/2, 1), beta = min(1/2, 1/lambda); the
    F-scores peak at lambda = 2 (alpha = 1, beta = 1/2): F_8 = 65 * 0.5 / 64.5, F_1/8 = 65/66, F_1 = 2/3.
    The 1001-angle grid misses lambda = 2 by less than 0.002 in angle, hence the tolerance."""
    precision, recall = prd_curve(np.r_[np.full(10, 0.1), np.zeros(10)], np.full(20, 0.05), prd_slopes(1001))
    assert max_f_beta(precision, recall, 8.0) == pytest.approx(32.5 / 64.5, abs=1e-3)
    assert max_f_beta(precision, recall, 1 / 8) == pytest.approx(65 / 66, abs=1e-3)
    assert max_f_beta(precision, recall, 1.0) == pytest.approx(2 / 3, abs=1e-3)


def test_identical_sets_give_one() -> None:
    x = mixture(400, seed=1)
    out = prd(real=x, fake=x.copy(), num_runs=2)
    assert out == pytest.approx({"prd_f8": 1.0, "prd_f1_8": 1.0, "prd_f1": 1.0}, abs=1e-9)


def test_embedding_agrees_with_the_reference() -> None:
    """The 20 modes are 40 apart, so every run finds them: ours equals the reference's values (which are
    also the values of the true mode histograms) to rounding."""
    real = mixture(1000, seed=1)
    half = prd(real=real, fake=mixture(1000, seed=2, modes=10))
    same = prd(real=real, fake=mixture(1000, seed=3))
    expected_half = {
        "prd_f8": 0.5116655121312932,
        "prd_f1_8": 0.9708595689704866,
        "prd_f1": 0.6241394306610152,
    }
    expected_same = {
        "prd_f8": 0.9927235093698854,
        "prd_f1_8": 0.9951180314417618,
        "prd_f1": 0.9245089530294072,
    }
    assert half == pytest.approx(expected_half, abs=1e-9)
    assert same == pytest.approx(expected_same, abs=1e-9)


def test_dropping_modes_lowers_f8_and_adding_foreign_mass_lowers_f1_8() -> None:
    real = mixture(600, seed=1)
    same = prd(real=real, fake=mixture(600, seed=2), num_runs=3)
    dropped = prd(real=real, fake=mixture(600, seed=2, modes=10), num_runs=3)  # recall 1/2
    # the reverse: real data on 10 modes, half the generated mass on 10 modes it does not have
    spread = prd(real=mixture(600, seed=1, modes=10), fake=mixture(600, seed=2), num_runs=3)  # precision 1/2
    assert same["prd_f8"] > 0.95 and same["prd_f1_8"] > 0.95
    assert dropped["prd_f8"] < 0.6 < 0.95 < dropped["prd_f1_8"]
    assert spread["prd_f1_8"] < 0.6 < 0.95 < spread["prd_f8"]


def test_curve_is_written_and_gives_the_values(tmp_path: Path) -> None:
    real, fake = mixture(300, seed=1), mixture(300, seed=2, modes=10)
    out = prd(real=real, fake=fake, num_runs=2, artifact_dir=tmp_path)
    with (tmp_path / "prd_curve.csv").open() as handle:
        rows = list(csv.reader(handle))
    assert rows[0] == ["slope", "precision", "recall"]
    curve = np.array(rows[1:], dtype=np.float64)
    assert curve.shape == (1001, 3)
    assert np.all(np.diff(curve[:, 0]) > 0)
    assert max_f_beta(curve[:, 1], curve[:, 2], 8.0) == pytest.approx(out["prd_f8"], rel=1e-12)
    assert max_f_beta(curve[:, 1], curve[:, 2], 1 / 8) == pytest.approx(out["prd_f1_8"], rel=1e-12)


def test_unequal_sizes_are_cut_to_the_smaller_with_the_seed() -> None:
    real, fake = mixture(300, seed=1), mixture(450, seed=2)
    samples = METRICS["prd"].samples(real=real, fake=fake, num_runs=2, seed=3)
    assert (samples.n_real, samples.n_fake) == (300, 300)
    assert prd(real=real, fake=fake, num_runs=2, seed=3) == prd(real=real, fake=fake, num_runs=2, seed=3)


@pytest.mark.parametrize(
    ("params", "match"),
    [({"num_clusters": 1}, "num_clusters"), ({"num_angles": 2}, "num_angles"), ({"num_runs": 0}, "num_runs")],
)
def test_bad_parameters_are_refused(params: dict, match: str) -> None:
    x = mixture(100, seed=1)
    with pytest.raises(ValueError, match=match):
        prd(real=x, fake=x, **params)


def test_too_few_rows_are_refused() -> None:
    with pytest.raises(ValueError, match="rows"):
        prd(real=mixture(10, seed=1), fake=mixture(100, seed=2))
