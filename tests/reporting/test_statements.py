import numpy as np
from records_helpers import key_rows, records_frame
from scipy import stats

from ganbench.reporting.statements import all_tests_table, format_p, significance_statements, statement

A, B, C = [10.0, 10.5, 11.0], [20.0, 21.0, 19.5], [10.2, 11.0, 10.6]


def frame():
    return records_frame(key_rows("dcgan", A) + key_rows("lsgan", B) + key_rows("vanilla", C))


def test_a_significant_difference_in_words_with_numbers_recomputed_by_scipy() -> None:
    significant, others = significance_statements(frame())
    p = stats.ttest_ind(A, B, equal_var=False).pvalue
    p_all = sorted(stats.ttest_ind(x, y, equal_var=False).pvalue for x, y in [(A, B), (A, C), (B, C)])
    holm = 3 * p  # the smallest of the three p-values of fid gets the factor 3
    assert p == p_all[0] and holm < 0.05
    level = "0.001" if holm < 0.001 else "0.01" if holm < 0.01 else "0.05"
    assert significant[0] == (
        f"dcgan has lower fid than lsgan (10.5 vs 20.17): diff {np.mean(A) - np.mean(B):.3g},"
        f" Welch p={p:.3g}, Holm p={holm:.3g}, significant at {level}"
    )
    assert any(
        s.startswith("dcgan has lower fid than vanilla") and "not significant at 0.05" in s for s in others
    )


def test_target_and_untestable_statements() -> None:
    nan = float("nan")
    row = {"a": "dcgan", "b": "lsgan", "key": "c2st_1nn", "direction": "target", "target": 0.5}
    row |= {"better": "lsgan", "mean_a": 0.9, "mean_b": 0.6, "p_value": nan, "p_holm": nan, "level": nan}
    row |= {"note": "one seed of dcgan: no test possible (run more seeds)"}
    assert statement(row) == (
        "lsgan has c2st_1nn closer to 0.5 than dcgan (0.6 vs 0.9): diff -0.3;"
        " no test: one seed of dcgan: no test possible (run more seeds)"
    )


def test_every_test_table_puts_both_tests_side_by_side() -> None:
    table = all_tests_table(frame())
    assert len(table) == 3 and list(table[["a", "b"]].iloc[0]) == ["dcgan", "lsgan"]
    assert table["Welch p"].iloc[0] == format_p(stats.ttest_ind(A, B, equal_var=False).pvalue)
    assert table["permutation p"].iloc[0] == "0.1"  # 2 of the 20 splits of 3 + 3 values are as extreme
    assert table["note"].iloc[0] == "exact over 20 splits: p cannot go below 0.1"
    assert format_p(float("nan")) == "n/a" and format_p(1e-6) == "<1e-4"
