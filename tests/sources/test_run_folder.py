"""A ganbench run folder: one generated set per (variant, seed), the samples the run scored."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

import ganbench
from ganbench.registry import VARIANTS
from ganbench.reporting.records import append_records, make_record
from ganbench.sources import SourceError, parse_source
from ganbench.training import sample
from ganbench.training.artifacts import save_sample_grid

CPU = torch.device("cpu")
DCGAN = VARIANTS["dcgan"]


def _handmade_run(root: Path, *, seeds: tuple[int, ...] = (0, 2), diverged: tuple[int, ...] = ()) -> Path:
    """A run folder as ``ganbench run`` leaves it, with untrained dcgan generators (seeded inits)."""
    run = root / "20250101-000000-smoke"
    config = dataclasses.replace(ganbench.load_preset("smoke"), variants=("dcgan",), seeds=seeds)
    meta = {
        "config": config.to_dict(),
        "dataset_used": "mnist-5k",
        "image_shape": [1, 28, 28],
        "device": "cpu",
    }
    run.mkdir(parents=True)
    (run / "run.json").write_text(json.dumps(meta))
    append_records(
        run / "records.jsonl",
        [
            make_record(variant="dcgan", seed=s, status="diverged" if s in diverged else "ok", metric="fid")
            for s in seeds
        ],
    )
    for s in seeds:
        torch.manual_seed(100 + s)
        generator = DCGAN.build_generator(DCGAN.latent_dim, 1, 28)
        (run / "dcgan" / f"seed{s}").mkdir(parents=True)
        torch.save(generator.state_dict(), run / "dcgan" / f"seed{s}" / "generator.pt")
    return run


def _saved_generator(run: Path, seed: int, channels: int = 1, size: int = 28) -> torch.nn.Module:
    generator = DCGAN.build_generator(DCGAN.latent_dim, channels, size)
    generator.load_state_dict(torch.load(run / "dcgan" / f"seed{seed}" / "generator.pt", weights_only=True))
    return generator


def test_each_unit_is_sampled_with_its_own_seed(tmp_path: Path) -> None:
    run = _handmade_run(tmp_path)
    spec = parse_source(str(run), role="fake")
    assert spec.kind == "run" and spec.describe() == f"run {run} (2 generators)"
    sets = spec.load(n=16, seed=99, device=CPU, progress=False)
    assert [(s.label, s.seed) for s in sets] == [("dcgan", 0), ("dcgan", 2)]
    for loaded in sets:
        expected = sample(_saved_generator(run, loaded.seed), 16, latent_dim=100, seed=loaded.seed)
        assert torch.equal(loaded.images, expected)
        assert loaded.source == f"run {run} dcgan seed {loaded.seed}"
        assert loaded.generator is not None and loaded.generator.latent_dim == 100
    assert sets[0].sha256 != sets[1].sha256
    with pytest.raises(SourceError, match="give the number of images n"):
        spec.load(n=None, seed=0, device=CPU, progress=False)


def test_a_run_sampled_on_another_kind_of_device_says_so(tmp_path: Path) -> None:
    run = _handmade_run(tmp_path, seeds=(0,))
    meta = json.loads((run / "run.json").read_text())
    meta["device"] = "cuda:0"
    (run / "run.json").write_text(json.dumps(meta))
    (loaded,) = parse_source(str(run), role="fake").load(n=2, seed=0, device=CPU, progress=False)
    assert loaded.source.endswith("seed 0 (sampled on cpu; the run sampled on cuda:0, so not its images)")


def test_diverged_units_are_left_out(tmp_path: Path) -> None:
    spec = parse_source(str(_handmade_run(tmp_path, diverged=(2,))), role="fake")
    assert "left out (diverged): dcgan seed 2" in spec.describe()
    assert [s.seed for s in spec.load(n=2, seed=0, device=CPU, progress=False)] == [0]
    with pytest.raises(SourceError, match="every unit of the run diverged"):
        parse_source(str(_handmade_run(tmp_path / "all", seeds=(0,), diverged=(0,))), role="fake")


def test_without_image_shape_the_runs_dataset_gives_it(tmp_path: Path) -> None:
    run = _handmade_run(tmp_path, seeds=(0,))
    meta = json.loads((run / "run.json").read_text())
    del meta["image_shape"]  # runs written before image_shape existed
    (run / "run.json").write_text(json.dumps(meta))
    (loaded,) = parse_source(str(run), role="fake").load(n=4, seed=0, device=CPU, progress=False)
    assert torch.equal(loaded.images, sample(_saved_generator(run, 0), 4, latent_dim=100, seed=0))
    meta["dataset_used"] = "no-such-dataset"
    (run / "run.json").write_text(json.dumps(meta))
    spec = parse_source(str(run), role="fake")
    with pytest.raises(
        SourceError, match=r"run\.json has no image_shape, and the run's dataset 'no-such-dataset'"
    ):
        spec.load(n=4, seed=0, device=CPU, progress=False)


def test_broken_runs_are_refused_naming_what_is_wrong(tmp_path: Path) -> None:
    run = _handmade_run(tmp_path)
    with pytest.raises(SourceError, match="it can only be the fake side"):
        parse_source(str(run), role="real")
    (run / "dcgan" / "seed2" / "generator.pt").unlink()
    with pytest.raises(SourceError, match=r"seed2/generator\.pt is missing: the run's dcgan seed 2"):
        parse_source(str(run), role="fake")
    meta = json.loads((run / "run.json").read_text())
    meta["config"]["variants"] = ["dcgan", "progan"]
    (run / "run.json").write_text(json.dumps(meta))
    with pytest.raises(SourceError, match="variant 'progan', which is no longer registered"):
        parse_source(str(run), role="fake")
    (run / "run.json").write_text("{not json")
    with pytest.raises(SourceError, match="cannot be read as a ganbench run"):
        parse_source(str(run), role="fake")


def test_weights_that_do_not_fit_are_refused_when_loaded(tmp_path: Path) -> None:
    run = _handmade_run(tmp_path, seeds=(0,))
    meta = json.loads((run / "run.json").read_text())
    meta["image_shape"] = [3, 28, 28]
    (run / "run.json").write_text(json.dumps(meta))
    spec = parse_source(str(run), role="fake")
    with pytest.raises(SourceError, match=r"\(dcgan seed 0\): checkpoint .*generator\.pt does not fit"):
        spec.load(n=2, seed=0, device=CPU, progress=False)


@pytest.mark.slow
def test_a_real_smoke_run_reloads_the_samples_it_scored(tmp_path: Path) -> None:
    config = dataclasses.replace(ganbench.load_preset("smoke"), variants=("dcgan",), seeds=(1,))
    config = dataclasses.replace(config, eval=dataclasses.replace(config.eval, metrics=("fid",)))
    run = ganbench.run(config, out_dir=tmp_path, progress=False, log=lambda message: None)
    n = config.eval.n_samples
    (loaded,) = parse_source(str(run), role="fake").load(n=n, seed=0, device=CPU, progress=False)
    assert loaded.label == "dcgan" and loaded.seed == 1
    assert torch.equal(loaded.images, sample(_saved_generator(run, 1), n, latent_dim=100, seed=1))
    # the run's own sample grid (its first 64 scored samples) is exactly these images' grid
    save_sample_grid(loaded.images, tmp_path / "again.png")
    ours = np.asarray(Image.open(tmp_path / "again.png"))
    assert np.array_equal(ours, np.asarray(Image.open(run / "dcgan" / "seed1" / "samples.png")))
    records = ganbench.load_records(run)
    assert set(records.loc[records["variant"] == "dcgan", "n_fake"]) == {n}
