"""`ganbench check --json` and `--junit PATH`: machine-readable results a CI system can show."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

MIXED = """
[mnist-5k.dcgan]
fid.max = 40
recall.min = 0.7
kid.max = 1
kid.tier = "warn"
c2st_1nn.no_worse_than = 0.9

[mnist-5k.lsgan]
fid.max = 70
swd.max = 10
"""
# dcgan: fid 32 passes, recall 0.62 < 0.7 fails, kid 2.2 > 1 warns, c2st passes;
# lsgan: fid passes, swd is missing (a required bound: a failure)


def test_json_document_has_every_bound_with_status_values_intervals_and_sources(check) -> None:
    result = check(MIXED, "--json")
    assert result.exit_code == 1
    doc = json.loads(result.stdout)
    assert doc["status"] == "fail" and doc["exit_code"] == 1
    assert doc["run"]["id"] == "run-good" and doc["baseline"] is None
    assert doc["counts"] == {"PASS": 3, "FAIL": 1, "WARN": 1, "MISSING": 1, "failing_gate": 2}
    by_name = {(b["variant"], b["key"], b["kind"]): b for b in doc["bounds"]}
    assert [b["status"] for b in doc["bounds"]] == ["PASS", "FAIL", "WARN", "PASS", "PASS", "MISSING"]
    recall = by_name[("dcgan", "recall", "min")]
    assert recall["fails_gate"] and recall["tier"] == "required" and recall["bound"] == 0.7
    assert recall["metric"] == "precision-recall" and recall["dataset"] == "mnist-5k"
    assert abs(recall["measured"]["mean"] - 0.62) < 1e-12 and abs(recall["measured"]["std"] - 0.02) < 1e-12
    assert recall["measured"]["n_seeds"] == 3 and recall["measured"]["interval_kind"] == "t"
    low, high = recall["measured"]["interval"]
    assert low < 0.62 < high
    assert recall["check"] == {"quantity": "value", "op": ">=", "limit": 0.7, "target": None}
    assert recall["source"]["line"] == 4 and recall["source"]["entry"] == "recall.min"
    assert recall["source"]["text"].endswith(":4 [mnist-5k.dcgan] recall.min")
    assert "recall 0.62" in recall["message"] and "< min 0.7" in recall["message"]
    kid = by_name[("dcgan", "kid", "max")]
    assert kid["status"] == "WARN" and kid["tier"] == "warn" and not kid["fails_gate"]
    c2st = by_name[("dcgan", "c2st_1nn", "no_worse_than")]
    assert c2st["check"]["quantity"] == "distance" and c2st["check"]["target"] == 0.5
    swd = by_name[("lsgan", "swd", "max")]
    assert swd["measured"] is None and swd["check"] is None and "no swd value" in swd["reason"]


def test_json_std_over_one_seed_is_null_and_a_passing_gate_says_pass(make_run, check, good) -> None:
    run = make_run(values={"dcgan": {k: v[:1] for k, v in good["dcgan"].items()}})
    doc = json.loads(check("[mnist-5k.dcgan]\nfid.max = 40\n", "--json", run=run).stdout)
    assert doc["status"] == "pass" and doc["exit_code"] == 0
    measured = doc["bounds"][0]["measured"]
    assert measured["std"] is None and measured["interval"] is None and measured["mean"] == 30.0


def test_json_for_an_unusable_file_is_an_error_document(check) -> None:
    result = check("[mnist-5k.dcgan]\nfdi.max = 4\n", "--json")
    assert result.exit_code == 2
    doc = json.loads(result.stdout)
    assert doc["status"] == "error" and doc["exit_code"] == 2 and "did you mean 'fid'" in doc["error"]


def test_junit_xml_has_one_case_per_bound_and_the_standard_counts(check, tmp_path) -> None:
    path = tmp_path / "reports" / "junit.xml"
    result = check(MIXED, "--junit", path)
    assert result.exit_code == 1 and f"written: {path}" in result.stderr
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites"
    (suite,) = root.findall("testsuite")
    for element in (root, suite):
        counts = {name: int(element.get(name)) for name in ("tests", "failures", "errors", "skipped")}
        assert counts == {"tests": 6, "failures": 2, "errors": 0, "skipped": 1}
    assert suite.get("name") == "ganbench check" and suite.get("timestamp") and suite.get("time") == "0"
    cases = suite.findall("testcase")
    assert [(c.get("classname"), c.get("name")) for c in cases] == [
        ("mnist-5k.dcgan", "fid.max"),
        ("mnist-5k.dcgan", "recall.min"),
        ("mnist-5k.dcgan", "kid.max"),
        ("mnist-5k.dcgan", "c2st_1nn.no_worse_than"),
        ("mnist-5k.lsgan", "fid.max"),
        ("mnist-5k.lsgan", "swd.max"),
    ]
    failure = cases[1].find("failure")
    assert failure.get("type") == "threshold-crossed" and "recall 0.62" in failure.get("message")
    assert "[mnist-5k.dcgan] recall.min" in failure.text
    assert cases[2].find("skipped").get("message").startswith("warn: kid 2.2")
    assert cases[5].find("failure").get("type") == "missing-record"
    assert cases[0].find("failure") is None and cases[0].find("skipped") is None
    assert cases[0].find("system-out").text.startswith("PASS (required): fid 32")


def test_junit_for_an_unusable_file_has_one_error(check, tmp_path) -> None:
    path = tmp_path / "junit.xml"
    assert check("[mnist-5k.dcgn]\nfid.max = 4\n", "--junit", path).exit_code == 2
    suite = ET.parse(path).getroot().find("testsuite")
    assert (suite.get("tests"), suite.get("errors"), suite.get("failures")) == ("1", "1", "0")
    assert "no records for variant 'dcgn'" in suite.find("testcase/error").get("message")


def test_junit_path_that_cannot_be_written_exits_2(check, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("")
    result = check("[mnist-5k.dcgan]\nfid.max = 40\n", "--junit", blocker / "junit.xml")
    assert result.exit_code == 2 and "cannot write" in result.stderr
