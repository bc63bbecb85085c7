"""Verdicts of ``ganbench validate``: does each measure's key meet Borji's desiderata on this data?

Borji 2019 (arXiv:1802.03446, Sec. 4) lists what a good measure does: favour high-fidelity samples,
be sensitive to image distortions, favour diverse samples (penalise mode dropping and collapse),
detect overfitting (memorisation), be sample-efficient and cheap, agree with human rankings. His
Table 3 rates measures from the literature; here they are *measured*, from the records alone (so
``ganbench report`` can redo them), with these rules:

- **orientation**: a score is turned into "goodness" g (higher is better): itself for ``higher``,
  minus itself for ``lower``, minus its distance to the target for a target key;
- **a series** (control, then the defect at growing severity): Spearman's ρ between severity rank
  and g, and the shift of the most severe set from the control in control spreads
  σ (the standard deviation of the key over the control draws). ``pass``: ρ ≤ :data:`PASS_RHO` and
  the shift is more than :data:`MOVE_SPREADS` σ; ``weak``: one of the two, with ρ ≤ :data:`WEAK_RHO`;
  ``fail``: it does not move, or moves the wrong way (ρ ≥ -WEAK_RHO is called out as "wrong way");
- **a desideratum** gathers its series: pass when all pass, fail when all fail, weak otherwise;
  a key whose declared aspects (``MetricSpec.aspects_of``) do not include the desideratum's is
  shown "by design" with its numbers (recall is not meant to see noise), except on memorisation,
  which every key is graded on (Borji asks every measure to detect overfitting);
- **control**: a target key's control mean lies within 2σ of the target (weak within 4σ); any
  other key's control is not beaten by any defective set by more than 2σ (weak: only by a
  mildest-severity set);
- **sample efficiency**: the smallest sample size from which on the severity ranking of every series
  the key answers to agrees with the ranking at full n (Spearman ≥ :data:`STABLE_RHO` at that size and
  every larger one); pass at ≤ ¼ n, weak at ≤ ½ n; the median over the key's series;
- **cost**: median seconds of one call of the measure on a set of n (pass ≤ 1 s, weak ≤ 10 s).

A key that moves the wrong way or not at all fails that desideratum: a finding, not a bug. A key
with the same value on every set describes the fixed real set (``sharpness_real``) and is left out.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import spearmanr

from ganbench.validation.defects import DESIDERATA, DESIDERATUM_ASPECT

PASS_RHO = -0.8
WEAK_RHO = -0.4
MOVE_SPREADS = 2.0
CONTROL_SPREADS = 2.0
STABLE_RHO = 0.9
CHEAP_SECONDS = 1.0
AFFORDABLE_SECONDS = 10.0
#: Desiderata every key is graded on, whatever it claims: Borji asks every measure to detect
#: overfitting, and users need to know which ones cannot (FID, IS).
GRADED_FOR_EVERY_KEY: tuple[str, ...] = ("memorisation",)
CONTROL = "control"
FULL = "final"
SUBSAMPLE = "sample-size"


@dataclass(frozen=True)
class SeriesInfo:
    """A defect series as the verdicts need it: name, desideratum, values mild to severe."""

    name: str
    desideratum: str
    values: tuple[float, ...]


@dataclass(frozen=True)
class Verdict:
    """``grade``: pass | weak | fail | by design | n/a; ``text``: the grade with its numbers."""

    grade: str
    text: str
    rho: float = math.nan
    shift: float = math.nan


def goodness(values: np.ndarray | Sequence[float], direction: str, target: float | None) -> np.ndarray:
    """Scores turned so that higher is better: ``values`` [S] -> float64 [S]."""
    v = np.asarray(values, dtype=np.float64)
    if direction == "higher":
        return v
    if direction == "lower":
        return -v
    return -np.abs(v - float(target))  # type: ignore[arg-type]


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman's ρ of two equal-length vectors; NaN when either is constant or has a NaN."""
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    if a.size < 3 or not (np.isfinite(a).all() and np.isfinite(b).all()) or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(spearmanr(a, b).statistic)


def series_verdict(control_goodness: float, defect_goodness: np.ndarray, spread: float) -> Verdict:
    """The verdict of one key on one series: ``defect_goodness`` [S], mild to severe."""
    g = np.concatenate([[control_goodness], defect_goodness])
    if not np.isfinite(g).all():
        return Verdict("fail", "fail (non-finite score)")
    rho = spearman(np.arange(g.size), g)
    delta = control_goodness - g[-1]  # > 0: the most severe set is worse
    scale = spread if spread > 0 else math.nan
    shift = (
        delta / scale if np.isfinite(scale) else (math.inf if delta > 0 else -math.inf if delta < 0 else 0.0)
    )
    moved = shift > MOVE_SPREADS
    rho_text = "ρ=n/a" if math.isnan(rho) else f"ρ={rho:+.2f}"
    shift_text = f"Δ={shift:+.1f}σ" if math.isfinite(shift) else ("Δ>0, σ=0" if shift > 0 else "Δ≤0, σ=0")
    numbers = f"{rho_text} {shift_text}"
    if math.isnan(rho):
        return Verdict("fail", f"fail (constant) {numbers}", rho, shift)
    if rho <= PASS_RHO and moved:
        return Verdict("pass", f"pass {numbers}", rho, shift)
    if rho <= WEAK_RHO and (moved or rho <= PASS_RHO):
        return Verdict("weak", f"weak {numbers}", rho, shift)
    if rho >= -WEAK_RHO and shift < -MOVE_SPREADS:
        return Verdict("fail", f"fail (wrong way) {numbers}", rho, shift)
    return Verdict("fail", f"fail {numbers}", rho, shift)


def combine(verdicts: Mapping[str, Verdict]) -> str:
    """A desideratum's grade from its series' grades (module docstring)."""
    grades = [v.grade for v in verdicts.values()]
    if not grades:
        return "n/a"
    if all(g == "pass" for g in grades):
        return "pass"
    if all(g == "fail" for g in grades):
        return "fail"
    return "weak"


class KeyData:
    """The full-n and sample-size scores of one (metric, key), indexed for the verdicts.

    Args:
        rows: the records of one (metric, key): columns defect, severity, seed, stage, n_fake, value,
            direction, target.
    """

    def __init__(self, rows: pd.DataFrame) -> None:
        first = rows.iloc[0]
        self.direction = str(first["direction"])
        self.target = None if pd.isna(first["target"]) else float(first["target"])
        self.rows = rows

    def g(self, values: np.ndarray | Sequence[float]) -> np.ndarray:
        return goodness(values, self.direction, self.target)

    def _at(self, stage: str, n: int | None = None) -> pd.DataFrame:
        rows = self.rows[self.rows["stage"].fillna(FULL) == stage]
        return rows if n is None else rows[rows["n_fake"] == n]

    def controls(self) -> np.ndarray:
        """The key's values over the control draws at full n [C]."""
        rows = self._at(FULL)
        return rows[rows["defect"] == CONTROL].sort_values("seed")["value"].to_numpy(np.float64)

    def spread(self) -> float:
        c = self.controls()
        c = c[np.isfinite(c)]
        return float(np.std(c, ddof=1)) if c.size >= 2 else math.nan

    def series(self, info: SeriesInfo, stage: str = FULL, n: int | None = None) -> np.ndarray | None:
        """Values [S] of the series mild to severe, or None when any is missing."""
        rows = self._at(stage, n)
        rows = rows[rows["defect"] == info.name].set_index("severity")["value"]
        if not all(v in rows.index for v in info.values):
            return None
        return rows.loc[list(info.values)].to_numpy(np.float64)

    def control_at(self, stage: str, n: int | None = None) -> float | None:
        rows = self._at(stage, n)
        rows = rows[(rows["defect"] == CONTROL) & (rows["seed"] == 0)]["value"]
        return None if rows.empty else float(rows.iloc[0])


def series_verdicts(data: KeyData, series: Sequence[SeriesInfo]) -> dict[str, Verdict]:
    """Per series name, the key's verdict at full n (series with a missing value are left out)."""
    controls = data.g(data.controls())
    if controls.size == 0:
        return {}
    control = float(np.mean(controls))
    spread = data.spread()
    out = {}
    for info in series:
        values = data.series(info)
        if values is not None:
            out[info.name] = series_verdict(control, data.g(values), spread)
    return out


def control_verdict(data: KeyData, series: Sequence[SeriesInfo]) -> Verdict:
    """Whether the control scores as ideal within its spread (module docstring)."""
    controls = data.controls()
    if controls.size == 0 or not np.isfinite(controls).all():
        return Verdict("n/a", "n/a (no finite control)")
    mean, spread = float(np.mean(controls)), data.spread()
    sigma = spread if np.isfinite(spread) else 0.0
    if data.target is not None:
        off = abs(mean - data.target)
        text = f"{mean:.4g}±{sigma:.2g} (→{data.target:g})"
        if off <= CONTROL_SPREADS * sigma + 1e-12:
            return Verdict("pass", f"pass {text}")
        if off <= 2 * CONTROL_SPREADS * sigma:
            return Verdict("weak", f"weak {text}")
        return Verdict("fail", f"fail {text}")
    g_control = float(np.mean(data.g(controls)))
    beaten: list[tuple[str, int]] = []
    for info in series:
        values = data.series(info)
        if values is None:
            continue
        for index, g in enumerate(data.g(values), start=1):
            if g > g_control + CONTROL_SPREADS * sigma + 1e-12 * max(1.0, abs(g_control)):
                beaten.append((f"{info.name}@{info.values[index - 1]:g}", index))
    text = f"{mean:.4g}±{sigma:.2g}"
    if not beaten:
        return Verdict("pass", f"pass {text}")
    worst = max(beaten, key=lambda b: b[1])
    grade = "weak" if worst[1] == 1 else "fail"
    return Verdict(
        grade, f"{grade} {text}, beaten by {worst[0]}" + (f" +{len(beaten) - 1}" if len(beaten) > 1 else "")
    )


def sample_efficiency(data: KeyData, series: Sequence[SeriesInfo], sizes: Sequence[int], n: int) -> Verdict:
    """The sample size from which on the key's severity rankings are stable (module docstring)."""
    fractions = []
    for info in series:
        full_control, full = data.control_at(FULL), data.series(info)
        if full_control is None or full is None:
            continue
        reference = data.g(np.concatenate([[full_control], full]))
        stable_from = n
        for size in sorted((s for s in sizes if s < n), reverse=True):
            control, values = data.control_at(SUBSAMPLE, size), data.series(info, SUBSAMPLE, size)
            if control is None or values is None:
                break
            rho = spearman(data.g(np.concatenate([[control], values])), reference)
            if math.isnan(rho) or rho < STABLE_RHO:
                break
            stable_from = size
        fractions.append(stable_from / n)
    if not fractions:
        return Verdict("n/a", "n/a (no series it ranks, or none at smaller sizes)")
    fraction = float(np.median(fractions))
    size = round(fraction * n)
    grade = "pass" if fraction <= 0.25 else "weak" if fraction <= 0.5 else "fail"
    return Verdict(grade, f"{grade} n≥{size} ({fraction:.2g}·n)")


def cost_verdict(seconds: Sequence[float] | None, n: int) -> Verdict:
    """The cost grade from the measure's call times on sets of n."""
    if not seconds:
        return Verdict("n/a", "n/a (not timed)")
    median = float(np.median(seconds))
    grade = "pass" if median <= CHEAP_SECONDS else "weak" if median <= AFFORDABLE_SECONDS else "fail"
    return Verdict(grade, f"{grade} {median:.2g} s")


#: Columns of the verdict table after metric and key.
COLUMNS: tuple[str, ...] = (
    *DESIDERATA,
    "control",
    "sample efficiency",
    "cost",
    "human agreement",
)
HUMAN = "not measured (needs a human study)"


def verdict_table(
    records: pd.DataFrame,
    series: Sequence[SeriesInfo],
    *,
    aspects_of: Callable[[str, str], tuple[str, ...]],
    timings: Mapping[str, Sequence[float]],
    sizes: Sequence[int],
    n: int,
) -> tuple[pd.DataFrame, dict[tuple[str, str], dict[str, Verdict]]]:
    """The table measure x desideratum, and every series verdict behind it.

    Args:
        records: the experiment's image-set records (not the synthetic checks).
        series: the defect series run, with their severity order.
        aspects_of: ``(metric, key) -> aspects`` the key is meant to judge.
        timings: per metric, seconds of each call at full n.
        sizes: the sample sizes of the sample-efficiency study (full n included or not).
        n: the full set size.

    Returns:
        (one row per (metric, key) with text cells for :data:`COLUMNS` and grade columns
        ``<column>_grade``; per (metric, key), series name -> :class:`Verdict`).
    """
    rows, details = [], {}
    for (metric, key), group in records.groupby(["metric", "key"], sort=False):
        full = group[group["stage"].fillna(FULL) == FULL]["value"]
        if full.nunique(dropna=False) <= 1:
            continue  # the same on every set: it describes the fixed real set (sharpness_real), not a set
        data = KeyData(group)
        aspects = aspects_of(str(metric), str(key))
        per_series = series_verdicts(data, series)
        details[(str(metric), str(key))] = per_series
        row: dict[str, object] = {"metric": metric, "key": key, "aspects": ", ".join(aspects)}
        relevant: list[SeriesInfo] = []
        for desideratum in DESIDERATA:
            infos = [s for s in series if s.desideratum == desideratum and s.name in per_series]
            verdicts = {s.name: per_series[s.name] for s in infos}
            detail = ", ".join(f"{name}: {v.text}" for name, v in verdicts.items())
            if DESIDERATUM_ASPECT[desideratum] not in aspects and desideratum not in GRADED_FOR_EVERY_KEY:
                grade, text = "by design", f"by design ({detail})" if detail else "by design"
            else:
                relevant += infos
                grade = combine(verdicts)
                text = f"{grade} ({detail})" if detail else grade
            row[desideratum], row[f"{desideratum}_grade"] = text, grade
        trending = [s for s in relevant if per_series[s.name].grade != "fail"]  # a ranking to be stable
        for column, verdict in (
            ("control", control_verdict(data, series)),
            ("sample efficiency", sample_efficiency(data, trending, sizes, n)),
            ("cost", cost_verdict(timings.get(str(metric)), n)),
        ):
            row[column], row[f"{column}_grade"] = verdict.text, verdict.grade
        row["human agreement"], row["human agreement_grade"] = HUMAN, "n/a"
        rows.append(row)
    return pd.DataFrame(rows), details
