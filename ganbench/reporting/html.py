"""The HTML report: one self-contained ``report.html`` per run, readable from disk with no server.

Every image is a base64 PNG data URI (the unit images the run saved, and the figures of
:mod:`ganbench.reporting.figures`), the CSS is inline, and the page has no script and loads
nothing: it opens offline, can be mailed or archived as one file, and shows the same thing
forever. It is built from the run directory alone (``run.json``, ``records.jsonl`` and the files
each unit saved), like ``report.md``.

Sections (anchors in brackets): protocol [protocol], comparison table [table] (with the FID table
in the layout of Lucic et al. 2018 [lucic] when the run has FID), each measure
across variants [bars], precision-recall and density-coverage planes [planes], measures against
training budget [budget], samples [samples], nearest training images [neighbours], latent
interpolations [interpolations], loss curves [losses], birthday collision curves [birthday],
NDB bin histograms [ndb], diverged runs, failed jobs and measure errors [problems].

Old or partial runs render: a section whose inputs are missing says what is missing and how to
get it, and a section that fails to draw shows the error in its place (and warns) while the
others are drawn.
"""

from __future__ import annotations

import base64
import html
import json
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd

from ganbench.analysis.feature_spaces import by_feature_space
from ganbench.analysis.summary import summary
from ganbench.analysis.sweeps import final_phase, sweep_table
from ganbench.reporting import figures
from ganbench.reporting.lucic_table import LUCIC_TITLE, lucic_caption, lucic_table
from ganbench.reporting.problems import training_problems
from ganbench.reporting.records import RECORDS_FILE, load_records
from ganbench.reporting.report import (
    CELLS_LEGEND,
    DIRECTIONS_LEGEND,
    REPORT_CSV,
    REPORT_MD,
    SPACE_TITLES,
    scale_legends,
)
from ganbench.reporting.statements import significance_statements
from ganbench.reporting.sweep_figures import sweep_figure
from ganbench.reporting.sweep_report import settings_text, sweep_key
from ganbench.reporting.tables import MARKS_LEGEND, rank_cells, table

REPORT_HTML = "report.html"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
FAILED_SECTION = "This section could not be drawn"

# ---------------------------------------------------------------------------------------------
# The data the page is drawn from
# ---------------------------------------------------------------------------------------------


def split_stages(records: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(final evaluations, checkpoint evaluations) of a records frame.

    A record is a checkpoint evaluation when its ``stage`` field is ``"checkpoint"`` (runs with
    ``--eval-every``; its ``kimg`` is the budget reached then); every other record, including
    those of runs older than the field, is final.
    """
    if "stage" not in records.columns:
        return records, records.iloc[0:0]
    checkpoint = (records["stage"] == "checkpoint").fillna(False).astype(bool)
    return records[~checkpoint], records[checkpoint]


def comparison_table(records: pd.DataFrame, space: str, first: bool) -> pd.DataFrame:
    """The comparison table of one space, as the page shows it (the one source of that table).

    :func:`ganbench.reporting.tables.table`: full cells (mean ± std [95% t interval], or the
    bootstrap interval with one seed, ``> x`` for a lower bound) with significance marks; ``first``
    adds the training columns (seeds, kimg, G steps).

    Args:
        records: the final evaluations of the run.
        space: ``features``, ``logits``, ``pixels`` or ``models``.
    """
    return table(records, space, training=first)


def seed_statistics(records: pd.DataFrame) -> pd.DataFrame:
    """Per (variant, key): the mean over seeds and the ends of its error bar.

    The bar is the 95% Student-t interval of the mean over seeds (:func:`ganbench.summary`) with two
    seeds or more; with one seed, the bootstrap 95% interval where ``--bootstrap`` computed one;
    else none (NaN).

    Returns:
        columns ``variant``, ``metric``, ``key``, ``space``, ``direction``, ``target``, ``mean``,
        ``low``, ``high``, ``n_seeds``, ``censored`` (the mean is only a lower bound); ``real`` first.
    """
    stats = summary(records)
    several = stats["n_seeds"] >= 2
    return stats.assign(
        low=stats["t_low"].where(several, stats["ci_low"]),
        high=stats["t_high"].where(several, stats["ci_high"]),
    )[
        [
            "variant",
            "metric",
            "key",
            "space",
            "direction",
            "target",
            "mean",
            "low",
            "high",
            "n_seeds",
            "censored",
        ]
    ]


@dataclass
class RunView:
    """What the page needs from a run directory, read once.

    Attributes:
        run_dir: the run directory.
        meta: ``run.json`` (empty when missing).
        final: the final evaluations (every record of an older run).
        checkpoints: evaluations during training (``--eval-every``), possibly empty.
        units: (variant, seed) -> status (ok, diverged, time-cap) of every trained unit, run order.
        variants: the trained variants in run order.
        colours: variant -> matplotlib colour, ``real`` black.
        records: every record, a sweep's search trials included (``final`` leaves them out).
    """

    run_dir: Path
    meta: dict[str, Any]
    final: pd.DataFrame
    checkpoints: pd.DataFrame
    units: dict[tuple[str, int], str] = field(default_factory=dict)
    variants: list[str] = field(default_factory=list)
    colours: dict[str, str] = field(default_factory=dict)
    records: pd.DataFrame | None = None

    @classmethod
    def read(cls, run_dir: Path, records: pd.DataFrame) -> RunView:
        meta_path = run_dir / "run.json"
        try:
            meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
        except (OSError, json.JSONDecodeError) as err:
            warnings.warn(
                f"{meta_path} could not be read ({err}); the protocol shows the records only", stacklevel=2
            )
            meta = {}
        final, checkpoints = split_stages(final_phase(records))  # a sweep's tables: its final phase
        trained = final[(final["variant"] != "real") & final["seed"].notna()]
        units = {
            (str(row.variant), int(row.seed)): str(row.status)
            for row in trained.drop_duplicates(["variant", "seed"]).itertuples()
        }
        variants = list(dict.fromkeys(v for v, _ in units))
        colours = figures.variant_colours(variants)
        return cls(run_dir, meta, final, checkpoints, units, variants, colours, records)

    def seeds(self, variant: str) -> list[int]:
        return sorted(seed for v, seed in self.units if v == variant)

    def unit_dir(self, variant: str, seed: int) -> Path:
        """A unit's folder: ``<variant>/seed<k>``; a sweep's final units: ``<variant>/final/seed<k>``."""
        if self.meta.get("sweep"):
            return self.run_dir / variant / "final" / f"seed{seed}"
        return self.run_dir / variant / f"seed{seed}"

    @property
    def all_seeds(self) -> list[int]:
        return sorted({seed for _, seed in self.units})


# ---------------------------------------------------------------------------------------------
# HTML pieces
# ---------------------------------------------------------------------------------------------


def esc(value: object) -> str:
    return html.escape(str(value), quote=True)


def data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def img(png: bytes, alt: str) -> str:
    return f'<img src="{data_uri(png)}" alt="{esc(alt)}">'


def read_png(path: Path) -> bytes | None:
    """The bytes of a PNG file, or None when it is missing or not a PNG."""
    try:
        data = path.read_bytes()
    except OSError:
        return None
    return data if data.startswith(PNG_MAGIC) else None


def figure_html(png: bytes, alt: str, caption: str) -> str:
    return f"<figure>{img(png, alt)}<figcaption>{caption}</figcaption></figure>"


def plot(fig: Any, alt: str, caption: str) -> str:
    """A matplotlib figure as an embedded ``<figure>``."""
    return figure_html(figures.png(fig), alt, caption)


def results_table(frame: pd.DataFrame) -> str:
    """A table of formatted cells, the variant in the first column, one header row, scrolling sideways."""
    body = frame.rename_axis(index=None, columns=None).to_html(escape=True, border=0, classes="results")
    return f'<div class="scroll">{body}</div>'


def note(text: str) -> str:
    return f'<p class="note">{text}</p>'


def code(text: str) -> str:
    return f"<code>{esc(text)}</code>"


def markdown_code(text: str) -> str:
    """Plain text whose Markdown code spans (`x`) become ``<code>``; everything escaped."""
    return re.sub(r"`([^`]+)`", lambda m: f"<code>{m.group(1)}</code>", esc(text))


# ---------------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------------


def protocol_section(view: RunView) -> str:
    meta, final = view.meta, view.final
    config = meta.get("config", {})
    train_cfg, eval_cfg = config.get("train", {}), config.get("eval", {})
    extractor = meta.get("extractor", {})
    first = final.iloc[0] if len(final) else pd.Series(dtype=object)

    def value(field_name: str) -> Any:
        return first.get(field_name) if len(first) and not pd.isna(first.get(field_name)) else None

    accuracy = extractor.get("held_out_accuracy")
    if "kimg" not in train_cfg and value("budget_kimg") is not None:  # no run.json: the records say it
        train_cfg = {"kimg": value("budget_kimg"), "budget_seconds": value("budget_seconds")}
    budget = (
        f"{train_cfg['kimg']} kimg (thousands of real images shown to D)" if "kimg" in train_cfg else None
    )
    if budget and train_cfg.get("batch_size"):
        budget += f", batch {train_cfg['batch_size']}"
    if budget and train_cfg.get("budget_seconds"):
        budget += f", capped at {train_cfg['budget_seconds']} s per unit"
    bootstrap = eval_cfg.get("bootstrap")
    rows = [
        ("run", view.run_dir.name),
        ("dataset", meta.get("dataset_used") or value("dataset")),
        ("source", meta.get("dataset_source")),
        ("dataset fallback", meta.get("fallback")),
        ("compared with", "the held-out split (the real row: held-out vs as many training images)"),
        ("samples per evaluation", _sample_sizes(final)),
        ("feature extractor", extractor.get("name") or value("extractor")),
        ("extractor weights (SHA-256, 16 hex)", extractor.get("weights_sha256") or value("extractor_hash")),
        ("extractor input protocol", extractor.get("protocol") or value("extractor_protocol")),
        ("extractor held-out accuracy", f"{accuracy:.2%}" if isinstance(accuracy, float) else None),
        ("variants", ", ".join(config.get("variants", view.variants)) or None),
        ("seeds", ", ".join(str(s) for s in config.get("seeds", view.all_seeds)) or None),
        ("training budget", budget),
        ("measures", ", ".join(eval_cfg.get("metrics", [])) or ", ".join(dict.fromkeys(final["metric"]))),
        ("measure seed", eval_cfg.get("metric_seed")),
        ("bootstrap replicates", bootstrap if bootstrap else "none (no bootstrap intervals)"),
        ("device", meta.get("device") or value("device")),
        ("platform", meta.get("platform")),
        ("ganbench", value("ganbench_version")),
        ("torch", value("torch_version")),
        ("torch-fidelity", value("torch_fidelity_version")),
        ("git commit", value("git_commit")),
        ("preset", config.get("preset")),
    ]
    body = "".join(f"<tr><th>{esc(k)}</th><td>{esc(v)}</td></tr>" for k, v in rows if v not in (None, ""))
    missing = (
        ""
        if meta
        else note(
            f"No {code('run.json')} in this run directory: the configuration is not "
            "known; the rows above come from the records."
        )
    )
    return f'<table class="protocol">{body}</table>{missing}'


def _sample_sizes(final: pd.DataFrame) -> str | None:
    n_real = final["n_real"].dropna()
    n_fake = final["n_fake"].dropna()
    if n_real.empty:
        return None
    sizes = f"{int(n_real.max())} real, {int(n_fake.max())} generated"
    if n_real.nunique() > 1 or n_fake.nunique() > 1:
        sizes += " (at most; some measures used fewer)"
    return sizes


def table_section(view: RunView) -> str:
    spaces = [space for space in SPACE_TITLES if (view.final["space"] == space).any()]
    if not spaces:
        return note("No evaluated units in this run.")
    legends = [DIRECTIONS_LEGEND, CELLS_LEGEND, f"marks: {MARKS_LEGEND}"]
    legends += scale_legends(view.final)
    parts = [
        "<p>The <b>real</b> row compares held-out with training images: the best value each measure can "
        "reach here (measures of copying the training set flag it by construction).</p>",
        '<ul class="legend">' + "".join(f"<li>{markdown_code(text)}</li>" for text in legends) + "</ul>",
    ]
    for i, space in enumerate(spaces):
        frame = comparison_table(view.final, space, first=i == 0)
        parts.append(f"<h3>{esc(SPACE_TITLES[space])}</h3>")
        parts.append(results_table(frame))
    parts.append(lucic_part(view.final))
    ranks = rank_cells(view.final)
    if not ranks.empty:
        parts.append(
            "<h3>Ranks</h3><p>Per key, 1 + the number of variants whose 95% interval lies wholly on the "
            "better side: variants whose intervals overlap share a rank.</p>" + results_table(ranks)
        )
    significant, _ = significance_statements(view.final)
    parts.append("<h3>Significant differences</h3>")
    if significant:
        parts.append("<ul>" + "".join(f"<li>{esc(text)}</li>" for text in significant) + "</ul>")
    else:
        parts.append("<p>None at 0.05 after Holm's correction (or too few seeds to test).</p>")
    links = {name: f'<a href="{name}">{name}</a>' for name in (REPORT_MD, REPORT_CSV)}
    parts.append(
        f'<p class="caption">Every test (Welch and permutation, Holm-corrected) is listed in '
        f"{links[REPORT_MD]}; every statistic in {links[REPORT_CSV]}.</p>"
    )
    return "".join(parts)


def lucic_part(final: pd.DataFrame) -> str:
    """The FID table in the layout of Lucic et al. 2018 (:mod:`ganbench.reporting.lucic_table`) with its
    caption, under the anchor ``lucic``; "" when the run has no FID."""
    frame = lucic_table(final)
    if frame.empty:
        return ""
    return (
        f'<h3 id="lucic">{esc(LUCIC_TITLE)}</h3>'
        f'<p class="caption">{markdown_code(lucic_caption(final))}</p>{results_table(frame)}'
    )


def bars_section(view: RunView) -> str:
    stats = seed_statistics(view.final)
    if stats.empty:
        return note("No evaluated units in this run.")
    parts = []
    for space, title in SPACE_TITLES.items():
        rows = stats[stats["space"] == space]
        if rows.empty:
            continue
        fig = figures.key_bars(rows, view.colours, f"{title}: mean over seeds")
        parts.append(
            plot(
                fig,
                f"bar charts, {space}",
                f"{esc(title)}. Bars: mean over seeds; error bars: the 95% Student-t interval of the mean "
                "(one seed: the bootstrap 95% interval where computed, else none); a hatched bar marked "
                "&gt; is only a lower bound; dashed line: the real row. Look for gaps larger than the "
                "intervals, and for the distance to the real line.",
            )
        )
    return "".join(parts)


PLANES = (("recall", "precision"), ("coverage", "density"))


def planes_section(view: RunView) -> str:
    final = view.final[view.final["key"].isin({k for pair in PLANES for k in pair})]
    present = [pair for pair in PLANES if set(pair) <= set(final["key"])]
    missing = [pair for pair in PLANES if pair not in present]
    parts = []
    if present:
        points = (
            final.assign(seed=final["seed"].fillna(-1))
            .groupby(["variant", "seed", "key"], sort=False)["value"]
            .mean()
            .unstack("key")
            .reset_index()
        )
        parts.append(
            plot(
                figures.metric_planes(points, present, view.colours),
                "precision-recall and density-coverage planes",
                "One point per variant and seed; the star is the real row (held-out vs training images). "
                "Precision and density measure fidelity (samples look real), recall and coverage "
                "diversity (the real data is covered). Points low on one axis show the trade-off: "
                "sharp but collapsed generators sit high and left.",
            )
        )
    for x, y in missing:
        parts.append(
            note(
                f"No {esc(y)}/{esc(x)} values in this run: add the measure "
                f"{code('precision-recall' if x == 'recall' else 'density-coverage')} to "
                f"{code('--metrics')}."
            )
        )
    return "".join(parts)


def budget_section(view: RunView) -> str:
    checkpoints = view.checkpoints[
        (view.checkpoints["metric"] != "training") & view.checkpoints["value"].notna()
    ]
    if checkpoints.empty:
        return note(
            "No evaluations during training in this run. Run with "
            f"{code('ganbench run --eval-every KIMG')} to evaluate every KIMG thousand images and draw "
            "each measure against the training budget here."
        )
    keys = list(dict.fromkeys(checkpoints["key"]))
    columns = ["variant", "seed", "kimg", "key", "value", "direction", "target"]
    final = view.final[view.final["key"].isin(keys)]
    ends = final[(final["variant"] != "real") & (final["status"] != "diverged")]
    points = pd.concat([checkpoints[columns], ends[columns]], ignore_index=True)
    reference = final[final["variant"] == "real"][["key", "value"]]
    return plot(
        figures.metric_vs_budget(points, keys, reference, view.colours),
        "measures against training budget",
        "Each measure at every checkpoint evaluation (--eval-every) and at the end of training (the last "
        "point of each line); dashed: the real row. Look for measures that are still improving at the end "
        "(the budget was too small to compare) and for variants that overtake others late.",
    )


def unit_grid(view: RunView, filename: str, label: str, missing_how: str) -> str:
    """A table of one image file per unit: variants as columns, seeds as rows."""
    if not view.units:
        return note("No trained units in this run.")
    found = 0
    head = "".join(f"<th>{esc(v)}</th>" for v in view.variants)
    rows = []
    for seed in view.all_seeds:
        cells = []
        for variant in view.variants:
            status = view.units.get((variant, seed))
            data = read_png(view.unit_dir(variant, seed) / filename) if status else None
            if data is not None:
                found += 1
                cells.append(f"<td>{img(data, f'{label}, {variant} seed {seed}')}</td>")
            elif status == "diverged":
                cells.append('<td class="missing">diverged: not sampled</td>')
            else:
                cells.append(f'<td class="missing">no {esc(filename)}</td>' if status else "<td></td>")
        rows.append(f"<tr><th>seed {seed}</th>{''.join(cells)}</tr>")
    if not found:
        return note(f"No unit of this run has {code(filename)}: {missing_how}")
    table_html = (
        f'<div class="scroll"><table class="grid"><tr><th></th>{head}</tr>{"".join(rows)}</table></div>'
    )
    return table_html


def samples_section(view: RunView) -> str:
    grid = unit_grid(
        view, "samples.png", "samples", f"every {code('ganbench run')} writes it after training."
    )
    return grid + (
        '<p class="caption">The first 64 generated images of each variant (columns) and seed (rows). Look '
        "for variety within a grid (repeated digits mean mode collapse) and for artefacts.</p>"
    )


def neighbours_section(view: RunView) -> str:
    grid = unit_grid(
        view,
        "nearest_neighbours.png",
        "nearest training images",
        f"runs made before ganbench saved it lack it; a new {code('ganbench run')} writes it.",
    )
    return grid + (
        '<p class="caption">Each row: a generated image, a white bar, then its nearest training images by '
        "Euclidean distance in pixel space, nearest first (Borji's first qualitative check). A generated "
        "image identical to its neighbour is a copy of the training set; similar but distinct images are "
        "what a generalising model makes.</p>"
    )


def interpolations_section(view: RunView) -> str:
    grid = unit_grid(
        view,
        "interpolation.png",
        "latent interpolations",
        f"runs made before ganbench saved it lack it; a new {code('ganbench run')} writes it.",
    )
    return grid + (
        '<p class="caption">Each row walks from one latent code z ~ N(0, I) to another by spherical '
        "interpolation (10 steps, ends included). Smooth, plausible transitions suggest a continuous "
        "mapping; sudden jumps or the same image along a whole row suggest memorisation or mode "
        "collapse.</p>"
    )


def losses_section(view: RunView) -> str:
    losses: dict[str, dict[int, pd.DataFrame]] = {}
    for variant, seed in view.units:
        path = view.unit_dir(variant, seed) / "losses.csv"
        if not path.exists():
            continue
        frame = pd.read_csv(path)
        if {"kimg", "d_loss", "g_loss"} <= set(frame.columns) and len(frame):
            losses.setdefault(variant, {})[seed] = frame
    if not losses:
        return note(
            f"No {code('losses.csv')} in this run's unit folders: every {code('ganbench run')} "
            "writes one per unit."
        )
    return plot(
        figures.loss_curves(losses),
        "loss curves",
        "Discriminator (blue) and generator (orange) loss of each unit, logged every few steps. Losses of "
        "different variants are different objectives and are not comparable; look for divergence, "
        "oscillation or a discriminator loss that goes to 0 (the generator gets no signal).",
    )


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        return json.loads(path.read_text())
    except (OSError, json.JSONDecodeError):
        return None


def birthday_section(view: RunView) -> str:
    curves: dict[str, list[dict[str, Any]]] = {}
    needed = {"batch_sizes", "dup_share", "support"}
    for variant, seed in view.units:
        data = _read_json(view.unit_dir(variant, seed) / "metrics" / "birthday.json")
        if data and needed <= set(data):
            curves.setdefault(variant, []).append(data)
    real = _read_json(view.run_dir / "real" / "metrics" / "birthday.json")
    if not curves:
        return note(
            f"No {code('birthday.json')} in this run: add {code('birthday')} to "
            f"{code('--metrics')} (it saves the curve of every unit)."
        )
    return plot(
        figures.birthday_curves(curves, real if real and needed <= set(real) else None, view.colours),
        "birthday collision curves",
        "Share of random batches of s generated images that hold a near-duplicate pair (dots) and the fitted "
        "birthday curve of a generator with K distinct images (lines; one per seed; K &gt; x: no duplicate "
        "found, a lower bound). Dashed: the real held-out images. A curve far left of the real one means "
        "few distinct images (mode collapse).",
    )


def ndb_section(view: RunView) -> str:
    bins: dict[str, dict[str, Any]] = {}
    labels: dict[str, str] = {}
    needed = {"real_share", "fake_share", "different", "alpha", "ndb"}
    real = _read_json(view.run_dir / "real" / "metrics" / "ndb.json")
    if real and needed <= set(real):
        bins["real"], labels["real"] = real, "real (training vs held-out)"
    for variant in view.variants:
        for seed in view.seeds(variant):
            data = _read_json(view.unit_dir(variant, seed) / "metrics" / "ndb.json")
            if data and needed <= set(data):
                bins[variant], labels[variant] = data, f"{variant} seed {seed}"
                break
    if set(bins) <= {"real"}:
        how = (
            f"add {code('ndb')} to {code('--metrics')}"
            if "ndb" not in set(view.final["metric"])
            else "runs made before ganbench saved NDB bins lack them; a new run writes them"
        )
        return note(f"No {code('ndb.json')} for the trained units of this run: {how}.")
    return plot(
        figures.ndb_histograms(bins, labels),
        "NDB bin histograms",
        "Number of statistically Different Bins (Richardson &amp; Weiss 2018): the training features are "
        "clustered into K bins; bars are the share of held-out real (grey) and generated (blue) samples in "
        "each bin, bins sorted by real share; triangles mark bins whose shares differ significantly "
        "(two-proportion z-test). One panel per variant, its first seed. Empty blue bars are modes the "
        "generator misses; tall ones, modes it over-produces.",
    )


def problems_section(view: RunView) -> str:
    parts = []
    records = view.records if view.records is not None else view.final
    parts = [f"<li>{esc(line)}</li>" for line in training_problems(split_stages(records)[0])]
    errors = view.run_dir / "errors.txt"
    if errors.exists():
        parts += [f"<li>error: {esc(line)}</li>" for line in errors.read_text().splitlines() if line]
    if not parts:
        return "<p>No unit diverged, no job failed and no measure failed.</p>"
    return f"<ul>{''.join(parts)}</ul>"


def sweep_section(view: RunView) -> str:
    """A sweep's figure and table (Lucic et al. 2018); empty for a run that is not a sweep."""
    records = view.records if view.records is not None else view.final
    key = sweep_key(view.run_dir, records)
    if key is None:
        return ""
    stats = sweep_table(records, key)
    stats = stats.assign(hyperparameters=stats["hyperparameters"].map(settings_text))
    caption = (
        f"Left: {esc(key)} of every search trial of each variant (one seed, the same budget; the best "
        "starred). Right: the best trial trained again on the final seeds; the other sections show "
        "these final runs. The best trial's search value is biased by its selection; the final ones are not."
    )
    return plot(sweep_figure(records, key), f"sweep: {key} over trials and seeds", caption) + results_table(
        stats.drop(columns=["dataset"]).set_index("variant")
    )


SECTIONS: tuple[tuple[str, str, Callable[[RunView], str]], ...] = (
    ("protocol", "Protocol", protocol_section),
    ("sweep", "Hyperparameter sweep", sweep_section),
    ("table", "Comparison table", table_section),
    ("bars", "Each measure across variants", bars_section),
    ("planes", "Precision–recall and density–coverage planes", planes_section),
    ("budget", "Measures against training budget", budget_section),
    ("samples", "Samples", samples_section),
    ("neighbours", "Nearest training images", neighbours_section),
    ("interpolations", "Latent interpolations", interpolations_section),
    ("losses", "Loss curves", losses_section),
    ("birthday", "Birthday collision curves", birthday_section),
    ("ndb", "NDB bin histograms", ndb_section),
    ("problems", "Diverged runs, failed jobs and measure errors", problems_section),
)


#: The sections drawn once per feature space when the records hold several (:func:`_sections`).
PER_SPACE_SECTIONS = ("table", "bars", "planes", "budget")


def _sections(view: RunView) -> list[tuple[str, str, str]]:
    """(anchor, title, html) of every section. Records of several feature spaces (``evaluate
    --extractor a,b``) get the value sections once per space, titled with the extractor, so no
    table, chart or test mixes spaces (:func:`ganbench.analysis.feature_spaces.by_feature_space`);
    the other sections show the first space's view."""
    groups = by_feature_space(view.final)
    if len(groups) == 1:
        return [(anchor, title, _guarded(build, view, title)) for anchor, title, build in SECTIONS]
    views = [
        (
            extractor,
            replace(view, final=subset, checkpoints=view.checkpoints if i == 0 else view.checkpoints[:0]),
        )
        for i, (extractor, subset) in enumerate(groups)
    ]
    drawn = []
    for anchor, title, build in SECTIONS:
        if anchor not in PER_SPACE_SECTIONS:
            drawn.append((anchor, title, _guarded(build, views[0][1], title)))
            continue
        for i, (extractor, space_view) in enumerate(views):
            suffix = "" if i == 0 else "-" + re.sub(r"[^a-z0-9]+", "-", str(extractor).lower()).strip("-")
            titled = f"{title}: {extractor}"
            drawn.append((anchor + suffix, titled, _guarded(build, space_view, titled)))
    return drawn


def _guarded(build: Callable[[RunView], str], view: RunView, title: str) -> str:
    """A section's HTML; if drawing it fails, the error in its place (and a warning), never a crash."""
    try:
        return build(view)
    except Exception as err:  # one section's failure must not cost the others
        warnings.warn(f"report.html: section {title!r} failed: {type(err).__name__}: {err}", stacklevel=2)
        return note(f'<span class="error">{FAILED_SECTION}: {esc(type(err).__name__)}: {esc(err)}</span>')


CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0 auto;max-width:1280px;
padding:1em 2em;color:#1b1b1b;background:#fff;line-height:1.45}
h1{font-size:1.6em;margin-bottom:.2em}h2{border-bottom:2px solid #ddd;padding-bottom:.2em;margin-top:2em}
h3{margin-bottom:.3em}
nav ol{columns:2;background:#f6f8fa;padding:.8em 2.5em;border-radius:6px}
table{border-collapse:collapse;font-size:.86em}th,td{padding:.25em .6em;border-bottom:1px solid #e4e4e4}
table.results td{text-align:right;white-space:nowrap}table.results th{white-space:nowrap}
table.protocol th{text-align:left;font-weight:600;vertical-align:top;white-space:nowrap}
table.grid td{vertical-align:top;text-align:center}table.grid img{max-width:300px;image-rendering:pixelated}
td.missing{color:#888;font-style:italic}
.scroll{overflow-x:auto;max-width:100%}
figure{margin:1em 0}figure img{max-width:100%;height:auto;border:1px solid #eee}
figcaption,.caption{color:#444;font-size:.9em;max-width:60em}
.note{background:#fff8e1;border-left:4px solid #f0b400;padding:.5em .8em}
.error{color:#a00}code{background:#f3f3f3;padding:0 .25em;border-radius:3px}
"""


def render_html(run_dir: str | Path, records: pd.DataFrame) -> str:
    """The whole page for a run directory and its records (``load_records(run_dir)``)."""
    run_dir = Path(run_dir)
    view = RunView.read(run_dir, records)
    drawn = [section for section in _sections(view) if section[2]]  # one with nothing to say is left out
    toc = "".join(f'<li><a href="#{anchor}">{esc(title)}</a></li>' for anchor, title, _ in drawn)
    body = "".join(
        f'<section id="{anchor}"><h2>{esc(title)}</h2>{html}</section>' for anchor, title, html in drawn
    )
    files = ", ".join(
        f'<a href="{name}">{name}</a>' for name in (REPORT_MD, REPORT_CSV, RECORDS_FILE, "run.json")
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no favicon request
        f"<title>ganbench report: {esc(run_dir.name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>ganbench report: {esc(run_dir.name)}</h1>"
        f"<p>One self-contained page: every image is embedded. Next to it in the run folder: {files}.</p>"
        f"</header><nav><h2>Contents</h2><ol>{toc}</ol></nav>{body}</body></html>\n"
    )


def write_html(run_dir: str | Path, records: pd.DataFrame | None = None) -> Path:
    """Write ``report.html`` into ``run_dir`` (records read from it unless given); return its path."""
    run_dir = Path(run_dir)
    if records is None:
        records = load_records(run_dir)
    path = run_dir / REPORT_HTML
    path.write_text(render_html(run_dir, records), encoding="utf-8")
    return path
