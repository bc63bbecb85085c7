"""``ganbench run --dataset folder:PATH`` end to end on small RGB folders: records, report, run.json."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image

import ganbench
from ganbench.cli import main

#: The quick set less `tournament` (needs 128 held-out images) and `ndb` (100 bins: >= 100 training images).
LABELLED_METRICS = "fid,kid,is,precision-recall,density-coverage,c2st-1nn,mode-score,class-coverage,birthday"


def _write_images(folder: Path, n: int, seed: int, classes: int) -> None:
    """``n`` RGB PNGs, 32x32 (every 8th 40x30, cropped by the protocol): a colour ramp plus noise."""
    rng = np.random.default_rng(seed)
    ramp = np.linspace(0, 1, 32)[None, :, None]
    for i in range(n):
        label = i % classes
        colour = np.eye(3)[label] if classes > 1 else rng.random(3)
        image = 255 * (0.2 + 0.6 * ramp * colour) + rng.normal(0, 12, size=(32, 32, 3))
        image = np.clip(image, 0, 255).astype(np.uint8)
        if i % 8 == 0:
            image = np.pad(image, ((0, 0), (4, 4), (0, 0)), mode="edge")[:30]  # 40x30: cropped to its centre
        path = folder / (str(label) if classes > 1 else "") / f"{i:03d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(image).save(path)


def _run(dataset: str, out: Path, metrics: str, variants: str = "vanilla,dcgan") -> Path:
    args = ["run", "--preset", "smoke", "--dataset", dataset, "--variants", variants]
    result = CliRunner().invoke(
        main,
        [*args, "--metrics", metrics, "--out", str(out), "--no-progress"],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    (run_dir,) = out.iterdir()
    return run_dir


@pytest.mark.slow
def test_run_on_a_labelled_rgb_folder_with_train_and_test(tmp_path: Path) -> None:
    root = tmp_path / "colours"
    _write_images(root / "train", 40, seed=0, classes=2)
    _write_images(root / "test", 24, seed=1, classes=2)
    run_dir = _run(f"folder:{root}", tmp_path / "reports", LABELLED_METRICS)
    records = ganbench.load_records(run_dir)
    assert set(records["variant"]) == {"real", "vanilla", "dcgan"}
    assert (records["dataset"] == f"folder:{root}").all() and (records["n_real"] == 24).all()
    assert {"fid", "kid", "is", "mode_score", "precision", "density", "class_coverage_modes"} <= set(
        records["key"]
    )
    assert records["value"].notna().all()
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["image_shape"] == [3, 32, 32] and meta["dataset_used"] == f"folder:{root}"
    assert 0 <= meta["extractor"]["held_out_accuracy"] <= 1
    report = (run_dir / "report.md").read_text()
    assert f"folder:{root}" in report and "| dcgan" in report
    assert (run_dir / "report.html").exists() and (run_dir / "dcgan" / "seed0" / "samples.png").exists()
    result = CliRunner().invoke(main, ["report", str(run_dir)], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.mark.slow
def test_run_on_an_unlabelled_rgb_folder(tmp_path: Path) -> None:
    root = tmp_path / "faces"
    _write_images(root, 64, seed=2, classes=1)
    run_dir = _run(
        f"folder:{root}", tmp_path / "reports", "fid,kid,precision-recall,mode-score", variants="dcgan"
    )
    records = ganbench.load_records(run_dir)
    assert {"fid", "kid", "precision", "recall"} <= set(records["key"])
    assert "mode_score" not in set(records["key"])  # no class logits: skipped
    assert (records["n_real"] == 7).all()  # ceil(64 / 10) held out
    assert "untrained" in records["extractor_protocol"].iloc[0]
    meta = json.loads((run_dir / "run.json").read_text())
    assert meta["extractor"]["held_out_accuracy"] is None and meta["image_shape"] == [3, 32, 32]
    assert (run_dir / "report.md").exists() and (run_dir / "report.html").exists()
