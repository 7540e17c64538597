"""Open an HTML file in headless Chromium and report what a reader would see.

No browser-driver dependency: a small script is appended to a copy of the page; it
records the checks in the DOM, and Chromium's --dump-dom prints the DOM after load.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

PROBE = """
<script>
window.addEventListener('load', () => {
  const w = document.documentElement.clientWidth;
  const imgs = [...document.images];
  const boxes = [...document.querySelectorAll('.scroll')];
  const out = {
    width: w,
    height: document.documentElement.scrollHeight,
    page_overflow: document.documentElement.scrollWidth - w,
    images: imgs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    images_outside: imgs.filter(i => i.getBoundingClientRect().right > w + 1).map(i => i.alt),
    hidden_in_boxes: boxes.filter(b => b.scrollWidth > b.clientWidth + 1)
                          .map(b => (b.previousElementSibling || {}).textContent || '?'),
    external: [...document.querySelectorAll('[src],[href]')]
              .map(e => e.getAttribute('src') || e.getAttribute('href'))
              .filter(u => !u.startsWith('data:') && !u.startsWith('#')),
    text_length: document.body.innerText.length,
  };
  const pre = document.createElement('pre');
  pre.id = 'taaksim-probe';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>
"""


def chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def _run(args: list[str], timeout: int = 120) -> subprocess.CompletedProcess:
    base = [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
            "--disable-dev-shm-usage", "--no-first-run", "--mute-audio"]
    return subprocess.run(base + args, capture_output=True, text=True, timeout=timeout, check=False)


def inspect(html_file: Path, work: Path, width: int = 1280) -> dict:
    """The probe's findings for ``html_file`` rendered ``width`` pixels wide."""
    probe = work / (html_file.stem + ".probe.html")
    probe.write_text(html_file.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"),
                     encoding="utf-8")
    r = _run([f"--window-size={width},900", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()])
    m = re.search(r'<pre id="taaksim-probe">(.*?)</pre>', r.stdout, re.S)
    if not m:
        raise RuntimeError(f"chromium printed no probe result (exit {r.returncode}): {r.stderr[-2000:]}")
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                      .replace("&gt;", ">"))


def screenshot(html_file: Path, png: Path, width: int = 1280, height: int = 4000) -> Path:
    r = _run([f"--window-size={width},{min(max(height, 600), 16000)}", f"--screenshot={png}",
              html_file.as_uri()])
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot (exit {r.returncode}): {r.stderr[-2000:]}")
    return png
