"""Borji's Table 1 and the registry agree: every measure named there exists, every measure is placed."""

from __future__ import annotations

from click.testing import CliRunner

from ganbench.cli import main
from ganbench.metrics.borji_list import BEYOND_BORJI_2019, BORJI_2019, place_of
from ganbench.registry import METRICS


def test_the_list_has_24_quantitative_and_5_qualitative_lines_numbered_in_order() -> None:
    quantitative = [e.number for e in BORJI_2019 if e.kind == "quantitative"]
    qualitative = [e.number for e in BORJI_2019 if e.kind == "qualitative"]
    assert quantitative == list(range(1, 25)) and qualitative == list(range(1, 6))


def test_every_named_measure_is_registered_and_every_measure_is_placed() -> None:
    named = {m for entry in BORJI_2019 for m in entry.measures}
    assert named <= set(METRICS.names()), named - set(METRICS.names())
    unplaced = set(METRICS.names()) - named - set(BEYOND_BORJI_2019)
    assert not unplaced, f"say where these stand in Borji's list (metrics/borji_list.py): {unplaced}"


def test_a_line_without_measures_says_why() -> None:
    for entry in BORJI_2019:
        if not entry.measures:
            assert entry.note, entry.title
    assert "human study" in next(e for e in BORJI_2019 if e.kind == "qualitative" and e.number == 2).note


def test_list_metrics_shows_the_numbered_list_and_each_measures_place() -> None:
    out = CliRunner().invoke(main, ["list", "metrics"], catch_exceptions=False).output
    assert "quant. 20  Geometry score (Khrulkov & Oseledets 2018)" in out
    assert "-> geometry-score" in out
    assert "-> not computed (a human study: people categorise" in out
    assert place_of("fid") in out and place_of("fid") == "Borji quant. #7"
    assert "beyond Borji 2019: Naeem et al. 2020" in out
