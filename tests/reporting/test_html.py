"""report.html: one self-contained page (every image an embedded PNG), every section, old runs tolerated."""

from __future__ import annotations

import base64
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from PIL import Image

from ganbench.reporting import html as report_html
from ganbench.reporting.html import (
    FAILED_SECTION,
    REPORT_HTML,
    SECTIONS,
    markdown_code,
    render_html,
    split_stages,
    write_html,
)
from ganbench.reporting.records import load_records
from ganbench.reporting.report import write_report


class PageParser(HTMLParser):
    """Every tag's attributes, and the text of ``<style>`` and ``<script>`` elements."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.styles: list[str] = []
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in = tag if tag in ("style", "script") else None

    def handle_data(self, data: str) -> None:
        if self._in == "style":
            self.styles.append(data)


def parse(page: str) -> PageParser:
    parser = PageParser()
    parser.feed(page)
    return parser


def sections(page: str) -> dict[str, str]:
    """Section anchor -> its HTML."""
    return dict(re.findall(r'<section id="([^"]+)">(.*?)</section>', page, flags=re.S))


def decode_images(page: str) -> list[Image.Image]:
    """Every ``<img>`` of the page, decoded; fails unless each is an embedded base64 PNG."""
    images = []
    for tag, attrs in parse(page).tags:
        if tag != "img":
            continue
        src = attrs.get("src") or ""
        prefix = "data:image/png;base64,"
        assert src.startswith(prefix), src[:60]
        image = Image.open(io.BytesIO(base64.b64decode(src[len(prefix) :], validate=True)))
        assert image.format == "PNG"
        image.load()  # decodes every pixel: a truncated or corrupt PNG raises here
        assert image.width > 0 and image.height > 0
        images.append(image)
    return images


def assert_self_contained(page: str) -> None:
    parsed = parse(page)
    assert not [t for t, _ in parsed.tags if t in ("script", "iframe", "object", "embed", "video", "audio")]
    for tag, attrs in parsed.tags:
        for name in ("src", "href", "srcset", "poster", "data"):
            value = (attrs.get(name) or "").strip().lower()
            assert not value.startswith(("http:", "https:", "//", "ftp:")), f"<{tag} {name}={value[:60]}>"
        if tag == "link":  # a stylesheet or icon link would load a resource unless it is inline data
            assert (attrs.get("href") or "").startswith("data:"), attrs
    assert "url(" not in "".join(parsed.styles) and "@import" not in "".join(parsed.styles)
    assert 'src="http' not in page and 'href="http' not in page


def test_page_is_self_contained_and_every_image_decodes(handmade_run: Path) -> None:
    path = write_html(handmade_run)
    assert path == handmade_run / REPORT_HTML
    page = path.read_text(encoding="utf-8")
    assert_self_contained(page)
    images = decode_images(page)
    # figures: 3 bar charts (features, logits, pixels), planes, losses, birthday, ndb; unit images:
    # samples, nearest neighbours and interpolations of 2 variants x 2 seeds
    assert len(images) == 7 + 3 * 4


def test_every_section_is_present_in_the_contents_and_drawn(handmade_run: Path) -> None:
    page = render_html(handmade_run, load_records(handmade_run))
    found = sections(page)
    drawn = [(anchor, title) for anchor, title, _ in SECTIONS if anchor != "sweep"]  # not a sweep: left out
    assert list(found) == [anchor for anchor, _ in drawn]
    for anchor, title in drawn:
        assert f'<a href="#{anchor}">{title}</a>' in page
    assert 'href="#sweep"' not in page
    assert FAILED_SECTION not in page
    for anchor in ("bars", "planes", "samples", "neighbours", "interpolations", "losses", "birthday", "ndb"):
        assert "<img " in found[anchor], anchor
        assert 'class="note"' not in found[anchor], anchor
    assert "--eval-every" in found["budget"] and "<img " not in found["budget"]  # no checkpoints here
    assert "lsgan seed 0" in found["problems"] and "D step 3" in found["problems"]
    for text in ("0123456789abcdef", "90.00%", "mnist-5k", "0.5 kimg", "abc123", "vanilla, dcgan, lsgan"):
        assert text in found["protocol"], text
    assert "fid ↓" in found["table"] and "c2st_1nn →0.5" in found["table"] and "50" in found["table"]


def test_a_diverged_unit_gets_a_note_in_the_image_grids(handmade_run: Path) -> None:
    found = sections(render_html(handmade_run, load_records(handmade_run)))
    # lsgan's only unit diverged: it has a column and says why there is no image
    assert "<th>lsgan</th>" in found["samples"] and "diverged: not sampled" in found["samples"]


def test_write_report_writes_the_html_page_too(handmade_run: Path) -> None:
    write_report(handmade_run)
    for name in ("report.md", "report.csv", REPORT_HTML):
        assert (handmade_run / name).stat().st_size > 0
    assert '<section id="samples">' in (handmade_run / REPORT_HTML).read_text(encoding="utf-8")


def strip_record_fields(run_dir: Path, fields: set[str]) -> None:
    """Rewrite records.jsonl without ``fields``, as a run made before the schema grew would be."""
    path = run_dir / "records.jsonl"
    rows = [json.loads(line) for line in path.read_text().splitlines()]
    path.write_text("".join(json.dumps({k: v for k, v in r.items() if k not in fields}) + "\n" for r in rows))


def test_an_old_run_without_artifacts_or_fields_still_renders(handmade_run: Path) -> None:
    (handmade_run / "run.json").unlink()
    for pattern in (
        "*/seed*/nearest_neighbours.png",
        "*/seed*/interpolation.png",
        "**/ndb.json",
        "**/birthday.json",
        "*/seed*/losses.csv",
        "dcgan/seed1/samples.png",
    ):
        for path in handmade_run.glob(pattern):
            path.unlink()
    strip_record_fields(
        handmade_run,
        {
            "budget_kimg",
            "budget_seconds",
            "git_commit",
            "torch_fidelity_version",
            "device",
            "extractor_protocol",
        },
    )
    records = load_records(handmade_run)
    records = records[~records["key"].isin(["precision", "recall"])]  # a run without precision-recall
    page = render_html(handmade_run, records)
    assert FAILED_SECTION not in page
    assert_self_contained(page)
    found = sections(page)
    assert list(found) == [anchor for anchor, _, _ in SECTIONS if anchor != "sweep"]
    assert "No <code>run.json</code>" in found["protocol"] and "mnist-5k" in found["protocol"]
    assert (
        "precision-recall" in found["planes"] and "<img " in found["planes"]
    )  # density-coverage still drawn
    assert "no samples.png" in found["samples"] and "<img " in found["samples"]
    for anchor, name in (
        ("neighbours", "nearest_neighbours.png"),
        ("interpolations", "interpolation.png"),
        ("losses", "losses.csv"),
        ("birthday", "birthday.json"),
        ("ndb", "ndb.json"),
    ):
        assert "<img " not in found[anchor] and f"<code>{name}</code>" in found[anchor], anchor
    decode_images(page)


def test_damaged_files_are_skipped_or_reported_in_their_section_only(handmade_run: Path) -> None:
    (handmade_run / "vanilla" / "seed0" / "samples.png").write_bytes(b"not a png")
    (handmade_run / "dcgan" / "seed0" / "metrics" / "birthday.json").write_text("{truncated")
    ndb_path = handmade_run / "vanilla" / "seed0" / "metrics" / "ndb.json"
    bins = json.loads(ndb_path.read_text())
    ndb_path.write_text(json.dumps({**bins, "fake_share": bins["fake_share"][:3]}))  # lengths disagree
    with pytest.warns(UserWarning, match="NDB bin histograms"):
        page = render_html(handmade_run, load_records(handmade_run))
    found = sections(page)
    assert FAILED_SECTION in found["ndb"]
    assert sum(FAILED_SECTION in body for body in found.values()) == 1
    assert "no samples.png" in found["samples"]  # not a PNG: not embedded
    assert "<img " in found["birthday"]  # the other units' curves are drawn
    decode_images(page)


def checkpoint_records(run_dir: Path) -> pd.DataFrame:
    """The hand-made run's records with a `stage` column and fid/precision at two checkpoints per unit."""
    records = load_records(run_dir).assign(stage="final")
    trained = records[(records["variant"] != "real") & records["key"].isin(["fid", "precision"])]
    checkpoints = [
        trained.assign(stage="checkpoint", kimg=kimg, value=trained["value"] * factor)
        for kimg, factor in ((0.1, 3.0), (0.3, 2.0))
    ]
    return pd.concat([records, *checkpoints], ignore_index=True)


def test_split_stages_treats_missing_stage_as_final(handmade_run: Path) -> None:
    records = load_records(handmade_run)
    final, checkpoints = split_stages(records)
    assert len(final) == len(records) and checkpoints.empty
    staged = checkpoint_records(handmade_run)
    staged.loc[staged.index[:3], "stage"] = None  # an old record among new ones
    final, checkpoints = split_stages(staged)
    assert (
        len(final) == len(records) and len(checkpoints) == 2 * 2 * 2 * 2
    )  # keys x variants x seeds x checkpoints
    assert (checkpoints["stage"] == "checkpoint").all()


def test_budget_section_draws_checkpoints_and_the_rest_uses_final_values(handmade_run: Path) -> None:
    records = checkpoint_records(handmade_run)
    page = render_html(handmade_run, records)
    found = sections(page)
    assert FAILED_SECTION not in page
    assert "<img " in found["budget"] and "--eval-every" in found["budget"]
    # the table averages final values only: checkpoint values (2-3x larger) would move the means
    final_only = sections(render_html(handmade_run, records[records["stage"] == "final"]))
    assert found["table"] == final_only["table"]


def test_one_comparison_table_function_feeds_the_page(
    handmade_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []

    def marked(records: pd.DataFrame, space: str, first: bool) -> pd.DataFrame:
        calls.append(space)
        return pd.DataFrame({"mark": ["swapped"]}, index=["real"])

    monkeypatch.setattr(report_html, "comparison_table", marked)
    found = sections(render_html(handmade_run, load_records(handmade_run)))
    assert calls == ["features", "logits", "pixels"] and found["table"].count("swapped") == 3


def test_markdown_code_spans_become_code_and_the_rest_is_escaped() -> None:
    assert markdown_code("`> x`: a <b>bound</b>") == "<code>&gt; x</code>: a &lt;b&gt;bound&lt;/b&gt;"
