"""`ganbench thresholds suggest`: a starting file that loads back and passes on the run it came from."""

from __future__ import annotations

import math
import random
import tomllib

import pytest

from ganbench.gate.suggest import round_bound, round_outward
from ganbench.gate.thresholds import load_thresholds


def test_suggested_file_loads_back_and_passes_the_same_run(make_run, cli, tmp_path) -> None:
    run = make_run()
    path = tmp_path / "suggested.toml"
    result = cli("thresholds", "suggest", run, "-o", path)
    assert result.exit_code == 0, result.output
    assert result.stdout == "" and f"written: {path}" in result.stderr
    assert "checked against run run-good: 14 bounds: 14 PASS" in result.stderr
    parsed = load_thresholds(path)
    assert len(parsed.bounds) == 14  # 2 variants x 7 keys; the real row is not bounded
    fid = {(b.variant, b.kind) for b in parsed.bounds if b.key == "fid"}
    assert fid == {("dcgan", "max"), ("lsgan", "max")}
    check = cli("check", run, "--thresholds", path)
    assert check.exit_code == 0, check.output
    assert "14 bounds: 14 PASS, 0 FAIL, 0 WARN, 0 MISSING; gate passed" in check.stdout


def test_suggested_bounds_sit_k_std_from_the_mean_on_the_worse_side(make_run, cli, tmp_path) -> None:
    path = tmp_path / "s.toml"
    assert cli("thresholds", "suggest", make_run(), "-o", path, "--sigma", "2").exit_code == 0
    text = path.read_text()
    table = tomllib.loads(text)
    dcgan = table["mnist-5k"]["dcgan"]
    assert dcgan["fid"] == {"max": 36.0}  # mean 32 + 2 x std 2
    assert dcgan["recall"] == {"min": 0.58}  # 0.62 - 2 x 0.02
    assert dcgan["c2st_1nn"] == {"no_worse_than": 0.76}  # target 0.5: 0.5 + (0.22 + 2 x 0.02)
    assert table["mnist-5k"]["lsgan"]["kid"] == {"max": 5.5}  # 4.5 + 2 x 0.5
    protocol = {"extractor": "domain-classifier", "extractor_hash": "0123456789abcdef", "n": 500}
    assert table["protocol"] == protocol
    assert "fid.max = 36.0  # mean 32, std 2, n_seeds 3; 2 x std over seeds" in text
    assert "# mnist-5k.dcgan in run run-good: seeds 0, 1, 2" in text
    assert "real" not in table["mnist-5k"] and "UNCALIBRATED" not in text


def test_a_worse_run_fails_the_file_suggested_from_a_good_one(make_run, cli, tmp_path, good) -> None:
    path = tmp_path / "s.toml"
    cli("thresholds", "suggest", make_run(), "-o", path)
    good["dcgan"]["fid"] = [45.0, 47.0, 49.0]  # the good run: 32 ± 2, bound 38
    good["lsgan"]["recall"] = [0.20, 0.25, 0.30]  # the good run: 0.45 ± 0.05, bound 0.3
    result = cli("check", make_run("worse", good), "--thresholds", path)
    assert result.exit_code == 1
    failed = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    assert len(failed) == 2
    assert "mnist-5k.dcgan fid.max: fid 47" in failed[0] and "> max 38" in failed[0]
    assert "mnist-5k.lsgan recall.min: recall 0.25" in failed[1] and "< min 0.3" in failed[1]


def test_one_seed_is_marked_uncalibrated(make_run, cli, good) -> None:
    one = {"dcgan": {k: v[:1] for k, v in good["dcgan"].items()}}
    result = cli("thresholds", "suggest", make_run(values=one, ci={("dcgan", "fid"): [(26.08, 33.92)]}))
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "# UNCALIBRATED bounds (one seed)" in text
    # bootstrap std (33.92 - 26.08) / 3.92 = 2: fid 30 + 3 x 2
    assert "fid.max = 36.0  # mean 30, n_seeds 1; uncalibrated (one seed): 3 x bootstrap std 2" in text
    # no interval: 25% of |mean|: kid 2.0 -> 2.5
    assert "kid.max = 2.5  # mean 2, n_seeds 1; uncalibrated (one seed, no bootstrap interval): 25%" in text
    assert "checked against run run-good: 7 bounds: 7 PASS" in result.stderr


def test_keys_option_and_bad_options(make_run, cli, tmp_path) -> None:
    run = make_run()
    result = cli("thresholds", "suggest", run, "--keys", "fid,recall")
    assert result.exit_code == 0
    parsed = tomllib.loads(result.stdout)
    assert {k for table in parsed["mnist-5k"].values() for k in table} == {"fid", "recall"}
    bad = cli("thresholds", "suggest", run, "--keys", "fdi")
    assert bad.exit_code == 2 and "has no values for 'fdi'; did you mean 'fid'?" in bad.stderr
    bad = cli("thresholds", "suggest", run, "--sigma", "-1")
    assert bad.exit_code == 2 and "--sigma must be a finite number >= 0" in bad.stderr
    existing = tmp_path / "exists.toml"
    existing.write_text("keep me")
    bad = cli("thresholds", "suggest", run, "-o", existing)
    assert bad.exit_code == 2 and "--force" in bad.stderr and existing.read_text() == "keep me"
    assert cli("thresholds", "suggest", run, "-o", existing, "--force").exit_code == 0
    bad = cli("thresholds", "suggest", tmp_path / "nothing")
    assert bad.exit_code == 2 and "does not exist" in bad.stderr


def test_a_diverged_seed_is_noted_and_reported_missing(make_run, cli) -> None:
    result = cli("thresholds", "suggest", make_run(diverged={"lsgan": 1}))
    assert result.exit_code == 0
    assert "# seed(s) 1 diverged: these bounds come from the others" in result.stdout
    assert "7 MISSING" in result.stderr  # the suggested file says so, and check agrees


def test_rounding_never_tightens_past_the_value() -> None:
    rng = random.Random(0)
    for _ in range(2000):
        x = rng.uniform(-1, 1) * 10 ** rng.randint(-8, 8)
        up, down = round_outward(x, True), round_outward(x, False)
        assert down <= x <= up
        assert abs(up - down) <= 10 ** (math.floor(math.log10(abs(x))) - 2) * 1.0000001
        assert round_bound(x, x, up=True) >= x and round_bound(x, x, up=False) <= x
    assert round_outward(0.1, True) == 0.1001 and round_outward(0.1, False) == 0.1
    assert round_bound(0.5599999999999999, 0.62, up=False) == 0.56


@pytest.mark.parametrize("value", [0.0, math.inf])
def test_rounding_keeps_zero_and_infinity(value: float) -> None:
    assert round_outward(value, True) == value
