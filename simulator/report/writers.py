"""Writing result files: all or nothing, and never over an existing file without ``force``.

A file is written to a temporary file beside it and renamed into place; a report with
companion files (Markdown and its ``<name>_files/`` folder) is written into a temporary
folder and moved in at the end. Whatever stops a write (an error, Ctrl-C, a full disk, a
read-only folder), what existed before is left as it was, the temporaries are removed, and
the error is one line. Temporaries of runs killed outright (SIGKILL) carry their process
id and are removed by the next write into the same folder.

Which file a suffix makes is one registry, :data:`WRITERS`: each entry says what the writer
needs (every path, the summary per year, or the findings of an analysis) and how it writes.
The command line asks the registry; it never tests suffixes itself. Adding a format is a
function and an entry here (see docs/architecture.md, "Adding an output format").
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from simulator.errors import OutputError

if TYPE_CHECKING:
    from simulator.report.document import Drawn
    from simulator.results.analysis import Findings

SUFFIXES = (".nc", ".csv", ".xlsx")

#: files this process has put in place, in order: what an interrupt message must own up to
WRITTEN: list[Path] = []

#: a temporary of ours: ``.<name>.<pid>.<random>.part<suffix>`` (a file or a folder)
_PART = re.compile(r"^\.(?P<name>.+)\.(?P<pid>\d+)\.[^.]+\.part[^/]*$")


def check_output(path: str | Path, *, force: bool = False, suffixes: tuple[str, ...] = SUFFIXES,
                 what: str = "output") -> Path:
    """Refuse an output file that cannot be written, before a long run rather than after it:
    unknown type (not in ``suffixes``), a folder, a missing or read-only folder, or an existing
    file without ``force``. ``what`` names the kind of file in the message ("output", "report", ...)."""
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
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write in folder {path.parent}: permission denied")
    return path


def check_companion(folder: Path, *, force: bool = False) -> None:
    """Refuse a companion folder (``report_files/``) that is a file, or that exists without ``force``."""
    if folder.exists() and not folder.is_dir():
        raise OutputError(f"{folder} exists and is not a folder; move it away or choose another name")
    if folder.exists() and not force:
        raise OutputError(f"{folder} exists; use --force to overwrite it")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's live process
        return True
    return True


def clean_stale(folder: Path, name: str) -> None:
    """Remove temporaries for ``name`` left in ``folder`` by runs that no longer exist."""
    with contextlib.suppress(OSError):
        for entry in folder.iterdir():
            m = _PART.match(entry.name)
            if not m or m["name"] != name:
                continue
            pid = int(m["pid"])
            if pid == os.getpid() or _alive(pid) and time.time() - entry.lstat().st_mtime < 86_400:
                continue  # a live run's (a pid reused for a day-old temporary is not one)
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold Ctrl-C and SIGTERM while files are renamed into place, so that what is reported
    as written is exactly what was (they arrive as soon as the renames are done)."""
    held = {signal.SIGINT, signal.SIGTERM}
    try:
        old = signal.pthread_sigmask(signal.SIG_BLOCK, held)
    except (AttributeError, ValueError, OSError):  # not the main thread, or no such call
        yield
        return
    try:
        yield
    finally:
        signal.pthread_sigmask(signal.SIG_SETMASK, old)


def _usual_permissions(p: Path, *, folder: bool = False) -> None:
    # mkstemp and mkdtemp make private entries (0600, 0700); results get the user's usual ones
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(p, (0o777 if folder else 0o666) & ~umask)


def _failed(path: Path, exc: BaseException) -> OutputError:
    reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
    return OutputError(f"cannot write {path}: {reason}; nothing was changed")


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
    clean_stale(path.parent, path.name)
    try:
        fd, name = tempfile.mkstemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part" + path.suffix,
                                    dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write in {path.parent}: {exc.strerror}") from None
    os.close(fd)
    tmp = Path(name)
    try:
        _usual_permissions(tmp)
        write(tmp)
        with _signals_deferred():
            os.replace(tmp, path)
            WRITTEN.append(path)
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return path


def write_with_folder(path: str | Path, main: bytes, folder_name: str, files: Mapping[str, bytes], *,
                      force: bool = False) -> list[Path]:
    """Write ``path`` and a companion folder ``folder_name`` beside it holding ``files``, all
    or nothing: both are made in a temporary folder, then moved in (an existing companion
    folder, with ``force``, is set aside and only removed once the new one is in place).

    Returns the paths written: ``path`` first, then the companion files.
    """
    path = Path(path)
    folder = path.with_name(folder_name)
    if path.exists() and not force:
        raise OutputError(f"{path} exists; use --force to overwrite it")
    check_companion(folder, force=force)
    clean_stale(path.parent, path.name)
    try:
        stage = Path(tempfile.mkdtemp(prefix=f".{path.name}.{os.getpid()}.", suffix=".part", dir=path.parent))
    except OSError as exc:
        raise OutputError(f"cannot write in {path.parent}: {exc.strerror}") from None
    try:
        new_folder = stage / folder_name
        new_folder.mkdir()
        _usual_permissions(new_folder, folder=True)
        for name, data in files.items():
            (new_folder / name).write_bytes(data)
            _usual_permissions(new_folder / name)
        (stage / path.name).write_bytes(main)
        _usual_permissions(stage / path.name)
        _move_in(stage, path, folder, new_folder)
    except OSError as exc:
        raise _failed(path, exc) from None
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return [path, *(folder / name for name in files)]


def _move_in(stage: Path, path: Path, folder: Path, new_folder: Path) -> None:
    """Rename the staged folder and file into place; on failure put the old folder back."""
    old = stage / ".old"
    with _signals_deferred():
        if folder.exists():
            os.replace(folder, old)
        moved = False
        try:
            os.replace(new_folder, folder)
            moved = True
            os.replace(stage / path.name, path)
        except OSError:
            if moved:  # the new pictures without their report: take them out again
                os.replace(folder, new_folder)
            if old.exists():
                os.replace(old, folder)
            raise
        WRITTEN.extend([path, folder])


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


def one_file(write: Callable[..., object]) -> Callable[..., list[Path]]:
    """A writer of one file from ``write(data, tmp_path, lang, **options)``, made atomic; of the
    options (``municipality``, ``csv_dialect``, ...) it gets those its signature names."""
    import inspect

    takes = set(inspect.signature(write).parameters)

    def writer(data: Any, path: Path, *, lang: str = "nl", force: bool = False, **options: Any) -> list[Path]:
        mine = {k: v for k, v in options.items() if k in takes}
        return [atomic_write(path, lambda p: write(data, p, lang, **mine), force=force)]

    return writer


def _netcdf(ds: Any, path: Path, lang: str, municipality: str | None = None) -> None:
    """CF-style, compressed netCDF-4 (simulator.report.netcdf), with the municipality's own figures."""
    from simulator.report.netcdf import write_netcdf

    write_netcdf(ds, path, municipality=municipality)


def _csv(rows: Any, path: Path, lang: str, csv_dialect: str | None = None) -> None:
    """The summary per year in the dialect the reader's Excel opens (simulator.report.spreadsheet)."""
    from simulator.report.spreadsheet import dialect_for, frame_rows, write_csv

    header, body = frame_rows(rows)
    write_csv(path, header, body, dialect_for(lang, csv_dialect))


def _xlsx(findings: Findings, path: Path, lang: str) -> None:
    from simulator.report.xlsx import write_xlsx

    write_xlsx(findings, path, lang=lang)


def _html(findings: Findings, path: Path, *, lang: str = "nl", force: bool = False, ahead: Drawn | None = None,
          **options: Any) -> list[Path]:
    from simulator.report.html import to_html

    text = to_html(findings, lang, ahead)
    return [atomic_write(path, lambda p: p.write_text(text, encoding="utf-8"), force=force)]


def _markdown(findings: Findings, path: Path, *, lang: str = "nl", force: bool = False, ahead: Drawn | None = None,
              **options: Any) -> list[Path]:
    """The text plus ``<name>_files/*.png``, together or not at all (:func:`write_with_folder`):
    a report never shows another run's pictures."""
    from simulator.report.markdown import to_markdown

    folder = path.stem + "_files"
    text, imgs = to_markdown(findings, lang, folder, ahead)
    return write_with_folder(path, text.encode("utf-8"), folder, {f"{k}.png": v for k, v in imgs.items()},
                             force=force)


def _pdf(findings: Findings, path: Path, *, lang: str = "nl", force: bool = False, ahead: Drawn | None = None,
         **options: Any) -> list[Path]:
    """The HTML report printed to an A4 PDF by headless Chromium (simulator.report.pdf)."""
    from simulator.report.html import to_html
    from simulator.report.pdf import html_to_pdf

    text = to_html(findings, lang, ahead)
    return [atomic_write(path, lambda p: html_to_pdf(text, p), force=force)]


def _bytes(data: bytes) -> Callable[[Path], int]:
    return lambda p: p.write_bytes(data)


#: suffix -> writer; the order is the order error messages list them in
WRITERS: dict[str, Writer] = {
    ".nc": Writer("paths", one_file(_netcdf)),
    ".csv": Writer("summary", one_file(_csv)),
    ".xlsx": Writer("findings", one_file(_xlsx)),
    ".html": Writer("findings", _html, report=True),
    ".md": Writer("findings", _markdown, report=True),
    ".pdf": Writer("findings", _pdf, report=True),
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
    """Refuse a report file that cannot be written (see :func:`check_output`), and for Markdown a
    picture folder that is in the way."""
    path = check_output(path, force=force, suffixes=report_types(), what="report")
    if path.suffix.lower() == ".md":
        check_companion(path.with_name(path.stem + "_files"), force=force)
    return path


def write_result(ds: Any, path: str | Path, summary_rows: Any, *, force: bool = False,
                 findings: Findings | None = None, lang: str = "nl", **options: Any) -> Path:
    """Save a run: ``.nc`` the full Dataset, ``.csv`` the summary per year, ``.xlsx`` every table
    (needs ``findings``, see :func:`simulator.results.analysis.analyse`); any format in :data:`WRITERS`."""
    path = check_result_path(path, force=force)
    writer = writer_for(path)
    data = {"paths": ds, "summary": summary_rows, "findings": findings}[writer.needs]
    return writer.write(data, path, lang=lang, force=force, **options)[0]


def write_report(f: Findings, path: str | Path, *, lang: str = "nl", force: bool = False,
                 ahead: Drawn | None = None) -> list[Path]:
    """Write ``.html`` (self-contained) or ``.md`` (plus ``<name>_files/*.png``); returns the files.
    ``ahead``: the pictures :func:`simulator.report.document.draw_ahead` drew for ``f`` (in the
    format ``path`` takes: :func:`picture_format`), used as drawn."""
    path = check_report_path(path, force=force)
    return writer_for(path).write(f, path, lang=lang, force=force, ahead=ahead)


def picture_format(path: str | Path) -> str:
    """The format a report file's pictures take: "png" beside Markdown, else "svg" (inline)."""
    return "png" if Path(path).suffix.lower() == ".md" else "svg"
