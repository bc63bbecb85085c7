import json
from pathlib import Path

import pandas as pd
import pytest

from ganbench.reporting.records import FIELDS, RECORDS_FILE, append_records, load_records, make_record


def test_records_round_trip_into_pandas(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    append_records(path, [make_record(variant="dcgan", metric="fid", key="fid", value=1.5, params={"k": 3})])
    append_records(path, [make_record(variant="lsgan", metric="fid", key="fid", value=float("nan"))])
    df = load_records(tmp_path)
    assert list(df.columns) == list(FIELDS) and len(df) == 2
    assert df.loc[0, "params"] == {"k": 3} and pd.isna(df.loc[1, "value"])  # NaN is stored as null
    assert pd.read_json(path, lines=True).shape == (2, len(FIELDS))


def test_unknown_fields_are_refused() -> None:
    with pytest.raises(KeyError, match="unknown record fields"):
        make_record(colour="red")


def test_truncated_last_line_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    append_records(path, [make_record(metric="fid", key="fid", value=1.0)])
    with open(path, "a") as f:
        f.write('{"run_id": "x", "val')  # a kill mid-write
    with pytest.warns(UserWarning, match="truncated last line"):
        df = load_records(path)
    assert len(df) == 1


def test_corrupt_middle_line_is_an_error_naming_the_line(tmp_path: Path) -> None:
    path = tmp_path / "records.jsonl"
    path.write_text(
        json.dumps(make_record(value=1.0)) + "\nnot json\n" + json.dumps(make_record(value=2.0)) + "\n"
    )
    with pytest.raises(ValueError, match=r"records.jsonl:2 is not a JSON record"):
        load_records(path)


def test_missing_records_say_what_to_pass(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="ganbench run"):
        load_records(tmp_path)


def test_a_run_written_before_the_schema_grew_still_loads(tmp_path: Path) -> None:
    # runs of 0.1 lack budget_kimg / budget_seconds: the fields load as missing, nothing breaks
    old = {name: None for name in FIELDS if name not in ("budget_kimg", "budget_seconds")}
    old.update(run_id="r", variant="dcgan", seed=0, metric="fid", key="fid", value=12.5, direction="lower")
    (tmp_path / RECORDS_FILE).write_text(json.dumps(old) + "\n")
    frame = load_records(tmp_path)
    assert frame.loc[0, "value"] == 12.5 and pd.isna(frame.loc[0, "budget_kimg"])
    assert list(frame.columns) == list(FIELDS)


def test_records_say_how_their_interval_was_made_and_older_runs_lack_it(tmp_path: Path) -> None:
    assert FIELDS.index("ci_method") == FIELDS.index("ci_high") + 1
    record = make_record(
        metric="fid", key="fid", value=1.0, ci_low=0.5, ci_high=1.5, ci_method="bootstrap-recompute"
    )
    older = {name: value for name, value in record.items() if name != "ci_method"}
    append_records(tmp_path / RECORDS_FILE, [record, older])
    frame = load_records(tmp_path)
    assert frame.loc[0, "ci_method"] == "bootstrap-recompute" and pd.isna(frame.loc[1, "ci_method"])


def write_run(root: Path, run_id: str, values: list[float]) -> Path:
    run_dir = root / run_id
    rows = [
        make_record(run_id=run_id, variant="dcgan", seed=s, metric="fid", key="fid", value=v)
        for s, v in enumerate(values)
    ]
    append_records(run_dir / RECORDS_FILE, rows)
    return run_dir


def test_runs_named_by_a_list_or_a_glob_are_concatenated_with_their_run_ids(tmp_path: Path) -> None:
    first = write_run(tmp_path, "20260101-smoke", [1.0, 2.0])
    second = write_run(tmp_path, "20260102-smoke", [3.0])
    (tmp_path / "notes.txt").write_text("not a run")  # a glob's stray match is left out
    by_list = load_records([first, second / RECORDS_FILE])
    by_glob = load_records(str(tmp_path / "2026*"))
    assert list(by_list["run_id"]) == ["20260101-smoke"] * 2 + ["20260102-smoke"]
    assert list(by_list["value"]) == [1.0, 2.0, 3.0] and list(by_list.columns) == list(FIELDS)
    pd.testing.assert_frame_equal(by_list, by_glob)
    assert str(by_glob["seed"].dtype) == "Int64"
    assert len(load_records([str(tmp_path / "*"), first])) == 3  # a run named twice is loaded once
    assert len(load_records(str(tmp_path / "**" / RECORDS_FILE))) == 3


def test_a_glob_that_matches_no_run_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match=r"matched nothing: give a glob of run directories"):
        load_records(str(tmp_path / "missing-*"))
    (tmp_path / "notes.txt").write_text("not a run")
    with pytest.raises(FileNotFoundError, match=r"matched 1 path\(s\), none a run directory"):
        load_records(str(tmp_path / "*.txt"))
    with pytest.raises(FileNotFoundError, match="no runs given"):
        load_records([])
