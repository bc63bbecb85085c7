"""Appending records safely: no duplicates on a resume, no interleaving between processes, and a
line cut short by a kill removed before the next append (issue #12)."""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest
from records_helpers import append_many

from ganbench.reporting.records import (
    RECORDS_FILE,
    append_records,
    load_records,
    make_record,
    record_identity,
)


def _record(variant: str, seed: int, key: str, value: float, **extra: object) -> dict:
    return make_record(
        run_id="r", variant=variant, seed=seed, stage="final", metric="fid", key=key, value=value, **extra
    )


def test_unique_append_leaves_out_records_the_file_holds(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    first = [_record("dcgan", 0, "fid", 3.0), _record("dcgan", 1, "fid", 4.0)]
    assert append_records(path, first, unique=True) == 2
    again = [_record("dcgan", 1, "fid", 4.0), _record("lsgan", 0, "fid", 5.0)]
    assert append_records(path, again, unique=True) == 1
    frame = load_records(path)
    assert sorted(zip(frame["variant"], frame["seed"], strict=True)) == [
        ("dcgan", 0),
        ("dcgan", 1),
        ("lsgan", 0),
    ]
    # without unique, the caller decides (validate writes distinct records only)
    assert append_records(path, again) == 2
    assert len(load_records(path)) == 5


def test_identity_tells_trials_phases_and_checkpoints_apart() -> None:
    base = _record("dcgan", 0, "fid", 1.0)
    others = [
        _record("dcgan", 0, "fid", 1.0, trial=2, sweep_phase="search"),
        _record("dcgan", 0, "fid", 1.0, sweep_phase="final"),
        make_record(**{**base, "stage": "checkpoint", "kimg": 4.0}),
        make_record(**{**base, "key": "fid_std"}),
    ]
    identities = {record_identity(r) for r in [base, *others]}
    assert len(identities) == 5
    # the value, the time and the training seconds are not part of what a record is
    assert record_identity(make_record(**{**base, "value": 9.0, "time": "x", "train_seconds": 3.0})) == (
        record_identity(base)
    )


def test_a_partial_last_line_is_cut_before_the_next_append(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    append_records(path, [_record("dcgan", 0, "fid", 3.0)])
    with open(path, "a") as f:  # a write killed halfway
        f.write(json.dumps(_record("dcgan", 1, "fid", 4.0))[:40])
    with pytest.warns(UserWarning, match="truncated last line"):
        assert len(load_records(path)) == 1
    with pytest.warns(UserWarning, match="partial last line"):
        append_records(path, [_record("lsgan", 0, "fid", 5.0)], unique=True)
    lines = path.read_text().splitlines()
    assert [json.loads(line)["variant"] for line in lines] == ["dcgan", "lsgan"]


@pytest.mark.slow
def test_appends_from_several_processes_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / RECORDS_FILE
    spawn = multiprocessing.get_context("spawn")
    workers = [spawn.Process(target=append_many, args=(str(path), w, 25)) for w in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=120)
        assert worker.exitcode == 0
    lines = path.read_text().splitlines()
    assert len(lines) == 4 * 25 * 3
    parsed = [json.loads(line) for line in lines]  # every line whole
    for w in range(4):
        seeds = [r["seed"] for r in parsed if r["variant"] == f"w{w}"]
        assert seeds == sorted(seeds) and len(seeds) == 75
