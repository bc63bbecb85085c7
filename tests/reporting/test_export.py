import json
from pathlib import Path

import pandas as pd
import pytest
from records_helpers import key_rows, records_frame

import ganbench
from ganbench.reporting.export import export


def frame() -> pd.DataFrame:
    real = {**key_rows("real", [0.5])[0], "seed": None}
    rows = [real, *key_rows("dcgan", [10.0, 12.0], params={"k": 3, "splits": [1, 2]})]
    return records_frame(rows)


def test_parquet_keeps_values_and_types(tmp_path: Path) -> None:
    records = frame()
    path = export(records, tmp_path / "out" / "records.parquet")
    back = pd.read_parquet(path)
    assert list(back.columns) == list(records.columns) and len(back) == 3
    assert str(back["seed"].dtype) == "Int64" and pd.isna(back.loc[0, "seed"])
    assert list(back["value"]) == [0.5, 10.0, 12.0]
    assert json.loads(back.loc[1, "params"]) == {"k": 3, "splits": [1, 2]}  # dicts travel as JSON text


def test_csv_round_trip(tmp_path: Path) -> None:
    path = export(frame(), tmp_path / "records.CSV")
    back = pd.read_csv(path)
    assert list(back["variant"]) == ["real", "dcgan", "dcgan"] and list(back["value"]) == [0.5, 10.0, 12.0]
    assert json.loads(back.loc[2, "params"])["k"] == 3


def test_summary_frames_export_too(tmp_path: Path) -> None:
    summary = ganbench.summary(frame())
    back = pd.read_parquet(ganbench.export(summary, tmp_path / "summary.parquet"))
    assert list(back["variant"]) == ["real", "dcgan"] and back.loc[1, "mean"] == 11.0


def test_other_suffixes_are_refused(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match=r"must end in .csv or .parquet"):
        export(frame(), tmp_path / "records.xlsx")
    assert not list(tmp_path.iterdir())
