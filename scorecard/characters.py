"""Characters that no text kept in the store may hold, refused alike on SQLite and PostgreSQL.

PostgreSQL cannot keep NUL (character 0) in text at all, and a lone surrogate (half of a
character, which a JSON body can spell as `\\ud800`) cannot be written as UTF-8; SQLite would
keep the first. Refusing both wherever text comes in (the loader's cells, a concern's words, a
scorecard comment) makes the two stores behave the same, with a message instead of a crash.
"""

from __future__ import annotations

import re

__all__ = ["CANNOT_STORE", "unstorable"]

CANNOT_STORE = "the text contains a character that cannot be stored"

_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


def unstorable(text: str) -> str | None:
    """The first character of `text` that the store cannot keep, described for the person who
    typed it, or None when every character can be kept.

    `unstorable("SEND\\x00-01") == "NUL, character code 0"`; `unstorable("Café") is None`.
    """
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    code = ord(found.group())
    if code == 0:
        return "NUL, character code 0"
    return f"half of a character, code U+{code:04X}"
