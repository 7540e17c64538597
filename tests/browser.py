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
function lum(c) {
  const m = c.match(/rgba?\\(([^)]+)\\)/);
  if (!m) return null;
  const [r, g, b, a] = m[1].split(',').map(x => parseFloat(x));
  if (a === 0) return null;
  const f = v => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
}
function overlap(a, b) {
  const w = Math.min(a.right, b.right) - Math.max(a.left, b.left);
  const h = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
  return (w > 1 && h > 1) ? w * h : 0;
}
window.addEventListener('load', () => {
  const w = document.documentElement.clientWidth;
  const imgs = [...document.images];
  const figs = [...document.querySelectorAll('svg[role="img"]')];
  const boxes = [...document.querySelectorAll('.scroll')];
  const overlaps = [], cut = [], low = [];
  for (const svg of figs) {
    const name = (svg.querySelector('title') || {}).textContent || '?';
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll('text')].filter(t => t.textContent.trim());
    const rects = texts.map(t => t.getBoundingClientRect());
    rects.forEach((r, i) => {
      if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)
        cut.push(name + ': ' + texts[i].textContent);
      for (let j = i + 1; j < rects.length; j++) {
        const a = overlap(r, rects[j]);
        if (a > 0.15 * Math.min(r.width * r.height, rects[j].width * rects[j].height))
          overlaps.push(name + ': ' + texts[i].textContent + ' / ' + texts[j].textContent);
      }
    });
    for (const band of svg.querySelectorAll('[id^="band"] path, [id^="band"] use, [id^="band"] rect')) {
      const y = lum(getComputedStyle(band).fill);
      if (y !== null && 1.05 / (y + 0.05) < 3) low.push(name + ': ' + band.closest('[id^="band"]').id);
    }
  }
  const out = {
    width: w,
    height: document.documentElement.scrollHeight,
    page_overflow: document.documentElement.scrollWidth - w,
    images: imgs.length + figs.length,
    broken: imgs.filter(i => !(i.complete && i.naturalWidth > 0)).map(i => i.alt),
    images_outside: [...imgs, ...figs].filter(i => i.getBoundingClientRect().right > w + 1)
                    .map(i => i.alt || ((i.querySelector && i.querySelector('title')) || {}).textContent),
    hidden_in_boxes: boxes.filter(b => b.scrollWidth > b.clientWidth + 1)
                          .map(b => (b.previousElementSibling || {}).textContent || '?'),
    external: [...document.querySelectorAll('[src],[href],link,use,image')]
              .map(e => e.getAttribute('src') || e.getAttribute('href') || e.getAttribute('xlink:href') || '')
              .filter(u => u && !u.startsWith('data:') && !u.startsWith('#')),
    css_urls: [...document.querySelectorAll('style')].flatMap(s => [...s.textContent.matchAll(/url\\(([^)]*)\\)/g)])
              .map(m => m[1]).filter(u => !u.replace(/["']/g, '').startsWith('data:')),
    overlapping_text: overlaps,
    cut_labels: cut,
    low_contrast: low,
    svg_figures: figs.length,
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


#: applies the page's @media print rules on screen too: Chromium's command line cannot switch
#: to print media, and the probe must see the layout the A4 print gets
PRINT_LIKE = """
<script>
for (const sheet of document.styleSheets) {
  for (const rule of sheet.cssRules) {
    if (rule.media && [...rule.media].includes('print')) rule.media.appendMedium('screen');
  }
}
</script>
"""

#: A4 (210 mm) less 2 x 15 mm margins, at 96 px per inch
A4_WIDTH = 680


def inspect(html_file: Path, work: Path, width: int = 1280, print_like: bool = False) -> dict:
    """The probe's findings for ``html_file`` rendered ``width`` pixels wide; ``print_like``:
    with the page's print stylesheet applied (use ``width=A4_WIDTH``)."""
    probe = work / (html_file.stem + (".print" if print_like else "") + ".probe.html")
    extra = (PRINT_LIKE if print_like else "") + PROBE
    probe.write_text(html_file.read_text(encoding="utf-8").replace("</body>", extra + "</body>"),
                     encoding="utf-8")
    r = _run([f"--window-size={width},900", "--virtual-time-budget=10000", "--dump-dom", probe.as_uri()])
    m = re.search(r'<pre id="taaksim-probe">(.*?)</pre>', r.stdout, re.S)
    if not m:
        raise RuntimeError(f"chromium printed no probe result (exit {r.returncode}): {r.stderr[-2000:]}")
    return json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&").replace("&lt;", "<")
                      .replace("&gt;", ">"))


def screenshot(html_file: Path, png: Path, width: int = 1280, height: int = 4000, print_like: bool = False) -> Path:
    """A PNG of the page; ``print_like``: with its print stylesheet applied (see :data:`PRINT_LIKE`)."""
    if print_like:
        copy = png.with_suffix(".print.html")
        copy.write_text(html_file.read_text(encoding="utf-8").replace("</body>", PRINT_LIKE + "</body>"),
                        encoding="utf-8")
        html_file = copy
    r = _run([f"--window-size={width},{min(max(height, 600), 16000)}", f"--screenshot={png}",
              html_file.as_uri()])
    if not png.exists():
        raise RuntimeError(f"chromium wrote no screenshot (exit {r.returncode}): {r.stderr[-2000:]}")
    return png
