"""Räisä et al.'s checks applied to records: an ideal score series passes, a flat one fails, a distance
is not judged, sub-cases fold into one cell, and their published cells stand beside ours."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ganbench.validation.synthetic import CHECKS_BY_NAME
from ganbench.validation.synthetic_verdicts import PUBLISHED, synthetic_defect, synthetic_table

ASPECTS = {
    "precision": ("fidelity",),
    "fid": ("fidelity", "diversity"),
    "density": ("fidelity",),
    "vendi": ("diversity",),
}


def rows(metric: str, key: str, check: str, values, scores, case=None, direction="higher") -> list[dict]:
    return [
        {
            "metric": metric,
            "key": key,
            "defect": synthetic_defect(check, case),
            "severity": float(v),
            "value": float(s),
            "direction": direction,
            "target": None,
        }
        for v, s in zip(values, scores, strict=True)
    ]


def test_an_ideal_series_passes_a_flat_one_fails_and_distances_are_left_out() -> None:
    check = CHECKS_BY_NAME["gaussian-mean-difference"]
    mu = np.asarray(check.values_at(every=5))
    frame = pd.DataFrame(
        rows("precision-recall", "precision", check.name, mu, np.exp(-(mu**2)))  # 1 at 0, ~0 at the ends
        + rows("density-coverage", "density", check.name, mu, np.full(mu.size, 0.5))
        + rows("fid", "fid", check.name, mu, mu**2, direction="lower")
        + rows("vendi", "vendi", check.name, mu, 1 + mu**2)
    )
    judged = synthetic_table(frame, aspects_of=lambda m, k: ASPECTS[k])
    table = judged.table.set_index("key")
    assert "vendi" not in table.index and "vendi is left out" in judged.legend  # not a share in [0, 1]
    column = f"{check.number} {check.name}"
    assert table.loc["precision", column].startswith("pass T/T")
    assert f"(theirs {PUBLISHED['precision'][0]})" in table.loc["precision", column]
    assert table.loc["density", column].startswith("FAIL")
    assert "fid" not in table.index  # a two-sided distance: their criteria are for [0, 1] scores
    assert table.loc["precision", "passed"] == "1/1"
    other = f"{CHECKS_BY_NAME['sphere-torus'].number} sphere-torus"
    assert table.loc["precision", other] == "n/a"  # not run


def test_sub_cases_fold_into_one_cell() -> None:
    check = CHECKS_BY_NAME["gaussian-mean-difference-with-outlier"]
    mu = np.asarray(check.values_at(every=5))
    ideal = np.exp(-(mu**2))
    frame = pd.DataFrame(
        [
            r
            for case in check.cases
            for r in rows("precision-recall", "precision", check.name, mu, ideal, case)
        ]
    )
    cell = synthetic_table(frame, aspects_of=lambda m, k: ASPECTS[k]).table.iloc[0][
        f"{check.number} {check.name}"
    ]
    assert cell.startswith("pass")
    broken = frame.copy()
    first_case = broken["defect"] == synthetic_defect(check.name, check.cases[0])
    broken.loc[first_case, "value"] = 0.5
    cell = synthetic_table(broken, aspects_of=lambda m, k: ASPECTS[k]).table.iloc[0][
        f"{check.number} {check.name}"
    ]
    assert cell.startswith("FAIL")
