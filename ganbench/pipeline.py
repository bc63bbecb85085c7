"""The only module that knows the order of the stages: data -> extractor -> train -> sample ->
features -> metrics -> records -> report.

Every finished (variant, seed) unit appends its records at once, so a crash or a kill later
never loses what was already measured.
"""

from __future__ import annotations

import datetime as dt
import json
import platform
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganbench import artifacts, report
from ganbench.config import RunConfig
from ganbench.datasets import Dataset, DatasetUnavailableError, default_cache_dir
from ganbench.evaluation import FeatureSet, Score, extract, score
from ganbench.metrics._spec import GeneratorHandle
from ganbench.records import RECORDS_FILE, append_records, make_record
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS
from ganbench.tournament import DIRECTIONS as TOURNAMENT_DIRECTIONS
from ganbench.tournament import Player, play_tournament
from ganbench.train import Budget, sample, train

Log = Callable[[str], None]

#: Dataset used when ``mnist`` can be neither found nor downloaded (said on stderr and in the report).
OFFLINE_FALLBACK = {"mnist": "mnist-5k"}


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def resolve_device(name: str) -> torch.device:
    """``auto`` -> CUDA when available, else CPU; anything else is passed to torch."""
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {name!r} was asked for but CUDA is not available; use --device cpu or auto")
    return torch.device(name)


def load_dataset(name: str, data_root: str | None, log: Log) -> tuple[Dataset, str | None]:
    """Load ``name``; if it is unavailable and has an offline fallback, load that and say so.

    Returns the dataset and the fallback note (None when no fallback happened).
    """
    try:
        return DATASETS[name](data_root), None
    except DatasetUnavailableError as err:
        if name not in OFFLINE_FALLBACK:
            raise
        fallback = OFFLINE_FALLBACK[name]
        reason = str(err).splitlines()[0]
        note = f"{reason} FELL BACK to {fallback!r}; the records say dataset={fallback}"
        log(f"warning: {err}\nwarning: FELL BACK to {fallback!r}; the records say dataset={fallback}")
        return DATASETS[fallback](data_root), note


def _versions() -> dict[str, str | None]:
    def version(package: str) -> str | None:
        try:
            return metadata.version(package)
        except metadata.PackageNotFoundError:
            return None

    return {
        "ganbench_version": version("ganbench"),
        "torch_version": torch.__version__,
        "torch_fidelity_version": version("torch-fidelity"),
    }


def _git_commit() -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=Path(__file__).parent, capture_output=True, text=True, timeout=5
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def new_run_dir(out_dir: str | Path, preset: str) -> Path:
    """``<out_dir>/<UTC time>-<preset>``, made unique with a counter."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    base = Path(out_dir) / f"{stamp}-{preset}"
    run_dir, counter = base, 1
    while run_dir.exists():
        counter += 1
        run_dir = base.with_name(f"{base.name}-{counter}")
    run_dir.mkdir(parents=True)
    return run_dir


def _subset(images: torch.Tensor, n: int, seed: int) -> torch.Tensor:
    """A fixed random subset of ``n`` images (all of them, in order, when ``n`` >= N)."""
    if n >= len(images):
        return images
    order = torch.randperm(len(images), generator=torch.Generator().manual_seed(seed))
    return images[order[:n].sort().values]


@dataclass
class _Context:
    """What every record of one run shares."""

    common: dict[str, Any]
    records_path: Path

    def write(self, scores: list[Score], n_real: int, n_fake: int, **unit: Any) -> None:
        now = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        append_records(
            self.records_path,
            [
                make_record(
                    **self.common,
                    **unit,
                    n_real=n_real,
                    n_fake=n_fake,
                    metric=s.metric,
                    key=s.key,
                    value=s.value,
                    std=s.std,
                    direction=s.direction,
                    target=s.target,
                    space=s.space,
                    params=s.params,
                    ci_low=s.ci_low,
                    ci_high=s.ci_high,
                    time=now,
                )
                for s in scores
            ],
        )


@dataclass
class _Evaluator:
    """Scores generated sets against the fixed real side of one run, and writes their records."""

    config: RunConfig
    metrics: list[str]
    real: FeatureSet
    train: FeatureSet
    class_prior: np.ndarray
    device: torch.device
    context: _Context
    log: Log
    progress: bool
    failures: list[str]

    def __call__(
        self,
        fake: FeatureSet,
        label: str,
        unit_dir: Path,
        unit: dict[str, Any],
        generator: GeneratorHandle | None,
    ) -> list[Score]:
        def failed(name: str, err: Exception) -> None:
            self.failures.append(f"{label}: {name}: {err}")
            self.log(f"error: metric {name} failed for {label}: {err}")

        scores = score(
            self.metrics,
            real=self.real,
            fake=fake,
            train=self.train,
            class_prior=self.class_prior,
            generator=generator,
            seed=self.config.eval.metric_seed,
            bootstrap=self.config.eval.bootstrap,
            device=self.device,
            artifact_dir=unit_dir / "metrics",
            on_error=failed,
            progress=self.progress,
        )
        self.context.write(scores, len(self.real), len(fake), **unit)
        return scores


def run(
    config: RunConfig,
    *,
    out_dir: str | Path = "reports",
    progress: bool = True,
    log: Log = _stderr,
) -> Path:
    """Train every variant x seed of ``config``, evaluate, write records and the report.

    Returns the run directory (``<out_dir>/<run-id>``), which holds ``run.json``,
    ``records.jsonl``, ``report.md``, ``report.csv``, the ``real`` reference row's metric
    artifacts, and per ``<variant>/seed<k>/`` the weights, loss log and curves, a sample grid
    and metric artifacts.
    """
    variants = VARIANTS.resolve(list(config.variants))
    metrics = METRICS.resolve(list(config.eval.metrics))
    extractor_factory = EXTRACTORS[config.eval.extractor]
    if not config.seeds:
        raise ValueError("no seeds given; pass e.g. --seeds 0,1,2")
    if config.eval.bootstrap < 0:
        raise ValueError(f"bootstrap must be >= 0 resamples, got {config.eval.bootstrap}")
    device = resolve_device(config.device)
    dataset, fallback_note = load_dataset(config.dataset, config.data_root, log)

    run_dir = new_run_dir(out_dir, config.preset)
    log(
        f"run {run_dir} | dataset {dataset.name} ({len(dataset.train)} train / {len(dataset.test)} held-out) "
        f"| device {device}"
    )
    extractor = extractor_factory(
        dataset, device=device, progress=progress, epochs=config.eval.classifier_epochs
    )
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
    }
    (run_dir / "run.json").write_text(json.dumps(meta, indent=2))

    cache_dir = default_cache_dir() / "features" if config.eval.cache_features else None

    def features(images: torch.Tensor, desc: str) -> FeatureSet:
        return extract(extractor, images, desc=f"features: {desc}", progress=progress, cache_dir=cache_dir)

    n = min(config.eval.n_samples, len(dataset.test))
    real_images = _subset(dataset.test.images, n, seed=0)
    evaluate = _Evaluator(
        config=config,
        metrics=metrics,
        real=features(real_images, "held-out"),
        train=features(dataset.train.images, "train"),
        class_prior=np.bincount(dataset.train.labels.numpy(), minlength=dataset.num_classes)
        / len(dataset.train),
        device=device,
        context=_Context(
            common={
                "run_id": run_dir.name,
                "dataset": dataset.name,
                "split": "test",
                "extractor": extractor.identity.name,
                "extractor_hash": extractor.identity.weights_sha256,
                "extractor_protocol": extractor.identity.protocol,
                "device": str(device),
                "git_commit": _git_commit(),
                **_versions(),
            },
            records_path=run_dir / RECORDS_FILE,
        ),
        log=log,
        progress=progress,
        failures=[],
    )

    # The reference row: held-out real images vs as many training images, the best achievable values.
    reference = features(_subset(dataset.train.images, n, seed=1), "reference")
    scores = evaluate(reference, "real", run_dir / "real", {"variant": "real", "status": "ok"}, None)
    log(_summary("real (held-out vs train)", scores))

    budget = Budget(kimg=config.train.kimg, seconds=config.train.budget_seconds)
    for seed in config.seeds:
        players: dict[str, Player] = {}
        for name in variants:
            variant = VARIANTS[name]
            unit_dir = run_dir / name / f"seed{seed}"
            result = train(
                variant,
                dataset.train.images,
                budget=budget,
                batch_size=config.train.batch_size,
                seed=seed,
                device=device,
                log_every=config.train.log_every,
                progress=progress,
            )
            artifacts.save_networks(result, unit_dir)
            artifacts.save_losses(result.losses, unit_dir, f"{name} seed {seed}")
            unit = {
                "variant": name,
                "seed": seed,
                "status": result.status,
                "kimg": result.kimg,
                "g_steps": result.g_steps,
                "d_steps": result.d_steps,
                "train_seconds": round(result.seconds, 3),
            }
            head = (
                f"{name} seed {seed}: {result.kimg:.1f} kimg, {result.g_steps} G / {result.d_steps} D steps, "
                f"{result.seconds:.0f} s"
            )
            if result.status == "diverged":
                evaluate.context.write([_divergence_score(result.diverged_at_step)], 0, 0, **unit)
                log(f"{head} | DIVERGED at D step {result.diverged_at_step} (loss NaN/inf); not evaluated")
                continue
            generator = GeneratorHandle(result.generator, variant.latent_dim, device)
            players[name] = Player(generator=generator, discriminator=result.discriminator)
            fake_images = sample(result.generator, n, latent_dim=variant.latent_dim, seed=seed, device=device)
            artifacts.save_sample_grid(fake_images, unit_dir / "samples.png")
            scores = evaluate(features(fake_images, name), f"{name} seed {seed}", unit_dir, unit, generator)
            log(_summary(head, scores))
        if config.eval.tournament and len(players) >= 2:
            _tournament(players, real_images, seed, evaluate, log)

    if evaluate.failures:
        (run_dir / "errors.txt").write_text("\n".join(evaluate.failures) + "\n")
    report.write_report(run_dir)
    return run_dir


def _tournament(
    players: dict[str, Player], real_images: torch.Tensor, seed: int, evaluate: _Evaluator, log: Log
) -> None:
    """Discriminators of one seed's variants judge each other's generators; one record per key."""
    ratings = play_tournament(players, real_images, seed=seed, device=evaluate.device)
    for name, values in ratings.items():
        scores = [
            Score(
                metric="tournament",
                key=key,
                value=value,
                std=values.get(f"{key}_std"),
                direction=direction,
                target=None,
                space="models",
                params={"players": sorted(players), "opponents": "other variants' discriminators"},
            )
            for key, direction in TOURNAMENT_DIRECTIONS.items()
            for value in [values[key]]
        ]
        evaluate.context.write(
            scores, len(real_images), len(real_images), variant=name, seed=seed, status="ok"
        )
    log(
        f"tournament seed {seed}: "
        + ", ".join(f"{n} {v['tournament_rating']:.0f}" for n, v in ratings.items())
    )


def _divergence_score(step: int | None) -> Score:
    return Score(
        metric="training",
        key="diverged_at_step",
        value=float(step or 0),
        std=None,
        direction="lower",
        target=None,
        space="none",
        params={},
    )


def _summary(head: str, scores: list[Score]) -> str:
    """The head and the first key of every metric: one line per finished unit."""
    first = {s.metric: s for s in reversed(scores)}
    return f"{head} | " + " ".join(f"{s.key} {s.value:.4g}" for s in reversed(first.values()))
