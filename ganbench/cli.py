"""The ``ganbench`` command: a thin click layer over the public API."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ganbench import config as cfg
from ganbench.datasets import CorruptDatasetError, DatasetUnavailableError
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS, UnknownNameError
from ganbench.tournament import DIRECTIONS as TOURNAMENT_DIRECTIONS
from ganbench.tournament import REFERENCE as TOURNAMENT_REFERENCE

RUN_EXAMPLES = """
\b
Examples:
  ganbench run                                  # quick preset: 4 variants on mnist-5k, ~10 min on CPU
  ganbench run --variants dcgan,wgan-gp --seeds 0,1,2
  ganbench run --preset smoke                   # seconds; numbers mean nothing
  ganbench run --preset paper --dataset mnist   # Lucic et al. 2018 protocol, for a GPU
  ganbench run --config my.toml --budget-kimg 120 --budget-seconds 300
  ganbench run --metrics all --bootstrap 50     # every measure, with bootstrap intervals
"""


def _csv(value: str | None) -> list[str] | None:
    return [v.strip() for v in value.split(",") if v.strip()] if value else None


def _seeds(value: str | None) -> list[int] | None:
    if not value:
        return None
    try:
        return [int(v) for v in value.split(",") if v.strip()]
    except ValueError:
        raise click.BadParameter(
            f"seeds must be comma-separated integers, e.g. 0,1,2; got {value!r}"
        ) from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ganbench")
def main() -> None:
    """Train GAN variants to a fair budget, evaluate them with Borji's measures, and report.

    \b
    Start with:  ganbench run            then:  ganbench report reports/<run-id>
    See also:    ganbench list
    """


@main.command(epilog=RUN_EXAMPLES)
@click.option(
    "--preset",
    default="quick",
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
@click.option("--budget-kimg", type=float, help="Thousands of real images shown to D per run.")
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
    "--tournament/--no-tournament", default=None, help="Discriminators judge each other's generators."
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
    from ganbench.pipeline import run as run_pipeline
    from ganbench.report import REPORT_MD

    try:
        config = cfg.load_preset(preset)
        if config_file:
            config = cfg.load_config_file(config_file, config)
        config = cfg.with_overrides(
            config,
            {
                "variants": VARIANTS.resolve(variants) if variants else None,
                "dataset": DATASETS[dataset] and dataset if dataset else None,
                "data_root": data_root,
                "seeds": _seeds(seeds),
                "device": device,
                "train": {"kimg": budget_kimg, "budget_seconds": budget_seconds},
                "eval": {
                    "metrics": METRICS.resolve(metrics) if metrics else None,
                    "n_samples": n_samples,
                    "bootstrap": bootstrap,
                    "tournament": tournament,
                },
            },
        )
        run_dir = run_pipeline(config, out_dir=out_dir, progress=not no_progress)
    except (UnknownNameError, ValueError, DatasetUnavailableError, CorruptDatasetError) as err:
        raise click.ClickException(str(err)) from None
    click.echo((run_dir / REPORT_MD).read_text())
    click.echo(f"written: {run_dir}/ (records.jsonl, report.md, report.csv, samples, loss curves)", err=True)
    if (run_dir / "errors.txt").exists():
        raise click.ClickException(f"some metrics failed; see {run_dir / 'errors.txt'}")


@main.command()
@click.argument("run_dir", type=click.Path(exists=True, file_okay=False))
def report(run_dir: str) -> None:
    """Print and write the comparative table of RUN_DIR (report.md, report.csv).

    \b
    Example:
      ganbench report reports/20261123-120000-quick
    """
    from ganbench.report import write_report

    try:
        markdown = write_report(Path(run_dir))
    except (FileNotFoundError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(markdown)


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
                click.echo(f"  {name:18} [{inputs}] {keys}")
                click.echo(f"  {'':18} {spec.reference}")
            keys = ", ".join(f"{k} ({d})" for k, d in TOURNAMENT_DIRECTIONS.items())
            click.echo(f"  {'tournament':18} [models, run-level: on unless --no-tournament] {keys}")
            click.echo(f"  {'':18} {TOURNAMENT_REFERENCE}")
        elif section == "extractors":
            for name, factory in EXTRACTORS.items():
                click.echo(f"  {name:18} {(factory.__doc__ or '').strip().splitlines()[0]}")
        elif section == "presets":
            for name in cfg.preset_names():
                click.echo(f"  {name:18} {cfg.preset_description(name)}")


if __name__ == "__main__":
    sys.exit(main())
