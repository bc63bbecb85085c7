import math
from itertools import combinations

import numpy as np
import pandas as pd
import pytest
from records_helpers import key_rows, records_frame
from scipy import stats

import ganbench
from ganbench.analysis.comparisons import COMPARISON_COLUMNS, compare, pairwise

TOL = 1e-12
FID = {"dcgan": [10.0, 11.0, 12.5], "lsgan": [14.0, 15.5, 16.0], "vanilla": [10.5, 13.0, 20.0]}
PRECISION = {"dcgan": [0.5, 0.6, 0.55], "lsgan": [0.4, 0.45, 0.42], "vanilla": [0.3, 0.6, 0.5]}


def run_records() -> pd.DataFrame:
    rows = key_rows("real", [1.0])
    for variant in FID:
        rows += key_rows(variant, FID[variant])
        rows += key_rows(variant, PRECISION[variant], key="precision", direction="higher")
    return records_frame(rows)


def exact_permutation_p(x: list[float], y: list[float]) -> float:
    """Two-sided exact permutation p of the mean difference by enumerating every split (scipy's definition:
    twice the smaller one-sided p, capped at 1; ties with the observed statistic count as extreme)."""
    pooled, n = np.array(x + y), len(x)
    observed = np.mean(x) - np.mean(y)
    null = []
    for chosen in combinations(range(len(pooled)), n):
        mask = np.zeros(len(pooled), bool)
        mask[list(chosen)] = True
        null.append(pooled[mask].mean() - pooled[~mask].mean())
    null = np.array(null)
    eps = 1e-14 * max(1.0, abs(observed))
    greater, less = np.mean(null >= observed - eps), np.mean(null <= observed + eps)
    return min(1.0, 2 * min(greater, less))


def holm_by_hand(p: list[float]) -> list[float]:
    order = sorted(range(len(p)), key=lambda i: p[i])
    out, running = [0.0] * len(p), 0.0
    for rank, i in enumerate(order):
        running = max(running, min(1.0, (len(p) - rank) * p[i]))
        out[i] = running
    return out


def test_every_p_value_matches_scipy_and_enumeration() -> None:
    out = pairwise(run_records())
    assert list(out.columns) == list(COMPARISON_COLUMNS)
    assert set(out["a"]) | set(out["b"]) == set(FID)  # real is the reference, not a contender
    assert len(out) == 2 * 3 * 2  # keys x pairs x tests
    for row in out.itertuples():
        data = FID if row.key == "fid" else PRECISION
        x, y = data[row.a], data[row.b]
        if row.test == "welch":
            expected = stats.ttest_ind(x, y, equal_var=False).pvalue
        else:
            expected = exact_permutation_p(x, y)
            assert "exact over 20 splits: p cannot go below 0.1" in row.note
        assert abs(row.p_value - expected) < 1e-10, row
        assert abs(row.mean_a - np.mean(x)) < TOL and abs(row.diff - (np.mean(x) - np.mean(y))) < TOL
        assert row.n_a == row.n_b == 3


def test_holm_family_is_every_pair_of_one_key_and_test() -> None:
    out = pairwise(run_records())
    for _, family in out.groupby(["key", "test"]):
        expected = holm_by_hand(list(family["p_value"]))
        assert np.allclose(family["p_holm"], expected, rtol=0, atol=TOL)
        assert list(family["significant"]) == [p < 0.05 for p in expected]


def test_better_follows_the_direction() -> None:
    out = pairwise(run_records(), tests=["welch"]).set_index(["key", "a", "b"])
    assert out.loc[("fid", "dcgan", "lsgan"), "better"] == "dcgan"  # lower fid
    assert out.loc[("precision", "dcgan", "lsgan"), "better"] == "dcgan"  # higher precision
    assert out.loc[("precision", "lsgan", "vanilla"), "better"] == "vanilla"


def test_target_keys_compare_the_distance_to_the_target() -> None:
    a, b = [0.9, 0.85, 0.95], [0.45, 0.6, 0.52]  # b is closer to 0.5 on both sides of it
    rows = key_rows("dcgan", a, key="c2st_1nn", direction="target", target=0.5)
    rows += key_rows("lsgan", b, key="c2st_1nn", direction="target", target=0.5)
    row = pairwise(records_frame(rows), tests=["welch"]).iloc[0]
    expected = stats.ttest_ind(
        np.abs(np.subtract(a, 0.5)), np.abs(np.subtract(b, 0.5)), equal_var=False
    ).pvalue
    assert abs(row["p_value"] - expected) < 1e-10
    assert row["better"] == "lsgan" and "tested |value − 0.5|" in row["note"]
    assert abs(row["diff"] - (np.mean(a) - np.mean(b))) < TOL  # reported in the key's own values


def test_one_seed_gives_no_p_value_and_says_why() -> None:
    rows = key_rows("dcgan", [10.0]) + key_rows("lsgan", [12.0, 13.0])
    out = pairwise(records_frame(rows))
    assert out["p_value"].isna().all() and out["p_holm"].isna().all() and out["level"].isna().all()
    assert out["significant"].isna().all()
    assert (out["note"] == "one seed of dcgan: no test possible (run more seeds)").all()
    assert out["better"].eq("dcgan").all()  # the means are still compared, just not tested


def test_constant_groups_have_no_welch_p_but_a_permutation_p() -> None:
    rows = key_rows("dcgan", [0.0, 0.0, 0.0], key="precision", direction="higher")
    rows += key_rows("lsgan", [0.2, 0.2, 0.2], key="precision", direction="higher")
    out = pairwise(records_frame(rows)).set_index("test")
    assert math.isnan(out.loc["welch", "p_value"]) and "Welch's t undefined" in out.loc["welch", "note"]
    assert abs(out.loc["permutation", "p_value"] - 0.1) < TOL  # 2 of the 20 splits are as extreme


def test_censored_values_are_not_tested() -> None:
    rows = []
    for variant, supports, flags in [
        ("dcgan", [100.0, 5000.0], [0.0, 1.0]),
        ("lsgan", [40.0, 50.0], [0.0, 0.0]),
    ]:
        for seed, (support, flag) in enumerate(zip(supports, flags, strict=True)):
            unit = {"variant": variant, "seed": seed, "metric": "birthday", "space": "pixels"}
            rows.append({**unit, "key": "birthday_support", "value": support, "direction": "higher"})
            rows.append({**unit, "key": "birthday_censored", "value": flag, "direction": "lower"})
    out = pairwise(records_frame(rows), tests=["welch"]).set_index("key")
    assert math.isnan(out.loc["birthday_support", "p_value"])
    assert "censored values of dcgan" in out.loc["birthday_support", "note"]
    assert not math.isnan(out.loc["birthday_censored", "p_value"])


def test_many_seeds_use_a_seeded_monte_carlo_permutation_test() -> None:
    rng = np.random.default_rng(1)
    x, y = list(rng.normal(0, 1, 8)), list(rng.normal(1.5, 1, 8))  # C(16, 8) = 12870 splits > 9999
    frame = records_frame(key_rows("dcgan", x) + key_rows("lsgan", y))
    row = pairwise(frame, tests=["permutation"]).iloc[0]
    assert "Monte-Carlo, 9999 resamples" in row["note"]
    exact = exact_permutation_p(x, y)
    assert abs(row["p_value"] - exact) < 0.01  # Monte-Carlo error of p ~ sqrt(p(1-p)/9999)
    assert pairwise(frame, tests=["permutation"]).iloc[0]["p_value"] == row["p_value"]  # seeded


def test_compare_corrects_over_the_keys_of_one_pair() -> None:
    out = compare(run_records(), "dcgan", "lsgan")
    assert list(out["key"].unique()) == ["fid", "precision"] and set(out["a"]) == {"dcgan"}
    for _, family in out.groupby("test"):
        assert np.allclose(family["p_holm"], holm_by_hand(list(family["p_value"])), rtol=0, atol=TOL)
    welch = out[out["test"] == "welch"].set_index("key")
    fid_p = stats.ttest_ind(FID["dcgan"], FID["lsgan"], equal_var=False).pvalue
    assert abs(welch.loc["fid", "p_value"] - fid_p) < 1e-10
    # two keys: fid's p (0.014) doubles to 0.028; precision's (0.030) stays, both significant at 0.05 only
    assert abs(welch.loc["fid", "p_holm"] - 2 * fid_p) < 1e-10 and list(welch["level"]) == [0.05, 0.05]
    assert ganbench.compare is compare


def test_compare_refuses_unknown_or_identical_variants() -> None:
    with pytest.raises(ValueError, match=r"no final evaluations of variant 'wgan'; the records have"):
        compare(run_records(), "dcgan", "wgan")
    with pytest.raises(ValueError, match="two different variants"):
        compare(run_records(), "dcgan", "dcgan")
    with pytest.raises(ValueError, match="unknown test"):
        compare(run_records(), "dcgan", "lsgan", tests=["mann-whitney"])


def test_level_is_the_strictest_level_reached() -> None:
    x = [10.0, 10.1, 10.2, 10.05]
    y = [20.0, 20.1, 19.9, 20.05]
    row = pairwise(records_frame(key_rows("dcgan", x) + key_rows("lsgan", y)), tests=["welch"]).iloc[0]
    assert row["p_holm"] < 0.001 and row["level"] == 0.001 and row["significant"]
