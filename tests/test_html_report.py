"""The ``report`` command and its self-contained HTML file, checked as text and in headless Chromium."""
from __future__ import annotations

import base64
import fcntl
import json
import os
import re
import shutil
import subprocess
import threading
import time
from html import unescape
from pathlib import Path

import pytest
import yaml
from openpyxl import load_workbook

from econ.cli.main import main
from econ.report import html as H

from .conftest import SCENARIOS

SECTIONS = ("summary", "headline", "comparison", "budget", "uncertainty", "drivers", "occupancy", "assumptions",
            "details", "glossary", "metadata")
FIGURES = ("cost_and_savings", "comparison", "budget", "budget_impact", "net_cost_distribution", "cost_savings_plane",
           "net_cost_curve", "cumulative_net_cost", "tornado", "state_occupancy")
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """One report of the default scenario compared with the group-led one (200 draws, in process)."""
    out = tmp_path_factory.mktemp("report") / "out"
    files = [str(SCENARIOS / "side_by_side.yaml"), str(SCENARIOS / "group_led.yaml")]
    assert main(["report", *files, "--out", str(out), "--draws", "200", "--seed", "5"]) == 0
    return out


def test_report_folder_holds_every_output(report):
    assert (report / "report.html").is_file() and (report / "tables.xlsx").is_file()
    tables = {p.name for p in (report / "tables").iterdir()}
    for name in ("headline", "comparison", "budget", "budget_impact", "cost_saving", "tornado", "assumptions",
                 "cumulative_net_cost"):
        assert {f"{name}.csv", f"{name}.md", f"{name}.tex"} <= tables, name
    plots = {p.name for p in (report / "plots").iterdir()}
    assert {f"{f}.{ext}" for f in FIGURES for ext in ("png", "svg")} <= plots
    manifest = json.loads((report / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["command"] == "report"
    assert [s["scenario"] for s in manifest["scenarios"]] == ["side_by_side", "group_led"]
    assert manifest["scenarios"][0]["seed"] == 5 and manifest["scenarios"][0]["n_draws"] == 200
    assert all(len(f["sha256"]) == 64 for f in manifest["scenarios"][0]["files"])
    written = {str(p.relative_to(report)) for p in report.rglob("*") if p.is_file()}
    assert set(manifest["report"]["files"]) == written
    assert not [p for p in report.rglob("*") if p.name.endswith(".part")]
    wb = load_workbook(report / "tables.xlsx", read_only=True)
    assert wb.sheetnames[0] == "metadata" and {"headline", "comparison", "budget", "tornado"} <= set(wb.sheetnames)


def test_html_shows_the_budget_impact_table_and_plot(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    assert '<figure id="figure-budget_impact">' in html
    assert "<caption>Budget impact by financial year and payer" in html
    for payer in ("NHS integrated care board", "Local authority adult social care", "Other public bodies",
                  "Cash-releasing savings", "Capacity freed (not cash)", "Net cash cost"):
        assert payer in html, payer


def test_html_is_self_contained_and_escaped(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    csp = re.search(r'<meta http-equiv="Content-Security-Policy" content="([^"]+)">', html)
    assert csp and unescape(csp.group(1)) == H.CSP
    assert not re.search(r"<(script|link|iframe|object|embed)\b", html, re.I)
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html, re.I)
    assert not re.search(r"url\(", html)
    srcs = re.findall(r'<img src="([^"]+)"', html)
    assert len(srcs) >= len(FIGURES) and all(s.startswith("data:image/svg+xml;base64,") for s in srcs)
    body = html[html.index("<body>"):]
    assert body.index('id="synthetic-banner"') < body.index("<h1>")
    for section in SECTIONS:
        assert f'id="{section}"' in html, section


def test_text_is_escaped(write_scenario, tmp_path):
    spec = yaml.safe_load((SCENARIOS / "validation" / "chancellor_hiv.yaml").read_text(encoding="utf-8"))
    spec["metadata"]["name"] = "<script>alert(1)</script>"
    spec["metadata"]["description"] = 'Cost & "effect" <b>bold</b>'
    path = write_scenario(spec, "escape.yaml")
    out = tmp_path / "out"
    assert main(["report", str(path), "--out", str(out), "--draws", "0", "--format", "md"]) == 0
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Cost &amp; &#34;effect&#34; &lt;b&gt;bold&lt;/b&gt;" in html
    assert 'id="synthetic-banner"' not in html  # the HIV model uses no synthetic data


# --------------------------------------------------------------------------------------------
# Headless Chromium, driven over the DevTools protocol on a pipe (no network port, no extra package).
def _chromium() -> str | None:
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


@pytest.fixture(scope="module")
def chromium():
    path = _chromium()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("chromium is not installed; CI must install it (.ci/run does: apt-get install -y chromium)")
        pytest.skip("chromium is not installed (apt-get install chromium); the browser test runs in CI")
    return path


class DevTools:
    """A minimal Chrome DevTools Protocol client over ``--remote-debugging-pipe`` (fds 3 and 4)."""

    def __init__(self, binary: str, profile: Path):
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()

        def child_fds():  # the browser reads commands on fd 3 and writes replies on fd 4
            # Move both ends above 4 first, so that placing one cannot overwrite the other.
            high = [fcntl.fcntl(fd, fcntl.F_DUPFD, 10) for fd in (to_browser_r, from_browser_w)]
            os.dup2(high[0], 3)
            os.dup2(high[1], 4)

        self.proc = subprocess.Popen(
            [binary, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
             "--disable-extensions", "--mute-audio", f"--user-data-dir={profile}", "--remote-debugging-pipe",
             "about:blank"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            preexec_fn=child_fds, pass_fds=(3, 4))  # kept open after preexec_fn has placed the pipes
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._next = 0
        self._replies: dict[int, dict] = {}
        self.events: list[dict] = []
        self._lock = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        buf = b""
        while True:
            chunk = os.read(self._from_browser, 1 << 16)
            if not chunk:
                return
            buf += chunk
            while b"\0" in buf:
                raw, buf = buf.split(b"\0", 1)
                msg = json.loads(raw)
                with self._lock:
                    if "id" in msg:
                        self._replies[msg["id"]] = msg
                    else:
                        self.events.append(msg)
                    self._lock.notify_all()

    def send(self, method: str, params: dict | None = None, *, session: str | None = None,
             timeout: float = 30.0) -> dict:
        self._next += 1
        msg = {"id": self._next, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._to_browser, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout
        with self._lock:
            while self._next not in self._replies:
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no reply to {method} within {timeout} s")
                self._lock.wait(left)
            reply = self._replies.pop(self._next)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        return reply.get("result", {})

    def wait_event(self, method: str, *, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        with self._lock:
            while True:
                for e in self.events:
                    if e.get("method") == method:
                        return e
                left = deadline - time.monotonic()
                if left <= 0:
                    raise TimeoutError(f"no {method} event within {timeout} s")
                self._lock.wait(left)

    def close(self) -> None:
        try:
            self.send("Browser.close", timeout=5)
        except (OSError, RuntimeError, TimeoutError):
            pass
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        os.close(self._to_browser)


def open_page(binary: str, profile: Path, url: str, *, width: int = 1280, height: int = 800):
    """Load ``url`` in a fresh page; returns (browser, session id) once the load event has fired."""
    browser = DevTools(binary, profile)
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Runtime", "Log", "Page"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Emulation.setDeviceMetricsOverride", {"width": width, "height": height, "deviceScaleFactor": 1,
                                                        "mobile": False}, session=session)
    browser.send("Page.navigate", {"url": url}, session=session)
    browser.wait_event("Page.loadEventFired")
    return browser, session


def console_errors(events: list[dict]) -> list[str]:
    """Console errors, uncaught exceptions and browser log errors (failed loads, CSP violations)."""
    out = []
    for e in events:
        p = e.get("params", {})
        if e.get("method") == "Runtime.consoleAPICalled" and p.get("type") in ("error", "assert", "warning"):
            out.append("console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in p["args"]))
        elif e.get("method") == "Runtime.exceptionThrown":
            out.append("exception: " + p["exceptionDetails"].get("text", ""))
        elif e.get("method") == "Log.entryAdded" and p["entry"].get("level") in ("error", "warning"):
            out.append(f"log ({p['entry'].get('source')}): {p['entry'].get('text')}")
    return out


PAGE_CHECKS = """
(() => {
  const imgs = [...document.images];
  return JSON.stringify({
    sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
    figures: [...document.querySelectorAll('figure[id]')].map(f => f.id),
    images: imgs.length,
    broken: imgs.filter(i => !i.complete || i.naturalWidth === 0).map(i => i.alt),
    banner: (() => { const b = document.getElementById('synthetic-banner');
                     if (!b) return null; const r = b.getBoundingClientRect();
                     return {top: r.top, height: r.height, text: b.textContent}; })(),
    cards: document.querySelectorAll('#key-findings .card').length,
    title: document.querySelector('h1').textContent,
    resources: performance.getEntriesByType('resource').map(r => r.name),
  });
})()
"""


def test_report_opens_in_chromium_without_errors(report, chromium, tmp_path):
    browser, session = open_page(chromium, tmp_path / "profile", (report / "report.html").as_uri())
    try:
        # The page's own errors first; then prove the capture works with a deliberate console error.
        errors = console_errors(browser.events)
        result = browser.send("Runtime.evaluate", {"expression": PAGE_CHECKS, "returnByValue": True},
                              session=session)
        page = json.loads(result["result"]["value"])
        shot = browser.send("Page.captureScreenshot", {"format": "png"}, session=session)
        browser.send("Runtime.evaluate", {"expression": "console.error('probe')"}, session=session)
        browser.wait_event("Runtime.consoleAPICalled")
        assert any("probe" in e for e in console_errors(browser.events))
    finally:
        browser.close()
    assert errors == []
    for section in SECTIONS:
        assert section in page["sections"], section
    assert {f"figure-{f}" for f in FIGURES} <= set(page["figures"])
    assert page["images"] >= len(FIGURES) and page["broken"] == []
    assert page["banner"] is not None and page["banner"]["top"] == 0 and "SYNTHETIC" in page["banner"]["text"]
    assert page["cards"] == 4 and page["title"] == "Does peer support pay for itself?"
    assert page["resources"] == []  # nothing fetched: images are data: URIs
    png = base64.b64decode(shot["data"])
    (tmp_path / "first_screen.png").write_bytes(png)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    assert (int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")) == (1280, 800)


#: Smallest font drawn in a chart, in points (the plots' smallest ``fontsize``), and the smallest text a
#: phone reader can read, in CSS pixels: a chart must be shown at a scale that keeps its text at least that.
CHART_SMALLEST_PT, READABLE_PX = 8.0, 9.0

PHONE_CHECKS = """
(() => {
  const vw = document.documentElement.clientWidth;
  document.querySelectorAll('details').forEach(d => d.open = true);
  const cells = [...document.querySelectorAll('table:not(.meta) td')];
  const outside = cells.filter(td => td.getBoundingClientRect().right > vw + 1).length;
  const unlabelled = cells.filter(td => td.cellIndex > 0 && td.dataset.label
      && !getComputedStyle(td, '::before').content.includes(td.dataset.label)).length;
  const charts = [...document.querySelectorAll('figure img')].map(img => ({
      alt: img.alt, scale: img.getBoundingClientRect().width / img.naturalWidth,
      scrolls: getComputedStyle(img.parentElement).overflowX}));
  const texts = [...document.querySelectorAll('body *')].filter(e => e.getClientRects().length
      && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()));
  const fonts = texts.map(e => parseFloat(getComputedStyle(e).fontSize));
  const file = [...document.querySelectorAll('.scenario dd')].pop().getBoundingClientRect();
  return JSON.stringify({vw, page: document.documentElement.scrollWidth, cells: cells.length, outside, unlabelled,
                         charts, smallest_text: Math.min(...fonts), file_right: file.right});
})()
"""


def test_report_is_readable_at_phone_width(report, chromium, tmp_path):
    """At 390 px (a phone), nothing is wider than the screen, every table value sits on the screen under
    its column's name (a card per row), chart text stays at least 9 px (charts keep their drawn size and
    scroll sideways) and no page text is below 12 px; a screenshot of the tornado is kept."""
    browser, session = open_page(chromium, tmp_path / "profile", (report / "report.html").as_uri(), width=390,
                                 height=844)
    try:
        result = browser.send("Runtime.evaluate", {"expression": PHONE_CHECKS, "returnByValue": True},
                              session=session)
        page = json.loads(result["result"]["value"])
        box = browser.send("Runtime.evaluate", {"expression": "JSON.stringify((() => { const r = document."
                           "getElementById('figure-tornado').getBoundingClientRect(); return [r.top + scrollY, "
                           "r.height]; })())", "returnByValue": True}, session=session)
        top, height = json.loads(box["result"]["value"])
        shot = browser.send("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": {
            "x": 0, "y": top, "width": 390, "height": height, "scale": 1}}, session=session)
    finally:
        browser.close()
    assert page["vw"] == 390 and page["page"] <= 390, page
    assert page["cells"] > 100 and page["outside"] == 0 and page["unlabelled"] == 0, page
    assert page["file_right"] <= 390, "the scenario file name runs off the screen"
    assert page["smallest_text"] >= 12, page["smallest_text"]
    assert len(page["charts"]) >= len(FIGURES)
    for chart in page["charts"]:
        text_px = CHART_SMALLEST_PT * 96 / 72 * chart["scale"]
        assert text_px >= READABLE_PX, (chart["alt"], round(text_px, 1))
        assert chart["scrolls"] == "auto", chart["alt"]
    png = base64.b64decode(shot["data"])
    (tmp_path / "phone_tornado.png").write_bytes(png)
    assert int.from_bytes(png[16:20], "big") == 390
