"""Dutch and English words: the one rule for choosing a language.

Every text table in taaksim is a mapping to ``(nl, en)`` pairs; :func:`pick` chooses the
member. Dutch is the first language of the documents and of the councils that read the
output, so it comes first and is the default everywhere.
"""

from __future__ import annotations

LANGS = ("nl", "en")


def pick(pair: tuple[str, str], lang: str) -> str:
    """The Dutch or English member of an (nl, en) pair, the form every text table here uses."""
    return pair[0] if lang == "nl" else pair[1]
