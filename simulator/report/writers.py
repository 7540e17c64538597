"""Writing result files: atomically (temporary file, then rename), never over an existing file
without ``force``, so an interrupted run never leaves a half-written file behind.

Which file a suffix makes is one registry, :data:`WRITERS`: each entry says what the writer
needs (every path, the summary per year, or the findings of an analysis) and how it writes.
The command line asks the registry; it never tests suffixes itself. Adding a format is a
function and an entry here (see docs/architecture.md, "Adding an output format").
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simulator.errors import OutputError

if TYPE_CHECKING:
    from simulator.results.analysis import Findings

SUFFIXES = (".nc", ".csv", ".xlsx")


def check_output(path: str | Path, *, force: bool = False, suffixes: tuple[str, ...] = SUFFIXES,
                 what: str = "output") -> Path:
    """Refuse an output file that cannot be written, before a long run rather than after it:
    unknown type (not in ``suffixes``), a folder, a missing folder, or an existing file without
    ``force``. ``what`` names the kind of file in the message ("output", "report", ...)."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in suffixes:
        use = suffixes[0] if len(suffixes) == 1 else ", ".join(suffixes[:-1]) + " or " + suffixes[-1]
        raise OutputError(f"unknown {what} type {suffix or '(none)'!r}: use {use}")
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name, e.g. {path / ('result' + suffixes[0])}")
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        what = "is not a folder" if path.parent.exists() else "does not exist"
        raise OutputError(f"folder {path.parent} {what}")
    return path


def atomic_write(path: str | Path, write: Callable[[Path], object], *, force: bool = False) -> Path:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then rename it into place.

    Whatever stops the write (an error, Ctrl-C, a full disk), the temporary file is removed
    and ``path`` is untouched.
    """
    path = Path(path)
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    if not path.parent.is_dir():
        raise OutputError(f"folder {path.parent} does not exist")
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part" + path.suffix, dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in {path.parent}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(tmp)
    # mkstemp makes the file private (0600); a result file gets the user's usual permissions
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        write(tmp)
        os.replace(tmp, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror or exc}") from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


#: what a writer needs from the run: every path (a full run, xarray Dataset), the summary per
#: year (a pandas DataFrame; a streamed run gives it), or the findings of an analysis
Need = Literal["paths", "summary", "findings"]


@dataclass(frozen=True, slots=True)
class Writer:
    """One kind of output file.

    Attributes
    ----------
    needs : {"paths", "summary", "findings"}
        What ``write`` is given: the Dataset of every path, the summary DataFrame per year, or
        :class:`~simulator.results.analysis.Findings`. A run keeps every path only when it must.
    write : callable
        ``write(data, path, *, lang, force) -> list[Path]``: writes ``path`` (atomically, see
        :func:`atomic_write`) and any files beside it; returns the files written.
    report : bool
        A report (``taaksim report --out``) rather than a saved result (``taaksim run --out``).
    """

    needs: Need
    write: Callable[..., list[Path]]
    report: bool = False


def one_file(write: Callable[[Any, Path, str], object]) -> Callable[..., list[Path]]:
    """A writer of one file from ``write(data, tmp_path, lang)``, made atomic."""

    def writer(data: Any, path: Path, *, lang: str = "nl", force: bool = False) -> list[Path]:
        return [atomic_write(path, lambda p: write(data, p, lang), force=force)]

    return writer


def _netcdf(ds: Any, path: Path, lang: str) -> None:
    ds.to_netcdf(path, engine="scipy")


def _csv(rows: Any, path: Path, lang: str) -> None:
    rows.to_csv(path)


def _xlsx(findings: Findings, path: Path, lang: str) -> None:
    from simulator.report.xlsx import write_xlsx

    write_xlsx(findings, path, lang=lang)


def _html(findings: Findings, path: Path, *, lang: str = "nl", force: bool = False) -> list[Path]:
    from simulator.report.html import to_html

    text = to_html(findings, lang)
    return [atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), force=force)]


def _markdown(findings: Findings, path: Path, *, lang: str = "nl", force: bool = False) -> list[Path]:
    """The text plus ``<name>_files/*.png``."""
    from simulator.report.markdown import to_markdown

    folder = path.with_name(path.stem + "_files")
    text, imgs = to_markdown(findings, lang, folder.name)
    folder.mkdir(exist_ok=True)
    written = [atomic_write(folder / f"{k}.png", _bytes(v), force=True) for k, v in imgs.items()]
    # the text last: a report file that exists always has its pictures
    written.insert(0, atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), force=force))
    return written


def _bytes(data: bytes) -> Callable[[Path], int]:
    return lambda p: p.write_bytes(data)


#: suffix -> writer; the order is the order error messages list them in
WRITERS: dict[str, Writer] = {
    ".nc": Writer("paths", one_file(_netcdf)),
    ".csv": Writer("summary", one_file(_csv)),
    ".xlsx": Writer("findings", one_file(_xlsx)),
    ".html": Writer("findings", _html, report=True),
    ".md": Writer("findings", _markdown, report=True),
}


def result_types() -> tuple[str, ...]:
    """The files ``taaksim run --out`` writes (read when called: a format added later counts)."""
    return tuple(k for k, w in WRITERS.items() if not w.report)


def report_types() -> tuple[str, ...]:
    """The files ``taaksim report --out`` writes."""
    return tuple(k for k, w in WRITERS.items() if w.report)


def writer_for(path: str | Path) -> Writer:
    """The writer a file name asks for (its suffix, any case); check the path first."""
    return WRITERS[Path(path).suffix.lower()]


def check_result_path(path: str | Path, *, force: bool = False) -> Path:
    """Refuse a result file that cannot be written (see :func:`check_output`)."""
    return check_output(path, force=force, suffixes=result_types())


def check_report_path(path: str | Path, *, force: bool = False) -> Path:
    """Refuse a report file that cannot be written (see :func:`check_output`)."""
    return check_output(path, force=force, suffixes=report_types(), what="report")


def write_result(ds: Any, path: str | Path, summary_rows: Any, *, force: bool = False,
                 findings: Findings | None = None, lang: str = "nl") -> Path:
    """Save a run: ``.nc`` the full Dataset, ``.csv`` the summary per year, ``.xlsx`` every table
    (needs ``findings``, see :func:`simulator.results.analysis.analyse`); any format in :data:`WRITERS`."""
    path = check_result_path(path, force=force)
    writer = writer_for(path)
    data = {"paths": ds, "summary": summary_rows, "findings": findings}[writer.needs]
    return writer.write(data, path, lang=lang, force=force)[0]


def write_report(f: Findings, path: str | Path, *, lang: str = "nl", force: bool = False) -> list[Path]:
    """Write ``.html`` (self-contained) or ``.md`` (plus ``<name>_files/*.png``); returns the files."""
    path = check_report_path(path, force=force)
    return writer_for(path).write(f, path, lang=lang, force=force)
