"""Tests for FLD, the Feature Likelihood Divergence (Jiralerspong et al. 2023, arXiv:2302.04440)."""

from __future__ import annotations

import numpy as np
import pytest

from ganbench.metrics.fld import fld
from ganbench.registry import METRICS


def _inputs(case: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(train, test, generated) features."""
    rng = np.random.default_rng(100 + case)
    if case == 0:
        train, test = rng.standard_normal((400, 8)), rng.standard_normal((200, 8))
        gen = 1.1 * rng.standard_normal((150, 8)) + 0.2
    elif case == 1:  # more generated rows than gen_size: a subset is drawn
        train, test = rng.standard_normal((500, 6)), rng.standard_normal((150, 6))
        gen = 0.8 * rng.standard_normal((300, 6))
    else:  # half the generated rows are near-copies of training rows
        train, test = rng.standard_normal((300, 10)), rng.standard_normal((120, 10))
        gen = np.concatenate(
            [train[:50] + 0.01 * rng.standard_normal((50, 10)), rng.standard_normal((50, 10))]
        )
    return train, test, gen


# Reference values: a scratch transcription (outside this repository) of github.com/marcojira/fld at
# commit ffbbf20: fld/MoG.py (preprocess_feat, compute_dists, MoG.fit with its early stop,
# get_dim_adjusted_nlls) and fld/metrics/FLD.py (FLD.compute_metric with eval_feat "test" and
# "gap", get_baseline_nll), run on CPU in float64 on _inputs(case), with one change: fld.utils.shuffle
# draws from numpy.random.default_rng(seed) instead of the global np.random (so the subsets and
# shuffles are ours); in case 2 their module constant BATCH_SIZE was set to 64. Each "gap" value is
# a separate compute_metric(eval_feat="gap") call, as theirs. The package is not on PyPI. Ours agreed
# to about 1e-7 relative (their squared distances come from torch.cdist).
REFERENCE = [
    (0, {"gen_size": 10_000, "batch_size": 10_000, "seed": 0}, 4.549307477375941, -3.7933737152872737),
    (1, {"gen_size": 120, "batch_size": 10_000, "seed": 3}, -5.700212943292482, -4.526110347040402),
    (2, {"gen_size": 10_000, "batch_size": 64, "seed": 1}, 8.220394699002753, -74.45729751902202),
]


@pytest.mark.parametrize(("case", "params", "expected_fld", "expected_gap"), REFERENCE)
def test_agrees_with_the_reference_code(
    case: int, params: dict, expected_fld: float, expected_gap: float
) -> None:
    train, test, gen = _inputs(case)
    out = fld(real=test, fake=gen, train=train, **params)
    assert out["fld"] == pytest.approx(expected_fld, rel=1e-5)
    assert out["fld_gap"] == pytest.approx(expected_gap, rel=1e-5)


def test_a_fixed_baseline_shifts_fld_and_leaves_the_gap() -> None:
    train, test, gen = _inputs(0)
    a = fld(real=test, fake=gen, train=train, baseline_nll=1.0)
    b = fld(real=test, fake=gen, train=train, baseline_nll=2.0)
    assert a["fld"] - b["fld"] == pytest.approx(100.0, rel=1e-12)
    assert a["fld_gap"] == b["fld_gap"]


def test_copies_of_the_training_split_give_a_negative_gap() -> None:
    rng = np.random.default_rng(7)
    train, test = rng.standard_normal((400, 8)), rng.standard_normal((200, 8))
    fresh = fld(real=test, fake=rng.standard_normal((200, 8)), train=train)
    copies = fld(real=test, fake=train[:200] + 1e-3 * rng.standard_normal((200, 8)), train=train)
    assert abs(fresh["fld_gap"]) < 10 and abs(fresh["fld"]) < 10  # as good as half the training split
    assert copies["fld_gap"] < -100 and copies["fld"] > fresh["fld"] + 100


def test_a_generated_set_larger_than_half_the_training_split_is_cut_to_it() -> None:
    # marcojira/fld#7: with more generated rows than the baseline's N_train // 2 centres, theirs turns
    # negative by construction; here both mixtures get N_train // 2 = 100 centres
    rng = np.random.default_rng(8)
    train, test, gen = (
        rng.standard_normal((200, 6)),
        rng.standard_normal((150, 6)),
        rng.standard_normal((800, 6)),
    )
    out = fld(real=test, fake=gen, train=train)
    assert out == fld(real=test, fake=gen, train=train, gen_size=100)
    assert abs(out["fld"]) < 10


def test_far_apart_sets_and_a_constant_column_give_finite_values() -> None:
    # marcojira/fld#10 (NaN): their code divides by a zero std where a test column is constant
    train, test, gen = _inputs(0)
    values = [fld(real=test, fake=gen + shift, train=train)["fld"] for shift in (0.0, 1e2, 1e6)]
    assert np.isfinite(values).all() and values == sorted(values)
    dead = [a.copy() for a in (train, test, gen)]  # a ReLU unit dead on every image: 0 in all three sets
    for a in dead:
        a[:, 3] = 0.0
    out = fld(real=dead[1], fake=dead[2], train=dead[0])
    assert np.isfinite(list(out.values())).all()
    constant = test.copy()  # constant in the test set only: centred, scale 1, so generated rows that
    constant[:, 3] = 1.0  # vary there are farther from the test rows than the same rows set to 1
    varying, matching = gen.copy(), gen.copy()
    matching[:, 3] = 1.0
    assert (
        fld(real=constant, fake=varying, train=train)["fld"]
        > fld(real=constant, fake=matching, train=train)["fld"]
    )


def test_deterministic_and_seeded() -> None:
    train, test, gen = _inputs(1)
    a = fld(real=test, fake=gen, train=train, gen_size=120, seed=2)
    assert a == fld(real=test, fake=gen, train=train, gen_size=120, seed=2)
    assert a != fld(real=test, fake=gen, train=train, gen_size=120, seed=3)


def test_float32_inputs_agree_with_float64() -> None:
    train, test, gen = _inputs(0)
    a = fld(real=test, fake=gen, train=train)
    b = fld(real=test.astype(np.float32), fake=gen.astype(np.float32), train=train.astype(np.float32))
    assert b["fld"] == pytest.approx(a["fld"], rel=1e-4)


def test_bad_inputs() -> None:
    train, test, gen = _inputs(0)
    with pytest.raises(ValueError, match="same feature size"):
        fld(real=test, fake=gen, train=train[:, :4])
    with pytest.raises(ValueError, match="same number of columns"):
        fld(real=test, fake=gen[:, :4], train=train)
    with pytest.raises(ValueError, match="NaN"):
        fld(real=test, fake=gen, train=np.where(train > 2, np.nan, train))
    with pytest.raises(ValueError, match="at least 2 rows"):
        fld(real=test[:1], fake=gen, train=train)
    with pytest.raises(ValueError, match="gen_size"):
        fld(real=test, fake=gen, train=train, gen_size=0)
    with pytest.raises(ValueError, match="lr"):
        fld(real=test, fake=gen, train=train, lr=0.0)
    with pytest.raises(ValueError, match="baseline_nll"):
        fld(real=test, fake=gen, train=train, baseline_nll=float("nan"))


def test_registered_with_train_as_extra_input() -> None:
    spec = METRICS["fld"]
    assert spec.extra_inputs == ("train",) and spec.directions == {"fld": "lower", "fld_gap": "higher"}
    assert spec.defaults == {
        "gen_size": 10_000,
        "epochs": 50,
        "lr": 0.5,
        "batch_size": 10_000,
        "baseline_nll": None,
        "seed": 0,
    }
    train, test, gen = _inputs(0)
    samples = spec.samples(real=test, fake=gen, train=train)
    assert samples.n_real == len(test) and samples.n_fake == 0
