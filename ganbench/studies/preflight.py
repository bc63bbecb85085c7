"""Checks and estimates made before a run does any work: the output folder, the settings that depend on
the data, and how long training will take on this device."""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable
from pathlib import Path

import torch

from ganbench.config import ConfigError, RunConfig, TrainConfig
from ganbench.datasets import Dataset
from ganbench.evaluation.scoring import metric_params
from ganbench.registry import METRICS, VARIANTS
from ganbench.training.loop import build_networks, train

#: Training above this many seconds gets a warning before it starts, saying how to shorten it.
LONG_RUN_SECONDS = 3600.0

# Budgets (kimg summed over variants and seeds) below this are not worth timing: seconds of training.
_ESTIMATE_MIN_KIMG = 50.0


class OutDirError(OSError):
    """The output folder cannot be made or written; the message says which path and why."""


def check_out_dir(out_dir: str | Path) -> Path:
    """Check that run folders can be made under ``out_dir`` without making anything yet.

    ``out_dir`` must be a writable folder, or not exist yet below a writable folder (it is made
    with the run folder, after every other check).

    Raises:
        OutDirError: it is a file, or its nearest existing ancestor is not a writable folder.
    """
    path = Path(out_dir).expanduser()
    probe = path
    while not probe.exists():
        if probe.parent == probe:
            break
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        what = "is a file" if probe == path else f"cannot be made: {probe} is a file"
        raise OutDirError(f"output folder {path} {what}; pass --out with a folder path")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutDirError(
            f"output folder {path} cannot be written: no write permission on {probe}; pass --out elsewhere"
        )
    return path


def check_against_dataset(config: RunConfig, dataset: Dataset, log: Callable[[str], None]) -> int:
    """Check the settings that depend on the data's size; return n, the images compared per set.

    Raises:
        ConfigError: the batch does not fit in the training split, images of this size do not
            fit the variants' networks, or a measure needs more samples per set than n.
    """
    if config.train.batch_size > len(dataset.train):
        raise ConfigError(
            "train.batch_size",
            f"train.batch_size {config.train.batch_size} exceeds the {len(dataset.train)} training images "
            f"of {dataset.name}; use a smaller batch",
        )
    for name in config.variants:
        try:
            build_networks(
                VARIANTS[name], dataset.channels, dataset.image_size, seed=0, num_classes=dataset.num_classes
            )
        except ValueError as err:
            raise ConfigError(
                "variants", f"variant {name} cannot be built for {dataset.name}: {err}"
            ) from None
    n = min(config.eval.n_samples, len(dataset.test))
    if n < config.eval.n_samples:
        log(
            f"note: eval.n_samples {config.eval.n_samples} is more than the {len(dataset.test)} "
            f"held-out images of {dataset.name}; comparing {n} vs {n}"
        )
    for name in config.eval.metrics:
        spec = METRICS[name]
        params = metric_params(spec, n, n, config.eval.metric_seed)
        bins = params.get("bins")
        if "train" in spec.extra_inputs and isinstance(bins, int) and len(dataset.train) < bins:
            raise ConfigError(
                "eval.metrics",
                f"metric {name} fits {bins} bins on the training images, and {dataset.name} has "
                f"{len(dataset.train)}; use a dataset with at least {bins} training images or leave "
                f"{name} out",
            )
        needed = spec.samples_needed(params)
        if n < needed:
            raise ConfigError(
                "eval.n_samples",
                f"metric {name} needs at least {needed} samples per set with its parameters, and this run "
                f"compares {n} vs {n}; raise eval.n_samples (--n-samples) or leave {name} out of the metrics",
            )
    return n


def estimate_training(config: RunConfig, dataset: Dataset, device: torch.device, trials: int = 0) -> str:
    """How long training will take, from a few timed steps of each variant on ``device``.

    ``trials``: a sweep's search trials per variant, trained besides its final seeds (timed at the
    variant's default settings: a trial with more critic steps takes longer).

    Returns a line for the log: the estimate, and a warning with what to change when it is
    over :data:`LONG_RUN_SECONDS`. Small budgets are not timed (the line says so).
    """
    per_variant = len(config.seeds) + trials
    total_kimg = config.train.kimg * len(config.variants) * per_variant
    if total_kimg < _ESTIMATE_MIN_KIMG:
        runs = f"{len(config.variants)} variants x {len(config.seeds)} seeds"
        runs += f" (+ {trials} search trials each)" if trials else ""
        return f"budget: {config.train.kimg:g} kimg x {runs}"
    seconds = 0.0
    for name in config.variants:
        per_image = _seconds_per_image(name, dataset, config.train, device)
        seconds += per_image * config.train.kimg * 1000 * per_variant
    if config.train.budget_seconds is not None:
        seconds = min(seconds, config.train.budget_seconds * len(config.variants) * per_variant)
    timed = "from a few timed training cycles per variant"
    line = f"estimated training time: {_duration(seconds)} on {device} ({timed})"
    if seconds > LONG_RUN_SECONDS:
        line = (
            f"WARNING: {line}. This run will take hours here: lower --budget-kimg, use fewer --variants or "
            f"--seeds{' or --trials' if trials else ''}, cap it with --budget-seconds, or run on a GPU "
            "(--device cuda)."
        )
    return line


def _seconds_per_image(name: str, dataset: Dataset, settings: TrainConfig, device: torch.device) -> float:
    """Wall-clock seconds per real image of the training loop itself, from two short timed runs.

    One cycle (``critic_steps`` D steps and one G step) warms up; then one and three cycles are
    timed, and their difference over two cycles' images leaves out the set-up both share.
    """
    variant = VARIANTS[name]
    cycle = settings.batch_size * variant.critic_steps
    probe = dataclasses.replace(settings, budget_seconds=None, log_every=1_000_000)

    def timed(cycles: int) -> float:
        budget = dataclasses.replace(probe, kimg=cycles * cycle / 1000)
        start = time.perf_counter()
        train(
            variant,
            dataset.train.images,
            budget,
            seed=0,
            device=device,
            progress=False,
            labels=dataset.train.labels,
            num_classes=dataset.num_classes,
        )
        if device.type == "cuda":
            torch.cuda.synchronize(device)
        return time.perf_counter() - start

    timed(1)
    one, three = timed(1), timed(3)
    return max(three - one, 0.0) / (2 * cycle)


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"{seconds:.0f} s"
    if seconds < 5400:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"
