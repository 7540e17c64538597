"""The report as an A4 PDF: the HTML report printed by headless Chromium.

Chromium is the standard, installable route (Debian's ``chromium``; .ci/run installs it): it
prints the same HTML a reader opens, with the report's print stylesheet (A4, margins, page
numbers, date, scenario hash and version in the page margins), so HTML and PDF never drift
apart. No browser-driver library is needed: ``--print-to-pdf`` writes the file.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from simulator.errors import OutputError

#: seconds Chromium may take to print a report
TIMEOUT = 120


def chromium() -> str | None:
    """The path of a Chromium (or Chrome) executable, or None; ``TAAKSIM_CHROMIUM`` overrides."""
    if os.environ.get("TAAKSIM_CHROMIUM"):
        return os.environ["TAAKSIM_CHROMIUM"]
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        path = shutil.which(name)
        if path:
            return path
    return None


def html_to_pdf(html: str, path: str | Path) -> None:
    """Print ``html`` (a self-contained page) to the PDF ``path`` with headless Chromium.

    Raises
    ------
    OutputError
        When no Chromium is installed or it writes no PDF.
    """
    exe = chromium()
    if exe is None:
        raise OutputError("a PDF report needs Chromium (Debian: apt-get install chromium); "
                          "write --out report.html and print that instead")
    path = Path(path)
    with tempfile.TemporaryDirectory(prefix="taaksim-pdf-") as work:
        page = Path(work) / "report.html"
        page.write_text(html, encoding="utf-8")
        args = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                f"--user-data-dir={Path(work) / 'profile'}", "--no-pdf-header-footer",
                "--run-all-compositor-stages-before-draw", "--virtual-time-budget=10000",
                f"--print-to-pdf={path}", page.as_uri()]
        try:
            r = subprocess.run(args, capture_output=True, text=True, timeout=TIMEOUT, check=False)
        except subprocess.TimeoutExpired:
            raise OutputError(f"Chromium did not print the PDF within {TIMEOUT} s") from None
    if not path.exists() or path.stat().st_size == 0:
        raise OutputError(f"Chromium wrote no PDF (exit {r.returncode}): {r.stderr.strip()[-300:]}")
