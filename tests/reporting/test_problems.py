"""training_problems: a diverged unit and a failed job in words (a failed job's value is NaN)."""

from __future__ import annotations

from records_helpers import records_frame

from ganbench.reporting.problems import training_problems


def test_diverged_units_and_failed_jobs_are_each_one_line() -> None:
    records = records_frame(
        [
            {"variant": "dcgan", "seed": 0, "metric": "fid", "key": "fid", "value": 12.0},
            {"variant": "lsgan", "seed": 1, "metric": "training", "key": "diverged_at_step", "value": 40.0},
            {
                "variant": "wgan-gp",
                "seed": 1000,
                "trial": 3,
                "sweep_phase": "search",
                "status": "failed",
                "metric": "training",
                "key": "failed",
                "value": float("nan"),
                "failure": "RuntimeError: CUDA out of memory",
            },
        ]
    )
    assert training_problems(records) == [
        "lsgan seed 1: a loss became NaN/inf at D step 40; not evaluated",
        "wgan-gp trial 3 seed 1000 (search): FAILED: RuntimeError: CUDA out of memory",
    ]
    assert training_problems(records[records["metric"] != "training"]) == []
