"""``ganbench run --resume RUN_DIR``: a run killed with SIGKILL in the middle of a job and resumed ends
with the records of a run that was never interrupted, each written once; and the folders and
options a resume refuses, refused with a message that names them, before any work."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner, Result

from ganbench.cli import main
from ganbench.config import load_preset, with_overrides
from ganbench.reporting.records import load_records

if TYPE_CHECKING:
    from studies.conftest import GanbenchCli, ValueKey

#: A tiny run (the smoke preset's 200 samples, two cheap measures) on the CPU, where training and a
#: resumed training are bit for bit the same computation.
TINY = ("run", "--preset", "smoke", "--metrics", "fid,kid", "--device", "cpu", "--no-progress")

#: Long enough (63 G steps of dcgan, seconds on a 2-core CPU) that the kill lands mid-training; with a
#: checkpoint every 0.12 s the first one is there soon after dcgan starts.
KILLED = (*TINY, "--variants", "vanilla,dcgan", "--budget-kimg", "2", "--checkpoint-minutes", "0.002")


def wait_for(root: Path, pattern: str, process: Any, timeout: float, log: Path) -> Path:
    """The first path matching ``root/pattern``, polled every 5 ms while ``process`` runs; fails the
    test when the process ends first or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = sorted(root.glob(pattern))
        if found:
            return found[0]
        if process.poll() is not None:
            pytest.fail(
                f"the run ended (exit {process.returncode}) before {pattern} appeared, so it could not be "
                f"killed mid-job:\n{log.read_text()[-3000:]}"
            )
        time.sleep(0.005)
    pytest.fail(f"no {pattern} under {root} after {timeout} s:\n{log.read_text()[-3000:]}")


@pytest.mark.slow
def test_a_sigkilled_run_resumes_to_the_records_of_an_uninterrupted_one(
    tmp_path: Path,
    ganbench_cli: GanbenchCli,
    values_of: Callable[..., dict[ValueKey, Any]],
    no_record_twice: Callable[[Path], None],
) -> None:
    """SIGKILL while dcgan trains (vanilla finished, dcgan has a training checkpoint), then
    ``--resume``: every value and every generated set's hash equals the uninterrupted run's
    (resuming is designed to be bit-identical on one machine, so floats are compared exactly),
    no record is written twice, vanilla is not trained again, and dcgan says where it resumed."""
    # The uninterrupted run first, so the two runs never fill the shared cache at the same moment.
    whole = ganbench_cli.run(*KILLED, "--out", str(tmp_path / "whole"))
    assert whole.returncode == 0, whole.stderr
    (whole_dir,) = (tmp_path / "whole").iterdir()

    out, log = tmp_path / "killed", tmp_path / "killed.log"
    with open(log, "wb") as sink:
        victim = ganbench_cli.start(*KILLED, "--out", str(out), log=sink)
        try:
            state = wait_for(out, "*/dcgan/seed0/training_state.pt", victim, 600, log)
            os.kill(victim.pid, signal.SIGKILL)
            assert victim.wait(timeout=60) == -signal.SIGKILL
        finally:
            if victim.poll() is None:
                victim.kill()
                victim.wait()
    run_dir = state.parents[2]
    assert not (run_dir / "dcgan" / "seed0" / "done.json").exists(), (
        "dcgan finished before the kill: the run was not interrupted mid-job"
    )
    vanilla_done = (run_dir / "vanilla" / "seed0" / "done.json").read_text()

    resumed = ganbench_cli.run("run", "--resume", str(run_dir), "--no-progress")
    assert resumed.returncode == 0, resumed.stderr

    dcgan = json.loads((run_dir / "dcgan" / "seed0" / "done.json").read_text())
    assert dcgan["status"] == "ok"
    assert dcgan["resumed_from_kimg"] is not None, "the killed dcgan job did not resume from its checkpoint"
    assert 0 < dcgan["resumed_from_kimg"] < dcgan["kimg"], (
        f"dcgan resumed at {dcgan['resumed_from_kimg']} of {dcgan['kimg']} kimg: the kill came after its "
        "training had ended, so nothing was resumed mid-training"
    )
    assert (run_dir / "vanilla" / "seed0" / "done.json").read_text() == vanilla_done  # skipped, not rerun
    assert (run_dir / "report.md").is_file()

    no_record_twice(run_dir)
    assert values_of(run_dir) == values_of(whole_dir)
    assert values_of(run_dir, "fake_sha256") == values_of(whole_dir, "fake_sha256")
    assert {key[0] for key in values_of(run_dir)} == {"real", "vanilla", "dcgan"}


@pytest.mark.slow
def test_ctrl_c_stops_a_run_cleanly_and_says_how_to_resume(tmp_path: Path, ganbench_cli: GanbenchCli) -> None:
    """SIGINT (Ctrl-C) while dcgan trains: exit 130, the resume command for the run's own folder on
    stderr, the records written so far readable, and the job left unfinished with its checkpoint."""
    out, log = tmp_path / "interrupted", tmp_path / "interrupted.log"
    with open(log, "wb") as sink:
        interrupted = (*TINY, "--variants", "dcgan", "--budget-kimg", "2", "--checkpoint-minutes", "0.002")
        process = ganbench_cli.start(*interrupted, "--out", str(out), log=sink)
        try:
            state = wait_for(out, "*/dcgan/seed0/training_state.pt", process, 600, log)
            os.kill(process.pid, signal.SIGINT)
            assert process.wait(timeout=120) == 130, log.read_text()[-3000:]
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
    run_dir = state.parents[2]
    said = log.read_text()
    assert f"continue with: ganbench run --resume {run_dir}" in said, said[-3000:]
    assert "Traceback" not in said, said[-3000:]
    assert not (run_dir / "dcgan" / "seed0" / "done.json").exists()
    assert state.is_file()
    assert set(load_records(run_dir)["variant"]) == {"real"}  # the reference row, whole


# ---- what a resume refuses: fast, nothing is trained ----


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def run_folder(tmp_path: Path) -> Path:
    """A folder with the least a resume reads, ``run.json``'s config and dataset, and nothing else."""
    run_dir = tmp_path / "20250101-000000-smoke"
    run_dir.mkdir()
    config = with_overrides(
        load_preset("smoke"), {"variants": ["dcgan"], "device": "cpu", "eval": {"metrics": ["fid"]}}
    )
    (run_dir / "run.json").write_text(json.dumps({"config": config.to_dict(), "dataset_used": "mnist-5k"}))
    return run_dir


def test_resume_refuses_a_folder_that_does_not_exist(tmp_path: Path) -> None:
    """A missing folder: an error naming it, and no folder made."""
    missing = tmp_path / "no-such-run"
    result = invoke("run", "--resume", str(missing))
    assert result.exit_code != 0
    assert str(missing) in result.output and "no such folder" in result.output
    assert not missing.exists()


@pytest.mark.parametrize(
    ("run_json", "says"),
    [(None, "no run.json there"), ("{", "is unreadable"), ("{}", "is unreadable")],
    ids=["no-run-json", "cut-short", "no-config"],
)
def test_resume_refuses_a_folder_that_is_not_a_run(tmp_path: Path, run_json: str | None, says: str) -> None:
    """A folder without a readable run.json (not made by ``ganbench run``): an error naming it, and
    nothing written into it."""
    folder = tmp_path / "not-a-run"
    folder.mkdir()
    if run_json is not None:
        (folder / "run.json").write_text(run_json)
    before = sorted(folder.iterdir())
    result = invoke("run", "--resume", str(folder))
    assert result.exit_code != 0
    assert str(folder) in result.output and says in result.output
    assert sorted(folder.iterdir()) == before


@pytest.mark.parametrize(
    ("given", "named"),
    [
        (["--variants", "dcgan"], "--variants"),
        (["--seeds", "1"], "--seeds"),
        (["--preset", "smoke"], "--preset"),
        (["--out", "elsewhere"], "--out"),
        (["--no-tournament"], "--tournament/--no-tournament"),
        (["--budget-kimg", "1"], "--budget-kimg"),  # the option, not the setting (train.kimg)
        (["--train-kernels", "fast"], "--train-kernels"),
        (["--eval-every", "1"], "--eval-every"),
    ],
)
def test_resume_refuses_other_run_settings(run_folder: Path, given: list[str], named: str) -> None:
    """Settings come from the run's run.json: one given beside --resume is a usage error (exit 2)
    naming the option, and the run folder is not touched."""
    result = invoke("run", "--resume", str(run_folder), *given)
    assert result.exit_code == 2, result.output
    assert named in result.output and "--resume" in result.output
    assert sorted(path.name for path in run_folder.iterdir()) == ["run.json"]


@pytest.fixture
def held_lock(run_folder: Path) -> Iterator[str]:
    """``<run>/.lock`` held (an exclusive flock) as a running run holds it; yields the holder line."""
    fcntl = pytest.importorskip("fcntl")
    holder = "process 4242 on the-test-host"
    with open(run_folder / ".lock", "a+") as lock:
        fcntl.flock(lock.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        lock.write(holder + "\n")
        lock.flush()
        try:
            yield holder
        finally:
            fcntl.flock(lock.fileno(), fcntl.LOCK_UN)


def test_resume_refuses_a_folder_another_process_works_on(run_folder: Path, held_lock: str) -> None:
    """A run folder whose lock is held: an error naming the folder and the holder, nothing written,
    and the holder's lock line left as it was."""
    result = invoke("run", "--resume", str(run_folder))
    assert result.exit_code != 0
    assert str(run_folder) in result.output and held_lock in result.output
    assert not (run_folder / "records.jsonl").exists() and not (run_folder / "real").exists()
    assert (run_folder / ".lock").read_text() == held_lock + "\n"
