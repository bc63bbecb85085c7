"""The report's figures: the data drawn is the data given, and every figure says which way is better."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from PIL import Image

from ganbench.reporting import figures


def visible_axes(fig: Figure) -> list:
    return [ax for ax in fig.axes if ax.get_visible()]


def assert_labelled(fig: Figure, *better: str) -> None:
    """Every panel has a title, a y label and an x label (or named categories); its title or the
    figure's says which way is better (one of ``better``)."""
    for ax in visible_axes(fig):
        assert ax.get_title() and ax.get_ylabel(), ax
        assert ax.get_xlabel() or [t.get_text() for t in ax.get_xticklabels() if t.get_text()], ax
        heading = ax.get_title() + (fig._suptitle.get_text() if fig._suptitle else "")
        assert any(phrase in heading for phrase in better), heading
    image = Image.open(io.BytesIO(figures.png(fig)))
    assert image.format == "PNG" and image.width > 100


COLOURS = figures.variant_colours(["real", "a", "b"])


def stats_frame() -> pd.DataFrame:
    rows = [
        ("real", "fid", "lower", None, 1.0, np.nan, np.nan),
        ("a", "fid", "lower", None, 10.0, 8.0, 12.0),
        ("b", "fid", "lower", None, 20.0, np.nan, np.nan),
        ("real", "c2st_1nn", "target", 0.5, 0.5, np.nan, np.nan),
        ("a", "c2st_1nn", "target", 0.5, 0.9, 0.85, 0.95),
        ("b", "c2st_1nn", "target", 0.5, 1.0, 0.99, 1.0),
    ]
    return pd.DataFrame(rows, columns=["variant", "key", "direction", "target", "mean", "low", "high"])


def test_colours_are_stable_and_real_is_black() -> None:
    assert COLOURS == {"real": "black", "a": "C0", "b": "C1"}
    assert figures.direction_text("lower") == "lower is better ↓"
    assert figures.direction_text("higher") == "higher is better ↑"
    assert figures.direction_text("target", 0.5) == "0.5 is ideal"


def test_key_bars_draw_means_error_bars_and_the_real_line() -> None:
    fig = figures.key_bars(stats_frame(), COLOURS, "Feature space")
    assert_labelled(fig, "better", "is ideal")
    fid, c2st = visible_axes(fig)
    assert fid.get_title() == "fid: lower is better ↓" and c2st.get_title() == "c2st_1nn: 0.5 is ideal"
    heights = [patch.get_height() for patch in fid.patches]
    assert heights == [10.0, 20.0]
    (real_line,) = fid.get_lines()[-1:]  # the dashed reference
    assert real_line.get_ydata()[0] == 1.0 and real_line.get_linestyle() == "--"
    (error,) = [c for c in fid.collections if len(c.get_segments()) == 2]
    first = error.get_segments()[0]
    assert first[0][1] == pytest.approx(8.0, abs=1e-12) and first[1][1] == pytest.approx(12.0, abs=1e-12)
    second = error.get_segments()[1]  # no interval: a bar of zero length
    assert second[0][1] == second[1][1] == 20.0


def plane_points() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "variant": ["real", "a", "a", "b", "b", "b"],
            "seed": [-1, 0, 1, 0, 1, 2],
            "precision": [0.9, 0.5, 0.6, 0.2, 0.25, 0.3],
            "recall": [0.95, 0.4, 0.45, 0.1, 0.1, 0.2],
        }
    )


def test_planes_draw_one_point_per_variant_and_seed_and_real_as_a_star() -> None:
    fig = figures.metric_planes(plane_points(), [("recall", "precision")], COLOURS)
    assert_labelled(fig, "top right is better")
    (ax,) = visible_axes(fig)
    offsets = {c.get_label(): c.get_offsets() for c in ax.collections}
    assert {label.split(" (")[0]: len(xy) for label, xy in offsets.items()} == {"real": 1, "a": 2, "b": 3}
    assert np.array_equal(offsets["b (3 seeds)"][:, 0], [0.1, 0.1, 0.2])  # x = recall
    assert np.array_equal(offsets["b (3 seeds)"][:, 1], [0.2, 0.25, 0.3])  # y = precision
    assert "0–1" in ax.get_xlabel() and "0–1" in ax.get_ylabel()  # units


def test_loss_curves_one_panel_per_variant() -> None:
    frame = pd.DataFrame({"kimg": [0.1, 0.2, 0.3], "d_loss": [1.0, 0.8, 0.7], "g_loss": [0.7, 0.9, 1.1]})
    fig = figures.loss_curves({"a": {0: frame, 1: frame * 1.1}, "b": {0: frame}})
    assert_labelled(fig, "no better direction")
    a, b = visible_axes(fig)
    assert len(a.get_lines()) == 4 and len(b.get_lines()) == 2
    assert np.array_equal(a.get_lines()[0].get_xdata(), [0.1, 0.2, 0.3])
    assert "kimg" in a.get_xlabel()


def birthday_curve(support: float, censored: bool = False) -> dict:
    sizes = [2, 4, 8, 16, 32]
    return {
        "batch_sizes": sizes,
        "dup_share": [min(1.0, s * s / (2 * support)) for s in sizes],
        "support": support,
        "censored": censored,
    }


def test_birthday_curves_label_the_support_and_a_censored_bound() -> None:
    curves = {"a": [birthday_curve(50.0), birthday_curve(60.0)], "b": [birthday_curve(5.0)]}
    fig = figures.birthday_curves(curves, birthday_curve(5000.0, censored=True), COLOURS)
    assert_labelled(fig, "better")
    (ax,) = visible_axes(fig)
    labels = [line.get_label() for line in ax.get_lines() if not line.get_label().startswith("_")]
    assert labels == ["a: K = 50, 60", "b: K = 5", "real (held-out vs train): K > 5e+03"]
    assert ax.get_xscale() == "log"


def test_ndb_marks_exactly_the_significant_bins(tmp_path: Path) -> None:
    from ganbench.metrics.ndb import ndb

    rng = np.random.default_rng(0)
    features = rng.normal(size=(600, 3))
    ndb(
        real=features[:200], fake=features[200:400] * 0.3, train=features[400:], bins=8, artifact_dir=tmp_path
    )
    data = json.loads((tmp_path / "ndb.json").read_text())
    fig = figures.ndb_histograms({"a": data}, {"a": "a seed 0"})
    assert_labelled(fig, "fewer is better")
    (ax,) = visible_axes(fig)
    (marks,) = [line for line in ax.get_lines() if line.get_marker() == "v"]
    order = np.argsort(-np.asarray(data["real_share"]), kind="stable")
    assert np.array_equal(marks.get_xdata(), np.flatnonzero(np.asarray(data["different"])[order]))
    assert sum(data["different"]) >= 1 and f"{sum(data['different'])} of 8 bins differ" in ax.get_title()
    real_bars, fake_bars = ax.patches[:8], ax.patches[8:16]
    assert [p.get_height() for p in real_bars] == list(np.asarray(data["real_share"])[order])
    assert [p.get_height() for p in fake_bars] == list(np.asarray(data["fake_share"])[order])


def test_metric_vs_budget_ends_each_line_with_the_final_value() -> None:
    rows = []
    for variant in ("a", "b"):
        for seed in (0, 1):
            for kimg, value in ((0.1, 30.0), (0.3, 20.0), (0.5, 10.0 + seed)):
                rows.append((variant, seed, kimg, "fid", value, "lower", None))
    points = pd.DataFrame(rows, columns=["variant", "seed", "kimg", "key", "value", "direction", "target"])
    reference = pd.DataFrame({"key": ["fid"], "value": [1.0]})
    fig = figures.metric_vs_budget(points.sample(frac=1.0, random_state=0), ["fid"], reference, COLOURS)
    assert_labelled(fig, "lower is better")
    (ax,) = visible_axes(fig)
    lines = [line for line in ax.get_lines() if line.get_linestyle() == "-"]
    assert len(lines) == 4
    for line in lines:
        assert list(line.get_xdata()) == [0.1, 0.3, 0.5]  # sorted by budget
    assert sorted(line.get_ydata()[-1] for line in lines) == [10.0, 10.0, 11.0, 11.0]
    assert "kimg" in ax.get_xlabel()


def test_a_censored_mean_is_a_hatched_bar_labelled_as_a_lower_bound() -> None:
    stats = pd.DataFrame(
        {
            "variant": ["a", "b"],
            "key": ["birthday_support"] * 2,
            "direction": ["higher"] * 2,
            "target": [None] * 2,
            "mean": [135400.0, 80.0],
            "low": [np.nan, 60.0],
            "high": [np.nan, 100.0],
            "censored": [True, False],
        }
    )
    (ax,) = visible_axes(figures.key_bars(stats, COLOURS, "Pixel space"))
    assert [p.get_hatch() or "" for p in ax.patches] == ["//", ""]
    assert [t.get_text() for t in ax.texts] == ["> 1.35e+05", "80"]
