"""The Inception path of `ganbench evaluate` as a user meets it: no file, a wrong file, a forced file.

The file is a randomly initialised state dict of torch-fidelity's Inception-v3 (``random_inception``):
the path is real, and its numbers are recorded as ``inception-v3-unverified``, never as Inception's.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner, Result
from PIL import Image

from ganbench.cli import main
from ganbench.extractors.weights import KNOWN_WEIGHTS
from ganbench.reporting import load_records


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, ["evaluate", *args, "--no-progress"], catch_exceptions=False)


@pytest.fixture
def fake_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "fakes"
    folder.mkdir()
    images = torch.randint(
        0, 256, (12, 28, 28), generator=torch.Generator().manual_seed(0), dtype=torch.uint8
    )
    for i, image in enumerate(images):
        Image.fromarray(image.numpy()).save(folder / f"{i}.png")
    return folder


def test_no_weights_file_says_which_file_to_put_where(fake_folder: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = invoke(
        "--real", "mnist-5k", "--fake", str(fake_folder), "--extractor", "inception-v3", "--out", str(out)
    )
    assert result.exit_code == 2, result.output
    known = KNOWN_WEIGHTS["inception-v3"]
    for needed in (known.file_name, known.url, "--weights", "GANBENCH_WEIGHTS_DIR", "torch hub cache"):
        assert needed in result.output, needed
    assert not out.exists()  # refused before any work


def test_a_file_with_another_digest_is_refused_naming_both(
    fake_folder: Path, random_inception: Path, tmp_path: Path
) -> None:
    args = ["--real", "mnist-5k", "--fake", str(fake_folder), "--extractor", "inception-v3"]
    result = invoke(*args, "--weights", str(random_inception), "--out", str(tmp_path / "out"))
    assert result.exit_code == 2, result.output
    digest = hashlib.sha256(random_inception.read_bytes()).hexdigest()
    assert digest in result.output and KNOWN_WEIGHTS["inception-v3"].sha256 in result.output
    assert "--force-weights" in result.output
    assert not (tmp_path / "out").exists()


@pytest.mark.slow
def test_a_forced_file_scores_under_an_unverified_name(
    fake_folder: Path, random_inception: Path, tmp_path: Path
) -> None:
    result = invoke(
        "--real",
        "mnist-5k",
        "--n-real",
        "12",
        "--fake",
        str(fake_folder),
        "--extractor",
        "inception-v3",
        "--weights",
        str(random_inception),
        "--force-weights",
        "--metrics",
        "fid,is",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / "out").iterdir()
    records = load_records(run)
    fakes = records[records.variant == "fakes"]
    assert set(fakes.key) == {"fid", "is"}
    first = fakes.iloc[0]
    assert first["extractor"] == "inception-v3-unverified"
    assert first["extractor_weights_sha256"] == hashlib.sha256(random_inception.read_bytes()).hexdigest()
    assert first["extractor_input"] == "299x299" and "tile" in first["channels"]
    assert first["n_real"] == first["n_fake"] == 12
    assert "not the published one" in (run / "report.md").read_text()


AFTER_BORJI = "cmmd,vendi,mind,alpha-beta,rarity,clipped-density-coverage,p-precision-recall,pr-cover"


@pytest.mark.slow
def test_the_measures_after_borji_run_in_inception_space_beside_another(
    random_inception: Path, tmp_path: Path
) -> None:
    # 40 real digits (a folder: no training split, so nothing else is extracted) and 40 noisy ones, in
    # pixel space and Inception's; the Inception weights are random: this checks the path, never its values
    from ganbench.registry import DATASETS

    digits = DATASETS["mnist-5k"]().test.images[:80, 0]
    noise = torch.randint(-60, 61, digits[40:].shape, generator=torch.Generator().manual_seed(1))
    for name, images in (("real", digits[:40]), ("fakes", (digits[40:].int() + noise).clamp(0, 255))):
        (tmp_path / name).mkdir()
        for i, image in enumerate(images.to(torch.uint8)):
            Image.fromarray(image.numpy()).save(tmp_path / name / f"{i}.png")
    result = invoke(
        "--real", str(tmp_path / "real"), "--fake", str(tmp_path / "fakes"),
        "--extractor", "pixels,inception-v3", "--weights", f"inception-v3={random_inception}",
        "--force-weights", "--metrics", f"fid,{AFTER_BORJI}", "--out", str(tmp_path / "out"),
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    (run,) = (tmp_path / "out").iterdir()
    records = load_records(run)
    for extractor in ("pixels", "inception-v3-unverified"):
        scored = set(records.loc[records["extractor"] == extractor, "metric"])
        assert scored == {"fid", *AFTER_BORJI.split(",")}, extractor
    assert records["value"].notna().all()
    report = (run / "report.md").read_text()
    assert "## In the feature space of inception-v3-unverified" in report
    assert "(FD_pixels)" in report and "FD_inception" not in report  # Inception's FD is FID
