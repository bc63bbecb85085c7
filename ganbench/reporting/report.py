"""Comparative tables (and their files) from a run's records."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ganbench.reporting.records import load_records

ARROWS = {"lower": "↓", "higher": "↑"}
REPORT_MD = "report.md"
REPORT_CSV = "report.csv"


def _column(key: str, direction: str, target: float | None) -> str:
    if direction == "target":
        return f"{key} →{target:g}"
    return f"{key} {ARROWS.get(direction, '')}".strip()


def summarise(records: pd.DataFrame) -> pd.DataFrame:
    """Mean and std over seeds of every (variant, key), for evaluated units only.

    Returns a long DataFrame with columns variant, metric, key, direction, target, space,
    mean, std, n_seeds; ``real`` first, then variants in the order they were run.
    """
    evaluated = records[(records["status"] != "diverged") & (records["metric"] != "training")]
    if evaluated.empty:
        return pd.DataFrame(
            columns=["variant", "metric", "key", "direction", "target", "space", "mean", "std", "n_seeds"]
        )
    grouped = evaluated.groupby(["variant", "metric", "key"], sort=False, dropna=False)
    summary = grouped.agg(
        direction=("direction", "first"),
        target=("target", "first"),
        space=("space", "first"),
        mean=("value", "mean"),
        std=("value", "std"),
        n_seeds=("value", "count"),
        ci_low=("ci_low", "mean"),
        ci_high=("ci_high", "mean"),
    ).reset_index()
    return summary


SPACE_TITLES = {
    "features": "Feature space",
    "logits": "Class posteriors",
    "pixels": "Pixel space",
    "models": "Models: tournament of the run's discriminators and generators",
}


def table(records: pd.DataFrame, space: str | None = None, training: bool = True) -> pd.DataFrame:
    """Variant x metric key, for one feature space (or all); cells ``mean ± std`` over seeds,
    headers carry direction arrows; with ``training``, the columns seeds, kimg and G steps
    come first (and every variant gets a row, diverged ones included)."""
    summary = summarise(records)
    if space is not None:
        summary = summary[summary["space"] == space]
    if summary.empty:
        return pd.DataFrame()
    summary = summary.assign(
        column=[
            _column(k, d, t)
            for k, d, t in zip(summary["key"], summary["direction"], summary["target"], strict=True)
        ],
        cell=[_cell(row) for row in summary.itertuples()],
    )
    wide = summary.pivot(index="variant", columns="column", values="cell")
    wide = wide.reindex(
        index=list(dict.fromkeys(summary["variant"])), columns=list(dict.fromkeys(summary["column"]))
    )
    if not training:
        return wide.fillna("")
    columns = _training_columns(records)
    return columns.join(wide, how="outer").reindex(wide.index.union(columns.index, sort=False)).fillna("")


def _cell(row: object) -> str:
    """``mean ± std`` over seeds; a single seed with a bootstrap interval shows ``value [low, high]``."""
    mean, std, n, low, high = (getattr(row, f) for f in ("mean", "std", "n_seeds", "ci_low", "ci_high"))
    if pd.isna(mean):
        return "n/a"
    if n >= 2 and not pd.isna(std):
        return f"{mean:.4g} ± {std:.2g}"
    if not pd.isna(low) and not pd.isna(high):
        return f"{mean:.4g} [{low:.4g}, {high:.4g}]"
    return f"{mean:.4g}"


def _training_columns(records: pd.DataFrame) -> pd.DataFrame:
    """Per variant: seeds run, diverged count, mean kimg and G steps achieved."""
    units = records[records["variant"] != "real"].drop_duplicates(["variant", "seed"])
    rows = {}
    for variant, group in units.groupby("variant", sort=False):
        diverged = int((group["status"] == "diverged").sum())
        rows[variant] = {
            "seeds": str(len(group)) + (f" ({diverged} diverged)" if diverged else ""),
            "kimg": f"{group['kimg'].mean():.1f}",
            "G steps": f"{group['g_steps'].mean():.0f}",
        }
    real = {"real": {"seeds": "", "kimg": "", "G steps": ""}} if (records["variant"] == "real").any() else {}
    return pd.DataFrame.from_dict({**real, **rows}, orient="index")


def render_markdown(run_dir: Path, records: pd.DataFrame) -> str:
    """The report page: protocol, the comparative table, and links to samples and loss curves."""
    meta_path = run_dir / "run.json"
    meta = json.loads(meta_path.read_text()) if meta_path.exists() else {}
    first = records.iloc[0] if len(records) else None
    lines = [f"# ganbench report: {run_dir.name}", ""]
    if meta.get("fallback"):
        lines += [f"> **Dataset fallback:** {meta['fallback']}", ""]
    if first is not None:
        extractor = meta.get("extractor", {})
        accuracy = extractor.get("held_out_accuracy")
        train_cfg = meta.get("config", {}).get("train", {})
        lines += [
            f"- dataset: **{first['dataset']}**, generated samples compared with its held-out split"
            f" (source: {meta.get('dataset_source', '?')})",
            f"- feature space: {first['extractor']} `{first['extractor_hash']}`"
            + (f", held-out accuracy {accuracy:.2%}" if accuracy is not None else ""),
            f"- n_real = n_fake = {int(first['n_real'])} per evaluation",
            f"- budget: {train_cfg.get('kimg', '?')} kimg (thousands of real images shown to D), "
            f"batch {train_cfg.get('batch_size', '?')}"
            + (f", cap {train_cfg['budget_seconds']} s" if train_cfg.get("budget_seconds") else ""),
            f"- device: {first['device']}; torch {first['torch_version']};"
            f" ganbench {first['ganbench_version']}",
            "- `real` row: held-out vs training images, the best value each metric can reach here"
            " (except measures of copying the training set, which flag it by construction);"
            " ↓ lower is better, ↑ higher is better, →x: x is ideal; mean ± std over seeds,"
            " [bootstrap 95% interval] with --bootstrap",
            "",
        ]
    spaces = [space for space in SPACE_TITLES if (records["space"] == space).any()]
    for space in spaces:
        title = SPACE_TITLES[space]
        if space == "features" and first is not None:
            title += f" ({first['extractor']} `{first['extractor_hash']}`)"
        lines += [f"## {title}", "", table(records, space, training=space == spaces[0]).to_markdown(), ""]
    if not spaces:
        lines += ["(no evaluated runs)", ""]
    diverged = records[records["metric"] == "training"]
    if len(diverged):
        lines += ["## Diverged runs", ""]
        for _, row in diverged.iterrows():
            lines.append(
                f"- {row['variant']} seed {row['seed']}: loss became NaN/inf at D step {int(row['value'])}"
            )
        lines.append("")
    errors = run_dir / "errors.txt"
    if errors.exists():
        lines += ["## Metric errors", "", *[f"- {e}" for e in errors.read_text().splitlines()], ""]
    units = sorted(p.parent for p in run_dir.glob("*/seed*/samples.png"))
    checks = sorted(run_dir.glob("**/metrics/*.png"))
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


def write_report(run_dir: str | Path) -> str:
    """Write ``report.md``, ``report.csv`` (variant x key: mean, std over seeds) and the self-contained
    ``report.html`` (:mod:`ganbench.reporting.html`); return the Markdown."""
    from ganbench.reporting.html import write_html  # html builds on this module's tables

    run_dir = Path(run_dir)
    records = load_records(run_dir)
    markdown = render_markdown(run_dir, records)
    (run_dir / REPORT_MD).write_text(markdown)
    write_html(run_dir, records)
    summary = summarise(records)
    variants, keys = list(dict.fromkeys(summary["variant"])), list(dict.fromkeys(summary["key"]))
    stats = {
        stat: summary.pivot(index="variant", columns="key", values=stat).reindex(index=variants, columns=keys)
        for stat in ("mean", "std")
    }
    wide = pd.DataFrame({f"{key}_{stat}": stats[stat][key] for key in keys for stat in ("mean", "std")})
    wide.index.name = "variant"
    wide.to_csv(run_dir / REPORT_CSV)
    return markdown
