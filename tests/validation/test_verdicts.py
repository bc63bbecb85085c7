"""The verdict rules on hand-built records whose answers are known."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from ganbench.validation.known_results import known_results
from ganbench.validation.verdicts import (
    KeyData,
    SeriesInfo,
    control_verdict,
    cost_verdict,
    goodness,
    sample_efficiency,
    series_verdict,
    verdict_table,
)

NOISE = SeriesInfo("gaussian-noise", "distortions", (0.1, 0.2, 0.4))
DROP = SeriesInfo("mode-dropping", "diversity", (7.0, 3.0, 1.0))


def records(key: str, direction: str, controls: list[float], series: dict[SeriesInfo, list[float]], **extra):
    """Full-n records of one key: control draws (seed = draw) and each series' values."""
    rows = [
        {
            "metric": extra.get("metric", key),
            "key": key,
            "defect": "control",
            "severity": 0.0,
            "seed": r,
            "stage": "final",
            "n_fake": 100,
            "value": v,
            "direction": direction,
            "target": extra.get("target"),
        }
        for r, v in enumerate(controls)
    ]
    for info, values in series.items():
        rows += [
            {
                "metric": extra.get("metric", key),
                "key": key,
                "defect": info.name,
                "severity": s,
                "seed": 0,
                "stage": "final",
                "n_fake": 100,
                "value": v,
                "direction": direction,
                "target": extra.get("target"),
            }
            for s, v in zip(info.values, values, strict=True)
        ]
    return pd.DataFrame(rows)


def test_goodness_orients_every_direction() -> None:
    assert list(goodness([1.0, 2.0], "higher", None)) == [1.0, 2.0]
    assert list(goodness([1.0, 2.0], "lower", None)) == [-1.0, -2.0]
    assert list(goodness([0.4, 0.7], "target", 0.5)) == pytest.approx([-0.1, -0.2])


def test_series_verdicts_pass_weak_fail_and_wrong_way() -> None:
    # control goodness 0, spread 1: a monotone fall of 5 spreads passes
    assert series_verdict(0.0, [-1.0, -3.0, -5.0], 1.0).grade == "pass"
    # monotone but within 2 spreads: weak (it ranks, but hardly moves)
    assert series_verdict(0.0, [-0.5, -1.0, -1.5], 1.0).grade == "weak"
    # flat: fail
    assert series_verdict(0.0, [0.1, -0.1, 0.05], 1.0).grade == "fail"
    wrong = series_verdict(0.0, [1.0, 3.0, 5.0], 1.0)
    assert wrong.grade == "fail" and "wrong way" in wrong.text and wrong.rho == pytest.approx(1.0)
    assert series_verdict(0.0, [-1.0, math.nan, -5.0], 1.0).grade == "fail"


def test_table_judges_by_aspect_and_finds_the_known_results() -> None:
    frame = pd.concat(
        [
            # FID: lower is better, rises with noise and dropping
            records("fid", "lower", [1.0, 1.2, 0.8], {NOISE: [3.0, 6.0, 9.0], DROP: [2.0, 4.0, 8.0]}),
            # precision falls with noise, holds with dropping
            records(
                "precision",
                "higher",
                [0.70, 0.72, 0.68],
                {NOISE: [0.5, 0.3, 0.1], DROP: [0.7, 0.71, 0.69]},
                metric="precision-recall",
            ),
            # recall holds with noise, falls with dropping
            records(
                "recall",
                "higher",
                [0.70, 0.72, 0.68],
                {NOISE: [0.7, 0.69, 0.71], DROP: [0.6, 0.4, 0.1]},
                metric="precision-recall",
            ),
        ]
    )
    aspects = {"precision": ("fidelity",), "recall": ("diversity",), "fid": ("fidelity", "diversity")}
    table, details = verdict_table(
        frame, [NOISE, DROP], aspects_of=lambda m, k: aspects[k], timings={"fid": [0.2, 0.4]}, sizes=[], n=100
    )
    by_key = table.set_index("key")
    assert by_key.loc["fid", "distortions_grade"] == "pass" and by_key.loc["fid", "diversity_grade"] == "pass"
    assert by_key.loc["precision", "distortions_grade"] == "pass"
    assert by_key.loc["precision", "diversity_grade"] == "by design"
    assert by_key.loc["recall", "diversity_grade"] == "pass"
    assert by_key.loc["recall", "distortions_grade"] == "by design"
    assert by_key.loc["fid", "cost_grade"] == "pass" and "0.3 s" in by_key.loc["fid", "cost"]
    assert details[("precision-recall", "precision")]["mode-dropping"].grade == "fail"  # holds, as it should

    found = {r.statement.split(":")[0]: r for r in known_results(frame, [NOISE, DROP])}
    assert found["Precision falls with noise while recall holds"].shown is True
    coverage_missing = found["Recall and coverage fall with mode dropping while precision holds"]
    assert coverage_missing.shown is None and "coverage: not measured" in coverage_missing.evidence


def test_control_verdict_target_and_beaten() -> None:
    c2st = KeyData(records("c2st_1nn", "target", [0.50, 0.52, 0.48], {NOISE: [0.6, 0.7, 0.9]}, target=0.5))
    assert control_verdict(c2st, [NOISE]).grade == "pass"
    biased = KeyData(records("c2st_1nn", "target", [0.60, 0.61, 0.59], {NOISE: [0.6, 0.7, 0.9]}, target=0.5))
    assert control_verdict(biased, [NOISE]).grade == "fail"
    beaten = KeyData(records("fid", "lower", [5.0, 5.1, 4.9], {NOISE: [4.0, 6.0, 9.0]}))
    verdict = control_verdict(beaten, [NOISE])
    assert verdict.grade == "weak" and "gaussian-noise@0.1" in verdict.text  # only the mildest beats it


def test_sample_efficiency_finds_the_size_where_the_ranking_settles() -> None:
    full = records("fid", "lower", [1.0, 1.1, 0.9], {NOISE: [2.0, 3.0, 4.0]})
    small = []
    for size, values, control in ((25, [5.0, 4.0, 6.0], 5.5), (50, [2.5, 3.5, 4.5], 1.5)):
        part = records("fid", "lower", [control], {NOISE: values})
        part["stage"], part["n_fake"] = "sample-size", size
        small.append(part)
    data = KeyData(pd.concat([full, *small]))
    verdict = sample_efficiency(data, [NOISE], [25, 50], n=100)
    assert verdict.grade == "weak" and "n≥50" in verdict.text


def test_cost_grades() -> None:
    assert cost_verdict([0.5], 100).grade == "pass"
    assert cost_verdict([5.0, 6.0], 100).grade == "weak"
    assert cost_verdict([20.0], 100).grade == "fail"
    assert cost_verdict([], 100).grade == "n/a"
