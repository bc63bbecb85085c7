"""A class-conditional variant inside `ganbench run`: its samples carry their classes, so the
conditional measures are computed for it, and skipped (with a note) for the unconditional ones."""

from pathlib import Path

import pytest
from click.testing import CliRunner

import ganbench
from ganbench.cli import main

CONDITIONAL_KEYS = {"intra_fid", "gan_test_accuracy"}


@pytest.mark.slow
def test_cgan_gets_the_conditional_measures_in_a_run(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        [
            "run",
            "--preset",
            "smoke",
            "--variants",
            "cgan,dcgan",
            "--metrics",
            "fid,intra-fid,gan-test",
            "--out",
            str(tmp_path),
            "--no-progress",
        ],
    )
    assert result.exit_code == 0, result.output
    assert (
        "note: intra-fid skipped for dcgan seed 0: needs the labels the fake images were generated for"
        in (result.output)
    )
    (run_dir,) = tmp_path.iterdir()
    records = ganbench.load_records(run_dir)
    keys = {v: set(records[records["variant"] == v]["key"]) for v in ("real", "cgan", "dcgan")}
    assert keys["cgan"] >= CONDITIONAL_KEYS and keys["real"] >= CONDITIONAL_KEYS  # real: the training labels
    assert not CONDITIONAL_KEYS & keys["dcgan"] and "fid" in keys["dcgan"]
    cgan = records[records["variant"] == "cgan"].set_index("key")["value"]
    assert 0.0 <= cgan["gan_test_accuracy"] <= 1.0 and cgan["intra_fid"] > 0

    # the run folder as `evaluate`'s fake side: the cgan generator is rebuilt for the run's classes
    # and sampled as the run sampled it, classes kept: the same images and labels (one content hash)
    again = CliRunner().invoke(
        main,
        ["evaluate", "--real", "mnist-5k", "--fake", str(run_dir), "--metrics", "intra-fid",
         "--n-real", "200", "--out", str(tmp_path / "evaluated"), "--no-progress"],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    (evaluated,) = (tmp_path / "evaluated").iterdir()
    rescored = ganbench.load_records(evaluated)
    rescored_cgan = rescored[rescored["variant"] == "cgan"]
    assert "intra_fid" in set(rescored_cgan["key"])
    ran = records[records["variant"] == "cgan"]
    assert set(rescored_cgan["fake_sha256"]) == set(ran["fake_sha256"]) and len(set(ran["fake_sha256"])) == 1
