"""BEGAN and the VAE inside `ganbench run`: trained by the shared loop, sampled and scored like the
GANs; BEGAN's D joins the run-level measures with its scores negated, the VAE (no D) is left out."""

import csv
from pathlib import Path

import pytest
from click.testing import CliRunner

import ganbench
from ganbench.cli import main


@pytest.mark.slow
def test_began_and_vae_run_beside_a_gan(tmp_path: Path) -> None:
    result = CliRunner().invoke(
        main,
        ["run", "--preset", "smoke", "--variants", "began,vae,dcgan", "--metrics", "fid,tournament",
         "--out", str(tmp_path), "--no-progress"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert (
        "note: vae has no discriminator that judges images; run-level measures leave it out" in result.output
    )
    (run_dir,) = tmp_path.iterdir()
    records = ganbench.load_records(run_dir)
    fid = records[records["key"] == "fid"].set_index("variant")["value"]
    assert {"began", "vae", "dcgan"} <= set(fid.index) and (fid > 0).all()
    tournament = set(records[records["metric"] == "tournament"]["variant"])
    assert tournament == {"began", "dcgan"}
    with open(run_dir / "began" / "seed0" / "losses.csv") as f:
        assert {"k", "convergence"} <= set(next(csv.DictReader(f)))
