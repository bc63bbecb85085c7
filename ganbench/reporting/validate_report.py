"""The report of a ``ganbench validate`` folder: report.md, verdicts.csv, figures/ and report.html.

Everything is read from the folder (``run.json``, ``records.jsonl``, ``timings.json``), so
``ganbench report RUN`` redraws it. The verdict rules are :mod:`ganbench.validation.verdicts`';
the literature's statements :mod:`ganbench.validation.known_results`'; the synthetic checks'
judgements :mod:`ganbench.validation.synthetic_verdicts`'.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from ganbench.registry import METRICS
from ganbench.reporting import figures
from ganbench.reporting.html import CSS, esc, figure_html, markdown_code, note, read_png
from ganbench.reporting.records import RECORDS_FILE, load_records
from ganbench.validation.defects import DESIDERATA
from ganbench.validation.known_results import known_results
from ganbench.validation.verdicts import (
    COLUMNS,
    CONTROL,
    FULL,
    MOVE_SPREADS,
    PASS_RHO,
    STABLE_RHO,
    WEAK_RHO,
    SeriesInfo,
    verdict_table,
)

REPORT_MD = "report.md"
REPORT_HTML = "report.html"
VERDICTS_CSV = "verdicts.csv"
FIGURES_DIR = "figures"
PANEL_COLUMNS = 6
RULES = (
    "Each key is judged on the defect series of the desiderata it is meant for (its aspects). "
    "Along a series "
    "(control first, then growing severity) Spearman's ρ between severity and the score turned so "
    "that higher "
    "is better, and the shift Δ of the most severe set from the control in control spreads σ (std "
    "over the "
    f"control draws): pass = ρ ≤ {PASS_RHO} and Δ > {MOVE_SPREADS}σ; weak = ρ ≤ {WEAK_RHO} with one "
    "of them; "
    f"fail = it does not move or moves the wrong way. A desideratum passes when all its series pass, fails "
    "when all fail. Control: a target key's control mean within 2σ of the target; another key's "
    "control is not "
    "beaten by a defective set by more than 2σ. Sample efficiency: the smallest size from which "
    "the severity "
    f"ranking agrees with the full-n ranking (Spearman ≥ {STABLE_RHO}); pass ≤ n/4, weak ≤ n/2. "
    "Cost: median "
    f"seconds per set of n on this machine (pass ≤ 1 s, weak ≤ 10 s). 'by design': the key does not claim "
    "that aspect (recall is not meant to see noise); its numbers are shown. Every key is graded on "
    "memorisation (Borji asks every measure to detect overfitting). A fail is a finding, not a bug."
)


def _aspects_of(metric: str, key: str) -> tuple[str, ...]:
    spec = METRICS.get(metric) if hasattr(METRICS, "get") else None
    if spec is None:
        try:
            spec = METRICS[metric]
        except KeyError:
            return ("fidelity", "diversity")
    return spec.aspects_of(key)


def _series(meta: dict) -> list[SeriesInfo]:
    return [
        SeriesInfo(s["name"], s["desideratum"], tuple(float(v) for v in s["values"])) for s in meta["series"]
    ]


def _image_records(records: pd.DataFrame) -> pd.DataFrame:
    return records[records["dataset"] != "synthetic"]


def _short(text: str) -> str:
    """The grade of a verdict cell: its first word (or 'by design')."""
    return "by design" if text.startswith("by design") else text.split(" ")[0]


def severity_figure(records: pd.DataFrame, info: SeriesInfo, parameter: str) -> Figure | None:
    """Score vs severity, one panel per key, the control mean ± 2σ as a band."""
    rows = records[(records["stage"].fillna(FULL) == FULL)]
    keys = list(dict.fromkeys(zip(rows["metric"], rows["key"], strict=True)))
    panels = []
    for metric, key in keys:
        group = rows[(rows["metric"] == metric) & (rows["key"] == key)]
        values = group[group["defect"] == info.name].set_index("severity")["value"]
        if values.empty:
            continue
        controls = group[group["defect"] == CONTROL]["value"].to_numpy(np.float64)
        panels.append((key, group.iloc[0], values, controls))
    if not panels:
        return None
    fig, axes = figures.panels(
        len(panels), width=2.3, height=1.9, columns=PANEL_COLUMNS, top=0.5, fixed_margins=True
    )
    positions = np.arange(len(info.values) + 1)
    for ax, (key, first, values, controls) in zip(axes, panels, strict=True):
        series = [values.get(v, np.nan) for v in info.values]
        mean = float(np.mean(controls)) if controls.size else np.nan
        spread = float(np.std(controls, ddof=1)) if controls.size >= 2 else 0.0
        ax.axhspan(mean - 2 * spread, mean + 2 * spread, color="0.85", lw=0)
        ax.plot(positions, [mean, *series], "o-", color="C0", ms=3)
        ax.set_xticks(positions, ["ctrl", *(f"{v:g}" for v in info.values)], fontsize=6)
        ax.tick_params(axis="y", labelsize=6)
        ax.set_title(f"{key}\n{figures.direction_text(first['direction'], first['target'])}", fontsize=7)
    fig.suptitle(f"{info.name}: score vs {parameter} (grey: control mean ± 2σ)", fontsize=9)
    return fig


def _markdown_table(frame: pd.DataFrame) -> str:
    return frame.to_markdown(index=False) if not frame.empty else "(none)"


def build(run_dir: Path) -> dict[str, object]:
    """Everything the report shows, computed from the folder."""
    meta = json.loads((run_dir / "run.json").read_text())
    records = load_records(run_dir)
    timings_path = run_dir / "timings.json"
    timings = json.loads(timings_path.read_text()) if timings_path.exists() else {}
    series = _series(meta)
    images = _image_records(records)
    table, details = verdict_table(
        images, series, aspects_of=_aspects_of, timings=timings, sizes=meta["sample_sizes"], n=meta["n"]
    )
    detail_rows = [
        {"metric": m, "key": k, **{name: v.text for name, v in per.items()}}
        for (m, k), per in details.items()
    ]
    synthetic = records[records["dataset"] == "synthetic"]
    if not synthetic.empty:
        from ganbench.validation.synthetic_verdicts import synthetic_table  # imported only when needed
    return {
        "meta": meta,
        "table": table,
        "details": pd.DataFrame(detail_rows),
        "known": known_results(images[images["stage"].fillna(FULL) == FULL], series),
        "synthetic": synthetic_table(synthetic, aspects_of=_aspects_of) if not synthetic.empty else None,
        "series": series,
        "images": images,
    }


def _protocol_lines(meta: dict) -> list[str]:
    extractor = meta.get("extractor", {})
    name = extractor.get("name", extractor) if isinstance(extractor, dict) else extractor
    config = meta.get("config", {})
    return [
        f"- dataset: `{meta['dataset']}` ({meta.get('dataset_source', '')}); train and held-out "
        "splits pooled; "
        f"every set has n = {meta['n']} images; the reference is one such sample, the measures' "
        "training set "
        "a disjoint 40 %",
        f"- extractor: `{name}`; device {meta.get('device')}; seed {config.get('seed')}, metric seed "
        f"{config.get('metric_seed')}",
        f"- controls: {meta['controls']} draws of real images "
        f"({'disjoint' if meta.get('controls_disjoint') else 'overlapping: the pool is small'}); "
        f"sample-efficiency sizes {meta['sample_sizes']} and {meta['n']}",
        f"- mode invention uses {meta.get('ood')}",
        "- parameters changed from the measures' defaults: "
        + ("; ".join(f"`{m}` {p}" for m, p in meta.get("param_overrides", {}).items()) or "none"),
        "- measures left out: "
        + ("; ".join(f"`{k}`: {v}" for k, v in meta.get("excluded", {}).items()) or "none"),
    ]


def render_markdown(run_dir: Path, built: dict) -> str:
    meta, table = built["meta"], built["table"]
    lines = [f"# ganbench validate: {run_dir.name}", "", *_protocol_lines(meta), ""]
    lines += ["## Verdicts: measure x desideratum", "", RULES, ""]
    if not table.empty:
        compact = table[["metric", "key", "aspects"]].copy()
        for column in COLUMNS:
            compact[column] = table[column].map(_short) if column in DESIDERATA else table[column]
        lines += [_markdown_table(compact), ""]
        lines += ["## Every series", "", "Per key and defect series: the verdict, ρ and Δ.", ""]
        lines += [_markdown_table(built["details"]), ""]
    lines += ["## Known results from the literature", ""]
    for result in built["known"]:
        mark = {True: "shown", False: "NOT shown", None: "not measured"}[result.shown]
        lines.append(f"- **{mark}**: {result.statement} ({result.source}). {result.evidence}")
    lines.append("")
    synthetic = built["synthetic"]
    if synthetic is not None:
        lines += [
            "## Synthetic sanity checks (Räisä, van Breugel & van der Schaar 2025, arXiv:2505.22450)",
            "",
        ]
        lines += [synthetic.legend, "", _markdown_table(synthetic.table), ""]
    lines += ["## Score vs severity", ""]
    for info in built["series"]:
        lines.append(f"- {info.name}: ![{info.name}]({FIGURES_DIR}/{info.name}.png)")
    errors = run_dir / "errors.txt"
    if errors.exists():
        lines += ["", "## Measure errors", "", *[f"- {e}" for e in errors.read_text().splitlines()]]
    lines += _error_list(
        run_dir / "sample_size_errors.txt",
        "Measures that failed at the smaller sample sizes (counted against sample efficiency)",
    )
    lines += _error_list(
        run_dir / "synthetic_errors.txt",
        "Measures that could not score a synthetic check (n/a in its column: a finding, not a run error)",
    )
    return "\n".join(lines) + "\n"


def _error_list(path: Path, title: str) -> list[str]:
    """A section listing the lines of an errors file (at most 50), or nothing when there is none."""
    if not path.exists():
        return []
    failed = path.read_text().splitlines()
    more = [f"- ... and {len(failed) - 50} more"] if len(failed) > 50 else []
    return ["", f"## {title}", "", *[f"- {e}" for e in failed[:50]], *more]


def render_html(run_dir: Path, built: dict) -> str:
    meta, table = built["meta"], built["table"]

    def html_table(frame: pd.DataFrame) -> str:
        body = frame.to_html(index=False, escape=True, border=0, classes="results")
        return f'<div class="scroll">{body}</div>'

    sections = [
        (
            "protocol",
            "Protocol",
            "<ul>" + "".join(f"<li>{markdown_code(x[2:])}</li>" for x in _protocol_lines(meta)) + "</ul>",
        ),
        (
            "verdicts",
            "Verdicts: measure x desideratum",
            note(esc(RULES))
            + (html_table(table[["metric", "key", "aspects", *COLUMNS]]) if not table.empty else ""),
        ),
        ("series", "Every series", html_table(built["details"]) if not built["details"].empty else ""),
        (
            "known",
            "Known results from the literature",
            "<ul>"
            + "".join(
                f"<li><b>{ {True: 'shown', False: 'NOT shown', None: 'not measured'}[r.shown] }</b>: "
                f"{esc(r.statement)} ({esc(r.source)}). {esc(r.evidence)}</li>"
                for r in built["known"]
            )
            + "</ul>",
        ),
    ]
    synthetic = built["synthetic"]
    if synthetic is not None:
        sections.append(
            (
                "synthetic",
                "Synthetic sanity checks (Räisä et al. 2025)",
                note(esc(synthetic.legend)) + html_table(synthetic.table),
            )
        )
    plots = []
    for info in built["series"]:
        data = read_png(run_dir / FIGURES_DIR / f"{info.name}.png")
        if data is not None:
            plots.append(
                figure_html(data, f"{info.name}: score vs severity", esc(f"{info.name}: score vs severity"))
            )
    sections.append(("plots", "Score vs severity", "".join(plots) or note("no figures")))
    toc = "".join(f'<li><a href="#{a}">{esc(t)}</a></li>' for a, t, _ in sections)
    body = "".join(f'<section id="{a}"><h2>{esc(t)}</h2>{content}</section>' for a, t, content in sections)
    files = ", ".join(f'<a href="{f}">{f}</a>' for f in (REPORT_MD, VERDICTS_CSV, RECORDS_FILE, "run.json"))
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">'
        f"<title>ganbench validate: {esc(run_dir.name)}</title><style>{CSS}</style></head><body>"
        f"<header><h1>ganbench validate: {esc(run_dir.name)}</h1><p>Next to this page: "
        f"{files}.</p></header>"
        f"<nav><h2>Contents</h2><ol>{toc}</ol></nav>{body}</body></html>\n"
    )


def write_validate_report(run_dir: str | Path) -> str:
    """Write report.md, verdicts.csv, figures/<series>.png and report.html; return the Markdown."""
    run_dir = Path(run_dir)
    built = build(run_dir)
    built["table"].to_csv(run_dir / VERDICTS_CSV, index=False)
    figure_dir = run_dir / FIGURES_DIR
    figure_dir.mkdir(exist_ok=True)
    parameters = {s["name"]: s["parameter"] for s in built["meta"]["series"]}
    for info in built["series"]:
        fig = severity_figure(built["images"], info, parameters[info.name])
        if fig is not None:
            (figure_dir / f"{info.name}.png").write_bytes(figures.png(fig, dpi=80))
    markdown = render_markdown(run_dir, built)
    (run_dir / REPORT_MD).write_text(markdown)
    (run_dir / REPORT_HTML).write_text(render_html(run_dir, built), encoding="utf-8")
    return markdown


def render_terminal(run_dir: str | Path) -> str:
    """A compact grade table for the terminal (metric, key and a letter per column)."""
    built = build(Path(run_dir))
    table = built["table"]
    if table.empty:
        return "(no verdicts)"
    compact = table[["metric", "key"]].copy()
    for column in (*DESIDERATA, "control", "sample efficiency", "cost"):
        compact[column] = table[f"{column}_grade"].map(
            {"pass": "pass", "weak": "weak", "fail": "FAIL", "by design": "-", "n/a": "n/a"}
        )
    lines = [compact.to_string(index=False), ""]
    for result in built["known"]:
        mark = {True: "shown", False: "NOT shown", None: "not measured"}[result.shown]
        lines.append(f"{mark}: {result.statement}")
    return "\n".join(lines)
