"""A small ordered registry: name -> rule, with a stable integer code per name.

The compiled plan stores codes (positions in a registry), so a compiled kernel can branch on
integers; the engine looks the rule up by code. Codes of registered names never change:
a new rule is appended.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Rules by name (a vocabulary word) and by code (its position)."""

    def __init__(self, what: str) -> None:
        self.what = what
        self._names: list[str] = []
        self._rules: list[T] = []

    def register(self, name: str, rule: T) -> T:
        """Add ``rule`` under ``name`` (or replace the rule of a known name, keeping its code)."""
        name = str(name)
        if name in self._names:
            self._rules[self._names.index(name)] = rule
        else:
            self._names.append(name)
            self._rules.append(rule)
        return rule

    def code(self, name: str) -> int:
        """The integer code of ``name``."""
        try:
            return self._names.index(str(name))
        except ValueError:
            raise KeyError(f"unknown {self.what} {name!r}; known: {', '.join(self._names)}") from None

    def __getitem__(self, code: int) -> T:
        return self._rules[code]

    def name(self, code: int) -> str:
        return self._names[code]

    def __contains__(self, name: object) -> bool:
        return name in self._names

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)
