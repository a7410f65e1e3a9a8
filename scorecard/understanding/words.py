"""Words as the matcher sees them: text -> canonical tokens.

The catalogue and the member's question go through the same normalisation (words and numbers,
singulars and a light stem, then the vocabulary's acronyms and synonyms rewritten to one
canonical spelling, and stopwords dropped), so matching is on canonical tokens: `children's
social care plans` and `CSC plan` meet.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache

from scorecard.understanding.vocabulary import Vocabulary, VocabularyError

__all__ = ["NUMBER", "OUT_OF_SCOPE", "Normaliser", "raw_words", "stem"]


# Ranges split into their numbers, so "16-17", "16 to 17" and "16 & 17" meet.
_WORD = re.compile(r"\d+(?:\.\d+)?|[a-z]+")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_POSSESSIVE = re.compile(r"['’]s\b")
_LETTER_DIGIT = re.compile(r"(?<=[a-z])(?=\d)|(?<=\d)(?=[a-z])")
# In a vocabulary spelling, any number ("under # weeks").
NUMBER = "#"
# The token an out-of-scope subject ("potholes") is rewritten to.
OUT_OF_SCOPE = "!out-of-scope"


def raw_words(text: str) -> list[str]:
    """Lower-case words and numbers: `children's` -> children, `KS2` -> ks 2, `10,000` -> 10000."""
    lowered = text.lower().replace("&", " and ").replace("%", " percent ")
    lowered = _THOUSANDS.sub("", lowered)
    lowered = _POSSESSIVE.sub("", lowered)
    # Split `ks2`, `s47`, `2yr`, `10k` so that `ks 2` and `KS2` are one spelling.
    lowered = _LETTER_DIGIT.sub(" ", lowered)
    return _WORD.findall(lowered)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Singular and a light stem, enough that `plans`/`plan`, `started`/`starting`/`start`,
    `ceased`/`cease` meet. Not a real stemmer: both sides get the same treatment, so all
    that matters is that related forms land together and unrelated ones rarely do."""
    if len(word) < 4 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "xes", "ches", "shes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            if len(word) > 4 and word[-1] == word[-2] and word[-1] not in "ls":
                word = word[:-1]  # stopped -> stop, but keep `fall`, `assess`
            break
    if len(word) >= 5 and word.endswith("e"):
        word = word[:-1]
    return word


@dataclass(frozen=True, slots=True)
class _Rule:
    pattern: tuple[str, ...]
    replacement: tuple[str, ...]


class Normaliser:
    """Text -> canonical tokens: words, stems, one-word synonyms, then phrase rules, then
    stopwords removed. The same object serves the catalogue and the queries."""

    def __init__(self, vocabulary: Vocabulary) -> None:
        self.words: dict[str, str] = {}
        phrase_rules: list[_Rule] = []
        for spelling, canonical in vocabulary.rules:
            pattern = _pattern(spelling)
            # Canonical words are stemmed like everything else, so "funding" meets "funded".
            replacement = tuple(w if w == NUMBER else stem(w) for w in canonical.lower().split())
            if not pattern or not replacement:
                raise VocabularyError(f"empty spelling or canonical form near '{canonical}'")
            if len(pattern) == 1 and len(replacement) == 1 and pattern[0] != NUMBER:
                # A one-word synonym: applied before the phrases, so phrases see it.
                self.words.setdefault(pattern[0], replacement[0])
            else:
                phrase_rules.append(_Rule(pattern, replacement))
        self.out_of_scope: tuple[tuple[str, ...], ...] = tuple(
            tuple(stem(w) for w in raw_words(phrase)) for phrase in vocabulary.out_of_scope
        )
        for pattern in self.out_of_scope:
            phrase_rules.append(_Rule(pattern, (OUT_OF_SCOPE,)))
        # Multi-word stopwords ("financial year", "up to date") are rules that drop the words.
        self.stopwords: set[str] = set()
        for phrase in vocabulary.stopwords:
            words = tuple(stem(w) for w in raw_words(phrase))
            if len(words) == 1:
                self.stopwords.add(words[0])
                self.stopwords.add(phrase.lower())
            elif words:
                phrase_rules.append(_Rule(words, ()))
        # Phrase patterns are written in plain words: give them the one-word synonyms too.
        self.rules: dict[str, list[_Rule]] = {}
        for rule in phrase_rules:
            pattern = tuple(self.words.get(w, w) for w in rule.pattern)
            self.rules.setdefault(pattern[0], []).append(_Rule(pattern, rule.replacement))
        for candidates in self.rules.values():
            candidates.sort(key=lambda r: -len(r.pattern))
        self.weak: set[str] = {t for phrase in vocabulary.weak for t in self.tokens(phrase)}
        self.weak |= {w for phrase in vocabulary.weak for w in phrase.lower().split()}
        # A subgroup is a phrase ("sen support"): its tokens without the weak ones ("special
        # school" is `special`), so that "care" or "year" alone never marks a subgroup.
        subgroups = (frozenset(t for t in self.tokens(p) if t not in self.weak) for p in vocabulary.subgroups)
        self.subgroups = tuple(dict.fromkeys(g for g in subgroups if g))
        self.negations = frozenset(t for phrase in vocabulary.negations for t in self.tokens(phrase))

    def word(self, raw: str) -> str:
        stemmed = stem(raw)
        return self.words.get(stemmed, stemmed)

    def tokens(self, text: str, correct: Callable[[str], str] | None = None) -> list[str]:
        """`text`'s canonical tokens; `correct` (typos.Corrector.correct) first mends typos."""
        raw = raw_words(text)
        if correct is not None:
            raw = [correct(w) for w in raw]
        return self.rewrite([self.word(w) for w in raw])

    def rewrite(self, words: list[str]) -> list[str]:
        out: list[str] = []
        i = 0
        while i < len(words):
            current = words[i]
            candidates = list(self.rules.get(current, ()))
            if current[:1].isdigit():
                candidates += self.rules.get(NUMBER, [])
                candidates.sort(key=lambda r: -len(r.pattern))
            for rule in candidates:
                matched = self._match(words, i, rule.pattern)
                if matched is not None:
                    end, numbers = matched
                    replacement = list(rule.replacement)
                    for k, token in enumerate(replacement):
                        if token == NUMBER and numbers:
                            replacement[k] = numbers.pop(0)
                    out.extend(replacement)
                    i = end
                    break
            else:
                if current not in self.stopwords:
                    out.append(current)
                i += 1
        return out

    def _match(self, words: list[str], start: int, pattern: tuple[str, ...]) -> tuple[int, list[str]] | None:
        """Where `pattern` ends if it matches at `start`, and the numbers it captured. Up to two
        stopwords may sit between the pattern's words ("children who are in care")."""
        i = start
        numbers: list[str] = []
        for k, expected in enumerate(pattern):
            skipped = 0
            while k > 0 and i < len(words) and not _same(words[i], expected) and words[i] in self.stopwords:
                i += 1
                skipped += 1
                if skipped > 2:
                    return None
            if i >= len(words) or not _same(words[i], expected):
                return None
            if expected == NUMBER:
                numbers.append(words[i])
            i += 1
        return i, numbers


def _pattern(spelling: str) -> tuple[str, ...]:
    """A spelling's words as the normaliser sees them, `#` kept as the any-number wildcard."""
    words: list[str] = []
    for part in spelling.split():
        words += [NUMBER] if part == NUMBER else [stem(w) for w in raw_words(part)]
    return tuple(words)


def _same(word: str, expected: str) -> bool:
    return word == expected or (expected == NUMBER and word[:1].isdigit())

