"""Judge ganbench's feature-space keys on the synthetic sanity checks of Räisä et al. 2025.

Räisä, van Breugel & van der Schaar 2025 ("Position: All Current Generative Fidelity and Diversity
Metrics are Flawed", arXiv:2505.22450) judge fidelity and diversity metrics on 15 synthetic checks
(:mod:`ganbench.validation.synthetic`). A key is judged in the role of its declared aspects
(``MetricSpec.aspects_of``): a fidelity key (precision, density) as a fidelity metric, a diversity key
(recall, coverage) as a diversity metric, and a two-sample distance (FID, KID, MMD: both aspects) in
both roles, passing a check only when it passes in both — a distance is meant to see every
difference either kind of metric should see. Scores are oriented so that higher is better first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ganbench.validation.synthetic import SYNTHETIC_CHECKS, combine
from ganbench.validation.verdicts import goodness

ROLES = ("fidelity", "diversity")

#: One-sided keys that are not scores of a share, so the checks' bounds criteria (1 when identical,
#: 0 when disjoint) cannot apply to them: they are left out of the table, for this reason.
NOT_SCORES: dict[str, str] = {
    "vendi": "an effective number of distinct samples (1 to n), not a share",
    "vendi_real": "the real set's effective number of samples: the generated set does not enter it",
    "rarity": "a mean k-NN radius in feature units, not a share",
}

#: Räisä et al.'s published verdicts (T pass, F fail, H / L a diversity criterion met with a high /
#: low reading) for the four k-NN keys, per check: the first desideratum's cell / the second's
#: (bounds / property, except check 8: real data size / property, 9: hyperparameters / property,
#: 12: bounds / transformations). From their harness's saved tables
#: (DPBayes/position-fidelity-diversity-metrics-flawed, plotting/print_pass_fail_tables.ipynb at
#: commit f091234, the output behind their Tables 3 and 4), 10 repeats of n = 1000.
PUBLISHED: dict[str, tuple[str, ...]] = {
    "precision": (
        "F/T",
        "F/F",
        "F/T",
        "F/T",
        "F/T",
        "T/T",
        "F/F",
        "F/F",
        "T/F",
        "T/T",
        "F/T",
        "F/F",
        "F/T",
        "F/F",
        "F/F",
    ),
    "density": (
        "T/T",
        "F/T",
        "F/T",
        "T/F",
        "T/T",
        "T/T",
        "F/F",
        "F/F",
        "T/F",
        "T/T",
        "T/T",
        "T/T",
        "T/T",
        "F/F",
        "F/F",
    ),
    "recall": (
        "F/T",
        "F/F",
        "F/H",
        "F/F",
        "F/T",
        "T/T",
        "F/F",
        "F/F",
        "F/F",
        "T/F",
        "F/F",
        "T/F",
        "T/T",
        "F/F",
        "F/F",
    ),
    "coverage": (
        "T/T",
        "T/T",
        "F/F",
        "T/T",
        "T/T",
        "F/F",
        "F/F",
        "F/F",
        "F/F",
        "F/F",
        "T/F",
        "T/T",
        "T/T",
        "F/F",
        "F/F",
    ),
}


@dataclass(frozen=True)
class SyntheticTable:
    """``table``: one row per (metric, key), one column per check (pass / FAIL / n/a), and the count;
    ``reasons``: per (metric, key, check name) the judgement's reason; ``legend``: how to read it."""

    table: pd.DataFrame
    reasons: dict[tuple[str, str, str], str]
    legend: str


def synthetic_defect(check_name: str, case: str | None) -> str:
    """The records' ``defect`` of a synthetic check's sub-case: ``name`` or ``name/case``."""
    return check_name if case is None else f"{check_name}/{case}"


def synthetic_table(
    records: pd.DataFrame, *, aspects_of: Callable[[str, str], tuple[str, ...]]
) -> SyntheticTable:
    """The checks' judgements of every one-sided key in ``records`` (dataset ``synthetic``)."""
    rows, reasons = [], {}
    for (metric, key), group in records.groupby(["metric", "key"], sort=False):
        roles = [r for r in ROLES if r in aspects_of(str(metric), str(key))]
        if len(roles) != 1 or key in NOT_SCORES:
            continue  # a two-sample distance or not a share: their criteria are for scores in [0, 1]
        role = roles[0]
        first = group.iloc[0]
        target = None if pd.isna(first["target"]) else float(first["target"])
        row: dict[str, object] = {"metric": metric, "key": key, "role": role}
        passed = judged = 0
        for check in SYNTHETIC_CHECKS:
            column = f"{check.number} {check.name}"
            judgements = []
            for case in check.cases or (None,):
                rows_of_case = group[group["defect"] == synthetic_defect(check.name, case)]
                series = rows_of_case.set_index("severity")["value"].sort_index()
                if len(series) < 2 or not np.isfinite(series.to_numpy(np.float64)).all():
                    judgements = []
                    break
                scores = goodness(series.to_numpy(np.float64), str(first["direction"]), target)
                try:
                    judgements.append(check.judge(role, tuple(series.index), scores, case=case))
                except ValueError as err:  # a series the criteria cannot read: say why
                    reasons[(str(metric), str(key), check.name)] = str(err)
                    judgements = []
                    break
            if not judgements:
                row[column] = "n/a"
                continue
            verdict = combine(judgements)
            if verdict.passed is None:
                row[column] = "n/a"
                continue
            cells = "/".join(verdict.cells.values())
            theirs = PUBLISHED.get(str(key))
            row[column] = (
                ("pass" if verdict.passed else "FAIL")
                + f" {cells}"
                + (f" (theirs {theirs[check.number - 1]})" if theirs else "")
            )
            reasons[(str(metric), str(key), check.name)] = verdict.reason
            passed += bool(verdict.passed)
            judged += 1
        row["passed"] = f"{passed}/{judged}"
        rows.append(row)
    legend = (
        "Räisä et al.'s checks sweep one parameter of synthetic real and generated features "
        "(z-scored with the "
        "real set's statistics, as their harness does); a key passes a check when every criterion their "
        "harness applies to a fidelity (or diversity) metric holds, including the bounds criteria (1 when "
        "identical, 0 when disjoint, within 0.05). Only fidelity-only and diversity-only keys are judged: "
        "their criteria are written for such scores in [0, 1] ("
        + "; ".join(f"{key} is left out: {why}" for key, why in NOT_SCORES.items())
        + "). One repeat per value (they average 10), so "
        "criteria near a tolerance can differ from their table. Cells: the overall verdict, then T "
        "/ F / H / L "
        "per desideratum (bounds / property for most checks), and for precision, recall, density "
        "and coverage "
        "their published cells in brackets."
    )
    return SyntheticTable(pd.DataFrame(rows), reasons, legend)
