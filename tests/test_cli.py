"""The CLI end to end on the smoke preset, plus the bad inputs a new user hits first."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result
from helpers import FAST_PARAMS

import ganbench
from ganbench.cli import main
from ganbench.datasets._idx import write_idx
from ganbench.registry import METRICS

FOUR = ["vanilla", "dcgan", "lsgan", "wgan-gp"]


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture(scope="module")
def smoke_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("reports")
    result = invoke("run", "--preset", "smoke", "--out", str(out), "--no-progress")
    assert result.exit_code == 0, result.output
    (run_dir,) = out.iterdir()
    return run_dir


@pytest.mark.slow
def test_smoke_run_writes_records_report_and_artifacts(smoke_run: Path) -> None:
    records = ganbench.load_records(smoke_run)
    assert set(records["variant"]) == {"real", *FOUR}
    assert {"fid", "kid", "is", "precision", "recall", "density", "coverage"} <= set(records["key"])
    assert records["value"].notna().all()
    assert (records["dataset"] == "mnist-5k").all() and (records["n_real"] == records["n_fake"]).all()
    assert records["extractor_hash"].nunique() == 1 and records["torch_version"].notna().all()
    trained = records[records["variant"] != "real"]
    assert (trained["budget_kimg"] == 0.5).all() and trained["budget_seconds"].isna().all()  # requested
    assert (trained["kimg"] >= 0.5).all()  # achieved
    fid = records[records["key"] == "fid"].set_index("variant")["value"]
    assert (fid.drop("real") > fid["real"]).all()  # 0.5 kimg of training cannot beat real data
    for variant in FOUR:
        unit = smoke_run / variant / "seed0"
        for name in ("generator.pt", "discriminator.pt", "samples.png", "losses.csv", "losses.png"):
            assert (unit / name).exists(), unit / name
    report = (smoke_run / "report.md").read_text()
    assert "fid ↓" in report and "precision ↑" in report and "| real" in report
    table = pd.read_csv(smoke_run / "report.csv", index_col=0)
    assert {"fid_mean", "fid_std"} <= set(table.columns) and set(table.index) == {"real", *FOUR}
    meta = json.loads((smoke_run / "run.json").read_text())
    assert 0 <= meta["extractor"]["held_out_accuracy"] <= 1


@pytest.mark.slow
def test_same_seed_same_records(smoke_run: Path, tmp_path: Path) -> None:
    result = invoke(
        "run", "--preset", "smoke", "--variants", "dcgan", "--out", str(tmp_path), "--no-progress"
    )
    assert result.exit_code == 0, result.output
    (again,) = tmp_path.iterdir()
    columns = ["variant", "seed", "kimg", "g_steps", "metric", "key", "value", "std"]

    def dcgan(run_dir: Path) -> pd.DataFrame:
        df = ganbench.load_records(run_dir)
        df = df[df["variant"].isin(["real", "dcgan"]) & (df["metric"] != "tournament")]  # 4 vs 1 player
        return df[columns].reset_index(drop=True)

    pd.testing.assert_frame_equal(dcgan(smoke_run), dcgan(again))


@pytest.mark.slow
def test_report_command_rewrites_the_files_and_prints_a_table_within_100_columns(smoke_run: Path) -> None:
    (smoke_run / "report.md").unlink()
    result = invoke("report", str(smoke_run))
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert max(len(line) for line in lines) <= 100, max(lines, key=len)
    assert all(any(line.startswith(f"{variant} ") for line in lines) for variant in FOUR)
    printed = " ".join(lines)
    assert all(f" {key} " in printed for key in ("fid", "kid", "precision", "recall", "density", "coverage"))
    assert "| dcgan" in (smoke_run / "report.md").read_text()  # the file keeps the full Markdown table


def test_unknown_variant_lists_valid_ones() -> None:
    result = CliRunner().invoke(main, ["run", "--variants", "dcgan,stylegan9"])
    assert result.exit_code != 0
    assert "unknown variant 'stylegan9'" in result.output and "wgan-gp" in result.output


def test_unknown_metric_and_preset_are_refused() -> None:
    assert "valid metrics" in CliRunner().invoke(main, ["run", "--metrics", "fidd"]).output
    assert "valid presets" in CliRunner().invoke(main, ["run", "--preset", "huge"]).output


def test_missing_fashion_mnist_root_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from ganbench.datasets import fashion_mnist

    monkeypatch.setattr(fashion_mnist, "DEBIAN_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(fashion_mnist, "torchvision_download", _offline)
    result = CliRunner().invoke(
        main, ["run", "--dataset", "fashion-mnist", "--data-root", str(tmp_path / "none")]
    )
    assert result.exit_code != 0
    assert (
        str(tmp_path / "none") in result.output and "apt-get install dataset-fashion-mnist" in result.output
    )


def test_corrupt_idx_file_is_named(tmp_path: Path) -> None:
    raw = tmp_path / "MNIST" / "raw"
    raw.mkdir(parents=True)
    for split, n in (("train", 8), ("t10k", 4)):
        write_idx(raw / f"{split}-images-idx3-ubyte", np.zeros((n, 28, 28), np.uint8))
        write_idx(raw / f"{split}-labels-idx1-ubyte", np.zeros(n, np.uint8))
    broken = raw / "t10k-images-idx3-ubyte"
    broken.write_bytes(broken.read_bytes()[:100])  # truncated
    result = CliRunner().invoke(main, ["run", "--dataset", "mnist", "--data-root", str(tmp_path)])
    assert result.exit_code != 0 and str(broken) in result.output


def test_malformed_config_file_is_refused(tmp_path: Path) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text("[train]\nkimg = \n")
    result = CliRunner().invoke(main, ["run", "--config", str(bad)])
    assert result.exit_code != 0 and "not valid TOML" in result.output


def test_list_shows_every_registry() -> None:
    result = invoke("list")
    for expected in (
        "variants:",
        "wgan-gp",
        "datasets:",
        "mnist-5k",
        "cifar10",
        "folder:PATH",
        "metrics:",
        "fid",
        "extractors:",
        "presets:",
    ):
        assert expected in result.output
    metrics = invoke("list", "metrics").output
    assert "precision (higher)" in metrics and "c2st_1nn (target 0.5)" in metrics and "tournament" in metrics
    assert metrics.count("interval: ") == len(METRICS)  # every measure says how its interval is made
    assert "interval: bootstrap of per-sample values: resamples the critic's scores" in metrics
    assert "interval: none: run-level" in metrics and "interval: bootstrap, recomputed" in metrics


def test_help_shows_examples() -> None:
    assert "Examples:" in invoke("run", "--help").output


def _offline(*args: object, **kwargs: object) -> None:
    raise RuntimeError("no network (test)")


@pytest.mark.slow
def test_every_metric_runs_end_to_end(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Effort parameters lowered (a critic of 5 steps, a latent search of 5): the point is that every
    # measure runs through the CLI and is recorded, not its value; the records say the values used.
    for name in METRICS.names():
        for param, value in FAST_PARAMS.items():
            if param in METRICS[name].defaults:
                monkeypatch.setitem(METRICS[name].defaults, param, value)
    result = invoke(
        "run",
        "--preset",
        "smoke",
        "--variants",
        "dcgan,lsgan",
        "--metrics",
        "all",
        "--out",
        str(tmp_path),
        "--no-progress",
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = tmp_path.iterdir()
    records = ganbench.load_records(run_dir)
    dcgan = records[records["variant"] == "dcgan"]
    # need class-conditional samples: `all` leaves them out of a run without a conditional variant
    conditional = {name for name, spec in ganbench.METRICS.items() if "fake_labels" in spec.extra_inputs}
    assert {"gan-test", "gan-train", "intra-fid", "vendi-per-class"} <= conditional
    assert set(dcgan["metric"]) == set(ganbench.METRICS.names()) - conditional  # run-level and labelled in
    real = records[records["variant"] == "real"]
    assert "recon-error" not in set(real["metric"])  # needs a generator: not run on the reference row
    assert (run_dir / "dcgan" / "seed0" / "metrics" / "birthday_pairs.png").exists()
    assert not (run_dir / "errors.txt").exists()
    critic = records[records.metric == "wasserstein-critic"].iloc[0]
    assert critic["params"]["steps"] == FAST_PARAMS["steps"]


@pytest.mark.slow
def test_bootstrap_adds_intervals(tmp_path: Path) -> None:
    args = ["run", "--preset", "smoke", "--variants", "dcgan,lsgan", "--metrics", "fid,precision-recall"]
    result = invoke(*args, "--bootstrap", "5", "--no-tournament", "--out", str(tmp_path), "--no-progress")
    assert result.exit_code == 0, result.output
    records = ganbench.load_records(next(tmp_path.iterdir()))
    assert records["ci_low"].notna().all() and (records["ci_low"] <= records["ci_high"]).all()
    assert "tournament" not in set(records["metric"])
    assert "[" in (next(tmp_path.iterdir()) / "report.md").read_text()


@pytest.mark.slow
def test_eval_every_records_checkpoints_and_leaves_the_final_records_alone(
    smoke_run: Path, tmp_path: Path
) -> None:
    result = invoke(
        "run", "--preset", "smoke", "--variants", "dcgan", "--eval-every", "0.2", "--out", str(tmp_path),
        "--no-progress",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (watched,) = tmp_path.iterdir()
    records = ganbench.load_records(watched)
    checkpoints = records[records["stage"] == "checkpoint"]
    assert sorted(set(checkpoints["kimg"])) == [0.224, 0.416]  # first G step past 0.2 and 0.4 kimg, batch 32
    assert {"fid", "precision"} <= set(checkpoints["key"])
    assert (checkpoints["variant"] == "dcgan").all() and (checkpoints["budget_kimg"] == 0.5).all()
    columns = ["variant", "seed", "kimg", "g_steps", "metric", "key", "value", "std"]

    def final_dcgan(run_dir: Path) -> pd.DataFrame:
        df = ganbench.load_records(run_dir)
        final = df["stage"] == "final"
        df = df[final & df["variant"].isin(["real", "dcgan"]) & (df["metric"] != "tournament")]
        return df[columns].reset_index(drop=True)

    pd.testing.assert_frame_equal(final_dcgan(smoke_run), final_dcgan(watched))
    assert "| dcgan" in (watched / "report.md").read_text()  # one row: checkpoints are not rows
