"""report.html in a real browser: headless Chromium opens it from disk, every image decodes, the
console has no error, nothing but the page itself and its data URIs is requested, and a full-page
screenshot is kept.

Uses Debian's ``chromium`` and ``chromium-driver`` packages through selenium, given their paths,
so nothing is downloaded; skipped with the reason when either is absent. The screenshots go to
``$GANBENCH_TEST_ARTIFACTS`` when set (CI sets it), else to the test's tmp_path; the path is
printed.
"""

from __future__ import annotations

import base64
import json
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from ganbench.reporting.html import REPORT_HTML, SECTIONS, write_html

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
INSTALL = "apt-get install chromium chromium-driver (Debian), as .ci/run does"

webdriver = pytest.importorskip(
    "selenium.webdriver", reason="selenium is not installed: pip install -e '.[test]'"
)

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(
        not (CHROMIUM.exists() and CHROMEDRIVER.exists()),
        reason=f"headless browser test needs {CHROMIUM} and {CHROMEDRIVER}: {INSTALL}",
    ),
]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1400,1000"):
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL", "performance": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=options)
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: Any, page: Path) -> dict[str, Any]:
    """Load ``page`` from disk and report what the browser saw.

    Returns:
        ``images`` (alt, complete, naturalWidth of every <img>), ``severe`` (SEVERE console
        entries), ``requests`` (every URL the page asked for), ``sections`` (ids of <section>s).
    """
    for log in ("browser", "performance"):
        driver.get_log(log)  # drop the entries of earlier pages
    driver.get(page.as_uri())  # returns once the load event has fired: every image loaded or failed
    images = driver.execute_script(
        "return Array.from(document.images)"
        ".map(i => ({alt: i.alt, complete: i.complete, width: i.naturalWidth}))"
    )
    severe = [entry for entry in driver.get_log("browser") if entry["level"] == "SEVERE"]
    requests = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message["method"] == "Network.requestWillBeSent":
            requests.append(message["params"]["request"]["url"])
    sections = driver.execute_script(
        "return Array.from(document.querySelectorAll('section[id]')).map(s => s.id)"
    )
    return {"images": images, "severe": severe, "requests": requests, "sections": sections}


def problems(seen: dict[str, Any], page: Path) -> list[str]:
    """Everything wrong with a loaded page: undecoded images, console errors, other requests."""
    found = [
        f"image not decoded: {i['alt']!r}" for i in seen["images"] if not (i["complete"] and i["width"] > 0)
    ]
    found += [f"console: {entry['message'][:200]}" for entry in seen["severe"]]
    found += [
        f"request: {url[:80]}"
        for url in seen["requests"]
        if url != page.as_uri() and not url.startswith("data:")
    ]
    return found


def full_page_screenshot(driver: Any, name: str, tmp_path: Path) -> Path:
    """A PNG of the whole page (beyond the window) in $GANBENCH_TEST_ARTIFACTS or ``tmp_path``."""
    folder = Path(os.environ.get("GANBENCH_TEST_ARTIFACTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    size = driver.execute_cdp_cmd("Page.getLayoutMetrics", {})["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": size["height"], "scale": 1}
    shot = driver.execute_cdp_cmd(
        "Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip}
    )
    path = folder / name
    path.write_bytes(base64.b64decode(shot["data"]))
    print(f"screenshot of {name.removesuffix('.png')}: {path}")
    return path


def check_page(driver: Any, page: Path, screenshot: str, tmp_path: Path, min_images: int) -> None:
    seen = open_page(driver, page)
    assert problems(seen, page) == []
    assert len(seen["images"]) >= min_images
    assert seen["sections"] == [anchor for anchor, _, _ in SECTIONS if anchor != "sweep"]  # not sweeps
    shot = Image.open(full_page_screenshot(driver, screenshot, tmp_path))
    assert shot.format == "PNG" and shot.height > 1000  # the whole page, not the 1000-pixel window


def test_the_page_of_a_real_smoke_run_loads_cleanly_in_chromium(
    smoke_run_dir: Path, browser: Any, tmp_path: Path
) -> None:
    page = smoke_run_dir / REPORT_HTML  # written by the run itself
    text = page.read_text(encoding="utf-8")
    for name in ("samples", "nearest training images", "latent interpolations"):  # 2 variants x 2 seeds each
        assert len(re.findall(f'alt="{name}, ', text)) == 4, name
    # figures: bar charts of 4 spaces, planes, losses, birthday, ndb; 12 unit images
    check_page(browser, page, "report-html-smoke.png", tmp_path, min_images=8 + 12)


def test_a_hand_made_run_loads_cleanly_in_chromium(handmade_run: Path, browser: Any, tmp_path: Path) -> None:
    check_page(browser, write_html(handmade_run), "report-html-handmade.png", tmp_path, min_images=7 + 12)


def test_the_browser_check_catches_a_broken_image_and_a_remote_request(
    handmade_run: Path, browser: Any, tmp_path: Path
) -> None:
    page = write_html(handmade_run)
    text = page.read_text(encoding="utf-8")
    first = re.search(r'src="data:image/png;base64,([^"]+)"', text)
    assert first is not None
    truncated = base64.b64encode(base64.b64decode(first.group(1))[:60]).decode()  # a PNG cut short
    broken = text.replace(first.group(1), truncated, 1)
    broken = broken.replace("</body>", '<img src="http://127.0.0.1:9/remote.png" alt="remote"></body>')
    sabotaged = tmp_path / "sabotaged.html"
    sabotaged.write_text(broken, encoding="utf-8")
    found = problems(open_page(browser, sabotaged), sabotaged)
    assert any(p.startswith("image not decoded") for p in found)
    assert any(p.startswith("console:") for p in found)
    assert "request: http://127.0.0.1:9/remote.png" in found
