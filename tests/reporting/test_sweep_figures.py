"""A sweep's figure and table: the best trial by the key's direction, the final phase's spread,
diverged and failed trials counted, never scored."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image
from records_helpers import records_frame

from ganbench.analysis.protocol import ProtocolMismatchError
from ganbench.analysis.sweeps import SWEEP_COLUMNS, sweep_table
from ganbench.reporting.figures import png
from ganbench.reporting.records import append_records, load_records, make_record
from ganbench.reporting.sweep_figures import sweep_figure

#: variant -> FID of search trials 0, 1, ...; "diverged" / "failed": that trial has no value.
SEARCH: dict[str, list[float | str]] = {
    "dcgan": [40.0, 30.0, "diverged", 35.0, 50.0],
    "wgan-gp": [60.0, 25.0, 70.0, "failed"],
}
#: variant -> (the best trial, FID of final seeds 0, 1, ...).
FINAL: dict[str, tuple[int, list[float]]] = {
    "dcgan": (1, [31.0, 29.0, 33.0]),
    "wgan-gp": (1, [26.0, 24.0, 28.0, 30.0]),
}
PROTOCOL = {"extractor": "domain-classifier", "extractor_hash": "feedface", "n_real": 1000, "n_fake": 1000}


def settings(variant: str, trial: int) -> dict[str, float | int]:
    return {"lr": 1e-4 * (trial + 1), "critic_steps": 5 if variant == "wgan-gp" else 1}


def fid(variant: str, value: float, **fields: object) -> dict:
    return {
        "variant": variant,
        "metric": "fid",
        "key": "fid",
        "value": value,
        "direction": "lower",
        **PROTOCOL,
        **fields,
    }


def sweep_rows(dataset: str = "mnist-5k", shift: float = 0.0) -> list[dict]:
    """The sweep above on ``dataset`` (values + ``shift``): a `real` row, the search trials (one
    seed each) and the final seeds; a precision key beside FID (higher is better, best at trial 3
    for dcgan), and a checkpoint evaluation better than every final one."""
    rows = [fid("real", 1.0, dataset=dataset)]
    for variant, values in SEARCH.items():
        for trial, value in enumerate(values):
            unit = {"dataset": dataset, "seed": 0, "trial": trial, "sweep_phase": "search"}
            unit["hyperparameters"] = settings(variant, trial)
            if isinstance(value, str):
                rows.append(
                    {
                        "variant": variant,
                        **unit,
                        "status": value,
                        "metric": "training",
                        "key": "diverged_at_step",
                    }
                    | (
                        {"value": 12.0, "direction": "lower"}
                        if value == "diverged"
                        else {"failure": "OSError"}
                    )
                )
                continue
            rows.append(fid(variant, value + shift, **unit))
            precision = 0.9 if (variant, trial) == ("dcgan", 3) else 0.5
            rows.append({**fid(variant, precision, **unit), "metric": "precision-recall", "key": "precision"})
            rows[-1]["direction"] = "higher"
        best, finals = FINAL[variant]
        for seed, value in enumerate(finals):
            unit = {"dataset": dataset, "seed": seed, "trial": best, "sweep_phase": "final"}
            rows.append(fid(variant, value + shift, **unit, hyperparameters=settings(variant, best)))
        rows.append(
            fid(variant, 1.0, dataset=dataset, seed=0, trial=best, sweep_phase="final", stage="checkpoint")
        )
    return rows


def test_the_table_finds_the_best_trial_and_the_final_spread() -> None:
    table = sweep_table(records_frame(sweep_rows()), "fid")
    assert list(table.columns) == list(SWEEP_COLUMNS)
    dcgan, wgan_gp = (table[table["variant"] == v].iloc[0] for v in ("dcgan", "wgan-gp"))
    assert (dcgan["trials"], dcgan["diverged"], dcgan["failed"]) == (5, 1, 0)
    assert (wgan_gp["trials"], wgan_gp["diverged"], wgan_gp["failed"]) == (4, 0, 1)
    assert (dcgan["best_trial"], dcgan["search_value"], dcgan["final_trial"]) == (1, 30.0, 1)
    assert dcgan["hyperparameters"] == {"lr": 2e-4, "critic_steps": 1}
    assert (dcgan["final_seeds"], dcgan["final_median"], dcgan["final_min"], dcgan["final_max"]) == (
        3,
        31.0,
        29.0,
        33.0,
    )
    assert dcgan["final_iqr"] == pytest.approx(32.0 - 30.0)  # linear quartiles of 29, 31, 33
    assert (wgan_gp["best_trial"], wgan_gp["search_value"], wgan_gp["final_seeds"]) == (1, 25.0, 4)
    assert wgan_gp["final_median"] == 27.0 and wgan_gp["final_iqr"] == pytest.approx(28.5 - 25.5)
    assert wgan_gp["hyperparameters"] == {"lr": 2e-4, "critic_steps": 5}


def test_the_direction_comes_from_the_records() -> None:
    table = sweep_table(records_frame(sweep_rows()), "precision")  # higher is better
    assert table.set_index("variant").loc["dcgan", "best_trial"] == 3
    assert table.set_index("variant").loc["wgan-gp", "best_trial"] == 0  # a tie: the first trial
    rows = [
        {**r, "direction": "target", "target": 33.0} if r.get("key") == "fid" else r for r in sweep_rows()
    ]
    assert sweep_table(records_frame(rows), "fid").set_index("variant").loc["dcgan", "best_trial"] == 3


def test_the_table_reads_records_written_and_loaded(tmp_path: Path) -> None:
    """Through JSON lines and load_records: trial comes back a float column, hyperparameters a dict."""
    path = tmp_path / "records.jsonl"
    append_records(path, [make_record(**{"run_id": "sweep", "status": "ok", **row}) for row in sweep_rows()])
    table = sweep_table(load_records(path), "fid").set_index("variant")
    assert table.loc["dcgan", "best_trial"] == 1 and table["best_trial"].dtype == "Int64"
    assert table.loc["wgan-gp", "hyperparameters"] == {"lr": 2e-4, "critic_steps": 5}
    assert table.loc["dcgan", "diverged"] == 1


def test_a_variant_without_any_value_is_counted() -> None:
    rows = [r for r in sweep_rows() if not (r["variant"] == "dcgan" and r.get("status", "ok") == "ok")]
    dcgan = sweep_table(records_frame(rows), "fid").set_index("variant").loc["dcgan"]
    assert (dcgan["trials"], dcgan["diverged"], dcgan["final_seeds"]) == (1, 1, 0)
    assert pd.isna(dcgan["best_trial"]) and dcgan["hyperparameters"] is None and pd.isna(dcgan["final_trial"])
    assert (
        np.isnan(dcgan["search_value"]) and np.isnan(dcgan["final_median"]) and np.isnan(dcgan["final_iqr"])
    )


def test_refusals_and_empty_records() -> None:
    rows = sweep_rows()
    rows.append(fid("dcgan", 20.0, seed=5, trial=4, sweep_phase="final"))
    with pytest.raises(ValueError, match=r"final phase of dcgan on mnist-5k trained trials \[1, 4\]"):
        sweep_table(records_frame(rows), "fid")
    mixed = [
        {**r, "n_fake": 500} if r.get("trial") == 0 and r["variant"] == "dcgan" else r for r in sweep_rows()
    ]
    with pytest.raises(ProtocolMismatchError, match="n_fake differs"):
        sweep_table(records_frame(mixed), "fid")
    plain = records_frame([fid("dcgan", 30.0, seed=0)])  # a run, not a sweep
    assert sweep_table(plain, "fid").empty
    with pytest.raises(ValueError, match="no value of 'fid' from a sweep"):
        sweep_figure(plain, "fid")


def test_the_figure_draws_every_value_and_says_which_way_is_better() -> None:
    fig = sweep_figure(records_frame(sweep_rows()), "fid")
    assert isinstance(fig, Figure)
    search, final = (ax for ax in fig.axes if ax.get_visible())
    assert "over the search trials\nlower is better ↓" in search.get_title()
    assert "best trial over seeds" in final.get_title()
    assert [t.get_text() for t in search.get_xticklabels()] == [
        "dcgan\n5 trials, 1 diverged",
        "wgan-gp\n4 trials, 1 failed",
    ]
    assert [t.get_text() for t in final.get_xticklabels()] == ["dcgan\n3 seeds", "wgan-gp\n4 seeds"]
    strip = [
        c.get_offsets() for c in search.collections if len(c.get_offsets()) > 1 or c.get_sizes()[0] < 100
    ]
    assert sorted(np.concatenate(strip)[:, 1]) == sorted([40.0, 30.0, 35.0, 50.0, 60.0, 25.0, 70.0])
    stars = [c.get_offsets()[0, 1] for c in search.collections if c.get_sizes()[0] >= 100]
    assert stars == [30.0, 25.0]
    medians = sorted(line.get_ydata()[0] for line in final.lines if line.get_linewidth() == 2)
    assert medians == [27.0, 31.0]  # the table's final_median: the box and the table agree
    assert any(line.get_linestyle() == "--" and line.get_ydata()[0] == 1.0 for line in final.lines)  # real
    assert Image.open(io.BytesIO(png(fig))).format == "PNG"


def test_two_datasets_get_a_row_of_panels_each() -> None:
    rows = sweep_rows("mnist-5k") + sweep_rows("fashion-mnist", shift=100.0)
    fig = sweep_figure(records_frame(rows), "fid")
    titles = [ax.get_title() for ax in fig.axes if ax.get_visible()]
    assert len(titles) == 4 and titles[2].startswith("fashion-mnist: fid over the search trials")
    table = sweep_table(records_frame(rows), "fid")
    assert list(zip(table["dataset"], table["variant"], strict=True))[2] == ("fashion-mnist", "dcgan")
    assert table["search_value"].tolist() == [30.0, 25.0, 130.0, 125.0]
    assert isinstance(table, pd.DataFrame)
