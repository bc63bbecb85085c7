"""Tests of the 15 sanity checks of Räisä, van Breugel & van der Schaar 2025 (arXiv:2505.22450).

Known answers:
- the names, titles and order are those of their harness (DPBayes/position-fidelity-diversity-
  metrics-flawed at f091234: ``Snakefile`` and ``aggregate_pass_fail_tables.py``);
- each check's data is checked against the distribution it is defined by (means, spreads, modes,
  supports, shares of integer values), with tolerances of about 5 standard errors;
- ``judge`` is checked on score series built by hand to meet (or clearly break) their criteria,
  for every check, role and case;
- a real run of ganbench's ``precision-recall`` and ``density-coverage`` on check 2 (both
  outlier cases, d = 8) and check 6 is compared with the verdicts their run published, criterion
  by criterion (the saved outputs of ``plotting/print_pass_fail_tables.ipynb`` in their repository
  at f091234, i.e. the tables ``results/pass-fail-tables/<check>.csv`` that
  ``aggregate_pass_fail_tables.py`` folds into their Tables 3 and 4), and with values the geometry
  fixes (precision 1 and density 1/k inside a real outlier's ball; Naeem et al. 2020's expected
  coverage). Their run: n = 1000, 10 repeats, every swept value, d = 1, 8, 64; ours: n = 1000,
  2-3 repeats, every 10th / 5th value (plus the points the criteria read), to stay within ~30 s.
"""

from __future__ import annotations

import functools
import math

import numpy as np
import pytest

from ganbench.registry import METRICS
from ganbench.validation.synthetic import (
    CHECKS_BY_NAME,
    DESIDERATA,
    INVENTION_MEANS,
    SYNTHETIC_CHECKS,
    SyntheticCheck,
    combine,
    standardise,
)

# Their Snakefile's order and keys, and their printed names (aggregate_pass_fail_tables.py).
THEIR_CHECKS = [
    ("gaussian-mean-difference", "Gaussian Mean Difference"),
    ("gaussian-mean-difference-with-outlier", "Gaussian Mean Difference + Outlier"),
    ("gaussian-std-difference", "Gaussian Std. Deviation Difference"),
    ("gaussian-mixture-simultaneous-mode-dropping", "Simultaneous Mode Dropping"),
    ("gaussian-mixture-sequential-mode-dropping", "Sequential Mode Dropping"),
    ("gaussian-mixture-mode-dropping-invention", "Mode Dropping + Invention"),
    ("uniform-hypersphere-surface", "Hypersphere Surface"),
    ("uniform-hypercube-varying-size", "Hypercube, Varying Sample Size"),
    ("uniform-hypercube-varying-syn-size", "Hypercube, Varying Syn. Size"),
    ("sphere-torus", "Sphere vs. Torus"),
    ("one-vs-two-modes", "Mode Collapse"),
    ("gaussian-scaling-one-dimension", "Scaling One Dimension"),
    ("gaussian-mean-difference-with-pareto", "Gaussian Mean Difference + Pareto"),
    ("gaussian-high-dim-one-disjoint-dim", "One Disjoint Dim. + Many Identical Dim."),
    ("discrete-numerical-vs-continuous-numerical", "Discrete Num. vs. Continuous Num."),
]

N = 1000


def _sub_cases(check: SyntheticCheck) -> list[tuple[int | None, str | None]]:
    return [(d, c) for d in check.dimensions for c in check.cases or (None,)]


def _ids(check: SyntheticCheck) -> str:
    return f"{check.number}-{check.name}"


def _se_mean(n: int, sd: float = 1.0) -> float:
    return sd / math.sqrt(n)


# ------------------------------------------------------------------ the list ---------------------


def test_fifteen_checks_in_their_order_with_their_names():
    assert [(c.name, c.title) for c in SYNTHETIC_CHECKS] == THEIR_CHECKS
    assert [c.number for c in SYNTHETIC_CHECKS] == list(range(1, 16))
    assert set(CHECKS_BY_NAME) == {name for name, _ in THEIR_CHECKS}


# Their criteria per check (check_pass_fails.py): (desideratum, criterion), in their order.
_MEAN = [("bounds", "identical"), ("bounds", "extreme negative"), ("bounds", "extreme positive")]
_DROP = [("bounds", "identical"), ("bounds", "fully_dropped_modes"), ("property", "shape")]
_EXTREMES = [("bounds", "left extreme value"), ("bounds", "right extreme value")]
THEIR_CRITERIA = {
    "gaussian-mean-difference": [*_MEAN, ("property", "bell shape")],
    "gaussian-mean-difference-with-outlier": [*_MEAN, ("property", "bell shape")],
    "gaussian-std-difference": [
        ("bounds", "identical"),
        ("bounds", "low syn. std."),
        ("bounds", "high syn. std."),
        ("property", "shape"),
    ],
    "gaussian-mixture-simultaneous-mode-dropping": _DROP,
    "gaussian-mixture-sequential-mode-dropping": _DROP,
    "gaussian-mixture-mode-dropping-invention": [
        ("bounds", "identical"),
        ("bounds", "most dropped modes"),
        ("bounds", "most invented modes"),
        ("property", "shape"),
    ],
    "uniform-hypersphere-surface": [
        ("bounds", "identical"),
        ("bounds", "small syn. radius"),
        ("bounds", "large syn. radius"),
        ("property", "shape"),
    ],
    "uniform-hypercube-varying-size": [("real_data_size", "shape"), ("property", "large size")],
    "uniform-hypercube-varying-syn-size": [("hyperparameters", "shape"), ("property", "large syn. size")],
    "sphere-torus": [("property", "shape"), ("bounds", "right extreme value")],
    "one-vs-two-modes": [("property", "shape"), ("bounds", "identical")],
    "gaussian-scaling-one-dimension": [("transformations", "shape"), *_EXTREMES],
    "gaussian-mean-difference-with-pareto": [*_MEAN, ("property", "bell shape")],
    "gaussian-high-dim-one-disjoint-dim": [("property", "shape"), *_EXTREMES],
    "discrete-numerical-vs-continuous-numerical": [
        ("property", "shape"),
        ("bounds", "coarse discretisation"),
        ("bounds", "fine discretisation"),
    ],
}


@pytest.mark.parametrize("check", SYNTHETIC_CHECKS, ids=_ids)
def test_their_criteria_names(check: SyntheticCheck):
    for role in ("fidelity", "diversity"):
        exp = check.expectation(role)
        for case in check.cases or ("",):
            names = [(d, c) for k, d, c, _ in exp.criteria if k == case]
            assert names == THEIR_CRITERIA[check.name]
        case0 = (check.cases or (None,))[0]
        x = np.asarray(check.values)
        cells = check.judge(role, x, _ideal(check, role, case0, x), case=case0).cells
        assert list(cells) == list(dict.fromkeys(d for d, _ in THEIR_CRITERIA[check.name]))
        assert set(cells) <= set(DESIDERATA)


def test_their_sweeps():
    """A few sweeps written out from their sanity_checks/*.py."""
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    assert mean.dimensions == (1, 8, 64)
    assert len(mean.values_at(1)) == 51 and mean.values_at(1)[0] == -6 and mean.values_at(1)[-1] == 6
    assert mean.values_at(64)[0] == -1 and mean.values == mean.values_at(8)
    std = CHECKS_BY_NAME["gaussian-std-difference"]
    assert std.values_at(1)[0] == pytest.approx(1e-3) and std.values_at(64)[-1] == pytest.approx(10**0.5)
    assert CHECKS_BY_NAME["gaussian-mixture-sequential-mode-dropping"].values == tuple(range(10))
    assert len(CHECKS_BY_NAME["gaussian-mixture-simultaneous-mode-dropping"].values) == 50
    assert CHECKS_BY_NAME["uniform-hypersphere-surface"].dimensions == (2, 16, 128)
    sizes = CHECKS_BY_NAME["uniform-hypercube-varying-size"].values
    assert sizes[0] == 100 and sizes[-1] == 10000 and len(sizes) == 20
    extra = CHECKS_BY_NAME["gaussian-high-dim-one-disjoint-dim"].values
    assert extra[:4] == (1, 2, 4, 6) and extra[-1] == 1000 and len(extra) == 18  # distinct ints
    modes = CHECKS_BY_NAME["one-vs-two-modes"].values
    assert modes[0] == 0 and modes[-1] == 5 and len(modes) == 20


def test_thinning_keeps_ends_and_the_points_the_criteria_read():
    std = CHECKS_BY_NAME["gaussian-std-difference"]
    thin = std.values_at(8, every=7)
    full = std.values_at(8)
    assert thin[0] == full[0] and thin[-1] == full[-1]
    assert any(math.isclose(v, 1.0) for v in thin)  # "identical" and the bell read σ = 1
    assert len(thin) < len(full)
    inv = CHECKS_BY_NAME["gaussian-mixture-mode-dropping-invention"].values_at(every=4)
    assert 5.0 in inv and inv[0] == 1 and inv[-1] == 10
    # the mid-drop point is the full sweep's 0.95-quantile (numpy 'nearest': f = 47/49), kept when
    # thinned; a recall that only falls after it fails on the full and on the thinned sweep alike
    drop = CHECKS_BY_NAME["gaussian-mixture-simultaneous-mode-dropping"]
    thin = np.asarray(drop.values_at(8, every=5))
    assert 47 / 49 in thin and len(thin) == 12
    for x in (np.asarray(drop.values), thin):
        late = np.where(x <= 47 / 49, 1.0, 0.2)
        j = drop.judge("diversity", x, late)
        assert j.passed is False and "drop by f = 0.959184 is 0.000" in j.reason


# ------------------------------------------------------------------ the data ---------------------


@pytest.mark.parametrize("check", SYNTHETIC_CHECKS, ids=_ids)
def test_shapes_and_determinism(check: SyntheticCheck):
    for dim, case in _sub_cases(check):
        values = check.values_at(dim)
        v0, v1 = values[0], values[len(values) // 2]
        if check.size_sweep == "both":
            v0, v1 = 100, 127
        real, syn = check.make(v1, seed=3, dimension=dim, case=case)
        again = check.make(v1, seed=3, dimension=dim, case=case)
        other = check.make(v1, seed=4, dimension=dim, case=case)
        assert real.dtype == np.float64 and syn.dtype == np.float64
        np.testing.assert_array_equal(real, again[0])
        np.testing.assert_array_equal(syn, again[1])
        assert not np.array_equal(syn, other[1])
        width = 1 + int(v1) if dim is None else dim
        n_real = int(v1) if check.size_sweep == "both" else N + (case == "real_outlier")
        n_syn = {"both": int(v1), "synthetic": int(v1)}.get(check.size_sweep, N + (case == "syn_outlier"))
        assert real.shape == (n_real, width) and syn.shape == (n_syn, width)
        real0, _ = check.make(v0, seed=3, dimension=dim, case=case)
        if not check.real_per_value:  # one real set serves the whole sweep, as in their harness
            np.testing.assert_array_equal(real0, real)


def test_mean_shift_moves_the_synthetic_mean_by_mu():
    check = CHECKS_BY_NAME["gaussian-mean-difference"]
    for mu in (-2.4, 0.0, 3.0):
        real, syn = check.make(mu, seed=0, dimension=8)
        tol = 5 * _se_mean(N) * math.sqrt(2)
        np.testing.assert_allclose(syn.mean(0) - real.mean(0), mu, atol=tol)
        np.testing.assert_allclose(syn.std(0), 1.0, atol=0.1)


def test_outlier_sits_at_the_largest_swept_mean_in_the_named_set():
    check = CHECKS_BY_NAME["gaussian-mean-difference-with-outlier"]
    for dim, top in ((1, 6.0), (8, 3.0), (64, 1.0)):
        real, syn = check.make(-1.0, seed=0, dimension=dim, case="real_outlier")
        np.testing.assert_array_equal(real[-1], np.full(dim, top))
        assert syn.shape[0] == N and abs(syn[:, 0].mean() + 1.0) < 0.2
        real, syn = check.make(-1.0, seed=0, dimension=dim, case="syn_outlier")
        np.testing.assert_array_equal(syn[-1], np.full(dim, top))
        assert real.shape[0] == N


def test_std_difference_scales_the_synthetic_spread():
    check = CHECKS_BY_NAME["gaussian-std-difference"]
    for sigma in (0.1, 1.0, 10.0):
        real, syn = check.make(sigma, seed=0, dimension=8)
        np.testing.assert_allclose(syn.std(0) / sigma, 1.0, atol=0.12)
        np.testing.assert_allclose(real.std(0), 1.0, atol=0.12)


def _nearest_mode(x: np.ndarray) -> np.ndarray:
    """Mode index (0..9) of each row of a diagonal mixture: the coordinate mean's nearest m_c."""
    means = np.linspace(0, 10, 10)
    return np.argmin(np.abs(x.mean(1)[:, None] - means[None, :]), axis=1)


def test_simultaneous_dropping_moves_weight_to_the_first_mode():
    check = CHECKS_BY_NAME["gaussian-mixture-simultaneous-mode-dropping"]
    for f in (0.0, 0.5, 0.9, 1.0):
        real, syn = check.make(f, seed=0, dimension=8)
        share0 = float(np.mean(_nearest_mode(syn) == 0))
        expected = 0.1 / (0.1 + 0.9 * (1 - f))
        assert abs(share0 - expected) <= 5 * math.sqrt(expected * (1 - expected) / N) + 1e-9
        assert len(np.unique(_nearest_mode(real))) == 10


def test_sequential_dropping_removes_k_modes():
    check = CHECKS_BY_NAME["gaussian-mixture-sequential-mode-dropping"]
    for dim in (1, 8, 64):
        for k in (0, 3, 9):
            real, syn = check.make(k, seed=0, dimension=dim)
            # modes holding >= 2 % of the points (at d = 1 a point 3.3 std out is counted in the next mode)
            held = np.flatnonzero(np.bincount(_nearest_mode(syn), minlength=10) >= 0.02 * N)
            assert held.tolist() == list(range(10 - k))
            assert np.bincount(_nearest_mode(real), minlength=10).min() >= 0.05 * N


def test_mode_invention_uses_the_first_m_of_their_means():
    check = CHECKS_BY_NAME["gaussian-mixture-mode-dropping-invention"]

    def modes(x):
        return set(np.argmin(((x[:, None, :] - INVENTION_MEANS[None]) ** 2).sum(-1), axis=1).tolist())

    for m in (1, 5, 10):
        real, syn = check.make(m, seed=0)
        assert modes(real) == set(range(5))
        assert modes(syn) == set(range(m))


def test_hypersphere_radius():
    check = CHECKS_BY_NAME["uniform-hypersphere-surface"]
    for dim in (2, 16, 128):
        real, syn = check.make(0.4, seed=0, dimension=dim)
        np.testing.assert_allclose(np.linalg.norm(real, axis=1), 1.0, rtol=1e-12)
        np.testing.assert_allclose(np.linalg.norm(syn, axis=1), 0.4, rtol=1e-12)
        assert np.all(np.abs(syn.mean(0)) < 5 * 0.4 / math.sqrt(dim * N))  # centred, isotropic


def test_hypercubes_overlap_in_a_fifth_of_their_volume():
    for name in ("uniform-hypercube-varying-size", "uniform-hypercube-varying-syn-size"):
        check = CHECKS_BY_NAME[name]
        for dim in (1, 8, 64):
            real, syn = check.make(4832, seed=0, dimension=dim)
            shift = 1 - 0.2 ** (1 / dim)
            assert real.min() >= 0 and real.max() <= 1
            assert syn.min() >= shift and syn.max() <= shift + 1
            inside = float(np.mean(np.all(syn <= 1.0, axis=1)))  # synthetic points in the real cube
            assert abs(inside - 0.2) <= 5 * math.sqrt(0.16 / syn.shape[0])
    assert CHECKS_BY_NAME["uniform-hypercube-varying-syn-size"].make(4832, seed=0)[0].shape[0] == N


def test_sphere_and_torus_are_disjoint_solids():
    check = CHECKS_BY_NAME["sphere-torus"]
    ball, torus = check.make(2000, seed=0, case="real_sphere")
    assert ball.shape == (N, 3) and torus.shape == (2000, 3)
    assert np.linalg.norm(ball, axis=1).max() <= 0.8
    assert np.linalg.norm(ball, axis=1).min() < 0.3  # solid, not a shell
    rho = np.hypot(torus[:, 0], torus[:, 1])
    tube = np.hypot(rho - 1.0, torus[:, 2])
    assert tube.max() <= 0.1 and tube.min() < 0.03
    torus2, ball2 = check.make(500, seed=0, case="real_torus")
    assert torus2.shape == (N, 3) and ball2.shape == (500, 3)
    assert np.hypot(np.hypot(torus2[:, 0], torus2[:, 1]) - 1.0, torus2[:, 2]).max() <= 0.1


def test_one_vs_two_modes():
    check = CHECKS_BY_NAME["one-vs-two-modes"]
    mu = 4.0
    real, syn = check.make(mu, seed=0, dimension=8)
    centre = real.mean(1)  # the coordinate mean sits near ±mu/2
    assert abs(np.mean(np.abs(centre)) - mu / 2) < 0.1
    assert abs(np.mean(centre > 0) - 0.5) < 5 * math.sqrt(0.25 / N)
    np.testing.assert_allclose(syn.std(0), math.sqrt(1 + mu**2), rtol=0.12)
    real0, _ = check.make(0.0, seed=0, dimension=8)
    np.testing.assert_allclose(real0.std(0), 1.0, atol=0.12)


def test_scaling_one_dimension():
    check = CHECKS_BY_NAME["gaussian-scaling-one-dimension"]
    for s in (1e-3, 1.0, 1e3):
        real, syn = check.make(s, seed=0)
        np.testing.assert_allclose([real[:, 1].std() / s, syn[:, 1].std() / s], 1.0, atol=0.12)
        assert abs(real[:, 0].mean()) < 0.2 and abs(syn[:, 0].mean() - 6) < 0.2


def test_pareto_column_is_heavy_tailed_and_shared():
    check = CHECKS_BY_NAME["gaussian-mean-difference-with-pareto"]
    real, syn = check.make(-3.0, seed=0)
    assert real[:, 1].min() >= 1 and syn[:, 1].min() >= 1
    # P(X > t) = t^-1.01: the median is 2^(1/1.01)
    assert abs(np.median(real[:, 1]) - 2 ** (1 / 1.01)) < 0.25
    assert abs(syn[:, 0].mean() + 3.0) < 0.2 and abs(real[:, 0].mean()) < 0.2


def test_one_disjoint_dimension():
    check = CHECKS_BY_NAME["gaussian-high-dim-one-disjoint-dim"]
    for extra in (1, 54):
        real, syn = check.make(extra, seed=0)
        assert real.shape == syn.shape == (N, 1 + extra)
        assert abs(syn[:, 0].mean() - 6) < 0.2 and abs(real[:, 0].mean()) < 0.2
        if extra > 1:
            assert np.abs(syn[:, 1:].mean(0)).max() < 0.2
    with pytest.raises(ValueError, match="do not pass dimension"):
        check.make(4, seed=0, dimension=5)


def test_discrete_case_rounds_the_named_set():
    check = CHECKS_BY_NAME["discrete-numerical-vs-continuous-numerical"]
    for s in (1.0, 1000.0):
        real, syn = check.make(s, seed=0, case="real_discrete")
        assert np.mean(real == np.round(real)) == 1.0 and np.mean(syn == np.round(syn)) == 0.0
        real, syn = check.make(s, seed=0, case="real_continuous")
        assert np.mean(syn == np.round(syn)) == 1.0 and np.mean(real == np.round(real)) == 0.0
        assert abs(real.std() / s - 1) < 0.12
    real, _ = check.make(1.0, seed=0, case="real_discrete")
    assert len(np.unique(real)) < 12  # coarse: a handful of atoms
    real, _ = check.make(1000.0, seed=0, case="real_discrete")
    assert len(np.unique(real)) > 700  # fine: almost every value distinct


def test_standardise_uses_the_real_sets_moments():
    rng = np.random.default_rng(0)
    real = rng.normal(3.0, 2.0, size=(500, 4))
    real[:, 3] = 7.0  # constant column: deviation taken as 1, as sklearn's StandardScaler
    syn = rng.normal(size=(300, 4))
    r, s = standardise(real, syn)
    np.testing.assert_allclose(r[:, :3].mean(0), 0.0, atol=1e-12)
    np.testing.assert_allclose(r[:, :3].std(0), 1.0, rtol=1e-12)
    np.testing.assert_allclose(s[:, 0], (syn[:, 0] - real[:, 0].mean()) / real[:, 0].std(), rtol=1e-12)
    np.testing.assert_allclose(s[:, 3], syn[:, 3] - 7.0, rtol=1e-12)


def test_make_refuses_bad_arguments():
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    with pytest.raises(ValueError, match="dimension must be one of"):
        mean.make(0.0, seed=0, dimension=3)
    with pytest.raises(ValueError, match="no cases"):
        mean.make(0.0, seed=0, case="real_outlier")
    with pytest.raises(ValueError, match="case must be one of"):
        CHECKS_BY_NAME["gaussian-mean-difference-with-outlier"].make(0.0, seed=0)
    with pytest.raises(ValueError, match="leave n unset"):
        CHECKS_BY_NAME["uniform-hypercube-varying-size"].make(100, n=100, seed=0)
    with pytest.raises(ValueError, match="integer"):
        CHECKS_BY_NAME["gaussian-mixture-sequential-mode-dropping"].make(2.5, seed=0)
    with pytest.raises(ValueError, match="<= 1"):
        CHECKS_BY_NAME["gaussian-mixture-simultaneous-mode-dropping"].make(1.5, seed=0)
    with pytest.raises(ValueError, match="> 0"):
        CHECKS_BY_NAME["gaussian-std-difference"].make(0.0, seed=0)
    with pytest.raises(ValueError, match="seed"):
        mean.make(0.0, seed=-1)


# ------------------------------------------------------------------ judge: hand-built series -----


def _ideal(check: SyntheticCheck, role: str, case: str | None, x: np.ndarray) -> np.ndarray:
    """A score series an ideal measure gives, built by hand from the check's definition."""
    fid = role == "fidelity"
    lo, hi = x.min(), x.max()
    match check.number:
        case 1 | 2 | 13:  # bell around μ = 0, ~0 at both ends
            return np.exp(-((6 * x / (hi - lo)) ** 2))
        case 7:  # bell around r = 1
            return np.exp(-(((x - 1) / 0.2) ** 2))
        case 3:
            if fid:  # 1 while narrower, falling to 0 at the widest
                return np.where(x <= 1, 1.0, 1 - np.log(np.maximum(x, 1)) / np.log(hi))
            return np.where(x >= 1, 1.0, 1 - np.log(x) / np.log(lo))  # 'high' reading
        case 4:
            return np.ones_like(x) if fid else 1 - x
        case 5:
            return np.ones_like(x) if fid else 1 - x / 10
        case 6:
            return np.minimum(1, 5 / x) if fid else np.minimum(1, x / 5)
        case 8 | 9:
            return np.full_like(x, 0.2)
        case 10 | 12 | 14:
            return np.zeros_like(x)
        case 11:
            return 1 - x / hi if fid else np.ones_like(x)  # diversity: the 'high' reading
        case 15:
            if case == "real_discrete":
                return np.zeros_like(x) if fid else np.ones_like(x)
            return np.ones_like(x) if fid else np.zeros_like(x)
    raise AssertionError(check.number)


def _wrong(check: SyntheticCheck, role: str, x: np.ndarray) -> np.ndarray:
    """A series that clearly breaks the check's criteria."""
    fid = role == "fidelity"
    match check.number:
        case 4 | 5:
            return np.linspace(1, 0, len(x)) if fid else np.ones_like(x)  # falls / never falls
        case 6:
            return np.minimum(1, x / 5) if fid else np.minimum(1, 5 / x)  # the other role's ideal
        case 11:
            return np.ones_like(x) if fid else np.linspace(0, 1, len(x))
        case _:
            return np.full_like(x, 0.5)


_CASES = [
    (c, role, case)
    for c in SYNTHETIC_CHECKS
    for role in ("fidelity", "diversity")
    for case in c.cases or (None,)
]


@pytest.mark.parametrize(
    ("check", "role", "case"), _CASES, ids=[f"{c.number}-{r}-{k or 'one'}" for c, r, k in _CASES]
)
def test_judge_passes_the_ideal_and_fails_the_wrong(check: SyntheticCheck, role: str, case: str | None):
    for dim in check.dimensions:
        x = np.asarray(check.values_at(dim))
        good = check.judge(role, x, _ideal(check, role, case, x), dimension=dim, case=case)
        assert good.passed is True, good.reason
        bad = check.judge(role, x, _wrong(check, role, x), dimension=dim, case=case)
        assert bad.passed is False, bad.reason
        assert "FAIL" in bad.reason and set(bad.cells.values()) <= {"T", "F", "L", "H", "-"}
        assert "F" in bad.cells.values()


def test_judge_readings_and_their_aggregation():
    """Their two-reading diversity shapes: a consistent 'low' or 'high' passes; both together fail."""
    std = CHECKS_BY_NAME["gaussian-std-difference"]
    x = np.asarray(std.values_at(8))
    high = std.judge("diversity", x, _ideal(std, "diversity", None, x), dimension=8)
    assert high.passed is True and high.reading == "high" and high.cells == {"bounds": "H", "property": "H"}
    low_series = 1 - np.abs(np.log(x)) / np.log(x.max())  # bell around σ = 1, ~0 at both ends
    low = std.judge("diversity", x, low_series, dimension=8)
    assert low.passed is True and low.reading == "low" and low.cells == {"bounds": "L", "property": "L"}
    mixed = combine([high, low])
    assert mixed.passed is False and mixed.cells == {"bounds": "F", "property": "F"}
    x1 = np.asarray(std.values_at(1))
    same = combine([high, std.judge("diversity", x1, _ideal(std, "diversity", None, x1), dimension=1)])
    assert same.passed is True and same.reading == "high" and same.where == "all"


def test_judge_reason_has_the_numbers():
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    x = np.asarray(mean.values_at(8))
    y = np.exp(-(x**2))
    y[x == 0] = 0.93  # 0.02 short of the 0.95 "close to 1", still the top of a bell
    j = mean.judge("fidelity", x, y)
    assert j.passed is False and j.cells == {"bounds": "F", "property": "T"}
    assert "score 0.930 at μ = 0" in j.reason and "within 0.05 of 1" in j.reason


def test_tolerance_edges():
    """Their numerical rules at their edges: close = within 0.05; constant = max - min <= 0.05;
    converged = constant from the median swept size on; mode dropping = down by 0.1 by mid-sweep."""
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    x = np.asarray(mean.values_at(8))
    for top, cell in ((0.951, "T"), (0.949, "F")):
        y = top * np.exp(-(x**2))
        assert mean.judge("fidelity", x, y).cells["bounds"] == cell
    scaling = CHECKS_BY_NAME["gaussian-scaling-one-dimension"]
    xs = np.asarray(scaling.values)
    for spread, cell in ((0.049, "T"), (0.051, "F")):
        y = np.linspace(0.0, spread, len(xs))
        assert scaling.judge("diversity", xs, y).cells["transformations"] == cell
    cube = CHECKS_BY_NAME["uniform-hypercube-varying-syn-size"]
    xc = np.asarray(cube.values)
    settled = np.where(xc < np.median(xc), np.linspace(0.9, 0.3, len(xc)), 0.2)  # moves, then settles
    assert cube.judge("fidelity", xc, settled).cells == {"hyperparameters": "T", "property": "T"}
    late = np.where(xc < 7000, 0.2, 0.26)  # moves after the median size
    assert cube.judge("fidelity", xc, late).cells["hyperparameters"] == "F"
    seq = CHECKS_BY_NAME["gaussian-mixture-sequential-mode-dropping"]
    k = np.asarray(seq.values)
    only_at_the_end = np.where(k <= 7, 1.0, 1.0 - 0.45 * (k - 7))  # 1 .. 1, 0.55, 0.1
    j = seq.judge("diversity", k, only_at_the_end)
    assert j.passed is False and "drop by k = 4 is 0.000 >= 0.1 NO" in j.reason


def test_judge_averages_repeats_and_ignores_order():
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    x = np.asarray(mean.values_at(1))
    y = np.exp(-(x**2))
    reps = np.stack([y + 0.08, y - 0.08])  # each repeat is 0.08 off everywhere; the mean is exact
    a = mean.judge("diversity", x, reps, dimension=1)
    order = np.arange(len(x))[::-1]
    b = mean.judge("diversity", x[order], y[order], dimension=1)
    assert a.passed is True and b.passed is True
    assert [r.verdict for r in a.criteria] == [r.verdict for r in b.criteria]
    single = mean.judge("diversity", x, reps[0], dimension=1)  # one repeat alone misses the bounds
    assert single.passed is False and single.cells["bounds"] == "F"


def test_not_applicable_criteria():
    drop = CHECKS_BY_NAME["gaussian-mixture-sequential-mode-dropping"]
    j = drop.judge("diversity", drop.values, 1 - np.asarray(drop.values) / 10)
    na = [r for r in j.criteria if r.verdict is None]
    assert [r.criterion for r in na] == ["fully_dropped_modes"] and j.passed is True
    exp = drop.expectation("diversity")
    assert ("", "bounds", "fully_dropped_modes", "n/a") in exp.criteria
    assert "falling" in exp.summary


def test_judge_refuses_bad_series():
    mean = CHECKS_BY_NAME["gaussian-mean-difference"]
    x = np.asarray(mean.values)
    with pytest.raises(ValueError, match="V = 51"):
        mean.judge("fidelity", x, np.ones(50))
    with pytest.raises(ValueError, match="finite"):
        mean.judge("fidelity", x, np.full(51, np.nan))
    with pytest.raises(ValueError, match="not among the swept values"):
        mean.judge("fidelity", x[x != 0], np.ones(50))  # "identical" reads μ = 0
    with pytest.raises(ValueError, match="role"):
        mean.judge("memorisation", x, np.ones(51))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="one check and one role"):
        combine([mean.judge("fidelity", x, np.ones(51)), mean.judge("diversity", x, np.ones(51))])


# ------------------------------------------------------------------ a real run vs their table ----

_METRIC_ROLES = (
    ("precision", "fidelity"),
    ("recall", "diversity"),
    ("density", "fidelity"),
    ("coverage", "diversity"),
)
# (check, dimension, case) -> (every, repeats): a thinned sweep and fewer repeats than their 10
_RUNS = {
    ("gaussian-mean-difference-with-outlier", 8, "real_outlier"): (10, 2),
    ("gaussian-mean-difference-with-outlier", 8, "syn_outlier"): (10, 2),
    ("gaussian-mixture-mode-dropping-invention", 2, None): (5, 3),
}


@functools.cache
def _scores(name: str, dim: int, case: str | None) -> tuple[tuple[float, ...], dict[str, np.ndarray]]:
    """ganbench's precision-recall (k = 3) and density-coverage (k = 5: their automatic k for
    n_real = n_syn = 1000) on their z-scored data: (values, metric -> scores [repeats, V])."""
    check = CHECKS_BY_NAME[name]
    every, repeats = _RUNS[(name, dim, case)]
    values = check.values_at(dim, every=every)
    scores = {k: np.zeros((repeats, len(values))) for k, _ in _METRIC_ROLES}
    for r in range(repeats):
        for i, v in enumerate(values):
            real, syn = standardise(*check.make(v, seed=r, dimension=dim, case=case))
            out = METRICS["precision-recall"](real=real, fake=syn)
            out |= METRICS["density-coverage"](real=real, fake=syn)
            for k, _ in _METRIC_ROLES:
                scores[k][r, i] = out[k]
    return values, scores


# Their published per-criterion verdicts (see the module docstring) as "P R D C": precision
# (I-Prec), recall (I-Rec), density, coverage; "-" not applicable to that role; "?" not compared.
THEIRS: dict[tuple[str, int, str | None], dict[tuple[str, str], str]] = {
    ("gaussian-mean-difference-with-outlier", 8, "real_outlier"): {
        ("bounds", "identical"): "FFTT",
        ("bounds", "extreme negative"): "TTTT",
        ("bounds", "extreme positive"): "FTFT",
        ("property", "bell shape"): "FTTT",
    },
    ("gaussian-mean-difference-with-outlier", 8, "syn_outlier"): {
        ("bounds", "identical"): "FFTT",
        ("bounds", "extreme negative"): "TFTT",
        ("bounds", "extreme positive"): "TTTT",
        ("property", "bell shape"): "TFTT",
    },
    # Coverage's shape ("?"): theirs F because its curve peaks 0.1+ above its value at m = 10; the
    # expected gap is 0.970 - 0.872 = 0.098 (see the next test), so that verdict is a coin flip.
    ("gaussian-mixture-mode-dropping-invention", 2, None): {
        ("bounds", "identical"): "TTTT",
        ("bounds", "most dropped modes"): "T-T-",
        ("bounds", "most invented modes"): "-T-F",
        ("property", "shape"): "TTT?",
    },
}
_CELL = {True: "T", False: "F", None: "-"}


@pytest.mark.slow
@pytest.mark.parametrize(
    ("name", "dim", "case"), list(THEIRS), ids=[f"{n}-{c or 'one'}" for n, _, c in THEIRS]
)
def test_precision_recall_density_coverage_agree_with_their_published_verdicts(name, dim, case):
    """Our judge of ganbench's measures on our data gives their published verdicts, criterion by
    criterion (their run: 10 repeats, every value; ours: see _RUNS)."""
    check = CHECKS_BY_NAME[name]
    values, scores = _scores(name, dim, case)
    ours: dict[tuple[str, str], str] = {}
    for k, role in _METRIC_ROLES:
        for res in check.judge(role, values, scores[k], dimension=dim, case=case).criteria:
            key = (res.desideratum, res.criterion)
            ours[key] = ours.get(key, "") + _CELL[res.verdict]
    for key, theirs in THEIRS[(name, dim, case)].items():
        compared = [(o, t) for o, t in zip(ours[key], theirs, strict=True) if t != "?"]
        assert all(o == t for o, t in compared), (
            f"{name} {case} {key}: ours {ours[key]}, theirs {theirs} (PRDC)"
        )


@pytest.mark.slow
def test_the_real_run_meets_known_answers():
    """Values the data's geometry fixes, whatever the seed:

    - a real outlier at the synthetic mean (μ = 3, d = 8): its k-NN ball reaches back to the real
      bulk (~3·√8 away), so every synthetic point lies in it: precision 1, and density 1/k = 0.2
      (each synthetic point in exactly one real ball, of k = 5);
    - a synthetic outlier 6·√8 from the synthetic bulk: its ball holds every real point: recall 1;
    - invention check, m = 5: within each of the 5 far-apart modes real and synthetic points are
      exchangeable, so coverage = 1 - Π_{i=1..5} (N-i)/(N+M-i) (Naeem et al. 2020, Lemma 2) with
      N = M ≈ 200: 0.970; at m = 10, M ≈ 100 per real mode: 0.872.
    """
    values, s = _scores("gaussian-mean-difference-with-outlier", 8, "real_outlier")
    assert values[-1] == 3.0
    assert s["precision"][:, -1].min() >= 0.99
    assert np.abs(s["density"][:, -1] - 0.2).max() <= 0.01
    values, s = _scores("gaussian-mean-difference-with-outlier", 8, "syn_outlier")
    assert values[0] == -3.0 and s["recall"][:, 0].min() >= 0.99

    def lemma(n_real: int, n_syn: int, k: int = 5) -> float:
        return 1 - math.prod((n_real - i) / (n_real + n_syn - i) for i in range(1, k + 1))

    values, s = _scores("gaussian-mixture-mode-dropping-invention", 2, None)
    cov = dict(zip(values, s["coverage"].mean(0), strict=True))
    assert lemma(200, 200) == pytest.approx(0.970, abs=5e-4) and lemma(200, 100) == pytest.approx(
        0.872, abs=5e-4
    )
    assert abs(cov[5.0] - lemma(200, 200)) <= 0.02
    assert abs(cov[10.0] - lemma(200, 100)) <= 0.03
