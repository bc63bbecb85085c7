"""The saved state of a training job: what it is (a fingerprint), where it stands, and the file.

A job killed at any moment (SIGKILL, a lost machine) loses at most the work since its last
checkpoint: :func:`ganbench.training.train` with :class:`TrainingCheckpoints` saves a
:class:`TrainingState` at generator-step boundaries and once at the end, and a new call with the
same file continues from it. The state holds everything the next step reads (networks,
optimisers, both random generators, the epoch's order and cursor, counters, the loss log, the
divergence watch, a stateful objective's state), so the resumed job computes bit for bit what an
uninterrupted one computes (on the same machine and kernels).

The file is one ``torch.save`` archive of tensors, dicts, lists, numbers and strings, read with
``torch.load(weights_only=True)`` (nothing in it is executed). It is replaced atomically: written
to a temporary file beside it, fsynced, then renamed over it, so a kill mid-write leaves
the previous checkpoint whole. A file that belongs to another job (its fingerprint differs) or
cannot be read raises :class:`CheckpointMismatchError` naming the file and what to do.
"""

from __future__ import annotations

import functools
import hashlib
import math
from collections.abc import Callable
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import torch

from ganbench.atomic_files import replacing
from ganbench.config import TrainConfig
from ganbench.numerics import checks
from ganbench.variants import Variant

#: The layout of the checkpoint file; another number is refused (its state would be misread).
FORMAT = 1

#: The status of a state saved during training; a finished job's file holds its final status.
RUNNING = "running"

#: Variant fields that do not change training (how the run-level measures read D, a citation,
#: declared search ranges, whether it may be split): left out of the fingerprint.
_NOT_TRAINING = frozenset({"name", "paper", "discriminator_scores", "composable", "search_space"})

#: Rows of the image tensor hashed for the fingerprint (evenly spaced; all of a smaller set).
_HASHED_ROWS = 256


@dataclass(frozen=True)
class TrainingCheckpoints:
    """Where and how often a training job saves its state.

    Attributes:
        path: this job's checkpoint file (e.g. ``<unit_dir>/training_state.pt``); when it exists,
            training resumes from it. Its folder is made when missing.
        every_seconds: save at the first G-step boundary this many seconds of training after the
            last save (``math.inf``: never by time; 0: at every G step).
        every_g_steps: also save every this many G steps (deterministic: what tests use), or None.
    """

    path: Path
    every_seconds: float = 300.0
    every_g_steps: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "path", Path(self.path))
        if self.every_seconds != math.inf:
            checks.real_number("every_seconds (math.inf: never by time)", self.every_seconds, low=0.0)
        if self.every_g_steps is not None:
            steps = checks.positive_int("every_g_steps", self.every_g_steps)
            object.__setattr__(self, "every_g_steps", steps)

    def due(self, g_steps: int, seconds_since_save: float) -> bool:
        """Whether a save is due at the boundary after G step ``g_steps``."""
        by_steps = self.every_g_steps is not None and g_steps % self.every_g_steps == 0
        return by_steps or seconds_since_save >= self.every_seconds


class CheckpointMismatchError(ValueError):
    """A training checkpoint file that belongs to another job, or that cannot be read."""


@dataclass
class TrainingState:
    """Everything a training job needs to continue exactly where it stood.

    Tensors are wherever training keeps them when saved (the file holds CPU copies) and on the
    CPU when read; the loop moves them back to its device.

    Attributes:
        generator, discriminator: the networks' ``state_dict()`` (batch-norm statistics and
            spectral-norm vectors included).
        optimizer_g, optimizer_d: the optimisers' ``state_dict()``.
        step_rng: ``get_state()`` of the step generator (z, classes, penalty and VAE draws), uint8.
        real_batches: the epoch stream's state: its shuffle generator's state, the epoch's order
            (int64 [N]) and the cursor (batches of it already drawn).
        shown, g_steps, d_steps: real images shown to D, and optimiser steps, so far.
        next_evaluation: images shown at which the next ``on_checkpoint`` evaluation is due
            (``math.inf``: none), for the schedule ``evaluation_every`` (images; ``math.inf``: no hook).
        losses: the loss log so far (the rows of ``TrainResult.losses``).
        finite_watch: the divergence watch's state (the first non-finite D step, on the device).
        objective: a stateful objective's ``state_dict()`` (BEGAN's k), else None.
        seconds: training seconds spent so far, over every process that worked on the job.
        status: :data:`RUNNING` for a state saved during training, else the job's final status
            (``"ok"``, ``"diverged"``, ``"time-cap"``): a finished job is not trained further.
    """

    generator: dict[str, torch.Tensor]
    discriminator: dict[str, torch.Tensor]
    optimizer_g: dict[str, Any]
    optimizer_d: dict[str, Any]
    step_rng: torch.Tensor
    real_batches: dict[str, Any]
    shown: int
    g_steps: int
    d_steps: int
    next_evaluation: float
    evaluation_every: float
    losses: list[dict[str, float]]
    finite_watch: dict[str, torch.Tensor]
    objective: dict[str, torch.Tensor] | None
    seconds: float
    status: str


def moved(tree: Any, device: torch.device | str) -> Any:
    """``tree`` (tensors in dicts, lists and tuples; other leaves kept) with every tensor on ``device``.

    ``Tensor.to`` keeps each tensor's layout (channels-last optimiser moments stay channels-last)
    and copies nothing already there."""
    if isinstance(tree, torch.Tensor):
        return tree.detach().to(device)
    if isinstance(tree, dict):
        return {key: moved(value, device) for key, value in tree.items()}
    if isinstance(tree, list | tuple):
        return type(tree)(moved(value, device) for value in tree)
    return tree


def _describe(value: Any) -> str:
    """A stable text of a variant field: a function or class by its qualified name, a partial with its
    bound arguments (a trial's penalty weight, BEGAN's γ), anything else by ``repr``."""
    if isinstance(value, functools.partial):
        bound = [_describe(arg) for arg in value.args]
        bound += [f"{key}={_describe(arg)}" for key, arg in sorted(value.keywords.items())]
        return f"{_describe(value.func)}({', '.join(bound)})"
    if callable(value):
        kind = value if hasattr(value, "__qualname__") else type(value)
        return f"{kind.__module__}.{kind.__qualname__}"
    return repr(value)


def _content_digest(values: torch.Tensor) -> str:
    """A cheap digest of an integer tensor [N, ...]: its dtype and shape, the BLAKE2b of up to
    :data:`_HASHED_ROWS` evenly spaced rows, and the sum of every value (so another data set, or an
    edited one, is told apart without hashing every byte or copying a device tensor back)."""
    rows = torch.linspace(0, values.shape[0] - 1, min(_HASHED_ROWS, values.shape[0])).round().long()
    sample = values[rows.to(values.device)].cpu().contiguous()
    digest = hashlib.blake2b(sample.numpy().tobytes(), digest_size=16).hexdigest()
    total = int(values.sum(dtype=torch.int64))
    return f"{str(values.dtype).removeprefix('torch.')}{list(values.shape)} blake2b:{digest} sum:{total}"


def job_fingerprint(
    variant: Variant,
    settings: TrainConfig,
    *,
    seed: int,
    images: torch.Tensor,
    labels: torch.Tensor | None,
    num_classes: int | None,
    device: torch.device,
) -> dict[str, str]:
    """What a training job is, field by field (texts): a checkpoint continues only the job it was
    saved by.

    The variant's name and every field that changes training (losses, penalty and its weight,
    networks, optimiser and rates, ...), the :class:`~ganbench.config.TrainConfig` fields (budget,
    batch, log interval, kernels), the seed, the images (uint8 [N, C, H, W]: shape and a cheap
    content digest), and, for a class-conditional variant (the only kind that reads them), the
    labels and ``num_classes``; the device kind (a CUDA generator's state is not a CPU one's).
    """
    fingerprint = {"variant": variant.name}
    for spec in fields(variant):
        if spec.name not in _NOT_TRAINING:
            fingerprint[f"variant.{spec.name}"] = _describe(getattr(variant, spec.name))
    for spec in fields(settings):
        fingerprint[f"train.{spec.name}"] = repr(getattr(settings, spec.name))
    fingerprint["seed"] = repr(seed)
    fingerprint["images"] = _content_digest(images)
    conditional = variant.conditional and labels is not None
    fingerprint["labels"] = _content_digest(labels) if conditional else "unused"
    fingerprint["num_classes"] = repr(num_classes) if variant.conditional else "unused"
    fingerprint["device"] = device.type
    return fingerprint


def write_training_state(path: Path, fingerprint: dict[str, str], state: TrainingState) -> None:
    """Replace ``path`` atomically by ``state`` (tensors copied to the CPU) and ``fingerprint``.

    Written to a temporary file beside it, fsynced, renamed over ``path`` and the folder fsynced
    (:func:`ganbench.atomic_files.replacing`): a kill at any point leaves either the previous file
    or the new one, whole.
    """
    payload = {
        "format": FORMAT,
        "fingerprint": fingerprint,
        "state": moved({spec.name: getattr(state, spec.name) for spec in fields(state)}, "cpu"),
    }
    with replacing(path, durable=True) as temporary, open(temporary, "wb") as handle:
        torch.save(payload, handle)


def _unreadable(path: Path, why: str) -> CheckpointMismatchError:
    return CheckpointMismatchError(
        f"training checkpoint {path} cannot be read ({why}): it is damaged or not a ganbench training "
        f"checkpoint. Delete it to train this job from the start."
    )


def read_training_state(path: Path, fingerprint: dict[str, str]) -> TrainingState | None:
    """The state saved in ``path`` (tensors on the CPU), None when there is no file.

    Raises:
        CheckpointMismatchError: the file cannot be read (cut short, not a checkpoint, another
            format), or its job differs from ``fingerprint`` (the message names each field that
            differs, with both values, and says the file can be deleted to start over).
    """
    if not path.exists():
        return None
    try:
        payload = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # torch raises RuntimeError, EOFError, UnpicklingError, ... for a bad file
        first_line = str(err).strip().splitlines()[:1]
        raise _unreadable(path, ": ".join([type(err).__name__, *first_line])) from err
    if not isinstance(payload, dict) or not {"format", "fingerprint", "state"} <= payload.keys():
        raise _unreadable(path, "not the layout of a training checkpoint")
    if payload["format"] != FORMAT:
        raise _unreadable(path, f"checkpoint format {payload['format']!r}; this ganbench reads {FORMAT}")
    saved: dict[str, str] = payload["fingerprint"]
    differences = [
        f"{key}: {saved.get(key, '(absent)')} in the file, {fingerprint.get(key, '(absent)')} in this job"
        for key in sorted(saved.keys() | fingerprint.keys(), key=_field_order(fingerprint))
        if saved.get(key) != fingerprint.get(key)
    ]
    if differences:
        raise CheckpointMismatchError(
            f"training checkpoint {path} belongs to another training job; "
            + "; ".join(differences)
            + ". Delete the file to train this job from the start (the saved progress is lost), or "
            "resume the job it was saved by."
        )
    names = {spec.name for spec in fields(TrainingState)}
    if not isinstance(payload["state"], dict) or payload["state"].keys() != names:
        raise _unreadable(path, "its training state lacks fields or has unknown ones")
    return TrainingState(**payload["state"])


def _field_order(fingerprint: dict[str, str]) -> Callable[[str], tuple[float, str]]:
    """Sort key: this job's fields in their fingerprint order, then fields only the file has."""
    order = {key: index for index, key in enumerate(fingerprint)}
    return lambda key: (order.get(key, math.inf), key)
