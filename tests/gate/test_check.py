"""`ganbench check` on synthetic runs: verdicts, exit codes, and what a violation line says."""

from __future__ import annotations

import numpy as np
from scipy import stats

PASSING = """
[protocol]
extractor = "domain-classifier"
n = 500

[mnist-5k.dcgan]
fid.max = 40
recall.min = 0.5
coverage.no_worse_than = 0.6
c2st_1nn.no_worse_than = 0.8

[mnist-5k.lsgan]
fid.max = 70
kid.max = 6
"""


def test_a_run_within_every_bound_passes(check) -> None:
    result = check(PASSING)
    assert result.exit_code == 0, result.output
    lines = result.stdout.strip().splitlines()
    assert len([line for line in lines if line.startswith("PASS")]) == 6
    assert "PASS     mnist-5k.dcgan fid.max: fid 32 [" in result.stdout
    assert lines[-1] == "6 bounds: 6 PASS, 0 FAIL, 0 WARN, 0 MISSING; gate passed (exit 0)"


def test_a_crossed_bound_fails_with_value_interval_bound_and_source(make_run, toml, cli, good) -> None:
    path = toml(PASSING.replace("fid.max = 70", "fid.max = 40"))
    result = cli("check", make_run(), "--thresholds", path)
    assert result.exit_code == 1
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("FAIL")]
    fid = good["lsgan"]["fid"]
    low, high = stats.t.interval(0.95, df=len(fid) - 1, loc=np.mean(fid), scale=stats.sem(fid))
    assert f"fid 55 [{low:.6g}, {high:.6g}] (t 95% interval, mean of 3 seeds) > max 40" in line
    assert line.startswith("FAIL     mnist-5k.lsgan fid.max:")
    assert line.endswith(f"-- {path}:13 [mnist-5k.lsgan] fid.max")  # the line the bound is written on
    assert "1 FAIL" in result.stdout and "gate FAILED: 1 required bound(s)" in result.stdout


def test_direction_aware_no_worse_than(check) -> None:
    # coverage is 'higher': 0.72 >= 0.73 fails; c2st_1nn targets 0.5: |0.72 - 0.5| = 0.22 > |0.65 - 0.5|
    result = check("[mnist-5k.dcgan]\ncoverage.no_worse_than = 0.73\nc2st_1nn.no_worse_than = 0.65\n")
    assert result.exit_code == 1
    assert "coverage 0.72 [" in result.stdout and "< no_worse_than 0.73" in result.stdout
    assert "|0.72 - 0.5| = 0.22 > 0.15 = |0.65 - 0.5|" in result.stdout
    assert check("[mnist-5k.dcgan]\nfid.no_worse_than = 31\n").exit_code == 1  # lower is better: 32 > 31
    assert check("[mnist-5k.dcgan]\nfid.no_worse_than = 33\n").exit_code == 0
    assert check("[mnist-5k.dcgan]\nc2st_1nn.no_worse_than = 0.25\n").exit_code == 0  # |0.25 - 0.5| >= 0.22


def test_a_warn_tier_violation_is_reported_but_passes(check) -> None:
    result = check('[mnist-5k.lsgan]\nfid.max = 40\nfid.tier = "warn"\nkid.max = 6\n')
    assert result.exit_code == 0
    assert "WARN     mnist-5k.lsgan fid.max (warn): fid 55 [" in result.stdout
    assert "1 PASS, 0 FAIL, 1 WARN, 0 MISSING; gate passed" in result.stdout


def test_defaults_table_sets_the_tier_of_the_file(check) -> None:
    text = '[defaults]\ntier = "warn"\n[mnist-5k.lsgan]\nfid.max = 40\nkid = {tier = "required", max = 4}\n'
    result = check(text)
    assert result.exit_code == 1
    assert "WARN     mnist-5k.lsgan fid.max (warn)" in result.stdout
    assert "FAIL     mnist-5k.lsgan kid.max:" in result.stdout


def test_a_missing_required_record_fails_and_a_missing_warn_record_does_not(make_run, check, good) -> None:
    del good["lsgan"]["kid"]
    run = make_run(values=good)
    result = check("[mnist-5k.lsgan]\nkid.max = 6\nfid.max = 70\n", run=run)
    assert result.exit_code == 1
    assert "MISSING  mnist-5k.lsgan kid.max: run run-good has no kid value for mnist-5k.lsgan" in (
        result.stdout
    )
    result = check('[mnist-5k.lsgan]\nkid.max = 6\nkid.tier = "warn"\n', run=run)
    assert result.exit_code == 0 and "MISSING  mnist-5k.lsgan kid.max (warn)" in result.stdout


def test_a_diverged_seed_makes_its_values_missing(make_run, check) -> None:
    result = check("[mnist-5k.lsgan]\nfid.max = 70\n", run=make_run(diverged={"lsgan": 2}))
    assert result.exit_code == 1
    assert "no fid value for seed(s) 2 (diverged) of mnist-5k.lsgan (seeds run: 0, 1, 2)" in result.stdout
    assert "the mean covers only the other 2" in result.stdout and "fid 52.5" in result.stdout


def test_baseline_sigma_bound(make_run, check, good) -> None:
    baseline = make_run("base")  # dcgan fid 30, 32, 34: mean 32, std 2
    good["dcgan"]["fid"] = [36.0, 37.0, 38.0]  # mean 37
    run = make_run("new", good)
    result = check("[mnist-5k.dcgan]\nfid.baseline_sigma = 3\n", "--baseline", baseline, run=run)  # limit 38
    assert result.exit_code == 0, result.output
    assert "fid 37 [" in result.stdout and "<= 38 = baseline mean 32 + 3 x baseline std 2" in result.stdout
    result = check("[mnist-5k.dcgan]\nfid.baseline_sigma = 2\n", "--baseline", baseline, run=run)  # limit 36
    assert result.exit_code == 1
    assert "> 36 = baseline mean 32 + 2 x baseline std 2" in result.stdout
    assert "(baseline run base: 32 ± 2 over 3 seeds)" in result.stdout


def test_baseline_percent_bound_in_both_directions(make_run, check, good) -> None:
    baseline = make_run("base")  # dcgan kid mean 2.2; recall mean 0.62
    good["dcgan"]["kid"] = [2.5, 2.6, 2.7]  # mean 2.6
    good["dcgan"]["recall"] = [0.50, 0.52, 0.54]  # mean 0.52
    run = make_run("new", good)
    ok = "[mnist-5k.dcgan]\nkid.baseline_percent = 25\nrecall.baseline_percent = 20\n"
    result = check(ok, "--baseline", baseline, run=run)
    assert result.exit_code == 0, result.output  # kid <= 2.75; recall >= 0.496
    assert "<= 2.75 = baseline mean 2.2 + 25% of |baseline mean|" in result.stdout
    assert ">= 0.496 = baseline mean 0.62 - 20% of |baseline mean|" in result.stdout
    tight = "[mnist-5k.dcgan]\nkid.baseline_percent = 10\nrecall.baseline_percent = 10\n"
    result = check(tight, "--baseline", baseline, run=run)
    assert result.exit_code == 1
    assert "kid 2.6 [" in result.stdout and "> 2.42 = baseline mean 2.2 + 10%" in result.stdout
    assert "< 0.558 = baseline mean 0.62 - 10%" in result.stdout
    assert result.stdout.count("FAIL     ") == 2


def test_censored_value_is_a_lower_bound(make_run, check, good) -> None:
    good["dcgan"]["birthday_support"] = [5000.0, 5000.0, 5000.0]
    good["dcgan"]["birthday_censored"] = [1.0, 1.0, 1.0]  # no duplicate found: support > 5000
    run = make_run(values=good)
    assert check("[mnist-5k.dcgan]\nbirthday_support.min = 4000\n", run=run).exit_code == 0
    result = check("[mnist-5k.dcgan]\nbirthday_support.max = 6000\n", run=run)
    assert result.exit_code == 1
    assert "FAIL" in result.stdout and "birthday_support > 5000" in result.stdout
    assert "not decidable: the run's value is censored" in result.stdout
    result = check("[mnist-5k.dcgan]\nbirthday_support.min = 9000\n", run=run)
    assert result.exit_code == 1 and "not decidable" in result.stdout  # the true value may be above 9000
    result = check("[mnist-5k.dcgan]\nbirthday_support.max = 100\n", run=run)
    assert result.exit_code == 1 and "not decidable" not in result.stdout  # a lower bound above the max fails
    result = check('[mnist-5k.dcgan]\nbirthday_support.max = 6000\nbirthday_support.tier = "warn"\n', run=run)
    assert result.exit_code == 0 and "WARN" in result.stdout and "not decidable" in result.stdout


def test_the_real_row_can_be_bounded(check) -> None:
    result = check("[mnist-5k.real]\nfid.max = 2\n")
    assert result.exit_code == 0 and "fid 1 (1 seed) <= max 2" in result.stdout


def test_one_seed_reports_its_bootstrap_interval(make_run, check) -> None:
    run = make_run(values={"dcgan": {"fid": [50.0]}}, ci={("dcgan", "fid"): [(45.0, 56.0)]})
    result = check("[mnist-5k.dcgan]\nfid.max = 40\n", run=run)
    assert result.exit_code == 1
    assert "fid 50 [45, 56] (bootstrap 95% interval, 1 seed) > max 40" in result.stdout
