"""Writing result files: atomically (temporary file, then rename), never over an existing file
without ``force``, so an interrupted run never leaves a half-written file behind."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from simulator.errors import OutputError

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


def write_result(ds, path: str | Path, summary_rows, *, force: bool = False, findings=None,
                 lang: str = "nl") -> Path:
    """Save a run: ``.nc`` the full Dataset, ``.csv`` the summary per year, ``.xlsx`` every table
    (needs ``findings``, see :func:`simulator.results.analysis.analyse`)."""
    path = check_output(path, force=force)
    suffix = path.suffix.lower()
    if suffix == ".nc":
        return atomic_write(path, lambda p: ds.to_netcdf(p, engine="scipy"), force=force)
    if suffix == ".csv":
        return atomic_write(path, lambda p: summary_rows.to_csv(p), force=force)
    if suffix == ".xlsx":
        from simulator.report.xlsx import write_xlsx

        return atomic_write(path, lambda p: write_xlsx(findings, p, lang=lang), force=force)
    raise OutputError(f"unknown output type {suffix or '(none)'!r}: use .nc, .csv or .xlsx")
