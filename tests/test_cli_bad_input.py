"""Bad input to ``ganbench run``: refused before any work, in one line naming the option, exit code 2.

Every case runs with the pipeline's first piece of work (making the run folder) replaced by a
failure, so a check that comes too late shows up as exit code 1, not as a slow pass.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
import torch
from click.testing import CliRunner, Result
from helpers import WorkStarted

from ganbench.cli import main
from ganbench.datasets import Dataset
from ganbench.studies import preflight


def run_cli(*args: str, out: Path) -> Result:
    preset = [] if "--preset" in args else ["--preset", "smoke"]
    target = [] if "--out" in args else ["--out", str(out)]
    return CliRunner().invoke(main, ["run", *preset, *args, *target, "--no-progress"])


def assert_refused(result: Result, root: Path, *names: str) -> None:
    """Exit 2 (click's usage error), one ``Error:`` line holding every name, no traceback, no run folder."""
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1, result.output
    for name in names:
        assert name in errors[0], (name, errors[0])
    assert not list(root.rglob("run.json"))
    out = root / "reports"
    assert not out.is_dir() or not any(out.iterdir())


# (arguments, what the error line must name: the option, and the value or what is accepted)
BAD_OPTIONS = [
    (["--seeds", "-1"], ["'--seeds'", "got -1", ">= 0"]),
    (["--seeds", ""], ["'--seeds'", "empty", "at least one seed"]),
    (["--seeds", "0,0"], ["'--seeds'", "0 more than once"]),
    (["--seeds", "x"], ["'--seeds'", "'x'", "integers >= 0"]),
    (["--variants", ""], ["'--variants'", "empty", "at least one variant"]),
    (["--variants", "dcgan,dcgan"], ["'--variants'", "dcgan more than once"]),
    (["--variants", "stylegan9"], ["'--variants'", "'stylegan9'", "valid variants: began, cgan, dcgan"]),
    (["--metrics", ""], ["'--metrics'", "empty", "at least one metric"]),
    (["--metrics", "fidd"], ["'--metrics'", "'fidd'", "valid metrics:"]),
    (["--budget-kimg", "0"], ["'--budget-kimg'", "got 0", "positive"]),
    (["--budget-kimg", "-5"], ["'--budget-kimg'", "got -5", "positive"]),
    (["--budget-kimg", "nan"], ["'--budget-kimg'", "got nan", "finite"]),
    (["--budget-kimg", "inf"], ["'--budget-kimg'", "got inf", "finite"]),
    (["--budget-seconds", "-1"], ["'--budget-seconds'", "got -1", "positive"]),
    (["--train-kernels", "fastest"], ["'--train-kernels'", "'fastest'", "reference, fast, bf16"]),
    (["--n-samples", "1"], ["'--n-samples'", "got 1", ">= 2"]),
    (["--bootstrap", "-1"], ["'--bootstrap'", "got -1", ">= 0"]),
    (["--eval-every", "0"], ["'--eval-every'", "got 0", "positive"]),
    (["--eval-every", "80"], ["'--eval-every'", "not below the budget", "smaller interval"]),
    (["--device", "tpu"], ["'--device'", "'tpu'", "auto, cpu, cuda"]),
    (["--dataset", "nope"], ["'--dataset'", "'nope'", "valid datasets: cifar10, fashion-mnist"]),
    (["--preset", "huge"], ["'--preset'", "'huge'", "valid presets: lucic-cifar10"]),
]


def _case_id(value: list[str]) -> str | None:
    return " ".join(a or "''" for a in value) if value[0].startswith("--") else None


@pytest.mark.parametrize(("args", "names"), BAD_OPTIONS, ids=_case_id)
def test_bad_option_is_refused_before_any_work(
    args: list[str], names: list[str], tmp_path: Path, no_work: None
) -> None:
    assert_refused(run_cli(*args, out=tmp_path / "reports"), tmp_path, *names)


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has CUDA")
def test_cuda_without_cuda_is_refused(tmp_path: Path, no_work: None) -> None:
    result = run_cli("--device", "cuda", out=tmp_path / "reports")
    assert_refused(result, tmp_path, "'--device'", "'cuda'", "CUDA is not available", "--device cpu")


def test_out_below_a_file_is_refused(tmp_path: Path, no_work: None) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    result = run_cli("--out", str(blocker / "reports"), out=tmp_path)
    assert_refused(result, tmp_path, "'--out'", str(blocker), "is a file")
    assert blocker.read_text() == "not a folder"


def test_out_that_is_a_file_is_refused(tmp_path: Path, no_work: None) -> None:
    blocker = tmp_path / "reports"
    blocker.write_text("not a folder")
    result = run_cli("--out", str(blocker), out=tmp_path)
    assert_refused(result, tmp_path, "'--out'", str(blocker), "is a file")
    assert blocker.read_text() == "not a folder"


def test_a_bad_option_fails_in_well_under_a_second(tmp_path: Path, no_work: None) -> None:
    run_cli("--seeds", "-1", out=tmp_path / "warm-up")  # click and the lazy imports, once
    start = time.perf_counter()
    result = run_cli("--budget-kimg", "nan", out=tmp_path / "reports")
    seconds = time.perf_counter() - start
    assert_refused(result, tmp_path, "'--budget-kimg'")
    assert seconds < 1.0, seconds


# (file contents, what the error line must name), all read through --config
BAD_FILES = {
    "malformed": ("[train]\nkimg = \n", ["'--config'", "not valid TOML", "line 2"]),
    "unknown-key": ("[train]\nkimgs = 3\n", ["'train.kimgs'", "valid settings here: batch_size", "--config"]),
    "unknown-table": ("[evaluation]\nn_samples = 3\n", ["'evaluation'", "valid settings here:"]),
    "removed-key": ("[eval]\ntournament = false\n", ["'eval.tournament'", "removed", "eval.metrics"]),
    "batch-size-str": ('[train]\nbatch_size = "x"\n', ["train.batch_size", "got 'x'", "integer >= 1"]),
    "kimg-str": ('[train]\nkimg = "abc"\n', ["train.kimg", "got 'abc'", "finite number"]),
    "kimg-numeric-str": ('[train]\nkimg = "5"\n', ["train.kimg", "got '5'", "finite number"]),
    "kimg-toml-inf": ("[train]\nkimg = inf\n", ["train.kimg", "got inf", "finite number"]),
    "table-as-value": ("train = 3\n", ["'train'", "must be a table", "got 3"]),
    "seeds-bool": ("seeds = [true]\n", ["seeds", "got True", "integer >= 0"]),
    "dataset-list": ('dataset = ["mnist"]\n', ["dataset", "['mnist']", "valid datasets:"]),
    "extractor-list": ('[eval]\nextractor = ["x"]\n', ["extractor", "['x']", "valid extractors:"]),
    "device-number": ("device = 0\n", ["device", "got 0", "auto, cpu or cuda:0"]),
    "cache-features-str": ('[eval]\ncache_features = "yes"\n', ["eval.cache_features", "true or false"]),
    # a preset named in a file only relabelled the run (and "../x" moved its folder out of --out)
    "preset-key": ('preset = "paper"\n', ["'--config'", "preset = 'paper'", "--preset"]),
    "preset-path": ('preset = "../x"\n', ["'--config'", "'../x'", "--preset"]),
}


@pytest.mark.parametrize("case", sorted(BAD_FILES))
def test_bad_config_file_is_refused_before_any_work(case: str, tmp_path: Path, no_work: None) -> None:
    text, names = BAD_FILES[case]
    path = tmp_path / f"{case}.toml"
    path.write_text(text)
    result = run_cli("--config", str(path), out=tmp_path / "reports")
    assert_refused(result, tmp_path, *names)
    assert str(path) in result.output


def test_missing_config_file_is_refused(tmp_path: Path, no_work: None) -> None:
    missing = tmp_path / "missing.toml"
    result = run_cli("--config", str(missing), out=tmp_path / "reports")
    assert_refused(result, tmp_path, "'--config'", str(missing), "does not exist")


def test_batch_larger_than_the_training_split_is_refused(
    tmp_path: Path, no_work: None, mnist_5k: Dataset
) -> None:
    # needs the data's size, so it is checked after loading it (mnist_5k: already in memory here)
    # and before the run folder, the extractor or any training
    path = tmp_path / "batch.toml"
    path.write_text(f"[train]\nbatch_size = {len(mnist_5k.train) + 1}\n")
    result = run_cli("--config", str(path), out=tmp_path / "reports")
    assert_refused(result, tmp_path, "train.batch_size", str(len(mnist_5k.train) + 1), "training images")


def test_too_few_samples_for_a_chosen_measure_is_refused_before_training(
    tmp_path: Path, no_work: None
) -> None:
    # the tournament shows each discriminator 128 real and 128 generated images per match, and
    # precision-recall needs k + 1 = 4 points per set: both are checked against n before any work
    result = run_cli("--n-samples", "100", out=tmp_path / "reports")
    assert_refused(result, tmp_path, "--n-samples", "tournament", "128")
    result = run_cli("--n-samples", "3", "--metrics", "precision-recall", out=tmp_path / "reports")
    assert_refused(result, tmp_path, "--n-samples", "precision-recall", "4")


def test_paper_preset_without_mnist_refuses_and_does_not_fall_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_work: None
) -> None:
    from ganbench.datasets import mnist

    def offline(*args: object, **kwargs: object) -> None:
        raise RuntimeError("no network (test)")

    monkeypatch.setattr(mnist, "torchvision_download", offline)
    empty = tmp_path / "data"
    empty.mkdir()
    result = CliRunner().invoke(
        main, ["run", "--preset", "paper", "--data-root", str(empty), "--out", str(tmp_path / "reports")]
    )
    assert result.exit_code == 2, result.output
    assert isinstance(result.exception, SystemExit) and "Traceback" not in result.output
    assert "dataset 'mnist' is not available" in result.output
    assert str(empty / "MNIST" / "raw") in result.output  # where the files go
    assert "no network (test)" in result.output  # why the download did not help
    assert "FELL BACK" not in result.output and "mnist-5k" not in result.output.split("To get it:")[0]
    assert not list(tmp_path.rglob("run.json"))
    assert not (tmp_path / "reports").exists()


@pytest.mark.slow  # times a few training steps
def test_long_estimate_warns_before_the_run_starts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_work: None, mnist_5k: Dataset
) -> None:
    # a budget big enough to be timed (>= 50 kimg), measured against a one-second "hour"
    monkeypatch.setattr(preflight, "LONG_RUN_SECONDS", 1e-6)
    result = run_cli("--variants", "dcgan", "--budget-kimg", "60", out=tmp_path / "reports")
    assert isinstance(result.exception, WorkStarted)  # it got to the run folder: nothing else refused it
    warning = [line for line in result.output.splitlines() if line.startswith("WARNING:")]
    assert len(warning) == 1, result.output
    assert "estimated training time" in warning[0] and "--budget-kimg" in warning[0]


@pytest.mark.slow  # times a few training steps
def test_estimate_for_a_huge_budget_is_a_warning(mnist_5k: Dataset) -> None:
    from ganbench.config import check_config, load_preset, with_overrides

    huge = {"variants": ["dcgan"], "train": {"kimg": 1e6}}
    config = check_config(with_overrides(load_preset("smoke"), huge))
    line = preflight.estimate_training(config, mnist_5k, torch.device("cpu"))
    assert line.startswith("WARNING: estimated training time:") and " h on cpu" in line
    short = check_config(with_overrides(config, {"train": {"kimg": 0.5}}))
    assert not preflight.estimate_training(short, mnist_5k, torch.device("cpu")).startswith("WARNING")


def test_too_few_training_images_for_ndb_bins_is_refused_before_training(
    tmp_path: Path, no_work: None
) -> None:
    from PIL import Image

    folder = tmp_path / "small"
    folder.mkdir()
    for i in range(40):  # 36 training images after the 10 % held out: fewer than NDB's 100 bins
        Image.new("L", (28, 28), color=i * 6).save(folder / f"{i:02d}.png")
    result = run_cli("--dataset", f"folder:{folder}", "--metrics", "fid,ndb", out=tmp_path / "reports")
    assert_refused(result, tmp_path, "--metrics", "ndb", "100 bins", "has 36")
