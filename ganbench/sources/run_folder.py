"""A ganbench run folder (made by ``ganbench run``) as a source of generated sets: one per (variant, seed).

A run folder holds ``run.json`` (the config; ``image_shape`` [C, H, W] in runs that record it) and
``records.jsonl``, and per unit ``<variant>/seed<k>/generator.pt`` (a state dict). Each unit's
generator is rebuilt with its variant's ``build_generator(latent_dim, channels, image_size)``, its
weights loaded with ``torch.load(weights_only=True)``, and sampled with
:func:`ganbench.training.sample` seeded by the unit's training seed: the samples ``ganbench run``
scored, when as many are drawn on the same kind of device (the codes come from a generator seeded
on the sampling device; ``source`` says so when the devices differ). Units whose training
diverged (the records say ``status = diverged``) are left out, as the run left them out.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch

from ganbench.datasets.loading import load_dataset
from ganbench.datasets.spec import CorruptDatasetError, DatasetNameError, DatasetUnavailableError
from ganbench.metrics.spec import GeneratorHandle
from ganbench.registry import VARIANTS
from ganbench.reporting.records import RECORDS_FILE, load_records
from ganbench.sources.generator import load_state_dict, required_n
from ganbench.sources.generator_output import CheckedOutput
from ganbench.sources.spec import LoadedSet, Role, SourceError, SourceSpec
from ganbench.training import sample, sample_conditional

RUN_FILE = "run.json"
GENERATOR_FILE = "generator.pt"


def is_run_folder(path: Path) -> bool:
    """Whether ``path`` is a folder holding ``run.json`` and ``records.jsonl``."""
    return (path / RUN_FILE).is_file() and (path / RECORDS_FILE).is_file()


@dataclass(frozen=True)
class Unit:
    """One trained generator of a run: ``variant``, training ``seed`` and its weights file ``weights``."""

    variant: str
    seed: int
    weights: Path


@dataclass(frozen=True, kw_only=True)
class RunSource(SourceSpec):
    """A run folder's trained generators.

    Attributes:
        path: the run folder, absolute.
        units: the generators to sample, in the run's order (variants, then seeds).
        diverged: the units left out because their training diverged.
        image_shape: [C, H, W] from ``run.json``, or None (then read from the run's dataset).
        dataset: the dataset the run trained on (``dataset_used``).
        data_root: where that dataset's files are.
        run_device: the device the run sampled on (``run.json`` ``device``), or None when not recorded.
        num_classes: the run's dataset's class count (``run.json`` ``num_classes``, recorded since
            runs could train class-conditional variants), or None.
    """

    path: Path
    units: tuple[Unit, ...]
    diverged: tuple[tuple[str, int], ...]
    image_shape: tuple[int, int, int] | None
    dataset: str
    data_root: str | Path | None
    run_device: str | None
    num_classes: int | None = None

    def describe(self) -> str:
        left = (
            f"; left out (diverged): {', '.join(f'{v} seed {s}' for v, s in self.diverged)}"
            if self.diverged
            else ""
        )
        return f"run {self.path} ({len(self.units)} generators{left})"

    def _shape(self) -> tuple[int, int]:
        """(channels, image size) of the run's images."""
        if self.image_shape is not None:
            return self.image_shape[0], self.image_shape[-1]
        try:
            dataset, _ = load_dataset(self.dataset, self.data_root, allow_fallback=False, log=lambda m: None)
        except (DatasetUnavailableError, CorruptDatasetError, DatasetNameError) as err:
            raise SourceError(
                f"{self.text}: run.json has no image_shape, and the run's dataset {self.dataset!r}, which "
                f"gives it, cannot be loaded: {err}"
            ) from err
        return dataset.channels, dataset.image_size

    def _num_classes(self, variant: str) -> int:
        if self.num_classes is None:
            raise SourceError(
                f"{self.text}: {variant} is class-conditional, and run.json does not record the number of "
                "classes its generator was built for; rerun it with this version of ganbench"
            )
        return self.num_classes

    def load(self, *, n: int | None, seed: int, device: torch.device, progress: bool) -> list[LoadedSet]:
        """``n`` samples of every unit's generator, seeded by the unit's training seed (not by ``seed``)."""
        del seed, progress
        n = required_n(self.text, n)
        channels, size = self._shape()
        device = torch.device(device)
        elsewhere = ""
        if self.run_device is not None and torch.device(self.run_device).type != device.type:
            elsewhere = (
                f" (sampled on {device.type}; the run sampled on {self.run_device}, so not its images)"
            )
        sets = []
        for unit in self.units:
            variant = VARIANTS[unit.variant]
            classes = () if not variant.conditional else (self._num_classes(unit.variant),)
            module = variant.build_generator(variant.latent_dim, channels, size, *classes)
            load_state_dict(f"{self.text} ({unit.variant} seed {unit.seed})", module, unit.weights)
            module = module.to(device)
            checked = CheckedOutput(module, "-1,1", f"{self.text}: {unit.variant} seed {unit.seed} output")
            labels = None
            if classes:  # as the run sampled it: class-balanced, each image's class kept
                images, labels = sample_conditional(
                    checked,
                    n,
                    latent_dim=variant.latent_dim,
                    num_classes=classes[0],
                    seed=unit.seed,
                    device=device,
                )
            else:
                images = sample(checked, n, latent_dim=variant.latent_dim, seed=unit.seed, device=device)
            sets.append(
                LoadedSet(
                    label=unit.variant,
                    images=images,
                    labels=labels,
                    num_classes=classes[0] if classes else None,
                    source=f"run {self.path} {unit.variant} seed {unit.seed}{elsewhere}",
                    seed=unit.seed,
                    generator=GeneratorHandle(module, variant.latent_dim, device),
                )
            )
        return sets


def _read_meta(text: str, path: Path) -> dict[str, Any]:
    try:
        meta = json.loads((path / RUN_FILE).read_text())
        config = meta["config"]
        variants, seeds = list(config["variants"]), [int(s) for s in config["seeds"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise SourceError(
            f"{text}: {path / RUN_FILE} cannot be read as a ganbench run ({type(err).__name__}: {err}); "
            "point at a folder made by `ganbench run`"
        ) from err
    return {"meta": meta, "config": config, "variants": variants, "seeds": seeds}


def _diverged(text: str, path: Path) -> set[tuple[str, int]]:
    """(variant, seed) of the units whose records say their training diverged."""
    try:
        records = load_records(path)
    except (OSError, ValueError) as err:
        raise SourceError(f"{text}: {path / RECORDS_FILE} cannot be read ({err})") from err
    diverged = records[records["status"] == "diverged"]
    return {(str(v), int(s)) for v, s in zip(diverged["variant"], diverged["seed"], strict=True)}


def parse_run(text: str, path: Path, *, role: Role, data_root: str | Path | None) -> RunSource:
    """Check a run folder: run.json readable, every variant registered, every unit's generator.pt present.

    Raises:
        SourceError: on the real side (a run holds several generated sets), an unreadable run.json,
            a variant no longer registered, a missing generator.pt, no unit to sample.
    """
    path = path.resolve()
    if role == "real":
        raise SourceError(
            f"{text}: a run folder holds generated sets, one per variant and seed; it can only be the fake "
            "side (the real side is a dataset, an image folder or an array file)"
        )
    read = _read_meta(text, path)
    for name in read["variants"]:
        if name not in VARIANTS:
            raise SourceError(
                f"{text}: the run trained variant {name!r}, which is no longer registered, so its generator "
                f"cannot be rebuilt; registered variants: {', '.join(VARIANTS.names())}"
            )
    diverged = _diverged(text, path)
    units, left_out = [], []
    for name in read["variants"]:
        for seed in read["seeds"]:
            if (name, seed) in diverged:
                left_out.append((name, seed))
                continue
            weights = path / name / f"seed{seed}" / GENERATOR_FILE
            if not weights.is_file():
                raise SourceError(
                    f"{text}: {weights} is missing: the run's {name} seed {seed} has no saved generator "
                    "(the run did not finish, or the file was removed); rerun it, or restore the file"
                )
            units.append(Unit(name, seed, weights))
    if not units:
        raise SourceError(f"{text}: every unit of the run diverged; there is no trained generator to sample")
    shape = read["meta"].get("image_shape")
    return RunSource(
        kind="run",
        text=text,
        role=role,
        path=path,
        units=tuple(units),
        diverged=tuple(left_out),
        image_shape=None if shape is None else (int(shape[0]), int(shape[1]), int(shape[2])),
        dataset=str(read["meta"].get("dataset_used") or read["config"].get("dataset")),
        data_root=data_root if data_root is not None else read["config"].get("data_root"),
        run_device=read["meta"].get("device"),
        num_classes=read["meta"].get("num_classes"),
    )
