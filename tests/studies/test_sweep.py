"""``ganbench sweep``: bad settings refused before any work, the two phases' jobs, the choice of the
best trial, the report's sweep parts, ``ganbench list spaces``, and a whole sweep from the CLI
(slow) that is then resumed with nothing left to do."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner, Result
from records_helpers import records_frame

from ganbench.analysis.sweeps import final_phase, sweep_table
from ganbench.cli import main
from ganbench.config import RunConfig, check_config
from ganbench.registry import VARIANTS
from ganbench.reporting.records import load_records
from ganbench.reporting.sweep_report import sweep_markdown, sweep_terminal
from ganbench.studies.sweep import SweepError, SweepPlan, SweepSettings, check_sweep
from ganbench.variants.configure import variant_settings
from ganbench.variants.space_file import load_space_file


def sweep_cli(*args: str, out: Path) -> Result:
    return CliRunner().invoke(
        main, ["sweep", "--preset", "smoke", "--variants", "vanilla,dcgan", *args, "--out", str(out)]
    )


BAD_SWEEPS = [
    (["--trials", "0"], ["--trials", "0"]),
    (["--metrics", "fid", "--key", "precision"], ["--key", "precision", "precision-recall"]),
    (["--metrics", "fid", "--key", "nonsense"], ["--key", "nonsense"]),
    (["--seeds", "0,1000"], ["--search-seed", "1000"]),
    (["--search-seed", "-1"], ["--search-seed"]),
]


@pytest.mark.parametrize(("arguments", "names"), BAD_SWEEPS, ids=lambda v: " ".join(v))
def test_bad_sweep_settings_are_refused_before_any_work(
    arguments: list[str], names: list[str], tmp_path: Path, no_work: None
) -> None:
    """Exit 2, one error line naming the option and the value or what to use, no run folder."""
    result = sweep_cli(*arguments, out=tmp_path / "reports")
    assert result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for name in names:
        assert name in errors[0], (name, errors[0])
    assert not (tmp_path / "reports").exists() or not any((tmp_path / "reports").iterdir())


def test_a_space_file_with_a_range_a_variant_cannot_take_is_refused(tmp_path: Path, no_work: None) -> None:
    space = tmp_path / "space.toml"
    space.write_text("[dcgan]\nbeta1 = { uniform = [0.0, 2.0] }\n")
    result = sweep_cli("--space", str(space), out=tmp_path / "reports")
    assert result.exit_code == 2, result.output
    assert "--space" in result.output and "[dcgan]" in result.output and "beta1" in result.output
    missing = sweep_cli("--space", str(tmp_path / "nope.toml"), out=tmp_path / "reports")
    assert missing.exit_code == 2 and "nope.toml" in missing.output, missing.output


def test_resume_takes_no_sweep_setting(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["sweep", "--resume", str(tmp_path), "--trials", "4"])
    assert result.exit_code == 2, result.output
    assert "--trials" in result.output and "leave out" in result.output


def plan(trials: int = 3, seeds: tuple[int, ...] = (0, 1)) -> SweepPlan:
    config = check_config(RunConfig(variants=("vanilla", "wgan-gp"), seeds=seeds))
    settings = SweepSettings(trials=trials)
    return SweepPlan(settings, config, check_sweep(config, settings))


def test_trials_are_drawn_from_each_variants_space_and_jobs_cover_both_phases() -> None:
    sweep = plan()
    assert sweep.trials == plan().trials  # deterministic
    assert "penalty_weight" in sweep.trials["wgan-gp"][0]
    assert "penalty_weight" not in sweep.trials["vanilla"][0]
    search = sweep.search_jobs()
    assert [(j.variant, j.trial) for j in search[:3]] == [("vanilla", 0), ("wgan-gp", 0), ("vanilla", 1)]
    assert {j.seed for j in search} == {1000} and {j.sweep_phase for j in search} == {"search"}
    assert str(search[1].unit_path) == "wgan-gp/trial0/seed1000"
    assert dict(search[1].hyperparameters) == sweep.trials["wgan-gp"][0]
    final = sweep.final_jobs({"wgan-gp": 2})
    assert [(j.variant, j.trial, j.seed, str(j.unit_path)) for j in final] == [
        ("wgan-gp", 2, 0, "wgan-gp/final/seed0"),
        ("wgan-gp", 2, 1, "wgan-gp/final/seed1"),
    ]
    assert variant_settings(final[0].resolved_variant()) == sweep.trials["wgan-gp"][2]


def test_sweep_json_round_trips_the_trials_exactly(tmp_path: Path) -> None:
    sweep = plan()
    sweep.save(tmp_path)
    loaded = SweepPlan.load(tmp_path, sweep.config)
    assert loaded.trials == sweep.trials and loaded.settings == sweep.settings
    assert loaded.search_jobs() == sweep.search_jobs()


def search_records(values: dict[str, list[float | str]]) -> pd.DataFrame:
    """FID records of search trials (``"diverged"``: that trial has no value)."""
    rows = []
    for variant, trial_values in values.items():
        for trial, value in enumerate(trial_values):
            unit = {"variant": variant, "seed": 1000, "trial": trial, "sweep_phase": "search"}
            if value == "diverged":
                rows.append({**unit, "status": "diverged", "metric": "training", "key": "diverged_at_step"})
            else:
                rows.append({**unit, "metric": "fid", "key": "fid", "value": value, "direction": "lower"})
    return records_frame(rows)


def test_the_best_trial_is_the_lowest_fid_and_a_variant_without_values_gets_no_final_phase() -> None:
    said: list[str] = []
    best = plan().select(
        search_records({"vanilla": [30.0, 12.0, 12.0], "wgan-gp": ["diverged"] * 3}), said.append
    )
    assert best == {"vanilla": 1}  # ties go to the lower trial
    assert any("wgan-gp" in line and "no final phase" in line for line in said), said
    assert any("best vanilla trial 1" in line for line in said), said


def test_a_key_direction_decides_the_best_trial() -> None:
    records = search_records({"vanilla": [0.2, 0.9, 0.5]})
    records = records.assign(key="precision", metric="precision-recall", direction="higher")
    sweep = plan()
    sweep.settings = SweepSettings(trials=3, key="precision")
    assert sweep.select(records, lambda _: None) == {"vanilla": 1}


def test_final_phase_leaves_out_the_search_and_keeps_plain_runs_whole() -> None:
    records = search_records({"vanilla": [30.0, 12.0]})
    final = records_frame(
        [
            {"variant": "real", "metric": "fid", "key": "fid", "value": 1.0},
            {
                "variant": "vanilla",
                "seed": 0,
                "trial": 1,
                "sweep_phase": "final",
                "metric": "fid",
                "key": "fid",
            },
        ]
    )
    both = pd.concat([records, final], ignore_index=True)
    assert list(final_phase(both)["variant"]) == ["real", "vanilla"]
    plain = records_frame([{"variant": "dcgan", "seed": 0, "metric": "fid", "key": "fid"}])
    assert final_phase(plain).equals(plain)


def test_list_spaces_prints_every_declared_space_as_a_space_file_reads_it(tmp_path: Path) -> None:
    """The printed TOML, loaded back as a --space file, gives each variant exactly its declared space."""
    result = CliRunner().invoke(main, ["list", "spaces"])
    assert result.exit_code == 0, result.output
    body = [line for line in result.output.splitlines()[3:] if not line.strip().startswith("#")]
    path = tmp_path / "spaces.toml"
    path.write_text(textwrap.dedent("\n".join(body)))
    spaces = load_space_file(path)
    for name, variant in VARIANTS.items():
        assert spaces[name] == dict(variant.search_space), name


def test_check_sweep_refuses_settings_with_the_option_to_fix() -> None:
    config = check_config(RunConfig(variants=("vanilla",), seeds=(0,)))
    with pytest.raises(SweepError) as caught:
        check_sweep(config, SweepSettings(trials=2, search_seed=0))
    assert caught.value.option == "--search-seed"


@pytest.mark.slow
def test_a_sweep_from_the_cli_trains_both_phases_reports_them_and_resumes_with_nothing_to_do(
    tmp_path: Path,
) -> None:
    """2 variants x 2 trials, then the best of each on 2 seeds: 8 jobs of the smoke budget."""
    out = tmp_path / "reports"
    result = CliRunner().invoke(
        main,
        [
            "sweep",
            "--preset",
            "smoke",
            "--variants",
            "vanilla,dcgan",
            "--trials",
            "2",
            "--seeds",
            "0,1",
            "--metrics",
            "fid,kid",
            "--out",
            str(out),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = out.iterdir()
    records = load_records(run_dir)
    trained = records[(records["variant"] != "real") & (records["key"] == "fid")]
    search = trained[trained["sweep_phase"] == "search"]
    assert sorted(zip(search["variant"], search["trial"], search["seed"], strict=True)) == [
        ("dcgan", 0, 1000),
        ("dcgan", 1, 1000),
        ("vanilla", 0, 1000),
        ("vanilla", 1, 1000),
    ]
    sweep = json.loads((run_dir / "sweep.json").read_text())
    for variant in ("vanilla", "dcgan"):
        trials = search[search["variant"] == variant].set_index("trial")["value"]
        best = int(trials.idxmin())
        assert sweep["best"][variant] == best
        final = trained[(trained["variant"] == variant) & (trained["sweep_phase"] == "final")]
        assert sorted(final["seed"]) == [0, 1] and set(final["trial"]) == {best}
        assert final["hyperparameters"].iloc[0] == sweep["trials"][variant][best]
        assert (run_dir / variant / "final" / "seed0" / "samples.png").is_file()
        assert not (run_dir / variant / "trial0" / "seed1000" / "training_state.pt").exists()
    table = sweep_table(records, "fid").set_index("variant")
    assert table.loc["dcgan", "trials"] == 2 and table.loc["dcgan", "final_seeds"] == 2
    report = (run_dir / "report.md").read_text()
    assert "## Hyperparameter sweep: fid" in report and (run_dir / "sweep_fid.png").is_file()
    assert "| vanilla   |       2 |" in report  # the comparison table: the final phase's 2 seeds
    assert "Hyperparameter sweep" in (run_dir / "report.html").read_text()
    assert any("best trial" in line for line in sweep_terminal(run_dir, records, 100))
    assert sweep_markdown(run_dir, records)[0] == "## Hyperparameter sweep: fid"

    again = CliRunner().invoke(main, ["sweep", "--resume", str(run_dir), "--no-progress"])
    assert again.exit_code == 0, again.output
    assert len(load_records(run_dir)) == len(records)  # nothing trained, nothing written twice
