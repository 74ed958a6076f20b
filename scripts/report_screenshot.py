"""Render the commissioners' report and save its first screen (1280 x 800) as docs/report_screenshot.png."""
from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

# Usage: python scripts/report_screenshot.py [--out docs/report_screenshot.png] [--draws 1000] [--keep DIR]
# Needs Chromium (Debian: apt-get install chromium). The report compares the default scenario with the
# commissioner scenarios in scenarios/ (all SYNTHETIC data).
ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ["side_by_side.yaml", "group_led.yaml", "online_first.yaml", "mixed_choice.yaml", "inner_london.yaml",
             "small_programme.yaml"]
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")


def chromium() -> str:
    """Path of a Chromium binary; exits with a message if there is none."""
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    sys.exit("error: chromium not found; install it (Debian: apt-get install chromium)")


def screenshot(html: Path, png: Path, *, width: int = 1280, height: int = 800) -> None:
    """Screenshot the first screen of ``html`` into ``png`` (written atomically)."""
    png.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as profile:
        tmp = png.with_name(f".{png.name}.part.png")
        cmd = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
               "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
               f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={tmp}",
               html.resolve().as_uri()]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=120)
        os.replace(tmp, png)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", default=str(ROOT / "docs" / "report_screenshot.png"), help="PNG to write")
    parser.add_argument("--draws", default="1000", help="PSA draws of the report")
    parser.add_argument("--keep", metavar="DIR", help="write the report into DIR (default: a temporary folder)")
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT))
    from econ.cli.main import main as run_model

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp) / "report"
        files = [str(ROOT / "scenarios" / name) for name in SCENARIOS]
        status = run_model(["report", *files, "--out", str(folder), "--draws", args.draws, "--force"])
        if status:
            return status
        screenshot(folder / "report.html", Path(args.out))
    print(f"Wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
