"""Run directories for the report tests: one assembled in seconds from the real artifact writers,
and one made by a real smoke run (slow, shared by the session)."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

import ganbench
from ganbench.metrics.birthday import birthday
from ganbench.metrics.ndb import ndb
from ganbench.metrics.spec import GeneratorHandle
from ganbench.reporting.records import append_records, make_record
from ganbench.training import artifacts

VARIANTS = ("vanilla", "dcgan")
SEEDS = (0, 1)
COMMON = {
    "run_id": "handmade",
    "dataset": "mnist-5k",
    "split": "test",
    "extractor": "domain-classifier",
    "extractor_hash": "0123456789abcdef",
    "extractor_protocol": "native resolution",
    "n_real": 100,
    "n_fake": 100,
    "device": "cpu",
    "ganbench_version": "0.2.0",
    "torch_version": "2.x",
    "torch_fidelity_version": "0.4.0",
    "git_commit": "abc123",
}
KEYS = {  # key -> (metric, space, direction, target)
    "fid": ("fid", "features", "lower", None),
    "precision": ("precision-recall", "features", "higher", None),
    "recall": ("precision-recall", "features", "higher", None),
    "density": ("density-coverage", "features", "higher", None),
    "coverage": ("density-coverage", "features", "higher", None),
    "c2st_1nn": ("c2st-1nn", "features", "target", 0.5),
    "is": ("is", "logits", "higher", None),
    "birthday_support": ("birthday", "pixels", "higher", None),
}


def key_record(key: str, value: float, **unit: Any) -> dict[str, Any]:
    metric, space, direction, target = KEYS[key]
    return make_record(
        **COMMON, **unit, metric=metric, key=key, value=value, space=space, direction=direction, target=target
    )


def unit_fields(variant: str, seed: int, **extra: Any) -> dict[str, Any]:
    return {
        "variant": variant,
        "seed": seed,
        "status": "ok",
        "kimg": 0.5,
        "g_steps": 16,
        "d_steps": 16,
        "budget_kimg": 0.5,
        **extra,
    }


def handmade_records() -> list[dict[str, Any]]:
    """A `real` row, two variants x two seeds over :data:`KEYS`, and a diverged lsgan unit."""
    rng = np.random.default_rng(0)
    rows = [key_record(key, 1.0 if key != "fid" else 0.5, variant="real", status="ok") for key in KEYS]
    for v, variant in enumerate(VARIANTS):
        for seed in SEEDS:
            for key in KEYS:
                base = {"fid": 50.0 + 10 * v, "birthday_support": 100.0 * (v + 1), "is": 2.0}.get(key, 0.5)
                rows.append(key_record(key, base + rng.normal(0, 0.05), **unit_fields(variant, seed)))
    rows.append(
        make_record(
            **COMMON,
            **unit_fields("lsgan", 0, status="diverged", kimg=0.1),
            metric="training",
            key="diverged_at_step",
            value=3.0,
            direction="lower",
            space="none",
        )
    )
    return rows


class TinyGenerator(nn.Module):
    """z [B, 4] -> images [B, 1, 8, 8] in [-1, 1]."""

    def __init__(self) -> None:
        super().__init__()
        self.net = nn.Sequential(nn.Linear(4, 64), nn.Tanh(), nn.Unflatten(1, (1, 8, 8)))

    def forward(self, z: torch.Tensor) -> torch.Tensor:
        return self.net(z)


def write_unit_files(unit_dir: Path, seed: int, train_uint8: torch.Tensor) -> None:
    """What a trained unit leaves, made by the real writers on 8x8 images."""
    gen = torch.Generator().manual_seed(seed)
    fake = torch.randint(0, 256, (100, 1, 8, 8), generator=gen).to(torch.uint8)
    artifacts.save_sample_grid(fake, unit_dir / "samples.png")
    artifacts.save_losses(
        [{"kimg": 0.032 * (i + 1), "d_loss": 1.0 / (i + 1), "g_loss": 0.5 + 0.1 * i} for i in range(5)],
        unit_dir,
        f"unit seed {seed}",
    )
    artifacts.save_nearest_neighbours(fake, train_uint8, unit_dir / "nearest_neighbours.png", k=3)
    torch.manual_seed(seed)
    handle = GeneratorHandle(TinyGenerator(), latent_dim=4, device=torch.device("cpu"))
    artifacts.save_interpolations(handle, unit_dir / "interpolation.png", seed=seed, rows=3, steps=5)
    metric_files(unit_dir / "metrics", seed=seed)


def metric_files(directory: Path, seed: int) -> None:
    """``birthday.json`` (and its PNGs) and ``ndb.json`` from the measures themselves."""
    rng = np.random.default_rng(100 + seed)
    train = rng.random((200, 1, 8, 8), dtype=np.float32)
    held = rng.random((100, 1, 8, 8), dtype=np.float32)
    collapsed = train[rng.integers(0, 20 + 20 * seed, size=100)]  # few distinct images: duplicates
    birthday(real=held, fake=collapsed, train=train, batches=20, n_boot=10, artifact_dir=directory)
    features = rng.normal(size=(400, 4))
    ndb(
        real=features[:100],
        fake=features[100:200] + 0.5,
        train=features[200:],
        bins=10,
        artifact_dir=directory,
    )


@pytest.fixture(scope="session")
def handmade_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A run directory with every file a current run writes, made once by the real writers."""
    run_dir = tmp_path_factory.mktemp("handmade-template") / "handmade"
    append_records(run_dir / "records.jsonl", handmade_records())
    config = replace(ganbench.load_preset("smoke"), variants=(*VARIANTS, "lsgan"), seeds=SEEDS)
    meta = {
        "config": config.to_dict(),
        "dataset_used": "mnist-5k",
        "dataset_source": "hand-made test run",
        "fallback": None,
        "device": "cpu",
        "platform": "test",
        "extractor": {
            "name": "domain-classifier",
            "weights_sha256": "0123456789abcdef",
            "held_out_accuracy": 0.9,
        },
    }
    (run_dir / "run.json").write_text(json.dumps(meta))
    train_uint8 = torch.randint(0, 256, (60, 1, 8, 8), generator=torch.Generator().manual_seed(9)).to(
        torch.uint8
    )
    for variant in VARIANTS:
        for seed in SEEDS:
            write_unit_files(run_dir / variant / f"seed{seed}", seed, train_uint8)
    metric_files(run_dir / "real" / "metrics", seed=5)
    return run_dir


@pytest.fixture
def handmade_run(handmade_template: Path, tmp_path: Path) -> Path:
    """A fresh copy of :func:`handmade_template` that a test may change."""
    return Path(shutil.copytree(handmade_template, tmp_path / "handmade"))


@pytest.fixture(scope="session")
def smoke_run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real run: the smoke preset with two variants and two seeds (minutes on a loaded CPU)."""
    config = replace(ganbench.load_preset("smoke"), variants=VARIANTS, seeds=SEEDS)
    out = tmp_path_factory.mktemp("html-smoke")
    with pytest.MonkeyPatch.context() as patch:  # session fixtures start before the per-test cache fixture
        patch.setenv("GANBENCH_CACHE", str(tmp_path_factory.getbasetemp() / "ganbench-cache"))
        return ganbench.run(config, out_dir=out, progress=False, log=lambda message: None)
