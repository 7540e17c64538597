"""Exception classes, one per failure family.

Every error a user can cause carries enough to fix it without reading code:
the file, the key path inside it and what would be valid.
"""

from __future__ import annotations

import re

#: characters that change how text is shown rather than what it says: C0 and C1 controls
#: (tab and line ends excepted), DEL, and the Unicode bidi marks, embeddings, overrides and
#: isolates, which can make a terminal or report show text in another order than it is read
HIDDEN = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def inert(text: str) -> str:
    """``text`` safe for a terminal: every hidden character shown as its escape (``\\u202e``)."""
    return HIDDEN.sub(lambda m: m.group().encode("unicode_escape").decode("ascii"), text)


class TaaksimError(Exception):
    """Base class of every error taaksim reports to a user (exit code 2)."""

    exit_code = 2


class ScenarioError(TaaksimError):
    """A scenario file is unreadable, malformed or inconsistent.

    Parameters
    ----------
    problem : str
        What is wrong and, where possible, what would be valid.
    file : str, optional
        The scenario file.
    path : tuple of str, optional
        Key path inside the file, e.g. ``('measure "hh-normenkader"', "effect", "pert")``.
    """

    def __init__(self, problem: str, *, file: str | None = None, path: tuple[str, ...] = ()):
        self.problem = problem
        self.file = file
        self.path = tuple(path)
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """One line: file, key path, problem; a user's long value is shortened, never echoed whole."""
        where = self.file or "<scenario>"
        if self.path:
            # a key as written, line breaks shown as \\n: 'm\\n' is not the id 'm '
            where += ": " + " > ".join(_short(str(p).translate(_BREAKS), 80) for p in self.path)
        return f"{where}: {_short(self.problem, 400)}"

    def __str__(self) -> str:
        return self.message


_BREAKS = str.maketrans({"\n": "\\n", "\r": "\\r", "\t": "\\t"})


def _short(text: str, limit: int) -> str:
    text = inert(text)  # a message quotes the user's keys and values: never let them steer the terminal
    text = " ".join(text.split()) if "\n" in text or "\r" in text else text
    return text if len(text) <= limit else text[: limit - 3] + "..."


class ExpressionError(ScenarioError):
    """An expression in a scenario is not valid arithmetic over known names."""


class SimulationError(TaaksimError):
    """The engine met values it cannot turn into a finite result (e.g. division by zero)."""


class OutputError(TaaksimError):
    """An output file cannot be written (exists without --force, unknown suffix, ...)."""


class VariantError(TaaksimError):
    """A --variant of ``taaksim compare`` names an unknown measure or input, or is malformed."""


class UnknownMunicipalityError(TaaksimError):
    """A municipality is asked for (``--municipality``, :class:`~simulator.results.analysis.Study`,
    a summary) that the scenario does not declare.

    Parameters
    ----------
    municipality : str
        The id asked for.
    known : iterable of str
        The municipality ids the scenario declares, in its order.
    """

    def __init__(self, municipality: object, known=()):
        self.municipality = municipality
        self.known = tuple(str(k) for k in known)
        super().__init__(f"unknown municipality {municipality!r}; "
                         f"known: {', '.join(self.known) or 'none in this scenario'}"
                         f"{did_you_mean(str(municipality), self.known)}")


class SchedulerError(TaaksimError):
    """``--scheduler`` names a dask scheduler that cannot be reached or is malformed."""


def did_you_mean(value: str, known) -> str:
    """"; did you mean 'x'?" for the known id closest to ``value`` (ignoring case), or "".

    >>> did_you_mean("hilversm", ["hilversum", "huizen"])
    "; did you mean 'hilversum'?"
    """
    close = closest(value, known, 1)
    return f"; did you mean {close[0]!r}?" if close else ""


def closest(value: str, known, n: int) -> list[str]:
    """Up to ``n`` known ids nearest to ``value``, ignoring case, nearest first."""
    import difflib

    lowered = {str(k).lower(): str(k) for k in known}
    return [lowered[c] for c in difflib.get_close_matches(value.lower(), list(lowered), n=n, cutoff=0.6)]


def resolve_id(value: str, known) -> str | None:
    """The known id that ``value`` names, ignoring case (``Hilversum`` -> ``hilversum``), or None."""
    known = [str(k) for k in known]
    if value in known:
        return value
    hits = [k for k in known if k.casefold() == value.casefold()]
    return hits[0] if len(hits) == 1 else None
