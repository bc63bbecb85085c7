import pandas as pd

from ganbench.reporting.terminal import fit_table, wrap


def wide_frame(columns: int, cell: str = "107.3±0.23 ***") -> pd.DataFrame:
    frame = pd.DataFrame({f"column_with_a_long_name_{i} ↓": [cell, "1"] for i in range(columns)})
    frame.index = pd.Index(["real", "wgan-gp"], name="variant")
    return frame


def test_columns_split_into_tables_that_fit_the_width() -> None:
    lines = fit_table(wide_frame(9), "Feature space", width=100)
    assert max(len(line) for line in lines) <= 100
    titles = [line for line in lines if line.startswith("Feature space")]
    assert titles[0] == "Feature space" and titles[1] == "Feature space (continued)" and len(titles) == 3
    every_header = " ".join(lines)
    assert all(f"column_with_a_long_name_{i} ↓" in every_header for i in range(9))  # nothing dropped
    assert sum(line.startswith("wgan-gp") for line in lines) == 3  # the index repeats in every table


def test_a_column_too_wide_alone_is_cut() -> None:
    lines = fit_table(wide_frame(1, "x" * 150), "t", width=60)
    assert max(len(line) for line in lines) == 60 and any(line.endswith("…") for line in lines)


def test_cells_align_right_and_one_table_when_it_fits() -> None:
    lines = fit_table(wide_frame(2), "t", width=100)
    assert lines[:2] == ["t", lines[1]] and len(lines) == 5
    header, rule, first, second = lines[1:]
    assert len(header) == len(rule) == len(first) and second.endswith("  1")


def test_wrap_breaks_long_words_and_indents() -> None:
    lines = wrap("- " + "word " * 40 + "/a/very/long/path/" * 10, width=50, indent="  ")
    assert max(len(line) for line in lines) <= 50 and all(line.startswith("  ") for line in lines[1:])
