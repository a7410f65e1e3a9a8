"""The vocabulary: how members say things, as data (`vocabulary.toml`, read by the caller).

Acronyms and synonyms rewritten to one canonical spelling, stopwords, weak words, out-of-scope
subjects, qualifiers and negations, subgroups, measures (words that say how something is
counted) and the commands' phrases.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from scorecard.model import Unit

__all__ = ["DEFAULT_VOCABULARY_FILE", "CommandName", "Vocabulary", "VocabularyError"]

# The vocabulary shipped with the package (scorecard/vocabulary.toml); the handlers read it
# with importlib.resources and pass the text to Vocabulary.from_toml.
DEFAULT_VOCABULARY_FILE = "vocabulary.toml"


class CommandName(StrEnum):
    HELP = "help"
    CLUSTERS = "clusters"
    REDS = "reds"
    GLOSSARY = "glossary"


class VocabularyError(ValueError):
    """A vocabulary file that cannot be used, with what is wrong and where."""


@dataclass(frozen=True, slots=True)
class Vocabulary:
    """Acronyms, synonyms, stopwords, weak words, out-of-scope words, qualifiers, subgroups,
    measures and commands.

    `rules` pairs a spelling with the canonical form it is rewritten to (acronyms and
    synonyms alike); `measures` pairs a word that says how something is counted ("number")
    with the units it fits. See vocabulary.toml for what each section means.
    """

    rules: tuple[tuple[str, str], ...] = ()
    stopwords: tuple[str, ...] = ()
    weak: tuple[str, ...] = ()
    out_of_scope: tuple[str, ...] = ()
    qualifiers: tuple[str, ...] = ()
    negations: tuple[str, ...] = ()
    subgroups: tuple[str, ...] = ()
    measures: tuple[tuple[str, tuple[Unit, ...]], ...] = ()
    commands: tuple[tuple[CommandName, tuple[str, ...]], ...] = ()

    @classmethod
    def from_toml(cls, text: str) -> Vocabulary:
        """Parse vocabulary.toml's text; a malformed file raises VocabularyError naming the key."""
        try:
            data = tomllib.loads(text)
        except tomllib.TOMLDecodeError as error:
            raise VocabularyError(f"vocabulary is not valid TOML: {error}") from None
        known = {"acronyms", "synonyms", "stopwords", "weak", "out_of_scope", "qualifiers"}
        known |= {"subgroups", "measures", "commands"}
        unknown = set(data) - known
        if unknown:
            raise VocabularyError(f"unknown vocabulary sections: {sorted(unknown)}")
        rules: list[tuple[str, str]] = []
        for section in ("acronyms", "synonyms"):
            for canonical, spellings in _table(data, section).items():
                for spelling in _strings(spellings, f"{section}.{canonical}"):
                    rules.append((spelling, canonical))
                # The canonical form is one of its own spellings.
                rules.append((canonical, canonical))
        commands: list[tuple[CommandName, tuple[str, ...]]] = []
        for name, phrases in _table(data, "commands").items():
            try:
                command = CommandName(name)
            except ValueError:
                raise VocabularyError(
                    f"unknown command '{name}' (known: {', '.join(c.value for c in CommandName)})"
                ) from None
            commands.append((command, tuple(_strings(phrases, f"commands.{name}"))))
        measures: list[tuple[str, tuple[Unit, ...]]] = []
        for word, units in _table(data, "measures").items():
            try:
                fitting = tuple(Unit(u) for u in _strings(units, f"measures.{word}"))
            except ValueError:
                raise VocabularyError(
                    f"measures.{word}: unknown unit (known: {', '.join(u.value for u in Unit)})"
                ) from None
            measures.append((word, fitting))
        return cls(
            rules=tuple(rules),
            stopwords=tuple(_word_list(data, "stopwords")),
            weak=tuple(_word_list(data, "weak")),
            out_of_scope=tuple(_word_list(data, "out_of_scope")),
            qualifiers=tuple(_word_list(data, "qualifiers")),
            negations=tuple(
                _strings(_table(data, "qualifiers").get("negations", []), "qualifiers.negations")
            ),
            subgroups=tuple(_word_list(data, "subgroups")),
            measures=tuple(measures),
            commands=tuple(commands),
        )


def _table(data: Mapping[str, Any], section: str) -> dict[str, Any]:
    value = data.get(section, {})
    if not isinstance(value, dict):
        raise VocabularyError(f"[{section}] must be a table")
    return value


def _strings(value: Any, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise VocabularyError(f"{where} must be a list of strings")
    return list(value)


def _word_list(data: Mapping[str, Any], section: str) -> list[str]:
    return _strings(_table(data, section).get("words", []), f"{section}.words")

