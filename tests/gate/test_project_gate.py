"""The project's own quality gate (benchmarks/thresholds/ci.toml) passes a good run and fails sabotaged ones.

The good run is exactly the run `.ci/run` makes (benchmarks/thresholds/ci-run.toml). A sabotaged
run is the same run, one seed, with DCGAN's generator replaced by one that outputs noise or one
that outputs a single image for every z (total mode collapse): everything else, the training
included, is unchanged, so a gate that passes them could not catch a regression.
"""

from __future__ import annotations

import dataclasses
import json
import os
from collections.abc import Callable
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner, Result
from torch import nn

from ganbench.cli import main
from ganbench.config import RunConfig, check_config, load_config_file
from ganbench.networks import ConvGenerator
from ganbench.registry import VARIANTS

ROOT = Path(__file__).resolve().parents[2]
RUN_CONFIG = ROOT / "benchmarks" / "thresholds" / "ci-run.toml"
THRESHOLDS = ROOT / "benchmarks" / "thresholds" / "ci.toml"


class NoiseGenerator(nn.Module):
    """Images of uniform-looking noise: tanh of a fixed, large random projection of z (a function
    of z, so sampling stays seeded); one trainable scalar so the optimiser has a parameter."""

    def __init__(self, latent_dim: int, channels: int, image_size: int) -> None:
        super().__init__()
        self.shape = (channels, image_size, image_size)
        fixed = torch.Generator().manual_seed(7)
        projection = torch.randn(latent_dim, channels * image_size**2, generator=fixed)
        self.register_buffer("projection", 10 * projection)
        self.unused = nn.Parameter(torch.zeros(()))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return torch.tanh(z @ self.projection).view(-1, *self.shape) + 0 * self.unused


class OneImageGenerator(ConvGenerator):
    """DCGAN's generator, trained as usual, but every z of a batch is mapped to the first z's image."""

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return super().forward(z[:1]).expand(z.shape[0], -1, -1, -1)


def run_and_check(out: Path, *extra: str) -> tuple[Result, Result]:
    runner = CliRunner()
    ran = runner.invoke(
        main, ["run", "--config", str(RUN_CONFIG), "--out", str(out), "--no-progress", *extra],
        catch_exceptions=False,
    )  # fmt: skip
    assert ran.exit_code == 0, ran.output
    (run_dir,) = out.iterdir()
    checked = runner.invoke(main, ["check", str(run_dir), "--thresholds", str(THRESHOLDS)])
    return ran, checked


def made_by_ci() -> Path | None:
    """The gate run `.ci/run` made just before the tests (``$GANBENCH_CI_GATE_RUN``), if any."""
    made = os.environ.get("GANBENCH_CI_GATE_RUN")
    return Path(made) if made else None


@pytest.mark.slow
def test_the_ci_run_passes_its_gate(tmp_path: Path) -> None:
    made = made_by_ci()
    if made is None:
        _, checked = run_and_check(tmp_path)
    else:  # the very run of ci-run.toml that .ci/run trained a minute ago: not trained twice
        expected = check_config(load_config_file(RUN_CONFIG, RunConfig())).to_dict()
        assert json.loads((made / "run.json").read_text())["config"] == json.loads(json.dumps(expected))
        checked = CliRunner().invoke(main, ["check", str(made), "--thresholds", str(THRESHOLDS)])
    assert checked.exit_code == 0, checked.output


@pytest.mark.slow
@pytest.mark.parametrize("sabotage", [NoiseGenerator, OneImageGenerator], ids=["noise", "one-image"])
def test_a_sabotaged_generator_fails_the_gate(
    sabotage: Callable[..., nn.Module], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sabotaged = dataclasses.replace(VARIANTS["dcgan"], build_generator=sabotage)
    monkeypatch.setitem(VARIANTS._entries, "dcgan", sabotaged)
    _, checked = run_and_check(tmp_path, "--seeds", "0")
    assert checked.exit_code == 1, checked.output
    assert "FAIL" in checked.output
