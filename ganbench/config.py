"""Run configuration: frozen dataclasses whose field defaults are THE defaults, and TOML presets.

A preset (``ganbench/presets/<name>.toml``) and a user TOML file only override fields; the
CLI overrides both. Unknown keys are errors, so a typo never silently does nothing.
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

PRESET_PACKAGE = "ganbench.presets"


@dataclass(frozen=True)
class TrainConfig:
    """How each variant is trained."""

    kimg: float = 60.0  # budget: thousands of real images shown to the discriminator
    budget_seconds: float | None = None  # optional wall-clock cap per run; when it binds, runs stop early
    batch_size: int = 64  # real images per discriminator step
    log_every: int = 25  # generator steps between loss-log entries


@dataclass(frozen=True)
class EvalConfig:
    """How generated samples are evaluated."""

    extractor: str = "domain-classifier"  # feature space for features/logits metrics
    classifier_epochs: int = 10  # training epochs of the domain classifier
    n_samples: int = 10_000  # generated = held-out real images compared; capped by the held-out split
    metrics: tuple[str, ...] = (  # a fast, broad subset; `--metrics all` runs every registered one
        "fid",
        "kid",
        "is",
        "precision-recall",
        "density-coverage",
        "c2st-1nn",
        "mode-score",
        "class-coverage",
        "ndb",
        "birthday",
    )
    metric_seed: int = 0  # seed of the random draws inside metrics (splits, subsets)
    bootstrap: int = 0  # bootstrap resamples per metric for ci_low / ci_high (0: none)
    tournament: bool = True  # discriminators judge each other's generators (runs with >= 2 variants)
    cache_features: bool = True  # keep extracted features in the user cache (keyed by content)


@dataclass(frozen=True)
class RunConfig:
    """One benchmark run: variants x seeds on one dataset."""

    preset: str = "quick"  # name of the preset this config started from
    dataset: str = "mnist-5k"  # registry name; `mnist` falls back to `mnist-5k` when offline
    data_root: str | None = None  # None: $GANBENCH_DATA or the user cache dir
    variants: tuple[str, ...] = ("vanilla", "dcgan", "lsgan", "wgan-gp")
    seeds: tuple[int, ...] = (0,)
    device: str = "auto"  # auto: cuda when available, else cpu
    train: TrainConfig = field(default_factory=TrainConfig)
    eval: EvalConfig = field(default_factory=EvalConfig)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _apply(obj: Any, overrides: dict[str, Any], where: str) -> Any:
    """Return a copy of dataclass ``obj`` with ``overrides`` applied, recursing into nested tables."""
    fields = {f.name: f for f in dataclasses.fields(obj)}
    changes: dict[str, Any] = {}
    for key, value in overrides.items():
        if key not in fields:
            valid = ", ".join(sorted(fields))
            raise ValueError(f"unknown setting '{where}{key}'; valid settings here: {valid}")
        current = getattr(obj, key)
        if dataclasses.is_dataclass(current):
            if not isinstance(value, dict):
                raise ValueError(f"setting '{where}{key}' must be a table, got {value!r}")
            changes[key] = _apply(current, value, f"{where}{key}.")
        elif isinstance(current, tuple) or key in ("variants", "seeds", "metrics"):
            changes[key] = tuple(value) if isinstance(value, list | tuple) else tuple(_split(value))
        else:
            changes[key] = value
    return dataclasses.replace(obj, **changes)


def _split(value: Any) -> list[Any]:
    if isinstance(value, str):
        return [v.strip() for v in value.split(",") if v.strip()]
    return [value]


def preset_names() -> list[str]:
    """Names of the presets shipped with ganbench."""
    return sorted(p.name[:-5] for p in resources.files(PRESET_PACKAGE).iterdir() if p.name.endswith(".toml"))


def preset_description(name: str) -> str:
    """The first comment line of a preset file."""
    text = resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text()
    return next((line.lstrip("# ").strip() for line in text.splitlines() if line.startswith("#")), "")


def load_preset(name: str) -> RunConfig:
    """The :class:`RunConfig` of preset ``name`` (``smoke``, ``quick``, ``paper``)."""
    if name not in preset_names():
        raise ValueError(f"unknown preset {name!r}; valid presets: {', '.join(preset_names())}")
    text = resources.files(PRESET_PACKAGE).joinpath(f"{name}.toml").read_text()
    return _apply(RunConfig(preset=name), tomllib.loads(text), "")


def load_config_file(path: str | Path, base: RunConfig) -> RunConfig:
    """Apply the settings of a user TOML file on top of ``base``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text())
    except FileNotFoundError:
        raise ValueError(f"config file {path} does not exist") from None
    except tomllib.TOMLDecodeError as err:
        raise ValueError(f"config file {path} is not valid TOML: {err}") from None
    return _apply(base, data, "")


def with_overrides(config: RunConfig, overrides: dict[str, Any]) -> RunConfig:
    """Apply a (possibly nested) dict of overrides, skipping ``None`` values (unset CLI options)."""

    def prune(d: dict[str, Any]) -> dict[str, Any]:
        return {k: prune(v) if isinstance(v, dict) else v for k, v in d.items() if v is not None}

    return _apply(config, prune(overrides), "")
