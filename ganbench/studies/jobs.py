"""One training job of a study, and the function that runs it anywhere: in the driver, in a local
worker process or in a Ray task.

A :class:`Job` is one (variant, seed) unit of a run, or one (variant, trial, seed) unit of a
sweep. :func:`run_job` trains it (resuming from the job's training checkpoint when one exists),
samples, extracts and scores its generated set, and appends its records to the run's
``records.jsonl`` itself: the records file is locked for each append and a record the file
already holds is never written twice (:func:`~ganbench.reporting.records.append_records`), so
jobs in several processes, and a job resumed after a kill, share it safely. A job is finished
when its ``done.json`` exists; it is written last, after every record of the job.

Everything a job needs beyond its own fields travels in a :class:`JobContext` (the run's config,
folder and device), from which each process rebuilds, once, the run's fixed real side
(:func:`prepared`): the dataset, the extractor (its weights come from the cache the driver
filled) and the held-out and training features (from the feature cache).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch

from ganbench import atomic_files
from ganbench.config import RunConfig, TrainConfig
from ganbench.evaluation import Score
from ganbench.evaluation.stamp import image_size
from ganbench.metrics.spec import GeneratorHandle, Player
from ganbench.networks import Negated
from ganbench.registry import VARIANTS
from ganbench.sources import content_sha256
from ganbench.training import (
    TrainingCheckpoints,
    artifacts,
    build_networks,
    sample,
    sample_conditional,
    train,
)
from ganbench.variants import Variant
from ganbench.variants.configure import configure

DONE_FILE = "done.json"
TRAINING_STATE_FILE = "training_state.pt"

Log = Callable[[str], None]


@dataclass(frozen=True)
class Job:
    """One training job: a variant, with a sweep trial's settings when it has one, and a seed.

    Attributes:
        variant: registry name (composed names such as ``dcgan:hinge`` included).
        seed: training and sampling seed.
        trial: the sweep trial its settings come from; None outside sweeps.
        sweep_phase: ``"search"`` or ``"final"`` in a sweep; None outside sweeps.
        hyperparameters: (setting, value) pairs applied with
            :func:`~ganbench.variants.configure.configure`, sorted by name.
    """

    variant: str
    seed: int
    trial: int | None = None
    sweep_phase: str | None = None
    hyperparameters: tuple[tuple[str, float | int], ...] = ()

    @property
    def label(self) -> str:
        trial = f" trial {self.trial}" if self.trial is not None else ""
        phase = f" ({self.sweep_phase})" if self.sweep_phase else ""
        return f"{self.variant}{trial} seed {self.seed}{phase}"

    @property
    def unit_path(self) -> Path:
        """The job's folder inside the run folder: ``<variant>/seed<k>``, or in a sweep
        ``<variant>/trial<t>/seed<k>`` (search) and ``<variant>/final/seed<k>`` (the best trial's reruns)."""
        if self.sweep_phase == "final":
            return Path(self.variant) / "final" / f"seed{self.seed}"
        if self.trial is not None:
            return Path(self.variant) / f"trial{self.trial}" / f"seed{self.seed}"
        return Path(self.variant) / f"seed{self.seed}"

    def resolved_variant(self) -> Variant:
        """The registered variant with this job's settings applied."""
        variant = VARIANTS[self.variant]
        return configure(variant, dict(self.hyperparameters)) if self.hyperparameters else variant

    def record_fields(self) -> dict[str, Any]:
        """The fields every record of this job carries besides the run's."""
        return {
            "variant": self.variant,
            "seed": self.seed,
            "trial": self.trial,
            "sweep_phase": self.sweep_phase,
            "hyperparameters": dict(self.hyperparameters) if self.hyperparameters else None,
        }


@dataclass(frozen=True)
class JobContext:
    """What every job of one run shares, small enough to send to a worker.

    Attributes:
        config: the run's checked configuration.
        run_dir: the run folder (on a file system every worker can reach).
        n: generated (and held-out) images compared per job.
        device: where jobs train and evaluate (``cpu``, ``cuda``, ``cuda:N``).
        dataset: the dataset spelling the jobs load (the offline fallback's, when the run fell back).
        checkpoint_seconds: seconds between training checkpoints of a job.
        cache_dir: the driver's ganbench cache (extractor weights, features), used by a worker
            where that folder exists (one machine, or a shared file system).
        extractor_weights: the driver's extractor weights hash; a worker whose extractor differs
            refuses to run (its features would not be comparable).
    """

    config: RunConfig
    run_dir: Path
    n: int
    device: str
    dataset: str
    checkpoint_seconds: float = 300.0
    cache_dir: str | None = None
    extractor_weights: str | None = None


@dataclass(frozen=True)
class JobOutcome:
    """How a job ended, as the driver reports it.

    Attributes:
        job: the job.
        status: ``ok``, ``diverged``, ``time-cap``, ``failed`` or ``skipped`` (finished before: a resume).
        line: one line for the log (the job's budget, time and first measures, or why it failed).
        notes: the job's other log lines (measures skipped and why, metric errors).
        failures: metric errors, for the run's ``errors.txt``.
        resumed_from_kimg: where training resumed from a checkpoint, else None.
        training: the budget reached (kimg, g_steps, d_steps, train_seconds), for the run-level
            measures' records.
    """

    job: Job
    status: str
    line: str
    notes: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    resumed_from_kimg: float | None = None
    training: dict[str, Any] = field(default_factory=dict)


def training_setup(train: TrainConfig, threads: int | None) -> dict[str, Any]:
    """The record fields that say how a job was asked to train: the budget requested, the kernels
    and the torch CPU threads it trained with (None where unknown)."""
    return {
        "budget_kimg": train.kimg,
        "budget_seconds": train.budget_seconds,
        "train_kernels": train.kernels,
        "train_threads": threads,
    }


def is_done(run_dir: Path, job: Job) -> bool:
    """Whether ``job`` finished in ``run_dir`` (its ``done.json`` exists)."""
    return (run_dir / job.unit_path / DONE_FILE).is_file()


def read_done(run_dir: Path, job: Job) -> dict[str, Any]:
    """The ``done.json`` of a finished job: its status and log line."""
    return json.loads((run_dir / job.unit_path / DONE_FILE).read_text())


def _write_done(unit_dir: Path, outcome: JobOutcome) -> None:
    """``done.json``, atomically (a temporary file renamed over it)."""
    payload = {
        "status": outcome.status,
        "line": outcome.line,
        "resumed_from_kimg": outcome.resumed_from_kimg,
        **outcome.training,
    }
    atomic_files.write_text(unit_dir / DONE_FILE, json.dumps(payload))


# The prepared real side of the runs this process has worked on, by (run folder, device): a worker
# process builds it once for all the jobs it runs; the driver registers its own (run in-process).
_PREPARED: dict[tuple[str, str], Any] = {}


def register_prepared(context: JobContext, evaluator: Any) -> None:
    """Let jobs of ``context`` run in this process use the driver's ``evaluator`` (no second build)."""
    _PREPARED[(str(context.run_dir), context.device)] = evaluator


def prepared(context: JobContext) -> Any:
    """The run's :class:`~ganbench.studies.pipeline.RunEvaluator` in this process, built on first use."""
    key = (str(context.run_dir), context.device)
    if key not in _PREPARED:
        from ganbench.studies.pipeline import build_evaluator  # the pipeline imports this module

        if context.cache_dir and Path(context.cache_dir).is_dir():  # a worker: the driver's cache
            os.environ["GANBENCH_CACHE"] = context.cache_dir

        _PREPARED[key] = build_evaluator(context, log=_stderr, progress=False)
    return _PREPARED[key]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_job(context: JobContext, job: Job, *, progress: bool = False) -> JobOutcome:
    """Train, sample, extract and score one job, appending its records; never raises for the job's
    own failures (an exception while training or evaluating is recorded with ``status = failed``).

    A job that already finished is skipped. A job with a training checkpoint resumes from it.
    ``KeyboardInterrupt`` and the process being killed are not failures: the job is left
    unfinished, to be resumed.
    """
    run_dir = Path(context.run_dir)
    if is_done(run_dir, job):
        done = read_done(run_dir, job)
        return JobOutcome(job, "skipped", f"{job.label}: finished before ({done['status']})")
    evaluator = prepared(context)
    unit_dir = run_dir / job.unit_path
    unit_dir.mkdir(parents=True, exist_ok=True)
    notes: list[str] = []
    log, failures_before = evaluator.log, len(evaluator.failures)
    evaluator.log = notes.append  # measures skipped, checkpoint lines: returned with the outcome
    try:
        outcome = _train_and_score(context, job, evaluator, unit_dir, notes, progress)
    except Exception as err:  # the job's own failure (OOM, a bug in a user's variant): recorded
        reason = f"{type(err).__name__}: {err}"
        _record_failure(evaluator, context, job, reason)
        notes.append("".join(traceback.format_exception(err)).rstrip())
        outcome = JobOutcome(job, "failed", f"{job.label}: FAILED ({reason})", notes=notes)
    finally:
        evaluator.log = log
    outcome.failures.extend(evaluator.failures[failures_before:])  # metric errors, reported by the driver
    del evaluator.failures[failures_before:]
    _write_done(unit_dir, outcome)
    (unit_dir / TRAINING_STATE_FILE).unlink(missing_ok=True)  # done: its weights are saved, nothing resumes
    return outcome


def _train_and_score(
    context: JobContext, job: Job, evaluator: Any, unit_dir: Path, notes: list[str], progress: bool
) -> JobOutcome:
    config, device = context.config, torch.device(context.device)
    dataset = evaluator.dataset
    variant = job.resolved_variant()
    result = train(
        variant,
        dataset.train.images,
        config.train,
        seed=job.seed,
        device=device,
        progress=progress,
        every_kimg=config.eval.every_kimg,
        on_checkpoint=functools.partial(evaluator.checkpoint, job, unit_dir / "checkpoints"),
        labels=dataset.train.labels,
        num_classes=dataset.num_classes,
        checkpoints=TrainingCheckpoints(
            unit_dir / TRAINING_STATE_FILE, every_seconds=context.checkpoint_seconds
        ),
    )
    artifacts.save_networks(result, unit_dir)
    artifacts.save_losses(result.losses, unit_dir, job.label)
    unit = job.record_fields() | {
        "status": result.status,
        "stage": "final",
        "kimg": result.kimg,
        "g_steps": result.g_steps,
        "d_steps": result.d_steps,
        "train_seconds": round(result.seconds, 3),
        **training_setup(config.train, torch.get_num_threads()),
    }
    training = {key: unit[key] for key in ("kimg", "g_steps", "d_steps", "train_seconds", "train_threads")}
    resumed = (
        f", resumed at {result.resumed_from_kimg:.1f} kimg" if result.resumed_from_kimg is not None else ""
    )
    head = (
        f"{job.label}: {result.kimg:.1f} kimg, {result.g_steps} G / {result.d_steps} D steps, "
        f"{result.seconds:.0f} s{resumed}"
    )
    if result.status == "diverged":
        step = float(result.diverged_at_step or 0)
        evaluator.writer.write(
            [_training_score("diverged_at_step", step, context.device)], n_real=0, n_fake=0, **unit
        )
        line = f"{head} | DIVERGED at D step {result.diverged_at_step} (loss NaN/inf); not evaluated"
        return JobOutcome(job, "diverged", line, notes, [], result.resumed_from_kimg, training)
    n = context.n
    generator = GeneratorHandle(result.generator, variant.latent_dim, device)
    fake_labels = None
    if variant.conditional:  # class-balanced, each image's class recorded for the conditional measures
        fake_images, fake_labels = sample_conditional(
            result.generator,
            n,
            latent_dim=variant.latent_dim,
            num_classes=dataset.num_classes,
            seed=job.seed,
            device=device,
        )
    else:
        fake_images = sample(result.generator, n, latent_dim=variant.latent_dim, seed=job.seed, device=device)
    unit |= {
        "fake_source": f"generator {job.label} ({n} samples, sample seed {job.seed})",
        "fake_sha256": content_sha256(fake_images, fake_labels),
        "fake_size": image_size(fake_images),
    }
    artifacts.save_sample_grid(fake_images, unit_dir / "samples.png")
    artifacts.save_nearest_neighbours(
        fake_images, dataset.train.images, unit_dir / "nearest_neighbours.png", device=device
    )
    artifacts.save_interpolations(generator, unit_dir / "interpolation.png", seed=job.seed)
    fake = evaluator.features(fake_images, job.label)
    scores = evaluator.generated_set(fake, job.label, unit_dir, unit, generator, fake_labels)
    line = f"{head} | {score_line(scores)}"
    return JobOutcome(job, result.status, line, notes, [], result.resumed_from_kimg, training)


def load_player(
    context: JobContext, job: Job, channels: int, size: int, num_classes: int | None
) -> Player | None:
    """The trained G and D of a finished job, rebuilt from its saved weights for the run-level
    measures; None for a variant whose D does not judge images (the VAE). BEGAN's D scores
    lower-is-real and is negated, as the run-level measures read higher scores as "more real"."""
    variant = job.resolved_variant()
    if variant.discriminator_scores == "none":
        return None
    device = torch.device(context.device)
    generator, discriminator = build_networks(variant, channels, size, job.seed, num_classes)
    unit_dir = Path(context.run_dir) / job.unit_path
    generator.load_state_dict(torch.load(unit_dir / "generator.pt", map_location=device, weights_only=True))
    discriminator.load_state_dict(
        torch.load(unit_dir / "discriminator.pt", map_location=device, weights_only=True)
    )
    generator.to(device).eval()
    judge = discriminator.to(device).eval()
    if variant.discriminator_scores == "lower-is-real":
        judge = Negated(judge)
    return Player(generator=GeneratorHandle(generator, variant.latent_dim, device), discriminator=judge)


def _training_score(key: str, value: float, device: str) -> Score:
    """A training outcome as a record: ``diverged_at_step`` (the D step) or ``failed`` (no value)."""
    return Score(
        metric="training",
        key=key,
        value=value,
        std=None,
        direction="lower",
        target=None,
        space="none",
        params={},
        device=str(device),
    )


def score_line(scores: list[Score]) -> str:
    """The first key of every measure: one line per finished unit."""
    first = {s.metric: s for s in reversed(scores)}
    return " ".join(f"{s.key} {s.value:.4g}" for s in reversed(first.values()))


def _record_failure(evaluator: Any, context: JobContext, job: Job, reason: str) -> None:
    """The record of a failed job: ``status = failed``, the reason in ``failure``, no value."""
    evaluator.writer.write(
        [_training_score("failed", float("nan"), context.device)],
        n_real=0,
        n_fake=0,
        **job.record_fields(),
        status="failed",
        stage="final",
        failure=reason,
    )


def record_lost_job(context: JobContext, job: Job, reason: str) -> JobOutcome:
    """Record a job whose process died (a worker lost for good, after the executor's retries) as
    failed, from the driver, and mark it done; returns its outcome."""
    _record_failure(prepared(context), context, job, reason)
    outcome = JobOutcome(job, "failed", f"{job.label}: FAILED ({reason})")
    unit_dir = Path(context.run_dir) / job.unit_path
    unit_dir.mkdir(parents=True, exist_ok=True)
    _write_done(unit_dir, outcome)
    return outcome
