"""The FID table in the layout of Lucic et al. 2018: models as rows, datasets as columns, best and spread."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from records_helpers import key_rows, records_frame

from ganbench.analysis.protocol import ProtocolMismatchError
from ganbench.reporting.html import render_html
from ganbench.reporting.lucic_table import (
    LUCIC_TITLE,
    lucic_caption,
    lucic_cell,
    lucic_markdown,
    lucic_statistics,
    lucic_table,
)
from ganbench.reporting.records import append_records, load_records, make_record
from ganbench.reporting.report import write_report

#: dataset -> model -> FID of seeds 0, 1, 2; None: that seed diverged (no FID, a divergence marker).
FIDS: dict[str, dict[str, list[float | None]]] = {
    "mnist": {"mm-gan": [9.0, 8.0, 10.0], "ns-gan": [7.0, 7.5, 8.5], "wgan": [12.0, 11.0, None]},
    "fashion-mnist": {"mm-gan": [30.0, 29.0, 31.0], "ns-gan": [28.0, 27.5, 28.5], "wgan": [33.0, 32.0, 34.0]},
}
PROTOCOL = {"extractor": "domain-classifier", "extractor_hash": "feedface", "n_real": 10000, "n_fake": 10000}


def two_datasets() -> pd.DataFrame:
    """Two datasets x three models x three seeds, wgan's seed 2 on mnist diverged; a `real` row per
    dataset, and a checkpoint evaluation (during training) better than every final one."""
    rows = []
    for dataset, models in FIDS.items():
        rows += [{**key_rows("real", [0.5], dataset=dataset, **PROTOCOL)[0], "seed": None}]
        for model, values in models.items():
            for seed, value in enumerate(values):
                if value is None:
                    rows.append(
                        {
                            "dataset": dataset,
                            "variant": model,
                            "seed": seed,
                            "status": "diverged",
                            "stage": "final",
                            "metric": "training",
                            "key": "diverged_at_step",
                            "value": 120.0,
                            "direction": "lower",
                            "space": "none",
                        }
                    )
                else:
                    rows += [{**key_rows(model, [value], dataset=dataset, **PROTOCOL)[0], "seed": seed}]
    rows += [{**key_rows("ns-gan", [1.0], dataset="mnist", stage="checkpoint", **PROTOCOL)[0], "seed": 0}]
    return records_frame(rows)


def markdown_table(lines: list[str]) -> list[list[str]]:
    """The cells of a Markdown table, as a reader sees them: header row first, separator row dropped."""
    text = "\n".join(lines).splitlines()
    rows = [[c.strip() for c in line.strip().strip("|").split("|")] for line in text if line.startswith("|")]
    return [row for row in rows if not all(re.fullmatch(r":?-+:?", c) for c in row)]


def test_best_is_the_lowest_final_fid_and_the_spread_is_the_summary_over_seeds() -> None:
    stats = lucic_statistics(two_datasets()).set_index(["dataset", "variant"])
    assert list(stats.index) == [(d, m) for d in FIDS for m in FIDS[d]]  # no `real` row
    for dataset, models in FIDS.items():
        for model, values in models.items():
            finished = [v for v in values if v is not None]
            row = stats.loc[(dataset, model)]
            assert row["best"] == min(finished)  # the checkpoint's 1.0 is not a final evaluation
            assert row["mean"] == pytest.approx(np.mean(finished))
            assert row["std"] == pytest.approx(np.std(finished, ddof=1))
            assert row["n_seeds"] == len(finished)
            assert row["n_diverged"] == len(values) - len(finished)


def test_a_diverged_seed_is_left_out_of_best_and_spread_and_counted_in_the_cell() -> None:
    table = lucic_table(two_datasets())
    # wgan on mnist: seeds 0 and 1 finished (12, 11), seed 2 diverged
    assert table.loc["wgan", "mnist"] == "11 (mean 11.5 ± 0.71, n=2; 1 diverged)"
    assert table.loc["wgan", "fashion-mnist"] == "32 (mean 33 ± 1, n=3)"
    assert table.loc["ns-gan", "mnist"] == "7 (mean 7.667 ± 0.76, n=3)"
    assert table.loc["mm-gan", "fashion-mnist"] == "29 (mean 30 ± 1, n=3)"


def test_cells_for_one_seed_none_finished_and_equal_values() -> None:
    assert lucic_cell(12.3, 12.3, float("nan"), 1, 0) == "12.3 (n=1)"
    assert lucic_cell(float("nan"), float("nan"), float("nan"), 0, 3) == "n/a (3 diverged)"
    assert lucic_cell(5.0, 5.0, 1e-15, 3, 0) == "5 (mean 5 ± 0, n=3)"  # float rounding of equal values


def test_a_model_whose_every_seed_diverged_keeps_its_row() -> None:
    rows = key_rows("ns-gan", [7.0, 8.0], dataset="mnist")
    rows += [
        {"dataset": "mnist", "variant": "wgan", "seed": s, "status": "diverged", "metric": "training"}
        | {"key": "diverged_at_step", "value": 5.0, "direction": "lower", "space": "none"}
        for s in (0, 1, 2)
    ]
    table = lucic_table(records_frame(rows))
    assert list(table.index) == ["ns-gan", "wgan"]
    assert table.loc["wgan", "mnist"] == "n/a (3 diverged)"


def test_the_markdown_reads_models_as_rows_datasets_as_columns_with_a_caption() -> None:
    lines = lucic_markdown(two_datasets())
    assert lines[0] == f"## {LUCIC_TITLE}"
    cells = markdown_table(lines)
    assert cells[0] == ["model", "mnist", "fashion-mnist"]
    assert [row[0] for row in cells[1:]] == ["mm-gan", "ns-gan", "wgan"]
    assert cells[3][1] == "11 (mean 11.5 ± 0.71, n=2; 1 diverged)"
    caption = lines[2]
    for text in (
        "arXiv:1711.10337",
        "the lowest final FID over the seeds",  # what "best" means
        "mean ± standard deviation and their number n",  # what "spread" means
        "not Lucic et al.'s hyperparameter search",
        "left out of best, mean and std, and counted",  # diverged seeds
        "mnist: domain-classifier `feedface`, 10000 generated vs 10000 held-out images",
        "Inception-v3",
    ):
        assert text in caption, text


def test_one_dataset_gives_one_column_and_no_fid_gives_nothing() -> None:
    records = two_datasets()
    single = lucic_table(records[records["dataset"] == "fashion-mnist"])
    assert list(single.columns) == ["fashion-mnist"] and list(single.index) == ["mm-gan", "ns-gan", "wgan"]
    no_fid = records_frame(key_rows("dcgan", [0.5, 0.6], key="recall", direction="higher"))
    assert lucic_table(no_fid).empty and lucic_markdown(no_fid) == [] and lucic_caption(no_fid) == ""


def test_fids_of_one_cell_under_two_protocols_are_refused() -> None:
    records = two_datasets()
    records.loc[(records["variant"] == "mm-gan") & (records["seed"] == 0), "n_real"] = 500
    with pytest.raises(ProtocolMismatchError, match="n_real differs"):
        lucic_table(records)


def test_report_md_and_html_carry_the_table_after_the_main_table(handmade_run: Path) -> None:
    markdown = write_report(handmade_run)
    headings = [line for line in markdown.splitlines() if line.startswith("## ")]
    lucic = headings.index(f"## {LUCIC_TITLE}")
    spaces = [i for i, h in enumerate(headings) if h.startswith(("## Feature space", "## Pixel space"))]
    assert len(spaces) == 2 and max(spaces) == lucic - 1 and headings[lucic + 1] == "## Ranks"
    section = markdown.split(f"## {LUCIC_TITLE}")[1].split("## Ranks")[0].splitlines()
    cells = markdown_table(section)
    assert cells[0] == ["model", "mnist-5k"]  # one run: one dataset column
    assert [row[0] for row in cells[1:]] == ["vanilla", "dcgan", "lsgan"]
    assert cells[3][1] == "n/a (1 diverged)"  # lsgan's only seed diverged
    assert re.fullmatch(r"\d+(\.\d+)? \(mean \d+(\.\d+)? ± [\d.]+, n=2\)", cells[2][1])

    page = (handmade_run / "report.html").read_text(encoding="utf-8")
    table_section = re.search(r'<section id="table">(.*?)</section>', page, flags=re.S).group(1)
    assert f'<h3 id="lucic">{LUCIC_TITLE}</h3>' in table_section
    after = table_section.split('<h3 id="lucic">')[1]
    assert after.index("<h3>Ranks</h3>") > after.index("n/a (1 diverged)")
    assert "<th>mnist-5k</th>" in after and "<code>1 diverged</code>" in after
    assert table_section.index("<h3>Feature space") < table_section.index('<h3 id="lucic">')


def test_a_run_without_fid_has_no_such_section(tmp_path: Path) -> None:
    unit = {"variant": "dcgan", "status": "ok", "kimg": 1.0, "dataset": "mnist-5k", "space": "features"}
    rows = [
        make_record(**unit, seed=seed, metric="precision-recall", key="recall", value=v, direction="higher")
        for seed, v in enumerate([0.4, 0.5])
    ]
    append_records(tmp_path / "records.jsonl", rows)
    markdown = write_report(tmp_path)
    assert LUCIC_TITLE not in markdown and "## Ranks" in markdown
    page = render_html(tmp_path, load_records(tmp_path))
    assert 'id="lucic"' not in page and "could not be drawn" not in page
