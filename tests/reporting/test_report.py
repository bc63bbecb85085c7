from pathlib import Path

import pandas as pd

from ganbench.reporting.records import append_records, load_records, make_record
from ganbench.reporting.report import table, write_report


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


def test_table_has_mean_std_arrows_and_reference_row(tmp_path: Path) -> None:
    write_run(tmp_path)
    wide = table(load_records(tmp_path))
    assert list(wide.index) == ["real", "dcgan", "lsgan"]
    assert wide.loc["dcgan", "fid ↓"] == "12 ± 2.8" and wide.loc["real", "fid ↓"] == "0.5"
    assert wide.loc["dcgan", "precision ↑"] == "0.7 ± 0.14"
    assert wide.loc["dcgan", "c2st_1nn →0.5"] == "0.9 ± 0"
    assert wide.loc["lsgan", "seeds"] == "1 (1 diverged)" and wide.loc["lsgan", "fid ↓"] == ""


def test_write_report_lists_divergence_and_writes_csv(tmp_path: Path) -> None:
    write_run(tmp_path)
    markdown = write_report(tmp_path)
    assert "lsgan seed 0: loss became NaN/inf at D step 3" in markdown
    assert (tmp_path / "report.md").read_text() == markdown
    csv = pd.read_csv(tmp_path / "report.csv", index_col=0)
    assert csv.loc["dcgan", "fid_mean"] == 12.0 and csv.loc["dcgan", "fid_std"] > 2.8
    assert pd.isna(csv.loc["real", "fid_std"])
