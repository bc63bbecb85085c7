"""`ganbench export`: runs, files or globs of them to one CSV or Parquet file."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from click.testing import CliRunner, Result
from records_helpers import key_rows

from ganbench.cli import main
from ganbench.reporting.records import RECORDS_FILE, append_records, make_record


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


def write_run(root: Path, run_id: str, values: list[float]) -> Path:
    rows = [make_record(run_id=run_id, status="ok", dataset="d", **row) for row in key_rows("dcgan", values)]
    append_records(root / run_id / RECORDS_FILE, rows)
    return root / run_id


def test_export_concatenates_runs_given_by_glob_and_path(tmp_path: Path) -> None:
    write_run(tmp_path, "run-a", [1.0, 2.0])
    second = write_run(tmp_path, "run-b", [3.0])
    out = tmp_path / "all.parquet"
    result = invoke("export", str(tmp_path / "run-*"), str(second), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert "written:" in result.output and "3 records from 2 run(s)" in result.output
    back = pd.read_parquet(out)
    assert list(back["run_id"]) == ["run-a", "run-a", "run-b"] and list(back["value"]) == [1.0, 2.0, 3.0]


def test_export_summary_to_csv(tmp_path: Path) -> None:
    write_run(tmp_path, "run-a", [1.0, 2.0])
    out = tmp_path / "summary.csv"
    result = invoke("export", str(tmp_path / "run-a"), "--summary", "-o", str(out))
    assert result.exit_code == 0, result.output
    row = pd.read_csv(out).iloc[0]
    assert row["variant"] == "dcgan" and row["n_seeds"] == 2 and row["mean"] == 1.5


def test_bad_input_exits_2_with_the_reason(tmp_path: Path) -> None:
    write_run(tmp_path, "run-a", [1.0])
    nothing = invoke("export", str(tmp_path / "missing-*"), "-o", str(tmp_path / "x.csv"))
    assert nothing.exit_code == 2 and "matched nothing" in nothing.output
    suffix = invoke("export", str(tmp_path / "run-a"), "-o", str(tmp_path / "x.xlsx"))
    assert suffix.exit_code == 2 and "must end in .csv or .parquet" in suffix.output
    assert invoke("export", "-o", str(tmp_path / "x.csv")).exit_code == 2  # no run given
    assert not (tmp_path / "x.csv").exists()


def test_corrupt_records_exit_1_naming_the_line(tmp_path: Path) -> None:
    run = write_run(tmp_path, "run-a", [1.0, 2.0])
    lines = (run / RECORDS_FILE).read_text().splitlines()
    (run / RECORDS_FILE).write_text("\n".join([lines[0], "not json", lines[1]]) + "\n")
    result = invoke("export", str(run), "-o", str(tmp_path / "x.csv"))
    assert result.exit_code == 1 and "records.jsonl:2 is not a JSON record" in result.output
