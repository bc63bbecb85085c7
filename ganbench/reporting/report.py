"""The run report from records.jsonl alone: report.md (full tables), report.csv (every statistic), and
the compact table ``ganbench report`` prints (:func:`render_terminal`, within 100 columns)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ganbench.analysis.feature_spaces import by_feature_space
from ganbench.analysis.ranks import ranks
from ganbench.analysis.summary import summary
from ganbench.analysis.sweeps import final_phase
from ganbench.reporting.lucic_table import lucic_markdown
from ganbench.reporting.problems import training_problems
from ganbench.reporting.records import load_records
from ganbench.reporting.statements import all_tests_table, significance_statements
from ganbench.reporting.sweep_report import sweep_markdown, sweep_terminal, write_sweep_figure
from ganbench.reporting.tables import ARROWS, MARKS_LEGEND, rank_cells, table
from ganbench.reporting.terminal import TERMINAL_WIDTH, fit_table, wrap

__all__ = [
    "ARROWS",
    "REPORT_CSV",
    "REPORT_MD",
    "SPACE_TITLES",
    "render_markdown",
    "render_terminal",
    "table",
    "write_report",
]

REPORT_MD = "report.md"
REPORT_CSV = "report.csv"

SPACE_TITLES = {
    "features": "Feature space",
    "logits": "Class posteriors",
    "pixels": "Pixel space",
    "models": "Models: tournament of the run's discriminators and generators",
}

CELLS_LEGEND = (
    "cells: mean ± std over seeds [95% Student-t interval of the mean]; with one seed, the value"
    " [bootstrap 95% interval] when the run had --bootstrap; `> x`: only a lower bound (a censored"
    " birthday estimate: no duplicate was found, so the support is at least x)"
)
DIRECTIONS_LEGEND = "↓ lower is better, ↑ higher is better, →x: x is ideal"
KID_UNITS = (
    "KID is the unbiased squared MMD with the cubic polynomial kernel k(a, b) = (a·b/d + 1)³ on the"
    " extractor's d-dimensional features (Bińkowski et al. 2018), in that kernel's units, as"
    " computed: not multiplied by 1000 (papers often print KID × 10³); compare it only between runs"
    " with the same extractor"
)
KID_UNITS_SHORT = "KID: unbiased MMD², cubic kernel on the extractor's features, as computed (not × 10³)."
INCEPTION_EXTRACTORS = ("inception-v3", "inception-v3-unverified")


def fd_scale_note(extractor: str) -> str:
    """Why a Fréchet distance outside Inception's space is not FID's scale (Stein et al. 2023)."""
    return (
        f"fid is the Fréchet distance between Gaussians fitted to {extractor} features (FD_{extractor}), "
        "not Inception-v3's FID: each feature space has its own scale (Stein et al. 2023, arXiv:2306.04675, "
        "report FD on DINOv2 ViT-L/14), so compare it only with runs in the same space"
    )


def scale_legends(records: pd.DataFrame, *, short: bool = False) -> list[str]:
    """The legends on the units of the records' kernel and Fréchet measures: KID's kernel units, and
    the scale of a Fréchet distance taken outside Inception's space, one per such extractor."""
    legends = [KID_UNITS_SHORT if short else KID_UNITS] if (records["key"] == "kid").any() else []
    with_fd = records[(records["key"] == "fid") & (records["space"] == "features")]
    for extractor in sorted(set(with_fd["extractor"].dropna().astype(str))):
        if extractor not in INCEPTION_EXTRACTORS:
            legends.append(fd_scale_note(extractor))
    return legends


TERMINAL_MARKS_LEGEND = (
    "★ best mean of a column; *, **, ***: worse than it at Holm-corrected Welch p < 0.05, 0.01, 0.001."
)
CSV_STATISTICS = ("mean", "std", "t_low", "t_high", "ci_low", "ci_high", "n_seeds", "censored")


def _spaces(records: pd.DataFrame) -> list[str]:
    return [space for space in SPACE_TITLES if (records["space"] == space).any()]


def _space_title(space: str, records: pd.DataFrame) -> str:
    title = SPACE_TITLES[space]
    if space == "features" and len(records) and pd.notna(records["extractor"].iloc[0]):
        first = records.iloc[0]
        title += f" ({first['extractor']} `{first['extractor_hash']}`)"
    return title


def _protocol(run_dir: Path, records: pd.DataFrame) -> list[str]:
    meta_path = run_dir / "run.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    lines = []
    if meta.get("fallback"):
        lines += [f"> **Dataset fallback:** {meta['fallback']}", ""]
    if not len(records):
        return lines
    first = records.iloc[0]
    accuracy = meta.get("extractor", {}).get("held_out_accuracy")
    if meta.get("kind") == "evaluate":
        legends = [f"- {legend}" for legend in scale_legends(records)]
        return [*lines, *_evaluate_protocol(meta, first, accuracy), *legends, ""]
    train_cfg = meta.get("config", {}).get("train", {})
    lines += [
        f"- dataset: **{first['dataset']}**, generated samples compared with its held-out split"
        f" (source: {meta.get('dataset_source', '?')})",
        f"- feature space: {first['extractor']} `{first['extractor_hash']}`"
        + (f", held-out accuracy {accuracy:.2%}" if accuracy is not None else ""),
        f"- n_real = n_fake = {first['n_real'] if pd.notna(first['n_real']) else '?'} per evaluation",
        f"- budget: {train_cfg.get('kimg', '?')} kimg (thousands of real images shown to D), "
        f"batch {train_cfg.get('batch_size', '?')}"
        + (f", cap {train_cfg['budget_seconds']} s" if train_cfg.get("budget_seconds") else ""),
        f"- device: {first['device']}; torch {first['torch_version']}; ganbench {first['ganbench_version']}",
        "- `real` row: held-out vs training images, the best value each metric can reach here"
        " (except measures of copying the training set, which flag it by construction);"
        f" {DIRECTIONS_LEGEND}",
        f"- {CELLS_LEGEND}",
        f"- marks: {MARKS_LEGEND}",
    ]
    lines += [f"- {legend}" for legend in scale_legends(records)]
    return [*lines, ""]


def _evaluate_protocol(meta: dict, first: pd.Series, accuracy: float | None) -> list[str]:
    """The protocol lines of an ``evaluate`` run: what was compared with what, and how."""
    real = meta.get("real", {})
    extractor = meta.get("extractor", {})
    lines = [
        f"- real set: {real.get('source', '?')} (n = {real.get('n', '?')}, {real.get('size', '?')},"
        f" sha256 `{str(real.get('sha256', '?'))[:16]}`)",
    ]
    for fake in meta.get("fakes", []):
        seed = "" if fake.get("seed") is None else f" seed {fake['seed']}"
        lines.append(
            f"- fake set **{fake['label']}**{seed}:"
            f" {fake['source']} (n = {fake['n']}, {fake['size']}, sha256 `{str(fake['sha256'])[:16]}`)"
        )
    weights = extractor.get("weights_file_sha256")
    lines += [
        f"- feature space: {first['extractor']} `{first['extractor_hash']}`"
        + (f", held-out accuracy {accuracy:.2%}" if accuracy is not None else "")
        + (f"; weights file sha256 `{weights}`" if weights else ""),
        *[
            f"- feature space: {other.get('name', '?')} `{other.get('weights_sha256', '?')}`"
            + (
                f"; weights file sha256 `{other['weights_file_sha256']}`"
                if other.get("weights_file_sha256")
                else ""
            )
            + " (its own tables below)"
            for other in meta.get("extractors", [])[1:]
        ],
        f"- extractor input: {extractor.get('input_size', '?')}; resize: {extractor.get('resize', '?')};"
        f" channels: {extractor.get('channels', '?')}; statistics in {first.get('stats_dtype', '?')}",
        f"- device: {first['device']}; torch {first['torch_version']}; torch-fidelity"
        f" {first['torch_fidelity_version']}; ganbench {first['ganbench_version']}",
        f"- {DIRECTIONS_LEGEND}",
        f"- {CELLS_LEGEND}",
        f"- marks: {MARKS_LEGEND}",
    ]
    if extractor.get("verified") is False:
        lines.append(
            "- **the extractor's weights file is not the published one** (forced with --force-weights): "
            "these values are not comparable with published scores"
        )
    return lines


def _other_space_line(extractor: dict) -> str:
    """The protocol line of an evaluation's second or later feature space (run.json "extractors")."""
    weights = extractor.get("weights_file_sha256")
    return (
        f"- feature space: {extractor.get('name', '?')} `{extractor.get('weights_sha256', '?')}`"
        + (f"; weights file sha256 `{weights}`" if weights else "")
        + " (its own tables below)"
    )


def _comparisons_section(records: pd.DataFrame) -> list[str]:
    """Pairwise significance statements in words, then every test as a table."""
    tests = all_tests_table(records)
    lines = ["## Pairwise comparisons", ""]
    if tests.empty:
        return [*lines, "(fewer than two variants: nothing to compare)", ""]
    lines += [
        "Welch's t-test over seeds, Holm-corrected over every pair of variants on one key; the exact"
        " (or Monte-Carlo) permutation test of the mean difference beside it in the table below."
        " Keys with a target are compared on the distance to it. `diff`: the better variant's mean"
        " minus the other's.",
        "",
    ]
    if tests["note"].str.startswith("one seed of ").all():
        return [
            *lines,
            "No test is possible: " + tests["note"].iloc[0] + ". Run with several seeds"
            " (`--seeds 0,1,2`) to compare variants.",
            "",
        ]
    significant, others = significance_statements(records)
    lines += ["### Significant at 0.05 after Holm's correction", ""]
    lines += [f"- {s}" for s in significant] or ["(none)"]
    lines += ["", "### Not significant, or not testable", ""]
    lines += [f"- {s}" for s in others] or ["(none)"]
    lines += ["", "### Every test", "", tests.to_markdown(index=False), ""]
    return lines


def _ranks_section(records: pd.DataFrame) -> list[str]:
    cells = rank_cells(records)
    if cells.empty:
        return []
    return [
        "## Ranks",
        "",
        "Per key, a variant's rank is 1 + the number of variants whose interval lies wholly on its better"
        " side (95% t interval over seeds; with one seed the bootstrap interval, else the value itself):"
        " variants whose intervals overlap share a rank unless a third one separates them.",
        "",
        cells.to_markdown(),
        "",
    ]


def _value_sections(records: pd.DataFrame, *, training: bool) -> list[str]:
    """The comparison tables of one feature space's records (the training columns in the first one
    when ``training``), the Lucic et al. FID table, the ranks and the pairwise comparisons."""
    spaces = _spaces(records)
    if not spaces:
        return ["(no evaluated runs)", ""]
    lines = []
    for space in spaces:
        frame = table(records, space, training=training and space == spaces[0])
        lines += [f"## {_space_title(space, records)}", "", frame.to_markdown(), ""]
    return lines + lucic_markdown(records) + _ranks_section(records) + _comparisons_section(records)


def render_markdown(run_dir: Path, records: pd.DataFrame) -> str:
    """The report page: protocol and legends, the comparison tables with intervals and marks, the FID
    table in the layout of Lucic et al. 2018 (when the records have FID), a sweep's trials and seeds,
    ranks, pairwise comparisons, divergences and errors, and links to samples and loss curves.

    In a sweep the tables summarise its final phase (:func:`ganbench.analysis.sweeps.final_phase`)."""
    swept, records = records, final_phase(records)
    lines = [f"# ganbench report: {run_dir.name}", "", *_protocol(run_dir, records)]
    lines += sweep_markdown(run_dir, swept)
    groups = by_feature_space(records)
    for i, (extractor, subset) in enumerate(groups):
        values = _value_sections(subset, training=i == 0)
        if len(groups) > 1:  # one part per feature space, its headings a level down
            heading = f"## In the feature space of {extractor}"
            values = [heading, "", *[f"#{line}" if line.startswith("#") else line for line in values]]
        lines += values
    problems = training_problems(swept)
    if problems:
        lines += ["## Diverged runs and failed jobs", "", *[f"- {line}" for line in problems], ""]
    errors = run_dir / "errors.txt"
    if errors.exists():
        lines += ["## Metric errors", "", *[f"- {e}" for e in errors.read_text().splitlines()], ""]
    shown = [*run_dir.glob("*/seed*/samples.png"), *run_dir.glob("*/final/seed*/samples.png")]
    units = sorted(p.parent for p in shown)  # a sweep's search trials: in its figure, not one by one
    checks = sorted(p for p in run_dir.glob("**/metrics/*.png") if "trial" not in p.parent.parent.parent.name)
    if units or checks:
        lines += ["## Samples, loss curves and images to check", ""]
        for unit in units:
            rel = unit.relative_to(run_dir)
            lines.append(f"- {rel}: ![samples]({rel}/samples.png) ![losses]({rel}/losses.png)")
        for image in checks:
            rel = image.relative_to(run_dir)
            lines.append(f"- {rel.parent.parent}: [{image.stem}]({rel})")
        lines.append("")
    return "\n".join(lines)


def render_terminal(run_dir: Path, records: pd.DataFrame, width: int = TERMINAL_WIDTH) -> str:
    """What ``ganbench report`` prints: compact tables (``mean±std`` and marks, split to fit ``width``
    columns), the legends, the significant differences in words, and where the full report is."""
    lines = wrap(f"ganbench report: {run_dir.name}", width)
    swept, records = records, final_phase(records)
    lines += sweep_terminal(run_dir, swept, width)
    groups = by_feature_space(records)
    for i, (_, subset) in enumerate(groups):
        spaces = _spaces(subset)
        for space in spaces:
            frame = table(subset, space, training=i == 0 and space == spaces[0], full=False)
            lines += ["", *fit_table(frame, _space_title(space, subset).replace("`", ""), width)]
    if not _spaces(records):
        lines += ["(no evaluated runs)"]
    lines += ["", *wrap(f"{DIRECTIONS_LEGEND}. Cells: mean±std over seeds; > x: only a lower bound.", width)]
    lines += wrap(TERMINAL_MARKS_LEGEND, width)
    for legend in scale_legends(records, short=True):
        lines += wrap(legend, width)
    for extractor, subset in groups:
        significant = significance_statements(subset)[0] if _spaces(subset) else []
        if significant:
            where = f" ({extractor})" if len(groups) > 1 else ""
            lines += ["", f"Significant at 0.05 after Holm's correction (Welch's t over seeds){where}:"]
            for text in significant:
                lines += wrap(f"- {text}", width, indent="  ")
    for line in training_problems(swept):
        lines += wrap(line, width, indent="  ")
    lines += ["", "Full tables with 95% intervals, ranks and every test, and every statistic:"]
    lines += wrap(f"{run_dir / REPORT_MD}, {REPORT_CSV}", width)
    return "\n".join(lines)


def _csv_table(records: pd.DataFrame) -> pd.DataFrame:
    """Variant x (key, statistic): ``{key}_{statistic}`` for :data:`CSV_STATISTICS`, then ``{key}_rank``;
    records of several feature spaces: ``{extractor}/{key}_{statistic}``, one block per space."""
    groups = by_feature_space(records)
    if len(groups) == 1:
        return _csv_block(records)
    blocks = [_csv_block(subset).add_prefix(f"{extractor}/") for extractor, subset in groups]
    return pd.concat(blocks, axis=1)


def _csv_block(records: pd.DataFrame) -> pd.DataFrame:
    """:func:`_csv_table` of one feature space's records."""
    stats = summary(records)
    variants, keys = list(dict.fromkeys(stats["variant"])), list(dict.fromkeys(stats["key"]))
    wide = {
        statistic: stats.pivot(index="variant", columns="key", values=statistic).reindex(
            index=variants, columns=keys
        )
        for statistic in CSV_STATISTICS
    }
    ranked = ranks(records)
    rank = ranked.pivot(index="variant", columns="key", values="rank").reindex(index=variants, columns=keys)
    columns = {f"{key}_{statistic}": wide[statistic][key] for key in keys for statistic in CSV_STATISTICS}
    columns |= {f"{key}_rank": rank[key].astype("Int64") for key in keys}
    columns |= {f"{key}_n_seeds": wide["n_seeds"][key].astype("Int64") for key in keys}
    frame = pd.DataFrame(columns, index=pd.Index(variants, name="variant"))
    return frame[[c for key in keys for c in [*(f"{key}_{s}" for s in CSV_STATISTICS), f"{key}_rank"]]]


def write_report(run_dir: str | Path) -> str:
    """Write ``report.md``, ``report.csv`` (variant x ``{key}_{statistic}``: mean, std, the t and
    bootstrap intervals, seeds, censored, rank) and the self-contained ``report.html``
    (:mod:`ganbench.reporting.html`); return the Markdown."""
    from ganbench.reporting.html import write_html  # html builds on this module's tables and legends

    run_dir = Path(run_dir)
    records = load_records(run_dir)
    markdown = render_markdown(run_dir, records)
    (run_dir / REPORT_MD).write_text(markdown)
    write_sweep_figure(run_dir, records)
    _csv_table(final_phase(records)).to_csv(run_dir / REPORT_CSV)
    write_html(run_dir, records)
    return markdown
