"""The only module that knows the order of the stages: check -> data -> extractor -> reference row ->
(train -> sample -> features -> set measures) per variant -> run measures per seed -> report.

Every input is checked before any work starts, and the run folder is made only then. Every
finished (variant, seed) unit appends its records at once, so a crash or a kill later never
loses what was already measured.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench.config import RunConfig, check_config
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
from ganbench.networks import Negated
from ganbench.registry import METRICS, VARIANTS
from ganbench.reporting import RECORDS_FILE, RecordWriter, provenance, report
from ganbench.runtime import resolve_device
from ganbench.sources import content_sha256
from ganbench.sources.subset import subset_indices
from ganbench.studies.preflight import check_against_dataset, check_out_dir, estimate_training
from ganbench.training import Checkpoint, artifacts, sample, sample_conditional, train

Log = Callable[[str], None]


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def new_run_dir(out_dir: Path, preset: str) -> Path:
    """``<out_dir>/<UTC time>-<preset>``, made unique with a counter."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = out_dir / f"{stamp}-{preset}"
    run_dir, counter = base, 1
    while run_dir.exists():
        counter += 1
        run_dir = base.with_name(f"{base.name}-{counter}")
    run_dir.mkdir(parents=True)
    return run_dir


@dataclass
class _Evaluator:
    """Scores generated sets (and a seed's models) against the fixed real side of one run."""

    config: RunConfig
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

    def checkpoint(
        self,
        extractor: FeatureExtractor,
        name: str,
        seed: int,
        n: int,
        artifact_dir: Path,
        point: Checkpoint,
    ) -> None:
        """Score the set measures on ``n`` samples of a generator during training (``--eval-every``).

        The records say ``stage = "checkpoint"`` with the kimg and steps reached; no bootstrap and
        no measure that needs the generator itself (they would cost more than the evaluation).
        """
        variant = VARIANTS[name]
        fakes = sample(point.generator, n, latent_dim=variant.latent_dim, seed=seed, device=self.device)
        fake = _features(extractor, fakes, f"{name} at {point.kimg:.1f} kimg", self.config, self.progress)
        label = f"{name} seed {seed} at {point.kimg:.1f} kimg"
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
        unit = {
            "variant": name,
            "seed": seed,
            "status": "ok",
            "stage": "checkpoint",
            "kimg": point.kimg,
            "g_steps": point.g_steps,
            "d_steps": point.d_steps,
            "budget_kimg": self.config.train.kimg,
            "budget_seconds": self.config.train.budget_seconds,
            "train_kernels": self.config.train.kernels,
        }
        self.writer.write(scores, n_real=len(self.real), n_fake=len(fake), **unit)
        self.log(f"{label} | {_keys(scores)}")

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
                self.log(f"models seed {seed}: {name} | " + _keys(scores))


def run(
    config: RunConfig,
    *,
    out_dir: str | Path = "reports",
    progress: bool = True,
    log: Log = _stderr,
) -> Path:
    """Train every variant x seed of ``config``, evaluate, write records and the report.

    Returns the run directory (``<out_dir>/<run-id>``), which holds ``run.json``,
    ``records.jsonl``, ``report.md``, ``report.csv``, ``report.html``, the ``real`` reference
    row's metric artifacts, and per ``<variant>/seed<k>/`` the weights, loss log and curves, a
    sample grid, a nearest-neighbour grid, latent interpolations and metric artifacts.

    Raises:
        ConfigError: a setting that cannot be used (before anything is read or written).
        DatasetUnavailableError, CorruptDatasetError: the data cannot be loaded (likewise).
        OutDirError: ``out_dir`` cannot be written (likewise).
    """
    # 1. Everything that can be checked without the data, then the data itself: no work yet.
    config = check_config(config)
    out = check_out_dir(out_dir)
    device = resolve_device(config.device)
    dataset, fallback_note = load_dataset(
        config.dataset, config.data_root, allow_fallback=config.offline_fallback, log=log
    )
    n = check_against_dataset(config, dataset, log)
    log(estimate_training(config, dataset, device))

    # 2. The run folder, the extractor and the real side of every comparison.
    run_dir = new_run_dir(out, config.preset)
    log(
        f"run {run_dir} | dataset {dataset.name} ({len(dataset.train)} train / {len(dataset.test)} held-out) "
        f"| device {device}"
    )
    extractor = resolve_extractor(
        config.eval.extractor,
        dataset,
        device=device,
        progress=progress,
        **extractor_settings(check_extractor(config.eval.extractor), config.eval.classifier_epochs, None),
    )
    _write_run_json(run_dir, config, dataset, fallback_note, device, extractor, log)
    evaluate = _evaluator(config, dataset, extractor, n, device, run_dir, log, progress)

    # 3. The reference row: held-out real images vs as many training images, the best achievable values.
    reference_rows = subset_indices(len(dataset.train), n, seed=1)
    reference_images = dataset.train.images[reference_rows]
    reference = _features(extractor, reference_images, "reference", config, progress)
    reference_unit = {
        "variant": "real",
        "status": "ok",
        "stage": "final",
        "fake_source": f"dataset {dataset.name} split train ({n} of {len(dataset.train)}, subset seed 1)",
        "fake_sha256": content_sha256(reference_images, None),
        "fake_size": image_size(reference_images),
    }
    scores = evaluate.generated_set(
        reference, "real", run_dir / "real", reference_unit, None, dataset.train.labels[reference_rows]
    )
    log(f"real (held-out vs train) | {_keys(scores)}")

    # 4. Each seed: train, sample and measure every variant, then measure the seed's models together.
    for seed in config.seeds:
        players: dict[str, Player] = {}
        units: dict[str, dict[str, Any]] = {}
        for name in config.variants:
            variant = VARIANTS[name]
            unit_dir = run_dir / name / f"seed{seed}"
            result = train(
                variant,
                dataset.train.images,
                config.train,
                seed=seed,
                device=device,
                progress=progress,
                every_kimg=config.eval.every_kimg,
                on_checkpoint=functools.partial(
                    evaluate.checkpoint, extractor, name, seed, n, unit_dir / "checkpoints"
                ),
                labels=dataset.train.labels,
                num_classes=dataset.num_classes,
            )
            artifacts.save_networks(result, unit_dir)
            artifacts.save_losses(result.losses, unit_dir, f"{name} seed {seed}")
            unit = {
                "variant": name,
                "seed": seed,
                "status": result.status,
                "stage": "final",
                "kimg": result.kimg,
                "g_steps": result.g_steps,
                "d_steps": result.d_steps,
                "train_seconds": round(result.seconds, 3),
                "budget_kimg": config.train.kimg,
                "budget_seconds": config.train.budget_seconds,
                "train_kernels": config.train.kernels,
            }
            head = (
                f"{name} seed {seed}: {result.kimg:.1f} kimg, {result.g_steps} G / {result.d_steps} D steps, "
                f"{result.seconds:.0f} s"
            )
            if result.status == "diverged":
                evaluate.writer.write(
                    [_divergence_score(result.diverged_at_step, device)], n_real=0, n_fake=0, **unit
                )
                log(f"{head} | DIVERGED at D step {result.diverged_at_step} (loss NaN/inf); not evaluated")
                continue
            generator = GeneratorHandle(result.generator, variant.latent_dim, device)
            if variant.discriminator_scores == "none":
                log(f"note: {name} has no discriminator that judges images; run-level measures leave it out")
            else:  # the run-level measures read higher scores as "more real"
                judge = result.discriminator
                if variant.discriminator_scores == "lower-is-real":
                    judge = Negated(judge)
                players[name] = Player(generator=generator, discriminator=judge)
                units[name] = unit
            fake_labels = None
            if (
                variant.conditional
            ):  # class-balanced, each image's class recorded for the conditional measures
                fake_images, fake_labels = sample_conditional(
                    result.generator,
                    n,
                    latent_dim=variant.latent_dim,
                    num_classes=dataset.num_classes,
                    seed=seed,
                    device=device,
                )
            else:
                fake_images = sample(
                    result.generator, n, latent_dim=variant.latent_dim, seed=seed, device=device
                )
            unit |= {
                "fake_source": f"generator {name} seed {seed} ({n} samples, sample seed {seed})",
                "fake_sha256": content_sha256(fake_images, fake_labels),
                "fake_size": image_size(fake_images),
            }
            artifacts.save_sample_grid(fake_images, unit_dir / "samples.png")
            artifacts.save_nearest_neighbours(
                fake_images, dataset.train.images, unit_dir / "nearest_neighbours.png", device=device
            )
            artifacts.save_interpolations(generator, unit_dir / "interpolation.png", seed=seed)
            fake = _features(extractor, fake_images, name, config, progress)
            scores = evaluate.generated_set(
                fake, f"{name} seed {seed}", unit_dir, unit, generator, fake_labels
            )
            log(f"{head} | {_keys(scores)}")
        evaluate.models(players, units, seed)

    # 5. The report.
    if evaluate.failures:
        (run_dir / "errors.txt").write_text("\n".join(evaluate.failures) + "\n")
    report.write_report(run_dir)
    return run_dir


def _features(
    extractor: FeatureExtractor, images: torch.Tensor, desc: str, config: RunConfig, progress: bool
) -> FeatureSet:
    cache_dir = default_cache_dir() / "features" if config.eval.cache_features else None
    return extract(extractor, images, desc=f"features: {desc}", progress=progress, cache_dir=cache_dir)


def _evaluator(
    config: RunConfig,
    dataset: Dataset,
    extractor: FeatureExtractor,
    n: int,
    device: torch.device,
    run_dir: Path,
    log: Log,
    progress: bool,
) -> _Evaluator:
    """The fixed real side of the run (held-out and training features, class prior) and its record writer."""
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
    return _Evaluator(
        config=config,
        set_metrics=[m for m in metrics if METRICS[m].level == "set"],
        run_metrics=[m for m in metrics if METRICS[m].level == "run"],
        real=_features(extractor, held_out, "held-out", config, progress),
        train=_features(extractor, dataset.train.images, "train", config, progress),
        class_prior=np.bincount(dataset.train.labels.numpy(), minlength=dataset.num_classes)
        / len(dataset.train),
        device=device,
        writer=RecordWriter(run_dir / RECORDS_FILE, common),
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
    log: Log,
) -> None:
    accuracy = getattr(extractor, "accuracy", None)
    if accuracy is not None:
        log(
            f"{extractor.identity.name} {extractor.identity.weights_sha256}: held-out accuracy {accuracy:.4f}"
        )
    meta = {
        "config": config.to_dict(),
        "dataset_used": dataset.name,
        "dataset_source": dataset.source,
        "fallback": fallback_note,
        "device": str(device),
        "platform": platform.platform(),
        "extractor": {**extractor.identity.as_dict(), "held_out_accuracy": accuracy},
        "image_shape": [dataset.channels, dataset.image_size, dataset.image_size],
        "num_classes": dataset.num_classes,  # what conditional generators are rebuilt with
    }
    (run_dir / "run.json").write_text(json.dumps(meta, indent=2))


def _divergence_score(step: int | None, device: torch.device) -> Score:
    return Score(
        metric="training",
        key="diverged_at_step",
        value=float(step or 0),
        std=None,
        direction="lower",
        target=None,
        space="none",
        params={},
        device=str(device),
    )


def _keys(scores: list[Score]) -> str:
    """The first key of every measure: one line per finished unit."""
    first = {s.metric: s for s in reversed(scores)}
    return " ".join(f"{s.key} {s.value:.4g}" for s in reversed(first.values()))
