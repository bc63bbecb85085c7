import math

import numpy as np
import pytest
from records_helpers import key_rows
from records_helpers import records_frame as records
from scipy import stats

import ganbench
from ganbench.analysis.summary import SUMMARY_COLUMNS, summary

TOL = 1e-12


def test_mean_std_and_t_interval_match_scipy() -> None:
    values = [10.0, 14.0, 11.5]
    out = summary(records(key_rows("dcgan", values)))
    row = out.iloc[0]
    assert list(out.columns) == list(SUMMARY_COLUMNS) and len(out) == 1
    low, high = stats.t.interval(0.95, df=2, loc=np.mean(values), scale=stats.sem(values))
    assert row["n_seeds"] == 3
    assert abs(row["mean"] - 35.5 / 3) < TOL
    assert abs(row["std"] - np.std(values, ddof=1)) < TOL
    assert abs(row["t_low"] - low) < 1e-9 and abs(row["t_high"] - high) < 1e-9
    narrower = summary(records(key_rows("dcgan", values)), level=0.9).iloc[0]
    low90, high90 = stats.t.interval(0.9, df=2, loc=np.mean(values), scale=stats.sem(values))
    assert abs(narrower["t_low"] - low90) < 1e-9 and abs(narrower["t_high"] - high90) < 1e-9


def test_one_seed_has_no_spread_but_keeps_its_bootstrap_interval() -> None:
    row = summary(records(key_rows("dcgan", [12.0], ci_low=11.0, ci_high=13.5))).iloc[0]
    assert row["n_seeds"] == 1 and row["mean"] == 12.0
    assert math.isnan(row["std"]) and math.isnan(row["t_low"]) and math.isnan(row["t_high"])
    assert (row["ci_low"], row["ci_high"]) == (11.0, 13.5)


def test_bootstrap_bounds_over_seeds_are_averaged_only_when_every_seed_has_them() -> None:
    both = key_rows("dcgan", [12.0, 14.0])
    both[0].update(ci_low=11.0, ci_high=13.0)
    both[1].update(ci_low=12.0, ci_high=16.0)
    row = summary(records(both)).iloc[0]
    assert abs(row["ci_low"] - 11.5) < TOL and abs(row["ci_high"] - 14.5) < TOL
    both[1].update(ci_low=None, ci_high=None)
    row = summary(records(both)).iloc[0]
    assert math.isnan(row["ci_low"]) and math.isnan(row["ci_high"])


def test_diverged_units_markers_and_checkpoints_are_left_out() -> None:
    rows = key_rows("dcgan", [10.0, 20.0])
    rows.append(
        {"variant": "dcgan", "seed": 2, "status": "diverged", "metric": "fid", "key": "fid", "value": 99.0}
    )
    rows.append(
        {
            "variant": "dcgan",
            "seed": 2,
            "status": "diverged",
            "metric": "training",
            "key": "diverged_at_step",
            "value": 3.0,
        }
    )
    frame = records(rows).drop(columns="stage")  # an old run: no stage field, every row counts as final
    row = summary(frame).iloc[0]
    assert row["n_seeds"] == 2 and row["mean"] == 15.0
    frame["stage"] = ["final", "checkpoint", None, None]
    row = summary(frame).iloc[0]
    assert row["n_seeds"] == 1 and row["mean"] == 10.0


def test_censored_birthday_support_is_flagged_per_unit() -> None:
    rows = []
    for variant, seed, support, censored in [
        ("real", None, 5400.0, 1.0),
        ("dcgan", 0, 116.0, 0.0),
        ("dcgan", 1, 2000.0, 1.0),
        ("lsgan", 0, 42.0, 0.0),
    ]:
        unit = {"variant": variant, "seed": seed, "metric": "birthday", "space": "pixels"}
        rows.append({**unit, "key": "birthday_support", "value": support, "direction": "higher"})
        rows.append({**unit, "key": "birthday_censored", "value": censored, "direction": "lower"})
    out = summary(records(rows)).set_index(["variant", "key"])
    assert out.loc[("real", "birthday_support"), "censored"]
    assert out.loc[("dcgan", "birthday_support"), "censored"]  # one censored seed: the mean is a lower bound
    assert not out.loc[("lsgan", "birthday_support"), "censored"]
    assert not out.loc[("real", "birthday_censored"), "censored"]


def test_rows_real_first_then_variants_and_keys_in_order_of_appearance() -> None:
    rows = key_rows("lsgan", [1.0]) + key_rows("dcgan", [2.0]) + key_rows("real", [0.5])
    rows.insert(
        1, {"variant": "lsgan", "seed": 0, "metric": "kid", "key": "kid", "value": 0.1, "direction": "lower"}
    )
    rows.append(
        {"variant": "dcgan", "seed": 0, "metric": "kid", "key": "kid", "value": 0.2, "direction": "lower"}
    )
    rows += key_rows("dcgan", [3.0], dataset="fashion-mnist")
    out = summary(records(rows))
    assert list(zip(out["dataset"], out["variant"], out["key"], strict=True)) == [
        ("mnist-5k", "real", "fid"),
        ("mnist-5k", "lsgan", "fid"),
        ("mnist-5k", "lsgan", "kid"),
        ("mnist-5k", "dcgan", "fid"),
        ("mnist-5k", "dcgan", "kid"),
        ("fashion-mnist", "dcgan", "fid"),
    ]


def test_target_keys_keep_their_target_and_bad_levels_are_refused() -> None:
    rows = [
        {
            "variant": "dcgan",
            "seed": s,
            "metric": "c2st-1nn",
            "key": "c2st_1nn",
            "value": v,
            "direction": "target",
            "target": 0.5,
        }
        for s, v in enumerate([0.9, 0.8])
    ]
    row = summary(records(rows)).iloc[0]
    assert row["direction"] == "target" and row["target"] == 0.5
    for level in (0.0, 1.0, 95, "0.95"):
        with pytest.raises(ValueError, match="strictly between 0 and 1"):
            summary(records(rows), level=level)


def test_empty_records_give_an_empty_frame_with_the_columns() -> None:
    out = summary(
        records([{"variant": "x", "status": "diverged", "metric": "training", "key": "k", "value": 1.0}])
    )
    assert out.empty and list(out.columns) == list(SUMMARY_COLUMNS)


def test_summary_is_part_of_the_public_api() -> None:
    assert ganbench.summary is summary
