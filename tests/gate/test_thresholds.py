"""Thresholds files that are malformed, or do not apply to the run: exit 2 with the reason, no traceback."""

from __future__ import annotations

import dataclasses

import pytest

from ganbench.gate.keys import UnknownKeyError, resolve_key
from ganbench.gate.thresholds import ThresholdsError, parse_thresholds
from ganbench.registry import METRICS


def unusable(result, *fragments: str) -> None:
    """Exit 2, the reason on stderr with every fragment, nothing on stdout (the CLI fixture re-raises
    any exception, so reaching here means there was no traceback)."""
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    for fragment in fragments:
        assert fragment in result.stderr, result.stderr


@pytest.mark.parametrize(
    ("text", "fragments"),
    [
        ("[mnist-5k.dcgan]\nfid.max = 40\nrecall.min = \n", ["is not valid TOML", "line 3"]),
        ("[mnist-5k.dcgan\nfid.max = 40\n", ["is not valid TOML", "line 1"]),
        ("[mnist-5k.dcgan]\nfdi.max = 4\n", [":2: [mnist-5k.dcgan] fdi: unknown measure key 'fdi'", "'fid'"]),
        ("[mnist-5k.dcgan]\nrecal.min = 0.5\n", ["did you mean 'recall' or", "ganbench list metrics"]),
        ("[mnist-5k.dcgan]\nrecall_std.max = 0.5\n", ["the recorded spread of 'recall'", "bound 'recall'"]),
        ('[mnist-5k.dcgan]\nfid.max = "forty"\n', ["fid.max = 'forty' (a string): expected a finite number"]),
        ("[mnist-5k.dcgan]\nfid.max = nan\n", ["fid.max = nan (a float): expected a finite number"]),
        ("[mnist-5k.dcgan]\nfid.max = true\n", ["fid.max = True (a boolean)"]),
        ("[mnist-5k.dcgan]\nfid.max = [40]\n", ["(an array): expected a finite number"]),
        ("[mnist-5k.dcgan]\nfid.maximum = 40\n", ["unknown bound kind 'maximum'; did you mean 'max'?"]),
        ("[mnist-5k.dcgan]\nfid.baseline_sigma = -1\n", ["fid.baseline_sigma = -1: the allowed worsening"]),
        ('[mnist-5k.dcgan]\nfid.max = 40\nfid.tier = "maybe"\n', [":3: [mnist-5k.dcgan] fid.tier = 'maybe'"]),
        ('[mnist-5k.dcgan]\ntier = "warn"\nfid.max = 4\n', ["tier is set per key", "[defaults]"]),
        ("[mnist-5k.dcgan]\nfid = 40\n", ["fid = 40 (an integer): a key takes bounds, e.g. fid.max"]),
        ("fid = 40\n", ["at the top level: bounds go in a [<dataset>.<variant>] table"]),
        ("[mnist-5k]\ndcgan = 40\n", ["a dataset table holds variant tables"]),
        ("[protocol]\nextractr = 'x'\n[mnist-5k.dcgan]\nfid.max = 4\n", ["did you mean 'extractor' or"]),
        ("[protocol]\nn = 0\n[mnist-5k.dcgan]\nfid.max = 4\n", ["[protocol] n = 0 (an integer)", ">= 1"]),
        ("[protocol]\nn = '500'\n[mnist-5k.dcgan]\nfid.max = 4\n", ["[protocol] n = '500' (a string)"]),
        ('[defaults]\ntier = "warm"\n[mnist-5k.dcgan]\nfid.max = 4\n', ["[defaults] tier = 'warm'"]),
        ("[defaults]\ntire = 'warn'\n[mnist-5k.dcgan]\nfid.max = 4\n", ["did you mean 'tier'?"]),
        ("[protocol]\nn = 500\n", ["has no bounds"]),
        ('[mnist-5k.dcgan]\n"fdi:fid".max = 4\n', ["unknown measure 'fdi'", "did you mean 'fid'"]),
        ('[mnist-5k.dcgan]\n"kid:fid".max = 4\n', ["measure 'kid' has no key 'fid'; its keys: kid"]),
    ],
)
def test_a_malformed_file_exits_2_with_the_reason(check, text: str, fragments: list[str]) -> None:
    unusable(check(text), *fragments)


def test_a_missing_thresholds_file_or_run_exits_2(make_run, cli, tmp_path, toml) -> None:
    unusable(cli("check", make_run(), "--thresholds", tmp_path / "none.toml"), "none.toml does not exist")
    path = toml("[mnist-5k.dcgan]\nfid.max = 40\n")
    unusable(cli("check", tmp_path / "no-run", "--thresholds", path), "no-run does not exist")
    (tmp_path / "empty").mkdir()
    unusable(cli("check", tmp_path / "empty", "--thresholds", path), "no records at", "records.jsonl")
    unusable(cli("check", make_run(), "--thresholds", path, "--baseline", tmp_path / "nb"), "--baseline:")


def test_an_absent_dataset_or_variant_exits_2_naming_what_the_run_has(check) -> None:
    unusable(
        check("[mnist-5k.dcgn]\nfid.max = 40\n"),
        "[mnist-5k.dcgn]: run run-good has no records for variant 'dcgn' on mnist-5k; did you mean 'dcgan'?",
        "its variants: real, dcgan, lsgan",
    )
    unusable(check("[mnist.dcgan]\nfid.max = 4\n"), "no records for dataset 'mnist'", "datasets: mnist-5k")


@pytest.mark.parametrize(
    ("protocol", "fragment"),
    [
        ('extractor = "inception"', "[protocol] extractor = 'inception'"),
        ('extractor_hash = "ffff"', "[protocol] extractor_hash = 'ffff'"),
        ("n = 200", "[protocol] n = 200"),
    ],
)
def test_a_protocol_differing_from_the_run_exits_2(check, protocol: str, fragment: str) -> None:
    unusable(check(f"[protocol]\n{protocol}\n[mnist-5k.dcgan]\nfid.max = 40\n"), fragment, "another protocol")


def test_matching_protocol_with_hash_passes(check) -> None:
    text = '[protocol]\nextractor = "domain-classifier"\nextractor_hash = "0123456789abcdef"\nn = 500\n'
    assert check(text + "[mnist-5k.dcgan]\nfid.max = 40\n").exit_code == 0


def test_baseline_bounds_need_a_usable_baseline(make_run, check, good) -> None:
    sigma = "[mnist-5k.dcgan]\nfid.baseline_sigma = 3\n"
    unusable(check(sigma), "relative to a baseline", "pass --baseline RUN_DIR")
    other = make_run("other-n", n=200)
    unusable(check(sigma, "--baseline", other), "baseline other-n was measured under another protocol")
    one_seed = make_run("one-seed", {"dcgan": {key: v[:1] for key, v in good["dcgan"].items()}})
    unusable(check(sigma, "--baseline", one_seed), "has 1 seed", "a seed spread needs >= 2")
    percent = "[mnist-5k.dcgan]\nfid.baseline_percent = 10\n"
    assert check(percent, "--baseline", one_seed).exit_code == 0  # 32 <= 30 x 1.1
    no_lsgan = make_run("no-lsgan", {"dcgan": good["dcgan"]})
    lsgan = "[mnist-5k.lsgan]\nfid.baseline_percent = 10\n"
    unusable(check(lsgan, "--baseline", no_lsgan), "baseline no-lsgan has no fid value for mnist-5k.lsgan")


def test_every_reason_is_listed_at_once(check) -> None:
    result = check("[protocol]\nn = 1\n[mnist-5k.x]\nfid.max = 1\n[mnist-5k.y]\nfid.baseline_sigma = 1\n")
    unusable(result, "[mnist-5k.x]", "[mnist-5k.y]", "[protocol] n = 1", "pass --baseline")


def test_parse_records_kinds_tiers_and_source_lines() -> None:
    text = '[defaults]\ntier = "warn"\n\n[mnist-5k.dcgan]  # comment\nfid.max = 40\n"recall".min = 0.5\n'
    text += 'kid = { max = 2, tier = "required" }\n'
    parsed = parse_thresholds(text, "f.toml")
    assert [(b.key, b.kind, b.value, b.tier) for b in parsed.bounds] == [
        ("fid", "max", 40.0, "warn"),
        ("recall", "min", 0.5, "warn"),
        ("kid", "max", 2.0, "required"),
    ]
    assert [str(b.source) for b in parsed.bounds] == [
        "f.toml:5 [mnist-5k.dcgan] fid.max",
        "f.toml:6 [mnist-5k.dcgan] recall.min",
        "f.toml:7 [mnist-5k.dcgan] kid.max",  # inside an inline table: the line of its key
    ]
    assert parse_thresholds('[mnist-5k.dcgan]\n"fid:fid".max = 4\n').bounds[0].measure.metric == "fid"


def test_keys_declared_by_two_measures_must_name_the_measure(monkeypatch) -> None:
    twin = dataclasses.replace(METRICS["fid"], name="fid-twin")
    monkeypatch.setitem(METRICS._entries, "fid-twin", twin)
    with pytest.raises(UnknownKeyError, match='write "fid:fid" or "fid-twin:fid"'):
        resolve_key("fid")
    assert resolve_key("fid-twin:fid").metric == "fid-twin"
    with pytest.raises(ThresholdsError, match="declared by several measures"):
        parse_thresholds("[mnist-5k.dcgan]\nfid.max = 4\n")


def test_registered_keys_are_unique_today() -> None:
    """The plain-key form relies on it; a measure adding a clashing key makes files say metric:key."""
    keys = [key for _, spec in METRICS.items() for key in spec.directions]
    assert len(keys) == len(set(keys))


EXAMPLE = """
# optional: the protocol the bounds were calibrated for; a run measured otherwise is rejected (exit 2)
[protocol]
extractor = "domain-classifier"
n = 500                      # n_real = n_fake per evaluation

[mnist-5k.dcgan]             # [<dataset>.<variant>]; "real" is allowed too
fid.max = 40                 # absolute upper bound on the mean over seeds
recall.min = 0.5             # absolute lower bound
coverage.no_worse_than = 0.6 # direction-aware
fid.baseline_sigma = 3       # no worse than the baseline mean by more than 3 x the baseline's seed std
kid.baseline_percent = 25    # no worse than the baseline mean by more than 25 % of |baseline mean|
birthday_support.tier = "warn"   # tier of every bound on this key: "required" (default) or "warn"
"""


def test_the_documented_example_file_parses_and_checks(make_run, check) -> None:
    parsed = parse_thresholds(EXAMPLE, "example.toml")
    assert [b.name for b in parsed.bounds] == [
        "fid.max",
        "recall.min",
        "coverage.no_worse_than",
        "fid.baseline_sigma",
        "kid.baseline_percent",
    ]
    assert parsed.protocol is not None and (parsed.protocol.extractor, parsed.protocol.n) == (
        "domain-classifier",
        500,
    )
    assert parsed.notes == (
        "example.toml:13: [mnist-5k.dcgan] birthday_support sets a tier but no bound; it checks nothing",
    )
    result = check(EXAMPLE, "--baseline", make_run("base"))
    assert result.exit_code == 0, result.output
    assert "note: " in result.stdout and "5 bounds: 5 PASS" in result.stdout
