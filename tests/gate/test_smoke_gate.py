"""The gate on a real run: a smoke run of two variants and two seeds passes the file suggested from it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import ganbench
from ganbench.config import with_overrides


@pytest.mark.slow
def test_a_real_smoke_run_passes_its_suggested_thresholds(tmp_path: Path, cli) -> None:
    config = with_overrides(ganbench.load_preset("smoke"), {"variants": ["dcgan", "lsgan"], "seeds": [0, 1]})
    run_dir = ganbench.run(config, out_dir=tmp_path / "runs", progress=False)
    path = tmp_path / "gate.toml"
    suggested = cli("thresholds", "suggest", run_dir, "-o", path)
    assert suggested.exit_code == 0, suggested.output
    text = path.read_text()
    assert "n = 200" in text and 'extractor = "domain-classifier"' in text and "UNCALIBRATED" not in text
    result = cli("check", run_dir, "--thresholds", path, "--json", "--junit", tmp_path / "junit.xml")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    keys = set(ganbench.load_records(run_dir).query("variant == 'dcgan'")["key"])
    assert doc["counts"]["PASS"] == len(doc["bounds"]) == 2 * len(keys)
    assert all(b["measured"]["n_seeds"] == 2 for b in doc["bounds"])
