"""The ``ganbench`` command: a thin click layer over the public API.

Bad input exits with code 2 and one line naming the option, the value and what is accepted,
before any work starts and without leaving a run folder; data that cannot be read exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from ganbench import config as cfg
from ganbench.datasets import CorruptDatasetError, DatasetUnavailableError
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS

RUN_EXAMPLES = """
\b
Examples:
  ganbench run                                  # quick preset: 4 variants on mnist-5k, ~8 min on CPU
  ganbench run --variants dcgan,wgan-gp --seeds 0,1,2
  ganbench run --preset smoke                   # seconds; numbers mean nothing
  ganbench run --preset paper                   # Lucic et al. 2018 protocol on full MNIST, for a GPU
  ganbench run --config my.toml --budget-kimg 120 --budget-seconds 300
  ganbench run --metrics all --bootstrap 50     # every measure, with bootstrap intervals
"""

#: The CLI option that sets each config setting, to name it in error messages.
OPTION_OF_SETTING = {
    "preset": "--preset",
    "config": "--config",
    "variants": "--variants",
    "dataset": "--dataset",
    "data_root": "--data-root",
    "seeds": "--seeds",
    "device": "--device",
    "train.kimg": "--budget-kimg",
    "train.budget_seconds": "--budget-seconds",
    "eval.metrics": "--metrics",
    "eval.n_samples": "--n-samples",
    "eval.bootstrap": "--bootstrap",
}


def _csv(value: str | None) -> list[str] | None:
    """None when the option was not given; else its comma-separated items (an empty list for '')."""
    return None if value is None else [v.strip() for v in value.split(",") if v.strip()]


def _seeds(value: str | None) -> list[int] | None:
    items = _csv(value)
    if items is None:
        return None
    try:
        return [int(v) for v in items]
    except ValueError:
        raise click.BadParameter(
            f"seeds must be comma-separated integers >= 0, e.g. 0,1,2; got {value!r}", param_hint="'--seeds'"
        ) from None


def _usage_error(err: cfg.ConfigError, given: set[str], source: str) -> click.UsageError:
    """A ConfigError as click's usage error: name the option when the value came from the command line."""
    if err.setting in given or err.setting in ("preset", "config"):
        return click.BadParameter(str(err), param_hint=f"'{OPTION_OF_SETTING[err.setting]}'")
    return click.UsageError(f"{err} (set in {source})")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ganbench")
def main() -> None:
    """Train GAN variants to a fair budget, evaluate them with Borji's measures, and report.

    \b
    Start with:  ganbench run            then:  ganbench report reports/<run-id>
    See also:    ganbench list
    """
    from ganbench.runtime import configure_threads

    configure_threads()


@main.command(epilog=RUN_EXAMPLES)
@click.option(
    "--preset",
    default=cfg.DEFAULT_PRESET,
    show_default=True,
    help="smoke | quick | paper (see `ganbench list presets`).",
)
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="TOML file overriding the preset."
)
@click.option("--variants", help="Comma-separated variants, or 'all' (default: the preset's four).")
@click.option("--dataset", help="mnist-5k (embedded) | mnist | fashion-mnist (default: the preset's).")
@click.option(
    "--data-root", type=click.Path(file_okay=False), help="Where dataset files live [$GANBENCH_DATA]."
)
@click.option("--seeds", help="Comma-separated seeds, e.g. 0,1,2 (default: 0).")
@click.option("--metrics", help="Comma-separated metrics, or 'all' (default: the preset's).")
@click.option("--budget-kimg", type=float, help="Thousands of real images shown to D per run (> 0).")
@click.option(
    "--budget-seconds", type=float, help="Optional wall-clock cap per run (breaks exact reproducibility)."
)
@click.option(
    "--n-samples", type=int, help="Generated and held-out images compared (capped by the held-out split)."
)
@click.option(
    "--bootstrap", type=int, help="Bootstrap resamples per metric: adds ci_low / ci_high to every value."
)
@click.option(
    "--tournament/--no-tournament",
    default=None,
    help="Add or drop the tournament measure (discriminators judge each other's generators).",
)
@click.option("--device", help="auto | cpu | cuda | cuda:N (default: auto).")
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False))
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
def run(
    preset: str,
    config_file: str | None,
    variants: str | None,
    dataset: str | None,
    data_root: str | None,
    seeds: str | None,
    metrics: str | None,
    budget_kimg: float | None,
    budget_seconds: float | None,
    n_samples: int | None,
    bootstrap: int | None,
    tournament: bool | None,
    device: str | None,
    out_dir: str,
    no_progress: bool,
) -> None:
    """Train, sample, evaluate and report: writes reports/<run-id>/."""
    from ganbench.reporting.report import REPORT_MD
    from ganbench.studies.pipeline import run as run_pipeline
    from ganbench.studies.preflight import OutDirError

    overrides: dict[str, Any] = {
        "variants": _csv(variants),
        "dataset": dataset,
        "data_root": data_root,
        "seeds": _seeds(seeds),
        "device": device,
        "train.kimg": budget_kimg,
        "train.budget_seconds": budget_seconds,
        "eval.metrics": _csv(metrics),
        "eval.n_samples": n_samples,
        "eval.bootstrap": bootstrap,
    }
    given = {setting for setting, value in overrides.items() if value is not None}
    source = f"--config {config_file}" if config_file else f"preset {preset}"
    try:
        config = cfg.load_preset(preset)
        if config_file:
            config = cfg.load_config_file(config_file, config)
        config = cfg.with_overrides(config, _nested(overrides))
        if tournament is not None:
            chosen = [m for m in config.eval.metrics if m != "tournament"] + (
                ["tournament"] if tournament else []
            )
            config = cfg.with_overrides(config, {"eval": {"metrics": chosen}})
        run_dir = run_pipeline(config, out_dir=out_dir, progress=not no_progress)
    except cfg.ConfigError as err:
        raise _usage_error(err, given, source) from None
    except OutDirError as err:
        raise click.BadParameter(str(err), param_hint="'--out'") from None
    except DatasetUnavailableError as err:
        raise click.UsageError(str(err)) from None
    except CorruptDatasetError as err:
        raise click.ClickException(str(err)) from None
    click.echo((run_dir / REPORT_MD).read_text())
    written = "records.jsonl, report.md, report.csv, report.html, samples, loss curves"
    click.echo(f"written: {run_dir}/ ({written})", err=True)
    if (run_dir / "errors.txt").exists():
        raise click.ClickException(f"some metrics failed; see {run_dir / 'errors.txt'}")


def _nested(overrides: dict[str, Any]) -> dict[str, Any]:
    """``{"train.kimg": 5}`` -> ``{"train": {"kimg": 5}}``."""
    out: dict[str, Any] = {}
    for setting, value in overrides.items():
        *tables, key = setting.split(".")
        target = out
        for table in tables:
            target = target.setdefault(table, {})
        target[key] = value
    return out


@main.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
def report(run_dir: str) -> None:
    """Print and write the comparative table of RUN_DIR (report.md, report.csv) and report.html,
    one self-contained page with the figures (open it from disk; nothing is fetched).

    \b
    Example:
      ganbench report reports/20261123-120000-quick
    """
    from ganbench.reporting.html import REPORT_HTML
    from ganbench.reporting.report import write_report

    try:
        markdown = write_report(Path(run_dir))
    except (FileNotFoundError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(markdown)
    click.echo(f"written: {Path(run_dir) / REPORT_HTML}", err=True)


LISTABLE = ("variants", "datasets", "metrics", "extractors", "presets")


@main.command(name="list")
@click.argument("what", required=False, type=click.Choice(LISTABLE))
def list_(what: str | None) -> None:
    """List variants, datasets, metrics, extractors and presets (or one of them).

    \b
    Examples:
      ganbench list
      ganbench list metrics
    """
    for section in [what] if what else LISTABLE:
        click.echo(f"{section}:")
        if section == "variants":
            for name, variant in VARIANTS.items():
                click.echo(f"  {name:18} {variant.paper}; {variant.critic_steps} D step(s) per G step")
        elif section == "datasets":
            for name, factory in DATASETS.items():
                click.echo(f"  {name:18} {(factory.__doc__ or '').strip().splitlines()[0]}")
        elif section == "metrics":
            for name, spec in METRICS.items():
                keys = ", ".join(
                    f"{k} ({d if isinstance(d, str) else f'target {d:g}'})"
                    for k, d in spec.directions.items()
                )
                inputs = "+".join([spec.space, *spec.extra_inputs])
                level = ", run-level: over each seed's models" if spec.level == "run" else ""
                click.echo(f"  {name:18} [{inputs}{level}] {keys}")
                click.echo(f"  {'':18} {spec.reference}")
                if spec.notes:
                    click.echo(f"  {'':18} note: {spec.notes}")
        elif section == "extractors":
            for name, factory in EXTRACTORS.items():
                click.echo(f"  {name:18} {(factory.__doc__ or '').strip().splitlines()[0]}")
        elif section == "presets":
            for name in cfg.preset_names():
                click.echo(f"  {name:18} {cfg.preset_description(name)}")


if __name__ == "__main__":
    sys.exit(main())
