"""The gate's result as JUnit XML (``ganbench check --junit PATH``): CI systems show each bound as a test.

One ``<testsuite name="ganbench check">`` inside ``<testsuites>``, with the standard attributes
``tests``, ``failures``, ``errors``, ``skipped``, ``time`` (and ``timestamp`` on the suite). One
``<testcase>`` per bound: ``classname`` ``<dataset>.<variant>``, ``name`` ``<key>.<kind>``;

- a required bound crossed, not decidable or missing: ``<failure type=... message=...>``;
- a warn-tier bound crossed, not decidable or missing: ``<skipped message="warn: ...">`` (the
  gate passes, but the case stands out rather than reading as a plain pass);
- every case: ``<system-out>`` with the comparison and the bound's source.

A file or run the gate cannot use (exit 2) gives one case with an ``<error>``.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from pathlib import Path

from ganbench.gate.result import BoundResult, GateResult, Status
from ganbench.gate.text import describe

SUITE_NAME = "ganbench check"


def _failure_type(result: BoundResult) -> str:
    if result.status == Status.MISSING:
        return "missing-record"
    return "not-decidable" if result.reason.startswith("not decidable") else "threshold-crossed"


def _testcase(result: BoundResult) -> ET.Element:
    bound = result.bound
    case = ET.Element("testcase", classname=f"{bound.dataset}.{bound.variant}", name=bound.name, time="0")
    message = describe(result)
    if result.fails_gate:
        failure = ET.SubElement(case, "failure", type=_failure_type(result), message=message)
        failure.text = f"{message}\nsource: {bound.source}"
    elif result.status != Status.PASS:
        ET.SubElement(case, "skipped", message=f"warn: {message}")
    out = ET.SubElement(case, "system-out")
    out.text = f"{result.status.value} ({bound.tier}): {message}\nsource: {bound.source}"
    return case


def _write(suite: ET.Element, counts: dict[str, int], path: str | Path) -> None:
    for name, value in counts.items():
        suite.set(name, str(value))
    suite.set("time", "0")
    suite.set("timestamp", dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    root = ET.Element("testsuites", name=SUITE_NAME, time="0", **{k: str(v) for k, v in counts.items()})
    root.append(suite)
    tree = ET.ElementTree(root)
    ET.indent(tree)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tree.write(path, encoding="utf-8", xml_declaration=True)


def write_junit(gate: GateResult, path: str | Path) -> None:
    """Write the result as JUnit XML at ``path`` (parent folders made)."""
    suite = ET.Element("testsuite", name=SUITE_NAME)
    properties = ET.SubElement(suite, "properties")
    ET.SubElement(properties, "property", name="run", value=gate.run_id)
    ET.SubElement(properties, "property", name="thresholds", value=gate.thresholds.path)
    if gate.baseline_id is not None:
        ET.SubElement(properties, "property", name="baseline", value=gate.baseline_id)
    for result in gate.results:
        suite.append(_testcase(result))
    counts = {
        "tests": len(gate.results),
        "failures": sum(r.fails_gate for r in gate.results),
        "errors": 0,
        "skipped": sum(not r.fails_gate and r.status != Status.PASS for r in gate.results),
    }
    _write(suite, counts, path)


def write_junit_error(message: str, path: str | Path) -> None:
    """Write a suite with one errored case: the thresholds file or run could not be used (exit 2)."""
    suite = ET.Element("testsuite", name=SUITE_NAME)
    case = ET.SubElement(suite, "testcase", classname="ganbench.check", name="thresholds", time="0")
    error = ET.SubElement(case, "error", type="unusable-input", message=message)
    error.text = message
    _write(suite, {"tests": 1, "failures": 0, "errors": 1, "skipped": 0}, path)
