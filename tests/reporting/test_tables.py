import math
from itertools import combinations

import pandas as pd
import pytest
from records_helpers import key_rows, records_frame
from scipy import stats

from ganbench.reporting.tables import (
    BEST_MARK,
    cell,
    comparison_table,
    format_number,
    format_spread,
    rank_cells,
    significance_marks,
)

FID = {"dcgan": [10.0, 10.5, 11.0], "lsgan": [20.0, 21.0, 19.5], "vanilla": [10.2, 11.0, 10.6]}


def three_variants() -> pd.DataFrame:
    rows = [{**key_rows("real", [1.0])[0], "seed": None}]
    for variant, values in FID.items():
        rows += key_rows(variant, values)
        rows += key_rows(variant, [0.0, 0.0, 0.0], key="recall", direction="higher")
    return records_frame(rows)


def expected_mark(p_holm: float) -> str:
    return "***" if p_holm < 0.001 else "**" if p_holm < 0.01 else "*" if p_holm < 0.05 else ""


def test_numbers_keep_four_digits_and_short_exponents() -> None:
    assert format_number(107.30517) == "107.3" and format_number(0.041309) == "0.04131"
    assert format_number(135400.0) == "1.354e5" and format_number(1.5e-5) == "1.5e-5"
    assert format_number(math.nan) == "n/a" and format_number(math.inf) == "inf"
    assert (
        format_spread(0.0231) == "0.023" and format_spread(712.4) == "712" and format_spread(3.2e6) == "3.2e6"
    )


def summary_row(**fields: object) -> dict:
    base = {"mean": 12.0, "std": math.nan, "n_seeds": 1, "t_low": math.nan, "t_high": math.nan}
    return {**base, "ci_low": math.nan, "ci_high": math.nan, "censored": False, **fields}


def test_cell_forms() -> None:
    several = summary_row(std=2.83, n_seeds=2, t_low=-13.41, t_high=37.41)
    assert cell(several) == "12 ± 2.8 [-13.41, 37.41]" and cell(several, full=False) == "12±2.8"
    assert cell(several, "**") == "12 ± 2.8 [-13.41, 37.41] **"
    bootstrapped = summary_row(ci_low=11.0, ci_high=13.5)
    assert cell(bootstrapped) == "12 [11, 13.5]" and cell(bootstrapped, full=False) == "12"
    assert cell(summary_row()) == "12" and cell(summary_row(mean=math.nan)) == "n/a"
    rounding = summary_row(mean=0.2, std=3.4e-17, n_seeds=3, t_low=0.2, t_high=0.2)
    assert cell(rounding, full=False) == "0.2±0"  # equal values up to float rounding


def test_a_censored_estimate_reads_as_a_lower_bound() -> None:
    assert cell(summary_row(mean=135400.0, censored=True)) == "> 1.354e5"
    rows = []
    for variant, seed, support, flag in [("real", None, 135400.0, 1.0), ("dcgan", 0, 116.0, 0.0)]:
        unit = {"variant": variant, "seed": seed, "metric": "birthday", "space": "pixels"}
        rows.append({**unit, "key": "birthday_support", "value": support, "direction": "higher"})
        rows.append({**unit, "key": "birthday_censored", "value": flag, "direction": "lower"})
    wide = comparison_table(records_frame(rows))
    assert wide.loc["real", "birthday_support ↑"] == "> 1.354e5"
    assert wide.loc["dcgan", "birthday_support ↑"] == "116"


def test_marks_follow_the_holm_corrected_welch_tests_against_the_best() -> None:
    pairs = list(combinations(FID, 2))
    p = {pair: stats.ttest_ind(FID[pair[0]], FID[pair[1]], equal_var=False).pvalue for pair in pairs}
    ordered = sorted(pairs, key=p.get)  # Holm by hand over the three pairs of fid
    holm, running = {}, 0.0
    for i, pair in enumerate(ordered):
        running = max(running, min(1.0, (3 - i) * p[pair]))
        holm[pair] = running
    marks = significance_marks(three_variants())
    assert marks[("fid", "dcgan")] == BEST_MARK  # lowest mean fid
    assert marks[("fid", "lsgan")] == expected_mark(holm[("dcgan", "lsgan")]) != ""
    assert ("fid", "vanilla") not in marks and holm[("dcgan", "vanilla")] >= 0.05
    assert not any(key == "recall" for key, _ in marks)  # all equal: no best, no test (no spread)


def test_comparison_table_is_variant_by_key_with_marks() -> None:
    wide = comparison_table(three_variants())
    assert list(wide.index) == ["real", "dcgan", "lsgan", "vanilla"] and list(wide.columns) == [
        "fid ↓",
        "recall ↑",
    ]
    assert wide.loc["dcgan", "fid ↓"].endswith(f"] {BEST_MARK}")
    assert wide.loc["real", "fid ↓"] == "1" and wide.loc["dcgan", "recall ↑"] == "0 ± 0 [0, 0]"
    compact = comparison_table(three_variants(), full=False)
    assert compact.loc["dcgan", "fid ↓"] == f"10.5±0.5 {BEST_MARK}"
    assert comparison_table(three_variants(), space="pixels").empty


def test_tables_refuse_several_datasets() -> None:
    two = pd.concat([three_variants(), records_frame(key_rows("dcgan", [1.0], dataset="fashion-mnist"))])
    with pytest.raises(ValueError, match="one dataset"):
        comparison_table(two)


def test_rank_cells_use_the_table_headers() -> None:
    ranks = rank_cells(three_variants())
    assert list(ranks.index) == ["dcgan", "lsgan", "vanilla"] and list(ranks.columns) == ["fid ↓", "recall ↑"]
    assert list(ranks["fid ↓"]) == ["1", "3", "1"] and list(ranks["recall ↑"]) == ["1", "1", "1"]
