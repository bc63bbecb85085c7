"""An equal-budget hyperparameter sweep: its settings, their checks, and its two phases of jobs.

Lucic et al. 2018, "Are GANs Created Equal? A Large-Scale Study" (arXiv:1711.10337, section 4):
every model gets the same search budget, T settings drawn at random from its search space, each
trained to the same budget and scored (the *search*); then the best setting of each model is
trained again with several seeds (the *final* phase), and the distributions are compared.

Here the search trains every trial with one seed, ``search_seed``, which the final phase's seeds
must not include: the best trial's search value is biased by the selection (the maximum of T noisy
values), so the final phase measures it again on seeds the selection never saw. The trials are
drawn with :func:`~ganbench.variants.trials.draw_trials` from each variant's space
(:func:`~ganbench.variants.space_file.check_space_file`: its declared space, changed by a space
file) and written to the run folder's ``sweep.json`` before any training, so a resume trains
exactly the trials drawn at the start; a copy of the space file sits beside it (``space.toml``).
The best trial is chosen from the records with :func:`ganbench.analysis.sweeps.sweep_table` (the
report stars the same one) and added to ``sweep.json``.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench import atomic_files
from ganbench.config import RunConfig
from ganbench.numerics import checks
from ganbench.registry import METRICS
from ganbench.studies.jobs import Job, is_done
from ganbench.variants.space_file import check_space_file
from ganbench.variants.trials import draw_trials

SWEEP_FILE = "sweep.json"
SPACE_COPY = "space.toml"

#: The training seed of the search trials by default: apart from the usual final seeds 0, 1, 2, ...
DEFAULT_SEARCH_SEED = 1000

Log = Callable[[str], None]


class SweepError(ValueError):
    """A sweep setting that cannot be used; ``option`` is the CLI option that sets it."""

    def __init__(self, option: str, message: str) -> None:
        super().__init__(message)
        self.option = option


@dataclass(frozen=True)
class SweepSettings:
    """How a sweep searches.

    Attributes:
        trials: settings drawn per variant (T), >= 1.
        key: the record key that scores the trials (``"fid"``), measured by one of the run's set
            measures; its recorded direction says which value is best.
        space_file: a TOML file changing the variants' declared search spaces
            (:mod:`ganbench.variants.space_file`), or None.
        trial_seed: the seed of the trials' draws.
        search_seed: the training seed of every search trial; not one of the final seeds.
    """

    trials: int
    key: str = "fid"
    space_file: str | None = None
    trial_seed: int = 0
    search_seed: int = DEFAULT_SEARCH_SEED


def check_sweep(config: RunConfig, settings: SweepSettings) -> dict[str, list[dict[str, float | int]]]:
    """Check a sweep's settings against its (checked) run config, before any work; return the
    drawn trials, variant -> one settings dict per trial.

    Raises:
        SweepError: a setting that cannot be used, naming its option and the fix.
        SpaceFileError: the space file is invalid for these variants.
    """
    try:
        checks.positive_int("trials", settings.trials)
    except ValueError as err:
        raise SweepError("--trials", f"{err}; give how many settings to draw per variant, e.g. 10") from None

    def gives_key(name: str) -> bool:
        return METRICS[name].level == "set" and settings.key in METRICS[name].directions

    if not any(gives_key(m) for m in config.eval.metrics):
        giving = sorted(m for m in METRICS if gives_key(m))
        how = f"add one of {', '.join(giving)} to --metrics" if giving else "no set measure gives that key"
        raise SweepError(
            "--key",
            f"--key {settings.key}: the sweep's measures ({', '.join(config.eval.metrics)}) give no "
            f"{settings.key!r} to score trials with; {how}, or choose a key they give",
        )
    for option, seed in (("--trial-seed", settings.trial_seed), ("--search-seed", settings.search_seed)):
        try:
            checks.check_seed(seed)
        except ValueError as err:
            raise SweepError(option, f"{option}: {err}") from None
    if settings.search_seed in config.seeds:
        raise SweepError(
            "--search-seed",
            f"--search-seed {settings.search_seed} is also a final seed (--seeds "
            f"{','.join(map(str, config.seeds))}): the best trial's search value is biased by its "
            "selection, so the final phase trains it again on other seeds; choose a search seed "
            "outside --seeds",
        )
    spaces = check_space_file(settings.space_file, config.variants)
    return {
        variant: draw_trials(spaces[variant], settings.trials, settings.trial_seed, variant)
        for variant in config.variants
    }


def _job(variant: str, seed: int, trial: int, phase: str, hyperparameters: dict[str, Any]) -> Job:
    return Job(
        variant=variant,
        seed=seed,
        trial=trial,
        sweep_phase=phase,
        hyperparameters=tuple(sorted(hyperparameters.items())),
    )


@dataclass
class SweepPlan:
    """A sweep's two phases as jobs, for :func:`ganbench.studies.pipeline.sweep` and its resume.

    Attributes:
        settings: the sweep's settings.
        config: the run config (variants, final seeds, budget, measures).
        trials: variant -> the drawn settings of its trials 0, 1, ..., T - 1.
    """

    settings: SweepSettings
    config: RunConfig
    trials: dict[str, list[dict[str, float | int]]]

    @property
    def search_trials(self) -> int:
        """Trials per variant before the final phase."""
        return self.settings.trials

    def search_jobs(self) -> list[Job]:
        """Every variant's trials, trial by trial (trial 0 of each variant first)."""
        return [
            _job(variant, self.settings.search_seed, trial, "search", self.trials[variant][trial])
            for trial in range(self.settings.trials)
            for variant in self.config.variants
        ]

    def final_jobs(self, best: dict[str, int]) -> list[Job]:
        """The best trial of each variant (``best``: variant -> trial) on every final seed."""
        return [
            _job(variant, seed, best[variant], "final", self.trials[variant][best[variant]])
            for seed in self.config.seeds
            for variant in self.config.variants
            if variant in best
        ]

    def phases(self, run_dir: Path, records: Callable[[], pd.DataFrame], log: Log) -> Iterator[list[Job]]:
        """The search jobs, then (once they all finished) the final jobs of the best trials."""
        search = self.search_jobs()
        yield search
        if not all(is_done(run_dir, job) for job in search):
            return  # an executor stopped early: a resume finishes the search first
        best = self.select(records(), log)
        self.write(run_dir, best)
        yield self.final_jobs(best)

    def select(self, records: pd.DataFrame, log: Log) -> dict[str, int]:
        """variant -> its best search trial by the key (:func:`ganbench.analysis.sweeps.sweep_table`);
        a variant none of whose trials has a value is left out, said in the log."""
        from ganbench.analysis.sweeps import sweep_table

        table = sweep_table(records, self.settings.key).set_index("variant")
        best: dict[str, int] = {}
        for variant in self.config.variants:
            row = table.loc[variant] if variant in table.index else None
            if row is None or pd.isna(row["best_trial"]):
                log(
                    f"note: no search trial of {variant} has a value of {self.settings.key} (all diverged or "
                    "failed); it has no final phase"
                )
                continue
            best[variant] = int(row["best_trial"])
            chosen = _settings_text(self.trials[variant][best[variant]])
            log(
                f"sweep: best {variant} trial {best[variant]} of {self.settings.trials}: "
                f"{self.settings.key} {row['search_value']:.4g} with {chosen}"
            )
        return best

    def write(self, run_dir: Path, best: dict[str, int] | None = None) -> None:
        """``sweep.json`` (settings, drawn trials, the best trials once chosen), atomically."""
        payload = {
            "settings": self.settings.__dict__,
            "trials": self.trials,
            "best": best,
        }
        atomic_files.write_text(run_dir / SWEEP_FILE, json.dumps(payload, indent=2))

    def save(self, run_dir: Path) -> None:
        """Write ``sweep.json`` and the copy of the space file, before any training."""
        if self.settings.space_file is not None:
            shutil.copyfile(self.settings.space_file, run_dir / SPACE_COPY)
        self.write(run_dir)

    @classmethod
    def load(cls, run_dir: Path, config: RunConfig) -> SweepPlan:
        """The plan a sweep folder's ``sweep.json`` holds (for a resume)."""
        data = json.loads((run_dir / SWEEP_FILE).read_text())
        return cls(SweepSettings(**data["settings"]), config, data["trials"])


def _settings_text(settings: dict[str, float | int]) -> str:
    return ", ".join(f"{name} {value:.4g}" for name, value in settings.items())
