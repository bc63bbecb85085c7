import math

import numpy as np
import pandas as pd
import pytest
from records_helpers import key_rows, records_frame
from scipy import stats

from ganbench.analysis.ranks import RANK_COLUMNS, rank_table, ranks


def bootstrapped(variant: str, value: float, low: float, high: float, **extra: object) -> list[dict]:
    return key_rows(variant, [value], ci_low=low, ci_high=high, **extra)


def ranked(rows: list[dict]) -> dict[str, int]:
    return dict(zip(*(ranks(records_frame(rows))[c] for c in ("variant", "rank")), strict=True))


def test_separated_intervals_rank_in_order_of_the_means() -> None:
    rows = key_rows("a", [3.0, 3.1, 2.9]) + key_rows("b", [1.0, 1.1, 0.9]) + key_rows("c", [5.0, 5.2, 4.9])
    out = ranks(records_frame(rows))
    assert list(out.columns) == list(RANK_COLUMNS)
    assert list(out["variant"]) == ["b", "a", "c"] and list(out["rank"]) == [1, 2, 3]
    assert set(out["interval"]) == {"t"}
    b = out.set_index("variant").loc["b"]
    low, high = stats.t.interval(0.95, 2, loc=1.0, scale=stats.sem([1.0, 1.1, 0.9]))
    assert abs(b["low"] - low) < 1e-9 and abs(b["high"] - high) < 1e-9


def test_overlapping_t_intervals_share_a_rank() -> None:
    a, b = [10.0, 12.0, 14.0], [13.0, 15.0, 17.0]
    scipy_a = stats.t.interval(0.95, 2, loc=np.mean(a), scale=stats.sem(a))
    scipy_b = stats.t.interval(0.95, 2, loc=np.mean(b), scale=stats.sem(b))
    assert scipy_a[1] > scipy_b[0]  # the intervals overlap
    assert ranked(key_rows("a", a) + key_rows("b", b)) == {"a": 1, "b": 1}


def test_a_chain_of_overlaps_is_broken_by_a_clearly_better_variant() -> None:
    # A = [0, 1], B = [0.9, 2], C = [1.5, 3], lower is better: A and B tie, A is clearly better than C
    rows = (
        bootstrapped("A", 0.5, 0.0, 1.0) + bootstrapped("B", 1.5, 0.9, 2.0) + bootstrapped("C", 2.0, 1.5, 3.0)
    )
    assert ranked(rows) == {"A": 1, "B": 1, "C": 2}
    assert set(ranks(records_frame(rows))["interval"]) == {"bootstrap"}


def test_higher_is_better_reverses_the_order() -> None:
    rows = (
        bootstrapped("A", 0.5, 0.0, 1.0) + bootstrapped("B", 1.5, 1.1, 2.0) + bootstrapped("C", 2.0, 1.5, 3.0)
    )
    rows = [{**r, "direction": "higher"} for r in rows]
    assert ranked(rows) == {"C": 1, "B": 1, "A": 3}


def test_single_seeds_without_intervals_tie_only_when_equal() -> None:
    rows = key_rows("a", [2.0]) + key_rows("b", [1.0]) + key_rows("c", [2.0])
    out = ranks(records_frame(rows))
    assert dict(zip(out["variant"], out["rank"], strict=True)) == {"b": 1, "a": 2, "c": 2}
    assert set(out["interval"]) == {"none"}


def test_target_keys_rank_the_distance_to_the_target() -> None:
    rows = key_rows("far", [0.9, 0.92, 0.91], key="c2st", direction="target", target=0.5)
    rows += key_rows("near", [0.45, 0.46, 0.44], key="c2st", direction="target", target=0.5)
    out = ranks(records_frame(rows)).set_index("variant")
    assert out.loc["near", "rank"] == 1 and out.loc["far", "rank"] == 2
    assert abs(out.loc["near", "score"] - 0.05) < 1e-12
    one = bootstrapped("x", 0.55, 0.4, 0.6, key="c2st", direction="target", target=0.5)
    x = ranks(records_frame(one)).iloc[0]
    assert (x["low"], x["high"]) == (0.0, pytest.approx(0.1, abs=1e-12))  # the interval holds the target


def test_a_censored_lower_bound_has_no_upper_end() -> None:
    rows = []
    for variant, support, flag in [("censored", 100.0, 1.0), ("measured", 5000.0, 0.0)]:
        unit = {"variant": variant, "seed": 0, "metric": "birthday", "space": "pixels"}
        rows.append({**unit, "key": "birthday_support", "value": support, "direction": "higher"})
        rows.append({**unit, "key": "birthday_censored", "value": flag, "direction": "lower"})
    out = ranks(records_frame(rows))
    support = out[out["key"] == "birthday_support"].set_index("variant")
    assert math.isinf(support.loc["censored", "high"])
    assert list(support["rank"]) == [1, 1]  # 5000 is not clearly above "at least 100"


def test_rank_table_is_variant_by_key_for_one_dataset() -> None:
    rows = key_rows("real", [0.1]) + key_rows("a", [3.0]) + key_rows("b", [1.0])
    rows += key_rows("a", [0.9], key="precision", direction="higher")
    wide = rank_table(records_frame(rows))
    assert list(wide.index) == ["a", "b"] and list(wide.columns) == ["fid", "precision"]
    assert wide.loc["a", "fid"] == 2 and wide.loc["b", "fid"] == 1 and wide.loc["a", "precision"] == 1
    assert pd.isna(wide.loc["b", "precision"])
    two = records_frame(rows + key_rows("a", [1.0], dataset="fashion-mnist"))
    with pytest.raises(ValueError, match="several datasets"):
        rank_table(two)
    assert list(rank_table(two, dataset="fashion-mnist").index) == ["a"]

