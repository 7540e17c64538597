"""Writing result files: all or nothing, and never over an existing file without ``force``.

A file is written to a temporary file beside it and renamed into place; a report with
companion files (Markdown and its ``<name>_files/`` folder) is written into a temporary
folder and moved in at the end. Whatever stops a write (an error, Ctrl-C, a full disk, a
read-only folder), what existed before is left as it was, the temporaries are removed, and
the error is one line. Temporaries of runs killed outright (SIGKILL) carry their process
id and are removed by the next write into the same folder.
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
from pathlib import Path

from simulator.errors import OutputError

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
