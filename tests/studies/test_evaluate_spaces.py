"""`ganbench evaluate --extractor a,b`: every set scored in each feature space, the spaces kept apart in the
records, report.md, report.csv and report.html (issue #13: an FD on DINOv2 is not on FID's scale)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from click.testing import CliRunner, Result

from ganbench.analysis import ProtocolMismatchError, by_feature_space, summary
from ganbench.cli import main
from ganbench.registry import DATASETS
from ganbench.reporting import load_records

MEASURES = "fid,kid,precision-recall,ssim-diversity"  # ssim-diversity: pixel space, computed once


def invoke(*args: str, progress: bool = False) -> Result:
    return CliRunner().invoke(main, [*args] if progress else [*args, "--no-progress"], catch_exceptions=False)


def evaluate(fake: Path, out: Path, extractor: str, *extra: str) -> Result:
    return invoke(
        "evaluate", "--real", "mnist-5k", "--n-real", "200", "--fake", str(fake),
        "--metrics", MEASURES, "--extractor", extractor, "--out", str(out), *extra,
    )  # fmt: skip


@pytest.fixture
def no_work(monkeypatch: pytest.MonkeyPatch) -> None:
    """Building an extractor or the run folder fails loudly if a bad input gets that far."""
    from helpers import WorkStarted

    import ganbench.studies.evaluate as evaluate_module

    def started(*args: object, **kwargs: object) -> None:
        raise WorkStarted("the evaluation started work")

    monkeypatch.setattr(evaluate_module, "resolve_extractor", started)
    monkeypatch.setattr(evaluate_module, "new_run_dir", started)


def only_run(out: Path) -> Path:
    (run,) = [p for p in out.iterdir() if p.is_dir()]
    return run


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """200 training digits of mnist-5k, a little noise added, as an array file."""
    images = DATASETS["mnist-5k"]().train.images[:200].numpy().astype(np.int16)
    noise = np.random.default_rng(0).integers(-40, 41, images.shape)
    path = tmp_path_factory.mktemp("fake") / "fake.npy"
    np.save(path, np.clip(images + noise, 0, 255).astype(np.uint8)[:, 0])
    return path


@pytest.fixture(scope="module")
def two_spaces(fake: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("two")
    result = evaluate(fake, out, "domain-classifier,pixels")
    assert result.exit_code == 0, result.output
    return only_run(out)


@pytest.mark.slow
def test_every_set_is_scored_in_each_space_and_pixel_measures_once(
    two_spaces: Path, fake: Path, tmp_path: Path
):
    records = load_records(two_spaces)
    fid = records[records["key"] == "fid"].set_index(["extractor", "variant"])["value"]
    assert set(fid.index) == {(e, v) for e in ("domain-classifier", "pixels") for v in ("real", "fake")}
    assert fid[("pixels", "fake")] != pytest.approx(fid[("domain-classifier", "fake")], rel=0.01)
    ssim = records[records["metric"] == "ssim-diversity"]
    assert set(ssim["extractor"]) == {"domain-classifier"} and len(ssim) == ssim["key"].nunique() * 2
    # the first space's values are those of an evaluation in that space alone
    assert evaluate(fake, tmp_path, "domain-classifier").exit_code == 0
    alone = load_records(only_run(tmp_path))
    columns = ["variant", "metric", "key", "value"]
    first = records[records["extractor"] == "domain-classifier"][columns].reset_index(drop=True)
    pd.testing.assert_frame_equal(first, alone[columns].reset_index(drop=True))


@pytest.mark.slow
def test_the_report_keeps_the_spaces_apart(two_spaces: Path) -> None:
    records = load_records(two_spaces)
    with pytest.raises(ProtocolMismatchError, match="by_feature_space"):
        summary(records)  # one cell, two spaces: refused
    groups = by_feature_space(records)
    assert [name for name, _ in groups] == ["domain-classifier", "pixels"]
    assert all(len(summary(subset)) for _, subset in groups)
    markdown = (two_spaces / "report.md").read_text()
    for name in ("domain-classifier", "pixels"):
        assert f"## In the feature space of {name}" in markdown
        assert f"(FD_{name})" in markdown  # the Fréchet distance's own scale, said once per space
    assert markdown.count("## In the feature space of") == 2
    csv = pd.read_csv(two_spaces / "report.csv", index_col="variant")
    assert {"domain-classifier/fid_mean", "pixels/fid_mean"} <= set(csv.columns)
    assert csv.loc["fake", "pixels/fid_mean"] == pytest.approx(
        records.query("key == 'fid' and extractor == 'pixels' and variant == 'fake'")["value"].item()
    )
    page = (two_spaces / "report.html").read_text()
    assert 'id="table"' in page and 'id="table-pixels"' in page and 'id="bars-pixels"' in page
    assert "Comparison table: pixels" in page
    meta = json.loads((two_spaces / "run.json").read_text())
    assert [e["name"] for e in meta["extractors"]] == ["domain-classifier", "pixels"]


@pytest.mark.parametrize(
    ("extractor", "extra", "says"),
    [
        ("domain-classifier,nope", (), "unknown extractor 'nope'"),
        ("domain-classifier,domain-classifier", (), "names an extractor twice"),
        ("domain-classifier,", (), "empty name"),
        ("domain-classifier,pixels", ("--weights", "w.pth"), "--weights NAME=PATH"),
        ("domain-classifier,pixels", ("--weights", "vgg16=w.pth"), "--weights NAME=PATH"),
    ],
)
def test_bad_extractor_lists_are_refused_before_any_work(
    extractor: str, extra: tuple[str, ...], says: str, fake: Path, tmp_path: Path, no_work: None
) -> None:
    result = evaluate(fake, tmp_path / "out", extractor, *extra)
    assert result.exit_code == 2 and says in result.output, result.output
    assert not (tmp_path / "out").exists()


def test_stats_takes_one_space_at_a_time(tmp_path: Path) -> None:
    result = invoke("stats", "mnist-5k", "--extractor", "domain-classifier,pixels")
    assert result.exit_code == 2 and "one feature space at a time" in result.output


def test_a_weights_file_for_a_named_extractor_reaches_it(fake: Path, tmp_path: Path, no_work: None) -> None:
    missing = tmp_path / "missing.pth"
    result = evaluate(
        fake, tmp_path / "out", "domain-classifier,inception-v3", "--weights", f"inception-v3={missing}"
    )
    assert result.exit_code == 2 and str(missing) in result.output, result.output


@pytest.mark.slow
def test_the_gate_checks_the_space_its_thresholds_name(two_spaces: Path, tmp_path: Path) -> None:
    fid = load_records(two_spaces).query("key == 'fid' and variant == 'fake'").set_index("extractor")["value"]
    unnamed = tmp_path / "unnamed.toml"
    unnamed.write_text(f"[mnist-5k.fake]\nfid.max = {fid['pixels'] + 1}\n")
    result = invoke("check", str(two_spaces), "--thresholds", str(unnamed), progress=True)
    assert result.exit_code == 2 and "several feature spaces (domain-classifier, pixels)" in result.output
    for space, code in (("pixels", 0), ("domain-classifier", 1)):  # FID in pixel space is the lower here
        named = tmp_path / f"{space}.toml"
        named.write_text(f"[protocol]\nextractor = '{space}'\n\n{unnamed.read_text()}")
        result = invoke("check", str(two_spaces), "--thresholds", str(named), progress=True)
        assert result.exit_code == code, result.output
