"""The ``ganbench`` command: a thin click layer over the public API.

Bad input exits with code 2 and one line naming the option, the value and what is accepted,
before any work starts and without leaving a run folder; data that cannot be read exits 1.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import click

from ganbench import config as cfg
from ganbench.datasets import CorruptDatasetError, DatasetUnavailableError
from ganbench.metrics.borji_list import BORJI_2019, place_of
from ganbench.metrics.spec import MetricSpec
from ganbench.registry import DATASETS, EXTRACTORS, METRICS, VARIANTS
from ganbench.studies.sweep import DEFAULT_SEARCH_SEED

RUN_EXAMPLES = """
\b
Examples:
  ganbench run                                  # quick preset: 4 variants on mnist-5k, ~8 min on CPU
  ganbench run --variants dcgan,wgan-gp --seeds 0,1,2
  ganbench run --preset smoke                   # seconds; numbers mean nothing
  ganbench run --preset paper                   # Lucic et al. 2018 protocol on full MNIST, for a GPU
  ganbench run --preset lucic-cifar10           # their six GANs x 3 seeds (also lucic-mnist, ...), GPU
  ganbench run --config my.toml --budget-kimg 120 --budget-seconds 300
  ganbench run --metrics all --bootstrap 50     # every measure, with bootstrap intervals
  ganbench run --eval-every 20                  # also evaluate during training: metric-vs-budget curves
  ganbench run --dataset folder:~/data/faces,size=64   # your own images, centre-cropped and resized
"""

SWEEP_EXAMPLES = """
\b
Examples:
  ganbench sweep --variants dcgan,wgan-gp --trials 10 --seeds 0,1,2      # Lucic et al.'s protocol
  ganbench sweep --preset smoke --trials 3 --space my-space.toml --key kid
  ganbench sweep ... --executor ray --ray-address auto                  # trials as Ray tasks
  ganbench sweep --resume reports/<run-id>                              # continue a killed sweep
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
    "train.kernels": "--train-kernels",
    "eval.metrics": "--metrics",
    "eval.n_samples": "--n-samples",
    "eval.bootstrap": "--bootstrap",
    "eval.every_kimg": "--eval-every",
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
    Your own:    ganbench evaluate --real mnist-5k --fake samples/
    See also:    ganbench list, ganbench export, ganbench stats
    """
    from ganbench.runtime import configure_threads

    configure_threads()


#: The options ``run`` and ``sweep`` share: the run's settings, where its jobs run, and resume.
STUDY_OPTIONS = [
    click.option(
        "--preset",
        default=cfg.DEFAULT_PRESET,
        show_default=True,
        help=f"{' | '.join(cfg.preset_names())} (see `ganbench list presets`).",
    ),
    click.option(
        "--config", "config_file", type=click.Path(dir_okay=False), help="TOML file overriding the preset."
    ),
    click.option("--variants", help="Comma-separated variants, or 'all' (default: the preset's four)."),
    click.option(
        "--dataset",
        help="mnist-5k (embedded) | mnist | fashion-mnist | cifar10 | folder:PATH[,size=28|32|64]"
        "[,channels=rgb|grayscale] (any folder of PNG/JPEG images; see `ganbench list datasets`); "
        "default: the preset's.",
    ),
    click.option(
        "--data-root", type=click.Path(file_okay=False), help="Where dataset files live [$GANBENCH_DATA]."
    ),
    click.option("--seeds", help="Comma-separated seeds, e.g. 0,1,2 (default: 0)."),
    click.option("--metrics", help="Comma-separated metrics, or 'all' (default: the preset's)."),
    click.option("--budget-kimg", type=float, help="Thousands of real images shown to D per run (> 0)."),
    click.option(
        "--budget-seconds", type=float, help="Optional wall-clock cap per run (breaks exact reproducibility)."
    ),
    click.option(
        "--train-kernels",
        help="reference (default: losses bit-identical to a plain PyTorch loop), fast (channels-last "
        "convolutions and a fused Adam: faster where those kernels are, other float32 rounding, so runs "
        "are not bit-identical to reference ones) or bf16 (fast plus bfloat16 mixed precision in the "
        "forward passes: opt-in, it changes what is trained; fast on CPUs with AVX512-BF16 or AMX and "
        "on Ampere or later GPUs).",
    ),
    click.option(
        "--n-samples", type=int, help="Generated and held-out images compared (capped by the held-out split)."
    ),
    click.option(
        "--bootstrap",
        type=int,
        help="Bootstrap resamples per metric: adds ci_low / ci_high (and ci_method) to every value whose "
        "measure has an interval; `ganbench list metrics` says how each is made.",
    ),
    click.option(
        "--eval-every",
        type=float,
        metavar="KIMG",
        help="Also evaluate every KIMG during training (metric-vs-budget curves in the report).",
    ),
    click.option(
        "--tournament/--no-tournament",
        default=None,
        help="Add or drop the tournament measure (discriminators judge each other's generators).",
    ),
    click.option("--device", help="auto | cpu | cuda | cuda:N (default: auto)."),
    click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False)),
    click.option(
        "--executor",
        type=click.Choice(["local", "ray"]),
        default="local",
        show_default=True,
        help="Where the jobs (variant x seed) run: local processes, or Ray tasks "
        "(pip install 'ganbench[ray]').",
    ),
    click.option(
        "--jobs",
        type=click.IntRange(min=1),
        default=1,
        show_default=True,
        help="With --executor local: jobs at once (each its share of the cores; a GPU each when several).",
    ),
    click.option(
        "--ray-address", help="With --executor ray: a running cluster (default: start a local one)."
    ),
    click.option(
        "--resume",
        "resume_dir",
        type=click.Path(file_okay=False),
        help="Continue an interrupted run in its folder: finished jobs are kept, unfinished ones continue "
        "from their last training checkpoint. Takes no other run setting (they come from its run.json).",
    ),
    click.option(
        "--checkpoint-minutes",
        type=click.FloatRange(min=0, min_open=True),
        default=5.0,
        show_default=True,
        help="Minutes between training checkpoints of a job (one is also saved at its end).",
    ),
    click.option("--no-progress", is_flag=True, help="Hide progress bars."),
]


def study_options(command: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate ``command`` with :data:`STUDY_OPTIONS`, in order."""
    for option in reversed(STUDY_OPTIONS):
        command = option(command)
    return command


@main.command(epilog=RUN_EXAMPLES)
@study_options
def run(**options: Any) -> None:
    """Train, sample, evaluate and report: writes reports/<run-id>/."""
    from ganbench.studies.pipeline import run as run_pipeline

    _study_command("run", run_pipeline, options)


@main.command(epilog=SWEEP_EXAMPLES)
@click.option(
    "--trials",
    type=int,
    default=10,
    show_default=True,
    help="Settings drawn per variant, each trained to the same budget (the search).",
)
@click.option(
    "--space",
    "space_file",
    type=click.Path(dir_okay=False),
    help="TOML file changing the variants' search spaces (default: each variant's declared space, "
    "Lucic et al.'s ranges: `ganbench list spaces`).",
)
@click.option(
    "--key",
    default="fid",
    show_default=True,
    help="The record key that picks each variant's best trial, by its direction (lower FID).",
)
@click.option("--trial-seed", type=int, default=0, show_default=True, help="Seed of the trials' draws.")
@click.option(
    "--search-seed",
    type=int,
    default=DEFAULT_SEARCH_SEED,
    show_default=True,
    help="Training seed of every search trial; not one of --seeds (the final phase's seeds).",
)
@study_options
def sweep(
    trials: int,
    space_file: str | None,
    key: str,
    trial_seed: int,
    search_seed: int,
    **options: Any,
) -> None:
    """Equal-budget hyperparameter search (Lucic et al. 2018): T random settings per variant, each
    trained to the same budget and scored by --key; then each variant's best setting trained again
    on every seed of --seeds. Writes reports/<run-id>/ with the distributions over trials and seeds."""
    from ganbench.studies.pipeline import sweep as sweep_pipeline
    from ganbench.studies.sweep import SweepSettings

    settings = SweepSettings(
        trials=trials, key=key, space_file=space_file, trial_seed=trial_seed, search_seed=search_seed
    )
    sweep_options = ("trials", "space_file", "key", "trial_seed", "search_seed")

    def start(config: cfg.RunConfig, **study: Any) -> Path:
        return sweep_pipeline(config, settings, **study)

    _study_command("sweep", start, options, sweep_options)


def _study_command(
    name: str, start: Callable[..., Path], options: dict[str, Any], own_options: tuple[str, ...] = ()
) -> None:
    """The body of ``run`` and ``sweep``: the settings from preset, config file and options, checked
    before any work; the executor; ``--resume``; errors as one line with the option to fix."""
    from ganbench.reporting.records import load_records
    from ganbench.reporting.report import render_terminal
    from ganbench.studies.executors import ExecutorError, make_executor
    from ganbench.studies.pipeline import ResumeError, RunLockedError
    from ganbench.studies.pipeline import resume as resume_pipeline
    from ganbench.studies.preflight import OutDirError
    from ganbench.studies.sweep import SweepError
    from ganbench.variants.space_file import SpaceFileError

    preset, config_file, tournament = options["preset"], options["config_file"], options["tournament"]
    overrides: dict[str, Any] = {
        "variants": _csv(options["variants"]),
        "dataset": options["dataset"],
        "data_root": options["data_root"],
        "seeds": _seeds(options["seeds"]),
        "device": options["device"],
        "train.kimg": options["budget_kimg"],
        "train.budget_seconds": options["budget_seconds"],
        "train.kernels": options["train_kernels"],
        "eval.metrics": _csv(options["metrics"]),
        "eval.n_samples": options["n_samples"],
        "eval.bootstrap": options["bootstrap"],
        "eval.every_kimg": options["eval_every"],
    }
    given = {setting for setting, value in overrides.items() if value is not None}
    source = f"--config {config_file}" if config_file else f"preset {preset}"
    try:
        runner = make_executor(options["executor"], jobs=options["jobs"], ray_address=options["ray_address"])
    except ExecutorError as err:
        raise click.UsageError(str(err)) from None
    study = {
        "progress": not options["no_progress"],
        "executor": runner,
        "checkpoint_seconds": 60.0 * options["checkpoint_minutes"],
    }
    if options["resume_dir"] is not None:
        click_context = click.get_current_context()
        set_here = [
            f"--{option.replace('_file', '').replace('_dir', '').replace('_', '-')}"
            for option in ("preset", "config_file", "out_dir", *own_options)
            if click_context.get_parameter_source(option) == click.core.ParameterSource.COMMANDLINE
        ] + [OPTION_OF_SETTING[setting] for setting in sorted(given)]
        if tournament is not None:
            set_here.append("--tournament/--no-tournament")
        if set_here:
            raise click.UsageError(
                f"--resume continues a {name} with its own settings (from its run.json); "
                f"leave out {', '.join(set_here)}"
            )
        run_dir = _study_or_exit(
            lambda: resume_pipeline(options["resume_dir"], **study),
            ResumeError,
            RunLockedError,
            ExecutorError,
            cfg.ConfigError,
            DatasetUnavailableError,
            CorruptDatasetError,
        )
        _finish_run(run_dir, render_terminal, load_records)
        return
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
        run_dir = _study_or_exit(
            lambda: start(config, out_dir=options["out_dir"], **study), RunLockedError, ExecutorError
        )
    except cfg.ConfigError as err:
        raise _usage_error(err, given, source) from None
    except SweepError as err:
        raise click.BadParameter(str(err), param_hint=f"'{err.option}'") from None
    except SpaceFileError as err:
        raise click.BadParameter(str(err), param_hint="'--space'") from None
    except OutDirError as err:
        raise click.BadParameter(str(err), param_hint="'--out'") from None
    except DatasetUnavailableError as err:
        raise click.UsageError(str(err)) from None
    except CorruptDatasetError as err:
        raise click.ClickException(str(err)) from None
    _finish_run(run_dir, render_terminal, load_records)


def _study_or_exit(start: Callable[[], Path], *usage_errors: type[Exception]) -> Path:
    """Run a study; Ctrl-C exits 130 (the pipeline has said how to resume), and ``usage_errors``
    (a folder that cannot be resumed, a locked one, an executor that cannot run) are one-line errors."""
    try:
        return start()
    except KeyboardInterrupt:
        click.echo("interrupted", err=True)
        raise SystemExit(130) from None
    except usage_errors as err:
        raise click.ClickException(str(err)) from None


def _finish_run(run_dir: Path, render_terminal: Callable[..., str], load_records: Callable[..., Any]) -> None:
    click.echo(render_terminal(run_dir, load_records(run_dir)))
    written = "records.jsonl, report.md, report.csv, report.html, samples, loss curves"
    click.echo(f"written: {run_dir}/ ({written})", err=True)
    if (run_dir / "errors.txt").exists():
        raise click.ClickException(f"some jobs or measures failed; see {run_dir / 'errors.txt'}")


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
    """Write the report of RUN_DIR (report.md, report.csv, and report.html: one self-contained page with
    the figures, to open from disk) and print its compact table (100 columns).

    \b
    Example:
      ganbench report reports/20261123-120000-quick
    """
    from ganbench.reporting.html import REPORT_HTML
    from ganbench.reporting.records import load_records
    from ganbench.reporting.report import render_terminal, write_report

    if _is_validate_folder(Path(run_dir)):
        from ganbench.reporting.validate_report import render_terminal as validate_terminal
        from ganbench.reporting.validate_report import write_validate_report

        try:
            write_validate_report(run_dir)
            click.echo(validate_terminal(run_dir))
        except (FileNotFoundError, ValueError, KeyError) as err:
            raise click.ClickException(f"cannot rebuild the validate report of {run_dir}: {err}") from None
        click.echo(f"written: {Path(run_dir) / REPORT_HTML}", err=True)
        return
    try:
        write_report(Path(run_dir))
        click.echo(render_terminal(Path(run_dir), load_records(run_dir)))
    except (FileNotFoundError, ValueError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"written: {Path(run_dir) / REPORT_HTML}", err=True)


@main.command()
@click.argument("runs", nargs=-1, required=True)
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(dir_okay=False),
    help="File to write: FILE.csv or FILE.parquet (the format follows the suffix).",
)
@click.option(
    "--summary",
    "as_summary",
    is_flag=True,
    help="Write the per-variant summary (mean, std, intervals over seeds) instead of the records.",
)
def export(runs: tuple[str, ...], output: str, as_summary: bool) -> None:
    """Write the records of RUNS (run directories, records.jsonl files or globs) to one CSV or Parquet file.

    \b
    Examples:
      ganbench export reports/20261123-120000-quick -o quick.csv
      ganbench export 'reports/*-quick' -o all.parquet      # quote a glob: ganbench expands it
      ganbench export 'reports/*' --summary -o summary.csv
    """
    from ganbench.analysis.summary import summary
    from ganbench.reporting.export import EXPORT_FORMATS
    from ganbench.reporting.export import export as export_frame
    from ganbench.reporting.records import load_records

    if Path(output).suffix.lower() not in EXPORT_FORMATS:
        raise click.BadParameter(
            f"{output!r} must end in .csv or .parquet (the format follows the suffix)", param_hint="'-o'"
        )
    try:
        records = load_records(list(runs))
    except FileNotFoundError as err:
        raise click.BadParameter(str(err), param_hint="'RUNS'") from None
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    try:
        frame = summary(records) if as_summary else records
    except ValueError as err:  # one cell measured under different protocols
        raise click.ClickException(str(err)) from None
    path = export_frame(frame, output)
    what = "summary rows" if as_summary else "records"
    click.echo(f"written: {path} ({len(frame)} {what} from {records['run_id'].nunique()} run(s))")


EVALUATE_EXAMPLES = """
\b
SPEC (for --real, --fake, --train):
  mnist-5k | mnist-5k:train | fashion-mnist:test   a registered dataset and split (default test)
  folder:PATH[,size=N][:SPLIT]                     a folder as the dataset `run --dataset` makes of it
  path/to/folder/                                  PNG/JPEG images, flat or nested (0/ 1/ ...: labels)
  samples.npz | samples.npy                        uint8 [N,H,W], [N,H,W,C] or [N,C,H,W]; floats need
                                                   --fake-range 0,1 or -1,1
  mypkg.models:make_generator | gen.py:make        a function returning (nn.Module, latent_dim[, classes])
  reports/<run-id>/                                a ganbench run: every variant and seed in it
\b
Examples:
  ganbench evaluate --real mnist-5k --fake samples/               # a folder of PNGs
  ganbench evaluate --real mnist-5k --fake fakes.npz --fake-range -1,1 --metrics fid,kid,precision-recall
  ganbench evaluate --real mnist-5k --fake gen.py:make --checkpoint g.pt --n-fake 1000
  ganbench evaluate --real cifar/ --fake out.npz --extractor inception-v3 --weights pt_inception.pth
  ganbench evaluate --real mnist-5k --fake reports/<run-id>       # re-score a run's generators
  ganbench evaluate --real cifar/ --fake out.npz --extractor inception-v3,dinov2-vit-l-14 \
      --weights inception-v3=pt_inception.pth                     # two feature spaces, reported apart
  ganbench stats mnist-5k --extractor inception-v3                # cache the real side once
"""


@contextlib.contextmanager
def _study_errors(option_error: type[Exception]) -> Iterator[None]:
    """Turn a study's errors into click's exits: an option error (with ``.option``) or a bad device
    is exit 2 naming the option; missing data is a usage error; damaged data exit 1."""
    try:
        yield
    except option_error as err:
        raise click.BadParameter(str(err), param_hint=f"'{err.option}'") from None  # type: ignore[attr-defined]
    except cfg.ConfigError as err:
        raise click.BadParameter(str(err), param_hint="'--device'") from None
    except DatasetUnavailableError as err:
        raise click.UsageError(str(err)) from None
    except CorruptDatasetError as err:
        raise click.ClickException(str(err)) from None


@main.command(epilog=EVALUATE_EXAMPLES)
@click.option("--real", required=True, help="SPEC of the real (reference) set; see below.")
@click.option("--fake", "fakes", required=True, multiple=True, help="SPEC of a set to score (repeatable).")
@click.option("--metrics", help="Comma-separated set measures, or 'all' (default: `ganbench run`'s).")
@click.option(
    "--extractor",
    default="domain-classifier",
    show_default=True,
    help="Feature space: a registered extractor (`ganbench list extractors`) or your module:function; "
    "several, comma-separated, score every set in each space, reported apart.",
)
@click.option(
    "--weights",
    multiple=True,
    help="The extractor's weights file (else $GANBENCH_WEIGHTS_DIR, then torch's hub cache); with several "
    "extractors NAME=PATH, repeatable.",
)
@click.option(
    "--force-weights",
    is_flag=True,
    help="Accept a weights file whose SHA-256 is not the published one (the extractor is then named "
    "'<name>-unverified' in every record).",
)
@click.option(
    "--dataset", help="Dataset (a name or folder:PATH) whose domain classifier to use when --real is not one."
)
@click.option("--train", help="SPEC of training images, for memorisation and birthday calibration.")
@click.option("--n-real", type=int, help="Real images compared (default: all of the set or split).")
@click.option("--n-fake", type=int, help="Fake images compared (default: all; a generator draws --n-real).")
@click.option("--seed", type=int, default=0, show_default=True, help="Sampling and subset seed.")
@click.option(
    "--fake-range", type=click.Choice(["0,1", "-1,1"]), help="Value range of float arrays/generators."
)
@click.option("--real-range", type=click.Choice(["0,1", "-1,1"]), help="Value range of a float real array.")
@click.option("--fake-key", help="The array to read from a --fake .npz file.")
@click.option("--real-key", help="The array to read from a --real .npz file.")
@click.option(
    "--checkpoint", type=click.Path(dir_okay=False), help="State dict for a module:function generator."
)
@click.option(
    "--resize",
    type=click.Choice(["bilinear-antialias", "bicubic-antialias", "area", "nearest"]),
    help="Resize fake images to the real size by this method (recorded); needed when sizes differ.",
)
@click.option(
    "--channels",
    type=click.Choice(["luminance", "tile"]),
    help="Convert fake RGB to luminance or tile grayscale to RGB (recorded); needed when channels differ.",
)
@click.option("--bootstrap", type=int, default=0, show_default=True, help="Bootstrap resamples per measure.")
@click.option("--device", default="auto", show_default=True, help="auto | cpu | cuda | cuda:N.")
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False))
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
def evaluate(
    real: str,
    fakes: tuple[str, ...],
    metrics: str | None,
    extractor: str,
    weights: tuple[str, ...],
    force_weights: bool,
    dataset: str | None,
    train: str | None,
    n_real: int | None,
    n_fake: int | None,
    seed: int,
    fake_range: str | None,
    real_range: str | None,
    fake_key: str | None,
    real_key: str | None,
    checkpoint: str | None,
    resize: str | None,
    channels: str | None,
    bootstrap: int,
    device: str,
    out_dir: str,
    no_progress: bool,
) -> None:
    """Score generated images (a folder, an array file, a generator or a run) against a real set."""
    from ganbench.reporting.records import load_records
    from ganbench.reporting.report import render_terminal
    from ganbench.studies.evaluate import EvaluateConfig, EvaluateError
    from ganbench.studies.evaluate import evaluate as evaluate_sets

    chosen = _csv(metrics)
    if chosen == ["all"]:
        chosen = [name for name, spec in METRICS.items() if spec.level == "set"]
    settings: dict[str, Any] = {
        "real": real,
        "fakes": fakes,
        "extractor": extractor,
        "weights": None if not weights else weights[0] if len(weights) == 1 else weights,
        "force_weights": force_weights,
        "dataset": dataset,
        "train": train,
        "n_real": n_real,
        "n_fake": n_fake,
        "seed": seed,
        "fake_range": fake_range,
        "real_range": real_range,
        "fake_key": fake_key,
        "real_key": real_key,
        "checkpoint": checkpoint,
        "resize": resize,
        "channels": channels,
        "bootstrap": bootstrap,
        "device": device,
    }
    if chosen is not None:
        settings["metrics"] = tuple(chosen)
    with _study_errors(EvaluateError):
        run_dir = evaluate_sets(EvaluateConfig(**settings), out_dir=out_dir, progress=not no_progress)
    click.echo(render_terminal(run_dir, load_records(run_dir)))
    click.echo(f"written: {run_dir}/ (records.jsonl, report.md, report.csv, report.html)", err=True)
    if (run_dir / "errors.txt").exists():
        raise click.ClickException(f"some metrics failed; see {run_dir / 'errors.txt'}")


@main.command()
@click.argument("real")
@click.option("--extractor", default="domain-classifier", show_default=True, help="As for `evaluate`.")
@click.option("--weights", type=click.Path(dir_okay=False), help="The extractor's weights file.")
@click.option("--force-weights", is_flag=True, help="Accept a weights file with another SHA-256.")
@click.option(
    "--dataset", help="Dataset (a name or folder:PATH) whose domain classifier to use when REAL is not one."
)
@click.option("--n", "n", type=int, help="Images (default: all; use evaluate's --n-real to share the entry).")
@click.option("--seed", type=int, default=0, show_default=True, help="Subset seed (as evaluate's --seed).")
@click.option("--real-range", type=click.Choice(["0,1", "-1,1"]), help="Value range of a float array.")
@click.option("--real-key", "array_key", help="The array to read from an .npz file.")
@click.option("--device", default="auto", show_default=True, help="auto | cpu | cuda | cuda:N.")
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
def stats(
    real: str,
    extractor: str,
    weights: str | None,
    force_weights: bool,
    dataset: str | None,
    n: int | None,
    seed: int,
    real_range: str | None,
    array_key: str | None,
    device: str,
    no_progress: bool,
) -> None:
    """Precompute REAL's features and statistics (a SPEC as in `evaluate`) into the cache.

    \b
    Later `ganbench evaluate --real REAL` runs with the same extractor, weights, --n-real and
    --seed read them back, so scoring a new checkpoint costs only its own feature pass.
    Examples:
      ganbench stats mnist-5k
      ganbench stats mnist:test --extractor inception-v3 --weights ~/weights/pt_inception.pth
    """
    from ganbench.studies.evaluate import EvaluateError
    from ganbench.studies.reference_stats import reference_stats

    try:
        made = reference_stats(
            real,
            extractor=extractor,
            weights=weights,
            force_weights=force_weights,
            n=n,
            seed=seed,
            real_range=real_range,
            array_key=array_key,
            dataset=dataset,
            device=device,
            progress=not no_progress,
            log=lambda line: click.echo(line, err=True),
        )
    except EvaluateError as err:
        option = {"--n-real": "--n", "--real": "REAL"}.get(err.option, err.option)
        raise click.BadParameter(str(err), param_hint=f"'{option}'") from None
    except DatasetUnavailableError as err:
        raise click.UsageError(str(err)) from None
    state = "already cached" if made.cached else f"computed in {made.seconds:.1f} s"
    click.echo(f"{made.protocol['real_source']}: {made.n} images, {made.dim}-d features ({state})")
    click.echo(f"features:   {made.features_path}")
    click.echo(f"statistics: {made.stats_path} (mean, covariance float64, protocol)")


CHECK_EXAMPLES = """
\b
Examples:
  ganbench check reports/<run-id> --thresholds benchmarks/thresholds/ci.toml
  ganbench check reports/<new> --thresholds gate.toml --baseline reports/<old>
  ganbench check reports/<run-id> --thresholds gate.toml --json --junit junit.xml
  ganbench thresholds suggest reports/<run-id> -o gate.toml      # a starting file
\b
Exit codes: 0 every bound holds (warn-tier violations are printed); 1 a required bound is
crossed or its record is missing; 2 the thresholds file, run or baseline cannot be used.
"""


@main.command(epilog=CHECK_EXAMPLES)
@click.argument("run_dir", type=click.Path())
@click.option(
    "--thresholds",
    "thresholds_file",
    required=True,
    type=click.Path(dir_okay=False),
    help="TOML file of bounds per [dataset.variant] (see `ganbench thresholds suggest`).",
)
@click.option("--baseline", type=click.Path(), help="Run directory that baseline_* bounds are relative to.")
@click.option("--json", "as_json", is_flag=True, help="Print one JSON document instead of text.")
@click.option(
    "--junit", type=click.Path(dir_okay=False), help="Also write JUnit XML: one test case per bound."
)
@click.pass_context
def check(
    ctx: click.Context,
    run_dir: str,
    thresholds_file: str,
    baseline: str | None,
    as_json: bool,
    junit: str | None,
) -> None:
    """Check RUN_DIR's measured values against the bounds of a thresholds file (a CI gate)."""
    import json

    from ganbench.gate import RunDataError, ThresholdsError, evaluate, load_run, load_thresholds
    from ganbench.gate.json_result import error_document, gate_document
    from ganbench.gate.junit import write_junit, write_junit_error
    from ganbench.gate.result import EXIT_UNUSABLE
    from ganbench.gate.text import render_text

    try:
        thresholds = load_thresholds(thresholds_file)
        space = thresholds.protocol.extractor if thresholds.protocol is not None else None
        run = load_run(run_dir, extractor=space)
        try:
            base = load_run(baseline, extractor=space) if baseline is not None else None
        except RunDataError as err:
            raise RunDataError(f"--baseline: {err}") from None
        gate = evaluate(thresholds, run, base)
    except (ThresholdsError, RunDataError) as err:
        message = str(err)
        if junit:
            _write_or_exit(lambda: write_junit_error(message, junit), junit)
        if as_json:
            click.echo(json.dumps(error_document(message), indent=2))
        click.echo(f"Error: {message}", err=True)
        ctx.exit(EXIT_UNUSABLE)
    if as_json:
        click.echo(json.dumps(gate_document(gate), indent=2))
    else:
        click.echo(render_text(gate))
    if junit:
        _write_or_exit(lambda: write_junit(gate, junit), junit)
        click.echo(f"written: {junit}", err=True)
    ctx.exit(gate.exit_code)


def _write_or_exit(write: Any, path: str) -> None:
    """Run ``write()``; an unwritable path exits 2 naming it."""
    try:
        write()
    except OSError as err:
        raise click.BadParameter(f"cannot write {path}: {err.strerror or err}") from None


@main.group()
def thresholds() -> None:
    """Make thresholds files for `ganbench check`."""


@thresholds.command()
@click.argument("run_dir", type=click.Path())
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False), help="Write the file here instead of printing it."
)
@click.option(
    "--sigma",
    type=float,
    default=3.0,
    show_default=True,
    help="Bounds sit this many seed standard deviations from the mean, on the worse side.",
)
@click.option("--keys", help="Comma-separated keys to bound (default: every key the run measured).")
@click.option("--force", is_flag=True, help="Overwrite an existing --output file.")
def suggest(run_dir: str, output: str | None, sigma: float, keys: str | None, force: bool) -> None:
    """Print (or write) a starting thresholds file from RUN_DIR's measured means and seed spreads.

    \b
    Examples:
      ganbench thresholds suggest reports/<run-id>
      ganbench thresholds suggest reports/<run-id> -o gate.toml --sigma 4 --keys fid,recall,coverage
    """
    from ganbench.gate import RunDataError, evaluate, load_run, parse_thresholds, suggest_thresholds
    from ganbench.gate.text import summary_line

    if output and Path(output).exists() and not force:
        raise click.BadParameter(f"{output} exists; pass --force to overwrite it", param_hint="'--output'")
    try:
        run = load_run(run_dir)
        text = suggest_thresholds(run, sigma, _csv(keys))
    except RunDataError as err:
        raise click.BadParameter(str(err), param_hint="'RUN_DIR'") from None
    except ValueError as err:
        raise click.UsageError(str(err)) from None
    gate = evaluate(parse_thresholds(text, output or "<suggested>"), run)
    if output:
        _write_or_exit(lambda: Path(output).write_text(text, encoding="utf-8"), output)
        click.echo(f"written: {output}", err=True)
    else:
        click.echo(text, nl=False)
    click.echo(f"checked against run {run.run_id}: {summary_line(gate)}", err=True)


def _is_validate_folder(run_dir: Path) -> bool:
    """Whether ``run_dir`` was made by ``ganbench validate`` (its run.json says so)."""
    import json

    try:
        return json.loads((run_dir / "run.json").read_text()).get("kind") == "validate"
    except (OSError, ValueError, AttributeError):
        return False


VALIDATE_EXAMPLES = """
\b
Examples:
  ganbench validate --quick                         # mnist-5k, every measure, a few minutes on 2 cores
  ganbench validate --dataset fashion-mnist         # full Fashion-MNIST (apt: dataset-fashion-mnist)
  ganbench validate --metrics fid,kid,precision-recall,density-coverage --n 1000
  ganbench validate --extractor inception-v3 --weights weights-inception-2015-12-05-6726825d.pth
"""


@main.command(epilog=VALIDATE_EXAMPLES)
@click.option(
    "--dataset",
    default="mnist-5k",
    show_default=True,
    help="Dataset the sets are made from (a name or folder:PATH).",
)
@click.option("--data-root", help="Where the dataset's files are (default: its usual places).")
@click.option("--extractor", default="domain-classifier", show_default=True, help="As for `evaluate`.")
@click.option("--weights", type=click.Path(dir_okay=False), help="The extractor's weights file.")
@click.option(
    "--force-weights", is_flag=True, help="Accept a weights file whose SHA-256 differs (-unverified)."
)
@click.option("--metrics", help="Comma-separated measures, or 'all' (default: every one validate can score).")
@click.option("--n", type=int, help="Images per set (default: 2000, fewer when the dataset is small).")
@click.option("--controls", type=int, default=5, show_default=True, help="Control draws (their spread is σ).")
@click.option(
    "--ood", default="auto", show_default=True, help="Mode invention images: auto | noise | DATASET."
)
@click.option("--no-synthetic", is_flag=True, help="Skip the synthetic sanity checks of Räisä et al. 2025.")
@click.option("--synthetic-n", type=int, default=1000, show_default=True, help="Points per synthetic set.")
@click.option("--quick", is_flag=True, help="Small sets (n=200): a few minutes on 2 CPU cores.")
@click.option("--seed", type=int, default=0, show_default=True, help="Pools, draws and defects.")
@click.option("--device", default="auto", show_default=True, help="auto | cpu | cuda | cuda:N.")
@click.option("--out", "out_dir", default="reports", show_default=True, type=click.Path(file_okay=False))
@click.option("--no-progress", is_flag=True, help="Hide progress bars.")
def validate(
    dataset: str,
    data_root: str | None,
    extractor: str,
    weights: str | None,
    force_weights: bool,
    metrics: str | None,
    n: int | None,
    controls: int,
    ood: str,
    no_synthetic: bool,
    synthetic_n: int,
    quick: bool,
    seed: int,
    device: str,
    out_dir: str,
    no_progress: bool,
) -> None:
    """Score sets with known defects (noise, blur, mode dropping, collapse, copies, out-of-distribution
    images) with every measure, and judge each against Borji's desiderata (report.md, verdicts.csv,
    report.html)."""
    from ganbench.reporting.validate_report import render_terminal as validate_terminal
    from ganbench.studies.validate import ValidateConfig, ValidateError, validatable_metrics
    from ganbench.studies.validate import validate as run_validate

    chosen = _csv(metrics)
    if chosen == ["all"]:
        chosen = validatable_metrics()
    config = ValidateConfig(
        dataset=dataset,
        data_root=data_root,
        extractor=extractor,
        weights=weights,
        force_weights=force_weights,
        metrics=None if chosen is None else tuple(chosen),
        n=n,
        controls=controls,
        ood=ood,
        synthetic=not no_synthetic,
        synthetic_n=synthetic_n,
        quick=quick,
        seed=seed,
        device=device,
    )
    with _study_errors(ValidateError):
        run_dir = run_validate(config, out_dir=out_dir, progress=not no_progress)
    click.echo(validate_terminal(run_dir))
    click.echo(f"written: {run_dir}/ (records.jsonl, report.md, verdicts.csv, report.html)", err=True)
    if (run_dir / "errors.txt").exists():
        raise click.ClickException(f"some measures failed; see {run_dir / 'errors.txt'}")


LISTABLE = ("variants", "datasets", "metrics", "extractors", "presets", "spaces")


@main.command(name="list")
@click.argument("what", required=False, type=click.Choice(LISTABLE))
def list_(what: str | None) -> None:
    """List variants, datasets, metrics, extractors, presets and search spaces (or one of them).

    \b
    Examples:
      ganbench list
      ganbench list metrics
    """
    for section in [what] if what else LISTABLE:
        click.echo(f"{section}:")
        if section == "variants":
            for name, variant in VARIANTS.items():
                steps = (
                    "one joint step per real batch"
                    if variant.joint_loss is not None
                    else f"{variant.critic_steps} D step(s) per G step"
                )
                click.echo(f"  {name:18} {variant.paper}; {steps}")
            click.echo(
                "  NETWORKS:OBJECTIVE  two of them combined: the first's networks trained with the second's "
                "objective (dcgan:hinge, vanilla:wgan-gp)"
            )
        elif section == "datasets":
            for name, factory in DATASETS.items():
                click.echo(f"  {name:18} {(factory.__doc__ or '').strip().splitlines()[0]}")
            pad = " " * 21
            click.echo(
                f"  {'folder:PATH':18} any folder of PNG/JPEG images (ganbench/datasets/folder.py): "
                f"centre crop,\n{pad}Pillow bicubic to ,size=28|32|64 (default 32); ,channels=rgb|grayscale "
                f"(default:\n{pad}rgb if any image has colour); class subfolders are labels; train/ and "
                f"test/\n{pad}subfolders are the splits, else 10% is held out"
            )
        elif section == "metrics":
            _list_borji()
            click.echo("  measures:")
            for name, spec in METRICS.items():
                keys = ", ".join(
                    f"{k} ({d if isinstance(d, str) else f'target {d:g}'})"
                    for k, d in spec.directions.items()
                )
                inputs = "+".join([spec.space, *spec.extra_inputs])
                level = ", run-level: over each seed's models" if spec.level == "run" else ""
                click.echo(f"  {name:18} [{inputs}{level}] {keys}")
                click.echo(f"  {'':18} {spec.reference}")
                click.echo(f"  {'':18} {place_of(name)}")
                if spec.notes:
                    click.echo(f"  {'':18} note: {spec.notes}")
                click.echo(f"  {'':18} interval: {_interval_line(spec)}")
        elif section == "extractors":
            for name, factory in EXTRACTORS.items():
                click.echo(f"  {name:18} {(factory.__doc__ or '').strip().splitlines()[0]}")
        elif section == "presets":
            names = cfg.preset_names()
            width = max(18, *map(len, names))
            for name in names:
                click.echo(f"  {name:{width}} {cfg.preset_description(name)}")
        elif section == "spaces":
            _list_spaces()


def _list_spaces() -> None:
    """Each variant's declared search space, as a ``ganbench sweep --space`` file writes it."""
    from ganbench.variants.configure import accepted_settings
    from ganbench.variants.space_file import toml_line

    click.echo(
        "  each variant's search space for `ganbench sweep` (Lucic et al. 2018's ranges), as TOML: copy a\n"
        "  section into a --space file and change it; [all] applies a range to every variant that has it"
    )
    for name, variant in VARIANTS.items():
        click.echo(f"  [{name}]" if ":" not in name else f'  ["{name}"]')
        for setting, distribution in variant.search_space.items():
            click.echo(f"    {toml_line(setting, distribution)}")
        click.echo(f"    # settings it takes: {', '.join(accepted_settings(variant))}")


def _list_borji() -> None:
    """Borji's Table 1, numbered, with the measures that compute each line or why none does."""
    click.echo("  Borji 2019 (arXiv:1802.03446), Table 1:")
    for entry in BORJI_2019:
        where = ", ".join(entry.measures) if entry.measures else "not computed"
        click.echo(f"  {entry.kind[:5]}. {entry.number:>2}  {entry.title}")
        click.echo(f"  {'':10}-> {where}" + (f" ({entry.note})" if entry.note else ""))


def _interval_line(spec: MetricSpec) -> str:
    """How ``--bootstrap`` makes the measure's interval, and what it rests on, in one line."""
    method = {
        "recompute": "bootstrap, recomputed on each resample",
        "per-sample": "bootstrap of per-sample values",
        "none": "none",
    }[spec.interval]
    return f"{method}: {spec.interval_note}" if spec.interval_note else method


if __name__ == "__main__":
    sys.exit(main())
