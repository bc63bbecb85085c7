from pathlib import Path

import numpy as np
import pandas as pd
from scipy import stats

from ganbench.reporting.records import append_records, load_records, make_record
from ganbench.reporting.report import render_terminal, table, write_report


def write_run(run_dir: Path) -> None:
    rows = [
        make_record(
            variant="real",
            status="ok",
            metric="fid",
            key="fid",
            value=0.5,
            direction="lower",
            dataset="mnist-5k",
            extractor="domain-classifier",
            extractor_hash="ab",
            n_real=10,
            n_fake=10,
            device="cpu",
            torch_version="x",
            ganbench_version="y",
        )
    ]
    for seed, (fid, prec) in enumerate([(10.0, 0.6), (14.0, 0.8)]):
        unit = {"variant": "dcgan", "seed": seed, "status": "ok", "kimg": 1.0, "g_steps": 16}
        rows.append(make_record(**unit, metric="fid", key="fid", value=fid, direction="lower"))
        rows.append(
            make_record(**unit, metric="precision-recall", key="precision", value=prec, direction="higher")
        )
        rows.append(
            make_record(**unit, metric="c2st-1nn", key="c2st_1nn", value=0.9, direction="target", target=0.5)
        )
    rows.append(
        make_record(
            variant="lsgan",
            seed=0,
            status="diverged",
            kimg=0.2,
            g_steps=3,
            metric="training",
            key="diverged_at_step",
            value=3.0,
            direction="lower",
        )
    )
    append_records(run_dir / "records.jsonl", rows)


def t_interval_text(values: list[float]) -> str:
    low, high = stats.t.interval(0.95, len(values) - 1, loc=np.mean(values), scale=stats.sem(values))
    return f"[{low:.4g}, {high:.4g}]"


def test_table_has_mean_std_interval_arrows_and_reference_row(tmp_path: Path) -> None:
    write_run(tmp_path)
    wide = table(load_records(tmp_path))
    assert list(wide.index) == ["real", "dcgan", "lsgan"]
    assert (
        wide.loc["dcgan", "fid ↓"]
        == f"12 ± 2.8 {t_interval_text([10.0, 14.0])}"
        == "12 ± 2.8 [-13.41, 37.41]"
    )
    assert wide.loc["real", "fid ↓"] == "0.5"
    assert wide.loc["dcgan", "precision ↑"] == f"0.7 ± 0.14 {t_interval_text([0.6, 0.8])}"
    assert wide.loc["dcgan", "c2st_1nn →0.5"] == "0.9 ± 0 [0.9, 0.9]"
    assert wide.loc["lsgan", "seeds"] == "1 (1 diverged)" and wide.loc["lsgan", "fid ↓"] == ""


def test_write_report_lists_divergence_and_writes_csv(tmp_path: Path) -> None:
    write_run(tmp_path)
    markdown = write_report(tmp_path)
    assert "lsgan seed 0: a loss became NaN/inf at D step 3; not evaluated" in markdown
    assert (tmp_path / "report.md").read_text() == markdown
    csv = pd.read_csv(tmp_path / "report.csv", index_col=0)
    assert csv.loc["dcgan", "fid_mean"] == 12.0 and csv.loc["dcgan", "fid_std"] > 2.8
    assert pd.isna(csv.loc["real", "fid_std"])
    low, high = stats.t.interval(0.95, 1, loc=12.0, scale=stats.sem([10.0, 14.0]))
    assert (
        abs(csv.loc["dcgan", "fid_t_low"] - low) < 1e-9 and abs(csv.loc["dcgan", "fid_t_high"] - high) < 1e-9
    )
    assert csv.loc["dcgan", "fid_n_seeds"] == 2 and csv.loc["dcgan", "fid_rank"] == 1
    assert pd.isna(csv.loc["real", "fid_t_low"]) and pd.isna(csv.loc["real", "fid_rank"])


def write_three_seed_run(run_dir: Path, seeds: int = 3) -> None:
    """Four variants, ``seeds`` seeds, twelve keys with long names (a wide table), kid among them."""
    rng = np.random.default_rng(0)
    rows = [make_record(variant="real", status="ok", metric="kid", key="kid", value=0.04, direction="lower")]
    for shift, variant in enumerate(["vanilla", "dcgan", "lsgan", "wgan-gp"]):
        for seed in range(seeds):
            unit = {"variant": variant, "seed": seed, "status": "ok", "kimg": 1.0, "g_steps": 16}
            rows.append(
                make_record(
                    **unit,
                    metric="fid",
                    key="fid",
                    value=100.0 - 20 * shift + rng.normal(),
                    direction="lower",
                )
            )
            rows.append(
                make_record(**unit, metric="kid", key="kid", value=5 + rng.normal(), direction="lower")
            )
            rows += [
                make_record(
                    **unit,
                    metric="long-measure",
                    key=f"long_measure_key_number_{i}",
                    value=1000.0 * rng.normal(),
                    direction="higher",
                )
                for i in range(10)
            ]
    append_records(
        run_dir / "records.jsonl", [{**r, "dataset": "mnist-5k", "space": "features"} for r in rows]
    )


def test_printed_report_fits_100_columns_and_states_the_significant_differences(tmp_path: Path) -> None:
    write_three_seed_run(tmp_path)
    write_report(tmp_path)
    printed = render_terminal(tmp_path, load_records(tmp_path))
    lines = printed.splitlines()
    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    assert sum(line.startswith("Feature space") for line in lines) >= 3  # split into several tables
    assert "wgan-gp has lower fid than vanilla" in printed and "KID: unbiased MMD²" in printed
    markdown = (tmp_path / "report.md").read_text()
    assert "## Ranks" in markdown and "### Significant at 0.05 after Holm's correction" in markdown
    assert "- wgan-gp has lower fid than vanilla (" in markdown and "not multiplied by 1000" in markdown
    assert "### Every test" in markdown and "| fid " in markdown


def test_one_seed_per_variant_says_no_test_is_possible(tmp_path: Path) -> None:
    write_three_seed_run(tmp_path, seeds=1)
    markdown = write_report(tmp_path)
    assert "No test is possible: one seed of vanilla: no test possible (run more seeds)" in markdown
    assert "Holm p=" not in markdown


def test_old_run_without_intervals_still_renders(tmp_path: Path) -> None:
    write_run(tmp_path)  # written before the stage field and the t columns existed
    printed = render_terminal(tmp_path, load_records(tmp_path))
    assert "lsgan seed 0: a loss became NaN/inf at D step 3" in printed and "report.md" in printed


def test_tests_missing_for_lack_of_spread_are_listed_not_blamed_on_seeds(tmp_path: Path) -> None:
    rows = [
        make_record(
            variant=v, seed=s, status="ok", metric="pr", key="precision", value=0.0, direction="higher"
        )
        for v in ("dcgan", "lsgan")
        for s in range(3)
    ]
    append_records(tmp_path / "records.jsonl", [{**r, "space": "features"} for r in rows])
    markdown = write_report(tmp_path)
    assert "No test is possible" not in markdown
    assert (
        "dcgan and lsgan have the same mean precision (0); no test: no spread within either variant"
        in markdown
    )


def test_a_frechet_distance_outside_inception_space_is_said_to_be_on_its_own_scale(tmp_path: Path) -> None:
    from ganbench.reporting.html import render_html
    from ganbench.reporting.report import render_markdown

    write_run(tmp_path)
    records = load_records(tmp_path).assign(space="features")
    note = "FD_domain-classifier"
    assert note in render_markdown(tmp_path, records)
    assert note in render_terminal(tmp_path, records, width=1000)  # one line: unwrapped
    assert note in render_html(tmp_path, records)
    inception = records.assign(
        extractor=records["extractor"].where(records["extractor"].isna(), "inception-v3")
    )
    assert "FD_" not in render_markdown(tmp_path, inception)
    assert "FD_" not in render_html(tmp_path, inception)
