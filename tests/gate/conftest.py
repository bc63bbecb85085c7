"""Synthetic run directories for the gate: records written with the real record writer functions."""

from __future__ import annotations

import copy
import itertools
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from ganbench.cli import main
from ganbench.registry import METRICS
from ganbench.reporting.records import append_records, make_record

#: Per-seed values (seeds 0, 1, 2) of a healthy synthetic run; `real` has one value and no seed.
GOOD: dict[str, dict[str, list[float]]] = {
    "real": {"fid": [1.0], "recall": [0.95], "coverage": [0.97], "c2st_1nn": [0.51], "kid": [0.02]},
    "dcgan": {
        "fid": [30.0, 32.0, 34.0],
        "recall": [0.60, 0.62, 0.64],
        "coverage": [0.70, 0.72, 0.74],
        "c2st_1nn": [0.70, 0.72, 0.74],
        "kid": [2.0, 2.2, 2.4],
        "birthday_support": [500.0, 600.0, 700.0],
        "birthday_censored": [0.0, 0.0, 0.0],
    },
    "lsgan": {
        "fid": [50.0, 55.0, 60.0],
        "recall": [0.40, 0.45, 0.50],
        "coverage": [0.50, 0.55, 0.60],
        "c2st_1nn": [0.80, 0.85, 0.90],
        "kid": [4.0, 4.5, 5.0],
        "birthday_support": [200.0, 250.0, 300.0],
        "birthday_censored": [0.0, 0.0, 0.0],
    },
}


def _measure_of(key: str) -> tuple[str, str, float | None]:
    """(metric, direction word, target) of a registered key, read from the registry."""
    for name, spec in METRICS.items():
        if key in spec.directions:
            d = spec.directions[key]
            return name, (d if isinstance(d, str) else "target"), (None if isinstance(d, str) else float(d))
    raise KeyError(key)


def write_run(
    run_dir: Path,
    values: dict[str, dict[str, list[float]]] | None = None,
    *,
    dataset: str = "mnist-5k",
    n: int = 500,
    extractor: str = "domain-classifier",
    extractor_hash: str = "0123456789abcdef",
    diverged: dict[str, int] | None = None,
    ci: dict[tuple[str, str], list[tuple[float, float]]] | None = None,
) -> Path:
    """Write ``run_dir/records.jsonl`` as a run would: one record per (variant, seed, key).

    ``values``: variant -> key -> one value per seed (``real``: one value, no seed); ``diverged``:
    variant -> a seed that diverged (its records are a divergence marker only); ``ci``: (variant,
    key) -> per-seed bootstrap interval.
    """
    values = GOOD if values is None else values
    diverged = diverged or {}
    common = {
        "run_id": run_dir.name,
        "dataset": dataset,
        "split": "test",
        "extractor": extractor,
        "extractor_hash": extractor_hash,
        "extractor_protocol": "test",
        "device": "cpu",
    }
    rows = []
    for variant, keys in values.items():
        n_seeds = max(len(v) for v in keys.values())
        for seed in range(n_seeds) if variant != "real" else [None]:
            unit = {**common, "variant": variant, "seed": seed, "kimg": 1.0, "g_steps": 10}
            if variant in diverged and diverged[variant] == seed:
                rows.append(
                    make_record(
                        **unit, status="diverged", n_real=0, n_fake=0, metric="training",
                        key="diverged_at_step", value=7.0, direction="lower",
                    )
                )  # fmt: skip
                continue
            for key, per_seed in keys.items():
                metric, direction, target = _measure_of(key)
                low, high = (ci or {}).get((variant, key), [(None, None)] * len(per_seed))[seed or 0]
                rows.append(
                    make_record(
                        **unit, status="ok", n_real=n, n_fake=n, metric=metric, key=key,
                        value=per_seed[seed or 0], direction=direction, target=target,
                        space="features", ci_low=low, ci_high=high,
                    )
                )  # fmt: skip
    append_records(run_dir / "records.jsonl", rows)
    return run_dir


@pytest.fixture
def make_run(tmp_path: Path) -> Callable[..., Path]:
    """``make_run(name, values=None, **options)``: a synthetic run directory (see write_run)."""

    def make(name: str = "run-good", values: dict | None = None, **options: object) -> Path:
        return write_run(tmp_path / name, values, **options)

    return make


@pytest.fixture
def good() -> dict[str, dict[str, list[float]]]:
    """A copy of :data:`GOOD` to edit."""
    return copy.deepcopy(GOOD)


@pytest.fixture
def toml(tmp_path: Path) -> Callable[[str], Path]:
    """``toml(text)``: write a thresholds file (t1.toml, t2.toml, ...) under tmp_path and return its path."""
    written = itertools.count(1)

    def write(text: str) -> Path:
        path = tmp_path / f"t{next(written)}.toml"
        path.write_text(text)
        return path

    return write


@pytest.fixture
def cli() -> Callable[..., Result]:
    """``cli(*args)``: run the ganbench command; an uncaught exception (a traceback) fails the test."""

    def invoke(*args: object) -> Result:
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def check(make_run, toml, cli) -> Callable[..., Result]:
    """``check(text, *options, run=None)``: ``ganbench check RUN --thresholds <text written to a file>``
    (RUN: the healthy synthetic run unless given)."""

    def run_check(text: str, *options: object, run: Path | None = None) -> Result:
        return cli("check", run or make_run(), "--thresholds", toml(text), *options)

    return run_check
