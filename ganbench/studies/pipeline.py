"""The only module that knows the order of the stages: check -> data -> extractor -> reference row ->
jobs (train -> sample -> features -> set measures, one per variant x seed, on an executor) ->
run measures per seed -> report.

Every input is checked before any work starts, and the run folder is made only then. Every
finished job appends its records at once and then marks itself done, so a crash or a kill later
never loses what was already measured, and ``ganbench run --resume RUN_DIR`` (:func:`resume`)
skips the finished jobs, continues the unfinished ones from their training checkpoints and
writes no record twice. One process at a time works on a run folder (a lock file says which).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import platform
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.config import RunConfig, check_config, with_overrides
from ganbench.datasets import Dataset, default_cache_dir
from ganbench.datasets.loading import load_dataset
from ganbench.evaluation import FeatureSet, Score, extract, score, score_run
from ganbench.evaluation.stamp import extractor_fields, image_size
from ganbench.extractors import FeatureExtractor
from ganbench.extractors.resolve import (
    check_extractor,
    domain_classifier_handle,
    extractor_settings,
    resolve_extractor,
)
from ganbench.metrics.spec import GeneratorHandle, Player
from ganbench.registry import METRICS
from ganbench.reporting import RECORDS_FILE, RecordWriter, provenance, report
from ganbench.reporting.records import load_records
from ganbench.runtime import resolve_device
from ganbench.sources import content_sha256
from ganbench.sources.subset import subset_indices
from ganbench.studies.executors import Executor, LocalExecutor
from ganbench.studies.jobs import (
    DONE_FILE,
    Job,
    JobContext,
    JobOutcome,
    is_done,
    load_player,
    read_done,
    register_prepared,
    score_line,
    training_setup,
)
from ganbench.studies.preflight import check_against_dataset, check_out_dir, estimate_training
from ganbench.studies.sweep import SweepPlan, SweepSettings, check_sweep
from ganbench.training import Checkpoint, sample

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


RUN_FILE = "run.json"
LOCK_FILE = ".lock"


class RunLockedError(RuntimeError):
    """Another process is working on the run folder."""


def new_run_dir(out_dir: Path, preset: str) -> Path:
    """``<out_dir>/<UTC time>-<preset>``, made unique with a counter.

    The folder is created with an exclusive ``mkdir``, so two runs started in the same second
    into one reports folder get two folders, never one shared.
    """
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = out_dir / f"{stamp}-{preset}"
    out_dir.mkdir(parents=True, exist_ok=True)
    counter = 1
    while True:
        run_dir = base if counter == 1 else base.with_name(f"{base.name}-{counter}")
        try:
            run_dir.mkdir()
            return run_dir
        except FileExistsError:
            counter += 1


@contextmanager
def run_lock(run_dir: Path) -> Iterator[None]:
    """Hold ``<run_dir>/.lock`` (an exclusive ``flock``) for the block: a second process that works on
    the same run folder (two resumes at once) is refused with :class:`RunLockedError`. The
    lock goes with the process, so a killed run never leaves a stale one."""
    try:
        import fcntl
    except ImportError:  # Windows: nothing to hold
        yield
        return
    with open(run_dir / LOCK_FILE, "a+") as f:
        try:
            fcntl.flock(f.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            f.seek(0)
            holder = f.read().strip() or "another process"
            raise RunLockedError(
                f"{run_dir} is being worked on by {holder}; wait for it to finish (or stop it) and "
                f"resume with: ganbench run --resume {run_dir}"
            ) from None
        f.truncate(0)
        f.write(f"process {os.getpid()} on {platform.node()}\n")
        f.flush()
        try:
            yield
        finally:
            f.truncate(0)
            fcntl.flock(f.fileno(), fcntl.LOCK_UN)


@dataclass
class RunEvaluator:
    """The fixed real side of one run (held-out and training features, class prior), its record
    writer, and the scoring of generated sets and of a seed's models against it.

    Built once per process (the driver, each worker: :func:`build_evaluator`).
    """

    config: RunConfig
    dataset: Dataset
    extractor: FeatureExtractor
    set_metrics: list[str]
    run_metrics: list[str]
    real: FeatureSet
    train: FeatureSet
    class_prior: np.ndarray
    device: torch.device
    writer: RecordWriter
    log: Log
    progress: bool
    failures: list[str]
    inputs: dict[
        str, Any
    ]  # real_labels, train_labels, num_classes, classifier: the labelled measures' inputs

    def features(self, images: torch.Tensor, desc: str) -> FeatureSet:
        """The extractor's features of ``images`` (uint8 [N, C, H, W]), from the feature cache when there."""
        return _features(self.extractor, images, desc, self.config, self.progress)

    def _on_skip(self, label: str) -> Callable[[str, str], None]:
        def skipped(name: str, reason: str) -> None:
            if "fake_labels" in METRICS[name].extra_inputs:  # the others' reasons are the same every unit
                self.log(f"note: {name} skipped for {label}: {reason}")

        return skipped

    def _on_error(self, label: str) -> Callable[[str, Exception], None]:
        def failed(name: str, err: Exception) -> None:
            self.failures.append(f"{label}: {name}: {err}")
            self.log(f"error: metric {name} failed for {label}: {err}")

        return failed

    def generated_set(
        self,
        fake: FeatureSet,
        label: str,
        unit_dir: Path,
        unit: dict[str, Any],
        generator: GeneratorHandle | None,
        fake_labels: torch.Tensor | None,
    ) -> list[Score]:
        """Score ``fake``; ``fake_labels`` [M]: the classes its images were generated (or drawn) for,
        None for an unconditional generator (the measures that need them are skipped, said in the log)."""
        scores = score(
            self.set_metrics,
            real=self.real,
            fake=fake,
            train=self.train,
            class_prior=self.class_prior,
            generator=generator,
            extra=self.inputs | {"fake_labels": None if fake_labels is None else fake_labels.numpy()},
            on_skip=self._on_skip(label),
            seed=self.config.eval.metric_seed,
            bootstrap=self.config.eval.bootstrap,
            device=self.device,
            artifact_dir=unit_dir / "metrics",
            on_error=self._on_error(label),
            progress=self.progress,
        )
        self.writer.write(scores, n_real=len(self.real), n_fake=len(fake), **unit)
        return scores

    def checkpoint(self, job: Job, artifact_dir: Path, point: Checkpoint) -> None:
        """Score the set measures on as many samples as the final evaluation, during training
        (``--eval-every``).

        The records say ``stage = "checkpoint"`` with the kimg and steps reached; no bootstrap and
        no measure that needs the generator itself (they would cost more than the evaluation).
        A resumed job that reaches a checkpoint it had scored before writes nothing new.
        """
        variant = job.resolved_variant()
        n = len(self.real)
        fakes = sample(point.generator, n, latent_dim=variant.latent_dim, seed=job.seed, device=self.device)
        fake = self.features(fakes, f"{job.label} at {point.kimg:.1f} kimg")
        label = f"{job.label} at {point.kimg:.1f} kimg"
        scores = score(
            [m for m in self.set_metrics if "generator" not in METRICS[m].extra_inputs],
            real=self.real,
            fake=fake,
            train=self.train,
            class_prior=self.class_prior,
            seed=self.config.eval.metric_seed,
            device=self.device,
            artifact_dir=artifact_dir / f"kimg{point.kimg:g}",
            on_error=self._on_error(label),
        )
        unit = job.record_fields() | {
            "status": "ok",
            "stage": "checkpoint",
            "kimg": point.kimg,
            "g_steps": point.g_steps,
            "d_steps": point.d_steps,
            **training_setup(self.config.train, torch.get_num_threads()),  # in the job's process
        }
        self.writer.write(scores, n_real=len(self.real), n_fake=len(fake), **unit)
        self.log(f"{label} | {score_line(scores)}")

    def models(self, players: dict[str, Player], units: dict[str, dict[str, Any]], seed: int) -> None:
        if self.run_metrics and len(players) < 2:
            self.log(
                f"note: {', '.join(self.run_metrics)} skipped for seed {seed}: run-level measures compare "
                f"the models of at least two variants, and {len(players)} finished training"
            )
            return
        by_player = score_run(
            self.run_metrics,
            real=self.real,
            players=players,
            seed=self.config.eval.metric_seed,
            device=self.device,
            on_error=self._on_error(f"seed {seed}"),
            artifact_dir=self.writer.path.parent / "models" / f"seed{seed}",  # GAM battles, NRDS curves
        )
        for name, scores in by_player.items():
            self.writer.write(scores, n_real=len(self.real), n_fake=len(self.real), **units[name])
            if scores:
                self.log(f"models seed {seed}: {name} | " + score_line(scores))


def run(
    config: RunConfig,
    *,
    out_dir: str | Path = "reports",
    progress: bool = True,
    log: Log = _stderr,
    executor: Executor | None = None,
    checkpoint_seconds: float = 300.0,
) -> Path:
    """Train every variant x seed of ``config``, evaluate, write records and the report.

    The jobs (one per variant x seed) run on ``executor`` (default: one at a time in this
    process; :mod:`ganbench.studies.executors`), each saving a training checkpoint every
    ``checkpoint_seconds`` and at its end, so an interrupted run continues with :func:`resume`.

    Returns the run directory (``<out_dir>/<run-id>``), which holds ``run.json``,
    ``records.jsonl``, ``report.md``, ``report.csv``, ``report.html``, the ``real`` reference
    row's metric artifacts, and per ``<variant>/seed<k>/`` the weights, loss log and curves, a
    sample grid, a nearest-neighbour grid, latent interpolations, metric artifacts and ``done.json``
    (the training checkpoint until then).

    Raises:
        ConfigError: a setting that cannot be used (before anything is read or written).
        DatasetUnavailableError, CorruptDatasetError: the data cannot be loaded (likewise).
        OutDirError: ``out_dir`` cannot be written (likewise).
        ExecutorError: the executor cannot run here (Ray not installed, no cluster at the address).
        KeyboardInterrupt: Ctrl-C; the run folder can be resumed (said in the log).
    """
    return _start(config, RunPlan, out_dir, progress, log, executor, checkpoint_seconds)


def sweep(
    config: RunConfig,
    settings: SweepSettings,
    *,
    out_dir: str | Path = "reports",
    progress: bool = True,
    log: Log = _stderr,
    executor: Executor | None = None,
    checkpoint_seconds: float = 300.0,
) -> Path:
    """An equal-budget hyperparameter sweep (Lucic et al. 2018, section 4; :mod:`ganbench.studies.sweep`):
    ``settings.trials`` settings drawn per variant, each trained to the run's budget with the search
    seed and scored; then each variant's best trial by ``settings.key`` trained again on every seed of
    ``config.seeds``; the report shows the distributions over trials and over seeds.

    The run folder is a run folder like :func:`run`'s, with ``sweep.json`` (the drawn trials, the
    best ones once chosen) and the jobs under ``<variant>/trial<t>/seed<k>`` and
    ``<variant>/final/seed<k>``; :func:`resume` continues it.

    Raises:
        As :func:`run`, and SweepError or SpaceFileError for a sweep setting or a space file that
        cannot be used (before any work).
    """

    def plan(checked: RunConfig) -> SweepPlan:
        return SweepPlan(settings, checked, check_sweep(checked, settings))

    return _start(config, plan, out_dir, progress, log, executor, checkpoint_seconds)


@dataclass
class RunPlan:
    """The jobs of ``ganbench run``: one phase, every variant x seed."""

    config: RunConfig
    search_trials: int = 0  # none: every job is one of the run's variant x seed

    def phases(self, run_dir: Path, records: Callable[[], Any], log: Log) -> Iterator[list[Job]]:
        yield study_jobs(self.config)

    def save(self, run_dir: Path) -> None:
        """Nothing beyond run.json."""


StudyPlan = RunPlan | SweepPlan


def _start(
    config: RunConfig,
    make_plan: Callable[[RunConfig], StudyPlan],
    out_dir: str | Path,
    progress: bool,
    log: Log,
    executor: Executor | None,
    checkpoint_seconds: float,
) -> Path:
    # 1. Everything that can be checked without the data, then the data itself: no work yet.
    config = check_config(config)
    plan = make_plan(config)
    executor = executor or LocalExecutor()
    executor.check()
    out = check_out_dir(out_dir)
    device = resolve_device(config.device)
    dataset, fallback_note = load_dataset(
        config.dataset, config.data_root, allow_fallback=config.offline_fallback, log=log
    )
    n = check_against_dataset(config, dataset, log)
    log(estimate_training(config, dataset, device, plan.search_trials))

    # 2. The run folder, the extractor and the real side of every comparison.
    run_dir = new_run_dir(out, config.preset)
    log(
        f"run {run_dir} | dataset {dataset.name} ({len(dataset.train)} train / {len(dataset.test)} held-out) "
        f"| device {device}"
    )
    context = JobContext(
        config=config,
        run_dir=run_dir,
        n=n,
        device=str(device),
        dataset=dataset.name if fallback_note else config.dataset,
        checkpoint_seconds=checkpoint_seconds,
        cache_dir=str(default_cache_dir()),
    )
    with run_lock(run_dir):
        plan.save(run_dir)
        context, extractor = _with_extractor(context, dataset, progress)
        _write_run_json(run_dir, config, dataset, fallback_note, device, extractor, context, log, plan)
        return _study(context, dataset, extractor, executor, progress, log, plan)


def resume(
    run_dir: str | Path,
    *,
    progress: bool = True,
    log: Log = _stderr,
    executor: Executor | None = None,
    checkpoint_seconds: float = 300.0,
) -> Path:
    """Continue an interrupted run in its own folder: finished jobs are skipped, unfinished ones
    continue from their last training checkpoint (identical, on the same machine, to a run that
    was never interrupted), the measures not yet written are computed, no record is written
    twice, and the report is rebuilt.

    Raises:
        ResumeError: ``run_dir`` is not a run folder that can be resumed (said how to fix it).
        RunLockedError: another process is working on it.
    """
    run_dir = Path(run_dir)
    meta = read_run_json(run_dir)
    config = check_config(with_overrides(RunConfig(), meta["config"]))
    executor = executor or LocalExecutor()
    executor.check()
    device = resolve_device(meta.get("device", config.device))
    spelling = meta.get("dataset_spelling") or meta["dataset_used"]
    dataset, _ = load_dataset(spelling, config.data_root, allow_fallback=False, log=log)
    n = check_against_dataset(config, dataset, log)
    context = JobContext(
        config=config,
        run_dir=run_dir,
        n=n,
        device=str(device),
        dataset=spelling,
        checkpoint_seconds=checkpoint_seconds,
        cache_dir=str(default_cache_dir()),
    )
    with run_lock(run_dir):
        plan: StudyPlan = SweepPlan.load(run_dir, config) if meta.get("sweep") else RunPlan(config)
        log(f"resuming {run_dir} (finished jobs are skipped) | device {device}")
        context, extractor = _with_extractor(context, dataset, progress)
        return _study(context, dataset, extractor, executor, progress, log, plan)


class ResumeError(ValueError):
    """A folder that cannot be resumed."""


def read_run_json(run_dir: Path) -> dict[str, Any]:
    """``run.json`` of a run folder, checked enough to resume from."""
    path = run_dir / RUN_FILE
    if not run_dir.is_dir():
        raise ResumeError(f"--resume {run_dir}: no such folder; give a run folder made by `ganbench run`")
    if not path.is_file():
        raise ResumeError(
            f"--resume {run_dir}: no {RUN_FILE} there, so it is not a run folder made by `ganbench run` "
            "(a run killed before its first job wrote it has nothing to resume: start it again)"
        )
    try:
        meta = json.loads(path.read_text())
        meta["config"], meta["dataset_used"]
    except (json.JSONDecodeError, KeyError, TypeError) as err:
        raise ResumeError(f"--resume {run_dir}: {path} is unreadable ({err}); start the run again") from None
    return meta


def study_jobs(config: RunConfig) -> list[Job]:
    """The jobs of a run, in the order they start: every variant of the first seed, then the next seed."""
    return [Job(variant=name, seed=seed) for seed in config.seeds for name in config.variants]


def _with_extractor(
    context: JobContext, dataset: Dataset, progress: bool
) -> tuple[JobContext, FeatureExtractor]:
    """The run's extractor, and the context that tells every worker its weights (a worker whose own
    extractor differs refuses to run: :func:`build_evaluator`)."""
    extractor = _extractor(context, dataset, progress)
    return replace(context, extractor_weights=extractor.identity.weights_sha256), extractor


def _extractor(context: JobContext, dataset: Dataset, progress: bool) -> FeatureExtractor:
    """The run's extractor; a domain classifier is trained here when the cache lacks it, so the
    jobs' processes only load it."""
    config = context.config
    return resolve_extractor(
        config.eval.extractor,
        dataset,
        device=torch.device(context.device),
        progress=progress,
        **extractor_settings(check_extractor(config.eval.extractor), config.eval.classifier_epochs, None),
    )


def _study(
    context: JobContext,
    dataset: Dataset,
    extractor: FeatureExtractor,
    executor: Executor,
    progress: bool,
    log: Log,
    plan: StudyPlan,
) -> Path:
    """The reference row, the plan's phases of jobs, the run-level measures per seed of the last
    phase and the report, each skipped where a previous attempt finished it."""
    run_dir = context.run_dir
    evaluate = build_evaluator(context, log=log, progress=progress, dataset=dataset, extractor=extractor)
    register_prepared(context, evaluate)  # jobs run in this process use it

    # 3. The reference row: held-out real images vs as many training images, the best achievable values.
    if not (run_dir / "real" / DONE_FILE).is_file():
        _reference_row(context, evaluate, dataset)

    # 4. The jobs: train, sample and measure every one; a sweep's final phase is chosen after its search.
    failures: list[str] = []

    def finished(outcome: JobOutcome) -> None:
        for note in outcome.notes:
            log(note)
        log(outcome.line)
        failures.extend(outcome.failures)
        if outcome.status == "failed":  # the record says why; errors.txt and the exit code say it too
            failures.append(outcome.line)

    command = "sweep" if isinstance(plan, SweepPlan) else "run"
    last: list[Job] = []
    try:
        with executor.started():  # a local Ray instance starts once for every phase
            for jobs in plan.phases(run_dir, lambda: load_records(run_dir), log):
                executor.run(context, jobs, on_outcome=finished, progress=progress, log=log)
                last = jobs
    except KeyboardInterrupt:
        log(f"interrupted: finished jobs are kept; continue with: ganbench {command} --resume {run_dir}")
        raise

    # 5. Each seed: its models measured together (the tournament), once every job of it finished.
    for seed in dict.fromkeys(job.seed for job in last):
        _models_of_seed(context, evaluate, dataset, [job for job in last if job.seed == seed], seed, log)

    # 6. The report.
    failures += evaluate.failures
    if failures:
        with open(run_dir / "errors.txt", "a") as f:
            f.write("\n".join(failures) + "\n")
    report.write_report(run_dir)
    return run_dir


def _reference_row(context: JobContext, evaluate: RunEvaluator, dataset: Dataset) -> None:
    n = context.n
    reference_rows = subset_indices(len(dataset.train), n, seed=1)
    reference_images = dataset.train.images[reference_rows]
    reference = evaluate.features(reference_images, "reference")
    reference_unit = {
        "variant": "real",
        "status": "ok",
        "stage": "final",
        "fake_source": f"dataset {dataset.name} split train ({n} of {len(dataset.train)}, subset seed 1)",
        "fake_sha256": content_sha256(reference_images, None),
        "fake_size": image_size(reference_images),
    }
    real_dir = context.run_dir / "real"
    scores = evaluate.generated_set(
        reference, "real", real_dir, reference_unit, None, dataset.train.labels[reference_rows]
    )
    evaluate.log(f"real (held-out vs train) | {score_line(scores)}")
    _mark_done(real_dir)


def _models_of_seed(
    context: JobContext, evaluate: RunEvaluator, dataset: Dataset, jobs: list[Job], seed: int, log: Log
) -> None:
    """The run-level measures of one seed's models, rebuilt from their saved weights."""
    marker_dir = context.run_dir / "models" / f"seed{seed}"
    if not evaluate.run_metrics or (marker_dir / DONE_FILE).is_file():
        return
    if not all(is_done(context.run_dir, job) for job in jobs):
        return  # an interrupted or failed executor: a resume measures them
    players: dict[str, Player] = {}
    units: dict[str, dict[str, Any]] = {}
    for job in jobs:
        done = read_done(context.run_dir, job)
        if done["status"] in ("diverged", "failed"):
            continue
        player = load_player(context, job, dataset.channels, dataset.image_size, dataset.num_classes)
        if player is None:
            log(
                f"note: {job.variant} has no discriminator that judges images; "
                "run-level measures leave it out"
            )
            continue
        players[job.variant] = player
        units[job.variant] = _unit_of(context, job, done)
    evaluate.models(players, units, seed)
    _mark_done(marker_dir)


def _unit_of(context: JobContext, job: Job, done: dict[str, Any]) -> dict[str, Any]:
    """The unit fields a finished job's run-level records carry (as its final records do)."""
    return job.record_fields() | {
        "status": done["status"],
        "stage": "final",
        "kimg": done.get("kimg"),
        "g_steps": done.get("g_steps"),
        "d_steps": done.get("d_steps"),
        "train_seconds": done.get("train_seconds"),
        **training_setup(context.config.train, done.get("train_threads")),
    }


def _mark_done(directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / DONE_FILE).write_text(json.dumps({"status": "ok"}))


def _features(
    extractor: FeatureExtractor, images: torch.Tensor, desc: str, config: RunConfig, progress: bool
) -> FeatureSet:
    cache_dir = default_cache_dir() / "features" if config.eval.cache_features else None
    return extract(extractor, images, desc=f"features: {desc}", progress=progress, cache_dir=cache_dir)


def build_evaluator(
    context: JobContext,
    *,
    log: Log,
    progress: bool,
    dataset: Dataset | None = None,
    extractor: FeatureExtractor | None = None,
) -> RunEvaluator:
    """The fixed real side of the run (held-out and training features, class prior) and its record
    writer; the dataset and extractor are loaded when not given (in a worker process)."""
    config, device = context.config, torch.device(context.device)
    if dataset is None:
        dataset, _ = load_dataset(context.dataset, config.data_root, allow_fallback=False, log=log)
    if extractor is None:
        extractor = _extractor(context, dataset, progress)
    weights = extractor.identity.weights_sha256
    if context.extractor_weights is not None and weights != context.extractor_weights:
        raise RuntimeError(
            f"this worker's {extractor.identity.name} has weights {weights}, the run's driver "
            f"{context.extractor_weights}: its features would not be comparable. The worker does not "
            f"see the driver's cache ({context.cache_dir}): set GANBENCH_CACHE to a folder every node "
            "shares, or give the extractor a weights file"
        )
    n, run_dir = context.n, context.run_dir
    identity = extractor.identity
    held_out_rows = subset_indices(len(dataset.test), n, seed=0)
    held_out = dataset.test.images[held_out_rows]
    common = {
        "run_id": run_dir.name,
        "dataset": dataset.name,
        "split": "test",
        **extractor_fields(identity),
        "resize": identity.resize,
        "real_source": f"dataset {dataset.name} split test ({n} of {len(dataset.test)}, subset seed 0)",
        "real_sha256": content_sha256(held_out, None),
        "real_size": image_size(held_out),
        "git_commit": provenance.git_commit(),
        **provenance.versions(),
    }
    metrics = list(config.eval.metrics)
    needs_classifier = any("classifier" in METRICS[m].extra_inputs for m in metrics)
    inputs = {
        "real_labels": dataset.test.labels[held_out_rows].numpy(),
        "train_labels": dataset.train.labels.numpy(),
        "num_classes": dataset.num_classes,
        "classifier": domain_classifier_handle(
            extractor, dataset, device=device, progress=progress, epochs=config.eval.classifier_epochs
        )
        if needs_classifier
        else None,
    }
    return RunEvaluator(
        config=config,
        dataset=dataset,
        extractor=extractor,
        set_metrics=[m for m in metrics if METRICS[m].level == "set"],
        run_metrics=[m for m in metrics if METRICS[m].level == "run"],
        real=_features(extractor, held_out, "held-out", config, progress),
        train=_features(extractor, dataset.train.images, "train", config, progress),
        class_prior=np.bincount(dataset.train.labels.numpy(), minlength=dataset.num_classes)
        / len(dataset.train),
        device=device,
        writer=RecordWriter(run_dir / RECORDS_FILE, common, unique=True),
        log=log,
        progress=progress,
        failures=[],
        inputs=inputs,
    )


def _write_run_json(
    run_dir: Path,
    config: RunConfig,
    dataset: Dataset,
    fallback_note: str | None,
    device: torch.device,
    extractor: FeatureExtractor,
    context: JobContext,
    log: Log,
    plan: StudyPlan,
) -> None:
    accuracy = getattr(extractor, "accuracy", None)
    if accuracy is not None:
        log(
            f"{extractor.identity.name} {extractor.identity.weights_sha256}: held-out accuracy {accuracy:.4f}"
        )
    meta = {
        "config": config.to_dict(),
        "dataset_used": dataset.name,
        "dataset_spelling": context.dataset,  # what the jobs and a resume load (the fallback, if it happened)
        "dataset_source": dataset.source,
        "fallback": fallback_note,
        "device": str(device),
        "platform": platform.platform(),
        "extractor": {**extractor.identity.as_dict(), "held_out_accuracy": accuracy},
        "image_shape": [dataset.channels, dataset.image_size, dataset.image_size],
        "num_classes": dataset.num_classes,  # what conditional generators are rebuilt with
        "sweep": plan.settings.__dict__ if isinstance(plan, SweepPlan) else None,  # its trials: sweep.json
    }
    (run_dir / RUN_FILE).write_text(json.dumps(meta, indent=2))
