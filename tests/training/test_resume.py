"""Training checkpoints: a job killed at any moment and resumed ends bit for bit as an uninterrupted one.

A run is interrupted inside a G step (its G optimiser's step raises, as a kill would stop it there,
after the D steps of that cycle and some of the last checkpoint's successors), then resumed from
its last checkpoint; losses, weights, counters and the whole final saved state (optimiser moments,
both random generators, the epoch order) must equal those of an uninterrupted run. The slow test
does it with a real SIGKILL of a training process.
"""

from __future__ import annotations

import math
import os
import signal
import subprocess
import sys
import time
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import pytest
import torch

from ganbench.config import TrainConfig
from ganbench.registry import VARIANTS
from ganbench.training import (
    Checkpoint,
    CheckpointMismatchError,
    TrainingCheckpoints,
    TrainResult,
    loop,
    resume,
    train,
)
from ganbench.training.resume import TrainingState, read_training_state

#: 48 tiny images (6 batches of 8 per epoch) and 3 classes: 20 D steps cross three epoch boundaries.
IMAGES = torch.randint(0, 256, (48, 1, 16, 16), generator=torch.Generator().manual_seed(7), dtype=torch.uint8)
LABELS = torch.arange(48) % 3
SETTINGS = TrainConfig(kimg=0.16, batch_size=8, log_every=1)
EVERY_KIMG = 0.04  # evaluation hooks after D steps 5, 10 and 15


class Killed(Exception):
    """Stands for the process being killed."""


def killed_at_g_step(monkeypatch: pytest.MonkeyPatch, n: int) -> None:
    """Make the loop's G optimiser raise :class:`Killed` at its ``n``-th step, before stepping (the
    loop makes G's optimiser first)."""
    made: list[torch.optim.Optimizer] = []
    make = loop.make_optimizer

    def making(*args: Any, **kwargs: Any) -> torch.optim.Optimizer:
        optimizer = make(*args, **kwargs)
        made.append(optimizer)
        if len(made) == 1:
            step, calls = optimizer.step, [0]

            def stepping(*a: Any, **k: Any) -> Any:
                calls[0] += 1
                if calls[0] == n:
                    raise Killed
                return step(*a, **k)

            optimizer.step = stepping  # type: ignore[method-assign]
        return optimizer

    monkeypatch.setattr(loop, "make_optimizer", making)


def run(
    name: str,
    checkpoints: TrainingCheckpoints,
    settings: TrainConfig = SETTINGS,
    seed: int = 3,
    hooks: list[float] | None = None,
) -> TrainResult:
    """Train ``name`` on the tiny images with ``checkpoints``; the evaluation hooks append their kimg
    to ``hooks``."""

    def look(point: Checkpoint) -> None:
        if hooks is not None:
            hooks.append(point.kimg)

    return train(
        VARIANTS[name],
        IMAGES,
        settings,
        seed=seed,
        progress=False,
        every_kimg=EVERY_KIMG,
        on_checkpoint=look,
        labels=LABELS,
        num_classes=3,
        checkpoints=checkpoints,
    )


def assert_same_tree(a: Any, b: Any, where: str = "") -> None:
    """Tensors (dtype, shape, values) and everything else equal throughout two nested states."""
    assert type(a) is type(b), where
    if isinstance(a, torch.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape and torch.equal(a, b), where
    elif isinstance(a, dict):
        assert a.keys() == b.keys(), where
        for key in a:
            assert_same_tree(a[key], b[key], f"{where}.{key}")
    elif isinstance(a, list | tuple):
        assert len(a) == len(b), where
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same_tree(x, y, f"{where}[{index}]")
    else:
        assert a == b, where


def assert_same_training(resumed: TrainResult, whole: TrainResult) -> None:
    """Same counters, status, loss log and final weights (bit for bit)."""
    assert (resumed.kimg, resumed.g_steps, resumed.d_steps, resumed.status) == (
        whole.kimg,
        whole.g_steps,
        whole.d_steps,
        whole.status,
    )
    assert resumed.losses == whole.losses
    assert_same_tree(resumed.generator.state_dict(), whole.generator.state_dict(), "G")
    assert_same_tree(resumed.discriminator.state_dict(), whole.discriminator.state_dict(), "D")


def assert_same_saved_state(path_a: Path, path_b: Path, fingerprint: dict[str, str]) -> None:
    """Two final checkpoint files hold the same state (all but the seconds spent)."""
    a, b = read_training_state(path_a, fingerprint), read_training_state(path_b, fingerprint)
    assert a is not None and b is not None
    for spec in fields(TrainingState):
        if spec.name != "seconds":
            assert_same_tree(getattr(a, spec.name), getattr(b, spec.name), spec.name)


def fingerprint_of(name: str, settings: TrainConfig = SETTINGS, seed: int = 3) -> dict[str, str]:
    return resume.job_fingerprint(
        VARIANTS[name],
        settings,
        seed=seed,
        images=IMAGES,
        labels=LABELS,
        num_classes=3,
        device=torch.device("cpu"),
    )


def interrupted_then_resumed(
    monkeypatch: pytest.MonkeyPatch,
    name: str,
    checkpoints: TrainingCheckpoints,
    kill_at: int,
    settings: TrainConfig = SETTINGS,
) -> tuple[TrainResult, list[float], list[float]]:
    """A run killed in its ``kill_at``-th G step, then resumed: the resumed result, and the hooks'
    kimg before the kill and after the resume."""
    before: list[float] = []
    after: list[float] = []
    with monkeypatch.context() as patch:
        killed_at_g_step(patch, kill_at)
        with pytest.raises(Killed):
            run(name, checkpoints, settings, hooks=before)
    assert checkpoints.path.exists()
    return run(name, checkpoints, settings, hooks=after), before, after


# MLP; BatchNorm in D; gradient penalty (draws); RMSprop + clipping; BEGAN's k; labels; the joint step
@pytest.mark.parametrize(
    "name,every_g_steps,kill_at",
    [
        ("vanilla", 4, 15),
        ("dcgan", 3, 14),
        ("wgan-gp", 1, 3),
        ("wgan", None, 3),  # saved by time: every_seconds = 0 is every G step
        ("began", 5, 12),
        ("cgan", 4, 11),
        ("vae", 6, 15),
    ],
)
def test_a_killed_run_resumes_to_the_uninterrupted_result(
    name: str, every_g_steps: int | None, kill_at: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    every_seconds = 0.0 if every_g_steps is None else math.inf
    whole_hooks: list[float] = []
    whole = run(name, TrainingCheckpoints(tmp_path / "whole.pt", every_seconds=math.inf), hooks=whole_hooks)
    saves = TrainingCheckpoints(tmp_path / "job.pt", every_seconds=every_seconds, every_g_steps=every_g_steps)
    resumed, before, after = interrupted_then_resumed(monkeypatch, name, saves, kill_at)

    per_save = every_g_steps or 1
    critic_steps = VARIANTS[name].critic_steps if VARIANTS[name].joint_loss is None else 1
    last_save = (kill_at - 1) // per_save * per_save  # G steps done when the last checkpoint was saved
    assert resumed.resumed_from_kimg == last_save * critic_steps * SETTINGS.batch_size / 1000
    assert 0 < last_save < kill_at - 1 or per_save == 1  # work since the last save was lost and redone
    assert_same_training(resumed, whole)
    assert_same_saved_state(saves.path, tmp_path / "whole.pt", fingerprint_of(name))
    # no evaluation hook is repeated after the resume point, none is missed
    assert all(kimg > resumed.resumed_from_kimg for kimg in after)
    assert sorted(set(before) | set(after)) == whole_hooks and len(whole_hooks) == 3
    assert resumed.seconds > 0 and whole.resumed_from_kimg is None


@pytest.mark.parametrize("kernels", ["fast", "bf16"])
def test_fast_kernels_resume_to_the_uninterrupted_fast_result(
    kernels: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # fast: channels-last, fused Adam; bf16: the same plus bfloat16 autocast in the forward passes
    settings = TrainConfig(kimg=0.16, batch_size=8, log_every=1, kernels=kernels)
    whole = run("dcgan", TrainingCheckpoints(tmp_path / "whole.pt", every_seconds=math.inf), settings)
    saves = TrainingCheckpoints(tmp_path / "job.pt", every_seconds=math.inf, every_g_steps=4)
    resumed, _, _ = interrupted_then_resumed(monkeypatch, "dcgan", saves, 10, settings)
    assert resumed.resumed_from_kimg == 0.064
    assert_same_training(resumed, whole)
    assert_same_saved_state(saves.path, tmp_path / "whole.pt", fingerprint_of("dcgan", settings))
    assert resumed.generator.net[0].weight.is_contiguous(memory_format=torch.channels_last)


def test_checkpoints_do_not_change_training_and_a_finished_job_is_not_trained_again(tmp_path: Path) -> None:
    plain = train(VARIANTS["vanilla"], IMAGES, SETTINGS, seed=3, progress=False)
    saves = TrainingCheckpoints(tmp_path / "job.pt", every_seconds=math.inf, every_g_steps=5)
    saved = run("vanilla", saves)
    assert_same_training(saved, plain)
    hooks: list[float] = []
    again = run("vanilla", saves, hooks=hooks)
    assert_same_training(again, plain)
    assert again.resumed_from_kimg == again.kimg and hooks == []
    assert again.seconds >= saved.seconds


def test_a_diverged_jobs_file_gives_back_its_divergence_without_training(tmp_path: Path) -> None:
    base = VARIANTS["vanilla"]
    calls = [0]

    def exploding(real: torch.Tensor, fake: torch.Tensor) -> torch.Tensor:
        calls[0] += 1
        loss = base.discriminator_loss(real, fake)
        return loss * torch.tensor(float("inf")) if calls[0] >= 3 else loss

    variant = replace(base, name="exploding", discriminator_loss=exploding)
    saves = TrainingCheckpoints(tmp_path / "job.pt", every_seconds=math.inf, every_g_steps=1)

    def once() -> TrainResult:
        return train(variant, IMAGES, SETTINGS, seed=3, progress=False, checkpoints=saves)

    first = once()
    assert (first.status, first.diverged_at_step, first.g_steps, calls[0]) == ("diverged", 3, 3, 3)
    again = once()
    assert (again.status, again.diverged_at_step, again.g_steps, calls[0]) == ("diverged", 3, 3, 3)
    assert again.resumed_from_kimg == first.kimg


def test_another_jobs_checkpoint_is_refused_with_the_field_that_differs(tmp_path: Path) -> None:
    settings = TrainConfig(kimg=0.016, batch_size=8, log_every=1)  # two steps
    saves = TrainingCheckpoints(tmp_path / "job.pt")
    run("vanilla", saves, settings, seed=3)
    with pytest.raises(CheckpointMismatchError, match=r"seed: 3 in the file, 4 in this job") as error:
        run("vanilla", saves, settings, seed=4)
    assert str(saves.path) in str(error.value) and "Delete the file" in str(error.value)
    with pytest.raises(CheckpointMismatchError, match=r"variant: vanilla in the file, dcgan in this job"):
        run("dcgan", saves, settings, seed=3)
    with pytest.raises(CheckpointMismatchError, match=r"train\.kimg: 0\.016 in the file, 0\.024 in this job"):
        run("vanilla", saves, TrainConfig(kimg=0.024, batch_size=8, log_every=1), seed=3)


def test_a_cut_short_or_foreign_file_is_refused_saying_what_to_do(tmp_path: Path) -> None:
    saves = TrainingCheckpoints(tmp_path / "job.pt")
    run("vanilla", saves, TrainConfig(kimg=0.016, batch_size=8, log_every=1))
    whole = saves.path.read_bytes()
    saves.path.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(
        CheckpointMismatchError, match=r"cannot be read .* Delete it to train this job"
    ) as error:
        run("vanilla", saves, TrainConfig(kimg=0.016, batch_size=8, log_every=1))
    assert str(saves.path) in str(error.value)
    torch.save({"weights": torch.zeros(2)}, saves.path)
    with pytest.raises(CheckpointMismatchError, match="not the layout of a training checkpoint"):
        run("vanilla", saves, TrainConfig(kimg=0.016, batch_size=8, log_every=1))


def test_a_kill_while_writing_leaves_the_previous_checkpoint_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    saves = TrainingCheckpoints(tmp_path / "job.pt")
    settings = TrainConfig(kimg=0.016, batch_size=8, log_every=1)
    first = run("vanilla", saves, settings)
    before = saves.path.read_bytes()

    def dying_save(payload: object, handle: Any) -> None:
        handle.write(b"PK\x03\x04 half an archive")
        raise Killed

    state = read_training_state(saves.path, fingerprint_of("vanilla", settings))
    assert state is not None
    monkeypatch.setattr(resume.torch, "save", dying_save)
    with pytest.raises(Killed):
        resume.write_training_state(saves.path, fingerprint_of("vanilla", settings), state)
    monkeypatch.undo()
    assert saves.path.read_bytes() == before
    assert_same_training(run("vanilla", saves, settings), first)


def test_checkpoint_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="every_g_steps"):
        TrainingCheckpoints(Path("x.pt"), every_g_steps=0)
    with pytest.raises(ValueError, match="every_seconds"):
        TrainingCheckpoints(Path("x.pt"), every_seconds=-1.0)
    assert TrainingCheckpoints("x.pt", every_seconds=math.inf).path == Path("x.pt")  # type: ignore[arg-type]


# ---- a real kill: a training process, SIGKILL after its first checkpoint, a fresh process resumes ----

SLOW_SETTINGS = TrainConfig(kimg=0.8, batch_size=8, log_every=1)  # 100 G steps of dcgan


def _train_in_this_process(state_path: Path, out_path: Path) -> None:
    """The subprocess: train dcgan with checkpoints every 2 G steps, save what it produced."""
    from ganbench.runtime import configure_threads

    configure_threads()
    result = train(
        VARIANTS["dcgan"],
        IMAGES,
        SLOW_SETTINGS,
        seed=5,
        progress=False,
        checkpoints=TrainingCheckpoints(state_path, every_seconds=math.inf, every_g_steps=2),
    )
    torch.save(
        {
            "losses": result.losses,
            "counters": [result.kimg, result.g_steps, result.d_steps, result.status],
            "resumed_from_kimg": result.resumed_from_kimg,
            "generator": result.generator.state_dict(),
            "discriminator": result.discriminator.state_dict(),
        },
        out_path,
    )


def _worker(state_path: Path, out_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, __file__, str(state_path), str(out_path)], cwd=Path(__file__).parents[2]
    )


@pytest.mark.slow
def test_a_sigkilled_training_process_resumes_in_a_fresh_one_as_if_uninterrupted(
    tmp_path: Path,
) -> None:
    assert _worker(tmp_path / "whole.pt", tmp_path / "whole.out").wait(timeout=600) == 0

    job = tmp_path / "job.pt"
    victim = _worker(job, tmp_path / "never.out")
    deadline = time.monotonic() + 600
    while not job.exists() and victim.poll() is None and time.monotonic() < deadline:
        time.sleep(0.005)
    os.kill(victim.pid, signal.SIGKILL)
    assert victim.wait(timeout=60) == -signal.SIGKILL
    assert not (tmp_path / "never.out").exists()

    assert _worker(job, tmp_path / "resumed.out").wait(timeout=600) == 0
    whole = torch.load(tmp_path / "whole.out", weights_only=True)
    resumed = torch.load(tmp_path / "resumed.out", weights_only=True)
    assert whole["resumed_from_kimg"] is None
    assert 0 < resumed["resumed_from_kimg"] < whole["counters"][0]  # it was killed mid-run
    for key in ("losses", "counters", "generator", "discriminator"):
        assert_same_tree(resumed[key], whole[key], key)


if __name__ == "__main__":
    _train_in_this_process(Path(sys.argv[1]), Path(sys.argv[2]))
