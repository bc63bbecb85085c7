"""`ganbench validate` as a user runs it: bad options refused before any work, and the quick
experiment end to end on mnist-5k with its verdicts, known results, records and report."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result

from ganbench.cli import main
from ganbench.registry import METRICS
from ganbench.reporting import load_records
from ganbench.studies.validate import QUICK_PARAMS, SLOW_BY_DEFAULT, default_metrics, unavailable_reason


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["validate", *args, "--no-progress"])


@pytest.mark.parametrize(
    ("args", "option", "words"),
    [
        (["--dataset", "cifar11"], "--dataset", "unknown dataset 'cifar11'"),
        (["--metrics", "fid,fidd"], "--metrics", "fidd"),
        (["--metrics", "recon-error"], "--metrics", "needs a generator"),
        (["--metrics", "tournament"], "--metrics", "run-level"),
        (["--controls", "1"], "--controls", ">= 2"),
        (["--n", "5"], "--n", ">= 20"),
        (["--n", "4000"], "--n", "room for sets of at most"),
        (["--ood", "clouds"], "--ood", "auto, noise or a dataset"),
    ],
)
def test_bad_options_are_refused_before_any_work(
    tmp_path: Path, args: list[str], option: str, words: str
) -> None:
    result = invoke(*args, "--out", str(tmp_path))
    assert result.exit_code == 2, result.output
    assert option in result.output and words in result.output, result.output
    assert not any(tmp_path.iterdir()), "a refused run must leave no folder"


def test_the_default_selection_is_every_measure_validate_can_score_but_the_slow_ones() -> None:
    chosen = default_metrics()
    for name, spec in METRICS.items():
        reason = unavailable_reason(spec)
        assert (name in chosen) == (reason is None and name not in SLOW_BY_DEFAULT), name


def test_quick_lowers_only_parameters_the_measures_have() -> None:
    for name, params in QUICK_PARAMS.items():
        assert set(params) <= set(METRICS[name].defaults), name


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The quick experiment on mnist-5k (all default measures, no synthetic checks: those are
    tested on their own), as a user runs it."""
    out = tmp_path_factory.mktemp("validate")
    result = CliRunner().invoke(
        main,
        ["validate", "--quick", "--no-synthetic", "--out", str(out), "--no-progress"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = [p for p in out.iterdir() if p.is_dir()]
    return run_dir


@pytest.mark.slow
def test_quick_run_records_every_measure_on_every_set(quick_run: Path) -> None:
    records = load_records(quick_run)
    meta = json.loads((quick_run / "run.json").read_text())
    assert meta["kind"] == "validate" and meta["n"] == 200 and meta["controls"] == 3
    final = records[records["stage"] == "final"]
    sets = final.groupby("variant")["metric"].nunique()
    expected_sets = 1 + sum(len(s["values"]) for s in meta["series"])  # the 3 control draws are one variant
    assert len(sets) == expected_sets
    assert set(final["metric"]) == set(meta["metrics"]) == set(default_metrics())
    control = final[final["variant"] == "control"]
    assert sorted(control["seed"].unique()) == [0, 1, 2]
    assert set(records["stage"]) == {"final", "sample-size"}
    assert set(records.loc[records["stage"] == "sample-size", "n_fake"]) == {100}
    noise = final[(final["defect"] == "gaussian-noise") & (final["key"] == "fid")].sort_values("severity")
    assert list(noise["severity"]) == [0.05, 0.1, 0.2, 0.4]
    assert noise["value"].is_monotonic_increasing  # FID grows with noise on real digits


@pytest.mark.slow
def test_quick_run_verdicts_and_known_results(quick_run: Path) -> None:
    verdicts = pd.read_csv(quick_run / "verdicts.csv").set_index("key")
    assert verdicts.loc["fid", "distortions_grade"] == "pass"
    assert verdicts.loc["coverage", "diversity_grade"] in ("pass", "weak")
    assert verdicts.loc["precision", "diversity_grade"] == "by design"
    assert verdicts.loc["memorization_copy_share", "memorisation_grade"] == "pass"
    assert verdicts.loc["fid", "memorisation_grade"] == "fail"  # FID misses copies of the training set
    report = (quick_run / "report.md").read_text()
    # Recall and coverage fall with mode dropping by 15-40 control sigmas on every machine; whether
    # precision "holds" is decided on 3 controls of 200 samples, and its grade depends on the CPU the
    # domain classifier trained on: "pass" on some, "weak" (a 4-sigma drop) on an AVX-512 VM, "fail"
    # (ρ = -0.71 at Δ = +0.8 σ) on another on 2026-12-02. The test asserts that it is graded.
    (dropping,) = [
        line for line in report.splitlines() if "Recall and coverage fall with mode dropping" in line
    ]
    assert "recall: pass" in dropping and "coverage: pass" in dropping
    assert any(f"precision: {grade}" in dropping for grade in ("pass", "weak", "fail"))
    assert "**shown**: Birthday support estimates follow K" in report
    html = (quick_run / "report.html").read_text()
    assert html.count("data:image/png;base64,") == len(
        json.loads((quick_run / "run.json").read_text())["series"]
    )
    assert "<script" not in html and 'src="http' not in html  # self-contained: nothing fetched


@pytest.mark.slow
def test_report_rebuilds_a_validate_folder(quick_run: Path) -> None:
    (quick_run / "report.md").unlink()
    result = CliRunner().invoke(main, ["report", str(quick_run)], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    assert (quick_run / "report.md").exists() and "Recall and coverage" in result.output


@pytest.mark.slow
def test_a_measure_that_cannot_score_a_synthetic_check_is_a_finding_not_a_failed_run(tmp_path: Path) -> None:
    # TopP&R's bandwidth is 0 on the discrete synthetic sets (most rows have exact duplicates): it
    # says so, the check's column shows n/a, and the run still succeeds with the other rows
    result = CliRunner().invoke(
        main,
        ["validate", "--quick", "--metrics", "vendi,top-pr", "--out", str(tmp_path), "--no-progress"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (run,) = tmp_path.iterdir()
    assert not (run / "errors.txt").exists()
    errors = (run / "synthetic_errors.txt").read_text()
    assert "discrete-numerical-vs-continuous-numerical" in errors and "bandwidth came out 0" in errors
    report = (run / "report.md").read_text()
    assert "could not score a synthetic check" in report
    verdicts = pd.read_csv(run / "verdicts.csv")
    assert {"vendi", "top_precision", "top_recall"} <= set(verdicts["key"])
